// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl import, from iptables-save and ip6tables-save: the rules of
 * xt_hashlimit in srcip mode.
 *
 *	-A INPUT -s 198.51.100.0/24 -m hashlimit --hashlimit-above 10/sec
 *	   --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-srcmask 32
 *	   --hashlimit-name x -j DROP
 *
 * drops what a source sends over the rate, as an nf_ratelimit rule does;
 * "--hashlimit-upto R -j ACCEPT" does the same only if the chain drops what
 * it lets fall through (its policy, or a later "-j DROP" for every packet).
 * Protocols (-p), destination ports (--dport, multiport's --dports), --syn
 * and its --tcp-flags spelling, ICMP types, -i and "--hashlimit-mode
 * srcip,dstport" become the rule's selector; --ctstate NEW becomes syn for
 * TCP (the module sits before conntrack).  Anything else a rule matches on
 * has no equivalent, and the rule is not converted.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "import.h"

#define XT_HASHLIMIT_BURST 5	/* its default, which iptables-save omits */

struct ipt_line {
	int no, family;
	char table[32];
	char *tok[RL_IMPORT_MAX_TOKENS];
	int ntok;
};

struct ipt_policy {
	char table[32];
	char *chain, *policy;
	int family;
};

/* "10/sec", "1kb/s", "2mb/hour" into rlctl's words: "10/sec", "1kbytes/s". */
static int convert_rate(const char *in, char *out, size_t len, bool *bytes)
{
	static const char * const units[][2] = {
		{ "b", "bytes" }, { "kb", "kbytes" }, { "mb", "mbytes" }, { "gb", "gbytes" },
	};
	const char *slash = strchr(in, '/'), *p = in;
	size_t digits;

	while (*p >= '0' && *p <= '9')
		p++;
	digits = p - in;
	if (!digits || digits > 20)
		return -EINVAL;
	*bytes = false;
	if (p != (slash ? slash : in + strlen(in))) {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strncmp(p, units[i][0], strlen(units[i][0])) &&
			    p + strlen(units[i][0]) == (slash ? slash : p + strlen(p)))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		*bytes = true;
		snprintf(out, len, "%.*s%s%s", (int)digits, in, units[i][1],
			 slash ? slash : "");
	} else {
		snprintf(out, len, "%s", in);
	}
	return 0;
}

static bool ends_in_drop(const struct ipt_line *lines, size_t n, size_t from,
			 const struct ipt_policy *pol, size_t npol)
{
	const struct ipt_line *l = &lines[from];
	size_t i;

	for (i = 0; i < npol; i++)
		if (pol[i].family == l->family && !strcmp(pol[i].table, l->table) &&
		    !strcmp(pol[i].chain, l->tok[1]) && !strcmp(pol[i].policy, "DROP"))
			return true;
	for (i = from + 1; i < n; i++)
		if (lines[i].family == l->family && !strcmp(lines[i].table, l->table) &&
		    !strcmp(lines[i].tok[1], l->tok[1]) && lines[i].ntok == 4 &&
		    !strcmp(lines[i].tok[2], "-j") && !strcmp(lines[i].tok[3], "DROP"))
			return true;
	return false;
}

/* "80", "1000:2000", "80,443,1000:2000" into rlctl's "1000-2000" form. */
static const char *convert_ports(const char *in, char *out, size_t len)
{
	size_t i;

	if (strlen(in) >= len)
		return NULL;
	for (i = 0; in[i]; i++)
		out[i] = in[i] == ':' ? '-' : in[i];
	out[i] = '\0';
	return out;
}

/*
 * "--tcp-flags MASK COMP" meaning a SYN without ACK: iptables-save writes
 * --syn as "FIN,SYN,RST,ACK SYN".
 */
static bool flags_are_syn(const char *mask, const char *comp)
{
	return strstr(mask, "SYN") && strstr(mask, "ACK") && !strcmp(comp, "SYN");
}

/* What a hashlimit line matches on, besides its source. */
struct ipt_sel {
	const char *proto, *dports, *iif, *icmp_type;
	bool syn, ctnew, per_port;
	char ports[64];
};

static void convert(struct rl_import *im, const struct ipt_line *lines, size_t n,
		    size_t at, const struct ipt_policy *pol, size_t npol)
{
	const struct ipt_line *l = &lines[at];
	const char *upto = NULL, *above = NULL, *burst = NULL, *mode = NULL;
	const char *mask = NULL, *target = NULL, *chain = l->tok[1];
	char other[256] = "", rate[64], burst_text[32];
	struct rl_import_rule r = { .family = l->family, .prefix_len = -1,
				    .burst_default = XT_HASHLIMIT_BURST };
	struct ipt_sel sel = { 0 };
	bool bytes, rate_match = false;
	int i;

	for (i = 2; i < l->ntok; i++) {
		const char *t = l->tok[i], *v = i + 1 < l->ntok ? l->tok[i + 1] : "";

		if (!strcmp(t, "-s")) {
			r.prefix = v;
		} else if (!strcmp(t, "-m") &&
			   (!strcmp(v, "hashlimit") || !strcmp(v, "comment") ||
			    !strcmp(v, "tcp") || !strcmp(v, "udp") ||
			    !strcmp(v, "multiport") || !strcmp(v, "conntrack") ||
			    !strcmp(v, "state") || !strcmp(v, "icmp") ||
			    !strcmp(v, "icmp6"))) {
			/* the module names: their options follow */
		} else if (!strcmp(t, "--comment") || !strcmp(t, "--hashlimit-name") ||
			   !strncmp(t, "--hashlimit-htable-", 19)) {
			/* naming and table sizing: nothing to limit */
		} else if (!strcmp(t, "-p")) {
			sel.proto = v;
		} else if (!strcmp(t, "--dport") || !strcmp(t, "--dports")) {
			sel.dports = v;
		} else if (!strcmp(t, "--syn")) {
			sel.syn = true;
			i--;
		} else if (!strcmp(t, "--tcp-flags") && i + 2 < l->ntok &&
			   flags_are_syn(v, l->tok[i + 2])) {
			sel.syn = true;
			i++;
		} else if (!strcmp(t, "-i")) {
			sel.iif = v;
		} else if ((!strcmp(t, "--ctstate") || !strcmp(t, "--state")) &&
			   !strcmp(v, "NEW")) {
			sel.ctnew = true;
		} else if (!strcmp(t, "--icmp-type") || !strcmp(t, "--icmpv6-type")) {
			sel.icmp_type = v;
		} else if (!strcmp(t, "--hashlimit-upto")) {
			upto = v;
		} else if (!strcmp(t, "--hashlimit-above")) {
			above = v;
		} else if (!strcmp(t, "--hashlimit-burst")) {
			burst = v;
		} else if (!strcmp(t, "--hashlimit-mode")) {
			mode = v;
		} else if (!strcmp(t, "--hashlimit-srcmask")) {
			mask = v;
		} else if (!strcmp(t, "--hashlimit-rate-match") ||
			   !strcmp(t, "--hashlimit-rate-interval")) {
			rate_match = true;
			i -= !strcmp(t, "--hashlimit-rate-match");
		} else if (!strcmp(t, "-j")) {
			target = v;
		} else {
			/* Anything else matches on what no selector names. */
			size_t len = strlen(other);

			snprintf(other + len, sizeof(other) - len, "%s%s %s",
				 len ? " " : "", t, v);
		}
		i++;
	}

	if (strcmp(chain, "INPUT") && strcmp(chain, "PREROUTING"))
		SKIP("chain %s: nf_ratelimit sees inbound packets only, at PREROUTING or INPUT",
				      chain);
	if (*other)
		SKIP("it also matches on '%s', which no nf_ratelimit selector names",
				      other);
	if (mode && (!strcmp(mode, "srcip,dstport") || !strcmp(mode, "dstport,srcip")))
		sel.per_port = true;
	else if (!mode || strcmp(mode, "srcip"))
		SKIP("--hashlimit-mode %s: nf_ratelimit keys on the source address (srcip), or it and the destination port (srcip,dstport)",
				      mode ? mode : "(none)");
	if (rate_match)
		SKIP("--hashlimit-rate-match matches on a rate measured, and limits nothing");
	if (sel.ctnew) {
		/* The module sits before conntrack: for TCP, NEW is a SYN. */
		if (!sel.proto || strcmp(sel.proto, "tcp"))
			SKIP("--ctstate NEW: nf_ratelimit sits before conntrack, and can tell a new connection only for TCP (a SYN)");
		fprintf(im->out, "# note: --ctstate NEW becomes syn: a TCP SYN without ACK, which is what starts a new connection\n");
		sel.syn = true;
	}
	if (above && target && !strcmp(target, "DROP")) {
		r.rate = above;
	} else if (upto && target && !strcmp(target, "ACCEPT")) {
		if (!ends_in_drop(lines, n, at, pol, npol))
			SKIP("what goes over --hashlimit-upto falls through chain %s, and neither its policy nor a later '-j DROP' drops it",
					      chain);
		r.rate = upto;
	} else {
		SKIP("'--hashlimit-%s ... -j %s' does not drop what goes over the rate",
				      above ? "above" : "upto", target ? target : "(none)");
	}
	if (convert_rate(r.rate, rate, sizeof(rate), &bytes))
		SKIP("rate '%s' is not N[b|kb|mb|gb]/PERIOD", r.rate);
	r.rate = rate;
	if (burst && bytes && convert_rate(burst, burst_text, sizeof(burst_text), &bytes) == 0) {
		r.burst = burst_text;	/* "64kb" as rlctl reads it: "64kbytes" */
	} else if (burst) {
		r.burst = burst;
	} else if (bytes) {
		SKIP("a byte rate with no --hashlimit-burst: give the burst in bytes");
	}
	if (mask) {
		uint32_t len;

		if (rl_parse_u32(mask, 128, &len))
			SKIP("--hashlimit-srcmask %s is not a prefix length", mask);
		r.prefix_len = len;
	}
	if (sel.dports && !convert_ports(sel.dports, sel.ports, sizeof(sel.ports)))
		SKIP("ports '%s' are too many", sel.dports);
	if (sel.icmp_type && strchr(sel.icmp_type, '/'))
		SKIP("--icmp-type %s: nf_ratelimit matches ICMP types, not codes", sel.icmp_type);
	/* Words rlctl checks, in rl_import_add(), as it checks its own. */
	if ((sel.proto && !rl_import_sel(&r, "proto", sel.proto)) ||
	    (sel.dports && !rl_import_sel(&r, "dport", sel.ports)) ||
	    (sel.syn && !rl_import_sel(&r, "syn", NULL)) ||
	    (sel.icmp_type && !rl_import_sel(&r, "icmp-type", sel.icmp_type)) ||
	    (sel.iif && !rl_import_sel(&r, "iif", sel.iif)) ||
	    (sel.per_port && !rl_import_sel(&r, "per-port", NULL)))
		SKIP("its selector does not fit");
	rl_import_add(im, l->no, &r);
}

/**
 * rl_import_iptables() - convert iptables-save or ip6tables-save output
 * @im: the conversion
 * @text: the dump, modified in place
 *
 * Return: 0, or -E2BIG for a line too long to read.
 */
int rl_import_iptables(struct rl_import *im, char *text)
{
	struct ipt_line *lines = NULL, *l;
	struct ipt_policy *pol = NULL;
	size_t n = 0, npol = 0, i;
	char table[32] = "", *line, *next;
	int family = AF_INET, no = 0, ret = 0;

	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		no++;
		/* The header names the tool: a dump may hold both, in turn. */
		if (!strncmp(line, "# Generated by ip6tables-save", 29))
			family = AF_INET6;
		else if (!strncmp(line, "# Generated by iptables-save", 28))
			family = AF_INET;
		if (line[0] == '*') {
			snprintf(table, sizeof(table), "%s", line + 1);
		} else if (line[0] == ':') {
			void *p = realloc(pol, (npol + 1) * sizeof(*pol));
			char *tok[4];

			if (!p) {
				ret = -ENOMEM;
				break;
			}
			pol = p;
			if (rl_import_split(line + 1, tok, 4) >= 2) {
				snprintf(pol[npol].table, sizeof(pol[npol].table), "%s", table);
				pol[npol].chain = tok[0];
				pol[npol].policy = tok[1];
				pol[npol++].family = family;
			}
		} else if (!strncmp(line, "-A ", 3)) {
			void *p = realloc(lines, (n + 1) * sizeof(*lines));

			if (!p) {
				ret = -ENOMEM;
				break;
			}
			lines = p;
			l = &lines[n];
			l->no = no;
			l->family = family;
			snprintf(l->table, sizeof(l->table), "%s", table);
			l->ntok = rl_import_split(line, l->tok, RL_IMPORT_MAX_TOKENS);
			if (l->ntok < 0) {
				ret = l->ntok;
				break;
			}
			if (l->ntok >= 2)
				n++;
		}
	}
	for (i = 0; !ret && i < n; i++) {
		int j;

		for (j = 2; j + 1 < lines[i].ntok; j++)
			if (!strcmp(lines[i].tok[j], "-m") &&
			    !strcmp(lines[i].tok[j + 1], "hashlimit"))
				break;
		if (j + 1 >= lines[i].ntok)
			continue;	/* not a limit: nothing to convert */
		if (lines[i].family == AF_INET && lines[i].ntok > 3 &&
		    !strcmp(lines[i].tok[2], "-s") && strchr(lines[i].tok[3], ':'))
			lines[i].family = AF_INET6;	/* a dump with no header */
		rl_import_echo(im, lines[i].no, lines[i].tok, lines[i].ntok);
		convert(im, lines, n, i, pol, npol);
	}
	free(lines);
	free(pol);
	return ret;
}
