/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NF_RATELIMIT_H
#define _NF_RATELIMIT_H

#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <net/netns/generic.h>

#include "table.h"

#define RL_MAX_ENTRIES_LIMIT	16777216	/* 2^24 entries, 1.3 GB */

/*
 * The module parameters, validated: the hooks' place, and the default rules
 * each namespace starts with.  What changes at run time (rules, limits) lives
 * in the namespace's struct rl_table, the one copy that is read and changed.
 */
struct rl_config {
	struct rl_rate rate;		/* of the default rules */
	u8 algo;			/* enum nf_rl_algo of the default rules */
	u8 unit;			/* enum nf_rl_unit of rate */
	u8 v4_prefix;			/* default aggregation prefixes */
	u8 v6_prefix;
	enum nf_rl_hook hook;
	int priority;
	u32 max_entries;		/* what a namespace may raise alone */
};

/* The rate limiter of a namespace's events. */
struct rl_events {
	spinlock_t lock;		/* protects bucket; any context */
	struct rl_bucket bucket;
	atomic64_t pending_lost;	/* not sent since the last one sent */
	atomic64_t lost;		/* not sent, ever */
};

/* Per network namespace state; cfg is fixed at creation. */
struct rl_net {
	struct rl_config cfg;
	struct net *net;		/* the namespace this belongs to */
	struct rl_events events;
	struct rl_table table;
	struct nf_hook_ops ops[2];
	bool hooks_registered;
};

extern unsigned int rl_net_id;

/**
 * rl_pernet() - the nf_ratelimit state of a namespace
 * @net: the namespace
 *
 * As hashlimit_pernet() is to xt_hashlimit.
 *
 * Context: any.
 * Return: its state, valid while the namespace lives.
 */
static inline struct rl_net *rl_pernet(const struct net *net)
{
	return net_generic(net, rl_net_id);
}

#endif /* _NF_RATELIMIT_H */
