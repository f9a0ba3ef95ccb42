// SPDX-License-Identifier: GPL-2.0
/*
 * The sliding window counter: units are counted in fixed windows of W, and a
 * charge at a fraction f of the current window sees
 *
 *	estimate = prev * (1 - f) + cur
 *
 * as if the previous window's units had been spread evenly over it.  A charge
 * of a units conforms iff estimate + a <= L.  W is the rule's burst window
 * (burst / rate, the time the token bucket takes to refill) and L its burst,
 * so L / W is the rate.
 *
 * Error bound: the long-run rate is L / W, as for the token bucket, and no
 * fixed window passes more than L.  A sliding window of length W can pass up
 * to 2L in the worst case (all of the previous window's L at its very end,
 * then the current window's allowance right after): the estimate trades that
 * for edges smoother than a fixed window's and 24 bytes of state.
 *
 * A rate change keeps the counts: the window length and limit change, the
 * units counted stay.
 *
 * The counts are 32-bit, so that the state, with the time of its latest
 * charge, fits the 24 bytes every algorithm has (algo.h): a window never
 * counts more than a burst, and rules refuse a sliding window whose burst
 * is over RL_SWIN_MAX_BURST units (rl_algo_check()).
 */

#include <linux/math64.h>
#include <linux/minmax.h>

#include "algo.h"
#include "compat.h"

/* @w advanced to the window holding @now (a copy: peek must not write). */
static void roll(struct rl_swin *w, u64 win, u64 now)
{
	u64 elapsed, rem;

	/* A clock read late on another CPU stays in the current window. */
	if (now <= w->start || now - w->start < win)
		return;
	elapsed = now - w->start;
	/* win is at most cap / refill, under 2^63: 2 * win cannot wrap. */
	if (elapsed < 2 * win) {
		w->prev = w->cur;
		w->start += win;
	} else {
		/* Idle for a whole window or more: nothing to remember. */
		w->prev = 0;
		div64_u64_rem(elapsed, win, &rem);
		w->start = now - rem;
	}
	w->cur = 0;
}

static u64 estimate(const struct rl_swin *w, u64 win, u64 now)
{
	u64 into = now > w->start ? now - w->start : 0;

	return w->cur + mul_u64_u64_div_u64(w->prev, win - into, win);
}

static void swin_init(union rl_state *s, const struct rl_rate *r, u64 now)
{
	s->swin.start = now;
	s->swin.last_ns = now;
	s->swin.cur = 0;
	s->swin.prev = 0;
}

/**
 * rl_swin_charge() - the sliding window's &rl_algo_ops.charge
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
bool rl_swin_charge(union rl_state *s, const struct rl_rate *r, u64 now,
		    u64 amount)
{
	struct rl_swin *w = &s->swin;
	u64 est;

	if (now > w->last_ns)
		WRITE_ONCE(w->last_ns, now);	/* read unlocked as seen */
	if (!r->n)
		return true;
	roll(w, r->fill_ns, now);
	est = estimate(w, r->fill_ns, now);
	if (est > r->burst || amount > r->burst - est)
		return false;
	w->cur += amount;	/* at most the burst: 32 bits */
	return true;
}

static u64 swin_peek(const union rl_state *s, const struct rl_rate *r, u64 now)
{
	struct rl_swin w = s->swin;
	u64 est;

	if (!r->n)
		return r->burst;
	roll(&w, r->fill_ns, now);
	est = estimate(&w, r->fill_ns, now);
	return est < r->burst ? r->burst - est : 0;
}

static bool swin_full(const union rl_state *s, const struct rl_rate *r, u64 now)
{
	struct rl_swin w = s->swin;

	if (!r->n)
		return true;
	roll(&w, r->fill_ns, now);
	return !estimate(&w, r->fill_ns, now);
}

const struct rl_algo_ops rl_algo_swin = {
	.name = "sliding-window",
	.state_size = sizeof(struct rl_swin),
	.init = swin_init,
	.charge = rl_swin_charge,
	.peek = swin_peek,
	.full = swin_full,
	.max_burst = RL_SWIN_MAX_BURST,
};
