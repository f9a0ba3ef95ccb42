// SPDX-License-Identifier: GPL-2.0
/*
 * The table of sources: isolation between sources, the insert race, the
 * entry cap and each full-table policy, dry_run, and garbage collection.
 * Time is injected; GC is driven by hand rather than by its timer.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/bottom_half.h>
#include <linux/log2.h>
#include <kunit/resource.h>

#include "../nf_ratelimit.h"

#define SEC NSEC_PER_SEC
#define T0 (1000 * SEC + 7)

struct table_ctx {
	struct rl_table_cfg cfg;
	struct rl_table table;
};

static int table_res_init(struct kunit_resource *res, void *context)
{
	struct table_ctx *ctx = context;

	res->data = &ctx->table;
	return rl_table_init(&ctx->table, &ctx->cfg, T0);
}

static void table_res_free(struct kunit_resource *res)
{
	rl_table_destroy(res->data);
}

/* A table that is destroyed when the test ends, even by a failed assert. */
static struct rl_table *new_table(struct kunit *test, u64 n, u64 burst,
				  u32 max_entries,
				  enum nf_rl_full_policy policy, bool dry_run)
{
	struct table_ctx *ctx;
	struct rl_table *t;
	const char *msg;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->cfg = (struct rl_table_cfg) {
		/* As the module derives it: enough that rhashtable never refuses. */
		.buckets = max_t(u32, roundup_pow_of_two(max_entries), 16),
		.limits = {
			.max_entries = max_entries,
			.full_policy = policy,
			.dry_run = dry_run,
		},
	};
	KUNIT_ASSERT_EQ(test, rl_bucket_rate_init(&ctx->cfg.rate, n, SEC, burst, &msg), 0);
	t = kunit_alloc_resource(test, table_res_init, table_res_free, GFP_KERNEL, ctx);
	KUNIT_ASSERT_NOT_NULL(test, t);
	return t;
}

static void v4key(struct rl_key *k, u32 host_order_addr)
{
	rl_hook_build_key4(k, htonl(host_order_addr), 32);
}

/* As the hook calls it: RCU read side, bottom halves off. */
static bool charge(struct rl_table *t, const struct rl_key *k, u64 now)
{
	bool pass;

	local_bh_disable();
	rcu_read_lock();
	pass = rl_table_charge(t, k, now);
	rcu_read_unlock();
	local_bh_enable();
	return pass;
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
	struct rl_table *t = new_table(test, 10, 4, 16, NF_RL_FULL_SHARED, false);
	struct in6_addr a6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct in6_addr b6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [8] = 0xff, [15] = 2 } };
	struct in6_addr c6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [7] = 1 } };
	struct rl_key a, b, c;
	struct rl_stats st;

	rl_hook_build_key4(&a, htonl(0x0a000001), 24);
	rl_hook_build_key4(&b, htonl(0x0a0000c8), 24);
	KUNIT_EXPECT_EQ(test, memcmp(&a, &b, sizeof(a)), 0);
	KUNIT_EXPECT_EQ(test, charge_n(t, &a, T0, 3) + charge_n(t, &b, T0, 3), 4);

	/* Same /64, then a different /64. */
	rl_hook_build_key6(&a, &a6, 64);
	rl_hook_build_key6(&b, &b6, 64);
	rl_hook_build_key6(&c, &c6, 64);
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
};

static const struct full_case full_cases[] = {
	/* 4 sources x 2, then the shared bucket's burst of 3. */
	{ NF_RL_FULL_SHARED, 8 + 3 },
	{ NF_RL_FULL_DROP, 8 },
	{ NF_RL_FULL_ACCEPT, 8 + 12 },
};

static void full_case_desc(const struct full_case *c, char *desc)
{
	strscpy(desc, rl_main_full_policy_name(c->policy), KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(full, full_cases, full_case_desc);

static void full_table_follows_policy(struct kunit *test)
{
	const struct full_case *c = test->param_value;
	struct rl_table *t = new_table(test, 1, 3, 4, c->policy, false);
	unsigned int i, passed = 0;
	struct rl_stats st;
	struct rl_key k;

	for (i = 0; i < 10; i++) {
		v4key(&k, 0x0c000000 + i);
		passed += charge_n(t, &k, T0, 2);
	}
	rl_table_read_stats(t, &st);
	KUNIT_EXPECT_EQ(test, passed, c->passed);
	KUNIT_EXPECT_EQ(test, st.passed, c->passed);
	KUNIT_EXPECT_EQ(test, st.dropped, 20 - c->passed);
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

static struct kunit_case table_cases[] = {
	KUNIT_CASE(flood_from_one_source_spares_another),
	KUNIT_CASE(prefix_aggregates_sources),
	KUNIT_CASE(racing_first_packets_create_one_entry),
	KUNIT_CASE_PARAM(full_table_follows_policy, full_gen_params),
	KUNIT_CASE(dry_run_counts_but_passes),
	KUNIT_CASE(gc_frees_idle_and_keeps_active),
	KUNIT_CASE(gc_makes_room_for_new_sources),
	KUNIT_CASE(gc_walks_a_large_table),
	{}
};

static struct kunit_suite table_suite = {
	.name = "nf_ratelimit_table",
	.test_cases = table_cases,
};

kunit_test_suites(&table_suite);
