// SPDX-License-Identifier: GPL-2.0
/*
 * make bench's in-kernel microbenchmark (built only with NF_RL_BENCH=1):
 * rl_table_charge() called directly, as the hook calls it, over preloaded
 * sources, with no packets and no netfilter around it.  Prints, at load:
 *
 *   hot     ns per decision cycling over RL_BENCH_HOT sources (cache-hot)
 *   cold    ns per decision over all @sources in a random order (cold on
 *           real hardware once the table outgrows the caches)
 *   cold2   the same on two CPUs at once, each over its own half: ns per
 *           decision of the pair, so cold / cold2 is the speed-up
 *   rht     calibration: ns per lookup in a plain rhashtable of @sources
 *           u32 keys (jhash), as lib/test_rhashtable measures, so that
 *           runs on different machines compare as ratios to it
 *
 * as "nf_ratelimit_bench: NAME NS" lines.  Every decision passes: the rule
 * is 0.0.0.0/0 at 1G/s with a burst of 1M.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../nf_ratelimit.h"
#include "../rules.h"

enum {
	RL_BENCH_HOT = 16,	/* sources in the cache-hot loop */
	RL_BENCH_BATCH = 4096,	/* decisions per bottom-half section */
};

static unsigned int sources = 65536;
module_param(sources, uint, 0444);
MODULE_PARM_DESC(sources, "Distinct sources in the table (default 65536)");

static unsigned int decisions = 1 << 20;
module_param(decisions, uint, 0444);
MODULE_PARM_DESC(decisions, "Decisions per measurement (default 1M)");

static struct rl_table table;
static struct rl_key *keys;
static u32 *order;

/* Charges keys[order[i % n]] @count times; returns the ns it took. */
static u64 charge_loop(const u32 *ord, u32 n, u32 count)
{
	struct rl_pkt_in pkt = { .parsed = true };
	u64 start = ktime_get_ns();
	u32 i = 0, done;

	while (i < count) {
		done = min_t(u32, count - i, RL_BENCH_BATCH);
		local_bh_disable();
		rcu_read_lock();
		for (; done; done--, i++)
			rl_table_charge(&table, &keys[ord[i % n]], &pkt, 60,
					ktime_get_ns());
		rcu_read_unlock();
		local_bh_enable();
		cond_resched();
	}
	return ktime_get_ns() - start;
}

struct half {
	struct completion go, done;
	const u32 *ord;
	u32 n;
	u64 ns;
};

static int half_fn(void *data)
{
	struct half *h = data;

	wait_for_completion(&h->go);
	h->ns = charge_loop(h->ord, h->n, decisions / 2);
	complete(&h->done);
	return 0;
}

/* Both halves at once, one per CPU; the ns until both are done, 0 if not run. */
static u64 two_cpus(void)
{
	struct task_struct *k[2];
	struct half h[2];
	u64 start;
	int i;

	for (i = 0; i < 2; i++) {
		init_completion(&h[i].go);
		init_completion(&h[i].done);
		h[i].ord = order + i * (sources / 2);
		h[i].n = sources / 2;
		k[i] = kthread_create(half_fn, &h[i], "rl_bench/%d", i);
		if (IS_ERR(k[i]))
			goto stop_started;
		kthread_bind(k[i], i);
		wake_up_process(k[i]);
	}
	start = ktime_get_ns();
	for (i = 0; i < 2; i++)
		complete(&h[i].go);
	for (i = 0; i < 2; i++)
		wait_for_completion(&h[i].done);
	return ktime_get_ns() - start;

stop_started:
	/* The first thread waits for its go: let it run and finish. */
	if (i == 1) {
		complete(&h[0].go);
		wait_for_completion(&h[0].done);
	}
	return 0;
}

struct calib {
	u32 key;
	struct rhash_head node;
};

static const struct rhashtable_params calib_params = {
	.key_len = sizeof(u32),
	.key_offset = offsetof(struct calib, key),
	.head_offset = offsetof(struct calib, node),
	.automatic_shrinking = true,
};

/* ns per lookup in a plain rhashtable of @sources u32 keys. */
static u64 calibrate(void)
{
	struct rhashtable_params params = calib_params;
	struct calib *objs;
	struct rhashtable ht;
	u64 start, ns = 0;
	u32 i;

	/* Sized for all keys up front: no rehash running while it is timed. */
	params.nelem_hint = sources;
	objs = kvcalloc(sources, sizeof(*objs), GFP_KERNEL);
	if (!objs || rhashtable_init(&ht, &params)) {
		kvfree(objs);
		return 0;
	}
	for (i = 0; i < sources; i++) {
		objs[i].key = i;
		if (rhashtable_insert_fast(&ht, &objs[i].node, calib_params))
			goto out;
	}
	start = ktime_get_ns();
	rcu_read_lock();
	for (i = 0; i < decisions; i++) {
		u32 k = order[i % sources];

		if (!rhashtable_lookup(&ht, &k, calib_params))
			break;
	}
	rcu_read_unlock();
	ns = div_u64(ktime_get_ns() - start, decisions);
out:
	rhashtable_destroy(&ht);
	kvfree(objs);
	return ns;
}

static void report(const char *name, u64 ns, u32 count)
{
	/* Whole ns and tenths, without floating point. */
	u64 tenths = div_u64(ns * 10, count ?: 1);

	pr_info("%s %llu.%llu\n", name, tenths / 10, tenths % 10);
}

static int __init bench_init(void)
{
	struct rl_table_cfg cfg = {
		.buckets = 1 << 24,
		.limits = { .max_entries = sources },
	};
	struct rl_rule rule = {
		.action = NF_RL_ACTION_LIMIT,
		.agg_prefix = 32,
	};
	struct rl_ruleset *rs;
	struct rl_stats st;
	const char *msg = "";
	int err = -ENOMEM;
	u32 i;

	if (sources < 2 * RL_BENCH_HOT || !decisions)
		return -EINVAL;
	keys = kvcalloc(sources, sizeof(*keys), GFP_KERNEL);
	order = kvcalloc(sources, sizeof(*order), GFP_KERNEL);
	if (!keys || !order)
		goto free_arrays;
	for (i = 0; i < sources; i++) {
		rl_hook_build_key4(&keys[i], htonl(0x64400000 + i), 32);
		order[i] = i;
	}
	/* A random order: Fisher-Yates (swap() evaluates its arguments twice). */
	for (i = sources - 1; i > 0; i--) {
		u32 j = get_random_u32_below(i + 1);

		swap(order[i], order[j]);
	}

	rl_hook_build_key4(&rule.match, 0, 0);
	err = rl_algo_rate_init(&rule.rate, 1000000000, NSEC_PER_SEC, 1000000,
				NF_RL_UNIT_PACKETS, &msg);
	if (err)
		goto free_arrays;
	rs = rl_rules_build(&rule, 1, &msg);
	if (IS_ERR(rs)) {
		err = PTR_ERR(rs);
		goto free_arrays;
	}
	err = rl_table_init(&table, &cfg, rs, ktime_get_ns());
	if (err)
		goto free_arrays;

	charge_loop(order, sources, sources);	/* preload every source */
	report("hot", charge_loop(order, RL_BENCH_HOT, decisions), decisions);
	report("cold", charge_loop(order, sources, decisions), decisions);
	if (num_online_cpus() >= 2 && cpu_online(1))
		report("cold2", two_cpus(), decisions);
	report("rht", calibrate(), 1);
	rl_table_read_stats(&table, &st);
	pr_info("entries %llu\n", st.entries);
	if (st.table_full || st.alloc_failed || st.dropped)
		pr_warn("%llu decisions met a full table, %llu no memory, %llu were drops\n",
			st.table_full, st.alloc_failed, st.dropped);

	rl_table_destroy(&table);
	err = 0;
free_arrays:
	if (err)
		pr_err("setup failed: %d %s\n", err, msg);
	kvfree(order);
	kvfree(keys);
	return err;
}

static void __exit bench_exit(void)
{
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nf_ratelimit: in-kernel microbenchmark of the decision path");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
