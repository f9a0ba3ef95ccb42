// SPDX-License-Identifier: GPL-2.0
/*
 * The transport facts selector rules match on, from crafted packets: every
 * protocol the parser knows, SYN with and without ACK, first and later
 * fragments of both families, IPv6 extension header chains (long, cut short,
 * ending in "no next header"), and headers that are truncated or lie about
 * their length.  Each packet is parsed twice: linear, and with everything
 * after its first 20 bytes in a page fragment, so that no read may assume
 * the headers are in the linear part.
 */

#include <kunit/test.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "../pkt.h"

struct builder {
	u8 buf[512];
	unsigned int len;
};

static void put(struct builder *b, const void *data, unsigned int n)
{
	memcpy(b->buf + b->len, data, n);
	b->len += n;
}

static void ip4(struct builder *b, u8 proto, u16 frag_off, u8 ihl)
{
	struct iphdr h = {
		.version = 4, .ihl = ihl, .ttl = 64, .protocol = proto,
		.frag_off = htons(frag_off),
		.saddr = htonl(0xc6336401), .daddr = htonl(0xc6336402),
	};

	put(b, &h, sizeof(h));
}

static void ip6(struct builder *b, u8 nexthdr)
{
	struct ipv6hdr h = { .version = 6, .nexthdr = nexthdr, .hop_limit = 64 };

	put(b, &h, sizeof(h));
}

/* An 8-byte hop-by-hop, routing or destination options header. */
static void ext6(struct builder *b, u8 next)
{
	u8 h[8] = { next, 0, 1, 4 };	/* hdrlen 0, one PadN of 4 */

	put(b, h, sizeof(h));
}

static void frag6(struct builder *b, u8 next, u16 offset8)
{
	struct frag_hdr h = {
		.nexthdr = next,
		.frag_off = htons(offset8 << 3 | IP6_MF),
		.identification = htonl(1),
	};

	put(b, &h, sizeof(h));
}

static void tcp(struct builder *b, u16 dport, bool syn, bool ack)
{
	struct tcphdr h = {
		.source = htons(12345), .dest = htons(dport), .doff = 5,
		.syn = syn, .ack = ack, .window = htons(65535),
	};

	put(b, &h, sizeof(h));
}

static void udp(struct builder *b, u16 dport)
{
	struct udphdr h = { .source = htons(12345), .dest = htons(dport),
			    .len = htons(8) };

	put(b, &h, sizeof(h));
}

static void icmp(struct builder *b, u8 type)
{
	struct icmphdr h = { .type = type };

	put(b, &h, sizeof(h));
}

struct pkt_case {
	const char *name;
	u8 family;
	void (*build)(struct builder *b);
	struct rl_pkt want;
};

#define ALL (RL_PKT_PROTO | RL_PKT_PORTS)

static void v4_tcp_syn_22(struct builder *b)
{
	ip4(b, IPPROTO_TCP, 0, 5);
	tcp(b, 22, true, false);
}

static void v4_tcp_synack_22(struct builder *b)
{
	ip4(b, IPPROTO_TCP, 0, 5);
	tcp(b, 22, true, true);
}

static void v4_tcp_ack_443(struct builder *b)
{
	ip4(b, IPPROTO_TCP, 0, 5);
	tcp(b, 443, false, true);
}

static void v4_tcp_truncated(struct builder *b)
{
	v4_tcp_syn_22(b);
	b->len -= 1;		/* 19 of TCP's 20 bytes */
}

static void v4_udp_53(struct builder *b)
{
	ip4(b, IPPROTO_UDP, 0, 5);
	udp(b, 53);
}

static void v4_udp_truncated(struct builder *b)
{
	v4_udp_53(b);
	b->len -= 4;
}

static void v4_icmp_echo(struct builder *b)
{
	ip4(b, IPPROTO_ICMP, 0, 5);
	icmp(b, ICMP_ECHO);
}

static void v4_options_udp(struct builder *b)
{
	static const u8 nops[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

	ip4(b, IPPROTO_UDP, 0, 7);
	put(b, nops, sizeof(nops));
	udp(b, 123);
}

static void v4_ihl_too_small(struct builder *b)
{
	ip4(b, IPPROTO_TCP, 0, 3);
	tcp(b, 22, true, false);
}

static void v4_ihl_past_end(struct builder *b)
{
	ip4(b, IPPROTO_TCP, 0, 15);	/* 60 bytes of header, 40 sent */
	tcp(b, 22, true, false);
}

static void v4_first_fragment(struct builder *b)
{
	ip4(b, IPPROTO_UDP, IP_MF, 5);
	udp(b, 11211);
}

static void v4_later_fragment(struct builder *b)
{
	ip4(b, IPPROTO_UDP, 185, 5);	/* offset 1480 bytes */
	udp(b, 11211);			/* payload that looks like a header */
}

static void v4_cut_in_ip_header(struct builder *b)
{
	ip4(b, IPPROTO_TCP, 0, 5);
	b->len = 12;
}

static void v6_tcp_syn_443(struct builder *b)
{
	ip6(b, IPPROTO_TCP);
	tcp(b, 443, true, false);
}

static void v6_ext_chain_tcp(struct builder *b)
{
	ip6(b, NEXTHDR_HOP);
	ext6(b, NEXTHDR_ROUTING);
	ext6(b, NEXTHDR_DEST);
	ext6(b, IPPROTO_TCP);
	tcp(b, 80, true, false);
}

static void v6_long_chain_udp(struct builder *b)
{
	int i;

	ip6(b, NEXTHDR_DEST);
	for (i = 0; i < 40; i++)
		ext6(b, i < 39 ? NEXTHDR_DEST : IPPROTO_UDP);
	udp(b, 53);
}

static void v6_chain_past_end(struct builder *b)
{
	ip6(b, NEXTHDR_HOP);
	ext6(b, NEXTHDR_DEST);
	b->buf[b->len - 7] = 30;	/* says 248 bytes; 8 follow */
	ext6(b, IPPROTO_TCP);
}

static void v6_no_next_header(struct builder *b)
{
	ip6(b, NEXTHDR_HOP);
	ext6(b, NEXTHDR_NONE);
}

static void v6_first_fragment(struct builder *b)
{
	ip6(b, NEXTHDR_FRAGMENT);
	frag6(b, IPPROTO_UDP, 0);
	udp(b, 53);
}

static void v6_later_fragment(struct builder *b)
{
	ip6(b, NEXTHDR_FRAGMENT);
	frag6(b, IPPROTO_TCP, 181);
	tcp(b, 22, true, false);	/* payload that looks like a header */
}

static void v6_neighbour_solicitation(struct builder *b)
{
	ip6(b, IPPROTO_ICMPV6);
	icmp(b, NDISC_NEIGHBOUR_SOLICITATION);
}

static void v6_cut_in_ip_header(struct builder *b)
{
	ip6(b, IPPROTO_TCP);
	b->len = 30;
}

static const struct pkt_case pkt_cases[] = {
	{ "v4 TCP SYN to 22", 4, v4_tcp_syn_22,
	  { ALL | RL_PKT_SYN, IPPROTO_TCP, 0, 22 } },
	{ "v4 TCP SYN+ACK is no new connection", 4, v4_tcp_synack_22,
	  { ALL, IPPROTO_TCP, 0, 22 } },
	{ "v4 TCP ACK to 443", 4, v4_tcp_ack_443, { ALL, IPPROTO_TCP, 0, 443 } },
	{ "v4 TCP header cut short", 4, v4_tcp_truncated,
	  { RL_PKT_PROTO, IPPROTO_TCP } },
	{ "v4 UDP to 53", 4, v4_udp_53, { ALL, IPPROTO_UDP, 0, 53 } },
	{ "v4 UDP header cut short", 4, v4_udp_truncated,
	  { RL_PKT_PROTO, IPPROTO_UDP } },
	{ "v4 ICMP echo request", 4, v4_icmp_echo,
	  { RL_PKT_PROTO | RL_PKT_ICMP, IPPROTO_ICMP, ICMP_ECHO } },
	{ "v4 options before UDP", 4, v4_options_udp,
	  { ALL, IPPROTO_UDP, 0, 123 } },
	{ "v4 header length below 20", 4, v4_ihl_too_small, {} },
	{ "v4 header length past the packet", 4, v4_ihl_past_end,
	  { RL_PKT_PROTO, IPPROTO_TCP } },
	{ "v4 first fragment has its ports", 4, v4_first_fragment,
	  { ALL, IPPROTO_UDP, 0, 11211 } },
	{ "v4 later fragment has none", 4, v4_later_fragment,
	  { RL_PKT_PROTO | RL_PKT_FRAG, IPPROTO_UDP } },
	{ "v4 packet cut in its IP header", 4, v4_cut_in_ip_header, {} },
	{ "v6 TCP SYN to 443", 6, v6_tcp_syn_443,
	  { ALL | RL_PKT_SYN, IPPROTO_TCP, 0, 443 } },
	{ "v6 hop-by-hop, routing, destination, TCP", 6, v6_ext_chain_tcp,
	  { ALL | RL_PKT_SYN, IPPROTO_TCP, 0, 80 } },
	{ "v6 40 destination headers, UDP", 6, v6_long_chain_udp,
	  { ALL, IPPROTO_UDP, 0, 53 } },
	{ "v6 extension header past the packet", 6, v6_chain_past_end, {} },
	{ "v6 no next header", 6, v6_no_next_header, {} },
	{ "v6 first fragment has its ports", 6, v6_first_fragment,
	  { ALL, IPPROTO_UDP, 0, 53 } },
	{ "v6 later fragment has none", 6, v6_later_fragment,
	  { RL_PKT_PROTO | RL_PKT_FRAG, IPPROTO_TCP } },
	{ "v6 neighbour solicitation", 6, v6_neighbour_solicitation,
	  { RL_PKT_PROTO | RL_PKT_ICMP, IPPROTO_ICMPV6,
	    NDISC_NEIGHBOUR_SOLICITATION } },
	{ "v6 packet cut in its IP header", 6, v6_cut_in_ip_header, {} },
};

static void pkt_case_desc(const struct pkt_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pkt, pkt_cases, pkt_case_desc);

enum { LINEAR_PART = 20 };	/* of a nonlinear packet */

/* @b's bytes as a packet, all linear or all but LINEAR_PART in a page. */
static struct sk_buff *make_skb(struct kunit *test, const struct builder *b,
				bool nonlinear)
{
	unsigned int head = nonlinear ? min(b->len, LINEAR_PART) : b->len;
	struct sk_buff *skb = alloc_skb(head, GFP_KERNEL);
	struct page *page;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_data(skb, b->buf, head);
	skb_reset_network_header(skb);
	if (b->len > head) {
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page), b->buf + head, b->len - head);
		skb_add_rx_frag(skb, 0, page, 0, b->len - head, PAGE_SIZE);
	}
	return skb;
}

static void parse_finds_what_selectors_match(struct kunit *test)
{
	static const char * const how[] = { "linear", "nonlinear" };
	const struct pkt_case *c = test->param_value;
	struct builder *b;
	struct rl_pkt p;
	int nonlinear;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	c->build(b);
	for (nonlinear = 0; nonlinear <= 1; nonlinear++) {
		struct sk_buff *skb = make_skb(test, b, nonlinear);

		if (c->family == 4)
			rl_pkt_parse4(skb, &p);
		else
			rl_pkt_parse6(skb, &p);
		kfree_skb(skb);
		KUNIT_EXPECT_EQ_MSG(test, p.flags, c->want.flags, "%s", how[nonlinear]);
		KUNIT_EXPECT_EQ_MSG(test, p.proto, c->want.proto, "%s", how[nonlinear]);
		KUNIT_EXPECT_EQ_MSG(test, p.icmp_type, c->want.icmp_type, "%s",
				    how[nonlinear]);
		KUNIT_EXPECT_EQ_MSG(test, p.dport, c->want.dport, "%s", how[nonlinear]);
	}
}

static struct kunit_case pkt_test_cases[] = {
	KUNIT_CASE_PARAM(parse_finds_what_selectors_match, pkt_gen_params),
	{}
};

static struct kunit_suite pkt_suite = {
	.name = "nf_ratelimit_pkt",
	.test_cases = pkt_test_cases,
};

kunit_test_suites(&pkt_suite);
