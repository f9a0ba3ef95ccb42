/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NF_RL_PKT_H
#define _NF_RL_PKT_H

#include <linux/skbuff.h>
#include <linux/types.h>

/* What rl_pkt_parse*() could tell; each flag says a field is valid. */
enum {
	RL_PKT_PROTO = BIT(0),		/* proto is the transport protocol */
	RL_PKT_PORTS = BIT(1),		/* dport is the destination port */
	RL_PKT_SYN = BIT(2),		/* TCP SYN without ACK: a new connection */
	RL_PKT_ICMP = BIT(3),		/* icmp_type is the ICMP(v6) type */
	RL_PKT_FRAG = BIT(4),		/* a fragment other than the first */
};

/*
 * The transport facts of a packet that selector rules match on.  A
 * non-first fragment has a protocol but no ports, flags or ICMP type; a
 * transport header shorter than its protocol's fixed header, or one that
 * cannot be reached (IPv4 header length below 20 bytes, an IPv6 extension
 * header chain that runs past the packet), has none of them.
 */
struct rl_pkt {
	u8 flags;
	u8 proto;
	u8 icmp_type;
	u16 dport;			/* host byte order */
};

void rl_pkt_parse4(const struct sk_buff *skb, struct rl_pkt *p);
void rl_pkt_parse6(const struct sk_buff *skb, struct rl_pkt *p);

#endif /* _NF_RL_PKT_H */
