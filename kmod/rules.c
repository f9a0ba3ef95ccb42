// SPDX-License-Identifier: GPL-2.0
/*
 * Rule sets: CIDR prefixes of either family, each with an action, matched
 * longest prefix first.
 *
 * The kernel's LPM trie lives inside BPF and is not available to modules;
 * a sorted array per prefix length is simple, compact, and with the few
 * distinct lengths real rule sets use, a lookup is a handful of binary
 * searches.  Sets are built whole and never modified, so lookups need only
 * RCU and a change (or an "apply" of a whole file) is one pointer swap.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "algo.h"
#include "compat.h"
#include "rules.h"

static const char * const action_names[] = {
	[NF_RL_ACTION_LIMIT] = "limit",
	[NF_RL_ACTION_ALLOW] = "allow",
	[NF_RL_ACTION_DENY] = "deny",
};

/**
 * rl_rules_action_name() - name of a rule action
 * @action: action
 *
 * Context: any.
 * Return: its rlctl spelling.
 */
const char *rl_rules_action_name(enum nf_rl_action action)
{
	return action_names[action];
}

static int family_index(u8 family)
{
	return family == NFPROTO_IPV6;
}

/* IPv4 first, then by address, then shorter prefix first. */
static int cmp_listed(const void *pa, const void *pb)
{
	const struct rl_key *a = &((const struct rl_rule *)pa)->match;
	const struct rl_key *b = &((const struct rl_rule *)pb)->match;
	int c;

	if (a->family != b->family)
		return a->family == NFPROTO_IPV4 ? -1 : 1;
	c = memcmp(&a->addr, &b->addr, a->family == NFPROTO_IPV4 ? 4 : 16);
	if (c)
		return c;
	if (a->prefix != b->prefix)
		return a->prefix - b->prefix;
	return memcmp(&((const struct rl_rule *)pa)->sel,
		      &((const struct rl_rule *)pb)->sel, sizeof(struct rl_sel));
}

/*
 * By family, then selector id, then longest prefix first, then by key:
 * groups and their levels fall out as contiguous runs.
 */
static int cmp_rule(const void *pa, const void *pb)
{
	const struct rl_rule *a = *(const struct rl_rule **)pa;
	const struct rl_rule *b = *(const struct rl_rule **)pb;

	if (a->match.family != b->match.family)
		return a->match.family < b->match.family ? -1 : 1;
	if (a->match.sel != b->match.sel)
		return a->match.sel < b->match.sel ? -1 : 1;
	if (a->match.prefix != b->match.prefix)
		return a->match.prefix > b->match.prefix ? -1 : 1;
	return rl_key_cmp(&a->match, &b->match);
}

static int cmp_sel(const void *pa, const void *pb)
{
	return memcmp(*(const struct rl_sel **)pa, *(const struct rl_sel **)pb,
		      sizeof(struct rl_sel));
}

static u8 family_max_prefix(u8 family)
{
	return family == NFPROTO_IPV4 ? 32 : 128;
}

/*
 * A limit rule groups its sources by a prefix at least as long as its own:
 * a shorter one would charge sources the rule does not cover.  Its
 * algorithm must be able to count its burst (rl_algo_check()).
 */
static bool rule_valid(struct rl_rule *r, const char **errmsg)
{
	if (rl_sel_check(&r->sel, r->match.family, errmsg))
		return false;
	if (!rl_rules_owner_valid(r->owner)) {
		*errmsg = "owner is up to 15 of A-Z a-z 0-9 _ . -";
		return false;
	}
	switch (r->action) {
	case NF_RL_ACTION_LIMIT:
		if (r->agg_prefix < r->match.prefix ||
		    r->agg_prefix > family_max_prefix(r->match.family)) {
			*errmsg = "prefix-len must be from the rule's length to the address length";
			return false;
		}
		if (r->algo >= __NF_RL_ALGO_MAX || r->unit >= __NF_RL_UNIT_MAX) {
			*errmsg = "unknown algorithm or unit";
			return false;
		}
		return !rl_algo_check(r->algo, &r->rate, errmsg);
	case NF_RL_ACTION_ALLOW:
	case NF_RL_ACTION_DENY:
		return true;
	default:
		*errmsg = "unknown action";
		return false;
	}
}

/**
 * rl_rules_owner_valid() - whether a string can be a rule's owner tag
 * @owner: a buffer of NF_RL_OWNER_LEN bytes
 *
 * Owner tags appear in listings, saved files and log lines, so they are
 * words: letters, digits, '_', '.', '-'.  The empty tag is the admin's.
 *
 * Context: any.
 * Return: true if @owner is NUL-terminated and made of those characters.
 */
bool rl_rules_owner_valid(const char *owner)
{
	int i;

	for (i = 0; i < NF_RL_OWNER_LEN && owner[i]; i++)
		if (!isalnum(owner[i]) && !strchr("_.-", owner[i]))
			return false;
	return i < NF_RL_OWNER_LEN;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_owner_valid);

/*
 * Gives each distinct selector its number, the match.sel of its rules and
 * of their entries' keys: rl_sel_hash(), so that it stays the same across
 * rule sets, or on a collision the next free one, taken in selector order.
 * Rules in address order, so equal selectors need not be adjacent.
 */
static int number_selectors(struct rl_ruleset *rs, const char **errmsg)
{
	struct rl_sel **sels;
	u32 i, j, n = 0, nf[2] = {};
	u16 *ids;
	int err = 0;

	sels = kvcalloc(max_t(u32, rs->nrules, 1), sizeof(*sels), GFP_KERNEL_ACCOUNT);
	ids = kvcalloc(max_t(u32, rs->nrules, 1), sizeof(*ids), GFP_KERNEL_ACCOUNT);
	if (!sels || !ids) {
		err = -ENOMEM;
		goto free;
	}
	for (i = 0; i < rs->nrules; i++)
		if (!rl_sel_is_source(&rs->rules[i].sel))
			sels[n++] = &rs->rules[i].sel;
	sort(sels, n, sizeof(*sels), cmp_sel, NULL);
	for (i = j = 0; i < n; i++)	/* distinct ones only */
		if (!i || memcmp(sels[i], sels[j - 1], sizeof(**sels)))
			sels[j++] = sels[i];
	n = j;
	if (n > 2 * NF_RL_SELECTORS_MAX)
		goto too_many;
	for (i = 0; i < n; i++) {
		u16 id = rl_sel_hash(sels[i]);

		for (j = 0; j < i; j++) {
			if (ids[j] == id) {
				id = id == U16_MAX ? 1 : id + 1;
				j = -1;		/* from the start again */
			}
		}
		ids[i] = id;
	}
	for (i = 0; i < rs->nrules; i++) {
		struct rl_rule *r = &rs->rules[i];
		struct rl_sel **found;

		if (rl_sel_is_source(&r->sel))
			continue;
		found = bsearch(&(const struct rl_sel *){ &r->sel }, sels, n,
				sizeof(*sels), cmp_sel);
		r->match.sel = ids[found - sels];
	}
	/* Count selectors per family: a bound on the rules one packet meets. */
	for (i = 0; i < n; i++) {
		bool fam[2] = {};

		for (j = 0; j < rs->nrules; j++)
			if (rs->rules[j].match.sel == ids[i])
				fam[family_index(rs->rules[j].match.family)] = true;
		nf[0] += fam[0];
		nf[1] += fam[1];
	}
	if (nf[0] <= NF_RL_SELECTORS_MAX && nf[1] <= NF_RL_SELECTORS_MAX)
		goto free;
too_many:
	*errmsg = "too many distinct selectors: at most 16 per family";
	err = -E2BIG;
free:
	kvfree(ids);
	kvfree(sels);
	return err;
}

/* Count, then fill, the groups of each family and their levels. */
static int make_groups(struct rl_ruleset *rs, const struct rl_rule **sorted)
{
	u32 i, start, n = rs->nrules, f;

	for (i = 0; i < n; i++)
		if (!i || sorted[i]->match.sel != sorted[i - 1]->match.sel ||
		    sorted[i]->match.family != sorted[i - 1]->match.family)
			rs->ngroups[family_index(sorted[i]->match.family)]++;
	for (f = 0; f < 2; f++) {
		if (!rs->ngroups[f])
			continue;
		rs->groups[f] = kcalloc(rs->ngroups[f], sizeof(*rs->groups[f]),
					GFP_KERNEL_ACCOUNT);
		if (!rs->groups[f])
			return -ENOMEM;
		rs->ngroups[f] = 0;
	}
	for (start = 0; start < n; start = i) {
		const struct rl_rule *first = sorted[start];
		struct rl_rule_group *g;
		u32 l, lstart;

		f = family_index(first->match.family);
		g = &rs->groups[f][rs->ngroups[f]++];
		g->id = first->match.sel;
		g->sel = &first->sel;
		if (g->id)
			rs->nselectors[f]++;
		for (i = start; i < n && sorted[i]->match.sel == g->id &&
		     sorted[i]->match.family == first->match.family; i++)
			if (i == start ||
			    sorted[i]->match.prefix != sorted[i - 1]->match.prefix)
				g->nlevels++;
		g->levels = kcalloc(g->nlevels, sizeof(*g->levels),
				    GFP_KERNEL_ACCOUNT);
		if (!g->levels)
			return -ENOMEM;
		for (l = 0, lstart = start; lstart < i; l++) {
			struct rl_rule_level *lvl = &g->levels[l];
			u32 k;

			for (k = lstart; k < i && sorted[k]->match.prefix ==
			     sorted[lstart]->match.prefix; k++)
				;
			lvl->len = sorted[lstart]->match.prefix;
			lvl->n = k - lstart;
			lvl->rules = kmemdup(&sorted[lstart],
					     lvl->n * sizeof(*sorted),
					     GFP_KERNEL_ACCOUNT);
			if (!lvl->rules)
				return -ENOMEM;
			lstart = k;
		}
		/* The default configuration: one /0 source rule decides all. */
		if (!g->id && g->nlevels == 1 && !g->levels[0].len)
			rs->everyone[f] = g->levels[0].rules[0];
	}
	return 0;
}

/*
 * Whether a limit may be charged at the tick's time (rl_table_coarse_ns(),
 * one load, where the nanosecond clock costs some 55 instructions a packet:
 * make bench).  A bucket is then refilled once a tick rather than
 * continuously, so what a source may send in any window can fall short of
 * the nanosecond clock's by one tick's refill: at most half the burst when
 * the state takes two ticks or more to fill (8 ms at HZ=250; the default
 * 10/s with burst 20 takes 2 s).  A faster limit with a smaller burst, say
 * 10M/s with a burst of 100, would be held below its rate: it keeps
 * ktime_get_ns().
 */
static bool coarse_enough(const struct rl_rate *r)
{
	return !r->n || r->fill_ns >= 2 * TICK_NSEC;
}

/*
 * The rate a limit's sources are charged at, per CPU, once the table is
 * full (full_policy shared): each possible CPU keeps its own overflow state,
 * so that a spoofed flood against a full table does not serialise every CPU
 * on one lock, exactly when it matters.  The rate is split evenly, n per
 * period times the number of CPUs (exact, however small n), and the burst
 * rounded up, at least one each; together the CPUs pass the rule's rate,
 * and a flood that reaches one CPU only its share.  A split the algorithm
 * cannot represent keeps the whole rate on each CPU.
 */
static void split_rate(struct rl_rule *r)
{
	u64 ncpus = num_possible_cpus(), period;
	const char *msg;

	r->overflow_rate = r->rate;
	if (r->action != NF_RL_ACTION_LIMIT || !r->rate.n || ncpus == 1 ||
	    check_mul_overflow(r->rate.period_ns, ncpus, &period) ||
	    rl_algo_rate_init(&r->overflow_rate, r->rate.n, period,
			      DIV_ROUND_UP(r->rate.burst, ncpus), r->unit, &msg))
		r->overflow_rate = r->rate;
}

/**
 * rl_rules_build() - make an immutable rule set
 * @rules: the rules; their match keys must be masked (rl_key_build4/6())
 * @n: how many, at most RL_RULES_MAX
 * @errmsg: set to a human-readable reason on failure
 *
 * Selectors are made canonical and numbered here; whatever @rules hold in
 * match.sel and match.port is ignored.
 *
 * Memory is charged to the caller's memory cgroup (GFP_KERNEL_ACCOUNT): rule
 * sets are built for whoever administers the namespace, a container's root
 * included, and an old set lingers until a grace period has passed.
 *
 * Context: process context; sleeps.
 * Return: the set, or an ERR_PTR: -EINVAL for a duplicate prefix and
 * selector, an unmasked prefix or a bad selector, -E2BIG for too many rules
 * or selectors, -ENOMEM.
 */
struct rl_ruleset *rl_rules_build(const struct rl_rule *rules, u32 n,
				  const char **errmsg)
{
	const struct rl_rule **sorted;
	struct rl_ruleset *rs;
	u32 i;
	int err = -ENOMEM;

	if (n > RL_RULES_MAX) {
		*errmsg = "too many rules";
		return ERR_PTR(-E2BIG);
	}
	rs = kvzalloc(struct_size(rs, rules, n), GFP_KERNEL_ACCOUNT);
	if (!rs) {
		*errmsg = "out of memory";
		return ERR_PTR(-ENOMEM);
	}
	rs->nrules = n;
	memcpy(rs->rules, rules, flex_array_size(rs, rules, n));
	sorted = kvcalloc(n, sizeof(*sorted), GFP_KERNEL_ACCOUNT);
	if (n && !sorted)
		goto free_rs;
	for (i = 0; i < n; i++) {
		struct rl_key *k = &rs->rules[i].match;
		struct rl_key masked;

		k->sel = 0;
		k->port = 0;
		if ((k->family != NFPROTO_IPV4 || k->prefix > 32) &&
		    (k->family != NFPROTO_IPV6 || k->prefix > 128)) {
			*errmsg = "rule prefix is neither IPv4/0-32 nor IPv6/0-128";
			err = -EINVAL;
			goto free_sorted;
		}
		rl_key_mask(&masked, k, k->prefix);
		if (rl_key_cmp(&masked, k)) {
			*errmsg = "rule prefix has host bits set";
			err = -EINVAL;
			goto free_sorted;
		}
		if (!rule_valid(&rs->rules[i], errmsg)) {
			err = -EINVAL;
			goto free_sorted;
		}
		if (rs->rules[i].expires_ns &&
		    (!rs->next_expiry || rs->rules[i].expires_ns < rs->next_expiry))
			rs->next_expiry = rs->rules[i].expires_ns;
		split_rate(&rs->rules[i]);
		rs->rules[i].coarse_clock = coarse_enough(&rs->rules[i].rate);
	}
	/* In address order, so that listings and saved files read well. */
	sort(rs->rules, n, sizeof(*rs->rules), cmp_listed, NULL);
	err = number_selectors(rs, errmsg);
	if (err)
		goto free_sorted;
	for (i = 0; i < n; i++)
		sorted[i] = &rs->rules[i];
	sort(sorted, n, sizeof(*sorted), cmp_rule, NULL);

	for (i = 1; i < n; i++) {
		if (!rl_key_cmp(&sorted[i - 1]->match, &sorted[i]->match)) {
			*errmsg = sorted[i]->match.sel ?
				  "two rules for the same prefix and selector" :
				  "two rules for the same prefix";
			err = -EINVAL;
			goto free_sorted;
		}
	}
	err = make_groups(rs, sorted);
	if (err)
		goto free_sorted;
	kvfree(sorted);
	return rs;

free_sorted:
	kvfree(sorted);
free_rs:
	rl_rules_free(rs);
	if (err == -ENOMEM)
		*errmsg = "out of memory";
	return ERR_PTR(err);
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_build);

static const struct rl_rule *level_find(const struct rl_rule_level *lvl,
					const struct rl_key *masked)
{
	u32 lo = 0, hi = lvl->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = rl_key_cmp(masked, &lvl->rules[mid]->match);

		if (!c)
			return lvl->rules[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * The longest rule of @g no longer than @src's prefix that covers it.
 * Inlined into both callers so that a source-only packet pays no call more
 * than before selectors existed (make bench).
 */
static __always_inline const struct rl_rule *
group_match(const struct rl_rule_group *g, const struct rl_key *src)
{
	u32 l;

	for (l = 0; l < g->nlevels; l++) {
		const struct rl_rule_level *lvl = &g->levels[l];
		const struct rl_rule *r;
		struct rl_key masked;

		if (lvl->len > src->prefix)
			continue;
		/* A /0 level holds the one rule that covers everything. */
		if (!lvl->len)
			return lvl->rules[0];
		rl_key_mask(&masked, src, lvl->len);
		masked.sel = g->id;
		r = level_find(lvl, &masked);
		if (r)
			return r;
	}
	return NULL;
}

static const struct rl_rule_group *find_group(const struct rl_ruleset *rs,
					      u8 family, u16 id)
{
	int f = family_index(family);
	u32 lo = 0, hi = rs->ngroups[f];

	/* Source rules' group, id 0, sorts first: the packet path's case. */
	if (!id)
		return hi && !rs->groups[f][0].id ? &rs->groups[f][0] : NULL;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		u16 gid = rs->groups[f][mid].id;

		if (gid == id)
			return &rs->groups[f][mid];
		if (id < gid)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/**
 * rl_rules_match() - the most specific rule covering a prefix
 * @rs: rule set, under RCU or owned
 * @src: a source as a full-length key (prefix 32 or 128), or a table key
 *
 * Only rules of @src's selector (its sel: 0 for a source, so source rules)
 * no longer than @src's prefix are considered.  For a table key, masked to
 * the aggregation prefix of the rule that governs it, that finds exactly
 * that rule: aggregation prefixes are never shorter than their rule's, so
 * every rule of a length up to the key's covers all of it or none of it.
 *
 * Return: the rule, or NULL if none covers @src.
 */
const struct rl_rule *rl_rules_match(const struct rl_ruleset *rs,
				     const struct rl_key *src)
{
	const struct rl_rule_group *g = find_group(rs, src->family, src->sel);

	return g ? group_match(g, src) : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_match);

/**
 * rl_rules_match_packet() - the rules that apply to a packet
 * @rs: rule set, under RCU or owned
 * @src: the packet's source, as a full-length key
 * @pkt: the packet, parsed here if a selector needs it
 * @out: RL_RULES_PER_PACKET slots, filled with one rule per selector that
 *	 matches the packet and has a rule covering @src (the longest), the
 *	 source rule last
 *
 * The precedence model (README, "Selectors"): the packet is dropped if any
 * of these is a deny, passed if any is an allow, and otherwise charged under
 * every one of them in this order, passing only if all conform.
 *
 * Context: packet path, or any for a packet whose facts are given.
 * Return: how many rules were put in @out.
 */
unsigned int rl_rules_match_packet(const struct rl_ruleset *rs,
				   const struct rl_key *src,
				   struct rl_pkt_in *pkt,
				   const struct rl_rule **out)
{
	int f = family_index(src->family);
	unsigned int n = 0;
	u32 i;

	/* Selector groups last to first, so the source group (id 0) ends. */
	for (i = rs->ngroups[f]; i-- > 0;) {
		const struct rl_rule_group *g = &rs->groups[f][i];
		const struct rl_rule *r;

		if (g->id && !rl_sel_match(g->sel, pkt, src->family))
			continue;
		r = group_match(g, src);
		if (r)
			out[n++] = r;
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_match_packet);

/**
 * rl_rules_find() - the rule for exactly this prefix and selector
 * @rs: rule set, under RCU or owned
 * @match: the prefix, masked; its sel is ignored
 * @sel: the selector, canonical (rl_sel_check())
 *
 * Return: the rule, or NULL.
 */
const struct rl_rule *rl_rules_find(const struct rl_ruleset *rs,
				    const struct rl_key *match,
				    const struct rl_sel *sel)
{
	int f = family_index(match->family);
	struct rl_key key = *match;
	u32 g, l;

	for (g = 0; g < rs->ngroups[f]; g++) {
		const struct rl_rule_group *grp = &rs->groups[f][g];

		if (memcmp(grp->sel, sel, sizeof(*sel)))
			continue;
		key.sel = grp->id;
		key.port = 0;
		for (l = 0; l < grp->nlevels; l++)
			if (grp->levels[l].len == match->prefix)
				return level_find(&grp->levels[l], &key);
		return NULL;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_find);

/**
 * rl_rules_count_owner() - how many rules of a set one owner holds
 * @rs: rule set, under RCU or owned
 * @owner: the owner tag; "" counts the administrator's
 *
 * Context: any.
 * Return: the count.
 */
u32 rl_rules_count_owner(const struct rl_ruleset *rs, const char *owner)
{
	u32 i, n = 0;

	for (i = 0; i < rs->nrules; i++)
		n += !strcmp(rs->rules[i].owner, owner);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_count_owner);

/**
 * rl_rules_edit() - a new rule set: @old with one rule added, replaced or
 * deleted
 * @old: the current set, which is left alone
 * @op: what to do with @rule
 * @rule: the rule; only its match key, selector and owner count for
 *	  RL_RULES_DEL
 * @owner_max: how many rules an owner other than the admin may hold
 * @errmsg: set to a human-readable reason on failure
 *
 * A rule with an owner may replace or delete only a rule of that owner; a
 * rule of the administrator (no owner) may replace or delete any.
 *
 * Rule sets are immutable, so an edit copies the whole set: O(n log n) for n
 * rules, which at the RL_RULES_MAX limit is still milliseconds, and readers
 * never see a set half-changed.
 *
 * Return: the new set, or an ERR_PTR: -EEXIST when adding a prefix that has a
 * rule, -ENOENT when deleting one that has none, -EBUSY when the rule found
 * has another owner, -ENOSPC when the owner holds @owner_max rules, or as
 * rl_rules_build().
 */
struct rl_ruleset *rl_rules_edit(const struct rl_ruleset *old,
				 enum rl_rules_op op, const struct rl_rule *rule,
				 u32 owner_max, const char **errmsg)
{
	const struct rl_rule *found = rl_rules_find(old, &rule->match, &rule->sel);
	struct rl_ruleset *rs;
	struct rl_rule *tmp;
	u32 i, n = 0;

	if (op == RL_RULES_ADD && found) {
		*errmsg = "a rule for this prefix and selector exists: use replace";
		return ERR_PTR(-EEXIST);
	}
	if (op == RL_RULES_DEL && !found) {
		*errmsg = "no rule for this prefix and selector";
		return ERR_PTR(-ENOENT);
	}
	/* An agent touches its own rules only; the admin may touch any. */
	if (found && rule->owner[0] && strcmp(found->owner, rule->owner)) {
		*errmsg = "the rule for this prefix and selector has another owner";
		return ERR_PTR(-EBUSY);
	}
	if (op != RL_RULES_DEL && rule->owner[0] && !found &&
	    rl_rules_count_owner(old, rule->owner) >= owner_max) {
		*errmsg = "the rule's owner holds owner-rules-max rules";
		return ERR_PTR(-ENOSPC);
	}
	tmp = kvmalloc_array(old->nrules + 1, sizeof(*tmp), GFP_KERNEL_ACCOUNT);
	if (!tmp) {
		*errmsg = "out of memory";
		return ERR_PTR(-ENOMEM);
	}
	for (i = 0; i < old->nrules; i++)
		if (&old->rules[i] != found)
			tmp[n++] = old->rules[i];
	if (op != RL_RULES_DEL)
		tmp[n++] = *rule;
	rs = rl_rules_build(tmp, n, errmsg);
	kvfree(tmp);
	return rs;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_edit);

/**
 * rl_rules_set_owner() - a new rule set: @old with one owner's rules replaced
 * @old: the current set, which is left alone
 * @owner: whose rules are replaced; "" for the administrator's
 * @rules: the owner's new rules, each with @owner as its owner
 * @n: how many
 * @owner_max: how many rules an owner other than the admin may hold
 * @errmsg: set to a human-readable reason on failure
 *
 * Other owners' rules are kept.  Where one has the prefix and selector of a
 * new rule, the administrator's rule wins and the other is dropped (an
 * agent's timed rule must not stop "rlctl apply"; the agent learns of it
 * when it next replaces the rule); an agent's set that collides with
 * another owner's rule is refused whole.
 *
 * Context: process context; sleeps.
 * Return: the new set, or an ERR_PTR: -EEXIST on such a collision, -ENOSPC
 * when @n is over @owner_max, or as rl_rules_build().
 */
struct rl_ruleset *rl_rules_set_owner(const struct rl_ruleset *old,
				      const char *owner,
				      const struct rl_rule *rules, u32 n,
				      u32 owner_max, const char **errmsg)
{
	struct rl_ruleset *mine, *rs;
	struct rl_rule *tmp;
	u32 i, m;

	if (owner[0] && n > owner_max) {
		*errmsg = "more rules than owner-rules-max";
		return ERR_PTR(-ENOSPC);
	}
	/* The new rules alone first: their own errors, and collisions. */
	mine = rl_rules_build(rules, n, errmsg);
	if (IS_ERR(mine))
		return mine;
	tmp = kvmalloc_array(max_t(u32, old->nrules + n, 1), sizeof(*tmp),
			     GFP_KERNEL_ACCOUNT);
	if (!tmp) {
		rs = ERR_PTR(-ENOMEM);
		*errmsg = "out of memory";
		goto free_mine;
	}
	memcpy(tmp, rules, array_size(n, sizeof(*tmp)));
	for (i = 0, m = n; i < old->nrules; i++) {
		const struct rl_rule *r = &old->rules[i];

		if (!strcmp(r->owner, owner))
			continue;
		if (rl_rules_find(mine, &r->match, &r->sel)) {
			if (!owner[0])
				continue;
			*errmsg = "a rule of another owner has the same prefix and selector";
			rs = ERR_PTR(-EEXIST);
			goto free_tmp;
		}
		tmp[m++] = *r;
	}
	rs = rl_rules_build(tmp, m, errmsg);
free_tmp:
	kvfree(tmp);
free_mine:
	rl_rules_free(mine);
	return rs;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_set_owner);

/**
 * rl_rules_expire() - a new rule set without the rules expired at @now
 * @old: the current set, which is left alone
 * @now: ktime_get_ns()
 * @nexpired: set to how many rules were left out
 *
 * Context: process context; sleeps.
 * Return: the new set; NULL when no rule of @old has expired; or
 * ERR_PTR(-ENOMEM).
 */
struct rl_ruleset *rl_rules_expire(const struct rl_ruleset *old, u64 now,
				   u32 *nexpired)
{
	struct rl_ruleset *rs;
	struct rl_rule *tmp;
	const char *msg;
	u32 i, n = 0;

	*nexpired = 0;
	if (!old->next_expiry || now < old->next_expiry)
		return NULL;
	tmp = kvmalloc_array(max_t(u32, old->nrules, 1), sizeof(*tmp),
			     GFP_KERNEL_ACCOUNT);
	if (!tmp)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < old->nrules; i++)
		if (rl_rule_live(&old->rules[i], now))
			tmp[n++] = old->rules[i];
	*nexpired = old->nrules - n;
	/* Fewer rules of rules that were valid: only memory can fail. */
	rs = rl_rules_build(tmp, n, &msg);
	kvfree(tmp);
	return rs;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_expire);

/**
 * rl_rules_free() - free a rule set no reader can still see
 * @rs: the set, or NULL
 */
void rl_rules_free(struct rl_ruleset *rs)
{
	u32 f, g, l;

	if (!rs)
		return;
	for (f = 0; f < 2; f++) {
		for (g = 0; rs->groups[f] && g < rs->ngroups[f]; g++) {
			struct rl_rule_group *grp = &rs->groups[f][g];

			for (l = 0; grp->levels && l < grp->nlevels; l++)
				kfree(grp->levels[l].rules);
			kfree(grp->levels);
		}
		kfree(rs->groups[f]);
	}
	kvfree(rs);
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_free);
