// SPDX-License-Identifier: GPL-2.0
/*
 * make bench's in-kernel microbenchmark (built only with NF_RL_BENCH=1):
 * rl_table_charge() called directly, as the hook calls it, over preloaded
 * sources, with no packets and no netfilter around it.  Prints, at load:
 *
 *   create  ns per decision that creates its source's entry: the preload,
 *           every source new to an empty table
 *   hot     ns per decision cycling over RL_BENCH_HOT sources (cache-hot)
 *   cold    ns per decision over all @sources in a random order (cold on
 *           real hardware once the table outgrows the caches)
 *   cold2   the same on two CPUs at once, each over its own half: ns per
 *           decision of the pair, so cold / cold2 is the speed-up
 *   full    ns per decision of @sources new sources once the table is full
 *           (max_entries lowered to what it holds), each turned away to
 *           the overflow state: a spoofed flood against a full table
 *   rht     calibration: ns per lookup in a plain rhashtable of @sources
 *           u32 keys (jhash), as lib/test_rhashtable measures, so that
 *           runs on different machines compare as ratios to it
 *
 * With @flood set, it prints only
 *
 *   flood   ns per decision of make bench's random-order traffic, the
 *           decision alone: @decisions packets from sources drawn at random
 *           among @flood, into an empty table of @capacity entries (as many
 *           buckets) under make bench's rule (1M/s, burst 10000): the
 *           table's creations, hits and, once @flood outgrows it, overflow
 *           charges in the proportions the hook sees them
 *
 * as "nf_ratelimit_bench: NAME NS" lines.  Every decision passes: the rule
 * is 0.0.0.0/0 at 1G/s with a burst of 1M.
 *
 * @recipe adds selector rules at the same rate, and a real packet that the
 * decision parses (pkt.c) as the hook would:
 *
 *   source  none: the source rule alone, nothing parsed (the default)
 *   source6 the same for IPv6 sources (2001:db8::/96 plus a number, each
 *           its own entry under ::/0), for the IPv6 / IPv4 ratio
 *   prealloc the source rule alone, in a table with prealloc: new
 *           sources take their entries from its pools
 *   ssh     README's recipe 1, proto tcp dport 22 syn; a SYN to 22: parsed,
 *           then charged twice (its SSH entry and its source entry)
 *   web     recipe 4, proto tcp dport 80,443 syn; a SYN to 443, the same
 *   other   recipes 1 and 4; a UDP datagram to port 9, which neither
 *           matches: parsed, then charged once
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/vmalloc.h>
#include <net/ip.h>

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

static unsigned int flood;
module_param(flood, uint, 0444);
MODULE_PARM_DESC(flood, "Sources of the flood run instead (default 0: none)");

static unsigned int capacity = 65536;
module_param(capacity, uint, 0444);
MODULE_PARM_DESC(capacity, "The flood's table capacity (default 65536)");

static char *recipe = "source";
module_param(recipe, charp, 0444);
MODULE_PARM_DESC(recipe, "source, source6, prealloc, ssh, web or other (default source)");

static struct rl_table table;
static struct rl_key *keys;
static u32 *order;
static struct sk_buff *skb;	/* the packet of @recipe; NULL: none */

/* Charges keys[order[i % n]] @count times; returns the ns it took. */
static u64 charge_loop_from(const struct rl_key *base, const u32 *ord, u32 n,
			    u32 count)
{
	struct rl_pkt_in pkt = { .skb = skb, .parsed = !skb };
	u64 start = ktime_get_ns();
	u32 i = 0, done;

	while (i < count) {
		done = min_t(u32, count - i, RL_BENCH_BATCH);
		local_bh_disable();
		rcu_read_lock();
		for (; done; done--, i++) {
			pkt.parsed = !skb;	/* each packet parsed anew */
			rl_table_charge(&table, &base[ord[i % n]], &pkt, 60);
		}
		rcu_read_unlock();
		local_bh_enable();
		cond_resched();
	}
	return ktime_get_ns() - start;
}

static u64 charge_loop(const u32 *ord, u32 n, u32 count)
{
	return charge_loop_from(keys, ord, n, count);
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

/* An IPv4 packet to 192.0.2.99 from 100.64.0.0: TCP @flags or UDP to @port. */
static struct sk_buff *make_packet(u8 proto, u16 port, bool syn)
{
	struct sk_buff *s = alloc_skb(128, GFP_KERNEL);
	struct iphdr *iph;

	if (!s)
		return NULL;
	skb_reset_network_header(s);
	iph = skb_put_zero(s, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->protocol = proto;
	iph->saddr = htonl(0x64400000);
	iph->daddr = htonl(0xc0000263);
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = skb_put_zero(s, sizeof(*th));

		th->dest = htons(port);
		th->doff = 5;
		th->syn = syn;
	} else {
		struct udphdr *uh = skb_put_zero(s, sizeof(*uh));

		uh->dest = htons(port);
	}
	iph->tot_len = htons(s->len);
	return s;
}

/* The rules of @recipe besides the source rule; the number put in @r. */
static int recipe_rules(struct rl_rule *r, const struct rl_rule *source)
{
	static const struct rl_sel ssh = {
		.proto = IPPROTO_TCP, .flags = RL_SEL_SYN, .nports = 1,
		.ports = { { 22, 22 } },
	};
	static const struct rl_sel web = {
		.proto = IPPROTO_TCP, .flags = RL_SEL_SYN, .nports = 2,
		.ports = { { 80, 80 }, { 443, 443 } },
	};
	int n = 0;

	if (!strcmp(recipe, "ssh") || !strcmp(recipe, "other")) {
		r[n] = *source;
		r[n++].sel = ssh;
		skb = make_packet(IPPROTO_TCP, 22, true);
	}
	if (!strcmp(recipe, "web") || !strcmp(recipe, "other")) {
		r[n] = *source;
		r[n++].sel = web;
		kfree_skb(skb);
		skb = make_packet(IPPROTO_TCP, 443, true);
	}
	if (!strcmp(recipe, "other")) {
		kfree_skb(skb);
		skb = make_packet(IPPROTO_UDP, 9, false);
	}
	if (n && !skb)
		return -ENOMEM;
	if (!n && strcmp(recipe, "source") && strcmp(recipe, "source6") &&
	    strcmp(recipe, "prealloc"))
		return -EINVAL;
	return n;
}

static void report(const char *name, u64 ns, u32 count)
{
	/* Whole ns and tenths, without floating point. */
	u64 tenths = div_u64(ns * 10, count ?: 1);

	pr_info("%s %llu.%llu\n", name, tenths / 10, tenths % 10);
}

/* Makes the table under the rule set of @rules; 0 or an errno (and *msg). */
static int table_start(const struct rl_table_cfg *cfg,
		       const struct rl_rule *rules, unsigned int n,
		       const char **msg)
{
	struct rl_ruleset *rs = rl_rules_build(rules, n, msg);

	if (IS_ERR(rs))
		return PTR_ERR(rs);
	return rl_table_init(&table, cfg, rs, ktime_get_ns());
}

/*
 * make bench's traffic without the packets: what the hook's figures at
 * 65,536, 262,144 and 1M random sources owe to the decision itself, exact
 * under -icount.  The hook's rows add netfilter, the hook and whatever
 * else runs while the packets flow, less a floor measured apart: see
 * README's Performance section for where the two disagree.
 */
static int flood_run(void)
{
	struct rl_table_cfg cfg = {
		.limits = { .max_entries = capacity },
		.buckets = roundup_pow_of_two(capacity),
	};
	struct rl_rule rule = { .action = NF_RL_ACTION_LIMIT, .agg_prefix = 32 };
	const char *msg = "";
	struct rl_stats st;
	int err = -ENOMEM;
	u64 ns;
	u32 i;

	keys = kvcalloc(decisions, sizeof(*keys), GFP_KERNEL);
	order = kvcalloc(decisions, sizeof(*order), GFP_KERNEL);
	if (!keys || !order)
		goto free_arrays;
	/* Drawn before the clock starts, as pktgen draws them per packet. */
	for (i = 0; i < decisions; i++) {
		rl_key_build4(&keys[i],
			      htonl(0x64400000 + get_random_u32_below(flood)), 32);
		order[i] = i;
	}
	rl_key_build4(&rule.match, 0, 0);
	err = rl_algo_rate_init(&rule.rate, 1000000, NSEC_PER_SEC, 10000,
				NF_RL_UNIT_PACKETS, &msg);
	if (err)
		goto free_arrays;
	err = table_start(&cfg, &rule, 1, &msg);
	if (err)
		goto free_arrays;
	ns = charge_loop(order, decisions, decisions);
	rl_table_read_stats(&table, &st);
	rl_table_destroy(&table);
	report("flood", ns, decisions);
	pr_info("flood %u: entries %llu, table full %llu\n", flood,
		st.entries, st.table_full);
	if (st.dropped)
		pr_warn("%llu decisions were drops\n", st.dropped);
free_arrays:
	if (err)
		pr_err("setup failed: %d %s\n", err, msg);
	kvfree(order);
	kvfree(keys);
	return err;
}

static int __init bench_init(void)
{
	/* A source has an entry per rule it is charged under. */
	struct rl_table_cfg cfg = { .limits = { .max_entries = 2 * sources } };
	bool v6 = !strcmp(recipe, "source6");
	struct rl_rule rules[3] = {
		{ .action = NF_RL_ACTION_LIMIT, .agg_prefix = 32 },
	};
	struct rl_limits lim;
	struct rl_stats st;
	const char *msg = "";
	int err = -ENOMEM, n;
	u32 i;

	if (flood)
		return decisions && capacity ? flood_run() : -EINVAL;
	if (sources < 2 * RL_BENCH_HOT || !decisions)
		return -EINVAL;
	/* A bucket per entry, as the module sizes its tables by default. */
	cfg.buckets = roundup_pow_of_two(cfg.limits.max_entries);
	cfg.prealloc = !strcmp(recipe, "prealloc");
	/* Then as many again, which the full table turns away. */
	keys = kvcalloc(2 * sources, sizeof(*keys), GFP_KERNEL);
	order = kvcalloc(sources, sizeof(*order), GFP_KERNEL);
	if (!keys || !order)
		goto free_arrays;
	for (i = 0; i < 2 * sources; i++) {
		struct in6_addr a6 = { .s6_addr32 = { htonl(0x20010db8), 0, 0,
						      htonl(i) } };

		if (v6)
			rl_key_build6(&keys[i], &a6, 128);
		else
			rl_key_build4(&keys[i], htonl(0x64400000 + i), 32);
		if (i < sources)
			order[i] = i;
	}
	/* A random order: Fisher-Yates (swap() evaluates its arguments twice). */
	for (i = sources - 1; i > 0; i--) {
		u32 j = get_random_u32_below(i + 1);

		swap(order[i], order[j]);
	}

	if (v6) {
		rl_key_build6(&rules[0].match, &in6addr_any, 0);
		rules[0].agg_prefix = 128;
	} else {
		rl_key_build4(&rules[0].match, 0, 0);
	}
	err = rl_algo_rate_init(&rules[0].rate, 1000000000, NSEC_PER_SEC, 1000000,
				NF_RL_UNIT_PACKETS, &msg);
	if (err)
		goto free_arrays;
	n = recipe_rules(&rules[1], &rules[0]);
	if (n < 0) {
		err = n;
		msg = "recipe must be source, source6, prealloc, ssh, web or other";
		goto free_arrays;
	}
	err = table_start(&cfg, rules, 1 + n, &msg);
	if (err)
		goto free_arrays;

	/* Preloads every source. */
	report("create", charge_loop(order, sources, sources), sources);
	report("hot", charge_loop(order, RL_BENCH_HOT, decisions), decisions);
	report("cold", charge_loop(order, sources, decisions), decisions);
	if (num_online_cpus() >= 2 && cpu_online(1))
		report("cold2", two_cpus(), decisions);
	report("rht", calibrate(), 1);
	/* The table full at what it holds: each new source is turned away. */
	mutex_lock(&table.lock);
	rl_table_read_limits(&table, &lim);
	rl_table_read_stats(&table, &st);
	lim.max_entries = st.entries;
	rl_table_set_limits(&table, &lim);
	mutex_unlock(&table.lock);
	report("full", charge_loop_from(keys + sources, order, sources, sources),
	       sources);
	rl_table_read_stats(&table, &st);
	pr_info("entries %llu\n", st.entries);
	if (st.table_full != sources || st.alloc_failed || st.dropped)
		pr_warn("%llu decisions met a full table (%u expected), %llu no memory, %llu were drops\n",
			st.table_full, sources, st.alloc_failed, st.dropped);

	rl_table_destroy(&table);
	err = 0;
free_arrays:
	if (err)
		pr_err("setup failed: %d %s\n", err, msg);
	kfree_skb(skb);
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
