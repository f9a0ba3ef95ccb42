// SPDX-License-Identifier: GPL-2.0
/*
 * rlsyncd's kernel side, through rlctl's netlink code: what each source
 * offered since the last sync (one entry dump, filtered in the kernel to
 * the entries active since then), and the verdicts as rules of rlsyncd's
 * owner, installed in one NF_RL_CMD_SET_RULES that replaces only them.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "rlsyncd.h"
#include "kernel.h"

struct dump {
	const struct rls_config *c;
	struct rls_usage *v;
	size_t n, cap;
	int err;
};

bool rls_prefix_eq(const struct rl_prefix *a, const struct rl_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static bool covers(const struct rl_prefix *rule, const struct rl_prefix *p)
{
	unsigned int i;

	if (rule->family != p->family || p->len < rule->len)
		return false;
	for (i = 0; i < rule->len; i++)
		if ((rule->addr[i / 8] ^ p->addr[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

/*
 * The cluster rule an entry counts under: the most specific one covering
 * it whose prefix-len made its key, if the entry's rule is that cluster
 * rule's own prefix (the local limit the admin configured) or a rule of
 * ours on the key itself.  An entry some other rule of the admin governs
 * is the admin's business, and left alone.
 */
static int cluster_rule(const struct rls_config *c, const struct rl_prefix *key,
			const struct rl_prefix *rule, bool source_rule)
{
	int best = -1;
	unsigned int i;

	if (!source_rule)
		return -1;
	for (i = 0; i < c->nrules; i++) {
		const struct rl_rule_spec *s = &c->rules[i].spec;

		if (s->agg != key->len || !covers(&s->prefix, key))
			continue;
		if (best >= 0 && c->rules[best].spec.prefix.len >= s->prefix.len)
			continue;
		if (rls_prefix_eq(rule, &s->prefix) || rls_prefix_eq(rule, key))
			best = i;
	}
	return best;
}

static int usage_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct rl_prefix key, rule;
	uint64_t passed = 0, dropped = 0, passed_bytes = 0, dropped_bytes = 0;
	bool has_sel = false;
	struct nlattr *nest, *a;
	int idx;

	memset(&key, 0, sizeof(key));
	memset(&rule, 0, sizeof(rule));
	mnl_attr_for_each(nest, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(nest) != NF_RL_A_ENTRY)
			continue;
		mnl_attr_for_each_nested(a, nest) {
			switch (mnl_attr_get_type(a)) {
			case NF_RL_A_ENTRY_ADDR:
				if (rl_nl_get_prefix(a, &key))
					return MNL_CB_ERROR;
				break;
			case NF_RL_A_ENTRY_PREFIX: key.len = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_RULE_ADDR:
				if (rl_nl_get_prefix(a, &rule))
					return MNL_CB_ERROR;
				break;
			case NF_RL_A_ENTRY_RULE_PREFIX: rule.len = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_PASSED: passed = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_DROPPED: dropped = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_PASSED_BYTES: passed_bytes = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_DROPPED_BYTES: dropped_bytes = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_RULE_SEL: has_sel = true; break;
			case NF_RL_A_ENTRY_PORT: has_sel = true; break;
			}
		}
	}
	if (!key.family || !rule.family)
		return MNL_CB_OK;
	idx = cluster_rule(d->c, &key, &rule, !has_sel);
	if (idx < 0)
		return MNL_CB_OK;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct rls_usage *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			d->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		d->v = v;
		d->cap = cap;
	}
	memset(&d->v[d->n], 0, sizeof(d->v[d->n]));
	d->v[d->n].src.prefix = key;
	d->v[d->n].src.rule = idx;
	/* In the cluster rule's unit: packets, or bytes. */
	d->v[d->n].offered = d->c->rules[idx].spec.unit == NF_RL_UNIT_BYTES ?
			     passed_bytes + dropped_bytes : passed + dropped;
	d->n++;
	return MNL_CB_OK;
}

static void put_active(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NF_RL_A_ENTRY);

	mnl_attr_put_u64(nlh, NF_RL_A_ENTRY_IDLE_MS, *(uint64_t *)arg);
	mnl_attr_nest_end(nlh, nest);
}

static int cmp_usage(const void *a, const void *b)
{
	return rls_source_cmp(&((const struct rls_usage *)a)->src,
			      &((const struct rls_usage *)b)->src);
}

/**
 * rls_kernel_usage() - the cumulative counts of the sources active lately
 * @c: the configuration
 * @active_ms: how far back "lately" goes
 * @v: set to a malloc'ed array sorted by source, which the caller frees
 * @n: set to its length
 *
 * Return: 0 or a -errno (rl_nl_message() may explain it).
 */
int rls_kernel_usage(const struct rls_config *c, uint64_t active_ms,
		     struct rls_usage **v, size_t *n)
{
	struct dump d = { .c = c };
	int err;

	err = rl_nl_request(NF_RL_CMD_GET_ENTRY, NLM_F_DUMP, put_active,
			    &active_ms, usage_cb, &d);
	if (d.err)
		err = d.err;
	if (err) {
		free(d.v);
		return err;
	}
	qsort(d.v, d.n, sizeof(*d.v), cmp_usage);
	*v = d.v;
	*n = d.n;
	return 0;
}

struct owner_set {
	const struct rls_config *c;
	const struct rl_rule_spec *rules;
	size_t n;
};

static void put_owner_set(struct nlmsghdr *nlh, void *arg)
{
	const struct owner_set *s = arg;
	size_t i;

	mnl_attr_put_strz(nlh, NF_RL_A_OWNER, s->c->owner);
	for (i = 0; i < s->n; i++)
		rl_nl_put_rule(nlh, &s->rules[i], false);
}

/**
 * rls_kernel_install() - make @rules the rules of rlsyncd's owner
 * @c: the configuration (its owner tag)
 * @rules: the rules, each with that owner and a timeout
 * @n: how many; 0 removes them all
 *
 * Return: 0 or a -errno (rl_nl_message() explains it): -EEXIST when the
 * administrator has a rule for the prefix of one of them.
 */
int rls_kernel_install(const struct rls_config *c,
		       const struct rl_rule_spec *rules, size_t n)
{
	struct owner_set s = { c, rules, n };

	return rl_nl_request_size(NF_RL_CMD_SET_RULES, 0, 4096 + n * 160,
				  put_owner_set, &s, NULL, NULL);
}

/**
 * rls_kernel_taken() - the rules of everyone but rlsyncd's owner
 * @c: the configuration (rlsyncd's owner tag)
 * @v: set to a malloc'ed array of rules, which the caller frees
 * @n: set to its length
 *
 * Return: 0 or a -errno.
 */
int rls_kernel_taken(const struct rls_config *c, struct rl_rule_spec **v,
		     size_t *n)
{
	size_t i, j;
	int err;

	err = rl_rules_fetch(v, n);
	if (err)
		return err;
	for (i = j = 0; i < *n; i++)
		if (strcmp((*v)[i].owner, c->owner))
			(*v)[j++] = (*v)[i];
	*n = j;
	return 0;
}
