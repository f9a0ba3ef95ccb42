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

#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "compat.h"
#include "nf_ratelimit.h"
#include "rules.h"

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
	return a->prefix - b->prefix;
}

/* Longest prefix first, then by key: levels fall out as contiguous runs. */
static int cmp_rule(const void *pa, const void *pb)
{
	const struct rl_rule *a = *(const struct rl_rule **)pa;
	const struct rl_rule *b = *(const struct rl_rule **)pb;

	if (a->match.prefix != b->match.prefix)
		return a->match.prefix > b->match.prefix ? -1 : 1;
	return rl_key_cmp(&a->match, &b->match);
}

static u8 family_max_prefix(u8 family)
{
	return family == NFPROTO_IPV4 ? 32 : 128;
}

/*
 * A limit rule groups its sources by a prefix at least as long as its own:
 * a shorter one would charge sources the rule does not cover.
 */
static bool rule_valid(const struct rl_rule *r, const char **errmsg)
{
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
		return true;
	case NF_RL_ACTION_ALLOW:
	case NF_RL_ACTION_DENY:
		return true;
	default:
		*errmsg = "unknown action";
		return false;
	}
}

/**
 * rl_rules_mask() - a key cut down to a shorter prefix
 * @dst: filled in, padding included
 * @src: a key of either family
 * @len: the prefix length, at most @src's family allows
 */
void rl_rules_mask(struct rl_key *dst, const struct rl_key *src, u8 len)
{
	if (src->family == NFPROTO_IPV4)
		rl_hook_build_key4(dst, src->addr.v4, len);
	else
		rl_hook_build_key6(dst, &src->addr.v6, len);
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_mask);

/**
 * rl_rules_build() - make an immutable rule set
 * @rules: the rules; their match keys must be masked (rl_hook_build_key*)
 * @n: how many, at most RL_RULES_MAX
 * @errmsg: set to a human-readable reason on failure
 *
 * Memory is charged to the caller's memory cgroup (GFP_KERNEL_ACCOUNT): rule
 * sets are built for whoever administers the namespace, a container's root
 * included, and an old set lingers until a grace period has passed.
 *
 * Context: process context; sleeps.
 * Return: the set, or an ERR_PTR: -EINVAL for a duplicate prefix or an
 * unmasked one, -E2BIG for too many rules, -ENOMEM.
 */
struct rl_ruleset *rl_rules_build(const struct rl_rule *rules, u32 n,
				  const char **errmsg)
{
	const struct rl_rule **sorted;
	struct rl_ruleset *rs;
	u32 i, start, f;
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
	/* In address order, so that listings and saved files read well. */
	sort(rs->rules, n, sizeof(*rs->rules), cmp_listed, NULL);

	sorted = kvcalloc(n, sizeof(*sorted), GFP_KERNEL_ACCOUNT);
	if (n && !sorted)
		goto free_rs;
	for (i = 0; i < n; i++) {
		const struct rl_key *k = &rs->rules[i].match;
		struct rl_key masked;

		if ((k->family != NFPROTO_IPV4 || k->prefix > 32) &&
		    (k->family != NFPROTO_IPV6 || k->prefix > 128)) {
			*errmsg = "rule prefix is neither IPv4/0-32 nor IPv6/0-128";
			err = -EINVAL;
			goto free_sorted;
		}
		rl_rules_mask(&masked, k, k->prefix);
		if (rl_key_cmp(&masked, k)) {
			*errmsg = "rule prefix has host bits set";
			err = -EINVAL;
			goto free_sorted;
		}
		if (!rule_valid(&rs->rules[i], errmsg)) {
			err = -EINVAL;
			goto free_sorted;
		}
		sorted[i] = &rs->rules[i];
	}
	sort(sorted, n, sizeof(*sorted), cmp_rule, NULL);

	for (i = 1; i < n; i++) {
		if (!rl_key_cmp(&sorted[i - 1]->match, &sorted[i]->match)) {
			*errmsg = "two rules for the same prefix";
			err = -EINVAL;
			goto free_sorted;
		}
	}

	/* Count, then fill, the levels of each family. */
	for (i = 0; i < n; i++)
		if (!i || sorted[i]->match.prefix != sorted[i - 1]->match.prefix ||
		    sorted[i]->match.family != sorted[i - 1]->match.family)
			rs->nlevels[family_index(sorted[i]->match.family)]++;
	for (f = 0; f < 2; f++) {
		if (!rs->nlevels[f])
			continue;
		rs->levels[f] = kcalloc(rs->nlevels[f], sizeof(*rs->levels[f]),
					GFP_KERNEL_ACCOUNT);
		if (!rs->levels[f])
			goto free_sorted;
		rs->nlevels[f] = 0;
	}
	for (start = 0; start < n; start = i) {
		const struct rl_key *k = &sorted[start]->match;
		struct rl_rule_level *lvl;

		for (i = start; i < n && sorted[i]->match.prefix == k->prefix &&
		     sorted[i]->match.family == k->family; i++)
			;
		f = family_index(k->family);
		lvl = &rs->levels[f][rs->nlevels[f]++];
		lvl->len = k->prefix;
		lvl->n = i - start;
		lvl->rules = kmemdup(&sorted[start], lvl->n * sizeof(*sorted),
				     GFP_KERNEL_ACCOUNT);
		if (!lvl->rules)
			goto free_sorted;
	}
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

/**
 * rl_rules_match() - the most specific rule covering a prefix
 * @rs: rule set, under RCU or owned
 * @src: a source as a full-length key (prefix 32 or 128), or a table key
 *
 * Only rules no longer than @src's prefix are considered.  For a table key,
 * masked to the aggregation prefix of the rule that governs it, that finds
 * exactly that rule: aggregation prefixes are never shorter than their rule's,
 * so every rule of a length up to the key's covers all of it or none of it.
 *
 * Return: the rule, or NULL if none covers @src.
 */
const struct rl_rule *rl_rules_match(const struct rl_ruleset *rs,
				     const struct rl_key *src)
{
	int f = family_index(src->family);
	u32 l;

	for (l = 0; l < rs->nlevels[f]; l++) {
		const struct rl_rule_level *lvl = &rs->levels[f][l];
		const struct rl_rule *r;
		struct rl_key masked;

		if (lvl->len > src->prefix)
			continue;
		/* A /0 level holds the one rule that covers everything. */
		if (!lvl->len)
			return lvl->rules[0];
		rl_rules_mask(&masked, src, lvl->len);
		r = level_find(lvl, &masked);
		if (r)
			return r;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_match);

/**
 * rl_rules_find() - the rule for exactly this prefix
 * @rs: rule set, under RCU or owned
 * @match: the prefix, masked
 *
 * Return: the rule, or NULL.
 */
const struct rl_rule *rl_rules_find(const struct rl_ruleset *rs,
				    const struct rl_key *match)
{
	int f = family_index(match->family);
	u32 l;

	for (l = 0; l < rs->nlevels[f]; l++)
		if (rs->levels[f][l].len == match->prefix)
			return level_find(&rs->levels[f][l], match);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_find);

/**
 * rl_rules_edit() - a new rule set: @old with one rule added, replaced or
 * deleted
 * @old: the current set, which is left alone
 * @op: what to do with @rule
 * @rule: the rule; only its match key counts for RL_RULES_DEL
 * @errmsg: set to a human-readable reason on failure
 *
 * Rule sets are immutable, so an edit copies the whole set: O(n log n) for n
 * rules, which at the RL_RULES_MAX limit is still milliseconds, and readers
 * never see a set half-changed.
 *
 * Return: the new set, or an ERR_PTR: -EEXIST when adding a prefix that has a
 * rule, -ENOENT when deleting one that has none, or as rl_rules_build().
 */
struct rl_ruleset *rl_rules_edit(const struct rl_ruleset *old,
				 enum rl_rules_op op, const struct rl_rule *rule,
				 const char **errmsg)
{
	const struct rl_rule *found = rl_rules_find(old, &rule->match);
	struct rl_ruleset *rs;
	struct rl_rule *tmp;
	u32 i, n = 0;

	if (op == RL_RULES_ADD && found) {
		*errmsg = "a rule for this prefix exists: use replace";
		return ERR_PTR(-EEXIST);
	}
	if (op == RL_RULES_DEL && !found) {
		*errmsg = "no rule for this prefix";
		return ERR_PTR(-ENOENT);
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
 * rl_rules_free() - free a rule set no reader can still see
 * @rs: the set, or NULL
 */
void rl_rules_free(struct rl_ruleset *rs)
{
	u32 f, l;

	if (!rs)
		return;
	for (f = 0; f < 2; f++) {
		for (l = 0; rs->levels[f] && l < rs->nlevels[f]; l++)
			kfree(rs->levels[f][l].rules);
		kfree(rs->levels[f]);
	}
	kvfree(rs);
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_free);
