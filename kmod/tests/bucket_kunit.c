// SPDX-License-Identifier: GPL-2.0
/*
 * Token bucket arithmetic, driven by an injected clock: nothing here reads
 * the real time, so every verdict is exact and repeatable.
 */

#include <kunit/test.h>
#include <linux/math64.h>
#include <linux/time64.h>

#include "../bucket.h"

#define SEC NSEC_PER_SEC
#define MINUTE (60 * SEC)
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

/* Any start other than 0 catches code that confuses "time" with "elapsed". */
#define T0 (1000 * SEC + 123)

struct rate_case {
	const char *desc;
	u64 n, period, burst;
	int err;
};

static const struct rate_case rate_cases[] = {
	{ "10/second burst 20", 10, SEC, 20, 0 },
	{ "1/hour burst 1", 1, HOUR, 1, 0 },
	{ "1/hour burst 2M fits", 1, HOUR, 2000000, 0 },
	{ "1/hour burst 10M overflows", 1, HOUR, 10000000, -ERANGE },
	{ "10M/second burst 10M", 10000000, SEC, 10000000, 0 },
	{ "10M/second burst 1", 10000000, SEC, 1, 0 },
	{ "1/week burst 1", 1, 7 * DAY, 1, 0 },
	{ "burst 0 refused", 10, SEC, 0, -EINVAL },
	{ "period 0 refused", 10, 0, 10, -EINVAL },
	{ "rate 0 is unlimited", 0, SEC, 5, 0 },
	{ "largest burst times cost", 1, U64_MAX / 4, 3, -ERANGE },
	{ "largest that fits", 1, U64_MAX / 4, 2, 0 },
};

static void rate_case_desc(const struct rate_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rate, rate_cases, rate_case_desc);

static void rate_init_checks_range(struct kunit *test)
{
	const struct rate_case *c = test->param_value;
	const char *msg = NULL;
	struct rl_rate r;
	int err;

	err = rl_bucket_rate_init(&r, c->n, c->period, c->burst, &msg);
	KUNIT_EXPECT_EQ(test, err, c->err);
	if (err) {
		KUNIT_EXPECT_NOT_NULL(test, msg);
		return;
	}
	if (!c->n)
		return;
	/* The reduced refill/cost ratio is exactly the configured rate. */
	KUNIT_EXPECT_EQ(test, r.refill * c->period, r.cost * c->n);
	KUNIT_EXPECT_EQ(test, r.cap, c->burst * r.cost);
	KUNIT_EXPECT_GE(test, r.fill_ns * r.refill, r.cap);
	KUNIT_EXPECT_LT(test, (r.fill_ns - 1) * r.refill, r.cap);
}

static void init_rate(struct kunit *test, struct rl_rate *r, u64 n, u64 period,
		      u64 burst)
{
	const char *msg;

	KUNIT_ASSERT_EQ(test, rl_bucket_rate_init(r, n, period, burst, &msg), 0);
}

/* Charges at @now until the first drop; returns how many passed. */
static u64 drain(struct rl_bucket *b, const struct rl_rate *r, u64 now)
{
	u64 passed = 0;

	while (rl_bucket_charge(b, r, now))
		passed++;
	return passed;
}

struct burst_case {
	const char *desc;
	u64 n, period, burst;
};

static const struct burst_case burst_cases[] = {
	{ "burst 1 at 1/hour", 1, HOUR, 1 },
	{ "burst 20 at 10/second", 10, SEC, 20 },
	{ "burst 1 at 10M/second", 10000000, SEC, 1 },
	{ "burst 10M at 10M/second", 10000000, SEC, 10000000 },
	{ "burst 7 at 7/minute", 7, MINUTE, 7 },
};

static void burst_case_desc(const struct burst_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(burst, burst_cases, burst_case_desc);

static void new_bucket_passes_exactly_burst(struct kunit *test)
{
	const struct burst_case *c = test->param_value;
	struct rl_bucket b;
	struct rl_rate r;

	init_rate(test, &r, c->n, c->period, c->burst);
	rl_bucket_init(&b, &r, T0);
	KUNIT_EXPECT_EQ(test, rl_bucket_peek(&b, &r, T0), c->burst);
	KUNIT_EXPECT_EQ(test, drain(&b, &r, T0), c->burst);
	KUNIT_EXPECT_EQ(test, rl_bucket_peek(&b, &r, T0), 0);
}

/*
 * A source that always has a packet waiting gets exactly burst + floor(rate *
 * elapsed) through, however the elapsed time is cut up: odd step sizes would
 * expose any rounding that loses a fraction of a token at each refill.  Each
 * step adds less than burst - 1 tokens, so the cap never clips the fraction
 * left over from the step before (that loss is the bucket working as meant).
 */
struct refill_case {
	const char *desc;
	u64 n, period, burst;
	u64 step_ns, steps;
};

static const struct refill_case refill_cases[] = {
	{ "1/hour over 24h in 59s steps", 1, HOUR, 2, 59 * SEC, 24 * 61 },
	{ "1/hour over 24h in 1h+1ns steps", 1, HOUR, 3, HOUR + 1, 24 },
	{ "1/second over 24h in 997ms steps", 1, SEC, 2, 997 * NSEC_PER_MSEC, 86659 },
	{ "10/second over 1h in 33ms steps", 10, SEC, 20, 33 * NSEC_PER_MSEC, 109091 },
	{ "6000/minute over 10s in 7ms steps", 6000, MINUTE, 100, 7 * NSEC_PER_MSEC, 1429 },
	{ "3M/second over 10ms in 333ns steps", 3000000, SEC, 5, 333, 30030 },
	{ "7M/second over 1ms in 1ns steps", 7000000, SEC, 2, 1, 1000000 },
	{ "10M/second over 10ms in 1us steps", 10000000, SEC, 20, NSEC_PER_USEC, 10000 },
	{ "10M/second burst 10M over 2s in 1ms steps", 10000000, SEC, 10000000,
	  NSEC_PER_MSEC, 2000 },
};

static void refill_case_desc(const struct refill_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refill, refill_cases, refill_case_desc);

static void saturated_source_gets_exact_rate(struct kunit *test)
{
	const struct refill_case *c = test->param_value;
	u64 passed, ideal, i, elapsed = c->step_ns * c->steps;
	struct rl_bucket b;
	struct rl_rate r;

	init_rate(test, &r, c->n, c->period, c->burst);
	rl_bucket_init(&b, &r, T0);
	passed = drain(&b, &r, T0);
	for (i = 1; i <= c->steps; i++)
		passed += drain(&b, &r, T0 + i * c->step_ns);

	/* The ideal, computed without the code under test's fixed point. */
	ideal = c->burst + mul_u64_u64_div_u64(elapsed, c->n, c->period);
	KUNIT_EXPECT_EQ(test, passed, ideal);
}

/* The excess over a full bucket is lost, not banked. */
static void refill_beyond_burst_is_clipped(struct kunit *test)
{
	struct rl_bucket b;
	struct rl_rate r;

	init_rate(test, &r, 1, SEC, 1);
	rl_bucket_init(&b, &r, T0);
	drain(&b, &r, T0);
	KUNIT_EXPECT_EQ(test, drain(&b, &r, T0 + 1900 * NSEC_PER_MSEC), 1);
	/* Only 0.1 s since: the 0.9 s over the cap did not carry. */
	KUNIT_EXPECT_EQ(test, drain(&b, &r, T0 + 2000 * NSEC_PER_MSEC), 0);
	KUNIT_EXPECT_EQ(test, drain(&b, &r, T0 + 2900 * NSEC_PER_MSEC), 1);
}

static void long_idle_refills_to_burst_only(struct kunit *test)
{
	static const u64 idles[] = { HOUR, 365 * DAY, U64_MAX / 2 };
	struct rl_bucket b;
	struct rl_rate r;
	int i;

	init_rate(test, &r, 10000000, SEC, 10000000);
	for (i = 0; i < ARRAY_SIZE(idles); i++) {
		u64 now = T0 + idles[i];

		rl_bucket_init(&b, &r, T0);
		drain(&b, &r, T0);
		KUNIT_EXPECT_EQ(test, rl_bucket_peek(&b, &r, now), r.burst);
		KUNIT_EXPECT_EQ(test, drain(&b, &r, now), r.burst);
	}
}

static void stalled_clock_refills_nothing(struct kunit *test)
{
	struct rl_bucket b;
	struct rl_rate r;
	int i;

	init_rate(test, &r, 10, SEC, 5);
	rl_bucket_init(&b, &r, T0);
	KUNIT_EXPECT_EQ(test, drain(&b, &r, T0), 5);
	for (i = 0; i < 1000; i++)
		KUNIT_EXPECT_FALSE(test, rl_bucket_charge(&b, &r, T0));
}

static void clock_going_back_neither_refills_nor_rewinds(struct kunit *test)
{
	struct rl_bucket b;
	struct rl_rate r;

	init_rate(test, &r, 10, SEC, 5);
	rl_bucket_init(&b, &r, T0);
	drain(&b, &r, T0);
	/* A CPU that read the clock before the last refill took the lock. */
	KUNIT_EXPECT_FALSE(test, rl_bucket_charge(&b, &r, T0 - SEC));
	KUNIT_EXPECT_EQ(test, b.last_ns, T0);
	/* 100ms after T0 is one token, not 1.1 s worth. */
	KUNIT_EXPECT_EQ(test, drain(&b, &r, T0 + 100 * NSEC_PER_MSEC), 1);
}

static void tokens_show_partial_refill(struct kunit *test)
{
	struct rl_bucket b;
	struct rl_rate r;

	init_rate(test, &r, 10, SEC, 20);
	rl_bucket_init(&b, &r, T0);
	drain(&b, &r, T0);
	KUNIT_EXPECT_EQ(test, rl_bucket_peek(&b, &r, T0 + 550 * NSEC_PER_MSEC), 5);
	/* Reading did not refill: the bucket still has nothing at T0. */
	KUNIT_EXPECT_FALSE(test, rl_bucket_charge(&b, &r, T0));
	KUNIT_EXPECT_EQ(test, rl_bucket_peek(&b, &r, T0 + 3 * SEC), 20);
}

static void zero_rate_passes_everything(struct kunit *test)
{
	struct rl_bucket b;
	struct rl_rate r;
	int i;

	init_rate(test, &r, 0, SEC, 1);
	rl_bucket_init(&b, &r, T0);
	for (i = 0; i < 10000; i++)
		KUNIT_EXPECT_TRUE(test, rl_bucket_charge(&b, &r, T0));
}

/*
 * A charge at an unlimited rate (a rule whose rate became 0) is the
 * bucket's latest: its time is the source's last packet, and the bucket,
 * which owes nothing then, is full for the limit that comes next.
 */
static void unmetered_charge_leaves_the_bucket_full(struct kunit *test)
{
	struct rl_rate r, none;
	struct rl_bucket b;

	init_rate(test, &r, 10, SEC, 10);
	init_rate(test, &none, 0, SEC, 1);
	rl_bucket_init(&b, &r, T0);
	KUNIT_EXPECT_EQ(test, drain(&b, &r, T0), 10);
	KUNIT_EXPECT_TRUE(test, rl_bucket_charge(&b, &none, T0 + 1));
	KUNIT_EXPECT_EQ(test, b.last_ns, T0 + 1);
	KUNIT_EXPECT_EQ(test, drain(&b, &r, T0 + 1), 10);
}

/*
 * A rate changed while a bucket holds tokens: the bucket keeps the number of
 * packets it holds, clamped to the new burst, whatever the ratio of the two
 * costs (no overflow, even from 10M/s to 1/week).
 */
struct rescale_case {
	const char *desc;
	u64 n0, period0, burst0, left;	/* left: packets left at the change */
	u64 n1, period1, burst1, want;
};

static const struct rescale_case rescale_cases[] = {
	{ "faster rate keeps 4 of 10", 10, SEC, 10, 4, 20, SEC, 20, 4 },
	{ "slower rate keeps 4 of 10", 10, SEC, 10, 4, 1, SEC, 10, 4 },
	{ "smaller burst clamps", 10, SEC, 10, 10, 10, SEC, 3, 3 },
	{ "smaller burst, other cost, clamps", 10, SEC, 10, 10, 1, HOUR, 3, 3 },
	{ "empty stays empty", 10, SEC, 10, 0, 1, SEC, 10, 0 },
	{ "10M/s to 1/week, clamped", 10000000, SEC, 10000000, 10000000,
	  1, 7 * DAY, 10000, 10000 },
	{ "10M/s to 1/week, 5 left", 10000000, SEC, 10000000, 5,
	  1, 7 * DAY, 10000, 5 },
	{ "1/week to 10M/s, 1 left", 1, 7 * DAY, 2, 1,
	  10000000, SEC, 10000000, 1 },
	{ "unlimited to limited starts full", 0, SEC, 1, 0, 10, SEC, 4, 4 },
};

static void rescale_case_desc(const struct rescale_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rescale, rescale_cases, rescale_case_desc);

static void rate_change_keeps_packets_held(struct kunit *test)
{
	const struct rescale_case *c = test->param_value;
	struct rl_rate r0, r1;
	struct rl_bucket b;

	init_rate(test, &r0, c->n0, c->period0, c->burst0);
	init_rate(test, &r1, c->n1, c->period1, c->burst1);
	rl_bucket_init(&b, &r0, T0);
	/* Half a packet more than @left: the fraction must not round up. */
	if (c->n0)
		b.tokens = c->left * r0.cost + (c->left < c->burst0 ? r0.cost / 2 : 0);
	KUNIT_EXPECT_EQ(test, rl_bucket_peek(&b, &r1, T0), c->want);
	if (c->want <= 10000)
		KUNIT_EXPECT_EQ(test, drain(&b, &r1, T0), c->want);
	KUNIT_EXPECT_EQ(test, b.cost, r1.cost);
}

struct default_burst_case {
	const char *desc;
	u64 n, period, burst;
};

static const struct default_burst_case default_burst_cases[] = {
	{ "10/second", 10, SEC, 10 },
	{ "6000/minute", 6000, MINUTE, 100 },
	{ "3 per 2 s rounds down", 3, 2 * SEC, 1 },
	{ "1/hour is at least 1", 1, HOUR, 1 },
	{ "0 is at least 1", 0, SEC, 1 },
	{ "2e10 per 0.5 s, exact", 20000000000ULL, SEC / 2, 40000000000ULL },
	{ "huge per ns saturates", U64_MAX, 1, U64_MAX },
	{ "huge per second", U64_MAX, SEC, U64_MAX },
	/* Half a packet per ns, in operands near 2^64: 5e8 per second. */
	{ "huge n and period, exact", U64_MAX / 2, U64_MAX, 499999999 },
	{ "1 per huge period is at least 1", 1, U64_MAX, 1 },
};

static void default_burst_case_desc(const struct default_burst_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(default_burst, default_burst_cases, default_burst_case_desc);

/* One second of any rate, with no overflow (and no divide trap). */
static void default_burst_is_one_second(struct kunit *test)
{
	const struct default_burst_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, rl_bucket_default_burst(c->n, c->period), c->burst);
}

static struct kunit_case bucket_cases[] = {
	KUNIT_CASE_PARAM(rate_init_checks_range, rate_gen_params),
	KUNIT_CASE_PARAM(new_bucket_passes_exactly_burst, burst_gen_params),
	KUNIT_CASE_PARAM(saturated_source_gets_exact_rate, refill_gen_params),
	KUNIT_CASE(refill_beyond_burst_is_clipped),
	KUNIT_CASE(long_idle_refills_to_burst_only),
	KUNIT_CASE(stalled_clock_refills_nothing),
	KUNIT_CASE(clock_going_back_neither_refills_nor_rewinds),
	KUNIT_CASE(tokens_show_partial_refill),
	KUNIT_CASE(zero_rate_passes_everything),
	KUNIT_CASE(unmetered_charge_leaves_the_bucket_full),
	KUNIT_CASE_PARAM(rate_change_keeps_packets_held, rescale_gen_params),
	KUNIT_CASE_PARAM(default_burst_is_one_second, default_burst_gen_params),
	{}
};

static struct kunit_suite bucket_suite = {
	.name = "nf_ratelimit_bucket",
	.test_cases = bucket_cases,
};

kunit_test_suites(&bucket_suite);
