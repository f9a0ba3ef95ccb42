/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NF_RL_SELECTOR_H
#define _NF_RL_SELECTOR_H

#include <linux/if.h>
#include <linux/string.h>
#include <linux/types.h>
#include <uapi/linux/nf_ratelimit.h>

#include "pkt.h"

enum {
	RL_SEL_SYN = BIT(0),		/* TCP SYN without ACK */
	RL_SEL_PER_PORT = BIT(1),	/* entries keyed by source and dport */
};

/*
 * Which packets of its sources a rule sees, besides their source address:
 * all zero for a source rule, which sees every packet.  Kept canonical (port
 * ranges and ICMP types sorted, unused slots zero, no padding) so that two
 * selectors are the same exactly when their bytes are.
 */
struct rl_sel {
	u8 proto;			/* IPPROTO_*, 0: any */
	u8 flags;			/* RL_SEL_* */
	u8 nports;			/* 0: any port */
	u8 ntypes;			/* 0: any ICMP type */
	struct nf_rl_port_range ports[NF_RL_PORT_RANGES_MAX];
	u8 types[NF_RL_ICMP_TYPES_MAX];
	char iif[IFNAMSIZ];		/* "": any interface; "eth+": eth... */
};

/*
 * A packet as selectors see it: its transport facts, parsed from skb on
 * first use (a packet no selector rule looks at is never parsed), and the
 * name of the interface it came in on.
 */
struct rl_pkt_in {
	const struct sk_buff *skb;	/* NULL: facts are given */
	const char *ifname;		/* NULL: none */
	bool parsed;
	struct rl_pkt facts;
};

/* rl_sel_format()'s longest word, nul included: ports, syn, iif, per-port. */
#define RL_SEL_TEXT	160

static inline bool rl_sel_is_source(const struct rl_sel *sel)
{
	return !memchr_inv(sel, 0, sizeof(*sel));
}

int rl_sel_check(struct rl_sel *sel, u8 family, const char **errmsg);
bool rl_sel_match(const struct rl_sel *sel, struct rl_pkt_in *pkt, u8 family);
u16 rl_sel_hash(const struct rl_sel *sel);
int rl_sel_format(char *buf, size_t len, const struct rl_sel *sel);

#endif /* _NF_RL_SELECTOR_H */
