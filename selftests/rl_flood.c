// SPDX-License-Identifier: GPL-2.0
/*
 * rl_flood: send UDP packets from many source addresses at once, the way a
 * set of clients (or a spoofed flood) would, through an AF_PACKET socket so
 * that any source address can be used without configuring it.
 *
 *   rl_flood -i IFACE -m DSTMAC -d DSTADDR -s FIRSTSRC [-n NSRC] [-c COUNT]
 *            [-t SECONDS] [-r PPS] [-P PORT] [-T udp|syn|ack|echo|ns]
 *
 * -T picks what is sent: UDP datagrams to PORT (the default), TCP segments
 * to PORT with SYN or ACK set, ICMP (or ICMPv6) echo requests, or ICMPv6
 * neighbour solicitations; every checksum is right, so the receiver's
 * protocol counters see each one that gets past the hook.
 *
 * Sources are FIRSTSRC, FIRSTSRC+1, ... (the last 32 bits counting up), sent
 * round robin.  It stops after COUNT packets per source or SECONDS, whichever
 * comes first; -r paces the total rate.  On exit it prints, per source,
 * "ADDR SENT FIRST_NS LAST_NS MAXGAP_NS" with CLOCK_MONOTONIC times (the
 * clock the module uses), so tests can compute tolerances from what actually
 * happened rather than from what was asked.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD 32

struct src {
	unsigned long long sent, first, last, maxgap;
};

static void die(const char *msg)
{
	perror(msg);
	exit(1);
}

enum kind { UDP, SYN, ACK, ECHO, NS };
static const char * const kinds[] = { "udp", "syn", "ack", "echo", "ns" };

static void usage(void)
{
	fprintf(stderr, "usage: rl_flood -i IFACE -m DSTMAC -d DSTADDR -s FIRSTSRC "
		"[-n NSRC] [-c COUNT] [-t SECONDS] [-r PPS] [-P PORT] "
		"[-T udp|syn|ack|echo|ns]\n");
	exit(2);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (p[0] << 8) | p[1];
	if (len)
		sum += p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* The transport header and payload of @kind at @l4; returns their length. */
static size_t build_l4(uint8_t *l4, enum kind kind, int family, uint16_t port,
		       const uint8_t *payload, uint8_t *proto)
{
	struct udphdr *uh = (struct udphdr *)l4;
	struct tcphdr *th = (struct tcphdr *)l4;

	switch (kind) {
	case SYN:
	case ACK:
		memset(th, 0, sizeof(*th));
		th->source = htons(40000);
		th->dest = htons(port);
		memcpy(&th->seq, payload, 4);
		th->doff = 5;
		th->syn = kind == SYN;
		th->ack = kind == ACK;
		th->window = htons(1024);
		*proto = IPPROTO_TCP;
		return sizeof(*th);
	case ECHO:
	case NS:
		memset(l4, 0, 8);
		*proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
		l4[0] = family == AF_INET ? 8 : kind == ECHO ? 128 : 135;
		memcpy(l4 + 8, payload, PAYLOAD);
		return 8 + PAYLOAD;
	default:
		uh->source = htons(40000);
		uh->dest = htons(port);
		uh->len = htons(sizeof(*uh) + PAYLOAD);
		uh->check = 0;
		memcpy(uh + 1, payload, PAYLOAD);
		*proto = IPPROTO_UDP;
		return sizeof(*uh) + PAYLOAD;
	}
}

/* Builds the packet for one source; returns its length. */
static size_t build(uint8_t *buf, enum kind kind, int family, const void *src,
		    const void *dst, uint16_t port, unsigned long long seq)
{
	uint8_t payload[PAYLOAD], proto, *l4;
	size_t hl, l4len;
	uint16_t *check;
	uint32_t sum;

	memset(payload, 0, sizeof(payload));
	memcpy(payload, &seq, sizeof(seq));
	if (kind == NS)		/* the target, after 4 reserved bytes: dst */
		memcpy(payload, dst, 16);
	hl = family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ip6_hdr);
	l4 = buf + hl;
	l4len = build_l4(l4, kind, family, port, payload, &proto);

	if (family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)buf;

		memset(ip, 0, hl);
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = proto;
		ip->tot_len = htons(hl + l4len);
		memcpy(&ip->saddr, src, 4);
		memcpy(&ip->daddr, dst, 4);
		ip->check = csum_fold(csum_add(0, ip, hl));
		sum = csum_add(0, src, 4);
		sum = csum_add(sum, dst, 4);
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)buf;

		memset(ip6, 0, hl);
		ip6->ip6_flow = htonl(6 << 28);
		ip6->ip6_plen = htons(l4len);
		ip6->ip6_nxt = proto;
		/* Neighbour discovery is only valid from the link itself. */
		ip6->ip6_hlim = kind == NS ? 255 : 64;
		memcpy(&ip6->ip6_src, src, 16);
		memcpy(&ip6->ip6_dst, dst, 16);
		sum = csum_add(0, src, 16);
		sum = csum_add(sum, dst, 16);
	}

	switch (proto) {
	case IPPROTO_TCP:
		check = &((struct tcphdr *)l4)->check;
		break;
	case IPPROTO_UDP:
		check = &((struct udphdr *)l4)->check;
		break;
	default:
		check = (uint16_t *)(l4 + 2);
		break;
	}
	/* ICMP's checksum covers its message only; the others a pseudo header. */
	if (proto == IPPROTO_ICMP)
		sum = 0;
	else
		sum += proto + l4len;
	*check = 0;
	*check = csum_fold(csum_add(sum, l4, l4len));
	if (proto == IPPROTO_UDP && !*check)
		*check = 0xffff;
	return hl + l4len;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *mac = NULL, *dsts = NULL, *srcs = NULL;
	unsigned long n = 1, count = 0, pps = 0, i, total = 0;
	unsigned char dst[16], first[16], cur[16];
	double seconds = 0;
	unsigned int port = 9000, m[6], kind = UDP;
	unsigned long long start, deadline, interval = 0, next;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int family, opt, fd, alen;
	uint8_t pkt[128];
	struct src *s;

	while ((opt = getopt(argc, argv, "i:m:d:s:n:c:t:r:P:T:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'm': mac = optarg; break;
		case 'd': dsts = optarg; break;
		case 's': srcs = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'c': count = strtoul(optarg, NULL, 0); break;
		case 't': seconds = atof(optarg); break;
		case 'r': pps = strtoul(optarg, NULL, 0); break;
		case 'P': port = strtoul(optarg, NULL, 0); break;
		case 'T':
			for (kind = 0; kind < sizeof(kinds) / sizeof(kinds[0]); kind++)
				if (!strcmp(optarg, kinds[kind]))
					break;
			if (kind == sizeof(kinds) / sizeof(kinds[0]))
				usage();
			break;
		default: usage();
		}
	}
	if (!ifname || !mac || !dsts || !srcs || !n || (!count && seconds <= 0))
		usage();
	if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		usage();

	family = strchr(dsts, ':') ? AF_INET6 : AF_INET;
	alen = family == AF_INET ? 4 : 16;
	if (inet_pton(family, dsts, dst) != 1 || inet_pton(family, srcs, first) != 1)
		usage();

	s = calloc(n, sizeof(*s));
	if (!s)
		die("calloc");

	fd = socket(AF_PACKET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	sll.sll_protocol = htons(family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		die("if_nametoindex");
	sll.sll_halen = 6;
	for (i = 0; i < 6; i++)
		sll.sll_addr[i] = m[i];

	start = next = now_ns();
	deadline = seconds > 0 ? start + (unsigned long long)(seconds * 1e9) : ~0ULL;
	if (pps)
		interval = 1000000000ULL / pps;

	for (;;) {
		unsigned long long t;

		for (i = 0; i < n; i++) {
			uint32_t low;
			size_t len;

			if (count && s[i].sent >= count)
				continue;
			if (interval) {
				struct timespec ts;

				/*
				 * After a stall (the VM is emulated), resume
				 * the pace instead of catching up in a burst
				 * that could overflow the receive backlog
				 * before the module ever sees the packets.
				 */
				t = now_ns();
				if (t > next + 100 * interval)
					next = t;
				ts.tv_sec = next / 1000000000ULL;
				ts.tv_nsec = next % 1000000000ULL;
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
				next += interval;
			}
			memcpy(cur, first, alen);
			memcpy(&low, cur + alen - 4, 4);
			low = htonl(ntohl(low) + i);
			memcpy(cur + alen - 4, &low, 4);
			len = build(pkt, kind, family, cur, dst, port, s[i].sent);

			t = now_ns();
			if (t >= deadline)
				goto out;
			if (sendto(fd, pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
				if (errno == ENOBUFS)
					continue;
				die("sendto");
			}
			if (!s[i].sent)
				s[i].first = t;
			else if (t - s[i].last > s[i].maxgap)
				s[i].maxgap = t - s[i].last;
			s[i].last = t;
			s[i].sent++;
			total++;
		}
		if (count && total >= count * n)
			break;
	}
out:
	for (i = 0; i < n; i++) {
		char str[INET6_ADDRSTRLEN];
		uint32_t low;

		memcpy(cur, first, alen);
		memcpy(&low, cur + alen - 4, 4);
		low = htonl(ntohl(low) + i);
		memcpy(cur + alen - 4, &low, 4);
		inet_ntop(family, cur, str, sizeof(str));
		printf("%s %llu %llu %llu %llu\n", str, s[i].sent, s[i].first,
		       s[i].last, s[i].maxgap);
	}
	return 0;
}
