// SPDX-License-Identifier: GPL-2.0
/*
 * Token bucket arithmetic with lazy refill: no timer refills the buckets, each
 * packet brings its own bucket up to date from the time that has passed.
 *
 * The rate n/period is reduced by gcd(n, period) so that both the refill per
 * nanosecond and the cost per packet are exact integers: for 10/second the
 * bucket gains 1 unit per ns and a packet costs 10^8 units; for 1/hour it
 * gains 1 unit per ns and a packet costs 3.6 * 10^12.  The only limit is that a
 * full bucket plus one refill step must fit in 64 bits, which is checked when
 * the rate is configured.
 */

#include <linux/gcd.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "algo.h"
#include "bucket.h"
#include "compat.h"

/**
 * rl_bucket_rate_init() - derive the fixed-point constants of a rate
 * @r: rate to fill in
 * @n: packets allowed per @period_ns; 0 disables limiting
 * @period_ns: length of the rate's period in nanoseconds
 * @burst: bucket size in packets, at least 1 when @n is not 0
 * @errmsg: set to a human-readable reason on failure
 *
 * Return: 0, or -EINVAL for a meaningless rate and -ERANGE for a rate and
 * burst whose bucket the 64-bit representation cannot hold.
 */
int rl_bucket_rate_init(struct rl_rate *r, u64 n, u64 period_ns, u64 burst,
			const char **errmsg)
{
	u64 g, refill, cost, cap, sum;

	memset(r, 0, sizeof(*r));
	if (!period_ns) {
		*errmsg = "rate period must not be 0";
		return -EINVAL;
	}
	if (!n) {
		/* Unlimited: every packet passes, entries still count them. */
		r->period_ns = period_ns;
		r->burst = burst;
		r->fill_ns = 0;
		return 0;
	}
	if (!burst) {
		*errmsg = "burst must be at least 1";
		return -EINVAL;
	}

	g = gcd(n, period_ns);
	refill = div64_u64(n, g);	/* links on 32-bit kernels too */
	cost = div64_u64(period_ns, g);

	/*
	 * Refill adds less than cap + refill to at most cap (see charge), so
	 * 2 * cap + refill must not wrap.
	 */
	if (check_mul_overflow(burst, cost, &cap) ||
	    check_add_overflow(cap, cap, &sum) ||
	    check_add_overflow(sum, refill, &sum)) {
		*errmsg = "burst window too long for this rate: lower burst or raise rate";
		return -ERANGE;
	}

	r->n = n;
	r->period_ns = period_ns;
	r->burst = burst;
	r->refill = refill;
	r->cost = cost;
	r->cap = cap;
	r->fill_ns = div64_u64(cap + refill - 1, refill);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rl_bucket_rate_init);

/**
 * rl_bucket_default_burst() - one second of a rate, the burst by default
 * @n: packets per @period_ns
 * @period_ns: the period, not 0
 *
 * Whole periods and the remainder are scaled apart so that neither the
 * product nor the quotient can overflow (mul_u64_u64_div_u64() traps on a
 * quotient beyond 64 bits); a burst beyond 64 bits saturates, which
 * rl_bucket_rate_init() then refuses.
 *
 * Return: n * 10^9 / period_ns, at least 1.
 */
u64 rl_bucket_default_burst(u64 n, u64 period_ns)
{
	u64 whole, rem, burst;

	whole = div64_u64_rem(n, period_ns, &rem);
	if (check_mul_overflow(whole, (u64)NSEC_PER_SEC, &burst) ||
	    check_add_overflow(burst, mul_u64_u64_div_u64(rem, NSEC_PER_SEC,
							  period_ns), &burst))
		return U64_MAX;
	return max_t(u64, burst, 1);
}
EXPORT_SYMBOL_IF_KUNIT(rl_bucket_default_burst);

/**
 * rl_bucket_init() - start a bucket full, as a new source deserves
 * @b: bucket
 * @r: its rate
 * @now: current time in ns
 */
void rl_bucket_init(struct rl_bucket *b, const struct rl_rate *r, u64 now)
{
	b->tokens = r->cap;
	b->last_ns = now;
	b->cost = r->cost;
}
EXPORT_SYMBOL_IF_KUNIT(rl_bucket_init);

/**
 * rl_bucket_rescale() - a bucket's tokens in units of a new rate's cost
 * @b: bucket, serialised by the caller, whose cost differs from @r's
 * @r: the new rate
 *
 * A rate change keeps the share of a packet the bucket holds, clamped to the
 * new burst.  Whole packets and the remainder are converted apart, so that
 * no product can overflow: whole packets are fewer than the new burst, whose
 * cap fits, and the remainder's quotient is below the new cost.  A bucket
 * that had no cost (its source was unmetered) starts full, as a new one
 * would.  Out of line: only the first packet after a change gets here.
 *
 * Return: the tokens, in units of @r's cost.
 */
u64 rl_bucket_rescale(const struct rl_bucket *b, const struct rl_rate *r)
{
	u64 whole, rem;

	if (!b->cost)
		return r->cap;
	whole = div64_u64_rem(b->tokens, b->cost, &rem);
	if (whole >= r->burst)
		return r->cap;
	return whole * r->cost + mul_u64_u64_div_u64(rem, r->cost, b->cost);
}
EXPORT_SYMBOL_IF_KUNIT(rl_bucket_rescale);

/**
 * rl_bucket_charge() - rl_bucket_take() of one packet
 * @b: bucket, serialised by the caller
 * @r: its rate
 * @now: current time in ns
 *
 * Return: true if the packet conforms and took a token.
 */
bool rl_bucket_charge(struct rl_bucket *b, const struct rl_rate *r, u64 now)
{
	return rl_bucket_take(b, r, now, 1);
}
EXPORT_SYMBOL_IF_KUNIT(rl_bucket_charge);

/**
 * rl_bucket_peek() - whole packets a bucket would hold at @now, for display
 * @b: bucket, serialised by the caller
 * @r: its rate
 * @now: current time in ns
 *
 * Unlike rl_bucket_charge() this leaves the bucket alone, so reading it can
 * never change what the packet path decides.
 *
 * Return: whole tokens; unlimited rates report the burst.
 */
u64 rl_bucket_peek(const struct rl_bucket *b, const struct rl_rate *r, u64 now)
{
	if (!r->n)
		return r->burst;
	return div64_u64(rl_bucket_refilled(b, r, now), r->cost);
}
EXPORT_SYMBOL_IF_KUNIT(rl_bucket_peek);

/**
 * rl_bucket_full() - whether a bucket would be full at @now
 * @b: bucket, serialised by the caller
 * @r: its rate
 * @now: current time in ns
 *
 * A limited source whose bucket has refilled completely has sent no more than
 * its rate for a whole burst window: it is no longer being limited.
 *
 * Return: true if full (always for an unlimited rate).
 */
bool rl_bucket_full(const struct rl_bucket *b, const struct rl_rate *r, u64 now)
{
	return rl_bucket_refilled(b, r, now) == r->cap;
}
EXPORT_SYMBOL_IF_KUNIT(rl_bucket_full);

static void tb_init(union rl_state *s, const struct rl_rate *r, u64 now)
{
	rl_bucket_init(&s->tb, r, now);
}

/* The packet path inlines rl_bucket_take() instead (table.c). */
static bool tb_charge(union rl_state *s, const struct rl_rate *r, u64 now,
		      u64 amount)
{
	return rl_bucket_take(&s->tb, r, now, amount);
}

static u64 tb_peek(const union rl_state *s, const struct rl_rate *r, u64 now)
{
	return rl_bucket_peek(&s->tb, r, now);
}

static bool tb_full(const union rl_state *s, const struct rl_rate *r, u64 now)
{
	return rl_bucket_full(&s->tb, r, now);
}

/* The default: tokens, the time they were counted, and their unit's cost. */
const struct rl_algo_ops rl_algo_token_bucket = {
	.name = "token-bucket",
	.state_size = sizeof(struct rl_bucket),
	.init = tb_init,
	.charge = tb_charge,
	.peek = tb_peek,
	.full = tb_full,
	.max_burst = U64_MAX,
};
