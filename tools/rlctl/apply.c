// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl apply -f FILE: make the rules and settings of FILE the running
 * configuration, all of it or none of it.  rlctl save: print the running
 * configuration in the same format, so that save > FILE; apply -f FILE is a
 * round trip.
 *
 * The file is parsed whole before anything is sent; the kernel then receives
 * one NF_RL_CMD_SET_RULES request, checks every rule and setting, and swaps
 * the new rule set in with the settings, or changes nothing.  Settings the
 * file does not mention keep their values; rules it does not list are gone.
 *
 * Both deal in the administrator's rules only: rules an agent installed with
 * an owner tag (rlsyncd's "cluster") are neither saved nor replaced, except
 * that a rule of the file wins over an agent's rule for the same prefix and
 * selector (README, "Timed rules and owners").
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

enum {
	RL_MAX_FILE = 64 << 20,		/* far beyond 65536 rules */
	RL_RULE_MSG_SIZE = 128,		/* the largest NF_RL_A_RULE nest, rounded up */
};

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap), *p;

	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap) {
			if (ferror(f))
				break;
			*len = n;
			return buf;
		}
		if (cap >= RL_MAX_FILE) {
			errno = EFBIG;
			break;
		}
		cap *= 2;
		p = realloc(buf, cap);
		if (!p)
			break;
		buf = p;
	}
	free(buf);
	return NULL;
}

static void put_config(struct nlmsghdr *nlh, void *arg)
{
	const struct rl_config_file *c = arg;
	size_t i;

	for (i = 0; i < c->n; i++)
		rl_nl_put_rule(nlh, &c->rules[i], false);
	if (c->set.has_dry_run || c->set.has_policy || c->set.has_max ||
	    c->set.has_log || c->set.has_owner_max)
		rl_nl_put_settings(nlh, &c->set);
}

static int apply_run(int argc, char **argv, const struct rlctl_opts *o)
{
	struct rl_config_file c = { 0 };
	char err[RL_ERR_LEN];
	const char *path;
	size_t len;
	char *text;
	FILE *f;
	int ret;

	if (argc != 3 || strcmp(argv[1], "-f")) {
		rl_usage_error("apply -f FILE (- for standard input)");
		return RLCTL_EXIT_USAGE;
	}
	path = argv[2];
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		rl_usage_error("%s: %s", path, strerror(errno));
		return RLCTL_EXIT_USAGE;
	}
	text = read_all(f, &len);
	if (f != stdin)
		fclose(f);
	if (!text) {
		rl_usage_error("%s: %s", path, strerror(errno));
		return RLCTL_EXIT_USAGE;
	}
	ret = rl_parse_config(text, len, &c, err);
	free(text);
	for (size_t i = 0; !ret && i < c.n; i++) {
		if (!c.rules[i].owner[0])
			continue;
		rl_format_prefix(&c.rules[i].prefix, err, sizeof(err));
		strcat(err, ": a rule with an owner is that owner's to set; apply sets the administrator's rules");
		ret = -EINVAL;
	}
	if (ret) {
		rl_usage_error("%s: %s", path, err);
		rl_config_free(&c);
		return RLCTL_EXIT_USAGE;
	}
	ret = rl_nl_request_size(NF_RL_CMD_SET_RULES, 0,
				 4096 + c.n * RL_RULE_MSG_SIZE, put_config, &c,
				 NULL, NULL);
	rl_config_free(&c);
	return ret ? rl_nl_error(ret) : RLCTL_EXIT_OK;
}

static int settings_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *nest;

	mnl_attr_for_each(nest, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(nest) == NF_RL_A_CONFIG)
			rl_nl_parse_settings(nest, data);
	return MNL_CB_OK;
}

static void print_json(const struct rl_config_file *c)
{
	size_t i;

	printf("{\"set\":{\"dry_run\":%s,\"full_policy\":\"%s\",\"max_entries\":%u,\"log\":%s,\"owner_rules_max\":%u},\"rules\":[",
	       c->set.dry_run ? "true" : "false", rl_policy_name(c->set.policy),
	       c->set.max_entries, c->set.log ? "true" : "false",
	       c->set.owner_max);
	for (i = 0; i < c->n; i++) {
		printf("%s", i ? "," : "");
		rl_print_rule_json(stdout, &c->rules[i]);
	}
	printf("]}\n");
}

static int save_run(int argc, char **argv, const struct rlctl_opts *o)
{
	struct rl_config_file c = { 0 };
	size_t i, j, agents;
	int err;

	if (argc > 1) {
		rl_usage_error("save takes no arguments");
		return RLCTL_EXIT_USAGE;
	}
	err = rl_nl_request(NF_RL_CMD_GET_CONFIG, 0, NULL, NULL, settings_cb, &c.set);
	if (!err)
		err = rl_rules_fetch(&c.rules, &c.n);
	if (err)
		return rl_nl_error(err);
	/* An agent's rules are its own to restore; apply would refuse them. */
	for (i = j = 0; i < c.n; i++)
		if (!c.rules[i].owner[0])
			c.rules[j++] = c.rules[i];
	agents = c.n - j;
	c.n = j;
	if (o->json) {
		print_json(&c);
	} else {
		rl_format_config(stdout, &c);
		if (agents)
			printf("# %zu rules of agents (owner tags) not saved: they reinstall their own\n",
			       agents);
	}
	rl_config_free(&c);
	return RLCTL_EXIT_OK;
}

const struct rlctl_cmd rlctl_apply_cmds[] = {
	{ "apply", apply_run, "apply -f FILE" },
	{ "save", save_run, "save" },
	{ NULL },
};
