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

enum {
	RL_RULES_MAX = 65536,
};

static int family_index(u8 family)
{
	return family == NFPROTO_IPV6;
}

static int cmp_key(const struct rl_key *a, const struct rl_key *b)
{
	return memcmp(a, b, sizeof(*a));
}

/* Longest prefix first, then by key: levels fall out as contiguous runs. */
static int cmp_rule(const void *pa, const void *pb)
{
	const struct rl_rule *a = *(const struct rl_rule **)pa;
	const struct rl_rule *b = *(const struct rl_rule **)pb;

	if (a->match.prefix != b->match.prefix)
		return a->match.prefix > b->match.prefix ? -1 : 1;
	return cmp_key(&a->match, &b->match);
}

static void mask_key(struct rl_key *dst, const struct rl_key *src, u8 len)
{
	if (src->family == NFPROTO_IPV4)
		rl_hook_build_key4(dst, src->addr.v4, len);
	else
		rl_hook_build_key6(dst, &src->addr.v6, len);
}

/**
 * rl_rules_build() - make an immutable rule set
 * @rules: the rules; their match keys must be masked (rl_hook_build_key*)
 * @n: how many, at most RL_RULES_MAX
 * @errmsg: set to a human-readable reason on failure
 *
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
	rs = kvzalloc(struct_size(rs, rules, n), GFP_KERNEL);
	if (!rs) {
		*errmsg = "out of memory";
		return ERR_PTR(-ENOMEM);
	}
	rs->nrules = n;
	memcpy(rs->rules, rules, flex_array_size(rs, rules, n));

	sorted = kvcalloc(n, sizeof(*sorted), GFP_KERNEL);
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
		mask_key(&masked, k, k->prefix);
		if (cmp_key(&masked, k)) {
			*errmsg = "rule prefix has host bits set";
			err = -EINVAL;
			goto free_sorted;
		}
		sorted[i] = &rs->rules[i];
	}
	sort(sorted, n, sizeof(*sorted), cmp_rule, NULL);

	for (i = 1; i < n; i++) {
		if (!cmp_key(&sorted[i - 1]->match, &sorted[i]->match)) {
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
					GFP_KERNEL);
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
				     GFP_KERNEL);
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

/**
 * rl_rules_match() - the most specific rule covering a source
 * @rs: rule set, under RCU or owned
 * @src: the source, as a full-length key (prefix 32 or 128)
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
		u32 lo = 0, hi = lvl->n;
		struct rl_key masked;

		mask_key(&masked, src, lvl->len);
		while (lo < hi) {
			u32 mid = lo + (hi - lo) / 2;
			int c = cmp_key(&masked, &lvl->rules[mid]->match);

			if (!c)
				return lvl->rules[mid];
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rules_match);

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
