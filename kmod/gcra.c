// SPDX-License-Identifier: GPL-2.0
/*
 * GCRA, the generic cell rate algorithm (ITU-T I.371), as a meter: the
 * virtual scheduling form, which keeps one time per source, the theoretical
 * arrival time (TAT) of its next unit, as redis-cell does.
 *
 * With the rate's fixed point (a unit costs `cost` credit and time brings
 * `refill` credit per ns, bucket.c) the debt at time t is
 * D = (TAT - t) * refill, and a charge of a units conforms iff
 * D + a * cost <= cap: exactly the token bucket's test with tokens = cap - D.
 * On the same rate and burst the two algorithms give the same verdicts; GCRA
 * keeps a time where the bucket keeps a count and a time.
 *
 * The emission interval cost / refill is seldom a whole number of ns (3/s is
 * 333333333.3 ns), so TAT carries the remainder, frac / refill ns: 16 bytes
 * where redis-cell keeps 8, and no drift whatever the rate.  The time of the
 * latest charge sits between the two (algo.h).  A division
 * runs per conforming charge when refill is not 1, that is, when the rate
 * does not divide a second (or its period) evenly.
 *
 * A rate change carries the debt over as time: a source owing 300 ms still
 * owes 300 ms.  TAT never moves back, so neither a rate change nor a clock
 * read earlier than the last one (another CPU's, or a clock going back) can
 * hand out credit: they can only make a source wait.
 */

#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>

#include "algo.h"
#include "compat.h"

/* Debt at @now in credit units, at most cap; 0 if TAT has passed. */
static u64 debt(const struct rl_gcra *g, const struct rl_rate *r, u64 now)
{
	u64 ahead;

	if (unlikely(g->tat == U64_MAX))
		return r->cap;		/* saturated at the end of time */
	if (g->tat < now || (g->tat == now && !g->frac))
		return 0;
	/*
	 * A TAT further ahead than a whole burst window comes from a slower
	 * rate or a clock that went back: clamp, so that the product stays
	 * below cap + refill, which the rate init made sure fits.
	 */
	ahead = min(g->tat - now, r->fill_ns);
	return min(ahead * r->refill + min(g->frac, r->refill - 1), r->cap);
}

static void gcra_init(union rl_state *s, const struct rl_rate *r, u64 now)
{
	s->gcra.tat = now;
	s->gcra.last_ns = now;
	s->gcra.frac = 0;
}

/**
 * rl_gcra_charge() - the GCRA's &rl_algo_ops.charge
 * @s: a source's state
 * @r: its rule's rate
 * @now: the time, ns
 * @amount: units to take
 *
 * Not static so that the packet path can call it directly
 * (INDIRECT_CALL_2() in table.c).
 *
 * Return: true if @amount conforms.
 */
bool rl_gcra_charge(union rl_state *s, const struct rl_rate *r, u64 now,
		    u64 amount)
{
	struct rl_gcra *g = &s->gcra;
	u64 d, d_ns, need = amount * r->cost;

	if (now > g->last_ns)
		WRITE_ONCE(g->last_ns, now);	/* read unlocked as seen */
	if (!r->n)
		return true;
	d = debt(g, r, now);
	if (d + need > r->cap)
		return false;
	d += need;
	if (likely(r->refill == 1)) {
		d_ns = d;
		g->frac = 0;
	} else {
		d_ns = div64_u64_rem(d, r->refill, &g->frac);
	}
	/*
	 * A clock at the end of u64 (584 years of uptime) saturates rather
	 * than wraps: a TAT in the past would hand out a full burst.
	 */
	if (check_add_overflow(now, d_ns, &g->tat))
		g->tat = U64_MAX;
	return true;
}

static u64 gcra_peek(const union rl_state *s, const struct rl_rate *r, u64 now)
{
	if (!r->n)
		return r->burst;
	return div64_u64(r->cap - debt(&s->gcra, r, now), r->cost);
}

static bool gcra_full(const union rl_state *s, const struct rl_rate *r, u64 now)
{
	return !r->n || !debt(&s->gcra, r, now);
}

const struct rl_algo_ops rl_algo_gcra = {
	.name = "gcra",
	.state_size = sizeof(struct rl_gcra),
	.init = gcra_init,
	.charge = rl_gcra_charge,
	.peek = gcra_peek,
	.full = gcra_full,
	.max_burst = U64_MAX,
};
