// SPDX-License-Identifier: GPL-2.0
/*
 * Selectors, as a sysadmin writes them after a rule's prefix:
 *
 *	proto tcp|udp|udplite|icmp|icmpv6|N   dport 22|80,443|1000-2000
 *	syn   icmp-type echo-request,8   iif eth0|eth+   per-port
 *
 * They are checked and made canonical here as the kernel does (selector.c
 * of the module), so that a bad one is refused with its reason before
 * anything is sent, and two spellings of one selector compare equal.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct { const char *name; uint8_t proto; } protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "udplite", IPPROTO_UDPLITE }, { "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 }, { "ipv6-icmp", IPPROTO_ICMPV6 },
};

/* nft's names for the types rules usually name. */
static const struct { const char *name; uint8_t v4, v6; } types[] = {
	{ "echo-reply", 0, 129 },
	{ "destination-unreachable", 3, 1 },
	{ "packet-too-big", 0xff, 2 },
	{ "redirect", 5, 0xff },
	{ "echo-request", 8, 128 },
	{ "time-exceeded", 11, 3 },
	{ "nd-router-solicit", 0xff, 133 },
	{ "nd-router-advert", 0xff, 134 },
	{ "nd-neighbor-solicit", 0xff, 135 },
	{ "nd-neighbor-advert", 0xff, 136 },
	{ "nd-redirect", 0xff, 137 },
};

static int fail(char *err, const char *what, const char *v)
{
	snprintf(err, RL_ERR_LEN, what, v);
	return -EINVAL;
}

const char *rl_sel_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(protos); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

int rl_sel_parse_proto(const char *s, uint8_t *proto)
{
	uint32_t v;
	size_t i;

	for (i = 0; i < ARRAY_LEN(protos); i++) {
		if (!strcmp(s, protos[i].name)) {
			*proto = protos[i].proto;
			return 0;
		}
	}
	if (rl_parse_u32(s, 255, &v) || !v)
		return -EINVAL;
	*proto = v;
	return 0;
}

/* "22", "80,443", "1000-2000,3000": at most NF_RL_PORT_RANGES_MAX parts. */
int rl_sel_parse_ports(const char *s, struct rl_sel_spec *sel)
{
	char buf[128], *part, *save;
	uint32_t lo, hi;
	uint8_t n = 0;

	if (strlen(s) >= sizeof(buf) || !*s || s[strlen(s) - 1] == ',')
		return -EINVAL;
	strcpy(buf, s);
	for (part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(part, '-');

		if (n == NF_RL_PORT_RANGES_MAX)
			return -EINVAL;
		if (dash)
			*dash = '\0';
		if (rl_parse_u32(part, 65535, &lo))
			return -EINVAL;
		hi = lo;
		if (dash && rl_parse_u32(dash + 1, 65535, &hi))
			return -EINVAL;
		sel->ports[n].lo = lo;
		sel->ports[n].hi = hi;
		n++;
	}
	sel->nports = n;
	return 0;
}

static int parse_types(const char *s, int family, struct rl_sel_spec *sel)
{
	char buf[256], *part, *save;
	uint8_t n = 0;
	uint32_t v;
	size_t i;

	if (strlen(s) >= sizeof(buf) || !*s || s[strlen(s) - 1] == ',')
		return -EINVAL;
	strcpy(buf, s);
	for (part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		if (n == NF_RL_ICMP_TYPES_MAX)
			return -EINVAL;
		for (i = 0; i < ARRAY_LEN(types); i++)
			if (!strcmp(part, types[i].name))
				break;
		if (i < ARRAY_LEN(types)) {
			v = family == AF_INET ? types[i].v4 : types[i].v6;
			if (v == 0xff)
				return -EINVAL;
		} else if (rl_parse_u32(part, 255, &v)) {
			return -EINVAL;
		}
		sel->types[n++] = v;
	}
	sel->ntypes = n;
	return 0;
}

/**
 * rl_sel_word() - one selector word of a rule, with its value if it has one
 * @argc: words left, from @argv[0]
 * @argv: the words
 * @family: AF_INET or AF_INET6, of the rule's prefix
 * @sel: updated
 * @seen: bits of the words given so far, so that none is given twice
 * @err: RL_ERR_LEN bytes for the reason of a failure
 *
 * Return: how many words it took (1 or 2), 0 if @argv[0] is no selector
 * word, or -EINVAL.
 */
int rl_sel_word(int argc, char **argv, int family, struct rl_sel_spec *sel,
		unsigned int *seen, char *err)
{
	static const char * const words[] = {
		"syn", "per-port", "proto", "dport", "icmp-type", "iif",
	};
	const char *v;
	size_t w;

	for (w = 0; w < ARRAY_LEN(words); w++)
		if (!strcmp(argv[0], words[w]))
			break;
	if (w == ARRAY_LEN(words))
		return 0;
	if (*seen & (1u << w))
		return fail(err, "'%s' given twice", argv[0]);
	*seen |= 1u << w;
	if (w == 0) {
		sel->syn = true;
		return 1;
	}
	if (w == 1) {
		sel->per_port = true;
		return 1;
	}
	if (argc < 2)
		return fail(err, "'%s' needs a value", argv[0]);
	v = argv[1];
	switch (w) {
	case 2:
		if (rl_sel_parse_proto(v, &sel->proto))
			return fail(err, "bad proto '%s': expected tcp, udp, udplite, icmp, icmpv6 or 1 to 255", v);
		break;
	case 3:
		if (rl_sel_parse_ports(v, sel))
			return fail(err, "bad dport '%s': expected up to 8 ports or ranges, e.g. 22 or 80,443 or 1000-2000", v);
		break;
	case 4:
		if (parse_types(v, family, sel))
			return fail(err, "bad icmp-type '%s': expected up to 8 numbers or names of this family's types, e.g. echo-request", v);
		break;
	default:
		if (strlen(v) >= sizeof(sel->iif) || !*v || strpbrk(v, "/: \t") ||
		    !strcmp(v, ".") || !strcmp(v, ".."))
			return fail(err, "bad iif '%s': expected an interface name, e.g. eth0 or eth+", v);
		/* The kernel allows it in a name; rules.conf reads it as a comment. */
		if (strchr(v, '#'))
			return fail(err, "bad iif '%s': a '#' would start a comment in rules.conf", v);
		strcpy(sel->iif, v);
		break;
	}
	return 2;
}

static int cmp_range(const void *a, const void *b)
{
	const struct nf_rl_port_range *x = a, *y = b;

	return (int)x->lo - (int)y->lo;
}

static int cmp_u8(const void *a, const void *b)
{
	return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE;
}

/**
 * rl_sel_check() - refuse what the kernel would, and make it canonical
 * @sel: sorted in place
 * @family: AF_INET or AF_INET6, of the rule's prefix
 * @err: RL_ERR_LEN bytes for the reason of a failure
 *
 * Return: 0 or -EINVAL.
 */
int rl_sel_check(struct rl_sel_spec *sel, int family, char *err)
{
	uint8_t icmp = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	unsigned int i;

	if ((sel->nports || sel->per_port) && !has_ports(sel->proto))
		return fail(err, "%s", "dport and per-port need proto tcp, udp or udplite");
	if (sel->syn && sel->proto != IPPROTO_TCP)
		return fail(err, "%s", "syn needs proto tcp");
	if ((sel->proto == IPPROTO_ICMP || sel->proto == IPPROTO_ICMPV6) &&
	    sel->proto != icmp)
		return fail(err, "%s", family == AF_INET ?
			    "an IPv4 rule matches proto icmp, not icmpv6" :
			    "an IPv6 rule matches proto icmpv6, not icmp");
	if (sel->ntypes && sel->proto != icmp)
		return fail(err, "%s", "icmp-type needs proto icmp (IPv4) or icmpv6 (IPv6)");
	for (i = 0; i < sel->nports; i++)
		if (sel->ports[i].lo > sel->ports[i].hi)
			return fail(err, "%s", "a dport range ends before it starts");
	qsort(sel->ports, sel->nports, sizeof(sel->ports[0]), cmp_range);
	qsort(sel->types, sel->ntypes, sizeof(sel->types[0]), cmp_u8);
	for (i = 1; i < sel->nports; i++)
		if (sel->ports[i].lo <= sel->ports[i - 1].hi)
			return fail(err, "%s", "dport ranges overlap");
	for (i = 1; i < sel->ntypes; i++)
		if (sel->types[i] == sel->types[i - 1])
			return fail(err, "%s", "an icmp-type given twice");
	return 0;
}

bool rl_sel_empty(const struct rl_sel_spec *sel)
{
	static const struct rl_sel_spec none;

	return !memcmp(sel, &none, sizeof(none));
}

int rl_sel_cmp(const struct rl_sel_spec *a, const struct rl_sel_spec *b)
{
	return memcmp(a, b, sizeof(*a));
}

static const char *type_name(uint8_t type, int family)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(types); i++)
		if ((family == AF_INET ? types[i].v4 : types[i].v6) == type)
			return types[i].name;
	return NULL;
}

static void format_list(const struct rl_sel_spec *sel, int family, bool ports,
			char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i, count = ports ? sel->nports : sel->ntypes;

	buf[0] = '\0';
	for (i = 0; i < count && n < len; i++) {
		const char *sep = i ? "," : "";

		if (!ports) {
			const char *name = type_name(sel->types[i], family);

			if (name)
				n += snprintf(buf + n, len - n, "%s%s", sep, name);
			else
				n += snprintf(buf + n, len - n, "%s%u", sep, sel->types[i]);
		} else if (sel->ports[i].lo == sel->ports[i].hi) {
			n += snprintf(buf + n, len - n, "%s%u", sep, sel->ports[i].lo);
		} else {
			n += snprintf(buf + n, len - n, "%s%u-%u", sep,
				      sel->ports[i].lo, sel->ports[i].hi);
		}
	}
}

/**
 * rl_sel_format() - a selector as the words rl_sel_word() reads
 * @sel: a checked selector
 * @family: AF_INET or AF_INET6
 * @buf: filled in: "" for none, else words each preceded by a space
 * @len: its size
 */
void rl_sel_format(const struct rl_sel_spec *sel, int family, char *buf,
		   size_t len)
{
	const char *name = rl_sel_proto_name(sel->proto);
	char list[160];
	size_t n = 0;

	buf[0] = '\0';
	if (sel->proto && name)
		n += snprintf(buf + n, len - n, " proto %s", name);
	else if (sel->proto)
		n += snprintf(buf + n, len - n, " proto %u", sel->proto);
	if (sel->nports && n < len) {
		format_list(sel, family, true, list, sizeof(list));
		n += snprintf(buf + n, len - n, " dport %s", list);
	}
	if (sel->syn && n < len)
		n += snprintf(buf + n, len - n, " syn");
	if (sel->ntypes && n < len) {
		format_list(sel, family, false, list, sizeof(list));
		n += snprintf(buf + n, len - n, " icmp-type %s", list);
	}
	if (sel->iif[0] && n < len)
		n += snprintf(buf + n, len - n, " iif %s", sel->iif);
	if (sel->per_port && n < len)
		snprintf(buf + n, len - n, " per-port");
}

/* The selector's members of a rule's JSON object, each with a comma first. */
void rl_sel_json(FILE *f, const struct rl_sel_spec *sel, int family)
{
	const char *name = rl_sel_proto_name(sel->proto);
	char list[160];

	if (sel->proto && name)
		fprintf(f, ",\"proto\":\"%s\"", name);
	else if (sel->proto)
		fprintf(f, ",\"proto\":\"%u\"", sel->proto);
	if (sel->nports) {
		format_list(sel, family, true, list, sizeof(list));
		fprintf(f, ",\"dport\":\"%s\"", list);
	}
	if (sel->syn)
		fprintf(f, ",\"syn\":true");
	if (sel->ntypes) {
		format_list(sel, family, false, list, sizeof(list));
		fprintf(f, ",\"icmp_type\":\"%s\"", list);
	}
	if (sel->iif[0]) {
		const char *c;

		/* Names may hold any byte but '/', ':', space and nul. */
		fprintf(f, ",\"iif\":\"");
		for (c = sel->iif; *c; c++) {
			if (*c == '"' || *c == '\\')
				fprintf(f, "\\%c", *c);
			else if ((unsigned char)*c < 0x20 || *c == 0x7f)
				fprintf(f, "\\u%04x", (unsigned char)*c);
			else
				fputc(*c, f);
		}
		fputc('"', f);
	}
	if (sel->per_port)
		fprintf(f, ",\"per_port\":true");
}
