/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NF_RL_BUCKET_H
#define _NF_RL_BUCKET_H

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
	u64 last_ns;	/* time of the last refill */
	u64 cost;	/* the cost tokens are counted in; 0: none yet */
};

int rl_bucket_rate_init(struct rl_rate *r, u64 n, u64 period_ns, u64 burst,
			const char **errmsg);
u64 rl_bucket_default_burst(u64 n, u64 period_ns);
void rl_bucket_init(struct rl_bucket *b, const struct rl_rate *r, u64 now);
bool rl_bucket_take(struct rl_bucket *b, const struct rl_rate *r, u64 now,
		    u64 amount);
bool rl_bucket_charge(struct rl_bucket *b, const struct rl_rate *r, u64 now);
u64 rl_bucket_peek(const struct rl_bucket *b, const struct rl_rate *r, u64 now);
bool rl_bucket_full(const struct rl_bucket *b, const struct rl_rate *r, u64 now);

#endif /* _NF_RL_BUCKET_H */
