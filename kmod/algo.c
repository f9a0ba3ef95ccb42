// SPDX-License-Identifier: GPL-2.0
/*
 * The table of limiting algorithms, and what rates need to know of units.
 */

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "algo.h"
#include "compat.h"

/* Indexed by enum nf_rl_algo; rl_algo_get() (algo.h) reads it per packet. */
const struct rl_algo_ops *const rl_algos[] = {
	[NF_RL_ALGO_TOKEN_BUCKET] = &rl_algo_token_bucket,
	[NF_RL_ALGO_GCRA] = &rl_algo_gcra,
	[NF_RL_ALGO_SLIDING_WINDOW] = &rl_algo_swin,
};
EXPORT_SYMBOL_IF_KUNIT(rl_algos);

static_assert(ARRAY_SIZE(rl_algos) == __NF_RL_ALGO_MAX);

/**
 * rl_algo_lookup() - an algorithm by name
 * @name: "token-bucket", "gcra" or "sliding-window"
 *
 * Return: its enum nf_rl_algo value, or -EINVAL.
 */
int rl_algo_lookup(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(rl_algos); i++)
		if (sysfs_streq(name, rl_algos[i]->name))
			return i;
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(rl_algo_lookup);

/**
 * rl_algo_check() - whether an algorithm can meter a rate
 * @algo: a valid enum nf_rl_algo value
 * @r: the rate, from rl_algo_rate_init()
 * @errmsg: set to a human-readable reason on failure
 *
 * Return: 0, or -ERANGE for a burst the algorithm's state cannot count.
 */
int rl_algo_check(enum nf_rl_algo algo, const struct rl_rate *r,
		  const char **errmsg)
{
	if (r->n && r->burst > rl_algo_get(algo)->max_burst) {
		/* Only the sliding window has a limit (swin.c). */
		*errmsg = "sliding-window burst must be at most 4294967295";
		return -ERANGE;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rl_algo_check);

/**
 * rl_algo_rate_init() - rl_bucket_rate_init() for a rate in @unit
 * @r: rate to fill in
 * @n: units per @period_ns
 * @period_ns: the period
 * @burst: in units
 * @unit: packets, or bytes: then a packet of up to RL_MAX_AMOUNT bytes must
 *        be chargeable without overflow, on top of a full bucket
 * @errmsg: set to a human-readable reason on failure
 *
 * Return: 0, -EINVAL or -ERANGE.
 */
int rl_algo_rate_init(struct rl_rate *r, u64 n, u64 period_ns, u64 burst,
		      enum nf_rl_unit unit, const char **errmsg)
{
	u64 most, sum;
	int err;

	err = rl_bucket_rate_init(r, n, period_ns, burst, errmsg);
	if (err || unit == NF_RL_UNIT_PACKETS || !n)
		return err;
	/* Charging checks debt + amount * cost against cap: both must fit. */
	if (check_mul_overflow((u64)RL_MAX_AMOUNT, r->cost, &most) ||
	    check_add_overflow(most, r->cap, &sum) ||
	    check_add_overflow(sum, r->cap, &sum)) {
		*errmsg = "byte rate too slow for a 1 MiB packet: raise the rate";
		return -ERANGE;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rl_algo_rate_init);

/**
 * rl_algo_default_burst() - the burst of a rule that gives none
 * @n: units per @period_ns
 * @period_ns: the period, not 0
 * @unit: packets or bytes
 *
 * One second of the rate, at least one packet, or for bytes at least 64 KiB:
 * a packet larger than the burst could never pass, and GRO hands the hooks
 * packets that large.
 *
 * Return: the burst.
 */
u64 rl_algo_default_burst(u64 n, u64 period_ns, enum nf_rl_unit unit)
{
	u64 burst = rl_bucket_default_burst(n, period_ns);

	return unit == NF_RL_UNIT_BYTES ? max_t(u64, burst, SZ_64K) : burst;
}
EXPORT_SYMBOL_IF_KUNIT(rl_algo_default_burst);

