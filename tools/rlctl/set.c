// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl set dry-run on|off | full-policy shared|drop|accept | max-entries N |
 * log on|off | owner-rules-max N:
 * change the settings that may change while packets flow.  Several may be
 * given at once; the kernel applies all of them or none.
 */

#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

static void put_settings(struct nlmsghdr *nlh, void *arg)
{
	rl_nl_put_settings(nlh, arg);
}

static int set_run(int argc, char **argv, const struct rlctl_opts *o)
{
	struct rl_settings s = { 0 };
	char err[RL_ERR_LEN];
	int i, ret;

	if (argc < 3 || argc % 2 == 0) {
		rl_usage_error("set NAME VALUE [NAME VALUE]...");
		return RLCTL_EXIT_USAGE;
	}
	for (i = 1; i < argc; i += 2) {
		if (rl_parse_setting(argv[i], argv[i + 1], &s, err)) {
			rl_usage_error("%s", err);
			return RLCTL_EXIT_USAGE;
		}
	}
	ret = rl_nl_request(NF_RL_CMD_SET_CONFIG, 0, put_settings, &s, NULL, NULL);
	return ret ? rl_nl_error(ret) : RLCTL_EXIT_OK;
}

const struct rlctl_cmd rlctl_set_cmds[] = {
	{ "set", set_run,
	  "set dry-run on|off | full-policy shared|drop|accept | max-entries N | log on|off | owner-rules-max N ..." },
	{ NULL },
};
