// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl monitor [count N]: print the module's events as they arrive, a line
 * (or, with -j, a JSON object) each: a source starting to be limited, or
 * released once its bucket has refilled.  The kernel rate limits events; the
 * first one it sends after a gap says how many it did not send.
 */

#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

struct monitor {
	const struct rlctl_opts *o;
	uint64_t left;			/* events still to print; 0: no limit */
	bool counted;
};

struct event {
	uint32_t type;
	struct rl_prefix src, rule;
	struct rl_sel_spec sel;		/* of the rule */
	int port;			/* a per-port rule's; -1: none */
	uint64_t dropped, lost;
};

static void parse_event(const struct nlattr *nest, struct event *ev)
{
	const struct nlattr *a;

	ev->port = -1;
	mnl_attr_for_each_nested(a, nest) {
		const struct nlattr *s;

		switch (mnl_attr_get_type(a)) {
		case NF_RL_A_EVENT_RULE_SEL:
			mnl_attr_for_each_nested(s, a) {
				rl_nl_parse_sel(s, &ev->sel);
			}
			break;
		case NF_RL_A_EVENT_PORT: ev->port = rl_nl_uint(a); break;
		case NF_RL_A_EVENT_TYPE: ev->type = rl_nl_uint(a); break;
		case NF_RL_A_EVENT_ADDR: rl_nl_get_prefix(a, &ev->src); break;
		case NF_RL_A_EVENT_PREFIX: ev->src.len = rl_nl_uint(a); break;
		case NF_RL_A_EVENT_RULE_ADDR: rl_nl_get_prefix(a, &ev->rule); break;
		case NF_RL_A_EVENT_RULE_PREFIX: ev->rule.len = rl_nl_uint(a); break;
		case NF_RL_A_EVENT_DROPPED: ev->dropped = rl_nl_uint(a); break;
		case NF_RL_A_EVENT_LOST: ev->lost = rl_nl_uint(a); break;
		}
	}
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	static const char * const types[] = { "limited", "released" };
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	struct nlattr *nest;
	char src[64], rule[64], sel[200], port[24];

	if (g->cmd != NF_RL_CMD_EVENT_NTF)
		return MNL_CB_OK;
	mnl_attr_for_each(nest, nlh, sizeof(*g)) {
		struct event ev = { 0 };
		const char *type;

		if (mnl_attr_get_type(nest) != NF_RL_A_EVENT)
			continue;
		parse_event(nest, &ev);
		if (!ev.src.family || !ev.rule.family)
			continue;
		type = ev.type < 2 ? types[ev.type] : "unknown";
		rl_format_prefix(&ev.src, src, sizeof(src));
		rl_format_prefix(&ev.rule, rule, sizeof(rule));
		rl_sel_format(&ev.sel, ev.rule.family, sel, sizeof(sel));
		port[0] = '\0';
		if (ev.port >= 0)
			snprintf(port, sizeof(port), " port %d", ev.port);
		if (m->o->json) {
			printf("{\"event\":\"%s\",\"source\":\"%s\",\"rule\":\"%s\","
			       "\"selector\":\"%s\",", type, src, rule,
			       sel[0] ? sel + 1 : "");
			if (ev.port >= 0)
				printf("\"port\":%d,", ev.port);
			printf("\"dropped\":%llu,\"lost\":%llu}\n",
			       (unsigned long long)ev.dropped,
			       (unsigned long long)ev.lost);
		} else {
			printf("%-8s %s%s rule %s%s dropped %llu%s\n", type, src,
			       port, rule, sel, (unsigned long long)ev.dropped,
			       ev.lost ? " (events were lost before this one)" : "");
		}
		if (ev.lost && !m->o->json)
			printf("lost     %llu events, over the kernel's event rate\n",
			       (unsigned long long)ev.lost);
		fflush(stdout);
		if (m->counted && !--m->left)
			return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

static int monitor_run(int argc, char **argv, const struct rlctl_opts *o)
{
	struct monitor m = { .o = o };
	int err;

	if (argc == 3 && !strcmp(argv[1], "count")) {
		if (rl_parse_u64(argv[2], &m.left) || !m.left) {
			rl_usage_error("count wants a positive number, not '%s'", argv[2]);
			return RLCTL_EXIT_USAGE;
		}
		m.counted = true;
	} else if (argc != 1) {
		rl_usage_error("monitor [count N]");
		return RLCTL_EXIT_USAGE;
	}
	err = rl_nl_monitor(event_cb, &m);
	return err ? rl_nl_error(err) : RLCTL_EXIT_OK;
}

const struct rlctl_cmd rlctl_monitor_cmds[] = {
	{ "monitor", monitor_run, "monitor [count N]" },
	{ NULL },
};
