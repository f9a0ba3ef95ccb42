// SPDX-License-Identifier: GPL-2.0
/*
 * The table of sources: isolation between sources, the insert race, the
 * entry cap and each full-table policy, dry_run, garbage collection, rule
 * precedence, live rule changes and events.  Time is injected; GC is driven
 * by hand rather than by its timer.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/bottom_half.h>
#include <linux/icmpv6.h>
#include <linux/delay.h>
#include <linux/log2.h>
#include <linux/sched.h>
#include <kunit/resource.h>

#include "../nf_ratelimit.h"
#include "../rules.h"

#define SEC NSEC_PER_SEC
#define T0 (1000 * SEC + 7)

struct table_ctx {
	struct rl_table_cfg cfg;
	struct rl_ruleset *rules;
	struct rl_event events[8];	/* what the table notified */
	unsigned int nevents;
	struct rl_table table;
};

static int table_res_init(struct kunit_resource *res, void *context)
{
	struct table_ctx *ctx = context;

	res->data = &ctx->table;
	return rl_table_init(&ctx->table, &ctx->cfg, ctx->rules, T0);
}

static struct rl_rule limit_rule(struct kunit *test, u8 family, u32 v4,
				 u8 len, u8 agg, u64 n, u64 burst)
{
	struct rl_rule r = { .action = NF_RL_ACTION_LIMIT, .agg_prefix = agg };
	const char *msg;

	if (family == NFPROTO_IPV4)
		rl_key_build4(&r.match, htonl(v4), len);
	else
		rl_key_build6(&r.match, &(struct in6_addr){}, len);
	KUNIT_EXPECT_EQ(test, rl_bucket_rate_init(&r.rate, n, SEC, burst, &msg), 0);
	return r;
}

static struct rl_ruleset *build_rules(struct kunit *test,
				      const struct rl_rule *rules, u32 n)
{
	struct rl_ruleset *rs;
	const char *msg = "";

	rs = rl_rules_build(rules, n, &msg);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(rs), "%s", msg);
	return rs;
}

static void table_res_free(struct kunit_resource *res)
{
	rl_table_destroy(res->data);
}

/*
 * A table of @cfg that is destroyed when the test ends, even by a failed
 * assert, starting with @rules (or, when NULL, one limit rule per family at
 * @n/s with @burst, per address for IPv4 and per /64 for IPv6).
 */
static struct rl_table *new_table_cfg(struct kunit *test,
				      const struct rl_rule *rules, u32 nrules,
				      u64 n, u64 burst,
				      const struct rl_table_cfg *cfg)
{
	struct rl_rule defaults[2];
	struct table_ctx *ctx;
	struct rl_table *t;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->cfg = *cfg;
	if (!rules) {
		defaults[0] = limit_rule(test, NFPROTO_IPV4, 0, 0, 32, n, burst);
		defaults[1] = limit_rule(test, NFPROTO_IPV6, 0, 0, 64, n, burst);
		rules = defaults;
		nrules = ARRAY_SIZE(defaults);
	}
	ctx->rules = build_rules(test, rules, nrules);
	t = kunit_alloc_resource(test, table_res_init, table_res_free, GFP_KERNEL, ctx);
	KUNIT_ASSERT_NOT_NULL(test, t);
	return t;
}

/* new_table_cfg() with the settings of the module's parameters. */
static struct rl_table *new_table_rules(struct kunit *test,
					const struct rl_rule *rules, u32 nrules,
					u64 n, u64 burst, u32 max_entries,
					enum nf_rl_full_policy policy,
					bool dry_run)
{
	struct rl_table_cfg cfg = {
		/* As the module derives it: a bucket per entry. */
		.buckets = max_t(u32, roundup_pow_of_two(max_entries), 16),
		.idle_s = 1,		/* idle_timeout=1, which GC tests assume */
		.limits = {
			.max_entries = max_entries,
			.full_policy = policy,
			.dry_run = dry_run,
		},
	};

	return new_table_cfg(test, rules, nrules, n, burst, &cfg);
}

static struct rl_table *new_table(struct kunit *test, u64 n, u64 burst,
				  u32 max_entries,
				  enum nf_rl_full_policy policy, bool dry_run)
{
	return new_table_rules(test, NULL, 0, n, burst, max_entries, policy,
			       dry_run);
}

/* Puts a new rule set in force, as netlink does. */
static void set_rules(struct kunit *test, struct rl_table *t,
		      const struct rl_rule *rules, u32 n)
{
	struct rl_ruleset *rs = build_rules(test, rules, n);

	mutex_lock(&t->lock);
	rl_table_set_rules(t, rs);
	mutex_unlock(&t->lock);
}

static void v4key(struct rl_key *k, u32 host_order_addr)
{
	rl_key_build4(k, htonl(host_order_addr), 32);
}

/* As the hook calls it: RCU read side, bottom halves off. */
static bool charge_pkt(struct rl_table *t, const struct rl_key *k,
		       struct rl_pkt_in *pkt, unsigned int len, u64 now)
{
	bool pass;

	local_bh_disable();
	rcu_read_lock();
	pass = rl_table_charge_at(t, k, pkt, len, now);
	rcu_read_unlock();
	local_bh_enable();
	return pass;
}

/* A packet with no transport facts: what only source rules look at. */
static bool charge_len(struct rl_table *t, const struct rl_key *k,
		       unsigned int len, u64 now)
{
	struct rl_pkt_in pkt = { .parsed = true };

	return charge_pkt(t, k, &pkt, len, now);
}

/* A 100-byte packet: what packet rules see of any packet. */
static bool charge(struct rl_table *t, const struct rl_key *k, u64 now)
{
	return charge_len(t, k, 100, now);
}

static unsigned int charge_n(struct rl_table *t, const struct rl_key *k,
			     u64 now, unsigned int n)
{
	unsigned int passed = 0;

	while (n--)
		passed += charge(t, k, now);
	return passed;
}

static bool present(struct rl_table *t, const struct rl_key *k)
{
	bool found;

	rcu_read_lock();
	found = rl_table_lookup(t, k);
	rcu_read_unlock();
	return found;
}

static void flood_from_one_source_spares_another(struct kunit *test)
{
	struct rl_table *t = new_table(test, 10, 5, 16, NF_RL_FULL_SHARED, false);
	struct rl_key a, b;
	struct rl_stats st;

	v4key(&a, 0x0a000001);
	v4key(&b, 0x0a000002);
	KUNIT_EXPECT_EQ(test, charge_n(t, &a, T0, 1000), 5);
	KUNIT_EXPECT_EQ(test, charge_n(t, &b, T0, 5), 5);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.passed, 10);
	KUNIT_EXPECT_EQ(test, st.dropped, 995);
	KUNIT_EXPECT_EQ(test, st.entries, 2);
}

static void prefix_aggregates_sources(struct kunit *test)
{
	struct rl_rule rules[2] = {
		limit_rule(test, NFPROTO_IPV4, 0, 0, 24, 10, 4),
		limit_rule(test, NFPROTO_IPV6, 0, 0, 64, 10, 4),
	};
	struct rl_table *t = new_table_rules(test, rules, 2, 0, 0, 16,
					     NF_RL_FULL_SHARED, false);
	struct in6_addr a6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct in6_addr b6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [8] = 0xff, [15] = 2 } };
	struct in6_addr c6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [7] = 1 } };
	struct rl_key a, b, c;
	struct rl_stats st;

	v4key(&a, 0x0a000001);
	v4key(&b, 0x0a0000c8);
	KUNIT_EXPECT_EQ(test, charge_n(t, &a, T0, 3) + charge_n(t, &b, T0, 3), 4);

	/* Same /64, then a different /64. */
	rl_key_build6(&a, &a6, 128);
	rl_key_build6(&b, &b6, 128);
	rl_key_build6(&c, &c6, 128);
	KUNIT_EXPECT_EQ(test, charge_n(t, &a, T0, 3) + charge_n(t, &b, T0, 3), 4);
	KUNIT_EXPECT_EQ(test, charge_n(t, &c, T0, 4), 4);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 3);
}

/*
 * Two threads charge the same fresh sources at once, so both often miss the
 * lookup and race to insert: there must still be one entry per source, and
 * it must have seen every packet.
 */
struct race_arg {
	struct rl_table *t;
	struct completion *go;
	unsigned int nkeys;
	struct completion done;
};

static int race_fn(void *data)
{
	struct race_arg *arg = data;
	struct rl_key k;
	unsigned int i;

	wait_for_completion(arg->go);
	for (i = 0; i < arg->nkeys; i++) {
		v4key(&k, 0x0b000000 + i);
		charge(arg->t, &k, T0);
	}
	complete(&arg->done);
	return 0;
}

static void racing_first_packets_create_one_entry(struct kunit *test)
{
	enum { NKEYS = 2000, NTHREADS = 2 };
	struct rl_table *t = new_table(test, 1, 1000, NKEYS, NF_RL_FULL_DROP, false);
	struct race_arg args[NTHREADS];
	DECLARE_COMPLETION_ONSTACK(go);
	struct rl_entry_info info;
	struct task_struct *task;
	struct rl_stats st;
	unsigned int i;
	struct rl_key k;

	for (i = 0; i < NTHREADS; i++) {
		args[i] = (struct race_arg){ .t = t, .go = &go, .nkeys = NKEYS };
		init_completion(&args[i].done);
		task = kthread_run(race_fn, &args[i], "rl_race/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	complete_all(&go);
	for (i = 0; i < NTHREADS; i++)
		wait_for_completion(&args[i].done);

	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, NKEYS);
	KUNIT_EXPECT_EQ(test, st.table_full, 0);
	KUNIT_EXPECT_EQ(test, st.passed, NKEYS * NTHREADS);
	for (i = 0; i < NKEYS; i++) {
		struct rl_entry *e;

		v4key(&k, 0x0b000000 + i);
		rcu_read_lock();
		e = rl_table_lookup(t, &k);
		if (e)
			rl_table_read_entry(t, e, T0, &info);
		rcu_read_unlock();
		KUNIT_ASSERT_NOT_NULL(test, e);
		KUNIT_EXPECT_EQ(test, info.passed, NTHREADS);
	}
}

/*
 * Four entries fit; ten new sources then send two packets each.  The last
 * six find the table full.
 */
struct full_case {
	enum nf_rl_full_policy policy;
	unsigned int passed;
	bool overflow;			/* plus this CPU's share of burst 3 */
};

static const struct full_case full_cases[] = {
	/* 4 sources x 2, then the overflow state's burst. */
	{ NF_RL_FULL_SHARED, 8, true },
	{ NF_RL_FULL_DROP, 8 },
	{ NF_RL_FULL_ACCEPT, 8 + 12 },
};

/* One CPU's share of an overflow burst (split_rate() in rules.c). */
static unsigned int cpu_share(u64 burst)
{
	return DIV_ROUND_UP(burst, num_possible_cpus());
}

static void full_case_desc(const struct full_case *c, char *desc)
{
	strscpy(desc, rl_table_full_policy_name(c->policy), KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(full, full_cases, full_case_desc);

static void full_table_follows_policy(struct kunit *test)
{
	const struct full_case *c = test->param_value;
	struct rl_table *t = new_table(test, 1, 3, 4, c->policy, false);
	unsigned int i, passed = 0, want = c->passed;
	struct rl_stats st;
	struct rl_key k;

	if (c->overflow)
		want += cpu_share(3);
	/* One CPU, one overflow state: the test's thread stays put. */
	migrate_disable();
	for (i = 0; i < 10; i++) {
		v4key(&k, 0x0c000000 + i);
		passed += charge_n(t, &k, T0, 2);
	}
	migrate_enable();
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, passed, want);
	KUNIT_EXPECT_EQ(test, st.passed, want);
	KUNIT_EXPECT_EQ(test, st.dropped, 20 - want);
	KUNIT_EXPECT_EQ(test, st.entries, 4);
	KUNIT_EXPECT_EQ(test, st.table_full, 12);
	/* The sources that came first keep their own buckets. */
	v4key(&k, 0x0c000000);
	KUNIT_EXPECT_TRUE(test, present(t, &k));
	v4key(&k, 0x0c000009);
	KUNIT_EXPECT_FALSE(test, present(t, &k));
}

static void dry_run_counts_but_passes(struct kunit *test)
{
	struct rl_table *t = new_table(test, 1, 5, 4, NF_RL_FULL_SHARED, true);
	struct rl_stats st;
	struct rl_key k;

	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0, 100), 100);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.passed, 5);
	KUNIT_EXPECT_EQ(test, st.dry_run_dropped, 95);
	KUNIT_EXPECT_EQ(test, st.dropped, 0);
}

static void gc_frees_idle_and_keeps_active(struct kunit *test)
{
	/* 10/s with burst 20 refills in 2 s: that is the idle limit. */
	struct rl_table *t = new_table(test, 10, 20, 4, NF_RL_FULL_DROP, false);
	struct rl_key idle, active, late;
	struct rl_stats st;

	v4key(&idle, 0x0a000001);
	v4key(&active, 0x0a000002);
	v4key(&late, 0x0a000003);
	charge(t, &idle, T0);
	charge(t, &active, T0);
	charge(t, &active, T0 + 2 * SEC);

	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 2 * SEC), 0);
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 2 * SEC + 1), 1);
	KUNIT_EXPECT_FALSE(test, present(t, &idle));
	KUNIT_EXPECT_TRUE(test, present(t, &active));

	/* A stalled or earlier clock frees nothing. */
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0), 0);
	KUNIT_EXPECT_TRUE(test, present(t, &active));

	charge(t, &late, T0 + 3 * SEC);
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 4 * SEC + 1), 1);
	KUNIT_EXPECT_TRUE(test, present(t, &late));
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 1);
	KUNIT_EXPECT_EQ(test, st.gc_freed, 2);
	KUNIT_EXPECT_EQ(test, st.gc_runs, 4);
}

static void gc_makes_room_for_new_sources(struct kunit *test)
{
	struct rl_table *t = new_table(test, 10, 10, 2, NF_RL_FULL_DROP, false);
	struct rl_key k;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		v4key(&k, 0x0a000000 + i);
		charge(t, &k, T0);
	}
	v4key(&k, 0x0a0000ff);
	KUNIT_EXPECT_FALSE(test, charge(t, &k, T0));
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 2 * SEC), 2);
	KUNIT_EXPECT_TRUE(test, charge(t, &k, T0 + 2 * SEC));
	KUNIT_EXPECT_TRUE(test, present(t, &k));
}

/* A table with prealloc, full policy drop, rules at 10/s with a burst of 10. */
static struct rl_table *new_prealloc_table(struct kunit *test, u32 max_entries)
{
	struct rl_table_cfg cfg = {
		.buckets = max_t(u32, roundup_pow_of_two(max_entries), 16),
		.idle_s = 1,
		.prealloc = true,
		.limits = {
			.max_entries = max_entries,
			.full_policy = NF_RL_FULL_DROP,
		},
	};

	return new_table_cfg(test, NULL, 0, 10, 10, &cfg);
}

/* Sets max_entries as netlink does: room reserved, then the limits. */
static int set_max_entries(struct rl_table *t, u32 max_entries)
{
	struct rl_limits lim;
	int err;

	mutex_lock(&t->lock);
	rl_table_read_limits(t, &lim);
	lim.max_entries = max_entries;
	err = rl_table_reserve(t, max_entries);
	if (!err)
		rl_table_set_limits(t, &lim);
	mutex_unlock(&t->lock);
	return err;
}

/* A first packet from each of @n sources from @base on; how many passed. */
static unsigned int new_sources(struct rl_table *t, u32 base, unsigned int n,
				u64 now)
{
	unsigned int i, passed = 0;
	struct rl_key k;

	for (i = 0; i < n; i++) {
		v4key(&k, base + i);
		passed += charge(t, &k, now);
	}
	return passed;
}

static void prealloc_holds_max_entries_and_reuses_freed_ones(struct kunit *test)
{
	struct rl_table *t = new_prealloc_table(test, 64);
	struct rl_stats st;

	KUNIT_EXPECT_EQ(test, atomic_read(&t->owned), 64);
	KUNIT_EXPECT_EQ(test, new_sources(t, 0x0d000000, 65, T0), 64);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 64);
	KUNIT_EXPECT_EQ(test, st.table_full, 1);
	KUNIT_EXPECT_EQ(test, st.alloc_failed, 0);
	/* Freed entries go back to the pools, not to the slab. */
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 2 * SEC), 64);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->owned), 64);
	KUNIT_EXPECT_EQ(test, new_sources(t, 0x0e000000, 64, T0 + 2 * SEC), 64);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 64);
	KUNIT_EXPECT_EQ(test, st.alloc_failed, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->owned), 64);
}

/*
 * The pools fill CPU by CPU, 64 entries at a time: all 64 of this table's
 * are in the first CPU's, and a source on another CPU takes from it.
 */
static void prealloc_sources_on_any_cpu_find_an_entry(struct kunit *test)
{
	int cpu = cpumask_last(cpu_online_mask);
	struct rl_table *t;
	struct rl_stats st;

	if (cpu == cpumask_first(cpu_possible_mask))
		kunit_skip(test, "one CPU online: no other CPU's pool to take from");
	t = new_prealloc_table(test, 64);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	KUNIT_EXPECT_EQ(test, new_sources(t, 0x0d000000, 64, T0), 64);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 64);
	KUNIT_EXPECT_EQ(test, st.alloc_failed, 0);
}

static void prealloc_follows_max_entries(struct kunit *test)
{
	struct rl_table *t = new_prealloc_table(test, 16);
	struct rl_stats st;

	KUNIT_ASSERT_EQ(test, set_max_entries(t, 48), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->owned), 48);
	KUNIT_EXPECT_EQ(test, new_sources(t, 0x0d000000, 49, T0), 48);
	/* Lowered below what is in use: nothing to give back yet... */
	KUNIT_ASSERT_EQ(test, set_max_entries(t, 8), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->owned), 48);
	/* ...until GC frees the entries. */
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 2 * SEC), 48);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->owned), 8);
	KUNIT_EXPECT_EQ(test, new_sources(t, 0x0e000000, 9, T0 + 2 * SEC), 8);
	/* Lowered with entries pooled: they go at once. */
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 4 * SEC), 8);
	KUNIT_ASSERT_EQ(test, set_max_entries(t, 2), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->owned), 2);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.alloc_failed, 0);
}

/* Enough entries that GC has to stop and reschedule mid-walk. */
static void gc_walks_a_large_table(struct kunit *test)
{
	enum { N = 3000 };
	struct rl_table *t;
	struct rl_stats st;
	struct rl_key k;
	unsigned int i;

	t = new_table(test, 10, 10, N, NF_RL_FULL_DROP, false);
	for (i = 0; i < N; i++) {
		v4key(&k, 0x0d000000 + i);
		charge(t, &k, i % 2 ? T0 : T0 + 10 * SEC);
	}
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 10 * SEC), N / 2);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, N / 2);
}

/*
 * One rule of each action, nested: 0/0 limits at 1/s burst 2 per address,
 * 10/8 is allowed, 10.1/16 denied, and 10.1.2/24 limited at burst 5 as one
 * source.  Each case sends ten packets from each of its sources.
 */
struct precedence_case {
	const char *desc;
	u32 src[2];
	unsigned int passed;
};

static const struct precedence_case precedence_cases[] = {
	{ "outside every rule but the default", { 0xc0000201 }, 2 },
	{ "allowed /8", { 0x0a090909 }, 10 },
	{ "denied /16 inside the allowed /8", { 0x0a010909 }, 0 },
	{ "limited /24 inside the denied /16", { 0x0a010203 }, 5 },
	{ "two sources of the /24 share its bucket", { 0x0a010203, 0x0a0102fe }, 5 },
	{ "two sources under the default do not", { 0xc0000201, 0xc0000202 }, 4 },
};

static void precedence_case_desc(const struct precedence_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(precedence, precedence_cases, precedence_case_desc);

static void most_specific_rule_decides(struct kunit *test)
{
	const struct precedence_case *c = test->param_value;
	struct rl_rule rules[4] = {
		limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 2),
		{ .action = NF_RL_ACTION_ALLOW },
		{ .action = NF_RL_ACTION_DENY },
		limit_rule(test, NFPROTO_IPV4, 0x0a010200, 24, 24, 1, 5),
	};
	unsigned int i, passed = 0, nsrc = c->src[1] ? 2 : 1;
	struct rl_table *t;
	struct rl_stats st;
	struct rl_key k;

	rl_key_build4(&rules[1].match, htonl(0x0a000000), 8);
	rl_key_build4(&rules[2].match, htonl(0x0a010000), 16);
	t = new_table_rules(test, rules, 4, 0, 0, 16, NF_RL_FULL_DROP, false);
	for (i = 0; i < nsrc; i++) {
		v4key(&k, c->src[i]);
		passed += charge_n(t, &k, T0, 10);
	}
	KUNIT_EXPECT_EQ(test, passed, c->passed);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.passed, c->passed);
	KUNIT_EXPECT_EQ(test, st.dropped, 10 * nsrc - c->passed);
	/* Allow and deny decide without a bucket. */
	if (c->passed == 10 || !c->passed)
		KUNIT_EXPECT_EQ(test, st.entries, 0);
	KUNIT_EXPECT_EQ(test, st.allowed, c->passed == 10 ? 10 : 0);
	KUNIT_EXPECT_EQ(test, st.denied, c->passed ? 0 : 10);
}

static void rate_change_keeps_bucket_level(struct kunit *test)
{
	struct rl_rule r = limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 10, 10);
	struct rl_table *t = new_table_rules(test, &r, 1, 0, 0, 4,
					     NF_RL_FULL_DROP, false);
	struct rl_stats st;
	struct rl_key k;

	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0, 6), 6);

	/* A faster rate with a bigger burst: the 4 tokens left carry over. */
	r = limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 20, 20);
	set_rules(test, t, &r, 1);
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0, 10), 4);
	/* Then refill at the new rate: 100 ms of 20/s is 2 packets. */
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0 + SEC / 10, 10), 2);

	/* 19 tokens left shrink to the new burst, with no time passing. */
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0 + 10 * SEC, 1), 1);
	r = limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 10, 3);
	set_rules(test, t, &r, 1);
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0 + 10 * SEC, 10), 3);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 1);
}

static void record_event(struct rl_table *t, const struct rl_event *ev)
{
	struct table_ctx *ctx = container_of(t, struct table_ctx, table);

	if (ctx->nevents < ARRAY_SIZE(ctx->events))
		ctx->events[ctx->nevents] = *ev;
	ctx->nevents++;
}

static struct table_ctx *table_ctx(struct rl_table *t)
{
	return container_of(t, struct table_ctx, table);
}

static void limited_and_released_are_notified(struct kunit *test)
{
	struct rl_table *t = new_table(test, 1, 2, 4, NF_RL_FULL_DROP, false);
	struct table_ctx *ctx = table_ctx(t);
	struct rl_key k;

	t->notify = record_event;
	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0, 5), 2);
	KUNIT_ASSERT_EQ(test, ctx->nevents, 1);
	KUNIT_EXPECT_EQ(test, ctx->events[0].type, NF_RL_EVENT_LIMITED);
	KUNIT_EXPECT_EQ(test, memcmp(&ctx->events[0].source, &k, sizeof(k)), 0);
	KUNIT_EXPECT_EQ(test, ctx->events[0].rule.prefix, 0);
	KUNIT_EXPECT_EQ(test, ctx->events[0].dropped, 1);

	/* Back within the rate but not yet full: still limited. */
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0 + SEC, 1), 1);
	KUNIT_EXPECT_EQ(test, ctx->nevents, 1);

	/* A full bucket releases it, before the packet is charged. */
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0 + 10 * SEC, 1), 1);
	KUNIT_ASSERT_EQ(test, ctx->nevents, 2);
	KUNIT_EXPECT_EQ(test, ctx->events[1].type, NF_RL_EVENT_RELEASED);
	KUNIT_EXPECT_EQ(test, ctx->events[1].dropped, 3);

	/* Limited again, then forgotten by GC: released once more. */
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0 + 10 * SEC, 5), 1);
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 20 * SEC), 1);
	KUNIT_ASSERT_EQ(test, ctx->nevents, 4);
	KUNIT_EXPECT_EQ(test, ctx->events[2].type, NF_RL_EVENT_LIMITED);
	KUNIT_EXPECT_EQ(test, ctx->events[3].type, NF_RL_EVENT_RELEASED);
	KUNIT_EXPECT_EQ(test, ctx->events[3].dropped, 7);
}

/* Each entry is kept as long as its own rule needs to refill it. */
static void gc_idle_time_follows_each_rule(struct kunit *test)
{
	struct rl_rule rules[2] = {
		limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 10, 10),	/* 1 s */
		limit_rule(test, NFPROTO_IPV4, 0x0a000000, 8, 32, 1, 10),	/* 10 s */
	};
	struct rl_table *t = new_table_rules(test, rules, 2, 0, 0, 4,
					     NF_RL_FULL_DROP, false);
	struct rl_key fast, slow;

	v4key(&fast, 0xc0000201);
	v4key(&slow, 0x0a000001);
	charge(t, &fast, T0);
	charge(t, &slow, T0);
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 2 * SEC), 1);
	KUNIT_EXPECT_FALSE(test, present(t, &fast));
	KUNIT_EXPECT_TRUE(test, present(t, &slow));

	/* Its rule deleted, the default rule's idle time applies. */
	set_rules(test, t, rules, 1);
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 2 * SEC), 1);
	KUNIT_EXPECT_FALSE(test, present(t, &slow));
}

/*
 * By default an idle source keeps its entry for RL_IDLE_DEFAULT_S, however
 * soon its bucket refilled: a full table does not churn under a flood.
 */
static void gc_keeps_an_idle_source_for_the_idle_timeout(struct kunit *test)
{
	struct rl_table_cfg cfg = {
		.buckets = 16,
		.limits = { .max_entries = 4, .full_policy = NF_RL_FULL_DROP },
	};
	/* 10/s with a burst of 10: full again 1 s after its last packet. */
	struct rl_table *t = new_table_cfg(test, NULL, 0, 10, 10, &cfg);
	struct rl_key k;

	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0, 10), 10);
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 2 * SEC), 0);
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + RL_IDLE_DEFAULT_S * SEC), 0);
	KUNIT_EXPECT_TRUE(test, present(t, &k));
	KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + RL_IDLE_DEFAULT_S * SEC + 1), 1);
	KUNIT_EXPECT_FALSE(test, present(t, &k));
}

/* A byte rule charges each packet its length; bytes refill at the rate. */
static void byte_rule_charges_packet_length(struct kunit *test)
{
	struct rl_rule r = limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 1);
	struct rl_entry_info info;
	struct rl_table *t;
	struct rl_entry *e;
	struct rl_key k;
	const char *msg;

	r.unit = NF_RL_UNIT_BYTES;
	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r.rate, 1000, SEC, 1500,
						NF_RL_UNIT_BYTES, &msg), 0);
	t = new_table_rules(test, &r, 1, 0, 0, 4, NF_RL_FULL_DROP, false);
	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_TRUE(test, charge_len(t, &k, 1000, T0));
	KUNIT_EXPECT_FALSE(test, charge_len(t, &k, 600, T0));
	KUNIT_EXPECT_TRUE(test, charge_len(t, &k, 500, T0));
	/* 200 ms bring 200 bytes: not enough for 600, enough for 200. */
	KUNIT_EXPECT_FALSE(test, charge_len(t, &k, 600, T0 + SEC / 5));
	KUNIT_EXPECT_TRUE(test, charge_len(t, &k, 200, T0 + SEC / 5));
	/* The entry counts bytes beside packets: what rlsyncd syncs. */
	rcu_read_lock();
	e = rl_table_lookup(t, &k);
	if (e)
		rl_table_read_entry(t, e, T0 + SEC / 5, &info);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, info.passed, 3);
	KUNIT_EXPECT_EQ(test, info.dropped, 2);
	KUNIT_EXPECT_EQ(test, info.passed_bytes, 1700);
	KUNIT_EXPECT_EQ(test, info.dropped_bytes, 1200);
}

/* One entry's copy, as rlctl reads it. */
static void read_entry(struct kunit *test, struct rl_table *t,
		       const struct rl_key *k, u64 now,
		       struct rl_entry_info *info)
{
	struct rl_entry *e;

	rcu_read_lock();
	e = rl_table_lookup(t, k);
	if (e)
		rl_table_read_entry(t, e, now, info);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, e);
}

/*
 * An entry's counters keep their low bits beside the rest of what a packet
 * touches, and carry into a second cache line every 256 packets and 4 GiB:
 * the totals stay exact across the carries, for both verdicts.
 */
static void entry_counters_stay_exact_across_their_carries(struct kunit *test)
{
	/* 3 GiB packets: one carry of the bytes every two packets. */
	const unsigned int len = 3U << 30, npass = 300, ndrop = 700;
	struct rl_table *t = new_table(test, 1, npass, 4, NF_RL_FULL_DROP, false);
	struct rl_entry_info info;
	struct rl_key k;
	unsigned int i, passed = 0;

	v4key(&k, 0x0a000001);
	for (i = 0; i < npass + ndrop; i++)
		passed += charge_len(t, &k, len, T0);
	KUNIT_EXPECT_EQ(test, passed, npass);
	read_entry(test, t, &k, T0, &info);
	KUNIT_EXPECT_EQ(test, info.passed, npass);
	KUNIT_EXPECT_EQ(test, info.dropped, ndrop);
	KUNIT_EXPECT_EQ(test, info.passed_bytes, (u64)npass * len);
	KUNIT_EXPECT_EQ(test, info.dropped_bytes, (u64)ndrop * len);
}

/*
 * Whatever the algorithm and verdict, a packet is the source's last seen:
 * its idle time, and GC, count from it; an earlier clock read (another
 * CPU's) does not take it back.
 */
static void every_packet_is_its_source_last_seen(struct kunit *test)
{
	struct rl_rule r = limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 1);
	struct rl_entry_info info;
	bool within, before;
	struct rl_table *t;
	struct rl_entry *e;
	struct rl_key k;
	int a;

	v4key(&k, 0x0a000001);
	for (a = 0; a < __NF_RL_ALGO_MAX; a++) {
		r.algo = a;
		t = new_table_rules(test, &r, 1, 0, 0, 4, NF_RL_FULL_DROP, false);
		KUNIT_EXPECT_TRUE(test, charge(t, &k, T0));
		/* Dropped, 100 ms on. */
		KUNIT_EXPECT_FALSE(test, charge(t, &k, T0 + SEC / 10));
		KUNIT_EXPECT_FALSE(test, charge(t, &k, T0 + SEC / 20));
		read_entry(test, t, &k, T0 + SEC, &info);
		KUNIT_EXPECT_EQ_MSG(test, info.idle_ns, SEC - SEC / 10, "%s",
				    rl_algo_get(a)->name);
		rcu_read_lock();
		e = rl_table_lookup(t, &k);
		within = e && rl_table_entry_seen_within(e, T0 + SEC, SEC - SEC / 10);
		before = e && rl_table_entry_seen_within(e, T0 + SEC,
							 SEC - SEC / 10 - 1);
		rcu_read_unlock();
		KUNIT_EXPECT_TRUE(test, within);
		KUNIT_EXPECT_FALSE(test, before);
		/* GC finds it idle only a second after that last packet. */
		KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + SEC + SEC / 10), 0);
		KUNIT_EXPECT_EQ(test, rl_table_gc(t, T0 + 2 * SEC + SEC / 10), 1);
	}
}

/* A rule that changes algorithm starts its sources afresh, with a full burst. */
static void algorithm_change_restarts_sources(struct kunit *test)
{
	struct rl_rule r = limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 5);
	struct rl_table *t = new_table_rules(test, &r, 1, 0, 0, 4,
					     NF_RL_FULL_DROP, false);
	struct rl_stats st;
	struct rl_key k;

	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0, 10), 5);
	r.algo = NF_RL_ALGO_GCRA;
	set_rules(test, t, &r, 1);
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0, 10), 5);
	r.algo = NF_RL_ALGO_SLIDING_WINDOW;
	set_rules(test, t, &r, 1);
	KUNIT_EXPECT_EQ(test, charge_n(t, &k, T0, 10), 5);
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 1);
}

/*
 * The shared overflow bucket is not reset by a rule of another algorithm: a
 * spoofed flood alternating between an IPv4 rule (GCRA) and an IPv6 rule
 * (token bucket) against a full table gets each algorithm's burst, not
 * everything.
 */
static void overflow_survives_rules_of_other_algorithms(struct kunit *test)
{
	struct rl_rule rules[2] = {
		limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 3),
		limit_rule(test, NFPROTO_IPV6, 0, 0, 64, 1, 3),
	};
	struct rl_table *t;
	unsigned int i, passed = 0;
	struct in6_addr a6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8 } };
	struct rl_key k;

	rules[0].algo = NF_RL_ALGO_GCRA;
	rules[1].algo = NF_RL_ALGO_TOKEN_BUCKET;
	t = new_table_rules(test, rules, 2, 0, 0, 1, NF_RL_FULL_SHARED, false);
	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_TRUE(test, charge(t, &k, T0));	/* fills the table */
	migrate_disable();
	for (i = 0; i < 20; i++) {
		v4key(&k, 0x0b000000 + i);
		passed += charge(t, &k, T0);
		a6.s6_addr[7] = i;
		rl_key_build6(&k, &a6, 128);
		passed += charge(t, &k, T0);
	}
	migrate_enable();
	/* This CPU's share of each algorithm's burst, no time to refill. */
	KUNIT_EXPECT_EQ(test, passed, 2 * cpu_share(3));
}

/*
 * A full table's overflow is per CPU: a flood of new sources on one CPU
 * gets that CPU's share of the rule's rate, and another CPU's flood its own
 * share, not the first one's leftovers.  Over a long run each CPU's state
 * passes n per (period * CPUs): here 3 sources a second split over the
 * CPUs, so one CPU passes 30 / CPUs in ten seconds, and the shares of all
 * the CPUs add up to the rule's rate.
 */
static void overflow_splits_the_rate_between_cpus(struct kunit *test)
{
	struct rl_table *t = new_table(test, 3, 3, 1, NF_RL_FULL_SHARED, false);
	unsigned int ncpus = num_possible_cpus(), i, passed = 0;
	u64 now = T0;
	struct rl_key k;

	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_TRUE(test, charge(t, &k, now));	/* fills the table */
	migrate_disable();
	/* Drain the burst, then ten seconds of a packet every 10 ms. */
	for (i = 0; i < 3; i++) {
		v4key(&k, 0x0b000000 + i);
		passed += charge(t, &k, now);
	}
	KUNIT_EXPECT_EQ(test, passed, cpu_share(3));
	passed = 0;
	for (i = 0; i < 1000; i++) {
		now += 10 * NSEC_PER_MSEC;
		v4key(&k, 0x0c000000 + i);
		passed += charge(t, &k, now);
	}
	migrate_enable();
	/* 30 / ncpus, exactly when it divides; within one packet otherwise. */
	KUNIT_EXPECT_LE(test, passed * ncpus, 30 + ncpus);
	KUNIT_EXPECT_GE(test, passed * ncpus + ncpus, 30);
}

/*
 * A limit whose state takes two ticks or more to fill is charged at the
 * tick's time; a faster one with a small burst keeps the nanosecond clock,
 * which would otherwise hold it below its rate.
 */
static void only_slow_enough_limits_use_the_tick_clock(struct kunit *test)
{
	struct rl_rule rules[3] = {
		limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 10, 20),
		/* 10M/s with a burst of 100 fills in 10 us. */
		limit_rule(test, NFPROTO_IPV4, 0x0a000000, 8, 32, 10000000, 100),
		/* Exactly two ticks to fill. */
		limit_rule(test, NFPROTO_IPV4, 0x0b000000, 8, 32, NSEC_PER_SEC,
			   2 * TICK_NSEC),
	};
	struct rl_ruleset *rs = build_rules(test, rules, ARRAY_SIZE(rules));
	u32 i, coarse = 0;

	for (i = 0; i < rs->nrules; i++) {
		const struct rl_rule *r = &rs->rules[i];

		KUNIT_EXPECT_EQ(test, r->coarse_clock,
				r->rate.fill_ns >= 2 * TICK_NSEC);
		coarse += r->coarse_clock;
	}
	KUNIT_EXPECT_EQ(test, coarse, 2);
	rl_rules_free(rs);
}

/*
 * The tick's time never runs ahead of ktime_get_ns(), which the control
 * plane and GC compare entries' times with, and it moves with the ticks.
 */
static void the_tick_clock_trails_the_nanosecond_clock(struct kunit *test)
{
	u64 c1, c2, f;
	int i;

	for (i = 0; i < 1000; i++) {
		c1 = rl_table_coarse_ns();
		f = ktime_get_ns();
		KUNIT_ASSERT_LE(test, c1, f);
	}
	c1 = rl_table_coarse_ns();
	msleep(jiffies_to_msecs(3));	/* at least three ticks */
	c2 = rl_table_coarse_ns();
	KUNIT_EXPECT_GE(test, c2 - c1, 2 * TICK_NSEC);
}

/* A rule with a selector, checked as the netlink code checks it. */
static struct rl_rule sel_rule(struct kunit *test, struct rl_rule r,
			       struct rl_sel sel)
{
	const char *msg = "";

	KUNIT_ASSERT_EQ_MSG(test, rl_sel_check(&sel, r.match.family, &msg), 0,
			    "%s", msg);
	r.sel = sel;
	return r;
}

static const struct rl_sel ssh_syn = {
	.proto = IPPROTO_TCP, .flags = RL_SEL_SYN, .nports = 1,
	.ports = { { 22, 22 } },
};

/* Facts of a packet, as rl_pkt_parse*() would give them. */
static struct rl_pkt_in tcp_pkt(u16 dport, bool syn)
{
	return (struct rl_pkt_in){
		.parsed = true, .ifname = "eth0",
		.facts = { .flags = RL_PKT_PROTO | RL_PKT_PORTS | (syn ? RL_PKT_SYN : 0),
			   .proto = IPPROTO_TCP, .dport = dport },
	};
}

/* How many of @n TCP segments to @dport, SYNs or not, from @k pass at T0. */
static int tcp_passed(struct rl_table *t, const struct rl_key *k, u16 dport,
		      bool syn, int n)
{
	struct rl_pkt_in p;
	int passed = 0;

	while (n--) {
		p = tcp_pkt(dport, syn);
		passed += charge_pkt(t, k, &p, 60, T0);
	}
	return passed;
}

/* README, Selectors, row 1: a broad source rule does not lift the SSH limit. */
static void ssh_syns_are_held_to_their_limit_under_a_broad_source_rule(struct kunit *test)
{
	struct rl_rule rules[2];
	struct rl_table *t;
	struct rl_key k;

	rules[0] = limit_rule(test, NFPROTO_IPV4, 0xcb007100, 24, 32, 100, 100);
	rules[1] = sel_rule(test, limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 5),
			    ssh_syn);
	t = new_table_rules(test, rules, 2, 0, 0, 64, NF_RL_FULL_DROP, false);
	v4key(&k, 0xcb007105);
	KUNIT_EXPECT_EQ(test, tcp_passed(t, &k, 22, true, 20), 5);
	/* The established session is held only by the source rule. */
	KUNIT_EXPECT_EQ(test, tcp_passed(t, &k, 22, false, 50), 50);
	/* A source outside the /24 has only the SSH limit. */
	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_EQ(test, tcp_passed(t, &k, 22, true, 20), 5);
}

/* Row 2: a packet the selector drops does not use up its source's allowance. */
static void a_packet_dropped_for_its_selector_is_not_charged_to_its_source(struct kunit *test)
{
	struct rl_rule rules[2];
	struct rl_table *t;
	struct rl_key k;

	rules[0] = limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 3);
	rules[1] = sel_rule(test, limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 1),
			    ssh_syn);
	t = new_table_rules(test, rules, 2, 0, 0, 64, NF_RL_FULL_DROP, false);
	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_EQ(test, tcp_passed(t, &k, 22, true, 3), 1);
	/* Two of the source's three left. */
	KUNIT_EXPECT_EQ(test, tcp_passed(t, &k, 80, false, 5), 2);
}

/* Row 3: an allow with a selector exempts its packets from every limit. */
static void an_allow_exempts_its_packets_from_every_limit(struct kunit *test)
{
	static const struct rl_sel nd = {
		.proto = IPPROTO_ICMPV6, .ntypes = 2, .types = { 135, 136 },
	};
	struct rl_pkt_in p = { .parsed = true,
			       .facts = { .flags = RL_PKT_PROTO | RL_PKT_ICMP,
					  .proto = IPPROTO_ICMPV6 } };
	struct in6_addr a6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct rl_rule rules[2];
	struct rl_table *t;
	struct rl_key k;
	int i, nd_passed = 0, echo_passed = 0;

	rules[0] = limit_rule(test, NFPROTO_IPV6, 0, 0, 128, 1, 1);
	rules[1] = sel_rule(test, limit_rule(test, NFPROTO_IPV6, 0, 0, 128, 1, 1), nd);
	rules[1].action = NF_RL_ACTION_ALLOW;
	t = new_table_rules(test, rules, 2, 0, 0, 64, NF_RL_FULL_DROP, false);
	rl_key_build6(&k, &a6, 128);
	for (i = 0; i < 10; i++) {
		p.facts.icmp_type = 135;
		nd_passed += charge_pkt(t, &k, &p, 60, T0);
		p.facts.icmp_type = ICMPV6_ECHO_REQUEST;
		echo_passed += charge_pkt(t, &k, &p, 60, T0);
	}
	KUNIT_EXPECT_EQ(test, nd_passed, 10);
	KUNIT_EXPECT_EQ(test, echo_passed, 1);
}

/* Row 4: a deny wins over an allow, whichever selector each has. */
static void a_deny_wins_over_an_allow(struct kunit *test)
{
	struct rl_rule rules[2];
	struct rl_table *t;
	struct rl_pkt_in p;
	struct rl_key k;

	rules[0] = limit_rule(test, NFPROTO_IPV4, 0xc6336400, 24, 32, 1, 1);
	rules[0].action = NF_RL_ACTION_DENY;
	rules[1] = sel_rule(test, limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 1),
			    ssh_syn);
	rules[1].action = NF_RL_ACTION_ALLOW;
	t = new_table_rules(test, rules, 2, 0, 0, 64, NF_RL_FULL_DROP, false);
	v4key(&k, 0xc6336401);
	p = tcp_pkt(22, true);
	KUNIT_EXPECT_FALSE(test, charge_pkt(t, &k, &p, 60, T0));
	v4key(&k, 0xc6336501);
	p = tcp_pkt(22, true);
	KUNIT_EXPECT_TRUE(test, charge_pkt(t, &k, &p, 60, T0));
}

/* Row 5: per-port keys a state by source and destination port. */
static void per_port_rules_keep_a_state_per_destination_port(struct kunit *test)
{
	static const struct rl_sel per_port = {
		.proto = IPPROTO_UDP, .flags = RL_SEL_PER_PORT,
	};
	struct rl_pkt_in p = { .parsed = true,
			       .facts = { .flags = RL_PKT_PROTO | RL_PKT_PORTS,
					  .proto = IPPROTO_UDP } };
	struct rl_rule rule;
	struct rl_table *t;
	struct rl_key k;
	int i, p53 = 0, p54 = 0;

	rule = sel_rule(test, limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 2), per_port);
	t = new_table_rules(test, &rule, 1, 0, 0, 64, NF_RL_FULL_DROP, false);
	v4key(&k, 0x0a000001);
	for (i = 0; i < 5; i++) {
		p.facts.dport = 53;
		p53 += charge_pkt(t, &k, &p, 60, T0);
		p.facts.dport = 54;
		p54 += charge_pkt(t, &k, &p, 60, T0);
	}
	KUNIT_EXPECT_EQ(test, p53, 2);
	KUNIT_EXPECT_EQ(test, p54, 2);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->nentries), 2);
	rcu_read_unlock();
}

/* Row 6: without selector rules, nothing past the IP header is read. */
static void source_rules_never_parse_the_packet(struct kunit *test)
{
	struct rl_pkt_in p = { .skb = NULL };
	struct rl_table *t;
	struct rl_key k;

	t = new_table(test, 1, 1, 64, NF_RL_FULL_DROP, false);
	v4key(&k, 0x0a000001);
	KUNIT_EXPECT_TRUE(test, charge_pkt(t, &k, &p, 60, T0));
	KUNIT_EXPECT_FALSE(test, charge_pkt(t, &k, &p, 60, T0));
	KUNIT_EXPECT_FALSE(test, p.parsed);
}

/*
 * A timed deny drops its source until it expires; then the set in force is
 * the one without it, the source meets the default rule again, and the
 * table counts the rule as expired.  Time is the test's.
 */
static void a_timed_rule_stops_at_its_expiry(struct kunit *test)
{
	struct rl_rule rules[2];
	struct rl_table *t;
	struct rl_stats st;
	struct rl_key k;
	int n;

	rules[0] = limit_rule(test, NFPROTO_IPV4, 0, 0, 32, 1, 5);
	rules[1] = limit_rule(test, NFPROTO_IPV4, 0xc6336407, 32, 32, 1, 1);
	rules[1].action = NF_RL_ACTION_DENY;
	rules[1].expires_ns = T0 + NSEC_PER_SEC;
	t = new_table_rules(test, rules, 2, 0, 0, 64, NF_RL_FULL_DROP, false);
	v4key(&k, 0xc6336407);
	KUNIT_EXPECT_FALSE(test, charge(t, &k, T0));
	mutex_lock(&t->lock);
	KUNIT_EXPECT_EQ(test, rl_table_expire_rules(t, T0 + NSEC_PER_SEC - 1), 0);
	KUNIT_EXPECT_EQ(test, rl_table_rules(t)->nrules, 2);
	n = rl_table_expire_rules(t, T0 + NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, rl_table_rules(t)->nrules, 1);
	mutex_unlock(&t->lock);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_TRUE(test, charge(t, &k, T0 + NSEC_PER_SEC));
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.rules_expired, 1);
}

static struct kunit_case table_cases[] = {
	KUNIT_CASE(flood_from_one_source_spares_another),
	KUNIT_CASE(prefix_aggregates_sources),
	KUNIT_CASE(racing_first_packets_create_one_entry),
	KUNIT_CASE_PARAM(full_table_follows_policy, full_gen_params),
	KUNIT_CASE(dry_run_counts_but_passes),
	KUNIT_CASE(gc_frees_idle_and_keeps_active),
	KUNIT_CASE(gc_makes_room_for_new_sources),
	KUNIT_CASE(gc_walks_a_large_table),
	KUNIT_CASE(prealloc_holds_max_entries_and_reuses_freed_ones),
	KUNIT_CASE(prealloc_sources_on_any_cpu_find_an_entry),
	KUNIT_CASE(prealloc_follows_max_entries),
	KUNIT_CASE_PARAM(most_specific_rule_decides, precedence_gen_params),
	KUNIT_CASE(rate_change_keeps_bucket_level),
	KUNIT_CASE(limited_and_released_are_notified),
	KUNIT_CASE(gc_idle_time_follows_each_rule),
	KUNIT_CASE(gc_keeps_an_idle_source_for_the_idle_timeout),
	KUNIT_CASE(byte_rule_charges_packet_length),
	KUNIT_CASE(entry_counters_stay_exact_across_their_carries),
	KUNIT_CASE(every_packet_is_its_source_last_seen),
	KUNIT_CASE(algorithm_change_restarts_sources),
	KUNIT_CASE(overflow_survives_rules_of_other_algorithms),
	KUNIT_CASE(overflow_splits_the_rate_between_cpus),
	KUNIT_CASE(only_slow_enough_limits_use_the_tick_clock),
	KUNIT_CASE(the_tick_clock_trails_the_nanosecond_clock),
	KUNIT_CASE(ssh_syns_are_held_to_their_limit_under_a_broad_source_rule),
	KUNIT_CASE(a_packet_dropped_for_its_selector_is_not_charged_to_its_source),
	KUNIT_CASE(an_allow_exempts_its_packets_from_every_limit),
	KUNIT_CASE(a_deny_wins_over_an_allow),
	KUNIT_CASE(a_timed_rule_stops_at_its_expiry),
	KUNIT_CASE(per_port_rules_keep_a_state_per_destination_port),
	KUNIT_CASE(source_rules_never_parse_the_packet),
	{}
};

static struct kunit_suite table_suite = {
	.name = "nf_ratelimit_table",
	.test_cases = table_cases,
};

kunit_test_suites(&table_suite);
