// SPDX-License-Identifier: GPL-2.0
/*
 * The rate syntax of the rate= parameter and /proc, as nft writes rates
 * (packets, bytes and bits), and the default rules the parameters become.
 */

#include <kunit/test.h>
#include <linux/time64.h>

#include "../main.h"
#include "../rate.h"
#include "../rules.h"

struct parse_case {
	const char *in;
	int err;
	u64 n, period;
	enum nf_rl_unit unit;
};

#define B NF_RL_UNIT_BYTES

static const struct parse_case parse_cases[] = {
	{ "10", 0, 10, NSEC_PER_SEC },
	{ "0", 0, 0, NSEC_PER_SEC },
	{ "10/second", 0, 10, NSEC_PER_SEC },
	{ "10/s", 0, 10, NSEC_PER_SEC },
	{ "6000/minute", 0, 6000, 60 * NSEC_PER_SEC },
	{ "1/hour", 0, 1, 3600 * NSEC_PER_SEC },
	{ "1/h", 0, 1, 3600 * NSEC_PER_SEC },
	{ "2/day", 0, 2, 86400 * NSEC_PER_SEC },
	{ "3/week", 0, 3, 7 * 86400 * NSEC_PER_SEC },
	{ "10000000/second", 0, 10000000, NSEC_PER_SEC },
	{ "1mbit/s", 0, 125000, NSEC_PER_SEC, B },
	{ "125kbytes/second", 0, 128000, NSEC_PER_SEC, B },
	{ "1500bytes", 0, 1500, NSEC_PER_SEC, B },
	{ "10gbit/minute", 0, 1250000000, 60 * NSEC_PER_SEC, B },
	{ "2gbytes/h", 0, 2ULL << 30, 3600 * NSEC_PER_SEC, B },
	{ "12bit/s", 0, 12, 8 * NSEC_PER_SEC, B },		/* 1.5 bytes/s */
	{ "0bytes", 0, 0, NSEC_PER_SEC, B },
	{ "10kb/s", -EINVAL },
	{ "5mbps", -EINVAL },
	{ "bytes/s", -EINVAL },
	{ "18446744073709551615kbytes", -EINVAL },		/* overflows */
	{ "", -EINVAL },
	{ "/s", -EINVAL },
	{ "10/", -EINVAL },
	{ "10/fortnight", -EINVAL },
	{ "10/s/", -EINVAL },
	{ "-1", -EINVAL },
	{ "+5", -EINVAL },
	{ "0x10", -EINVAL },
	{ "1.5/s", -EINVAL },
	{ "99999999999999999999999", -EINVAL },
	{ "18446744073709551616", -EINVAL },
};

static void parse_case_desc(const struct parse_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\"", c->in);
}

KUNIT_ARRAY_PARAM(parse, parse_cases, parse_case_desc);

static void rate_parses_like_nft(struct kunit *test)
{
	const struct parse_case *c = test->param_value;
	enum nf_rl_unit unit = 7;
	u64 n = 0, period = 0;

	KUNIT_EXPECT_EQ(test, rl_rate_parse(c->in, &n, &period, &unit), c->err);
	if (c->err)
		return;
	KUNIT_EXPECT_EQ(test, n, c->n);
	KUNIT_EXPECT_EQ(test, period, c->period);
	KUNIT_EXPECT_EQ(test, unit, c->unit);
}

/* What /proc and rlctl print, rl_rate_parse() reads back to the same rate. */
struct format_case {
	u64 n, period;
	enum nf_rl_unit unit;
	const char *out;
};

static const struct format_case format_cases[] = {
	{ 10, NSEC_PER_SEC, NF_RL_UNIT_PACKETS, "10/second" },
	{ 125000, NSEC_PER_SEC, B, "1mbit/second" },
	{ 128000, NSEC_PER_SEC, B, "125kbytes/second" },
	{ 1 << 20, 60 * NSEC_PER_SEC, B, "1mbytes/minute" },
	{ 125, NSEC_PER_SEC, B, "1kbit/second" },
	{ 12, 8 * NSEC_PER_SEC, B, "12bit/second" },
	{ 1500, NSEC_PER_SEC, B, "12kbit/second" },
	{ 1501, NSEC_PER_SEC, B, "1501bytes/second" },
	{ 0, NSEC_PER_SEC, B, "0bytes/second" },
	{ 7, 12345, NF_RL_UNIT_PACKETS, "7/12345ns" },
};

static void format_case_desc(const struct format_case *c, char *desc)
{
	strscpy(desc, c->out, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(format, format_cases, format_case_desc);

static void rate_formats_and_parses_back(struct kunit *test)
{
	const struct format_case *c = test->param_value;
	enum nf_rl_unit unit;
	u64 n, period;
	char buf[64];

	rl_rate_format(buf, sizeof(buf), c->n, c->period, c->unit);
	KUNIT_EXPECT_STREQ(test, buf, c->out);
	if (!rl_rate_period_name(c->period) && !rl_rate_period_name(c->period / 8))
		return;		/* no unit to write the period in */
	KUNIT_ASSERT_EQ(test, rl_rate_parse(buf, &n, &period, &unit), 0);
	KUNIT_EXPECT_EQ(test, n, c->n);
	KUNIT_EXPECT_EQ(test, period, c->period);
	KUNIT_EXPECT_EQ(test, unit, c->unit);
}

static void rate_unit_names_round_trip(struct kunit *test)
{
	static const char * const units[] = { "second", "minute", "hour", "day", "week" };
	enum nf_rl_unit unit;
	char buf[32];
	u64 n, period;
	int i;

	for (i = 0; i < ARRAY_SIZE(units); i++) {
		snprintf(buf, sizeof(buf), "7/%s", units[i]);
		KUNIT_ASSERT_EQ(test, rl_rate_parse(buf, &n, &period, &unit), 0);
		KUNIT_EXPECT_STREQ(test, rl_rate_period_name(period), units[i]);
	}
	KUNIT_EXPECT_NULL(test, rl_rate_period_name(12345));
}

/* 0.0.0.0/0 and ::/0, limiting at the parameters' rate and prefixes. */
static void parameters_become_two_default_rules(struct kunit *test)
{
	struct rl_config cfg = { .v4_prefix = 24, .v6_prefix = 48 };
	struct in6_addr a6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	const struct rl_rule *r4, *r6;
	struct rl_ruleset *rs;
	struct rl_key k;
	const char *msg;

	KUNIT_ASSERT_EQ(test, rl_bucket_rate_init(&cfg.rate, 10, NSEC_PER_SEC, 20, &msg), 0);
	rs = rl_main_default_rules(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs));
	KUNIT_EXPECT_EQ(test, rs->nrules, 2);
	rl_key_build4(&k, htonl(0xc0000201), 32);
	r4 = rl_rules_match(rs, &k);
	rl_key_build6(&k, &a6, 128);
	r6 = rl_rules_match(rs, &k);
	KUNIT_ASSERT_NOT_NULL(test, r4);
	KUNIT_ASSERT_NOT_NULL(test, r6);
	KUNIT_EXPECT_EQ(test, r4->match.prefix, 0);
	KUNIT_EXPECT_EQ(test, r4->agg_prefix, 24);
	KUNIT_EXPECT_EQ(test, r4->action, NF_RL_ACTION_LIMIT);
	KUNIT_EXPECT_EQ(test, r4->rate.burst, 20);
	KUNIT_EXPECT_EQ(test, r6->match.family, NFPROTO_IPV6);
	KUNIT_EXPECT_EQ(test, r6->agg_prefix, 48);
	KUNIT_EXPECT_EQ(test, r6->rate.n, 10);
	rl_rules_free(rs);
}

static struct kunit_case params_cases[] = {
	KUNIT_CASE_PARAM(rate_parses_like_nft, parse_gen_params),
	KUNIT_CASE(rate_unit_names_round_trip),
	KUNIT_CASE_PARAM(rate_formats_and_parses_back, format_gen_params),
	KUNIT_CASE(parameters_become_two_default_rules),
	{}
};

static struct kunit_suite params_suite = {
	.name = "nf_ratelimit_params",
	.test_cases = params_cases,
};

kunit_test_suites(&params_suite);
