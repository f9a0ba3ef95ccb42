// SPDX-License-Identifier: GPL-2.0
/*
 * Rule sets: longest-prefix match for both families, refusals at build
 * time, and thousands of rules checked against a brute-force reference.
 */

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/sort.h>

#include "../nf_ratelimit.h"
#include "../rules.h"

static struct rl_rule rule4(u32 addr, u8 len, enum nf_rl_action action)
{
	struct rl_rule r = { .action = action, .agg_prefix = 32 };

	rl_key_build4(&r.match, htonl(addr), len);
	return r;
}

static struct rl_rule rule6(u16 w0, u16 w1, u16 w7, u8 len, enum nf_rl_action action)
{
	struct in6_addr a = { .s6_addr16 = { htons(w0), htons(w1), [7] = htons(w7) } };
	struct rl_rule r = { .action = action, .agg_prefix = 128 };

	rl_key_build6(&r.match, &a, len);
	return r;
}

static void src4(struct rl_key *k, u32 addr)
{
	rl_key_build4(k, htonl(addr), 32);
}

static struct rl_ruleset *build(struct kunit *test, const struct rl_rule *r, u32 n)
{
	const char *msg = NULL;
	struct rl_ruleset *rs = rl_rules_build(r, n, &msg);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(rs), "%s", msg);
	return rs;
}

/* Index of the matching rule in the set (which is in address order), or -1. */
static int match_index(const struct rl_ruleset *rs, const struct rl_key *src)
{
	const struct rl_rule *r = rl_rules_match_source(rs, src);

	return r ? (int)(r - rs->rules) : -1;
}

/* Index in @given of the rule with the matching rule's prefix, or -1. */
static int match_given(const struct rl_ruleset *rs, const struct rl_rule *given,
		       u32 n, const struct rl_key *src)
{
	const struct rl_rule *r = rl_rules_match(rs, src);
	u32 i;

	for (i = 0; r && i < n; i++)
		if (!memcmp(&given[i].match, &r->match, sizeof(r->match)))
			return i;
	return -1;
}

struct lpm_case {
	const char *desc;
	u32 src;
	int want;
};

static const struct lpm_case lpm_cases[] = {
	{ "outside every rule but the default", 0xc0000201, 0 },
	{ "in the /8", 0x0a090909, 1 },
	{ "in the /16 inside the /8", 0x0a010909, 2 },
	{ "in the /24 inside the /16", 0x0a010209, 3 },
	{ "the /32 inside the /24", 0x0a010203, 4 },
	{ "next to the /32", 0x0a010204, 3 },
	{ "first address of the /16", 0x0a010000, 2 },
	{ "last address of the /8", 0x0affffff, 1 },
	{ "just past the /8", 0x0b000000, 0 },
};

static void lpm_case_desc(const struct lpm_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(lpm, lpm_cases, lpm_case_desc);

static void most_specific_ipv4_rule_wins(struct kunit *test)
{
	const struct lpm_case *c = test->param_value;
	/* Given out of order: the set sorts them. */
	struct rl_rule rules[] = {
		rule4(0, 0, NF_RL_ACTION_LIMIT),
		rule4(0x0a000000, 8, NF_RL_ACTION_ALLOW),
		rule4(0x0a010000, 16, NF_RL_ACTION_DENY),
		rule4(0x0a010200, 24, NF_RL_ACTION_LIMIT),
		rule4(0x0a010203, 32, NF_RL_ACTION_DENY),
	};
	struct rl_ruleset *rs = build(test, rules, ARRAY_SIZE(rules));
	struct rl_key k;

	src4(&k, c->src);
	KUNIT_EXPECT_EQ(test, match_given(rs, rules, ARRAY_SIZE(rules), &k), c->want);
	rl_rules_free(rs);
}

static void families_do_not_mix(struct kunit *test)
{
	struct rl_rule rules[] = {
		rule6(0x2001, 0x0db8, 0, 32, NF_RL_ACTION_DENY),
		rule4(0, 0, NF_RL_ACTION_LIMIT),
	};
	struct in6_addr a6 = { .s6_addr16 = { htons(0x2001), htons(0x0db8), [7] = htons(1) } };
	struct in6_addr b6 = { .s6_addr16 = { htons(0x2001), htons(0x0db9) } };
	struct rl_ruleset *rs = build(test, rules, ARRAY_SIZE(rules));
	struct rl_key k;

	rl_key_build6(&k, &a6, 128);
	KUNIT_EXPECT_EQ(test, match_given(rs, rules, 2, &k), 0);
	/* No IPv6 default: 0.0.0.0/0 must not cover IPv6. */
	rl_key_build6(&k, &b6, 128);
	KUNIT_EXPECT_EQ(test, match_given(rs, rules, 2, &k), -1);
	src4(&k, 0x20010db8);
	KUNIT_EXPECT_EQ(test, match_given(rs, rules, 2, &k), 1);
	rl_rules_free(rs);
}

static void bad_sets_are_refused(struct kunit *test)
{
	struct rl_rule dup[] = {
		rule4(0x0a000000, 8, NF_RL_ACTION_ALLOW),
		rule4(0x0a000000, 8, NF_RL_ACTION_DENY),
	};
	struct rl_rule host_bits[] = { rule4(0x0a000000, 8, NF_RL_ACTION_ALLOW) };
	struct rl_rule too_long[] = { rule4(0x0a000000, 8, NF_RL_ACTION_ALLOW) };
	struct rl_rule short_agg[] = { rule4(0x0a000000, 8, NF_RL_ACTION_LIMIT) };
	const char *msg = NULL;

	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_build(dup, 2, &msg)), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, msg);
	host_bits[0].match.addr.v4 = htonl(0x0a000001);
	msg = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_build(host_bits, 1, &msg)), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, msg);
	too_long[0].match.prefix = 33;
	msg = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_build(too_long, 1, &msg)), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, msg);
	/* Grouping by /4 under a /8 would charge sources outside the rule. */
	short_agg[0].agg_prefix = 4;
	msg = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_build(short_agg, 1, &msg)), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, msg);
	short_agg[0].agg_prefix = 33;
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_build(short_agg, 1, &msg)), -EINVAL);
}

/*
 * A sliding window counts a burst in 32 bits (swin.c): a larger burst is
 * refused with a reason, the largest it can count is taken, and the other
 * algorithms take any burst.
 */
static void sliding_window_bursts_fit_its_counts(struct kunit *test)
{
	struct rl_rule r = rule4(0, 0, NF_RL_ACTION_LIMIT);
	struct rl_ruleset *rs;
	const char *msg = NULL;

	r.agg_prefix = 32;
	r.algo = NF_RL_ALGO_SLIDING_WINDOW;
	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r.rate, 1ULL << 32, NSEC_PER_SEC,
						1ULL << 32, NF_RL_UNIT_PACKETS,
						&msg), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_build(&r, 1, &msg)), -EINVAL);
	KUNIT_EXPECT_STREQ(test, msg, "sliding-window burst must be at most 4294967295");

	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r.rate, 1ULL << 32, NSEC_PER_SEC,
						U32_MAX, NF_RL_UNIT_PACKETS,
						&msg), 0);
	rs = rl_rules_build(&r, 1, &msg);
	KUNIT_EXPECT_FALSE(test, IS_ERR(rs));
	if (!IS_ERR(rs))
		rl_rules_free(rs);

	r.algo = NF_RL_ALGO_TOKEN_BUCKET;
	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r.rate, 1ULL << 32, NSEC_PER_SEC,
						1ULL << 32, NF_RL_UNIT_PACKETS,
						&msg), 0);
	rs = rl_rules_build(&r, 1, &msg);
	KUNIT_EXPECT_FALSE(test, IS_ERR(rs));
	if (!IS_ERR(rs))
		rl_rules_free(rs);
}

static void edits_add_replace_and_delete_one_rule(struct kunit *test)
{
	struct rl_rule def = rule4(0, 0, NF_RL_ACTION_LIMIT);
	struct rl_rule allow8 = rule4(0x0a000000, 8, NF_RL_ACTION_ALLOW);
	struct rl_rule deny8 = rule4(0x0a000000, 8, NF_RL_ACTION_DENY);
	struct rl_ruleset *rs0 = build(test, &def, 1), *rs1, *rs2, *rs3;
	const char *msg = NULL;
	struct rl_key k;

	src4(&k, 0x0a010101);
	rs1 = rl_rules_edit(rs0, RL_RULES_ADD, &allow8, RL_RULES_MAX, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs1));
	KUNIT_EXPECT_EQ(test, rl_rules_match(rs1, &k)->action, NF_RL_ACTION_ALLOW);
	/* The old set is left as it was: readers may still hold it. */
	KUNIT_EXPECT_EQ(test, rs0->nrules, 1);
	KUNIT_EXPECT_EQ(test, rl_rules_match(rs0, &k)->action, NF_RL_ACTION_LIMIT);

	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_edit(rs1, RL_RULES_ADD, &deny8,
						    RL_RULES_MAX, &msg)), -EEXIST);
	rs2 = rl_rules_edit(rs1, RL_RULES_REPLACE, &deny8, RL_RULES_MAX, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs2));
	KUNIT_EXPECT_EQ(test, rs2->nrules, 2);
	KUNIT_EXPECT_EQ(test, rl_rules_match(rs2, &k)->action, NF_RL_ACTION_DENY);

	rs3 = rl_rules_edit(rs2, RL_RULES_DEL, &allow8, RL_RULES_MAX, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs3));
	KUNIT_EXPECT_EQ(test, rs3->nrules, 1);
	KUNIT_EXPECT_EQ(test, rl_rules_match(rs3, &k)->action, NF_RL_ACTION_LIMIT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_edit(rs3, RL_RULES_DEL, &allow8,
						    RL_RULES_MAX, &msg)), -ENOENT);
	KUNIT_EXPECT_NOT_NULL(test, rl_rules_find(rs2, &deny8.match, &deny8.sel));
	KUNIT_EXPECT_NULL(test, rl_rules_find(rs3, &deny8.match, &deny8.sel));
	rl_rules_free(rs3);
	rl_rules_free(rs2);
	rl_rules_free(rs1);
	rl_rules_free(rs0);
}

/*
 * A table key is a source masked to its rule's aggregation prefix.  Matching
 * it must find that rule, never a longer one that merely covers the masked
 * address: 10.5.5.5 falls under 0/0 grouped by /8, so its key is 10.0.0.0/8,
 * which 10.0.0.0/16 covers as an address but must not govern.
 */
static void table_key_finds_the_rule_that_made_it(struct kunit *test)
{
	struct rl_rule rules[] = {
		rule4(0, 0, NF_RL_ACTION_LIMIT),
		rule4(0x0a000000, 16, NF_RL_ACTION_LIMIT),
	};
	struct rl_ruleset *rs;
	struct rl_key src, key;

	rules[0].agg_prefix = 8;
	rs = build(test, rules, ARRAY_SIZE(rules));
	src4(&src, 0x0a050505);
	KUNIT_EXPECT_EQ(test, match_given(rs, rules, 2, &src), 0);
	rl_key_mask(&key, &src, 8);
	KUNIT_EXPECT_EQ(test, match_given(rs, rules, 2, &key), 0);
	src4(&src, 0x0a000505);
	KUNIT_EXPECT_EQ(test, match_given(rs, rules, 2, &src), 1);
	rl_rules_free(rs);
}

static void empty_set_matches_nothing(struct kunit *test)
{
	struct rl_rule unused = rule4(0, 0, NF_RL_ACTION_LIMIT);
	struct rl_ruleset *rs = build(test, &unused, 0);
	struct rl_key k;

	src4(&k, 0x0a000001);
	KUNIT_EXPECT_EQ(test, match_index(rs, &k), -1);
	rl_rules_free(rs);
}

/*
 * The packet path's shortcut: a /0 rule alone among its family's source
 * rules answers for every source without a lookup; any other source rule
 * beside it, or none, and the lookup decides as always.
 */
static void a_lone_default_rule_answers_every_source(struct kunit *test)
{
	struct rl_rule r[3] = {
		rule4(0, 0, NF_RL_ACTION_LIMIT),
		rule4(0, 0, NF_RL_ACTION_LIMIT),
		rule4(0x0a000000, 8, NF_RL_ACTION_ALLOW),
	};
	struct rl_ruleset *rs;
	struct in6_addr a6 = { .s6_addr = { 0x20, 0x01, [15] = 1 } };
	struct rl_key k, k6;

	/* A selector rule beside the /0 source rule leaves the shortcut. */
	r[1].sel.proto = IPPROTO_TCP;
	rs = build(test, r, 2);
	src4(&k, 0x0a000001);
	rl_key_build6(&k6, &a6, 128);
	KUNIT_EXPECT_PTR_EQ(test, rl_rules_match_source(rs, &k),
			    rl_rules_match(rs, &k));
	KUNIT_EXPECT_EQ(test, rl_rules_match_source(rs, &k)->match.sel, 0);
	KUNIT_EXPECT_NULL(test, rl_rules_match_source(rs, &k6));
	rl_rules_free(rs);

	/* A longer source rule: its sources get it, the others the /0. */
	r[1] = r[2];
	rs = build(test, r, 2);
	KUNIT_EXPECT_EQ(test, rl_rules_match_source(rs, &k)->action,
			NF_RL_ACTION_ALLOW);
	src4(&k, 0x0b000001);
	KUNIT_EXPECT_EQ(test, rl_rules_match_source(rs, &k)->action,
			NF_RL_ACTION_LIMIT);
	rl_rules_free(rs);
}

/* The reference: scan every rule, keep the longest that covers @src. */
static int brute_force(const struct rl_ruleset *rs, const struct rl_key *src)
{
	int best = -1;
	u32 i;

	for (i = 0; i < rs->nrules; i++) {
		const struct rl_key *m = &rs->rules[i].match;
		u32 mask = m->prefix ? ~0U << (32 - m->prefix) : 0;

		if (m->family != src->family)
			continue;
		if ((ntohl(src->addr.v4) & mask) != ntohl(m->addr.v4))
			continue;
		if (best < 0 || m->prefix > rs->rules[best].match.prefix)
			best = i;
	}
	return best;
}

static int cmp_match(const void *a, const void *b)
{
	return memcmp(&((const struct rl_rule *)a)->match,
		      &((const struct rl_rule *)b)->match, sizeof(struct rl_key));
}

static void thousands_of_rules_match_like_a_linear_scan(struct kunit *test)
{
	enum { NRULES = 4096, NLOOKUPS = 20000 };
	static const u8 lens[] = { 8, 16, 20, 24, 28, 32 };
	struct rnd_state rnd;
	struct rl_ruleset *rs;
	struct rl_rule *rules;
	u32 i, n = 0;

	prandom_seed_state(&rnd, 42);
	rules = kunit_kcalloc(test, NRULES, sizeof(*rules), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rules);
	/* Addresses in 10.0.0.0/12 so that rules nest and overlap often. */
	for (i = 0; i < NRULES; i++) {
		u8 len = lens[prandom_u32_state(&rnd) % ARRAY_SIZE(lens)];
		u32 addr = 0x0a000000 | (prandom_u32_state(&rnd) & 0x000fffff);

		rules[i] = rule4(addr & (~0U << (32 - len)), len, NF_RL_ACTION_LIMIT);
	}
	/* Sort, then drop duplicates: the set refuses them. */
	sort(rules, NRULES, sizeof(*rules), cmp_match, NULL);
	for (i = 0; i < NRULES; i++)
		if (!n || memcmp(&rules[n - 1].match, &rules[i].match, sizeof(rules[i].match)))
			rules[n++] = rules[i];
	KUNIT_ASSERT_GT(test, n, NRULES / 2);
	rs = build(test, rules, n);
	for (i = 0; i < NLOOKUPS; i++) {
		struct rl_key k;

		src4(&k, 0x0a000000 | (prandom_u32_state(&rnd) & 0x001fffff));
		KUNIT_ASSERT_EQ(test, match_index(rs, &k), brute_force(rs, &k));
	}
	rl_rules_free(rs);
}

static struct rl_rule owned(struct rl_rule r, const char *owner, u64 expires_ns)
{
	strscpy(r.owner, owner, sizeof(r.owner));
	r.expires_ns = expires_ns;
	return r;
}

/* A timed rule is gone from the set made at its expiry, and only it. */
static void expired_rules_leave_the_set_at_their_time(struct kunit *test)
{
	struct rl_rule r[] = {
		rule4(0, 0, NF_RL_ACTION_LIMIT),
		owned(rule4(0x0a000000, 8, NF_RL_ACTION_DENY), "", 2000),
		owned(rule4(0x0a010000, 16, NF_RL_ACTION_ALLOW), "cluster", 1000),
	};
	struct rl_ruleset *rs = build(test, r, ARRAY_SIZE(r)), *rs1, *rs2;
	struct rl_key k;
	u32 n = 99;

	src4(&k, 0x0a010101);
	KUNIT_EXPECT_EQ(test, rs->next_expiry, 1000);
	/* Not yet: no new set, and nothing counted. */
	KUNIT_EXPECT_NULL(test, rl_rules_expire(rs, 999, &n));
	KUNIT_EXPECT_EQ(test, n, 0);
	KUNIT_EXPECT_TRUE(test, rl_rule_live(rl_rules_match(rs, &k), 999));
	KUNIT_EXPECT_FALSE(test, rl_rule_live(rl_rules_match(rs, &k), 1000));

	rs1 = rl_rules_expire(rs, 1000, &n);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(rs1));
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, rs1->nrules, 2);
	KUNIT_EXPECT_EQ(test, rs1->next_expiry, 2000);
	/* The /16 allow is gone: the /8 deny is the longest match now. */
	KUNIT_EXPECT_EQ(test, rl_rules_match(rs1, &k)->action, NF_RL_ACTION_DENY);

	rs2 = rl_rules_expire(rs1, 5000, &n);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(rs2));
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, rs2->nrules, 1);
	KUNIT_EXPECT_EQ(test, rs2->next_expiry, 0);
	KUNIT_EXPECT_NULL(test, rl_rules_expire(rs2, U64_MAX, &n));
	KUNIT_EXPECT_EQ(test, rl_rules_match(rs2, &k)->action, NF_RL_ACTION_LIMIT);
	rl_rules_free(rs2);
	rl_rules_free(rs1);
	rl_rules_free(rs);
}

/* An agent may change only its own rules; the administrator any. */
static void owners_touch_only_their_own_rules(struct kunit *test)
{
	struct rl_rule admin8 = rule4(0x0a000000, 8, NF_RL_ACTION_DENY);
	struct rl_rule agent8 = owned(admin8, "cluster", 0);
	struct rl_rule other8 = owned(admin8, "other", 0);
	struct rl_rule agent16 = owned(rule4(0x0a010000, 16, NF_RL_ACTION_DENY),
				       "cluster", 0);
	struct rl_ruleset *rs0 = build(test, &admin8, 1), *rs1, *rs2;
	const char *msg = NULL;

	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_edit(rs0, RL_RULES_REPLACE,
						    &agent8, 10, &msg)), -EBUSY);
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_edit(rs0, RL_RULES_DEL,
						    &agent8, 10, &msg)), -EBUSY);
	rs1 = rl_rules_edit(rs0, RL_RULES_ADD, &agent16, 10, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs1));
	KUNIT_EXPECT_EQ(test, rl_rules_count_owner(rs1, "cluster"), 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_edit(rs1, RL_RULES_DEL,
						    &other8, 10, &msg)), -EBUSY);
	/* The administrator takes the agent's rule over by replacing it. */
	agent16.owner[0] = '\0';
	rs2 = rl_rules_edit(rs1, RL_RULES_REPLACE, &agent16, 10, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs2));
	KUNIT_EXPECT_EQ(test, rl_rules_count_owner(rs2, "cluster"), 0);
	KUNIT_EXPECT_EQ(test, rl_rules_count_owner(rs2, ""), 2);
	rl_rules_free(rs2);
	rl_rules_free(rs1);
	rl_rules_free(rs0);
}

/* The cap counts one owner's rules; replacing one of them needs no room. */
static void an_owner_holds_at_most_its_cap(struct kunit *test)
{
	struct rl_rule a = owned(rule4(0x0a000001, 32, NF_RL_ACTION_DENY), "agent", 0);
	struct rl_rule b = owned(rule4(0x0a000002, 32, NF_RL_ACTION_DENY), "agent", 0);
	struct rl_rule c = owned(rule4(0x0a000003, 32, NF_RL_ACTION_DENY), "other", 0);
	/* Off the stack: rules have grown past what a frame should hold. */
	struct rl_rule *two = kunit_kmalloc_array(test, 2, sizeof(*two), GFP_KERNEL);
	struct rl_ruleset *rs0 = build(test, NULL, 0), *rs1, *rs2;
	const char *msg = NULL;

	KUNIT_ASSERT_NOT_NULL(test, two);
	two[0] = a;
	two[1] = b;
	rs1 = rl_rules_edit(rs0, RL_RULES_ADD, &a, 1, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs1));
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_edit(rs1, RL_RULES_ADD, &b, 1, &msg)),
			-ENOSPC);
	rs2 = rl_rules_edit(rs1, RL_RULES_REPLACE, &a, 1, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs2));
	rl_rules_free(rs2);
	/* Another owner has its own count. */
	rs2 = rl_rules_edit(rs1, RL_RULES_ADD, &c, 1, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs2));
	rl_rules_free(rs2);
	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_set_owner(rs1, "agent", two, 2, 1, &msg)),
			-ENOSPC);
	rl_rules_free(rs1);
	rl_rules_free(rs0);
}

/*
 * "rlctl apply" replaces the administrator's rules and keeps an agent's,
 * except one colliding with the administrator's new rules; an agent's set
 * replaces its own and may not collide with anyone's.
 */
static void set_owner_replaces_one_owners_rules(struct kunit *test)
{
	/* On the heap: seven rules make too large a frame under KASAN. */
	struct rl_rule *r = kunit_kcalloc(test, 7, sizeof(*r), GFP_KERNEL);
	struct rl_rule *start = r, *admin = r + 3, *agent = r + 5, *clash = r + 6;
	struct rl_ruleset *rs0, *rs1, *rs2;
	const char *msg = NULL;
	struct rl_key k;

	KUNIT_ASSERT_NOT_NULL(test, r);
	start[0] = rule4(0, 0, NF_RL_ACTION_LIMIT);
	start[1] = owned(rule4(0x0a000001, 32, NF_RL_ACTION_DENY), "cluster", 5000);
	start[2] = owned(rule4(0x0a000002, 32, NF_RL_ACTION_DENY), "cluster", 5000);
	admin[0] = rule4(0x0a000002, 32, NF_RL_ACTION_ALLOW);
	admin[1] = rule4(0x0b000000, 8, NF_RL_ACTION_DENY);
	agent[0] = owned(rule4(0x0a000003, 32, NF_RL_ACTION_DENY), "cluster", 7000);
	clash[0] = owned(rule4(0x0b000000, 8, NF_RL_ACTION_DENY), "cluster", 7000);
	rs0 = build(test, start, 3);
	rs1 = rl_rules_set_owner(rs0, "", admin, 2, 10, &msg);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(rs1), "%s", msg);
	/* The default rule went (not in the file); .1 stayed; .2 is admin's. */
	KUNIT_EXPECT_EQ(test, rs1->nrules, 3);
	KUNIT_EXPECT_EQ(test, rl_rules_count_owner(rs1, "cluster"), 1);
	KUNIT_EXPECT_EQ(test, rs1->next_expiry, 5000);
	src4(&k, 0x0a000002);
	KUNIT_EXPECT_EQ(test, rl_rules_match(rs1, &k)->action, NF_RL_ACTION_ALLOW);
	src4(&k, 0x0a000001);
	KUNIT_EXPECT_STREQ(test, rl_rules_match(rs1, &k)->owner, "cluster");

	KUNIT_EXPECT_EQ(test, PTR_ERR(rl_rules_set_owner(rs1, "cluster", clash, 1,
							 10, &msg)), -EEXIST);
	rs2 = rl_rules_set_owner(rs1, "cluster", agent, 1, 10, &msg);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(rs2), "%s", msg);
	KUNIT_EXPECT_EQ(test, rs2->nrules, 3);
	KUNIT_EXPECT_NULL(test, rl_rules_match(rs2, &k));	/* .1 is gone */
	KUNIT_EXPECT_EQ(test, rs2->next_expiry, 7000);
	rl_rules_free(rs2);
	rl_rules_free(rs1);
	rl_rules_free(rs0);
}

static void owner_tags_are_words(struct kunit *test)
{
	char tag[NF_RL_OWNER_LEN];

	KUNIT_EXPECT_TRUE(test, rl_rules_owner_valid(""));
	KUNIT_EXPECT_TRUE(test, rl_rules_owner_valid("rlsyncd-1.eu_w"));
	KUNIT_EXPECT_FALSE(test, rl_rules_owner_valid("a b"));
	KUNIT_EXPECT_FALSE(test, rl_rules_owner_valid("a\n"));
	memset(tag, 'a', sizeof(tag));	/* no NUL */
	KUNIT_EXPECT_FALSE(test, rl_rules_owner_valid(tag));
}

static struct kunit_case rules_cases[] = {
	KUNIT_CASE_PARAM(most_specific_ipv4_rule_wins, lpm_gen_params),
	KUNIT_CASE(families_do_not_mix),
	KUNIT_CASE(bad_sets_are_refused),
	KUNIT_CASE(sliding_window_bursts_fit_its_counts),
	KUNIT_CASE(empty_set_matches_nothing),
	KUNIT_CASE(a_lone_default_rule_answers_every_source),
	KUNIT_CASE(edits_add_replace_and_delete_one_rule),
	KUNIT_CASE(expired_rules_leave_the_set_at_their_time),
	KUNIT_CASE(owners_touch_only_their_own_rules),
	KUNIT_CASE(an_owner_holds_at_most_its_cap),
	KUNIT_CASE(set_owner_replaces_one_owners_rules),
	KUNIT_CASE(owner_tags_are_words),
	KUNIT_CASE(table_key_finds_the_rule_that_made_it),
	KUNIT_CASE(thousands_of_rules_match_like_a_linear_scan),
	{}
};

static struct kunit_suite rules_suite = {
	.name = "nf_ratelimit_rules",
	.test_cases = rules_cases,
};

kunit_test_suites(&rules_suite);
