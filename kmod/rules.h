/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NF_RL_RULES_H
#define _NF_RL_RULES_H

#include <linux/netfilter.h>
#include <linux/rcupdate.h>

#include "bucket.h"
#include "key.h"
#include "selector.h"

#define RL_RULES_MAX	65536	/* per namespace */

enum rl_rules_op {
	RL_RULES_ADD,
	RL_RULES_REPLACE,	/* or add */
	RL_RULES_DEL,
};

struct rl_rule {
	struct rl_key match;	/* the rule's prefix, masked; sel set by the set */
	enum nf_rl_action action;
	u8 agg_prefix;		/* sources grouped by this prefix length */
	u8 algo;		/* enum nf_rl_algo */
	u8 unit;		/* enum nf_rl_unit of rate */
	bool coarse_clock;	/* charged at rl_table_coarse_ns(): rl_rules_build() */
	struct rl_rate rate;
	struct rl_rate overflow_rate;	/* each CPU's share: rl_rules_build() */
	struct rl_sel sel;	/* which packets of its sources it sees */
	u64 expires_ns;		/* ktime_get_ns() it is removed at; 0: never */
	char owner[NF_RL_OWNER_LEN];	/* "": the administrator's */
};

/* All rules of one prefix length and family, sorted by masked address. */
struct rl_rule_level {
	u8 len;
	u32 n;
	const struct rl_rule **rules;
};

/* The rules of one selector and family, by prefix length. */
struct rl_rule_group {
	u16 id;				/* their match.sel; 0 for source rules */
	u32 nlevels;			/* longest prefix first */
	struct rl_rule_level *levels;
	const struct rl_sel *sel;
};

/*
 * An immutable set of rules, replaced whole under RCU.  Per family, rules
 * are grouped by selector, and a group's levels are ordered longest prefix
 * first, so the first level that holds the masked source holds the longest
 * match: a lookup costs one binary search per distinct prefix length in use
 * in the group, however many rules there are.  Groups are in id order: the
 * source rules' group, if any, is first.
 */
struct rl_ruleset {
	struct rcu_head rcu;
	u32 generation;			/* set by the table, for dumps */
	u32 nrules;			/* rules[] is in address order */
	u32 ngroups[2];			/* [0] IPv4, [1] IPv6 */
	u32 nselectors[2];		/* groups that are not source rules */
	u64 next_expiry;		/* earliest expires_ns of a rule; 0: none */
	/* The family's /0 source rule if it is its only source rule. */
	const struct rl_rule *everyone[2];
	struct rl_rule_group *groups[2];
	struct rl_rule rules[];
};

/* Up to this many rules apply to one packet: one per selector, and one source rule. */
#define RL_RULES_PER_PACKET	(NF_RL_SELECTORS_MAX + 1)

struct rl_ruleset *rl_rules_build(const struct rl_rule *rules, u32 n,
				  const char **errmsg);
const struct rl_rule *rl_rules_match(const struct rl_ruleset *rs,
				     const struct rl_key *src);
const struct rl_rule *rl_rules_find(const struct rl_ruleset *rs,
				    const struct rl_key *match,
				    const struct rl_sel *sel);
/**
 * rl_rules_match_source() - rl_rules_match() for a packet's source
 * @rs: rule set, under RCU or owned
 * @src: a source key of no selector: a packet's, full-length, or an
 *	 entry's, masked to its rule's aggregation prefix
 *
 * The packet path's entry, and GC's: where a /0 rule is the family's only
 * source rule, as in the default configuration, that pointer is the answer,
 * with no call.
 *
 * Context: any.
 * Return: the rule, or NULL if none covers @src.
 */
static inline const struct rl_rule *
rl_rules_match_source(const struct rl_ruleset *rs, const struct rl_key *src)
{
	const struct rl_rule *r = rs->everyone[src->family == NFPROTO_IPV6];

	return r ?: rl_rules_match(rs, src);
}

unsigned int rl_rules_match_packet(const struct rl_ruleset *rs,
				   const struct rl_key *src,
				   struct rl_pkt_in *pkt,
				   const struct rl_rule **out);
struct rl_ruleset *rl_rules_edit(const struct rl_ruleset *old,
				 enum rl_rules_op op, const struct rl_rule *rule,
				 u32 owner_max, const char **errmsg);
struct rl_ruleset *rl_rules_set_owner(const struct rl_ruleset *old,
				      const char *owner,
				      const struct rl_rule *rules, u32 n,
				      u32 owner_max, const char **errmsg);
struct rl_ruleset *rl_rules_expire(const struct rl_ruleset *old, u64 now,
				   u32 *nexpired);
bool rl_rules_owner_valid(const char *owner);
u32 rl_rules_count_owner(const struct rl_ruleset *rs, const char *owner);

/**
 * rl_rule_live() - whether a rule is still in force at a time
 * @r: the rule
 * @now: ktime_get_ns()
 *
 * An expired rule stays in its set until the table's expiry work replaces
 * the set, a few jiffies at most; listings leave it out meanwhile.
 *
 * Context: any.
 * Return: true unless @r had a timeout that has passed.
 */
static inline bool rl_rule_live(const struct rl_rule *r, u64 now)
{
	return !r->expires_ns || now < r->expires_ns;
}

void rl_rules_free(struct rl_ruleset *rs);
const char *rl_rules_action_name(enum nf_rl_action action);

#endif /* _NF_RL_RULES_H */
