// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl rule add|replace|del|get|list: the CIDR rules of this namespace.
 * Among the rules of one selector, the most specific covering a source
 * decides: limit it (at the rule's rate, per prefix-len group of sources),
 * allow it, or deny it; a packet meets the rules of every selector it
 * matches (README, "Selectors").
 */

#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

static void print_rules(const struct rl_rule_spec *v, size_t n,
			const struct rlctl_opts *o)
{
	char p[64], rate[48], sel[200], tmo[32];
	size_t i;

	if (o->json) {
		printf("[");
		for (i = 0; i < n; i++) {
			printf("%s", i ? "," : "");
			rl_print_rule_json(stdout, &v[i]);
		}
		printf("]\n");
		return;
	}
	printf("%-44s %-6s %-20s %10s %10s %-14s %s %s %s\n", "prefix", "action",
	       "rate", "burst", "prefix-len", "algo", "selector", "timeout",
	       "owner");
	for (i = 0; i < n; i++) {
		const struct rl_rule_spec *r = &v[i];

		rl_format_prefix(&r->prefix, p, sizeof(p));
		rl_sel_format(&r->sel, r->prefix.family, sel, sizeof(sel));
		if (r->timeout_ms)
			rl_format_duration(r->timeout_ms, tmo, sizeof(tmo));
		else
			strcpy(tmo, "-");
		if (r->action != NF_RL_ACTION_LIMIT) {
			printf("%-44s %-6s %-20s %10s %10s %-14s", p,
			       rl_action_name(r->action), "-", "-", "-", "-");
		} else {
			rl_format_rate(r->rate, r->period_ns, r->unit, rate,
				       sizeof(rate));
			printf("%-44s %-6s %-20s %10llu %10u %-14s", p, "limit",
			       rate, (unsigned long long)r->burst, r->agg,
			       rl_algo_name(r->algo));
		}
		printf(" %s %s %s\n", sel[0] ? sel + 1 : "-", tmo,
		       r->owner[0] ? r->owner : "-");
	}
}

static int list(int argc, char **argv, const struct rlctl_opts *o)
{
	struct rl_rule_spec *v;
	size_t n;
	int err;

	if (argc > 1) {
		rl_usage_error("rule list takes no arguments");
		return RLCTL_EXIT_USAGE;
	}
	err = rl_rules_fetch(&v, &n);
	if (err)
		return rl_nl_error(err);
	print_rules(v, n, o);
	free(v);
	return RLCTL_EXIT_OK;
}

struct put_arg {
	const struct rl_rule_spec *r;
	bool prefix_only;
};

static void put_rule(struct nlmsghdr *nlh, void *arg)
{
	const struct put_arg *a = arg;

	rl_nl_put_rule(nlh, a->r, a->prefix_only);
}

static int get(const struct rl_rule_spec *r, const struct rlctl_opts *o)
{
	struct put_arg a = { r, true };
	struct rl_rule_list rs = { 0 };
	int err;

	err = rl_nl_request(NF_RL_CMD_GET_RULE, 0, put_rule, &a, rl_nl_rule_cb, &rs);
	if (!err)
		print_rules(rs.v, rs.n, o);
	free(rs.v);
	return err ? rl_nl_error(err) : RLCTL_EXIT_OK;
}

static const struct {
	const char *name;
	uint8_t cmd;		/* 0: get */
	bool prefix_only;
} verbs[] = {
	{ "add", NF_RL_CMD_ADD_RULE, false },
	{ "replace", NF_RL_CMD_REPLACE_RULE, false },
	{ "del", NF_RL_CMD_DEL_RULE, true },
	{ "delete", NF_RL_CMD_DEL_RULE, true },
	{ "get", 0, true },
};

static int rule_run(int argc, char **argv, const struct rlctl_opts *o)
{
	char err[RL_ERR_LEN];
	struct rl_rule_spec r;
	struct put_arg a = { &r };
	size_t i;
	int ret;

	if (argc < 2 || !strcmp(argv[1], "list") || !strcmp(argv[1], "show"))
		return list(argc - 1, argv + 1, o);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].name))
			continue;
		if (rl_parse_rule(argc - 2, argv + 2, verbs[i].prefix_only, &r, err)) {
			rl_usage_error("rule %s: %s", verbs[i].name, err);
			return RLCTL_EXIT_USAGE;
		}
		if (!verbs[i].cmd)
			return get(&r, o);
		a.prefix_only = verbs[i].prefix_only;
		ret = rl_nl_request(verbs[i].cmd, 0, put_rule, &a, NULL, NULL);
		return ret ? rl_nl_error(ret) : RLCTL_EXIT_OK;
	}
	rl_usage_error("unknown rule command '%s' (add, replace, del, get, list)", argv[1]);
	return RLCTL_EXIT_USAGE;
}

const struct rlctl_cmd rlctl_rule_cmds[] = {
	{ "rule", rule_run,
	  "rule add|replace PREFIX [SELECTOR] [rate R] [burst B] [prefix-len N] [algo A] [action limit|allow|deny]\n"
	  "                        [timeout T] [owner O]\n"
	  "  rlctl rule del|get PREFIX [SELECTOR] [owner O]\n"
	  "  SELECTOR: [proto P] [dport LIST] [syn] [icmp-type LIST] [iif NAME] [per-port]\n"
	  "  rlctl rule [list]" },
	{ NULL },
};
