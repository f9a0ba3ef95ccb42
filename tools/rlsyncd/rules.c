// SPDX-License-Identifier: GPL-2.0
/*
 * A cluster verdict as the rule rlsyncd installs on this host: the cluster
 * rule's limit scaled to this host's share of the source's traffic, so that
 * the hosts together pass about the cluster rate; or a deny while the
 * cluster sees the source far above its allowance (deny-above).
 */

#include <string.h>

#include "rlsyncd.h"

/* x * ppm / 10^6, rounded up, at least 1: a share never rounds to nothing. */
static uint64_t scale(uint64_t x, uint32_t ppm)
{
	unsigned __int128 v = (unsigned __int128)x * ppm + 999999;

	v /= 1000000;
	return v ? (v > UINT64_MAX ? UINT64_MAX : (uint64_t)v) : 1;
}

/**
 * rls_verdict_rule() - the kernel rule for a verdict
 * @c: the configuration
 * @v: the verdict, not expired at @now_ms
 * @now_ms: rlsyncd's monotonic clock
 * @r: filled in: the source's key as prefix, rlsyncd's owner, the time the
 *     verdict has left as timeout
 */
void rls_verdict_rule(const struct rls_config *c, const struct rls_verdict *v,
		      uint64_t now_ms, struct rl_rule_spec *r)
{
	const struct rls_rule *cr = &c->rules[v->src.rule];

	*r = cr->spec;
	r->prefix = v->src.prefix;
	r->agg = v->src.prefix.len;
	r->has_agg = true;
	r->timeout_ms = v->expires_ms > now_ms ? v->expires_ms - now_ms : 1;
	memcpy(r->owner, c->owner, sizeof(r->owner));
	if (cr->deny_above && v->estimate / cr->deny_above > cr->allowance) {
		r->action = NF_RL_ACTION_DENY;
		r->has_rate = r->has_burst = r->has_agg = false;
		r->algo = 0;
		return;
	}
	r->rate = scale(cr->spec.rate, v->share_ppm);
	r->burst = scale(cr->spec.burst, v->share_ppm);
	/* A byte burst smaller than a packet would pass nothing at all. */
	if (r->unit == NF_RL_UNIT_BYTES) {
		uint64_t least = cr->spec.burst;

		if (least > 65536)
			least = 65536;
		if (r->burst < least)
			r->burst = least;
	}
	r->has_rate = r->has_burst = true;
}
