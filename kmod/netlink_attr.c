// SPDX-License-Identifier: GPL-2.0
/*
 * The attribute sets of the "nf_ratelimit" family that several commands
 * share: their policies, and the parsing and filling of addresses,
 * selectors and settings.  The policies restate the spec's checks: (the
 * kernel cannot read YAML); tools/check-spec.py derives from the spec what
 * every command must accept, and selftests/netlink_policy.sh compares that
 * with the policies the loaded module reports, so the two cannot drift.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "compat.h"
#include "netlink.h"
#include "rules.h"

#define RL_PORTS_LEN(n)	((n) * sizeof(struct nf_rl_port_range))

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

const struct nla_policy rl_netlink_config_policy[NF_RL_A_CONFIG_MAX + 1] = {
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

const struct nla_policy rl_netlink_entry_policy[NF_RL_A_ENTRY_MAX + 1] = {
	[NF_RL_A_ENTRY_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NF_RL_A_ENTRY_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NF_RL_A_ENTRY_IDLE_MS] = { .type = NLA_U64 },
	[NF_RL_A_ENTRY_RULE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NF_RL_A_ENTRY_RULE_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NF_RL_A_ENTRY_RULE_SEL] = NLA_POLICY_NESTED(rl_netlink_rule_policy),
};

const struct nla_policy rl_netlink_rule_policy[NF_RL_A_RULE_MAX + 1] = {
	[NF_RL_A_RULE_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NF_RL_A_RULE_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NF_RL_A_RULE_ACTION] = NLA_POLICY_MAX(NLA_U32, __NF_RL_ACTION_MAX - 1),
	[NF_RL_A_RULE_RATE] = { .type = NLA_U64 },
	[NF_RL_A_RULE_RATE_PERIOD_NS] = { .type = NLA_U64 },
	[NF_RL_A_RULE_BURST] = { .type = NLA_U64 },
	[NF_RL_A_RULE_AGG_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NF_RL_A_RULE_ALGO] = NLA_POLICY_MAX(NLA_U32, __NF_RL_ALGO_MAX - 1),
	[NF_RL_A_RULE_UNIT] = NLA_POLICY_MAX(NLA_U32, __NF_RL_UNIT_MAX - 1),
	[NF_RL_A_RULE_PROTO] = NLA_POLICY_MIN(NLA_U8, 1),
	[NF_RL_A_RULE_DPORTS] = NLA_POLICY_RANGE(NLA_BINARY, RL_PORTS_LEN(1),
						 RL_PORTS_LEN(NF_RL_PORT_RANGES_MAX)),
	[NF_RL_A_RULE_SYN] = { .type = NLA_FLAG },
	[NF_RL_A_RULE_ICMP_TYPES] = NLA_POLICY_RANGE(NLA_BINARY, 1, NF_RL_ICMP_TYPES_MAX),
	[NF_RL_A_RULE_IIF] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[NF_RL_A_RULE_PER_PORT] = { .type = NLA_FLAG },
	[NF_RL_A_RULE_TIMEOUT_MS] = { .type = NLA_U64 },
	[NF_RL_A_RULE_OWNER] = { .type = NLA_NUL_STRING, .len = NF_RL_OWNER_LEN - 1 },
};

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

/**
 * rl_netlink_parse_sel() - a rule's selector from its attributes
 * @tb: the parsed NF_RL_A_RULE nest
 * @family: the rule's
 * @extack: for the reason of a failure
 * @sel: filled in, canonical
 *
 * Return: 0 or -EINVAL.
 */
int rl_netlink_parse_sel(struct nlattr **tb, u8 family,
			 struct netlink_ext_ack *extack, struct rl_sel *sel)
{
	struct nlattr *a;
	const char *msg;

	memset(sel, 0, sizeof(*sel));
	if (tb[NF_RL_A_RULE_PROTO])
		sel->proto = nla_get_u8(tb[NF_RL_A_RULE_PROTO]);
	a = tb[NF_RL_A_RULE_DPORTS];
	if (a) {
		if (nla_len(a) % sizeof(sel->ports[0])) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "dports is an array of port ranges (4 bytes each)");
			return -EINVAL;
		}
		sel->nports = nla_len(a) / sizeof(sel->ports[0]);
		memcpy(sel->ports, nla_data(a), nla_len(a));
	}
	a = tb[NF_RL_A_RULE_ICMP_TYPES];
	if (a) {
		sel->ntypes = nla_len(a);
		memcpy(sel->types, nla_data(a), nla_len(a));
	}
	if (tb[NF_RL_A_RULE_IIF])
		nla_strscpy(sel->iif, tb[NF_RL_A_RULE_IIF], sizeof(sel->iif));
	if (tb[NF_RL_A_RULE_SYN])
		sel->flags |= RL_SEL_SYN;
	if (tb[NF_RL_A_RULE_PER_PORT])
		sel->flags |= RL_SEL_PER_PORT;
	if (rl_sel_check(sel, family, &msg)) {
		rl_netlink_set_err(extack, NULL, msg);
		return -EINVAL;
	}
	return 0;
}

/**
 * rl_netlink_put_sel() - a selector's attributes, into the current nest
 * @skb: the message
 * @sel: a checked selector
 *
 * Return: 0 or -EMSGSIZE.
 */
int rl_netlink_put_sel(struct sk_buff *skb, const struct rl_sel *sel)
{
	if ((sel->proto && nla_put_u8(skb, NF_RL_A_RULE_PROTO, sel->proto)) ||
	    (sel->nports &&
	     nla_put(skb, NF_RL_A_RULE_DPORTS,
		     sel->nports * sizeof(sel->ports[0]), sel->ports)) ||
	    ((sel->flags & RL_SEL_SYN) && nla_put_flag(skb, NF_RL_A_RULE_SYN)) ||
	    (sel->ntypes &&
	     nla_put(skb, NF_RL_A_RULE_ICMP_TYPES, sel->ntypes, sel->types)) ||
	    (sel->iif[0] && nla_put_string(skb, NF_RL_A_RULE_IIF, sel->iif)) ||
	    ((sel->flags & RL_SEL_PER_PORT) &&
	     nla_put_flag(skb, NF_RL_A_RULE_PER_PORT)))
		return -EMSGSIZE;
	return 0;
}

/**
 * rl_netlink_put_sel_nest() - a selector as a nest of rule attributes
 * @skb: the message
 * @type: the nest's attribute type
 * @sel: a checked selector; a source rule's puts nothing
 *
 * Return: 0 or -EMSGSIZE.
 */
int rl_netlink_put_sel_nest(struct sk_buff *skb, int type,
			    const struct rl_sel *sel)
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
	err = nla_parse_nested(tb, NF_RL_A_CONFIG_MAX, nest, rl_netlink_config_policy,
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

/**
 * rl_netlink_reserve() - preallocate what a request's max_entries needs
 * @rn: the namespace
 * @lim: the settings the request asks for, checked
 * @extack: for the reason of a failure
 *
 * With the prealloc parameter, a higher max_entries is allocated before
 * anything of the request changes, charged to the sender's memory cgroup.
 *
 * Context: process context, with rn->table.lock held; sleeps.
 * Return: 0, or -ENOMEM with @extack set.
 */
int rl_netlink_reserve(struct rl_net *rn, const struct rl_limits *lim,
		       struct netlink_ext_ack *extack)
{
	int err = rl_table_reserve(&rn->table, lim->max_entries);

	if (err)
		NL_SET_ERR_MSG(extack,
			       "cannot preallocate entries for this max_entries (prealloc=Y): lower it");
	return err;
}
