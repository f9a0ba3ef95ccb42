// SPDX-License-Identifier: GPL-2.0
/* The rate syntax of the rate= parameter, as nft writes rates. */

#include <kunit/test.h>
#include <linux/time64.h>

#include "../nf_ratelimit.h"

struct parse_case {
	const char *in;
	int err;
	u64 n, period;
};

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
	u64 n = 0, period = 0;

	KUNIT_EXPECT_EQ(test, rl_main_parse_rate(c->in, &n, &period), c->err);
	if (c->err)
		return;
	KUNIT_EXPECT_EQ(test, n, c->n);
	KUNIT_EXPECT_EQ(test, period, c->period);
}

static void rate_unit_names_round_trip(struct kunit *test)
{
	static const char * const units[] = { "second", "minute", "hour", "day", "week" };
	char buf[32];
	u64 n, period;
	int i;

	for (i = 0; i < ARRAY_SIZE(units); i++) {
		snprintf(buf, sizeof(buf), "7/%s", units[i]);
		KUNIT_ASSERT_EQ(test, rl_main_parse_rate(buf, &n, &period), 0);
		KUNIT_EXPECT_STREQ(test, rl_main_rate_unit(period), units[i]);
	}
	KUNIT_EXPECT_NULL(test, rl_main_rate_unit(12345));
}

static struct kunit_case params_cases[] = {
	KUNIT_CASE_PARAM(rate_parses_like_nft, parse_gen_params),
	KUNIT_CASE(rate_unit_names_round_trip),
	{}
};

static struct kunit_suite params_suite = {
	.name = "nf_ratelimit_params",
	.test_cases = params_cases,
};

kunit_test_suites(&params_suite);
