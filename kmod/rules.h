/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NF_RL_RULES_H
#define _NF_RL_RULES_H

#include <linux/rcupdate.h>

#include "bucket.h"
#include "table.h"

#define RL_RULES_MAX	65536	/* per namespace */

enum rl_rules_op {
	RL_RULES_ADD,
	RL_RULES_REPLACE,	/* or add */
	RL_RULES_DEL,
};

struct rl_rule {
	struct rl_key match;	/* the rule's prefix, masked */
	enum nf_rl_action action;
	u8 agg_prefix;		/* sources grouped by this prefix length */
	u8 algo;		/* enum nf_rl_algo */
	u8 unit;		/* enum nf_rl_unit of rate */
	struct rl_rate rate;
};

/* All rules of one prefix length and family, sorted by masked address. */
struct rl_rule_level {
	u8 len;
	u32 n;
	const struct rl_rule **rules;
};

/*
 * An immutable set of rules, replaced whole under RCU.  Per family, the
 * levels are ordered longest prefix first, so the first level that holds the
 * masked source holds the longest match: a lookup costs one binary search per
 * distinct prefix length in use, however many rules there are.
 */
struct rl_ruleset {
	struct rcu_head rcu;
	u32 generation;			/* set by the table, for dumps */
	u32 nrules;			/* rules[] is in address order */
	u32 nlevels[2];			/* [0] IPv4, [1] IPv6 */
	struct rl_rule_level *levels[2];
	struct rl_rule rules[];
};

void rl_rules_mask(struct rl_key *dst, const struct rl_key *src, u8 len);
struct rl_ruleset *rl_rules_build(const struct rl_rule *rules, u32 n,
				  const char **errmsg);
const struct rl_rule *rl_rules_match(const struct rl_ruleset *rs,
				     const struct rl_key *src);
const struct rl_rule *rl_rules_find(const struct rl_ruleset *rs,
				    const struct rl_key *match);
struct rl_ruleset *rl_rules_edit(const struct rl_ruleset *old,
				 enum rl_rules_op op, const struct rl_rule *rule,
				 const char **errmsg);
void rl_rules_free(struct rl_ruleset *rs);

#endif /* _NF_RL_RULES_H */
