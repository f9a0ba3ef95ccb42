// SPDX-License-Identifier: GPL-2.0
/*
 * The rule commands of the "nf_ratelimit" family: get and dump, add, replace
 * and delete one rule, and set the whole rule set with the settings at once
 * (what "rlctl apply" sends).
 *
 * A rule set is immutable: every change builds a new one under the table's
 * lock and puts it in force with one pointer swap, so a request either takes
 * effect whole or not at all, and the packet path never sees half of it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "algo.h"
#include "compat.h"
#include "netlink.h"
#include "rules.h"

/* An owner tag from a string attribute; absent: the administrator's. */
static int parse_owner(struct nlattr *a, struct netlink_ext_ack *extack,
		       char *owner)
{
	memset(owner, 0, NF_RL_OWNER_LEN);
	if (!a)
		return 0;
	nla_strscpy(owner, a, NF_RL_OWNER_LEN);
	if (!owner[0] || !rl_rules_owner_valid(owner)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "owner is 1 to 15 of A-Z a-z 0-9 _ . -");
		return -EINVAL;
	}
	return 0;
}

/* A timeout from now, as the ktime_get_ns() the rule expires at. */
static int parse_timeout(struct nlattr *a, struct netlink_ext_ack *extack,
			 u64 *expires_ns)
{
	u64 ms;

	*expires_ns = 0;
	if (!a)
		return 0;
	ms = nla_get_u64(a);
	if (!ms || ms > NF_RL_TIMEOUT_MAX_MS) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "timeout must be from 1 ms to 30 days");
		return -ERANGE;
	}
	*expires_ns = ktime_get_ns() + ms * NSEC_PER_MSEC;
	return 0;
}

/* The rule's prefix; host bits set are refused rather than masked away. */
static int parse_match(struct nlattr *nest, struct nlattr **tb,
		       struct netlink_ext_ack *extack, struct rl_key *match)
{
	struct nlattr *addr = tb[NF_RL_A_RULE_ADDR];
	int err;

	err = rl_netlink_parse_addr(nest, addr, tb[NF_RL_A_RULE_PREFIX], extack,
				    match);
	if (err)
		return err;
	/* The key holds the masked address: anything masked away was a typo. */
	if (match->family == NFPROTO_IPV6 ?
	    memcmp(nla_data(addr), &match->addr.v6, 16) :
	    nla_get_in_addr(addr) != match->addr.v4) {
		NL_SET_ERR_MSG_ATTR(extack, addr,
				    "address has bits set beyond the prefix length");
		return -EINVAL;
	}
	return 0;
}

static int parse_limit(struct rl_net *rn, struct nlattr **tb,
		       struct netlink_ext_ack *extack, struct rl_rule *r)
{
	u8 max = r->match.family == NFPROTO_IPV4 ? 32 : 128;
	u64 n, period_ns = NSEC_PER_SEC, burst;
	const char *msg;
	int err;

	if (!tb[NF_RL_A_RULE_RATE]) {
		NL_SET_ERR_MSG(extack, "a limit rule needs a rate");
		return -EINVAL;
	}
	n = nla_get_u64(tb[NF_RL_A_RULE_RATE]);
	if (tb[NF_RL_A_RULE_RATE_PERIOD_NS])
		period_ns = nla_get_u64(tb[NF_RL_A_RULE_RATE_PERIOD_NS]);
	if (tb[NF_RL_A_RULE_ALGO])
		r->algo = nla_get_u32(tb[NF_RL_A_RULE_ALGO]);
	if (tb[NF_RL_A_RULE_UNIT])
		r->unit = nla_get_u32(tb[NF_RL_A_RULE_UNIT]);
	if (tb[NF_RL_A_RULE_BURST])
		burst = nla_get_u64(tb[NF_RL_A_RULE_BURST]);
	else
		burst = period_ns ? rl_algo_default_burst(n, period_ns, r->unit) : 1;
	err = rl_algo_rate_init(&r->rate, n, period_ns, burst, r->unit, &msg);
	if (err) {
		rl_netlink_set_err(extack, tb[NF_RL_A_RULE_RATE], msg);
		return err;
	}

	/* Sources are grouped by the module's prefixes unless told otherwise. */
	if (tb[NF_RL_A_RULE_AGG_PREFIX]) {
		r->agg_prefix = nla_get_u8(tb[NF_RL_A_RULE_AGG_PREFIX]);
	} else {
		r->agg_prefix = max == 32 ? rn->cfg.v4_prefix : rn->cfg.v6_prefix;
		r->agg_prefix = max(r->agg_prefix, r->match.prefix);
	}
	if (r->agg_prefix < r->match.prefix || r->agg_prefix > max) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NF_RL_A_RULE_AGG_PREFIX],
				    "prefix-len must be from the rule's prefix length to the address length");
		return -EINVAL;
	}
	return 0;
}

/* A whole rule from an NF_RL_A_RULE nest, with defaults filled in. */
static int parse_rule(struct rl_net *rn, struct nlattr *nest,
		      struct netlink_ext_ack *extack, struct rl_rule *r)
{
	struct nlattr *tb[NF_RL_A_RULE_MAX + 1];
	int err;

	memset(r, 0, sizeof(*r));
	err = nla_parse_nested(tb, NF_RL_A_RULE_MAX, nest,
			       rl_netlink_rule_policy, extack);
	if (err)
		return err;
	err = parse_match(nest, tb, extack, &r->match) ?:
	      rl_netlink_parse_sel(tb, r->match.family, extack, &r->sel) ?:
	      parse_owner(tb[NF_RL_A_RULE_OWNER], extack, r->owner) ?:
	      parse_timeout(tb[NF_RL_A_RULE_TIMEOUT_MS], extack, &r->expires_ns);
	if (err)
		return err;
	r->action = NF_RL_ACTION_LIMIT;
	if (tb[NF_RL_A_RULE_ACTION])
		r->action = nla_get_u32(tb[NF_RL_A_RULE_ACTION]);
	if (r->action == NF_RL_ACTION_LIMIT)
		return parse_limit(rn, tb, extack, r);
	if (tb[NF_RL_A_RULE_RATE] || tb[NF_RL_A_RULE_RATE_PERIOD_NS] ||
	    tb[NF_RL_A_RULE_BURST] || tb[NF_RL_A_RULE_AGG_PREFIX] ||
	    tb[NF_RL_A_RULE_ALGO] || tb[NF_RL_A_RULE_UNIT]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "allow and deny rules take no rate, burst, prefix-len or algo");
		return -EINVAL;
	}
	return 0;
}

/*
 * Only the prefix, selector and owner of an NF_RL_A_RULE nest: for get and
 * delete.
 */
static int parse_rule_match(struct nlattr *nest, struct netlink_ext_ack *extack,
			    struct rl_rule *r)
{
	struct nlattr *tb[NF_RL_A_RULE_MAX + 1];
	int err;

	err = nla_parse_nested(tb, NF_RL_A_RULE_MAX, nest,
			       rl_netlink_rule_policy, extack);
	return err ?: parse_match(nest, tb, extack, &r->match) ?:
		      rl_netlink_parse_sel(tb, r->match.family, extack, &r->sel) ?:
		      parse_owner(tb[NF_RL_A_RULE_OWNER], extack, r->owner);
}

/* A live rule (rl_rule_live()): its timeout is the time left, rounded up. */
static int fill_rule(struct sk_buff *skb, const struct rl_rule *r, u64 now)
{
	struct nlattr *nest = nla_nest_start(skb, NF_RL_A_RULE);

	if (!nest ||
	    rl_netlink_put_key(skb, NF_RL_A_RULE_ADDR, NF_RL_A_RULE_PREFIX,
			       &r->match) ||
	    nla_put_u32(skb, NF_RL_A_RULE_ACTION, r->action) ||
	    rl_netlink_put_sel(skb, &r->sel) ||
	    (r->owner[0] && nla_put_string(skb, NF_RL_A_RULE_OWNER, r->owner)) ||
	    (r->expires_ns &&
	     nla_put_u64_64bit(skb, NF_RL_A_RULE_TIMEOUT_MS,
			       DIV_ROUND_UP_ULL(r->expires_ns - now, NSEC_PER_MSEC),
			       NF_RL_A_RULE_PAD)))
		return -EMSGSIZE;
	if (r->action == NF_RL_ACTION_LIMIT &&
	    (nla_put_u64_64bit(skb, NF_RL_A_RULE_RATE, r->rate.n,
			       NF_RL_A_RULE_PAD) ||
	     nla_put_u64_64bit(skb, NF_RL_A_RULE_RATE_PERIOD_NS,
			       r->rate.period_ns, NF_RL_A_RULE_PAD) ||
	     nla_put_u64_64bit(skb, NF_RL_A_RULE_BURST, r->rate.burst,
			       NF_RL_A_RULE_PAD) ||
	     nla_put_u8(skb, NF_RL_A_RULE_AGG_PREFIX, r->agg_prefix) ||
	     nla_put_u32(skb, NF_RL_A_RULE_ALGO, r->algo) ||
	     nla_put_u32(skb, NF_RL_A_RULE_UNIT, r->unit)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * rl_netlink_rules_get_doit() - NF_RL_CMD_GET_RULE for one prefix
 * @skb: request
 * @info: its attributes
 *
 * Return: 0, or -ENOENT when the prefix and selector have no rule.
 */
int rl_netlink_rules_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rl_net *rn = rl_netlink_info_net(info);
	const struct rl_rule *found;
	struct rl_rule want, r;
	struct sk_buff *msg;
	void *hdr;
	u64 now;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, NF_RL_A_RULE))
		return -EINVAL;
	memset(&want, 0, sizeof(want));
	err = parse_rule_match(info->attrs[NF_RL_A_RULE], info->extack, &want);
	if (err)
		return err;
	rcu_read_lock();
	now = ktime_get_ns();
	found = rl_rules_find(rl_table_rules_rcu(&rn->table), &want.match,
			      &want.sel);
	if (found && !rl_rule_live(found, now))
		found = NULL;
	if (found)
		r = *found;
	rcu_read_unlock();
	if (!found) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NF_RL_A_RULE],
				    "no rule for this prefix and selector");
		return -ENOENT;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &rl_genl_family, 0,
				NF_RL_CMD_GET_RULE);
	if (!hdr || fill_rule(msg, &r, now)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * rl_netlink_rules_get_dumpit() - NF_RL_CMD_GET_RULE dump: every rule
 * @skb: the reply being filled
 * @cb: dump state; args[0] is the index of the next rule
 *
 * A rule set replaced between two calls marks the dump interrupted.
 *
 * Return: the length filled, 0 at the end.
 */
int rl_netlink_rules_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct rl_net *rn = rl_netlink_dump_net(cb);
	const struct rl_ruleset *rs;
	u64 now;
	u32 i;

	rcu_read_lock();
	now = ktime_get_ns();
	rs = rl_table_rules_rcu(&rn->table);
	/* genl_dump_check_consistent() takes a zero prev_seq for "unset". */
	cb->seq = rs->generation + 1 ?: 1;
	for (i = cb->args[0]; i < rs->nrules; i++) {
		void *hdr;

		if (!rl_rule_live(&rs->rules[i], now))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &rl_genl_family,
				  NLM_F_MULTI, NF_RL_CMD_GET_RULE);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (fill_rule(skb, &rs->rules[i], now)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}

/* One rule added, replaced or deleted, under the table's lock. */
static int edit(struct genl_info *info, enum rl_rules_op op)
{
	struct rl_net *rn = rl_netlink_info_net(info);
	struct nlattr *nest = info->attrs[NF_RL_A_RULE];
	struct rl_ruleset *rs;
	const char *msg;
	struct rl_rule r;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, NF_RL_A_RULE))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	if (op == RL_RULES_DEL)
		err = parse_rule_match(nest, info->extack, &r);
	else
		err = parse_rule(rn, nest, info->extack, &r);
	if (err)
		return err;

	mutex_lock(&rn->table.lock);
	/* A rule expired a moment ago is gone for this request too. */
	rl_table_expire_rules(&rn->table, ktime_get_ns());
	rs = rl_rules_edit(rl_table_rules(&rn->table), op, &r,
			   READ_ONCE(rn->table.cfg.limits.owner_rules_max), &msg);
	if (IS_ERR(rs)) {
		rl_netlink_set_err(info->extack, nest, msg);
		err = PTR_ERR(rs);
		if (err == -ENOSPC)
			rl_table_count_refused(&rn->table);
	} else {
		rl_table_set_rules(&rn->table, rs);
	}
	mutex_unlock(&rn->table.lock);
	return err;
}

/**
 * rl_netlink_rules_add_doit() - NF_RL_CMD_ADD_RULE
 * @skb: request
 * @info: its attributes
 *
 * Return: 0, or -EEXIST when the prefix and selector have a rule already.
 */
int rl_netlink_rules_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return edit(info, RL_RULES_ADD);
}

/**
 * rl_netlink_rules_replace_doit() - NF_RL_CMD_REPLACE_RULE: add or replace
 * @skb: request
 * @info: its attributes
 *
 * Return: 0 or a negative errno.
 */
int rl_netlink_rules_replace_doit(struct sk_buff *skb, struct genl_info *info)
{
	return edit(info, RL_RULES_REPLACE);
}

/**
 * rl_netlink_rules_del_doit() - NF_RL_CMD_DEL_RULE
 * @skb: request
 * @info: its attributes
 *
 * Return: 0, or -ENOENT when the prefix and selector have no rule.
 */
int rl_netlink_rules_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return edit(info, RL_RULES_DEL);
}

/**
 * rl_netlink_rules_set_doit() - NF_RL_CMD_SET_RULES: replace one owner's rules
 * @skb: request
 * @info: its attributes: any number of NF_RL_A_RULE, NF_RL_A_CONFIG, and
 *	  NF_RL_A_OWNER (absent: the administrator's rules, "rlctl apply")
 *
 * Every rule and setting is checked before anything changes; then the new
 * rules and settings take effect together.  Only the administrator's
 * request carries settings.  How the owners' rules meet is
 * rl_rules_set_owner()'s to say.
 *
 * Return: 0 or a negative errno, with nothing changed.
 */
int rl_netlink_rules_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rl_net *rn = rl_netlink_info_net(info);
	struct nlattr *a, *hdr = genlmsg_data(info->genlhdr);
	int len = genlmsg_len(info->genlhdr), rem, err;
	struct rl_ruleset *rs;
	struct rl_limits lim;
	char owner[NF_RL_OWNER_LEN];
	struct rl_rule *rules;
	u32 n = 0;
	const char *msg;

	err = parse_owner(info->attrs[NF_RL_A_OWNER], info->extack, owner);
	if (err)
		return err;
	if (owner[0] && info->attrs[NF_RL_A_CONFIG]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NF_RL_A_CONFIG],
				    "settings are the administrator's: no config with an owner");
		return -EINVAL;
	}
	nla_for_each_attr(a, hdr, len, rem)
		n += nla_type(a) == NF_RL_A_RULE;
	if (n > RL_RULES_MAX) {
		NL_SET_ERR_MSG(info->extack, "too many rules: at most 65536");
		return -E2BIG;
	}
	BUILD_BUG_ON(RL_RULES_MAX != 65536);
	rules = kvcalloc(max_t(u32, n, 1), sizeof(*rules), GFP_KERNEL_ACCOUNT);
	if (!rules)
		return -ENOMEM;
	n = 0;
	nla_for_each_attr(a, hdr, len, rem) {
		if (nla_type(a) != NF_RL_A_RULE)
			continue;
		err = parse_rule(rn, a, info->extack, &rules[n]);
		if (err)
			goto free_rules;
		if (strcmp(rules[n].owner, owner)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "a rule's owner must be the request's owner");
			err = -EINVAL;
			goto free_rules;
		}
		n++;
	}

	mutex_lock(&rn->table.lock);
	err = rl_netlink_parse_limits(rn, skb, info->attrs[NF_RL_A_CONFIG],
				      info->extack, &lim);
	if (err)
		goto unlock;
	rl_table_expire_rules(&rn->table, ktime_get_ns());
	rs = rl_rules_set_owner(rl_table_rules(&rn->table), owner, rules, n,
				lim.owner_rules_max, &msg);
	if (IS_ERR(rs)) {
		rl_netlink_set_err(info->extack, NULL, msg);
		err = PTR_ERR(rs);
		if (err == -ENOSPC)
			rl_table_count_refused(&rn->table);
		goto unlock;
	}
	err = rl_netlink_reserve(rn, &lim, info->extack);
	if (err) {
		rl_rules_free(rs);
		goto unlock;
	}
	rl_table_set_rules(&rn->table, rs);
	rl_table_set_limits(&rn->table, &lim);
unlock:
	mutex_unlock(&rn->table.lock);
free_rules:
	kvfree(rules);
	return err;
}
