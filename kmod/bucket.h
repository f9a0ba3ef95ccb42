/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NF_RL_BUCKET_H
#define _NF_RL_BUCKET_H

#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/types.h>

/*
 * A rate of @n packets per @period_ns, with a bucket of @burst packets, in
 * exact integer fixed point.  Tokens are kept in units of 1/@cost of a packet:
 * every elapsed nanosecond adds @refill units and every packet takes @cost, so
 * refill needs one multiply and no per-packet division, and nothing is ever
 * rounded away (no drift, whatever the rate).
 */
struct rl_rate {
	u64 n;		/* packets per period; 0 means unlimited */
	u64 period_ns;
	u64 burst;
	u64 refill;	/* units added per elapsed nanosecond */
	u64 cost;	/* units one packet takes */
	u64 cap;	/* burst * cost: a full bucket */
	u64 fill_ns;	/* time to refill an empty bucket, rounded up */
};

/*
 * A bucket remembers the cost its tokens are counted in, so that when its
 * rate changes the level carries over (rescaled, clamped to the new burst)
 * instead of being reset.
 */
struct rl_bucket {
	u64 tokens;	/* in units of 1/cost packet */
	u64 last_ns;	/* of the last refill, which every later charge makes */
	u64 cost;	/* the cost tokens are counted in; 0: none, it is full */
};

int rl_bucket_rate_init(struct rl_rate *r, u64 n, u64 period_ns, u64 burst,
			const char **errmsg);
u64 rl_bucket_default_burst(u64 n, u64 period_ns);
void rl_bucket_init(struct rl_bucket *b, const struct rl_rate *r, u64 now);
u64 rl_bucket_rescale(const struct rl_bucket *b, const struct rl_rate *r);

/* @tokens, counted in @r's cost, after @elapsed ns at @r: at most the cap. */
static __always_inline u64 rl_bucket_refill(u64 tokens, const struct rl_rate *r,
					    u64 elapsed)
{
	/*
	 * Below fill_ns, elapsed * refill < cap + refill, which
	 * rl_bucket_rate_init() made sure fits alongside a full cap.
	 */
	if (elapsed >= r->fill_ns)
		return r->cap;
	return min(tokens + elapsed * r->refill, r->cap);
}

/**
 * rl_bucket_refilled() - a bucket's tokens at a time, in units of a rate
 * @b: bucket, serialised by the caller
 * @r: its rate now, whose cost the result is counted in
 * @now: current time in ns
 *
 * A @now older than the last refill (another CPU read the clock later but
 * took the lock first) adds nothing.
 *
 * Return: the tokens.
 */
static __always_inline u64 rl_bucket_refilled(const struct rl_bucket *b,
					      const struct rl_rate *r, u64 now)
{
	u64 tokens;

	if (likely(b->cost == r->cost))
		tokens = min(b->tokens, r->cap);	/* the burst may have shrunk */
	else
		tokens = rl_bucket_rescale(b, r);
	if (now <= b->last_ns)
		return tokens;
	return rl_bucket_refill(tokens, r, now - b->last_ns);
}

/**
 * rl_bucket_take() - refill a bucket for the time passed, then take @amount
 * @b: bucket, serialised by the caller
 * @r: its rate, which may differ from the rate of the last charge: the
 *     bucket's level carries over
 * @now: current time in ns
 * @amount: units to take: 1, or at most RL_MAX_AMOUNT for a rate whose
 *          rl_algo_rate_init() allowed bytes
 *
 * Inline: the packet path's call to it, with its frame, cost more than its
 * arithmetic (make bench).  Each field is stored once, and the cost only
 * when it changed.  A charge at an unlimited rate passes and leaves the
 * bucket with no cost, full for whatever rate comes next: its refill time
 * is still the time of the charge (the time its source was last seen).
 *
 * Return: true if they conform and were taken.
 */
static __always_inline bool rl_bucket_take(struct rl_bucket *b,
					   const struct rl_rate *r, u64 now,
					   u64 amount)
{
	u64 need = amount * r->cost, tokens;
	bool conforms;

	if (unlikely(!r->n)) {
		b->cost = 0;
		if (now > b->last_ns)
			WRITE_ONCE(b->last_ns, now);
		return true;
	}

	if (unlikely(b->cost != r->cost)) {
		b->tokens = rl_bucket_rescale(b, r);
		b->cost = r->cost;
	}
	tokens = min(b->tokens, r->cap);	/* the burst may have shrunk */
	if (now > b->last_ns) {
		tokens = rl_bucket_refill(tokens, r, now - b->last_ns);
		WRITE_ONCE(b->last_ns, now);	/* read unlocked as seen */
	}
	conforms = tokens >= need;
	if (conforms)
		tokens -= need;
	b->tokens = tokens;
	return conforms;
}

bool rl_bucket_charge(struct rl_bucket *b, const struct rl_rate *r, u64 now);
u64 rl_bucket_peek(const struct rl_bucket *b, const struct rl_rate *r, u64 now);
bool rl_bucket_full(const struct rl_bucket *b, const struct rl_rate *r, u64 now);

#endif /* _NF_RL_BUCKET_H */
