// SPDX-License-Identifier: GPL-2.0
/*
 * The precision of every limiting algorithm, against a reference model of the
 * ideal limiter, with an injected clock.
 *
 * The reference is a token bucket written independently of bucket.c: credit
 * in 128-bit integers, unreduced (a unit costs period_ns, time adds n per
 * ns), so neither the gcd reduction nor the 64-bit range checks of the real
 * code can hide a mistake in both.  Each case drives the reference and all
 * three algorithms with the same arrivals (constant rate, on/off bursts, or
 * Bernoulli arrivals, the discrete form of Poisson) and compares what passes
 * in every window of the case's length:
 *
 *  - token-bucket and GCRA must be within 1% (or 1 unit) of the reference in
 *    every window, and agree with each other on every single charge;
 *  - sliding-window meters something else (burst per burst window), so it is
 *    held to its documented bound (swin.c): an exact log of what it passed
 *    must never show more than twice the burst within one window length,
 *    and over the whole run it must pass no more than the nominal rate allows
 *    (plus two bursts) and at least half of what the reference passed.
 *
 * Durations and rates are chosen so that no case charges more than about
 * 200,000 times: high rates are checked over shorter windows, and large
 * bursts in bytes.
 */

#include <kunit/test.h>
#include <linux/math64.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/time64.h>

#include "../algo.h"

#define SEC NSEC_PER_SEC
#define HOUR (3600 * SEC)
#define T0 (1000 * SEC + 17)

enum pattern {
	CONSTANT,	/* evenly spaced, at `load` times the rate */
	ON_OFF,		/* bursts of `burst` arrivals, then silence: same mean */
	BERNOULLI,	/* each tick an arrival with probability 1/2 */
};

struct precision_case {
	const char *desc;
	u64 n, period, burst;
	enum nf_rl_unit unit;
	u32 amount;		/* per arrival, in units */
	u32 load;		/* offered, in multiples of the rate */
	enum pattern pattern;
	u64 duration, window;
};

static const struct precision_case precision_cases[] = {
	{ "1/hour burst 1, 2x, 24 h in 1 h windows", 1, HOUR, 1,
	  NF_RL_UNIT_PACKETS, 1, 2, CONSTANT, 24 * HOUR, HOUR },
	{ "1/s burst 10, 2x, 24 h in 1 h windows", 1, SEC, 10,
	  NF_RL_UNIT_PACKETS, 1, 2, CONSTANT, 24 * HOUR, HOUR },
	{ "1/s burst 10, on/off, 24 h in 1 h windows", 1, SEC, 10,
	  NF_RL_UNIT_PACKETS, 1, 2, ON_OFF, 24 * HOUR, HOUR },
	{ "100/s burst 100, Bernoulli, 10 min in 10 s windows", 100, SEC, 100,
	  NF_RL_UNIT_PACKETS, 1, 2, BERNOULLI, 600 * SEC, 10 * SEC },
	{ "1000/s burst 1, 3x, 60 s in 1 s windows", 1000, SEC, 1,
	  NF_RL_UNIT_PACKETS, 1, 3, CONSTANT, 60 * SEC, SEC },
	{ "7/s burst 3 (inexact interval), Bernoulli, 1 h in 10 s windows", 7,
	  SEC, 3, NF_RL_UNIT_PACKETS, 1, 2, BERNOULLI, HOUR, 10 * SEC },
	{ "10M/s burst 1000, 2x, 10 ms in 1 ms windows", 10000000, SEC, 1000,
	  NF_RL_UNIT_PACKETS, 1, 2, CONSTANT, SEC / 100, SEC / 1000 },
	{ "10 MB/s of 64 KiB, burst 10 MB, on/off, 1 s in 100 ms windows", 10000000, SEC,
	  10000000, NF_RL_UNIT_BYTES, 65536, 2, ON_OFF, SEC, SEC / 10 },
	{ "1mbit/s of 1500 B, burst 64 KiB, Bernoulli, 10 min in 10 s", 125000,
	  SEC, 65536, NF_RL_UNIT_BYTES, 1500, 2, BERNOULLI, 600 * SEC, 10 * SEC },
	{ "10gbit/s of 64 KiB, burst 10 MB, 2x, 1 s in 100 ms windows",
	  1250000000, SEC, 10000000, NF_RL_UNIT_BYTES, 65536, 2, CONSTANT, SEC,
	  SEC / 10 },
};

static void precision_case_desc(const struct precision_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(precision, precision_cases, precision_case_desc);

#ifdef CONFIG_ARCH_SUPPORTS_INT128
struct ideal {
	unsigned __int128 credit, cap;
	u64 last, n, period;
};

static void ideal_init(struct ideal *m, u64 n, u64 period, u64 burst, u64 now)
{
	m->cap = (unsigned __int128)burst * period;
	m->credit = m->cap;
	m->last = now;
	m->n = n;
	m->period = period;
}

static bool ideal_charge(struct ideal *m, u64 now, u64 amount)
{
	unsigned __int128 need = (unsigned __int128)amount * m->period;

	if (now > m->last) {
		m->credit += (unsigned __int128)(now - m->last) * m->n;
		if (m->credit > m->cap)
			m->credit = m->cap;
		m->last = now;
	}
	if (m->credit < need)
		return false;
	m->credit -= need;
	return true;
}

/* Time between arrivals that offers `load` times the rate. */
static u64 mean_gap(const struct precision_case *c)
{
	return max_t(u64, 1, div64_u64(c->period * c->amount, c->n * c->load));
}

/* The time of the arrival after @now. */
static u64 next_arrival(const struct precision_case *c, struct rnd_state *rnd,
			u64 now, u64 *in_burst)
{
	u64 gap = mean_gap(c);

	switch (c->pattern) {
	case ON_OFF:
		/* `burst` arrivals 10x faster, then a gap that keeps the mean. */
		if (++*in_burst < c->burst / c->amount + 1)
			return now + max_t(u64, 1, gap / 10);
		*in_burst = 0;
		return now + gap * (c->burst / c->amount + 1) -
		       (c->burst / c->amount) * max_t(u64, 1, gap / 10);
	case BERNOULLI:
		/* Ticks of half the mean gap, each with an arrival at p = 1/2. */
		do
			now += max_t(u64, 1, gap / 2);
		while (prandom_u32_state(rnd) & 1);
		return now;
	default:
		return now + gap;
	}
}

static u64 tolerance(u64 ideal)
{
	return max_t(u64, 1, div64_u64(ideal, 100));
}

/* An exact log of the units passed within the last window length. */
struct swlog {
	u64 *time, *amount;
	u32 head, len, cap;
	u64 sum, window, worst;
};

static void swlog_push(struct swlog *l, u64 now, u64 amount)
{
	while (l->len && l->time[l->head] + l->window <= now) {
		l->sum -= l->amount[l->head];
		l->head = (l->head + 1) % l->cap;
		l->len--;
	}
	if (l->len == l->cap)
		return;		/* over the bound: the caller's check fails */
	l->time[(l->head + l->len) % l->cap] = now;
	l->amount[(l->head + l->len) % l->cap] = amount;
	l->len++;
	l->sum += amount;
	l->worst = max(l->worst, l->sum);
}

static void algorithms_match_the_ideal_limiter(struct kunit *test)
{
	const struct precision_case *c = test->param_value;
	const struct rl_algo_ops *ops[__NF_RL_ALGO_MAX];
	u64 passed[__NF_RL_ALGO_MAX] = {}, ideal_passed = 0, charges = 0;
	u64 total[__NF_RL_ALGO_MAX] = {}, ideal_total = 0;
	union rl_state st[__NF_RL_ALGO_MAX];
	u64 now = T0, end = T0 + c->duration, window_end = T0 + c->window;
	u64 in_burst = 0, worst[__NF_RL_ALGO_MAX] = {}, counted = 0, nominal;
	struct swlog log = {};
	struct rnd_state rnd;
	struct ideal model;
	struct rl_rate r;
	const char *msg;
	int a;

	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r, c->n, c->period, c->burst,
						c->unit, &msg), 0);
	log.window = r.fill_ns;
	log.cap = 2 * (c->burst / c->amount) + 2;
	log.time = kunit_kcalloc(test, log.cap, sizeof(u64), GFP_KERNEL);
	log.amount = kunit_kcalloc(test, log.cap, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log.time);
	KUNIT_ASSERT_NOT_NULL(test, log.amount);
	ideal_init(&model, c->n, c->period, c->burst, T0);
	prandom_seed_state(&rnd, 7);
	for (a = 0; a < __NF_RL_ALGO_MAX; a++) {
		ops[a] = rl_algo_get(a);
		ops[a]->init(&st[a], &r, T0);
	}

	for (; now < end; now = next_arrival(c, &rnd, now, &in_burst)) {
		bool v[__NF_RL_ALGO_MAX];

		while (now >= window_end) {
			for (a = 0; a < __NF_RL_ALGO_MAX; a++) {
				u64 d = passed[a] > ideal_passed ?
					passed[a] - ideal_passed :
					ideal_passed - passed[a];

				worst[a] = max(worst[a], d);
				if (a != NF_RL_ALGO_SLIDING_WINDOW)
					KUNIT_EXPECT_LE(test, d, tolerance(ideal_passed));
				total[a] += passed[a];
				passed[a] = 0;
			}
			ideal_total += ideal_passed;
			ideal_passed = 0;
			window_end += c->window;
			counted += c->window;
		}
		ideal_passed += ideal_charge(&model, now, c->amount) * c->amount;
		for (a = 0; a < __NF_RL_ALGO_MAX; a++) {
			v[a] = ops[a]->charge(&st[a], &r, now, c->amount);
			passed[a] += v[a] * c->amount;
		}
		if (v[NF_RL_ALGO_SLIDING_WINDOW])
			swlog_push(&log, now, c->amount);
		/* Same rate and burst: GCRA and the bucket never disagree. */
		KUNIT_ASSERT_EQ(test, v[NF_RL_ALGO_TOKEN_BUCKET], v[NF_RL_ALGO_GCRA]);
		charges++;
	}
	KUNIT_EXPECT_GT(test, charges, 10);
	a = NF_RL_ALGO_SLIDING_WINDOW;
	nominal = mul_u64_u64_div_u64(c->n, counted, c->period);
	KUNIT_EXPECT_LE(test, log.worst, 2 * c->burst);
	KUNIT_EXPECT_LE(test, total[a], nominal + 2 * c->burst);
	KUNIT_EXPECT_GE(test, 2 * total[a] + c->burst, ideal_total);
	kunit_info(test, "%llu arrivals; the reference passed %llu, the nominal rate %llu; bucket and gcra worst window error %llu, %llu; sliding window %llu in all, at most %llu within its window (burst %llu)",
		   charges, ideal_total, nominal, worst[0], worst[1], total[a],
		   log.worst, c->burst);
}
#else
static void algorithms_match_the_ideal_limiter(struct kunit *test)
{
	kunit_skip(test, "the reference model needs 128-bit integers");
}
#endif

/* A fresh source: exactly burst at once, then exactly the rate. */
struct fresh_case {
	const char *desc;
	enum nf_rl_algo algo;
};

static const struct fresh_case fresh_cases[] = {
	{ "token-bucket", NF_RL_ALGO_TOKEN_BUCKET },
	{ "gcra", NF_RL_ALGO_GCRA },
	{ "sliding-window", NF_RL_ALGO_SLIDING_WINDOW },
};

static void fresh_case_desc(const struct fresh_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fresh, fresh_cases, fresh_case_desc);

static u64 drain(const struct rl_algo_ops *ops, union rl_state *s,
		 const struct rl_rate *r, u64 now, u64 amount)
{
	u64 n = 0;

	while (n < 1000 && ops->charge(s, r, now, amount))
		n++;
	return n;
}

static void fresh_source_gets_its_burst(struct kunit *test)
{
	const struct rl_algo_ops *ops = rl_algo_get(((const struct fresh_case *)
						     test->param_value)->algo);
	union rl_state s;
	struct rl_rate r;
	const char *msg;

	/* 10/s, burst 20: a 2 s burst window. */
	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r, 10, SEC, 20,
						NF_RL_UNIT_PACKETS, &msg), 0);
	ops->init(&s, &r, T0);
	KUNIT_EXPECT_TRUE(test, ops->full(&s, &r, T0));
	KUNIT_EXPECT_EQ(test, ops->peek(&s, &r, T0), 20);
	KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0, 1), 20);
	KUNIT_EXPECT_FALSE(test, ops->full(&s, &r, T0));
	KUNIT_EXPECT_EQ(test, ops->peek(&s, &r, T0), 0);
	/* Idle for two burst windows: everything forgotten. */
	KUNIT_EXPECT_TRUE(test, ops->full(&s, &r, T0 + 4 * SEC));
	KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0 + 4 * SEC, 1), 20);
	/* A charge larger than the burst never passes. */
	KUNIT_EXPECT_FALSE(test, ops->charge(&s, &r, T0 + 10 * SEC, 21));
	KUNIT_EXPECT_TRUE(test, ops->charge(&s, &r, T0 + 10 * SEC, 20));
}

/*
 * The sliding window's worst case, as swin.c documents it: the previous
 * window's whole allowance at its very end, then the current window's at
 * its very start, is 2L within one window length, and never more.
 */
static void sliding_window_edge_is_bounded_by_twice_the_burst(struct kunit *test)
{
	const struct rl_algo_ops *ops = rl_algo_get(NF_RL_ALGO_SLIDING_WINDOW);
	u64 win, got;
	union rl_state s;
	struct rl_rate r;
	const char *msg;

	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r, 10, SEC, 10,
						NF_RL_UNIT_PACKETS, &msg), 0);
	win = r.fill_ns;	/* 1 s */
	ops->init(&s, &r, T0);
	got = drain(ops, &s, &r, T0 + win - 1, 1);
	KUNIT_EXPECT_EQ(test, got, 10);
	/*
	 * 1% into the next window the estimate is 9.9, rounded down: one more
	 * passes, 11 within one window length, over L but within 2L.
	 */
	got += drain(ops, &s, &r, T0 + win + win / 100, 1);
	KUNIT_EXPECT_EQ(test, got, 11);

	/* A full window, then half a window on: half of it still counts. */
	ops->init(&s, &r, T0);
	KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0, 1), 10);
	KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0 + win + win / 2, 1), 5);
}

/* 1 MiB packets at the extremes of byte rates: refused or exact, never wrapped. */
static void byte_extremes_cannot_overflow(struct kunit *test)
{
	union rl_state s;
	struct rl_rate r;
	const char *msg;
	int a;

	/* 1 byte per week: a 1 MiB charge would need 6e20 credit. */
	KUNIT_EXPECT_EQ(test, rl_algo_rate_init(&r, 1, 7 * 24 * HOUR, 10,
						NF_RL_UNIT_BYTES, &msg), -ERANGE);
	/* The same as packets is fine: a packet is one unit. */
	KUNIT_EXPECT_EQ(test, rl_algo_rate_init(&r, 1, 7 * 24 * HOUR, 10,
						NF_RL_UNIT_PACKETS, &msg), 0);
	/* 100 Gbit/s with a 512 MiB burst: the largest packets fit. */
	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r, 12500000000ULL, SEC, SZ_512M,
						NF_RL_UNIT_BYTES, &msg), 0);
	for (a = 0; a < __NF_RL_ALGO_MAX; a++) {
		const struct rl_algo_ops *ops = rl_algo_get(a);

		ops->init(&s, &r, T0);
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0, RL_MAX_AMOUNT),
				SZ_512M / RL_MAX_AMOUNT);
		/* 1 ms later: 12.5 MB more, 11 whole 1 MiB packets. */
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0 + SEC / 1000, RL_MAX_AMOUNT),
				a == NF_RL_ALGO_SLIDING_WINDOW ? 0 : 11);
	}
	/* The slowest byte rate a 1 MiB packet still fits: 1 byte/s, burst 1 MiB. */
	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r, 1, SEC, SZ_1M,
						NF_RL_UNIT_BYTES, &msg), 0);
	for (a = 0; a < __NF_RL_ALGO_MAX; a++) {
		const struct rl_algo_ops *ops = rl_algo_get(a);

		ops->init(&s, &r, T0);
		KUNIT_EXPECT_TRUE(test, ops->charge(&s, &r, T0, RL_MAX_AMOUNT));
		KUNIT_EXPECT_FALSE(test, ops->charge(&s, &r, T0 + SEC, 2));
	}
	KUNIT_EXPECT_EQ(test, rl_algo_amount(NF_RL_UNIT_BYTES, 1U << 30), RL_MAX_AMOUNT);
	KUNIT_EXPECT_EQ(test, rl_algo_amount(NF_RL_UNIT_PACKETS, 1500), 1);
}

/* A rate change on a state with debt: carried over, clamped, for each. */
static void rate_change_carries_state_over(struct kunit *test)
{
	struct rl_rate slow, fast;
	const char *msg;
	int a;

	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&slow, 1, SEC, 10,
						NF_RL_UNIT_PACKETS, &msg), 0);
	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&fast, 100, SEC, 3,
						NF_RL_UNIT_PACKETS, &msg), 0);
	for (a = 0; a < __NF_RL_ALGO_MAX; a++) {
		const struct rl_algo_ops *ops = rl_algo_get(a);
		union rl_state s;

		ops->init(&s, &slow, T0);
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &slow, T0, 1), 10);
		/* Emptied under 1/s; under 100/s burst 3 it is not full at once. */
		KUNIT_EXPECT_FALSE(test, ops->charge(&s, &fast, T0, 1));
		/*
		 * ...and never more than the new burst: the bucket and the
		 * window have refilled by now, GCRA still owes the 10 s.
		 */
		KUNIT_EXPECT_LE(test, drain(ops, &s, &fast, T0 + 2 * SEC, 1), 3);
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &fast, T0 + 11 * SEC, 1), 3);
	}
}

/*
 * The clock going back never mints credit, a huge idle gap refills one
 * burst and no more, and a clock at the end of u64 neither wraps a state
 * into credit nor overflows it.
 */
static void clock_edges_never_mint_credit(struct kunit *test)
{
	const u64 end = U64_MAX - SEC;
	struct rl_rate r;
	const char *msg;
	int a;

	/* 10/s, burst 2. */
	KUNIT_ASSERT_EQ(test, rl_algo_rate_init(&r, 10, SEC, 2,
						NF_RL_UNIT_PACKETS, &msg), 0);
	for (a = 0; a < __NF_RL_ALGO_MAX; a++) {
		const struct rl_algo_ops *ops = rl_algo_get(a);
		union rl_state s;
		u64 got;

		ops->init(&s, &r, T0);
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0, 1), 2);
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0 - SEC, 1), 0);
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0 - 100 * SEC, 1), 0);
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0, 1), 0);
		/* Back to normal: 100 ms bring one packet, not more. */
		KUNIT_EXPECT_LE(test, drain(ops, &s, &r, T0 + SEC / 10, 1), 1);

		/* A century idle: one burst. */
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, T0 + 100 * 365 * 24 * HOUR, 1), 2);

		/* The end of u64: a burst, then nothing from a wrapped clock. */
		ops->init(&s, &r, end);
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, end, 1), 2);
		got = drain(ops, &s, &r, U64_MAX, 1);
		KUNIT_EXPECT_GE(test, got, 1);
		KUNIT_EXPECT_LE(test, got, 2);
		KUNIT_EXPECT_EQ(test, drain(ops, &s, &r, 5, 1), 0);
	}
}

static struct kunit_case algo_cases[] = {
	KUNIT_CASE_PARAM(fresh_source_gets_its_burst, fresh_gen_params),
	KUNIT_CASE(sliding_window_edge_is_bounded_by_twice_the_burst),
	KUNIT_CASE(byte_extremes_cannot_overflow),
	KUNIT_CASE(rate_change_carries_state_over),
	KUNIT_CASE(clock_edges_never_mint_credit),
	KUNIT_CASE_PARAM(algorithms_match_the_ideal_limiter, precision_gen_params),
	{}
};

static struct kunit_suite algo_suite = {
	.name = "nf_ratelimit_algo",
	.test_cases = algo_cases,
};

kunit_test_suites(&algo_suite);
