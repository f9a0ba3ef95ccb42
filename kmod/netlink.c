// SPDX-License-Identifier: GPL-2.0
/*
 * The "nf_ratelimit" generic netlink family: statistics, settings, the table
 * of sources and the events of the caller's network namespace.  The rule
 * commands are in netlink_rules.c.
 *
 * Every attribute is checked by a policy (strict validation, unknown
 * attributes refused), every error carries an extack message, and commands
 * that change state, or show clients (entries, rules, events), need
 * CAP_NET_ADMIN in the caller's namespace (GENL_UNS_ADMIN_PERM); statistics
 * and settings are anyone's.  The spec is
 * Documentation/netlink/specs/nf_ratelimit.yaml in this repository.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
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

/* Not const: 6.1's nla_policy points to a mutable one. */
static struct netlink_range_validation max_entries_range = {
	.min = 1,
	.max = RL_MAX_ENTRIES_LIMIT,
};

static struct netlink_range_validation owner_rules_range = {
	.min = 0,
	.max = RL_RULES_MAX,
};

/* Fixed at load; extack also points at the offending attribute. */
#define READ_ONLY { .type = NLA_REJECT, \
	.reject_message = "set at module load: reload the module to change it" }

static const struct nla_policy config_policy[NF_RL_A_CONFIG_MAX + 1] = {
	[NF_RL_A_CONFIG_RATE] = READ_ONLY,
	[NF_RL_A_CONFIG_RATE_PERIOD_NS] = READ_ONLY,
	[NF_RL_A_CONFIG_BURST] = READ_ONLY,
	[NF_RL_A_CONFIG_V4_PREFIX] = READ_ONLY,
	[NF_RL_A_CONFIG_V6_PREFIX] = READ_ONLY,
	[NF_RL_A_CONFIG_HOOK] = READ_ONLY,
	[NF_RL_A_CONFIG_PRIORITY] = READ_ONLY,
	[NF_RL_A_CONFIG_BUCKETS] = READ_ONLY,
	[NF_RL_A_CONFIG_UNIT] = READ_ONLY,
	[NF_RL_A_CONFIG_ALGO] = READ_ONLY,
	[NF_RL_A_CONFIG_MAX_ENTRIES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &max_entries_range),
	[NF_RL_A_CONFIG_DRY_RUN] = NLA_POLICY_MAX(NLA_U8, 1),
	[NF_RL_A_CONFIG_LOG] = NLA_POLICY_MAX(NLA_U8, 1),
	[NF_RL_A_CONFIG_OWNER_RULES_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &owner_rules_range),
	[NF_RL_A_CONFIG_FULL_POLICY] = NLA_POLICY_MAX(NLA_U32, __NF_RL_FULL_MAX - 1),
};

static const struct nla_policy entry_policy[NF_RL_A_ENTRY_MAX + 1] = {
	[NF_RL_A_ENTRY_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NF_RL_A_ENTRY_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NF_RL_A_ENTRY_IDLE_MS] = { .type = NLA_U64 },
	[NF_RL_A_ENTRY_RULE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NF_RL_A_ENTRY_RULE_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NF_RL_A_ENTRY_RULE_SEL] = NLA_POLICY_NESTED(rl_rule_policy),
};

static const struct nla_policy rl_policy[NF_RL_A_MAX + 1] = {
	[NF_RL_A_CONFIG] = NLA_POLICY_NESTED(config_policy),
	[NF_RL_A_ENTRY] = NLA_POLICY_NESTED(entry_policy),
	[NF_RL_A_RULE] = NLA_POLICY_NESTED(rl_rule_policy),
	[NF_RL_A_OWNER] = { .type = NLA_NUL_STRING, .len = NF_RL_OWNER_LEN - 1 },
};

/**
 * rl_netlink_info_net() - the nf_ratelimit state of a request's namespace
 * @info: the request
 *
 * Return: the state.
 */
struct rl_net *rl_netlink_info_net(struct genl_info *info)
{
	return rl_pernet(genl_info_net(info));
}

/**
 * rl_netlink_dump_net() - the nf_ratelimit state of a dump's namespace
 * @cb: the dump
 *
 * Return: the state.
 */
struct rl_net *rl_netlink_dump_net(struct netlink_callback *cb)
{
	return rl_pernet(sock_net(cb->skb->sk));
}

static int put_u64(struct sk_buff *skb, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, type, v, pad);
}

static int fill_stats(struct sk_buff *skb, struct rl_net *rn)
{
	struct rl_stats st;
	struct nlattr *nest;

	rl_table_read_stats(&rn->table, &st);
	nest = nla_nest_start(skb, NF_RL_A_STATS);
	if (!nest ||
	    put_u64(skb, NF_RL_A_STATS_PASSED, st.passed, NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_DROPPED, st.dropped, NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_DRY_RUN_DROPPED, st.dry_run_dropped,
		    NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_ENTRIES, st.entries, NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_TABLE_FULL, st.table_full,
		    NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_ALLOC_FAILED, st.alloc_failed,
		    NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_GC_RUNS, st.gc_runs, NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_GC_FREED, st.gc_freed, NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_ALLOWED, st.allowed, NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_DENIED, st.denied, NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_RULES, st.rules, NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_EVENTS_LOST,
		    atomic64_read(&rn->events.lost), NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_RULES_EXPIRED, st.rules_expired,
		    NF_RL_A_STATS_PAD) ||
	    put_u64(skb, NF_RL_A_STATS_OWNER_RULES_REFUSED,
		    st.owner_rules_refused, NF_RL_A_STATS_PAD))
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
	    put_u64(skb, NF_RL_A_CONFIG_RATE, c->rate.n, NF_RL_A_CONFIG_PAD) ||
	    put_u64(skb, NF_RL_A_CONFIG_RATE_PERIOD_NS, c->rate.period_ns,
		    NF_RL_A_CONFIG_PAD) ||
	    put_u64(skb, NF_RL_A_CONFIG_BURST, c->rate.burst,
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

static int get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, NF_RL_CMD_GET_STATS, fill_stats);
}

static int get_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, NF_RL_CMD_GET_CONFIG, fill_config);
}

/* What the module parameters allowed, if the request is not the host's. */
static int check_privilege(struct rl_net *rn, struct sk_buff *skb,
			   struct nlattr **tb, const struct rl_limits *cur,
			   const struct rl_limits *lim,
			   struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	/*
	 * Entries are allocated in softirq, charged to no memory cgroup:
	 * only the host's administrator may let a namespace have more of
	 * them than the module was loaded with.
	 */
	if (lim->max_entries > rn->cfg.max_entries &&
	    lim->max_entries != cur->max_entries) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NF_RL_A_CONFIG_MAX_ENTRIES],
				    "raising max_entries above the module parameter needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	/* Log lines spend the host's net_ratelimit() budget. */
	if (lim->log && !cur->log) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NF_RL_A_CONFIG_LOG],
				    "log on needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	return 0;
}

/**
 * rl_netlink_parse_limits() - the settings a request asks for
 * @rn: the namespace
 * @skb: the request, whose sender's capabilities are checked
 * @nest: NF_RL_A_CONFIG, or NULL to keep every setting
 * @extack: for the reason of a refusal
 * @lim: the current settings with the request's changes applied
 *
 * A namespace's administrator may change every setting, except that raising
 * max_entries above the module parameter and turning the log on need
 * CAP_NET_ADMIN in the initial user namespace.
 *
 * Context: with rn->table.lock held, so that the settings read are current.
 * Return: 0, or a negative errno with @extack set.
 */
int rl_netlink_parse_limits(struct rl_net *rn, struct sk_buff *skb,
			    struct nlattr *nest, struct netlink_ext_ack *extack,
			    struct rl_limits *lim)
{
	struct nlattr *tb[NF_RL_A_CONFIG_MAX + 1];
	struct rl_limits cur;
	int err;

	lockdep_assert_held(&rn->table.lock);
	rl_table_read_limits(&rn->table, &cur);
	*lim = cur;
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, NF_RL_A_CONFIG_MAX, nest, config_policy,
			       extack);
	if (err)
		return err;
	if (tb[NF_RL_A_CONFIG_MAX_ENTRIES])
		lim->max_entries = nla_get_u32(tb[NF_RL_A_CONFIG_MAX_ENTRIES]);
	if (tb[NF_RL_A_CONFIG_DRY_RUN])
		lim->dry_run = nla_get_u8(tb[NF_RL_A_CONFIG_DRY_RUN]);
	if (tb[NF_RL_A_CONFIG_LOG])
		lim->log = nla_get_u8(tb[NF_RL_A_CONFIG_LOG]);
	if (tb[NF_RL_A_CONFIG_FULL_POLICY])
		lim->full_policy = nla_get_u32(tb[NF_RL_A_CONFIG_FULL_POLICY]);
	if (tb[NF_RL_A_CONFIG_OWNER_RULES_MAX])
		lim->owner_rules_max =
			nla_get_u32(tb[NF_RL_A_CONFIG_OWNER_RULES_MAX]);
	err = check_privilege(rn, skb, tb, &cur, lim, extack);
	if (err)
		return err;
	if (lim->max_entries > 2ULL * rn->table.cfg.buckets) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NF_RL_A_CONFIG_MAX_ENTRIES],
				    "max_entries may be at most twice buckets: reload the module with more buckets");
		return -ERANGE;
	}
	return 0;
}

static int set_config_doit(struct sk_buff *skb, struct genl_info *info)
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
		rl_table_set_limits(&rn->table, &lim);
	mutex_unlock(&rn->table.lock);
	return err;
}

/**
 * rl_netlink_parse_addr() - a key from an address and a prefix length
 * @nest: the nest holding both, for error messages
 * @addr: the address attribute, 4 (IPv4) or 16 (IPv6) bytes
 * @prefix: the prefix length attribute (u8)
 * @extack: for the reason of a refusal
 * @key: filled in, masked to the prefix
 *
 * Return: 0, or -EINVAL with @extack set.
 */
int rl_netlink_parse_addr(struct nlattr *nest, struct nlattr *addr,
			  struct nlattr *prefix, struct netlink_ext_ack *extack,
			  struct rl_key *key)
{
	u8 len;

	if (!addr || !prefix) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "an address and a prefix length are required");
		return -EINVAL;
	}
	if (nla_len(addr) == 16) {
		struct in6_addr a6 = nla_get_in6_addr(addr);

		rl_key_build6(key, &a6, nla_get_u8(prefix));
		return 0;
	}
	if (nla_len(addr) != 4) {
		NL_SET_ERR_MSG_ATTR(extack, addr,
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	len = nla_get_u8(prefix);
	if (len > 32) {
		NL_SET_ERR_MSG_ATTR(extack, prefix,
				    "IPv4 prefix length must be 0 to 32");
		return -EINVAL;
	}
	rl_key_build4(key, nla_get_in_addr(addr), len);
	return 0;
}

/**
 * rl_netlink_put_key() - put a key as an address and a prefix length
 * @skb: message
 * @addr_type: attribute type of the address
 * @prefix_type: attribute type of the prefix length
 * @key: the key
 *
 * Return: 0 or -EMSGSIZE.
 */
int rl_netlink_put_key(struct sk_buff *skb, int addr_type, int prefix_type,
		       const struct rl_key *key)
{
	if (key->family == NFPROTO_IPV4 ?
	    nla_put_in_addr(skb, addr_type, key->addr.v4) :
	    nla_put_in6_addr(skb, addr_type, &key->addr.v6))
		return -EMSGSIZE;
	return nla_put_u8(skb, prefix_type, key->prefix);
}

/* An entry key from NF_RL_A_ENTRY's address and prefix length. */
static int parse_prefix(struct nlattr *nest, struct netlink_ext_ack *extack,
			struct rl_key *key)
{
	struct nlattr *tb[NF_RL_A_ENTRY_MAX + 1];
	int err;

	err = nla_parse_nested(tb, NF_RL_A_ENTRY_MAX, nest, entry_policy,
			       extack);
	if (err)
		return err;
	return rl_netlink_parse_addr(nest, tb[NF_RL_A_ENTRY_ADDR],
				     tb[NF_RL_A_ENTRY_PREFIX], extack, key);
}

static int del_entry_doit(struct sk_buff *skb, struct genl_info *info)
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

static int flush_entries_doit(struct sk_buff *skb, struct genl_info *info)
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

	err = nla_parse_nested(tb, NF_RL_A_ENTRY_MAX, nest, entry_policy,
			       extack);
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
					       rl_rule_policy, extack);
		if (!err)
			err = rl_netlink_parse_sel(rtb, st->rule.family, extack,
						   &st->sel);
		if (err)
			return err;
		st->by_rule = true;
	}
	return 0;
}

static int get_entry_start(struct netlink_callback *cb)
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

static int get_entry_done(struct netlink_callback *cb)
{
	struct dump_ctx *ctx = dump_ctx(cb);

	kfree(ctx->st);
	return 0;
}

/* A rule's selector as a nest of rule attributes; none for a source rule. */
static int put_sel(struct sk_buff *skb, int type, const struct rl_sel *sel)
{
	struct nlattr *nest;

	if (rl_sel_is_source(sel))
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest || rl_netlink_put_sel(skb, sel))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
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
	    put_u64(skb, NF_RL_A_ENTRY_TOKENS, e->tokens, NF_RL_A_ENTRY_PAD) ||
	    put_u64(skb, NF_RL_A_ENTRY_PASSED, e->passed, NF_RL_A_ENTRY_PAD) ||
	    put_u64(skb, NF_RL_A_ENTRY_DROPPED, e->dropped, NF_RL_A_ENTRY_PAD) ||
	    put_u64(skb, NF_RL_A_ENTRY_PASSED_BYTES, e->passed_bytes,
		    NF_RL_A_ENTRY_PAD) ||
	    put_u64(skb, NF_RL_A_ENTRY_DROPPED_BYTES, e->dropped_bytes,
		    NF_RL_A_ENTRY_PAD) ||
	    put_u64(skb, NF_RL_A_ENTRY_IDLE_MS,
		    div_u64(e->idle_ns, NSEC_PER_MSEC), NF_RL_A_ENTRY_PAD) ||
	    (e->rule.family && put_sel(skb, NF_RL_A_ENTRY_RULE_SEL, &e->sel)) ||
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

/*
 * One message per entry.  The walk stops when the skb is full and resumes,
 * in the next call, at the entry that did not fit.
 * A table that changed since the dump began marks the dump interrupted.
 */
static int get_entry_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
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

static const struct genl_ops rl_genl_ops[] = {
	{
		.cmd = NF_RL_CMD_GET_STATS,
		.doit = get_stats_doit,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
	},
	{
		.cmd = NF_RL_CMD_GET_CONFIG,
		.doit = get_config_doit,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
	},
	{
		.cmd = NF_RL_CMD_SET_CONFIG,
		.doit = set_config_doit,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_GET_ENTRY,
		.start = get_entry_start,
		.dumpit = get_entry_dumpit,
		.done = get_entry_done,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,	/* client addresses */
	},
	{
		.cmd = NF_RL_CMD_DEL_ENTRY,
		.doit = del_entry_doit,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_FLUSH_ENTRIES,
		.doit = flush_entries_doit,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_GET_RULE,
		.doit = rl_netlink_rules_get_doit,
		.dumpit = rl_netlink_rules_get_dumpit,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,	/* may name clients, as bans do */
	},
	{
		.cmd = NF_RL_CMD_ADD_RULE,
		.doit = rl_netlink_rules_add_doit,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_REPLACE_RULE,
		.doit = rl_netlink_rules_replace_doit,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_DEL_RULE,
		.doit = rl_netlink_rules_del_doit,
		.policy = rl_policy,
		.maxattr = NF_RL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NF_RL_CMD_SET_RULES,
		.doit = rl_netlink_rules_set_doit,
		.policy = rl_policy,
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
	    put_u64(skb, NF_RL_A_EVENT_DROPPED, ev->dropped, NF_RL_A_EVENT_PAD) ||
	    put_sel(skb, NF_RL_A_EVENT_RULE_SEL, ev->sel) ||
	    ((ev->sel->flags & RL_SEL_PER_PORT) &&
	     nla_put_u16(skb, NF_RL_A_EVENT_PORT, ev->source.port)) ||
	    put_u64(skb, NF_RL_A_EVENT_LOST,
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
