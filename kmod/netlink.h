/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family's files: netlink.c (the family, its commands'
 * table and events) calls netlink_table.c and netlink_rules.c (the
 * commands), which use netlink_attr.c (the shared attribute sets).
 */
#ifndef _NF_RL_NETLINK_H
#define _NF_RL_NETLINK_H

#include <net/genetlink.h>
#include <net/sock.h>

#include "nf_ratelimit.h"

/*
 * netlink.c: the family, which the commands' files name in their replies
 * (6.1's struct genl_info does not carry it), and what main.c calls.
 */
extern struct genl_family rl_genl_family;

int rl_netlink_register(void);
void rl_netlink_unregister(void);
void rl_netlink_init_net(struct rl_net *rn);
void rl_netlink_notify(struct rl_table *t, const struct rl_event *ev);

/* netlink_table.c */
int rl_netlink_get_stats_doit(struct sk_buff *skb, struct genl_info *info);
int rl_netlink_get_config_doit(struct sk_buff *skb, struct genl_info *info);
int rl_netlink_set_config_doit(struct sk_buff *skb, struct genl_info *info);
int rl_netlink_del_entry_doit(struct sk_buff *skb, struct genl_info *info);
int rl_netlink_flush_entries_doit(struct sk_buff *skb,
				  struct genl_info *info);
int rl_netlink_get_entry_start(struct netlink_callback *cb);
int rl_netlink_get_entry_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int rl_netlink_get_entry_done(struct netlink_callback *cb);

/* netlink_rules.c */
int rl_netlink_rules_get_doit(struct sk_buff *skb, struct genl_info *info);
int rl_netlink_rules_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int rl_netlink_rules_add_doit(struct sk_buff *skb, struct genl_info *info);
int rl_netlink_rules_replace_doit(struct sk_buff *skb, struct genl_info *info);
int rl_netlink_rules_del_doit(struct sk_buff *skb, struct genl_info *info);
int rl_netlink_rules_set_doit(struct sk_buff *skb, struct genl_info *info);

/* netlink_attr.c */
extern const struct nla_policy rl_netlink_config_policy[NF_RL_A_CONFIG_MAX + 1];
extern const struct nla_policy rl_netlink_entry_policy[NF_RL_A_ENTRY_MAX + 1];
extern const struct nla_policy rl_netlink_rule_policy[NF_RL_A_RULE_MAX + 1];

int rl_netlink_parse_addr(struct nlattr *nest, struct nlattr *addr,
			  struct nlattr *prefix, struct netlink_ext_ack *extack,
			  struct rl_key *key);
int rl_netlink_put_key(struct sk_buff *skb, int addr_type, int prefix_type,
		       const struct rl_key *key);
int rl_netlink_parse_sel(struct nlattr **tb, u8 family,
			 struct netlink_ext_ack *extack, struct rl_sel *sel);
int rl_netlink_put_sel(struct sk_buff *skb, const struct rl_sel *sel);
int rl_netlink_put_sel_nest(struct sk_buff *skb, int type,
			    const struct rl_sel *sel);
int rl_netlink_parse_limits(struct rl_net *rn, struct sk_buff *skb,
			    struct nlattr *nest, struct netlink_ext_ack *extack,
			    struct rl_limits *lim);
int rl_netlink_reserve(struct rl_net *rn, const struct rl_limits *lim,
		       struct netlink_ext_ack *extack);

/*
 * NL_SET_ERR_MSG() takes only a string literal; the messages of
 * rl_bucket_rate_init() and rl_rules_build() are literals too, chosen at run
 * time, and outlive the request.
 */
static inline void rl_netlink_set_err(struct netlink_ext_ack *extack,
				      const struct nlattr *attr,
				      const char *msg)
{
	if (extack) {
		extack->_msg = msg;
		extack->bad_attr = attr;
	}
}

/* The nf_ratelimit state of a request's namespace. */
static inline struct rl_net *rl_netlink_info_net(struct genl_info *info)
{
	return rl_pernet(genl_info_net(info));
}

/* The nf_ratelimit state of a dump's namespace. */
static inline struct rl_net *rl_netlink_dump_net(struct netlink_callback *cb)
{
	return rl_pernet(sock_net(cb->skb->sk));
}

#endif /* _NF_RL_NETLINK_H */
