// SPDX-License-Identifier: GPL-2.0
/*
 * The "nf_ratelimit" generic netlink family: its commands, each with a
 * policy of its own that accepts exactly the attributes the spec gives its
 * request, and its events.  The commands are in netlink_table.c (counters,
 * settings, sources) and netlink_rules.c (rules); the attribute sets they
 * share in netlink_attr.c.
 *
 * Every attribute is checked by a policy (strict validation, unknown
 * attributes refused), every error carries an extack message, and commands
 * that change state, or show clients (entries, rules, events), need
 * CAP_NET_ADMIN in the caller's namespace (GENL_UNS_ADMIN_PERM); statistics
 * and settings are anyone's.  The spec is
 * Documentation/netlink/specs/nf_ratelimit.yaml in this repository.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "netlink.h"
#include "rules.h"

/*
 * Events are rate limited per namespace, so that a flood of sources each
 * crossing its limit cannot flood the listeners: beyond this, they are
 * counted as lost, and the next event sent says how many were.
 */
enum {
	RL_EVENTS_PER_SEC = 100,
	RL_EVENTS_BURST = 200,
	RL_EVENT_SIZE = 384,		/* enough for the largest event */
};

enum rl_mcgrp {
	RL_MCGRP_EVENTS,
};

/*
 * The requests' top-level attributes, one policy per command (the spec's
 * "request: attributes:"), so that a command refuses an attribute it would
 * ignore.  A policy serves both the do and the dump of a command (6.1's
 * genl_ops has one), so GET_RULE's dump accepts the do's rule and ignores it.
 */
static const struct nla_policy no_attrs_policy[NF_RL_A_MAX + 1] = {};

static const struct nla_policy config_req_policy[NF_RL_A_MAX + 1] = {
	[NF_RL_A_CONFIG] = NLA_POLICY_NESTED(rl_netlink_config_policy),
};

static const struct nla_policy entry_req_policy[NF_RL_A_MAX + 1] = {
	[NF_RL_A_ENTRY] = NLA_POLICY_NESTED(rl_netlink_entry_policy),
};

static const struct nla_policy rule_req_policy[NF_RL_A_MAX + 1] = {
	[NF_RL_A_RULE] = NLA_POLICY_NESTED(rl_netlink_rule_policy),
};

static const struct nla_policy set_rules_req_policy[NF_RL_A_MAX + 1] = {
	[NF_RL_A_CONFIG] = NLA_POLICY_NESTED(rl_netlink_config_policy),
	[NF_RL_A_RULE] = NLA_POLICY_NESTED(rl_netlink_rule_policy),
	[NF_RL_A_OWNER] = { .type = NLA_NUL_STRING,
			    .len = NF_RL_OWNER_LEN - 1 },
};

static const struct genl_ops rl_genl_ops[] = {
	{
		.cmd = NF_RL_CMD_GET_STATS,
		.doit = rl_netlink_get_stats_doit,
		.policy = no_attrs_policy,
		.maxattr = NF_RL_A_MAX,
	},
	{
		.cmd = NF_RL_CMD_GET_CONFIG,
		.doit = rl_netlink_get_config_doit,
		.policy = no_attrs_policy,
		.maxattr = NF_RL_A_MAX,
	},
	{
		.cmd = NF_RL_CMD_SET_CONFIG,
		.doit = rl_netlink_set_config_doit,
		.policy = config_req_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_GET_ENTRY,
		.start = rl_netlink_get_entry_start,
		.dumpit = rl_netlink_get_entry_dumpit,
		.done = rl_netlink_get_entry_done,
		.policy = entry_req_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,	/* client addresses */
	},
	{
		.cmd = NF_RL_CMD_DEL_ENTRY,
		.doit = rl_netlink_del_entry_doit,
		.policy = entry_req_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_FLUSH_ENTRIES,
		.doit = rl_netlink_flush_entries_doit,
		.policy = no_attrs_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_GET_RULE,
		.doit = rl_netlink_rules_get_doit,
		.dumpit = rl_netlink_rules_get_dumpit,
		.policy = rule_req_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,	/* may name clients, as bans do */
	},
	{
		.cmd = NF_RL_CMD_ADD_RULE,
		.doit = rl_netlink_rules_add_doit,
		.policy = rule_req_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_REPLACE_RULE,
		.doit = rl_netlink_rules_replace_doit,
		.policy = rule_req_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_DEL_RULE,
		.doit = rl_netlink_rules_del_doit,
		.policy = rule_req_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_SET_RULES,
		.doit = rl_netlink_rules_set_doit,
		.policy = set_rules_req_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/* Events name clients: joining needs CAP_NET_ADMIN in the namespace. */
static const struct genl_multicast_group rl_mcgrps[] = {
	[RL_MCGRP_EVENTS] = {
		.name = NF_RL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family rl_genl_family __ro_after_init = {
	.name = NF_RL_GENL_NAME,
	.version = NF_RL_GENL_VERSION,
	.maxattr = NF_RL_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = rl_genl_ops,
	.n_ops = ARRAY_SIZE(rl_genl_ops),
	.mcgrps = rl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(rl_mcgrps),
};

static struct rl_rate events_rate __ro_after_init;

/*
 * Whether the family is registered, for events: they are sent from the
 * packet path and GC, which run before the family is registered at load and
 * until after it is unregistered at unload.  Checked under RCU, so that
 * unregistering can wait for the senders that saw it set.
 */
static bool events_on;

/**
 * rl_netlink_init_net() - set up the event limiter of a namespace
 * @rn: its state
 */
void rl_netlink_init_net(struct rl_net *rn)
{
	spin_lock_init(&rn->events.lock);
	rl_bucket_init(&rn->events.bucket, &events_rate, ktime_get_ns());
	atomic64_set(&rn->events.pending_lost, 0);
	atomic64_set(&rn->events.lost, 0);
}

static bool events_allowed(struct rl_net *rn)
{
	bool ok;

	spin_lock_bh(&rn->events.lock);
	ok = rl_bucket_charge(&rn->events.bucket, &events_rate, ktime_get_ns());
	spin_unlock_bh(&rn->events.lock);
	if (!ok) {
		atomic64_inc(&rn->events.pending_lost);
		atomic64_inc(&rn->events.lost);
	}
	return ok;
}

/**
 * rl_netlink_notify() - send an event to the namespace's "events" listeners
 * @t: the table it happened in
 * @ev: what happened
 *
 * Nothing is built when nobody listens.  Beyond RL_EVENTS_PER_SEC, events
 * are counted as lost rather than sent.
 *
 * Context: any, up to softirq; does not sleep.
 */
void rl_netlink_notify(struct rl_table *t, const struct rl_event *ev)
{
	struct rl_net *rn = container_of(t, struct rl_net, table);
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	if (!READ_ONCE(events_on) ||
	    !genl_has_listeners(&rl_genl_family, rn->net, RL_MCGRP_EVENTS) ||
	    !events_allowed(rn))
		goto unlock;
	skb = genlmsg_new(RL_EVENT_SIZE, GFP_ATOMIC);
	if (!skb)
		goto unlock;
	hdr = genlmsg_put(skb, 0, 0, &rl_genl_family, 0, NF_RL_CMD_EVENT_NTF);
	if (!hdr)
		goto free_skb;
	nest = nla_nest_start(skb, NF_RL_A_EVENT);
	if (!nest ||
	    nla_put_u32(skb, NF_RL_A_EVENT_TYPE, ev->type) ||
	    rl_netlink_put_key(skb, NF_RL_A_EVENT_ADDR, NF_RL_A_EVENT_PREFIX,
			       &ev->source) ||
	    rl_netlink_put_key(skb, NF_RL_A_EVENT_RULE_ADDR,
			       NF_RL_A_EVENT_RULE_PREFIX, &ev->rule) ||
	    nla_put_u64_64bit(skb, NF_RL_A_EVENT_DROPPED, ev->dropped,
			      NF_RL_A_EVENT_PAD) ||
	    rl_netlink_put_sel_nest(skb, NF_RL_A_EVENT_RULE_SEL, ev->sel) ||
	    ((ev->sel->flags & RL_SEL_PER_PORT) &&
	     nla_put_u16(skb, NF_RL_A_EVENT_PORT, ev->source.port)) ||
	    nla_put_u64_64bit(skb, NF_RL_A_EVENT_LOST,
			      atomic64_xchg(&rn->events.pending_lost, 0),
			      NF_RL_A_EVENT_PAD))
		goto free_skb;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&rl_genl_family, rn->net, skb, 0,
				RL_MCGRP_EVENTS, GFP_ATOMIC);
	goto unlock;

free_skb:
	nlmsg_free(skb);
unlock:
	rcu_read_unlock();
}

/**
 * rl_netlink_register() - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int __init rl_netlink_register(void)
{
	const char *msg;
	int err;

	err = rl_bucket_rate_init(&events_rate, RL_EVENTS_PER_SEC,
				  NSEC_PER_SEC, RL_EVENTS_BURST, &msg);
	if (WARN_ON(err))
		return err;
	err = genl_register_family(&rl_genl_family);
	if (!err)
		WRITE_ONCE(events_on, true);
	return err;
}

/**
 * rl_netlink_unregister() - unregister the family, waiting for its callers
 *
 * Events stop first, and every sender already past the check has finished
 * before the family, whose multicast group it uses, goes.
 */
void rl_netlink_unregister(void)
{
	WRITE_ONCE(events_on, false);
	synchronize_rcu();
	genl_unregister_family(&rl_genl_family);
}
