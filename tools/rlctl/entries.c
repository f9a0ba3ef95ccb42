// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl entries [PREFIX], rlctl top, rlctl flush [PREFIX]: the sources the
 * module tracks in this namespace.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

struct entry {
	struct rl_prefix src;
	struct rl_prefix rule;		/* family 0: no rule governs it now */
	struct rl_sel_spec sel;		/* of the rule */
	int port;			/* a per-port rule's; -1: none */
	uint64_t tokens, passed, dropped, idle_ms, passed_bytes, dropped_bytes;
	double rate;			/* packets/s, for top --sort rate */
};

struct entries {
	struct entry *v;
	size_t n, cap;
	bool interrupted;
};

static int parse_sel(const struct nlattr *nest, struct rl_sel_spec *sel)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (rl_nl_parse_sel(a, sel) < 0)
			return -1;
	return 0;
}

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	struct entries *es = data;
	struct nlattr *nest, *a;
	struct entry e;

	memset(&e, 0, sizeof(e));
	e.port = -1;
	mnl_attr_for_each(nest, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(nest) != NF_RL_A_ENTRY)
			continue;
		mnl_attr_for_each_nested(a, nest) {
			switch (mnl_attr_get_type(a)) {
			case NF_RL_A_ENTRY_ADDR:
				if (rl_nl_get_prefix(a, &e.src))
					return MNL_CB_ERROR;
				break;
			case NF_RL_A_ENTRY_RULE_ADDR:
				if (rl_nl_get_prefix(a, &e.rule))
					return MNL_CB_ERROR;
				break;
			case NF_RL_A_ENTRY_RULE_PREFIX: e.rule.len = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_PREFIX: e.src.len = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_TOKENS: e.tokens = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_PASSED: e.passed = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_DROPPED: e.dropped = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_PASSED_BYTES: e.passed_bytes = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_DROPPED_BYTES: e.dropped_bytes = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_IDLE_MS: e.idle_ms = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_PORT: e.port = rl_nl_uint(a); break;
			case NF_RL_A_ENTRY_RULE_SEL:
				if (parse_sel(a, &e.sel))
					return MNL_CB_ERROR;
				break;
			}
		}
	}
	if (!e.src.family)
		return MNL_CB_OK;
	if (es->n == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 256;
		struct entry *v = realloc(es->v, cap * sizeof(*v));

		if (!v)
			return MNL_CB_ERROR;
		es->v = v;
		es->cap = cap;
	}
	es->v[es->n++] = e;
	return MNL_CB_OK;
}

/* What "rlctl entries" asks the kernel to leave out. */
struct filter {
	bool by_prefix, by_rule;
	struct rl_prefix prefix;
	struct rl_rule_spec rule;	/* its prefix and selector */
	uint64_t active_ms;		/* 0: any */
};

static void put_filter(struct nlmsghdr *nlh, void *arg)
{
	const struct filter *f = arg;
	struct nlattr *nest;

	if (!f || (!f->by_prefix && !f->by_rule && !f->active_ms))
		return;
	nest = mnl_attr_nest_start(nlh, NF_RL_A_ENTRY);
	if (f->by_prefix) {
		mnl_attr_put(nlh, NF_RL_A_ENTRY_ADDR,
			     f->prefix.family == AF_INET ? 4 : 16, f->prefix.addr);
		mnl_attr_put_u8(nlh, NF_RL_A_ENTRY_PREFIX, f->prefix.len);
	}
	if (f->active_ms)
		mnl_attr_put_u64(nlh, NF_RL_A_ENTRY_IDLE_MS, f->active_ms);
	if (f->by_rule) {
		const struct rl_prefix *p = &f->rule.prefix;
		struct nlattr *sel;

		mnl_attr_put(nlh, NF_RL_A_ENTRY_RULE_ADDR,
			     p->family == AF_INET ? 4 : 16, p->addr);
		mnl_attr_put_u8(nlh, NF_RL_A_ENTRY_RULE_PREFIX, p->len);
		sel = mnl_attr_nest_start(nlh, NF_RL_A_ENTRY_RULE_SEL);
		rl_nl_put_sel(nlh, &f->rule.sel);
		mnl_attr_nest_end(nlh, sel);
	}
	mnl_attr_nest_end(nlh, nest);
}

static int dump(const struct filter *filter, struct entries *es)
{
	int err;

	memset(es, 0, sizeof(*es));
	err = rl_nl_request(NF_RL_CMD_GET_ENTRY, NLM_F_DUMP, put_filter,
			    (void *)filter, entry_cb, es);
	es->interrupted = rl_nl_interrupted();
	return err;
}

static void print(const struct entries *es, size_t n, const struct rlctl_opts *o,
		  bool with_rate)
{
	char src[64], rule[64], sel[200];
	size_t i;

	if (o->json)
		printf("[");
	else
		printf("%-44s %10s %12s %12s %10s%s %s\n", "source", "tokens", "passed",
		       "dropped", "idle_ms", with_rate ? "   packets/s" : "", "rule");
	for (i = 0; i < n; i++) {
		const struct entry *e = &es->v[i];

		rl_format_prefix(&e->src, src, sizeof(src));
		sel[0] = '\0';
		if (e->rule.family) {
			rl_format_prefix(&e->rule, rule, sizeof(rule));
			rl_sel_format(&e->sel, e->rule.family, sel, sizeof(sel));
		} else {
			strcpy(rule, "-");
		}
		if (o->json) {
			printf("%s{\"source\":\"%s\",\"tokens\":%llu,\"passed\":%llu,"
			       "\"dropped\":%llu,\"passed_bytes\":%llu,\"dropped_bytes\":%llu,"
			       "\"idle_ms\":%llu", i ? "," : "", src,
			       (unsigned long long)e->tokens,
			       (unsigned long long)e->passed,
			       (unsigned long long)e->dropped,
			       (unsigned long long)e->passed_bytes,
			       (unsigned long long)e->dropped_bytes,
			       (unsigned long long)e->idle_ms);
			if (with_rate)
				printf(",\"rate\":%.1f", e->rate);
			if (e->rule.family)
				printf(",\"rule\":\"%s\",\"selector\":\"%s\"", rule,
				       sel[0] ? sel + 1 : "");
			else
				printf(",\"rule\":null");
			if (e->port >= 0)
				printf(",\"port\":%d", e->port);
			printf("}");
		} else {
			printf("%-44s %10llu %12llu %12llu %10llu", src,
			       (unsigned long long)e->tokens,
			       (unsigned long long)e->passed,
			       (unsigned long long)e->dropped,
			       (unsigned long long)e->idle_ms);
			if (with_rate)
				printf(" %11.1f", e->rate);
			printf(" %s%s", rule, sel);
			if (e->port >= 0)
				printf(" port %d", e->port);
			printf("\n");
		}
	}
	if (o->json)
		printf("]\n");
	if (es->interrupted)
		fprintf(stderr, "rlctl: the table changed during the listing: it may miss or repeat sources\n");
}

/*
 * "[PREFIX] [active DURATION] [rule PREFIX [SELECTOR]]": the rule filter
 * comes last, so that the selector words that follow it are its own.
 */
static int parse_filter(int argc, char **argv, struct filter *f)
{
	int i = 1;

	memset(f, 0, sizeof(*f));
	if (i < argc && strcmp(argv[i], "active") && strcmp(argv[i], "rule")) {
		if (rl_parse_prefix(argv[i], &f->prefix)) {
			rl_usage_error("'%s' is not a prefix (ADDR or ADDR/LEN, host bits zero)", argv[i]);
			return -1;
		}
		f->by_prefix = true;
		i++;
	}
	if (i + 1 < argc && !strcmp(argv[i], "active")) {
		if (rl_parse_duration(argv[i + 1], UINT64_MAX / 2, &f->active_ms)) {
			rl_usage_error("active wants a duration, e.g. 1s or 500ms, not '%s'", argv[i + 1]);
			return -1;
		}
		i += 2;
	}
	if (i + 1 < argc && !strcmp(argv[i], "rule")) {
		char err[RL_ERR_LEN];

		if (rl_parse_rule(argc - i - 1, argv + i + 1, true, &f->rule, err)) {
			rl_usage_error("entries rule: %s", err);
			return -1;
		}
		f->by_rule = true;
		i = argc;
	}
	if (i < argc) {
		rl_usage_error("entries [PREFIX] [active DURATION] [rule PREFIX [SELECTOR]]: '%s' is not expected", argv[i]);
		return -1;
	}
	return 0;
}

static int entries_run(int argc, char **argv, const struct rlctl_opts *o)
{
	struct filter filter;
	struct entries es;
	int err;

	if (parse_filter(argc, argv, &filter))
		return RLCTL_EXIT_USAGE;
	err = dump(&filter, &es);
	if (err) {
		free(es.v);
		return rl_nl_error(err);
	}
	print(&es, es.n, o, false);
	free(es.v);
	return RLCTL_EXIT_OK;
}

enum sort_key { SORT_DROPS, SORT_PASSED, SORT_RATE };
static enum sort_key sort_key;

static int cmp_entries(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	switch (sort_key) {
	case SORT_RATE:
		return (y->rate > x->rate) - (y->rate < x->rate);
	case SORT_PASSED:
		return (y->passed > x->passed) - (y->passed < x->passed);
	default:
		return (y->dropped > x->dropped) - (y->dropped < x->dropped);
	}
}

/*
 * With --sort rate, two dumps a second apart: a source's rate is what it sent
 * (passed + dropped) in between.  Sources new in the second dump count from 0.
 */
static void add_rates(struct entries *now, const struct entries *before,
		      double seconds)
{
	size_t i, j;

	for (i = 0; i < now->n; i++) {
		struct entry *e = &now->v[i];
		uint64_t prev = 0;

		for (j = 0; j < before->n; j++) {
			const struct entry *p = &before->v[j];

			if (p->src.family == e->src.family && p->src.len == e->src.len &&
			    !memcmp(p->src.addr, e->src.addr, 16)) {
				prev = p->passed + p->dropped;
				break;
			}
		}
		e->rate = (double)(e->passed + e->dropped - prev) / seconds;
	}
}

static int top_run(int argc, char **argv, const struct rlctl_opts *o)
{
	struct entries es, before = { 0 };
	uint32_t n = 10;
	int i, err;

	sort_key = SORT_DROPS;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			if (rl_parse_u32(argv[++i], 1000000, &n) || !n) {
				rl_usage_error("-n wants a count from 1 to 1000000");
				return RLCTL_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--sort") && i + 1 < argc) {
			const char *k = argv[++i];

			if (!strcmp(k, "drops"))
				sort_key = SORT_DROPS;
			else if (!strcmp(k, "passed"))
				sort_key = SORT_PASSED;
			else if (!strcmp(k, "rate"))
				sort_key = SORT_RATE;
			else {
				rl_usage_error("--sort wants drops, passed or rate");
				return RLCTL_EXIT_USAGE;
			}
		} else {
			rl_usage_error("top [-n N] [--sort drops|passed|rate]");
			return RLCTL_EXIT_USAGE;
		}
	}
	if (sort_key == SORT_RATE) {
		err = dump(NULL, &before);
		if (err)
			goto fail;
		sleep(1);
	}
	err = dump(NULL, &es);
	if (err)
		goto fail;
	if (sort_key == SORT_RATE)
		add_rates(&es, &before, 1.0);
	qsort(es.v, es.n, sizeof(*es.v), cmp_entries);
	print(&es, es.n < n ? es.n : n, o, sort_key == SORT_RATE);
	free(es.v);
	free(before.v);
	return RLCTL_EXIT_OK;
fail:
	free(before.v);
	return rl_nl_error(err);
}

static void put_prefix(struct nlmsghdr *nlh, void *arg)
{
	rl_nl_put_prefix(nlh, arg);
}

static int flush_run(int argc, char **argv, const struct rlctl_opts *o)
{
	struct rl_prefix p;
	int err;

	if (argc > 2) {
		rl_usage_error("flush takes at most one entry's PREFIX");
		return RLCTL_EXIT_USAGE;
	}
	if (argc == 1) {
		err = rl_nl_request(NF_RL_CMD_FLUSH_ENTRIES, 0, NULL, NULL, NULL, NULL);
	} else {
		if (rl_parse_prefix(argv[1], &p)) {
			rl_usage_error("'%s' is not a prefix (ADDR or ADDR/LEN, host bits zero)",
				       argv[1]);
			return RLCTL_EXIT_USAGE;
		}
		err = rl_nl_request(NF_RL_CMD_DEL_ENTRY, 0, put_prefix, &p, NULL, NULL);
	}
	return err ? rl_nl_error(err) : RLCTL_EXIT_OK;
}

const struct rlctl_cmd rlctl_entries_cmds[] = {
	{ "entries", entries_run,
	  "entries [PREFIX] [active DURATION] [rule PREFIX [SELECTOR]]" },
	{ "top", top_run, "top [-n N] [--sort drops|passed|rate]" },
	{ "flush", flush_run, "flush [PREFIX]" },
	{ NULL },
};
