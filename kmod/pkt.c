// SPDX-License-Identifier: GPL-2.0
/*
 * The transport facts of a packet (protocol, destination port, TCP SYN,
 * ICMP type) that selector rules match on, read once per packet.
 *
 * The hooks run before the transport layer has checked anything, so every
 * read goes through skb_header_pointer(): a header that does not fit in the
 * packet is never read past its end, whether the packet is linear or not.
 * A transport header is read whole (TCP 20 bytes, UDP and ICMP 8) or not at
 * all, as the transport layer itself would drop a shorter one.  IPv6
 * extension headers are walked by the kernel's ipv6_skip_exthdr(), which
 * advances at least eight bytes a header and so stops within the packet.
 * Non-first fragments carry no transport header: they keep their protocol
 * and nothing else (as xt_hashlimit, there is no reassembly here).
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "compat.h"
#include "pkt.h"

static void parse_transport(const struct sk_buff *skb, int thoff,
			    struct rl_pkt *p)
{
	union {
		struct tcphdr tcp;
		struct udphdr udp;
		struct icmphdr icmp;
		struct icmp6hdr icmp6;
	} buf;
	const struct tcphdr *th;
	const struct udphdr *uh;
	const u8 *type;

	switch (p->proto) {
	case IPPROTO_TCP:
		th = skb_header_pointer(skb, thoff, sizeof(buf.tcp), &buf.tcp);
		if (!th)
			return;
		p->dport = ntohs(th->dest);
		p->flags |= RL_PKT_PORTS;
		if (th->syn && !th->ack)
			p->flags |= RL_PKT_SYN;
		return;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		uh = skb_header_pointer(skb, thoff, sizeof(buf.udp), &buf.udp);
		if (!uh)
			return;
		p->dport = ntohs(uh->dest);
		p->flags |= RL_PKT_PORTS;
		return;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* Both fixed headers are 8 bytes, the type first. */
		BUILD_BUG_ON(sizeof(buf.icmp) != 8 || sizeof(buf.icmp6) != 8);
		type = skb_header_pointer(skb, thoff, 8, &buf);
		if (!type)
			return;
		p->icmp_type = *type;
		p->flags |= RL_PKT_ICMP;
		return;
	}
}

/**
 * rl_pkt_parse4() - the transport facts of an IPv4 packet
 * @skb: the packet, its network header set
 * @p: filled in; its flags say which fields are valid
 *
 * Context: any; reads the packet only.
 */
void rl_pkt_parse4(const struct sk_buff *skb, struct rl_pkt *p)
{
	const struct iphdr *iph;
	struct iphdr buf;

	memset(p, 0, sizeof(*p));
	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(buf), &buf);
	if (!iph || iph->ihl < 5)
		return;
	p->proto = iph->protocol;
	p->flags = RL_PKT_PROTO;
	if (ntohs(iph->frag_off) & IP_OFFSET) {
		p->flags |= RL_PKT_FRAG;
		return;
	}
	parse_transport(skb, skb_network_offset(skb) + iph->ihl * 4, p);
}
EXPORT_SYMBOL_IF_KUNIT(rl_pkt_parse4);

/**
 * rl_pkt_parse6() - the transport facts of an IPv6 packet
 * @skb: the packet, its network header set
 * @p: filled in; its flags say which fields are valid
 *
 * Context: any; reads the packet only.
 */
void rl_pkt_parse6(const struct sk_buff *skb, struct rl_pkt *p)
{
	const struct frag_hdr *fh;
	const struct ipv6hdr *ip6;
	struct frag_hdr fbuf;
	struct ipv6hdr buf;
	__be16 frag_off;
	u8 nexthdr;
	int thoff;

	memset(p, 0, sizeof(*p));
	ip6 = skb_header_pointer(skb, skb_network_offset(skb), sizeof(buf), &buf);
	if (!ip6)
		return;
	nexthdr = ip6->nexthdr;
	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(buf),
				 &nexthdr, &frag_off);
	if (thoff < 0)
		return;		/* a chain past the packet, or no next header */
	if (ntohs(frag_off) & ~0x7) {
		/*
		 * ipv6_skip_exthdr() stops at a later fragment's header and
		 * leaves nexthdr saying "fragment": the protocol is the one
		 * the fragment header names, which it has already read.
		 */
		fh = skb_header_pointer(skb, thoff, sizeof(fbuf), &fbuf);
		if (!fh)
			return;
		p->proto = fh->nexthdr;
		p->flags = RL_PKT_PROTO | RL_PKT_FRAG;
		return;
	}
	p->proto = nexthdr;
	p->flags = RL_PKT_PROTO;
	parse_transport(skb, thoff, p);
}
EXPORT_SYMBOL_IF_KUNIT(rl_pkt_parse6);
