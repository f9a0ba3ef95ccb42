// SPDX-License-Identifier: GPL-2.0
/*
 * Selectors: the part of a rule that looks past the source address, at the
 * protocol, destination ports, TCP SYN, ICMP type and input interface.
 *
 * A packet's transport facts are parsed once, on the first selector that
 * needs them (pkt.c); a rule set without selectors never parses anything.
 * Facts a packet lacks never match: a later fragment has its protocol but no
 * ports, so "proto udp" sees it and "proto udp dport 53" does not.
 *
 * Interfaces are matched by name when the packet arrives, as iptables' -i
 * does: a rule keeps meaning the same interface across a rename back, a
 * deletion and re-creation, or a rule written before the interface exists,
 * with no notifier to keep an index right.  It costs a 16-byte compare.
 */

#include <linux/jhash.h>
#include <linux/netdevice.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "compat.h"
#include "selector.h"

static int cmp_range(const void *a, const void *b)
{
	const struct nf_rl_port_range *x = a, *y = b;

	return x->lo - y->lo;
}

static int cmp_u8(const void *a, const void *b)
{
	return *(const u8 *)a - *(const u8 *)b;
}

static bool has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE;
}

/**
 * rl_sel_check() - validate a selector and make it canonical
 * @sel: the selector; ports and types are sorted in place
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6, of the rule's prefix
 * @errmsg: set to a human-readable reason on failure
 *
 * Return: 0, or -EINVAL with nothing of @sel but its order changed.
 */
int rl_sel_check(struct rl_sel *sel, u8 family, const char **errmsg)
{
	u8 icmp = family == NFPROTO_IPV4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	size_t len;
	int i;

	if (sel->flags & ~(RL_SEL_SYN | RL_SEL_PER_PORT)) {
		*errmsg = "unknown selector flags";
		return -EINVAL;
	}
	if (sel->nports > NF_RL_PORT_RANGES_MAX ||
	    sel->ntypes > NF_RL_ICMP_TYPES_MAX) {
		*errmsg = "at most 8 port ranges and 8 ICMP types";
		return -EINVAL;
	}
	if ((sel->nports || (sel->flags & RL_SEL_PER_PORT)) &&
	    !has_ports(sel->proto)) {
		*errmsg = "dport and per-port need proto tcp, udp or udplite";
		return -EINVAL;
	}
	if ((sel->flags & RL_SEL_SYN) && sel->proto != IPPROTO_TCP) {
		*errmsg = "syn needs proto tcp";
		return -EINVAL;
	}
	if ((sel->proto == IPPROTO_ICMP || sel->proto == IPPROTO_ICMPV6) &&
	    sel->proto != icmp) {
		*errmsg = family == NFPROTO_IPV4 ?
			  "IPv4 rules match proto icmp, not icmpv6" :
			  "IPv6 rules match proto icmpv6, not icmp";
		return -EINVAL;
	}
	if (sel->ntypes && sel->proto != icmp) {
		*errmsg = "icmp-type needs proto icmp (IPv4) or icmpv6 (IPv6)";
		return -EINVAL;
	}
	len = strnlen(sel->iif, sizeof(sel->iif));
	if (len == sizeof(sel->iif) ||
	    memchr_inv(sel->iif + len, 0, sizeof(sel->iif) - len) ||
	    (len && !dev_valid_name(sel->iif))) {
		*errmsg = "iif is not a valid interface name";
		return -EINVAL;
	}

	for (i = 0; i < sel->nports; i++) {
		if (sel->ports[i].lo > sel->ports[i].hi) {
			*errmsg = "a port range ends before it starts";
			return -EINVAL;
		}
	}
	for (i = sel->nports; i < NF_RL_PORT_RANGES_MAX; i++)
		if (sel->ports[i].lo || sel->ports[i].hi)
			goto unused;
	for (i = sel->ntypes; i < NF_RL_ICMP_TYPES_MAX; i++)
		if (sel->types[i])
			goto unused;
	sort(sel->ports, sel->nports, sizeof(sel->ports[0]), cmp_range, NULL);
	sort(sel->types, sel->ntypes, sizeof(sel->types[0]), cmp_u8, NULL);
	for (i = 1; i < sel->nports; i++) {
		if (sel->ports[i].lo <= sel->ports[i - 1].hi) {
			*errmsg = "port ranges overlap";
			return -EINVAL;
		}
	}
	for (i = 1; i < sel->ntypes; i++) {
		if (sel->types[i] == sel->types[i - 1]) {
			*errmsg = "an ICMP type given twice";
			return -EINVAL;
		}
	}
	return 0;

unused:
	*errmsg = "selector has data past its counts";
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(rl_sel_check);

/*
 * iptables' name match, with the same '+' wildcard; names are at most
 * IFNAMSIZ - 1 bytes and nul-terminated on both sides.
 */
static bool iif_match(const char *want, const char *name)
{
	size_t len = strlen(want);

	if (!name)
		return false;
	if (want[len - 1] == '+')
		return !strncmp(want, name, len - 1);
	return !strcmp(want, name);
}

static bool port_match(const struct rl_sel *sel, u16 port)
{
	int i;

	for (i = 0; i < sel->nports; i++)
		if (port >= sel->ports[i].lo && port <= sel->ports[i].hi)
			return true;
	return false;
}

/**
 * rl_sel_match() - whether a selector sees a packet
 * @sel: a checked selector, not a source one
 * @pkt: the packet; its facts are parsed here on first use
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6, of the packet
 *
 * Context: packet path, or any for given facts.
 * Return: true if every part of @sel matches.
 */
bool rl_sel_match(const struct rl_sel *sel, struct rl_pkt_in *pkt, u8 family)
{
	const struct rl_pkt *p = &pkt->facts;

	if (sel->iif[0] && !iif_match(sel->iif, pkt->ifname))
		return false;
	if (!sel->proto)
		return true;
	if (!pkt->parsed) {
		if (family == NFPROTO_IPV4)
			rl_pkt_parse4(pkt->skb, &pkt->facts);
		else
			rl_pkt_parse6(pkt->skb, &pkt->facts);
		pkt->parsed = true;
	}
	if (!(p->flags & RL_PKT_PROTO) || p->proto != sel->proto)
		return false;
	if ((sel->nports || (sel->flags & RL_SEL_PER_PORT)) &&
	    (!(p->flags & RL_PKT_PORTS) ||
	     (sel->nports && !port_match(sel, p->dport))))
		return false;
	if ((sel->flags & RL_SEL_SYN) && !(p->flags & RL_PKT_SYN))
		return false;
	if (sel->ntypes &&
	    (!(p->flags & RL_PKT_ICMP) ||
	     !memchr(sel->types, p->icmp_type, sel->ntypes)))
		return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(rl_sel_match);

/**
 * rl_sel_hash() - a selector's identity in its rules' table keys
 * @sel: a checked, canonical selector
 *
 * The same selector gets the same number in every rule set, so that the
 * entries of a selector's rules keep their state across rule changes.  A
 * rule set moves the rare colliding selector to the next free number.
 *
 * Return: a number from 1 to 65535; 0 is the source rules'.
 */
u16 rl_sel_hash(const struct rl_sel *sel)
{
	u32 h = jhash(sel, sizeof(*sel), 0);

	return (h ^ h >> 16) & 0xffff ?: 1;
}
EXPORT_SYMBOL_IF_KUNIT(rl_sel_hash);

/**
 * rl_sel_format() - a selector as one word, for /proc and the kernel log
 * @buf: filled in, nul-terminated
 * @len: its size
 * @sel: a checked selector
 *
 * Parts are separated by ';', lists by ','; a source selector is "-".  For
 * example "proto=tcp;dport=22,80-81;syn;iif=eth0".
 *
 * Return: the length written, as scnprintf().
 */
int rl_sel_format(char *buf, size_t len, const struct rl_sel *sel)
{
	int n = 0, i;

	if (rl_sel_is_source(sel))
		return scnprintf(buf, len, "-");
	buf[0] = '\0';
	if (sel->proto == IPPROTO_TCP)
		n += scnprintf(buf + n, len - n, "proto=tcp");
	else if (sel->proto == IPPROTO_UDP)
		n += scnprintf(buf + n, len - n, "proto=udp");
	else if (sel->proto == IPPROTO_ICMP)
		n += scnprintf(buf + n, len - n, "proto=icmp");
	else if (sel->proto == IPPROTO_ICMPV6)
		n += scnprintf(buf + n, len - n, "proto=icmpv6");
	else if (sel->proto)
		n += scnprintf(buf + n, len - n, "proto=%u", sel->proto);
	for (i = 0; i < sel->nports; i++) {
		const struct nf_rl_port_range *r = &sel->ports[i];

		n += scnprintf(buf + n, len - n, "%s%u", i ? "," : ";dport=", r->lo);
		if (r->hi != r->lo)
			n += scnprintf(buf + n, len - n, "-%u", r->hi);
	}
	if (sel->flags & RL_SEL_SYN)
		n += scnprintf(buf + n, len - n, ";syn");
	for (i = 0; i < sel->ntypes; i++)
		n += scnprintf(buf + n, len - n, "%s%u", i ? "," : ";icmp-type=",
			       sel->types[i]);
	if (sel->iif[0])
		n += scnprintf(buf + n, len - n, "%siif=%s", n ? ";" : "",
			       sel->iif);
	if (sel->flags & RL_SEL_PER_PORT)
		n += scnprintf(buf + n, len - n, ";per-port");
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(rl_sel_format);
