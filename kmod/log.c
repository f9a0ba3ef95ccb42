// SPDX-License-Identifier: GPL-2.0
/*
 * Events in the kernel log: a line when a source starts being limited and
 * when it stops, for sysadmins who read dmesg or journald rather than run
 * "rlctl monitor".  Off unless log=1 or "rlctl set log on".
 *
 * A flood of spoofed sources makes one event per source, so the lines go
 * through net_ratelimit(): netdev's shared pace for packet-driven messages
 * (net.core.message_burst and message_cost), which one namespace cannot
 * exceed for all of them.  Lines it suppresses are counted by the kernel
 * ("N callbacks suppressed"), not here.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inet.h>
#include <linux/net.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <net/net_namespace.h>

#include "log.h"
#include "nf_ratelimit.h"

/**
 * rl_log_event() - log an event, if the namespace's log setting is on
 * @rn: the namespace
 * @ev: a source limited or released
 *
 * Context: any, up to softirq; does not sleep.
 */
void rl_log_event(const struct rl_net *rn, const struct rl_event *ev)
{
	char source[RL_KEY_TEXT + 12], rule[RL_KEY_TEXT + RL_SEL_TEXT];
	int n;

	if (!READ_ONCE(rn->table.cfg.limits.log) || !net_ratelimit())
		return;
	rl_key_format(source, &ev->source);
	rl_key_format(rule, &ev->rule);
	/* A selector rule's source: "SOURCE[ port P] ... by rule PREFIX SEL". */
	if (!rl_sel_is_source(ev->sel)) {
		if (ev->sel->flags & RL_SEL_PER_PORT)
			scnprintf(source + strlen(source), 12, " port %u",
				  ev->source.port);
		n = strlen(rule);
		rule[n++] = ' ';
		rl_sel_format(rule + n, sizeof(rule) - n, ev->sel);
	}
	if (net_eq(rn->net, &init_net))
		pr_info("%s %s by rule %s, %llu dropped\n", source,
			ev->type == NF_RL_EVENT_LIMITED ? "limited" : "released",
			rule, ev->dropped);
	else
		pr_info("%s %s by rule %s, %llu dropped, netns %u\n", source,
			ev->type == NF_RL_EVENT_LIMITED ? "limited" : "released",
			rule, ev->dropped, rn->net->ns.inum);
}
