// SPDX-License-Identifier: GPL-2.0
/*
 * The "nf_ratelimit" generic netlink family: statistics, settings and the
 * table of sources of the caller's network namespace.
 *
 * Every attribute is checked by a policy (strict validation, unknown
 * attributes refused), every error carries an extack message, and commands
 * that change state need CAP_NET_ADMIN in the caller's namespace
 * (GENL_UNS_ADMIN_PERM).  The spec is
 * Documentation/netlink/specs/nf_ratelimit.yaml in this repository.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inetdevice.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "nf_ratelimit.h"

/* Not const: 6.1's nla_policy points to a mutable one. */
static struct netlink_range_validation max_entries_range = {
	.min = 1,
	.max = RL_MAX_ENTRIES_LIMIT,
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
	[NF_RL_A_CONFIG_MAX_ENTRIES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &max_entries_range),
	[NF_RL_A_CONFIG_DRY_RUN] = NLA_POLICY_MAX(NLA_U8, 1),
	[NF_RL_A_CONFIG_FULL_POLICY] = NLA_POLICY_MAX(NLA_U32, __NF_RL_FULL_MAX - 1),
};

static const struct nla_policy entry_policy[NF_RL_A_ENTRY_MAX + 1] = {
	[NF_RL_A_ENTRY_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NF_RL_A_ENTRY_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy rl_policy[NF_RL_A_MAX + 1] = {
	[NF_RL_A_CONFIG] = NLA_POLICY_NESTED(config_policy),
	[NF_RL_A_ENTRY] = NLA_POLICY_NESTED(entry_policy),
};

static struct genl_family rl_genl_family;

static struct rl_net *info_rl_net(struct genl_info *info)
{
	return rl_main_net(genl_info_net(info));
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
	    put_u64(skb, NF_RL_A_STATS_GC_FREED, st.gc_freed, NF_RL_A_STATS_PAD))
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
	    put_u64(skb, NF_RL_A_CONFIG_RATE, t->rate.n, NF_RL_A_CONFIG_PAD) ||
	    put_u64(skb, NF_RL_A_CONFIG_RATE_PERIOD_NS, t->rate.period_ns,
		    NF_RL_A_CONFIG_PAD) ||
	    put_u64(skb, NF_RL_A_CONFIG_BURST, t->rate.burst,
		    NF_RL_A_CONFIG_PAD) ||
	    nla_put_u8(skb, NF_RL_A_CONFIG_V4_PREFIX, c->v4_prefix) ||
	    nla_put_u8(skb, NF_RL_A_CONFIG_V6_PREFIX, c->v6_prefix) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_HOOK, c->hook) ||
	    nla_put_s32(skb, NF_RL_A_CONFIG_PRIORITY, c->priority) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_BUCKETS, t->buckets) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_MAX_ENTRIES, lim.max_entries) ||
	    nla_put_u8(skb, NF_RL_A_CONFIG_DRY_RUN, lim.dry_run) ||
	    nla_put_u32(skb, NF_RL_A_CONFIG_FULL_POLICY, lim.full_policy))
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
	err = fill(msg, info_rl_net(info));
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

static int set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[NF_RL_A_CONFIG_MAX + 1];
	struct rl_net *rn = info_rl_net(info);
	struct rl_limits lim;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, NF_RL_A_CONFIG))
		return -EINVAL;
	err = nla_parse_nested(tb, NF_RL_A_CONFIG_MAX, info->attrs[NF_RL_A_CONFIG],
			       config_policy, info->extack);
	if (err)
		return err;

	/* Check everything, then change everything: never half of a request. */
	mutex_lock(&rn->lock);
	rl_table_read_limits(&rn->table, &lim);
	if (tb[NF_RL_A_CONFIG_MAX_ENTRIES])
		lim.max_entries = nla_get_u32(tb[NF_RL_A_CONFIG_MAX_ENTRIES]);
	if (tb[NF_RL_A_CONFIG_DRY_RUN])
		lim.dry_run = nla_get_u8(tb[NF_RL_A_CONFIG_DRY_RUN]);
	if (tb[NF_RL_A_CONFIG_FULL_POLICY])
		lim.full_policy = nla_get_u32(tb[NF_RL_A_CONFIG_FULL_POLICY]);
	if (lim.max_entries > 2ULL * rn->table.cfg.buckets) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NF_RL_A_CONFIG_MAX_ENTRIES],
				    "max_entries may be at most twice buckets: reload the module with more buckets");
		err = -ERANGE;
	} else {
		rl_table_set_limits(&rn->table, &lim);
	}
	mutex_unlock(&rn->lock);
	return err;
}

/* An entry key from NF_RL_A_ENTRY's address and prefix length. */
static int parse_prefix(struct nlattr *nest, struct netlink_ext_ack *extack,
			struct rl_key *key)
{
	struct nlattr *tb[NF_RL_A_ENTRY_MAX + 1];
	struct nlattr *addr;
	u8 prefix;
	int err;

	err = nla_parse_nested(tb, NF_RL_A_ENTRY_MAX, nest, entry_policy,
			       extack);
	if (err)
		return err;
	addr = tb[NF_RL_A_ENTRY_ADDR];
	if (!addr || !tb[NF_RL_A_ENTRY_PREFIX]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "an address and a prefix length are required");
		return -EINVAL;
	}
	prefix = nla_get_u8(tb[NF_RL_A_ENTRY_PREFIX]);
	if (nla_len(addr) == 16) {
		struct in6_addr a6 = nla_get_in6_addr(addr);

		rl_hook_build_key6(key, &a6, prefix);
		return 0;
	}
	if (nla_len(addr) != 4) {
		NL_SET_ERR_MSG_ATTR(extack, addr,
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	if (prefix > 32) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NF_RL_A_ENTRY_PREFIX],
				    "IPv4 prefix length must be 0 to 32");
		return -EINVAL;
	}
	rl_hook_build_key4(key, nla_get_in_addr(addr), prefix);
	return 0;
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
	err = rl_table_remove(&info_rl_net(info)->table, &key);
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NF_RL_A_ENTRY],
				    "no such entry");
	return err;
}

static int flush_entries_doit(struct sk_buff *skb, struct genl_info *info)
{
	rl_table_flush(&info_rl_net(info)->table);
	return 0;
}

/* Dump state, kept in cb->ctx between the calls of one dump. */
struct dump_ctx {
	struct rhashtable_iter *iter;
	struct rl_key filter;
	bool filtered;
};

static struct dump_ctx *dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct dump_ctx) > sizeof(cb->ctx));
	return (struct dump_ctx *)cb->ctx;
}

static int get_entry_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = rl_compat_dump_attrs(cb);
	struct rl_net *rn = rl_main_net(sock_net(cb->skb->sk));
	struct dump_ctx *ctx = dump_ctx(cb);
	int err;

	if (attrs[NF_RL_A_ENTRY]) {
		err = parse_prefix(attrs[NF_RL_A_ENTRY], cb->extack, &ctx->filter);
		if (err)
			return err;
		ctx->filtered = true;
	}
	ctx->iter = kmalloc(sizeof(*ctx->iter), GFP_KERNEL);
	if (!ctx->iter)
		return -ENOMEM;
	rhashtable_walk_enter(&rn->table.ht, ctx->iter);
	return 0;
}

static int get_entry_done(struct netlink_callback *cb)
{
	struct dump_ctx *ctx = dump_ctx(cb);

	if (ctx->iter) {
		rhashtable_walk_exit(ctx->iter);
		kfree(ctx->iter);
	}
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
	    (k->family == NFPROTO_IPV4 ?
	     nla_put_in_addr(skb, NF_RL_A_ENTRY_ADDR, k->addr.v4) :
	     nla_put_in6_addr(skb, NF_RL_A_ENTRY_ADDR, &k->addr.v6)) ||
	    nla_put_u8(skb, NF_RL_A_ENTRY_PREFIX, k->prefix) ||
	    put_u64(skb, NF_RL_A_ENTRY_TOKENS, e->tokens, NF_RL_A_ENTRY_PAD) ||
	    put_u64(skb, NF_RL_A_ENTRY_PASSED, e->passed, NF_RL_A_ENTRY_PAD) ||
	    put_u64(skb, NF_RL_A_ENTRY_DROPPED, e->dropped, NF_RL_A_ENTRY_PAD) ||
	    put_u64(skb, NF_RL_A_ENTRY_IDLE_MS,
		    div_u64(e->idle_ns, NSEC_PER_MSEC), NF_RL_A_ENTRY_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static bool in_filter(const struct dump_ctx *ctx, const struct rl_key *k)
{
	const struct rl_key *f = &ctx->filter;

	if (!ctx->filtered)
		return true;
	if (k->family != f->family || k->prefix < f->prefix)
		return false;
	if (k->family == NFPROTO_IPV4)
		return !((k->addr.v4 ^ f->addr.v4) & inet_make_mask(f->prefix));
	return ipv6_prefix_equal(&k->addr.v6, &f->addr.v6, f->prefix);
}

/*
 * One message per entry.  The walk stops when the skb is full and resumes,
 * in the next call, at the entry that did not fit (rhashtable_walk_peek).
 * A table that changed since the dump began marks the dump interrupted.
 */
static int get_entry_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rl_net *rn = rl_main_net(sock_net(skb->sk));
	struct dump_ctx *ctx = dump_ctx(cb);
	struct rl_entry_info info;
	struct rl_entry *e;
	u64 now = ktime_get_ns();

	/* genl_dump_check_consistent() takes a zero prev_seq for "unset". */
	cb->seq = rl_table_generation(&rn->table) ?: 1;
	rhashtable_walk_start(ctx->iter);
	for (e = rhashtable_walk_peek(ctx->iter); e;
	     e = rhashtable_walk_next(ctx->iter)) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;
			break;
		}
		rl_table_read_entry(&rn->table, e, now, &info);
		if (in_filter(ctx, &info.key) && fill_entry(skb, cb, &info))
			break;
	}
	rhashtable_walk_stop(ctx->iter);
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
};

static struct genl_family rl_genl_family __ro_after_init = {
	.name = NF_RL_GENL_NAME,
	.version = NF_RL_GENL_VERSION,
	.maxattr = NF_RL_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = rl_genl_ops,
	.n_ops = ARRAY_SIZE(rl_genl_ops),
};

/**
 * rl_netlink_register() - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int __init rl_netlink_register(void)
{
	return genl_register_family(&rl_genl_family);
}

/**
 * rl_netlink_unregister() - unregister the family, waiting for its callers
 */
void rl_netlink_unregister(void)
{
	genl_unregister_family(&rl_genl_family);
}
