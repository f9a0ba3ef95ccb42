// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl import, from nft list ruleset: meters, a dynamic set whose elements
 * each carry a limit, keyed on the source address:
 *
 *	chain input {
 *		type filter hook input priority filter; policy accept;
 *		ip saddr 198.51.100.0/24 update @m { ip saddr and 255.255.255.0
 *			limit rate over 10/second burst 20 packets } drop
 *	}
 *
 * drops what a source (here, each /24) sends over the rate, as an
 * nf_ratelimit rule does; "limit rate R ... accept" does the same only if
 * the chain drops what falls through.  The older "meter NAME { ... }"
 * spelling reads the same.  Matches before the meter on tcp/udp dport, tcp
 * flags (SYN without ACK), icmp/icmpv6 type, meta l4proto, iifname and ct
 * state new (as syn, for TCP), and a key of "ip saddr . tcp dport", become
 * the rule's selector.  Anything else a rule matches on has no equivalent,
 * nor has a limit shared by all sources.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "import.h"

#define NFT_LIMIT_BURST 5	/* packets: nft's default, which it omits */

struct nft_chain {
	char hook[16], policy[16];
	bool base;
};

static int saddr_family(const char *proto)
{
	return !strcmp(proto, "ip") ? AF_INET : !strcmp(proto, "ip6") ? AF_INET6 : 0;
}

/* "counter packets 1 bytes 2", "comment "x"": said of a rule, no match. */
static int skip_said(char **tok, int i, int n)
{
	for (;;) {
		if (i < n && !strcmp(tok[i], "counter")) {
			i++;
			if (i + 3 < n && !strcmp(tok[i], "packets") &&
			    !strcmp(tok[i + 2], "bytes"))
				i += 4;
		} else if (i + 1 < n && !strcmp(tok[i], "comment")) {
			i += 2;
		} else {
			return i;
		}
	}
}

/* What a meter's rule matches on besides the source: its selector. */
struct nft_sel {
	char proto[16], ports[64], types[160], iif[20];
	bool syn, ctnew, per_port;
};

/*
 * A value or an anonymous set of them, "22" or "{ 80, 443 }", at tok[*i],
 * into @out as a comma-separated list.  Returns false if it is neither.
 */
static bool set_value(char **tok, int n, int *i, char *out, size_t len)
{
	size_t used = 0;
	int j = *i;

	out[0] = '\0';
	if (j >= n)
		return false;
	if (strcmp(tok[j], "{")) {
		snprintf(out, len, "%s", tok[j]);
		*i = j + 1;
		return true;
	}
	for (j++; j < n && strcmp(tok[j], "}"); j++) {
		size_t w = strcspn(tok[j], ",");

		if (!w)
			continue;
		if (used + w + 2 > len)
			return false;
		used += snprintf(out + used, len - used, "%s%.*s", used ? "," : "",
				 (int)w, tok[j]);
	}
	if (j >= n || !used)
		return false;
	*i = j + 1;
	return true;
}

/* "tcp flags syn / fin,syn,rst,ack" and "tcp flags & (syn|ack) == syn". */
static int syn_flags(char **tok, int n, int i)
{
	if (i + 3 < n && !strcmp(tok[i], "syn") && !strcmp(tok[i + 1], "/") &&
	    strstr(tok[i + 2], "syn") && strstr(tok[i + 2], "ack"))
		return 3;
	if (i + 3 < n && !strcmp(tok[i], "&") && strstr(tok[i + 1], "syn") &&
	    strstr(tok[i + 1], "ack") && !strcmp(tok[i + 2], "==") &&
	    !strcmp(tok[i + 3], "syn"))
		return 4;
	return 0;
}

/*
 * One match before the meter that a selector can say: returns the tokens
 * it took, 0 if it is none of them.
 */
static int sel_match(char **tok, int n, int i, struct nft_sel *sel)
{
	const char *t = tok[i];
	int j = i + 2;

	if (i + 2 >= n)
		return 0;
	if ((!strcmp(t, "tcp") || !strcmp(t, "udp")) && !strcmp(tok[i + 1], "dport")) {
		if (!set_value(tok, n, &j, sel->ports, sizeof(sel->ports)))
			return 0;
		snprintf(sel->proto, sizeof(sel->proto), "%s", t);
		return j - i;
	}
	if (!strcmp(t, "tcp") && !strcmp(tok[i + 1], "flags")) {
		int k = syn_flags(tok, n, i + 2);

		if (!k)
			return 0;
		snprintf(sel->proto, sizeof(sel->proto), "tcp");
		sel->syn = true;
		return 2 + k;
	}
	if ((!strcmp(t, "icmp") || !strcmp(t, "icmpv6")) && !strcmp(tok[i + 1], "type")) {
		if (!set_value(tok, n, &j, sel->types, sizeof(sel->types)))
			return 0;
		snprintf(sel->proto, sizeof(sel->proto), "%s", t);
		return j - i;
	}
	if ((!strcmp(t, "meta") && !strcmp(tok[i + 1], "l4proto")) ||
	    (!strcmp(t, "ip") && !strcmp(tok[i + 1], "protocol")) ||
	    (!strcmp(t, "ip6") && !strcmp(tok[i + 1], "nexthdr"))) {
		snprintf(sel->proto, sizeof(sel->proto), "%s", tok[i + 2]);
		return 3;
	}
	if (!strcmp(t, "iifname") || (!strcmp(t, "meta") && !strcmp(tok[i + 1], "iifname"))) {
		const char *v = tok[i + 1 + !strcmp(t, "meta")];
		size_t len = strlen(v);

		/* Quoted as nft lists it; nft's wildcard '*' is iptables' '+'. */
		if (len >= 2 && v[0] == '"' && v[len - 1] == '"')
			snprintf(sel->iif, sizeof(sel->iif), "%.*s", (int)len - 2, v + 1);
		else
			snprintf(sel->iif, sizeof(sel->iif), "%s", v);
		len = strlen(sel->iif);
		if (len && sel->iif[len - 1] == '*')
			sel->iif[len - 1] = '+';
		return 2 + !strcmp(t, "meta");
	}
	if (!strcmp(t, "ct") && !strcmp(tok[i + 1], "state") && !strcmp(tok[i + 2], "new")) {
		sel->ctnew = true;
		return 3;
	}
	return 0;
}

/* @drops_after: a later rule of the chain drops every packet. */
static void convert(struct rl_import *im, int no, char **tok, int n,
		    const struct nft_chain *c, bool drops_after)
{
	struct rl_import_rule r = { .prefix_len = -1, .burst_default = NFT_LIMIT_BURST };
	char rate[64], burst[48], other[256] = "";
	const char *verdict = NULL;
	struct nft_sel sel = { 0 };
	bool over = false, bytes;
	int i = 0, fam, k;

	if (!c->base || (strcmp(c->hook, "input") && strcmp(c->hook, "prerouting")))
		SKIP("its chain is not a base chain at hook input or prerouting, where nf_ratelimit sees packets");
	/* Before the meter: the source's prefix, and what selectors can say. */
	for (;;) {
		if (i + 2 < n && saddr_family(tok[i]) && !strcmp(tok[i + 1], "saddr") &&
		    tok[i + 2][0] != '{' && tok[i + 2][0] != '@' && !r.prefix) {
			r.family = saddr_family(tok[i]);
			r.prefix = tok[i + 2];
			i += 3;
		} else if ((k = sel_match(tok, n, i, &sel))) {
			i += k;
		} else {
			break;
		}
	}
	if (i + 2 < n && (!strcmp(tok[i], "update") || !strcmp(tok[i], "add")) &&
	    tok[i + 1][0] == '@' && !strcmp(tok[i + 2], "{")) {
		i += 3;
	} else if (i + 2 < n && !strcmp(tok[i], "meter")) {
		i += 2;
		if (i + 1 < n && !strcmp(tok[i], "size"))
			i += 2;
		if (i >= n || strcmp(tok[i++], "{"))
			SKIP("a meter with no { ... } body");
	} else if (i < n && !strcmp(tok[i], "limit")) {
		SKIP("one limit shared by every source it matches, not one per source");
	} else {
		SKIP("it matches on more than the source address before its meter");
	}
	/* The meter's key: the source, perhaps masked to a prefix. */
	if (i + 1 >= n || !saddr_family(tok[i]) || strcmp(tok[i + 1], "saddr"))
		SKIP("the meter's key is not the source address (ip saddr or ip6 saddr)");
	fam = saddr_family(tok[i]);
	if (r.family && r.family != fam)
		SKIP("it matches on one family's source and keys on the other's");
	r.family = fam;
	i += 2;
	/* "ip saddr . tcp dport": a state per source and destination port. */
	if (i + 2 < n && !strcmp(tok[i], ".") &&
	    (!strcmp(tok[i + 1], "tcp") || !strcmp(tok[i + 1], "udp")) &&
	    !strcmp(tok[i + 2], "dport")) {
		if (sel.proto[0] && strcmp(sel.proto, tok[i + 1]))
			SKIP("its key's protocol is not the one it matches");
		snprintf(sel.proto, sizeof(sel.proto), "%s", tok[i + 1]);
		sel.per_port = true;
		i += 3;
	}
	/* nft 1.0.6 lists the mask as "&", the manual writes "and". */
	if (i + 1 < n && (!strcmp(tok[i], "and") || !strcmp(tok[i], "&"))) {
		r.prefix_len = rl_import_mask_len(tok[i + 1], fam);
		if (r.prefix_len < 0)
			SKIP("the mask %s is not a prefix", tok[i + 1]);
		i += 2;
	}
	if (i + 1 < n && !strcmp(tok[i], "timeout"))
		i += 2;		/* how long an idle element lives: GC's business */
	if (i + 2 >= n || strcmp(tok[i], "limit") || strcmp(tok[i + 1], "rate"))
		SKIP("the meter holds no 'limit rate'");
	i += 2;
	if (!strcmp(tok[i], "over")) {
		over = true;
		i++;
	}
	/* "10/second", or "10 mbytes/second" for a byte rate. */
	bytes = i < n && !strchr(tok[i], '/');
	if (i >= n || (bytes && i + 1 >= n))
		SKIP("a limit with no rate");
	snprintf(rate, sizeof(rate), "%s%s", tok[i], bytes ? tok[i + 1] : "");
	r.rate = rate;
	i += bytes ? 2 : 1;
	if (i + 2 < n && !strcmp(tok[i], "burst")) {
		if (!strcmp(tok[i + 2], "packets")) {
			if (bytes)
				SKIP("a byte rate with a burst in packets");
			snprintf(burst, sizeof(burst), "%s", tok[i + 1]);
		} else {
			snprintf(burst, sizeof(burst), "%s%s", tok[i + 1], tok[i + 2]);
		}
		r.burst = burst;
		i += 3;
	} else if (bytes) {
		SKIP("a byte rate with nft's default burst, which has no nf_ratelimit equivalent: give one");
	}
	if (i >= n || strcmp(tok[i++], "}"))
		SKIP("the meter holds more than its key and its limit");
	i = skip_said(tok, i, n);
	if (i < n)
		verdict = tok[i++];
	for (; i < n; i++) {
		size_t len = strlen(other);

		snprintf(other + len, sizeof(other) - len, "%s%s", len ? " " : "", tok[i]);
	}
	if (*other)
		SKIP("'%s' after its verdict", other);
	if (over && verdict && !strcmp(verdict, "drop")) {
		/* the limit itself */
	} else if (!over && verdict && !strcmp(verdict, "accept")) {
		if (strcmp(c->policy, "drop") && !drops_after)
			SKIP("what goes over the limit falls through the chain, and neither its policy nor a later 'drop' drops it");
	} else {
		SKIP("'limit rate %s... %s' does not drop what goes over the rate",
		     over ? "over " : "", verdict ? verdict : "(no verdict)");
	}
	if (sel.ctnew) {
		/* The module sits before conntrack: for TCP, new is a SYN. */
		if (strcmp(sel.proto, "tcp"))
			SKIP("ct state new: nf_ratelimit sits before conntrack, and can tell a new connection only for TCP (a SYN)");
		fprintf(im->out, "# note: ct state new becomes syn: a TCP SYN without ACK, which is what starts a new connection\n");
		sel.syn = true;
	}
	/* Words rlctl checks, in rl_import_add(), as it checks its own. */
	if ((sel.proto[0] && !rl_import_sel(&r, "proto", sel.proto)) ||
	    (sel.ports[0] && !rl_import_sel(&r, "dport", sel.ports)) ||
	    (sel.syn && !rl_import_sel(&r, "syn", NULL)) ||
	    (sel.types[0] && !rl_import_sel(&r, "icmp-type", sel.types)) ||
	    (sel.iif[0] && !rl_import_sel(&r, "iif", sel.iif)) ||
	    (sel.per_port && !rl_import_sel(&r, "per-port", NULL)))
		SKIP("its selector does not fit");
	rl_import_add(im, no, &r);
}

/**
 * rl_import_nft() - convert nft list ruleset output
 * @im: the conversion
 * @text: the ruleset, modified in place
 *
 * Return: 0, -E2BIG for a line too long to read, or -ENOMEM.
 */
int rl_import_nft(struct rl_import *im, char *text)
{
	char *line, *next, *tok[RL_IMPORT_MAX_TOKENS], **lines = NULL;
	int *nos = NULL, n = 0, no = 0, depth = 0, skip_to = -1, i, j, ntok;
	struct nft_chain chain = { 0 };
	bool in_chain = false;
	int ret = 0;

	/* Lines first: an upto-style rule needs to see the rest of its chain. */
	for (line = text; line; line = next) {
		void *p, *q;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p = realloc(lines, (n + 1) * sizeof(*lines));
		q = p ? realloc(nos, (n + 1) * sizeof(*nos)) : NULL;
		if (p)
			lines = p;
		if (!p || !q) {
			free(lines);
			return -ENOMEM;
		}
		nos = q;
		lines[n] = line;
		nos[n++] = ++no;
	}
	for (i = 0; i < n && !ret; i++) {
		char copy[4096];
		const char *l = lines[i];

		while (*l == ' ' || *l == '\t')
			l++;
		/* Blocks that hold no rules: sets with their elements, maps... */
		if (skip_to >= 0) {
			depth += !!strchr(l, '{') - !!strchr(l, '}');
			if (depth == skip_to)
				skip_to = -1;
			continue;
		}
		if (!strncmp(l, "table ", 6)) {
			depth++;
		} else if (!strncmp(l, "chain ", 6)) {
			depth++;
			in_chain = true;
			memset(&chain, 0, sizeof(chain));
		} else if (in_chain && !strncmp(l, "type ", 5)) {
			const char *h = strstr(l, " hook "), *pol = strstr(l, "policy ");

			chain.base = h;
			if (h)
				sscanf(h, " hook %15[a-z]", chain.hook);
			if (pol)
				sscanf(pol, "policy %15[a-z]", chain.policy);
		} else if (!strcmp(l, "}")) {
			depth--;
			in_chain = in_chain && depth >= 2;
		} else if (strchr(l, '{') && !in_chain) {
			skip_to = depth++;
		} else if (in_chain && strstr(l, "limit rate")) {
			bool drops_after = false;

			/*
			 * What the chain does after this rule: a rule that only
			 * drops ("counter drop" too), or else its policy.
			 */
			for (j = i + 1; j < n && !drops_after; j++) {
				char *w[8];
				int nw;

				snprintf(copy, sizeof(copy), "%s", lines[j]);
				nw = rl_import_split(copy, w, 8);
				if (nw == 1 && !strcmp(w[0], "}"))
					break;
				drops_after = nw > 0 && skip_said(w, 0, nw) == nw - 1 &&
					      !strcmp(w[nw - 1], "drop");
			}
			snprintf(copy, sizeof(copy), "%s", l);
			ntok = rl_import_split(copy, tok, RL_IMPORT_MAX_TOKENS);
			if (ntok < 0) {
				ret = ntok;
				break;
			}
			rl_import_echo(im, nos[i], tok, ntok);
			convert(im, nos[i], tok, ntok, &chain, drops_after);
		}
	}
	free(lines);
	free(nos);
	return ret;
}
