// SPDX-License-Identifier: GPL-2.0
/*
 * The commands of the "nf_ratelimit" family that read and change what the
 * table holds: its counters, its settings and its sources (entries).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inetdevice.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "compat.h"
#include "netlink.h"
#include "rules.h"

/* Each counter of struct rl_stats and its attribute. */
static const struct {
	u16 type;
	u16 offset;
} stats_attrs[] = {
#define RL_STAT(attr, field) \
	{ NF_RL_A_STATS_##attr, offsetof(struct rl_stats, field) }
	RL_STAT(PASSED, passed),
	RL_STAT(DROPPED, dropped),
	RL_STAT(DRY_RUN_DROPPED, dry_run_dropped),
	RL_STAT(ENTRIES, entries),
	RL_STAT(TABLE_FULL, table_full),
	RL_STAT(ALLOC_FAILED, alloc_failed),
	RL_STAT(GC_RUNS, gc_runs),
	RL_STAT(GC_FREED, gc_freed),
	RL_STAT(ALLOWED, allowed),
	RL_STAT(DENIED, denied),
	RL_STAT(RULES, rules),
	RL_STAT(RULES_EXPIRED, rules_expired),
	RL_STAT(OWNER_RULES_REFUSED, owner_rules_refused),
#undef RL_STAT
};

static int fill_stats(struct sk_buff *skb, struct rl_net *rn)
{
	struct rl_stats st;
	struct nlattr *nest;
	unsigned int i;

	rl_table_read_stats(&rn->table, &st);
	nest = nla_nest_start(skb, NF_RL_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(stats_attrs); i++)
		if (nla_put_u64_64bit(skb, stats_attrs[i].type,
				      *(u64 *)((u8 *)&st + stats_attrs[i].offset),
				      NF_RL_A_STATS_PAD))
			return -EMSGSIZE;
	/* Not the table's: the namespace's event limiter counts these. */
	if (nla_put_u64_64bit(skb, NF_RL_A_STATS_EVENTS_LOST,
			      atomic64_read(&rn->events.lost), NF_RL_A_STATS_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_config(struct sk_buff *skb, struct rl_net *rn)
{
	const struct rl_table_cfg *t = &rn->table.cfg;
	const struct rl_config *c = &rn->cfg;
	struct rl_limits lim;
	struct nlattr *nest;

	rl_table_read_limits(&rn->table, &lim);
	nest = nla_nest_start(skb, NF_RL_A_CONFIG);
	if (!nest ||
	    nla_put_u64_64bit(skb, NF_RL_A_CONFIG_RATE, c->rate.n,
			      NF_RL_A_CONFIG_PAD) ||
	    nla_put_u64_64bit(skb, NF_RL_A_CONFIG_RATE_PERIOD_NS,
			      c->rate.period_ns, NF_RL_A_CONFIG_PAD) ||
	    nla_put_u64_64bit(skb, NF_RL_A_CONFIG_BURST, c->rate.burst,
			      NF_RL_A_CONFIG_PAD) ||
	    nla_put_u8(skb, NF_RL_A_CONFIG_V4_PREFIX, c->v4_prefix) ||
	    nla_put_u8(skb, NF_RL_A_CONFIG_V6_PREFIX, c->v6_prefix) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_HOOK, c->hook) ||
	    nla_put_s32(skb, NF_RL_A_CONFIG_PRIORITY, c->priority) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_BUCKETS, t->buckets) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_MAX_ENTRIES, lim.max_entries) ||
	    nla_put_u8(skb, NF_RL_A_CONFIG_DRY_RUN, lim.dry_run) ||
	    nla_put_u8(skb, NF_RL_A_CONFIG_LOG, lim.log) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_OWNER_RULES_MAX,
			lim.owner_rules_max) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_FULL_POLICY, lim.full_policy) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_UNIT, c->unit) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_ALGO, c->algo))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Replies to a do request with one attribute nest filled by @fill. */
static int reply(struct genl_info *info, u8 cmd,
		 int (*fill)(struct sk_buff *skb, struct rl_net *rn))
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &rl_genl_family, 0, cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto free_msg;
	}
	err = fill(msg, rl_netlink_info_net(info));
	if (err)
		goto free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

free_msg:
	nlmsg_free(msg);
	return err;
}

/**
 * rl_netlink_get_stats_doit() - NF_RL_CMD_GET_STATS: the namespace's counters
 * @skb: the request
 * @info: its attributes
 *
 * Context: process context, RTNL not held.
 * Return: 0 or a negative errno, with an extack message.
 */
int rl_netlink_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, NF_RL_CMD_GET_STATS, fill_stats);
}

/**
 * rl_netlink_get_config_doit() - NF_RL_CMD_GET_CONFIG: the namespace's settings
 * @skb: the request
 * @info: its attributes
 *
 * Context: process context, RTNL not held.
 * Return: 0 or a negative errno, with an extack message.
 */
int rl_netlink_get_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, NF_RL_CMD_GET_CONFIG, fill_config);
}

/**
 * rl_netlink_set_config_doit() - NF_RL_CMD_SET_CONFIG: all settings or none
 * @skb: the request
 * @info: its attributes
 *
 * Context: process context, RTNL not held.
 * Return: 0 or a negative errno, with an extack message.
 */
int rl_netlink_set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rl_net *rn = rl_netlink_info_net(info);
	struct rl_limits lim;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, NF_RL_A_CONFIG))
		return -EINVAL;
	/* Check everything, then change everything: never half of a request. */
	mutex_lock(&rn->table.lock);
	err = rl_netlink_parse_limits(rn, skb, info->attrs[NF_RL_A_CONFIG],
				      info->extack, &lim);
	if (!err)
		err = rl_netlink_reserve(rn, &lim, info->extack);
	if (!err)
		rl_table_set_limits(&rn->table, &lim);
	mutex_unlock(&rn->table.lock);
	return err;
}

/* An entry key from NF_RL_A_ENTRY's address and prefix length. */
static int parse_prefix(struct nlattr *nest, struct netlink_ext_ack *extack,
			struct rl_key *key)
{
	struct nlattr *tb[NF_RL_A_ENTRY_MAX + 1];
	int err;

	err = nla_parse_nested(tb, NF_RL_A_ENTRY_MAX, nest,
			       rl_netlink_entry_policy, extack);
	if (err)
		return err;
	return rl_netlink_parse_addr(nest, tb[NF_RL_A_ENTRY_ADDR],
				     tb[NF_RL_A_ENTRY_PREFIX], extack, key);
}

/**
 * rl_netlink_del_entry_doit() - NF_RL_CMD_DEL_ENTRY: forget one source
 * @skb: the request
 * @info: its attributes
 *
 * Context: process context, RTNL not held.
 * Return: 0 or a negative errno, with an extack message.
 */
int rl_netlink_del_entry_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rl_key key;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, NF_RL_A_ENTRY))
		return -EINVAL;
	err = parse_prefix(info->attrs[NF_RL_A_ENTRY], info->extack, &key);
	if (err)
		return err;
	err = rl_table_remove(&rl_netlink_info_net(info)->table, &key);
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NF_RL_A_ENTRY],
				    "no such entry");
	return err;
}

/**
 * rl_netlink_flush_entries_doit() - NF_RL_CMD_FLUSH_ENTRIES: forget them all
 * @skb: the request
 * @info: its attributes
 *
 * Context: process context, RTNL not held.
 * Return: 0 or a negative errno, with an extack message.
 */
int rl_netlink_flush_entries_doit(struct sk_buff *skb,
				  struct genl_info *info)
{
	rl_table_flush(&rl_netlink_info_net(info)->table);
	return 0;
}

/* What an entry dump asks for: every filter given must hold. */
struct dump_state {
	struct rl_table_iter iter;
	struct rl_key prefix;		/* entries within it */
	struct rl_key rule;		/* entries charged under it */
	struct rl_sel sel;		/* ... with this selector */
	u64 max_idle_ns;		/* entries idle at most this long */
	bool by_prefix, by_rule, by_idle;
};

/* Dump state, kept in cb->ctx between the calls of one dump. */
struct dump_ctx {
	struct dump_state *st;
};

static struct dump_ctx *dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct dump_ctx) > sizeof(cb->ctx));
	return (struct dump_ctx *)cb->ctx;
}

/*
 * The filters of an entry dump.  An agent that syncs every T asks for the
 * entries of one rule idle at most T: the kernel skips the rest without
 * taking their locks, so an idle table costs it nothing to send.
 */
static int parse_dump_filter(struct nlattr *nest, struct netlink_ext_ack *extack,
			     struct dump_state *st)
{
	struct nlattr *tb[NF_RL_A_ENTRY_MAX + 1];
	int err;

	err = nla_parse_nested(tb, NF_RL_A_ENTRY_MAX, nest,
			       rl_netlink_entry_policy, extack);
	if (err)
		return err;
	if (tb[NF_RL_A_ENTRY_ADDR] || tb[NF_RL_A_ENTRY_PREFIX]) {
		err = rl_netlink_parse_addr(nest, tb[NF_RL_A_ENTRY_ADDR],
					    tb[NF_RL_A_ENTRY_PREFIX], extack,
					    &st->prefix);
		if (err)
			return err;
		st->by_prefix = true;
	}
	if (tb[NF_RL_A_ENTRY_IDLE_MS]) {
		u64 ms = nla_get_u64(tb[NF_RL_A_ENTRY_IDLE_MS]);

		if (check_mul_overflow(ms, (u64)NSEC_PER_MSEC, &st->max_idle_ns))
			st->max_idle_ns = U64_MAX;
		st->by_idle = true;
	}
	if (tb[NF_RL_A_ENTRY_RULE_ADDR] || tb[NF_RL_A_ENTRY_RULE_PREFIX] ||
	    tb[NF_RL_A_ENTRY_RULE_SEL]) {
		struct nlattr *rtb[NF_RL_A_RULE_MAX + 1] = {};

		err = rl_netlink_parse_addr(nest, tb[NF_RL_A_ENTRY_RULE_ADDR],
					    tb[NF_RL_A_ENTRY_RULE_PREFIX],
					    extack, &st->rule);
		if (!err && tb[NF_RL_A_ENTRY_RULE_SEL])
			err = nla_parse_nested(rtb, NF_RL_A_RULE_MAX,
					       tb[NF_RL_A_ENTRY_RULE_SEL],
					       rl_netlink_rule_policy, extack);
		if (!err)
			err = rl_netlink_parse_sel(rtb, st->rule.family, extack,
						   &st->sel);
		if (err)
			return err;
		st->by_rule = true;
	}
	return 0;
}

/**
 * rl_netlink_get_entry_start() - NF_RL_CMD_GET_ENTRY dump: parse the filters
 * @cb: the dump
 *
 * Context: process context, RTNL not held.
 * Return: 0 or a negative errno.
 */
int rl_netlink_get_entry_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = rl_compat_dump_attrs(cb);
	struct dump_ctx *ctx = dump_ctx(cb);
	struct dump_state *st;
	int err;

	st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return -ENOMEM;
	if (attrs[NF_RL_A_ENTRY]) {
		err = parse_dump_filter(attrs[NF_RL_A_ENTRY], cb->extack, st);
		if (err) {
			kfree(st);
			return err;
		}
	}
	ctx->st = st;
	return 0;
}

/**
 * rl_netlink_get_entry_done() - NF_RL_CMD_GET_ENTRY dump: free the filters
 * @cb: the dump
 *
 * Context: process context, RTNL not held.
 * Return: 0 or a negative errno.
 */
int rl_netlink_get_entry_done(struct netlink_callback *cb)
{
	struct dump_ctx *ctx = dump_ctx(cb);

	kfree(ctx->st);
	return 0;
}

static int fill_entry(struct sk_buff *skb, struct netlink_callback *cb,
		      const struct rl_entry_info *e)
{
	const struct rl_key *k = &e->key;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &rl_genl_family, NLM_F_MULTI, NF_RL_CMD_GET_ENTRY);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, NF_RL_A_ENTRY);
	if (!nest ||
	    rl_netlink_put_key(skb, NF_RL_A_ENTRY_ADDR, NF_RL_A_ENTRY_PREFIX, k) ||
	    (e->rule.family &&
	     rl_netlink_put_key(skb, NF_RL_A_ENTRY_RULE_ADDR,
				NF_RL_A_ENTRY_RULE_PREFIX, &e->rule)) ||
	    nla_put_u64_64bit(skb, NF_RL_A_ENTRY_TOKENS, e->tokens,
			      NF_RL_A_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, NF_RL_A_ENTRY_PASSED, e->passed,
			      NF_RL_A_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, NF_RL_A_ENTRY_DROPPED, e->dropped,
			      NF_RL_A_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, NF_RL_A_ENTRY_PASSED_BYTES, e->passed_bytes,
			      NF_RL_A_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, NF_RL_A_ENTRY_DROPPED_BYTES,
			      e->dropped_bytes, NF_RL_A_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, NF_RL_A_ENTRY_IDLE_MS,
			      div_u64(e->idle_ns, NSEC_PER_MSEC),
			      NF_RL_A_ENTRY_PAD) ||
	    (e->rule.family &&
	     rl_netlink_put_sel_nest(skb, NF_RL_A_ENTRY_RULE_SEL, &e->sel)) ||
	    ((e->sel.flags & RL_SEL_PER_PORT) &&
	     nla_put_u16(skb, NF_RL_A_ENTRY_PORT, k->port))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static bool in_prefix(const struct dump_state *st, const struct rl_key *k)
{
	const struct rl_key *f = &st->prefix;

	if (!st->by_prefix)
		return true;
	if (k->family != f->family || k->prefix < f->prefix)
		return false;
	if (k->family == NFPROTO_IPV4)
		return !((k->addr.v4 ^ f->addr.v4) & inet_make_mask(f->prefix));
	return ipv6_prefix_equal(&k->addr.v6, &f->addr.v6, f->prefix);
}

/**
 * rl_netlink_get_entry_dumpit() - NF_RL_CMD_GET_ENTRY dump: the tracked sources
 * @skb: the message being filled
 * @cb: the dump
 *
 * One message per entry.  The walk stops when the skb is full and resumes,
 * in the next call, at the entry that did not fit.  A table that changed
 * since the dump began marks the dump interrupted.
 *
 * Context: process context, RTNL not held.
 * Return: the length of @skb filled, or a negative errno.
 */
int rl_netlink_get_entry_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct rl_net *rn = rl_netlink_dump_net(cb);
	struct dump_state *st = dump_ctx(cb)->st;
	const struct rl_rule *want = NULL;
	struct rl_entry_info info;
	struct rl_entry *e;
	u64 now = ktime_get_ns();

	/* genl_dump_check_consistent() takes a zero prev_seq for "unset". */
	cb->seq = rl_table_generation(&rn->table) ?: 1;
	rcu_read_lock();
	/* The rule set may have changed since the last call: find it again. */
	if (st->by_rule)
		want = rl_rules_find(rl_table_rules_rcu(&rn->table),
				     &st->rule, &st->sel);
	for (e = rl_table_iter_peek(&rn->table, &st->iter); e;
	     rl_table_iter_next(&st->iter),
	     e = rl_table_iter_peek(&rn->table, &st->iter)) {
		/* The key never changes: no lock for the entries filtered out. */
		if (!in_prefix(st, &e->key))
			continue;
		if (st->by_idle && !rl_table_entry_seen_within(e, now,
							       st->max_idle_ns))
			continue;
		if (st->by_rule &&
		    (!want || rl_rules_match(rl_table_rules_rcu(&rn->table),
					     &e->key) != want))
			continue;
		rl_table_read_entry(&rn->table, e, now, &info);
		if (fill_entry(skb, cb, &info))
			break;
	}
	rcu_read_unlock();
	return skb->len;
}
