// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl set dry-run on|off | full-policy shared|drop|accept | max-entries N:
 * change the settings that may change while packets flow.  Several may be
 * given at once; the kernel applies all of them or none.
 */

#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

struct settings {
	bool has_dry_run, has_policy, has_max;
	bool dry_run;
	uint32_t policy, max_entries;
};

static void put_settings(struct nlmsghdr *nlh, void *arg)
{
	const struct settings *s = arg;
	struct nlattr *nest = mnl_attr_nest_start(nlh, NF_RL_A_CONFIG);

	if (s->has_dry_run)
		mnl_attr_put_u8(nlh, NF_RL_A_CONFIG_DRY_RUN, s->dry_run);
	if (s->has_policy)
		mnl_attr_put_u32(nlh, NF_RL_A_CONFIG_FULL_POLICY, s->policy);
	if (s->has_max)
		mnl_attr_put_u32(nlh, NF_RL_A_CONFIG_MAX_ENTRIES, s->max_entries);
	mnl_attr_nest_end(nlh, nest);
}

static int set_run(int argc, char **argv, const struct rlctl_opts *o)
{
	static const char * const policies[] = { "shared", "drop", "accept" };
	struct settings s = { 0 };
	int i, err;

	if (argc < 3 || argc % 2 == 0) {
		rl_usage_error("set NAME VALUE [NAME VALUE]...");
		return RLCTL_EXIT_USAGE;
	}
	for (i = 1; i < argc; i += 2) {
		const char *name = argv[i], *val = argv[i + 1];

		if (!strcmp(name, "dry-run")) {
			if (rl_parse_bool(val, &s.dry_run)) {
				rl_usage_error("dry-run wants on or off, not '%s'", val);
				return RLCTL_EXIT_USAGE;
			}
			s.has_dry_run = true;
		} else if (!strcmp(name, "full-policy")) {
			for (s.policy = 0; s.policy < 3; s.policy++)
				if (!strcmp(val, policies[s.policy]))
					break;
			if (s.policy == 3) {
				rl_usage_error("full-policy wants shared, drop or accept, not '%s'", val);
				return RLCTL_EXIT_USAGE;
			}
			s.has_policy = true;
		} else if (!strcmp(name, "max-entries")) {
			if (rl_parse_u32(val, UINT32_MAX, &s.max_entries) || !s.max_entries) {
				rl_usage_error("max-entries wants a positive count, not '%s'", val);
				return RLCTL_EXIT_USAGE;
			}
			s.has_max = true;
		} else {
			rl_usage_error("unknown setting '%s' (dry-run, full-policy, max-entries)",
				       name);
			return RLCTL_EXIT_USAGE;
		}
	}
	err = rl_nl_request(NF_RL_CMD_SET_CONFIG, 0, put_settings, &s, NULL, NULL);
	return err ? rl_nl_error(err) : RLCTL_EXIT_OK;
}

const struct rlctl_cmd rlctl_set_cmds[] = {
	{ "set", set_run,
	  "set dry-run on|off | full-policy shared|drop|accept | max-entries N ..." },
	{ NULL },
};
