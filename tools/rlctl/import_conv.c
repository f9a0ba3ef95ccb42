// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl import: what the two readers share, writing the configuration: one
 * comment per limiting rule of the input, then its rlctl rule or why it has
 * none, and notes where the two models differ.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nf_ratelimit.h>

#include "import.h"

int rl_import_split(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line, *w;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			return n;
		if (n == max)
			return -E2BIG;
		if (*p == '"') {
			/* A quoted word (a comment): kept whole, quotes and all. */
			w = p++;
			while (*p && *p != '"')
				p += p[0] == '\\' && p[1] ? 2 : 1;
			if (*p)
				p++;
		} else {
			w = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				p++;
		}
		tok[n++] = w;
		if (*p)
			*p++ = '\0';
	}
}

void rl_import_echo(struct rl_import *im, int no, char **tok, int ntok)
{
	int i;

	fprintf(im->out, "\n# %s line %d:", im->what, no);
	for (i = 0; i < ntok; i++)
		fprintf(im->out, " %s", tok[i]);
	fputc('\n', im->out);
}

void rl_import_skip(struct rl_import *im, const char *fmt, ...)
{
	va_list ap;

	fprintf(im->out, "# not converted: ");
	va_start(ap, fmt);
	vfprintf(im->out, fmt, ap);
	va_end(ap);
	fputc('\n', im->out);
	im->skipped++;
}

int rl_import_mask_len(const char *mask, int family)
{
	unsigned char a[16];
	int len = 0, i, bits = family == AF_INET ? 32 : 128;

	if (inet_pton(family, mask, a) != 1)
		return -EINVAL;
	while (len < bits && a[len / 8] & (0x80 >> (len % 8)))
		len++;
	for (i = len; i < bits; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;	/* not a prefix: 255.0.255.0 */
	return len;
}

/* Whether @a covers @b or @b covers @a. */
static bool overlap(const struct rl_prefix *a, const struct rl_prefix *b)
{
	unsigned int len = a->len < b->len ? a->len : b->len, i;

	if (a->family != b->family)
		return false;
	for (i = 0; i < len; i++)
		if ((a->addr[i / 8] ^ b->addr[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool rl_import_sel(struct rl_import_rule *r, const char *word, const char *value)
{
	if (r->nsel + 1 + !!value > RL_IMPORT_SEL_WORDS)
		return false;
	r->sel[r->nsel++] = word;
	if (value)
		r->sel[r->nsel++] = value;
	return true;
}

void rl_import_add(struct rl_import *im, int no, const struct rl_import_rule *r)
{
	char prefix_len[12], burst[24], err[RL_ERR_LEN], text[512], within[64];
	char *argv[8 + RL_IMPORT_SEL_WORDS];
	struct rl_rule_spec spec;
	int argc = 0, k;
	size_t i;

	argv[argc++] = (char *)(r->prefix ? r->prefix :
				r->family == AF_INET ? "0.0.0.0/0" : "::/0");
	for (k = 0; k < r->nsel; k++)
		argv[argc++] = (char *)r->sel[k];
	argv[argc++] = "rate";
	argv[argc++] = (char *)r->rate;
	argv[argc++] = "burst";
	snprintf(burst, sizeof(burst), "%u", r->burst_default);
	argv[argc++] = (char *)(r->burst ? r->burst : burst);
	argv[argc++] = "prefix-len";
	snprintf(prefix_len, sizeof(prefix_len), "%d",
		 r->prefix_len >= 0 ? r->prefix_len : r->family == AF_INET ? 32 : 128);
	argv[argc++] = prefix_len;
	if (rl_parse_rule(argc, argv, false, &spec, err)) {
		rl_import_skip(im, "%s", err);
		return;
	}
	if (spec.prefix.family != r->family) {
		rl_import_skip(im, "%s is not an %s prefix", argv[0],
			       r->family == AF_INET ? "IPv4" : "IPv6");
		return;
	}
	for (i = 0; i < im->n; i++) {
		const struct rl_prefix *p = &im->done[i].prefix;

		if (p->family == spec.prefix.family && p->len == spec.prefix.len &&
		    !memcmp(p->addr, spec.prefix.addr, sizeof(p->addr)) &&
		    !rl_sel_cmp(&im->done[i].sel, &spec.sel)) {
			rl_import_skip(im, "line %d already limits %s with this selector: nf_ratelimit has one rule per prefix and selector",
				       im->done[i].line, argv[0]);
			return;
		}
	}
	if (im->n == im->cap) {
		size_t cap = im->cap ? 2 * im->cap : 16;
		void *d = realloc(im->done, cap * sizeof(*im->done));

		if (!d) {
			rl_import_skip(im, "out of memory");
			return;
		}
		im->done = d;
		im->cap = cap;
	}
	/*
	 * Both inputs run rules in turn: a source two rules cover is charged
	 * by both.  nf_ratelimit lets the most specific decide alone.
	 */
	for (i = 0; i < im->n; i++) {
		const struct rl_prefix *narrow = &spec.prefix;

		/* Rules of different selectors both charge a packet here too. */
		if (!overlap(&spec.prefix, &im->done[i].prefix) ||
		    rl_sel_cmp(&im->done[i].sel, &spec.sel))
			continue;
		if (im->done[i].prefix.len > narrow->len)
			narrow = &im->done[i].prefix;
		rl_format_prefix(narrow, within, sizeof(within));
		fprintf(im->out, "# note: line %d also limits the sources in %s: there, both lines charge them; here only the rule for %s does\n",
			im->done[i].line, within, within);
	}
	im->done[im->n].prefix = spec.prefix;
	im->done[im->n].sel = spec.sel;
	im->done[im->n++].line = no;
	rl_format_rule(&spec, text, sizeof(text));
	fprintf(im->out, "rule %s\n", text);
}

/**
 * rl_import_text() - convert a dump, whichever of the two it is
 * @text: the whole input, modified in place
 * @out: where the configuration goes
 * @skipped: set to the number of limiting rules not converted
 * @err: RL_ERR_LEN bytes for why the input was not recognised
 *
 * Return: 0, or -EINVAL if @text is neither format.
 */
int rl_import_text(char *text, FILE *out, unsigned int *skipped, char *err)
{
	struct rl_import im = { .out = out };
	int ret;

	/* iptables-save: "*table" sections of "-A CHAIN" lines. */
	if (!strncmp(text, "*", 1) || strstr(text, "\n*") || strstr(text, "\n-A ") ||
	    !strncmp(text, "-A ", 3) || strstr(text, "iptables-save")) {
		im.what = "iptables-save";
		fprintf(out, "# nf_ratelimit configuration converted by rlctl import from iptables-save\n");
		ret = rl_import_iptables(&im, text);
	} else if (strstr(text, "table ") && strchr(text, '{')) {
		im.what = "nft";
		fprintf(out, "# nf_ratelimit configuration converted by rlctl import from nft list ruleset\n");
		ret = rl_import_nft(&im, text);
	} else {
		snprintf(err, RL_ERR_LEN, "neither iptables-save nor nft list ruleset output");
		return -EINVAL;
	}
	if (!ret && !im.n && !im.skipped)
		fprintf(out, "\n# no per-source limit found: this configuration has no rules, and limits nothing\n");
	free(im.done);
	*skipped = im.skipped;
	if (ret)
		snprintf(err, RL_ERR_LEN, "the input is too long or has a line of over %d words",
			 RL_IMPORT_MAX_TOKENS);
	return ret;
}
