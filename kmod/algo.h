/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Limiting algorithms behind one small interface.  Every algorithm keeps its
 * per-source state inline in the table entry (union rl_state, 24 bytes), so
 * a new source costs no extra allocation whatever its rule's algorithm.
 *
 * Adding an algorithm: one file with its state and ops, a member of union
 * rl_state, an enum nf_rl_algo value, and its entry in rl_algos[] (algo.c).
 */
#ifndef _NF_RL_ALGO_H
#define _NF_RL_ALGO_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <uapi/linux/nf_ratelimit.h>

#include "bucket.h"

/*
 * The most a packet may cost in byte mode: GRO and BIG TCP packets reach
 * hundreds of KiB; anything larger is charged as this much.  Byte rates are
 * checked at configuration so that this times the cost of a byte fits.
 */
#define RL_MAX_AMOUNT	BIT(20)

/*
 * Every state's second word is the time of its latest charge, limited or
 * not, dropped or not: the table's time a source was last seen (GC's idle
 * test, rlctl's idle column), read without the entry's lock, so written
 * with WRITE_ONCE().  The token bucket's refill time is that time already;
 * the others keep it beside their own.
 */

/* gcra.c: the theoretical arrival time, exact to 1/refill ns. */
struct rl_gcra {
	u64 tat;	/* ns */
	u64 last_ns;	/* of the latest charge */
	u64 frac;	/* tat plus frac / refill ns, frac < refill */
};

/*
 * swin.c: sliding window counter.  The counts fit 32 bits because a rule's
 * burst must (RL_SWIN_MAX_BURST): a window counts at most a burst.
 */
struct rl_swin {
	u64 start;	/* of the current window, ns */
	u64 last_ns;	/* of the latest charge */
	u32 cur;	/* units counted in the current window */
	u32 prev;	/* units counted in the window before */
};

#define RL_SWIN_MAX_BURST	U32_MAX

/* 24 bytes whatever the algorithm: it shares the entry's first cache line. */
union rl_state {
	struct rl_bucket tb;	/* bucket.c */
	struct rl_gcra gcra;
	struct rl_swin swin;
};

static_assert(offsetof(struct rl_bucket, last_ns) == sizeof(u64) &&
	      offsetof(struct rl_gcra, last_ns) == sizeof(u64) &&
	      offsetof(struct rl_swin, last_ns) == sizeof(u64));
static_assert(sizeof(union rl_state) == 3 * sizeof(u64));

/**
 * rl_state_last_ns() - the time a state was last charged
 * @s: a state, serialised or not: a stale read is a time a little too old
 *
 * Return: the latest time it was charged at, or initialised.
 */
static inline u64 rl_state_last_ns(const union rl_state *s)
{
	return READ_ONCE(s->tb.last_ns);
}

/**
 * struct rl_algo_ops - a limiting algorithm
 * @name: as rlctl and the module parameters spell it
 * @state_size: bytes of union rl_state it uses
 * @init: start @s as for a new source: nothing owed
 * @charge: take @amount units (1 for a packet, or its length in bytes) at
 *          @now; true if they conform.  @r may differ from the rate of the
 *          last charge: the state then carries over (see each algorithm).
 *          Every charge advances the state's last_ns to @now if later
 * @peek: whole units @s would let through at @now, for display
 * @full: whether @s owes nothing at @now: forgetting it would change nothing
 * @max_burst: the largest burst its state can count
 *
 * Every operation is serialised by the caller (the entry's lock) and must
 * not sleep: @charge runs in softirq context.
 */
struct rl_algo_ops {
	const char *name;
	size_t state_size;
	void (*init)(union rl_state *s, const struct rl_rate *r, u64 now);
	bool (*charge)(union rl_state *s, const struct rl_rate *r, u64 now,
		       u64 amount);
	u64 (*peek)(const union rl_state *s, const struct rl_rate *r, u64 now);
	bool (*full)(const union rl_state *s, const struct rl_rate *r, u64 now);
	u64 max_burst;
};

extern const struct rl_algo_ops rl_algo_token_bucket;
extern const struct rl_algo_ops rl_algo_gcra;
extern const struct rl_algo_ops rl_algo_swin;

extern const struct rl_algo_ops *const rl_algos[];

/* Their charge operations, for INDIRECT_CALL_2() on the packet path. */
bool rl_gcra_charge(union rl_state *s, const struct rl_rate *r, u64 now,
		    u64 amount);
bool rl_swin_charge(union rl_state *s, const struct rl_rate *r, u64 now,
		    u64 amount);

/**
 * rl_algo_get() - the operations of an algorithm
 * @algo: a valid enum nf_rl_algo value
 *
 * Return: its operations.
 */
static inline const struct rl_algo_ops *rl_algo_get(enum nf_rl_algo algo)
{
	return rl_algos[algo];
}

/**
 * rl_algo_amount() - what a packet of @len bytes costs in @unit
 * @unit: the rule's unit
 * @len: the packet's length
 *
 * Return: 1 for packets; the length, at most RL_MAX_AMOUNT, for bytes.
 */
static inline u64 rl_algo_amount(enum nf_rl_unit unit, unsigned int len)
{
	return unit == NF_RL_UNIT_BYTES ? min_t(u64, len, RL_MAX_AMOUNT) : 1;
}

int rl_algo_lookup(const char *name);
int rl_algo_check(enum nf_rl_algo algo, const struct rl_rate *r,
		  const char **errmsg);
int rl_algo_rate_init(struct rl_rate *r, u64 n, u64 period_ns, u64 burst,
		      enum nf_rl_unit unit, const char **errmsg);
u64 rl_algo_default_burst(u64 n, u64 period_ns, enum nf_rl_unit unit);

#endif /* _NF_RL_ALGO_H */
