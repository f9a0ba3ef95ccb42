// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of rlctl's parsers (values, rules, configuration files),
 * table-driven; TAP output.  Built with -DFUZZ it is a libFuzzer target
 * instead, which feeds every parser random input and checks that what parses
 * also formats back and parses again to the same thing.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <linux/nf_ratelimit.h>

#include "../import.h"
#include "../rlctl.h"

/* Parses @text, formats what it got and parses that: both must agree. */
static int config_round_trip(const char *text, size_t len,
			     struct rl_config_file *c, char *err)
{
	struct rl_config_file again = { 0 };
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int ret;

	ret = rl_parse_config(text, len, c, err);
	if (ret)
		return ret;
	f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	rl_format_config(f, c);
	fclose(f);
	if (rl_parse_config(out, outlen, &again, err) || again.n != c->n ||
	    memcmp(&again.set, &c->set, sizeof(c->set)) ||
	    (c->n && memcmp(again.rules, c->rules, c->n * sizeof(*c->rules)))) {
		fprintf(stderr, "round trip changed:\n%.*s\ninto:\n%s\n",
			(int)len, text, out);
		abort();
	}
	rl_config_free(&again);
	free(out);
	return 0;
}

/*
 * rlctl import on @text: what it writes must be a configuration rlctl apply
 * reads.  Returns the skipped count, -1 if the input was refused, and -2 if
 * the output does not parse; the output in *@out (if asked), to be freed.
 */
static int import_parses(const char *text, size_t len, char **out_p)
{
	struct rl_config_file c = { 0 };
	char err[RL_ERR_LEN], *in, *out = NULL;
	unsigned int skipped;
	size_t outlen = 0;
	FILE *f;
	int ret;

	if (memchr(text, '\0', len))
		return -1;	/* rlctl import refuses a NUL before this */
	in = strndup(text, len);
	f = open_memstream(&out, &outlen);
	if (!in || !f)
		abort();
	ret = rl_import_text(in, f, &skipped, err) ? -1 : 0;
	fclose(f);
	free(in);
	if (!ret && rl_parse_config(out, outlen, &c, err))
		ret = -2;
	rl_config_free(&c);
	if (out_p)
		*out_p = out;
	else
		free(out);
	return ret ? ret : (int)skipped;
}

#ifdef FUZZ
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_config_file c = { 0 };
	char s[128], back[64], err[RL_ERR_LEN];
	struct rl_prefix p, q;
	uint64_t n, period;
	uint32_t u, unit;
	bool b;

	config_round_trip((const char *)data, size, &c, err);
	rl_config_free(&c);
	if (import_parses((const char *)data, size, NULL) == -2)
		abort();
	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rl_parse_u32(s, 1000, &u);
	rl_parse_bool(s, &b);
	if (!rl_parse_rate(s, &n, &period, &unit)) {
		uint64_t n2, period2;
		uint32_t unit2;

		/* What rlctl prints of a rate, it reads back to the same rate. */
		rl_format_rate(n, period, unit, back, sizeof(back));
		if (rl_parse_rate(back, &n2, &period2, &unit2) || n2 != n ||
		    period2 != period || unit2 != unit)
			abort();
	}
	if (!rl_parse_prefix(s, &p)) {
		rl_format_prefix(&p, back, sizeof(back));
		if (rl_parse_prefix(back, &q) || memcmp(&p, &q, sizeof(p)))
			abort();
	}
	return 0;
}
#else
static int n, failed;

static void ok(int cond, const char *what, const char *input)
{
	n++;
	if (!cond)
		failed++;
	printf("%sok %d %s \"%s\"\n", cond ? "" : "not ", n, what, input);
}

#define SEC 1000000000ULL
#define B NF_RL_UNIT_BYTES

static const struct {
	const char *in;
	int err;
	uint64_t n, period;
	uint32_t unit;
	const char *out;	/* how rlctl prints it back */
} rates[] = {
	{ "10", 0, 10, SEC, 0, "10/second" },
	{ "100/second", 0, 100, SEC, 0, "100/second" },
	{ "10/s", 0, 10, SEC, 0, "10/second" },
	{ "6000/minute", 0, 6000, 60 * SEC, 0, "6000/minute" },
	{ "1/hour", 0, 1, 3600 * SEC, 0, "1/hour" },
	{ "2/day", 0, 2, 86400 * SEC, 0, "2/day" },
	{ "1/week", 0, 1, 604800 * SEC, 0, "1/week" },
	{ "0", 0, 0, SEC, 0, "0/second" },
	{ "1mbit/s", 0, 125000, SEC, B, "1mbit/second" },
	{ "125kbytes/second", 0, 128000, SEC, B, "125kbytes/second" },
	{ "1500bytes", 0, 1500, SEC, B, "12kbit/second" },
	{ "1501bytes/m", 0, 1501, 60 * SEC, B, "1501bytes/minute" },
	{ "12bit/s", 0, 12, 8 * SEC, B, "12bit/second" },
	{ "10gbit/minute", 0, 1250000000, 60 * SEC, B, "10gbit/minute" },
	{ "2gbytes/h", 0, 2ULL << 30, 3600 * SEC, B, "2gbytes/hour" },
	{ "", -EINVAL },
	{ "/s", -EINVAL },
	{ "10/", -EINVAL },
	{ "10/sec/", -EINVAL },
	{ "10/fortnight", -EINVAL },
	{ "10kb/s", -EINVAL },
	{ "bytes/s", -EINVAL },
	{ "18446744073709551615kbytes", -EINVAL },
	{ "-1", -EINVAL },
	{ "+1", -EINVAL },
	{ " 1", -EINVAL },
	{ "1.5", -EINVAL },
	{ "18446744073709551616", -EINVAL },
};

static const struct {
	const char *in;
	int err;
	const char *out;
} prefixes[] = {
	{ "192.0.2.1", 0, "192.0.2.1/32" },
	{ "192.0.2.0/24", 0, "192.0.2.0/24" },
	{ "0.0.0.0/0", 0, "0.0.0.0/0" },
	{ "2001:db8::/32", 0, "2001:db8::/32" },
	{ "2001:db8::1", 0, "2001:db8::1/128" },
	{ "::/0", 0, "::/0" },
	{ "192.0.2.1/24", -EINVAL },	/* host bits set */
	{ "192.0.2.0/33", -EINVAL },
	{ "2001:db8::/129", -EINVAL },
	{ "192.0.2.0/", -EINVAL },
	{ "192.0.2.0/-1", -EINVAL },
	{ "192.0.2/24", -EINVAL },
	{ "example.com", -EINVAL },
	{ "", -EINVAL },
	{ "/24", -EINVAL },
};

/* Rules as typed after "rlctl rule add": the result as save writes it. */
static const struct {
	const char *in;
	const char *out;	/* NULL: refused */
} rules[] = {
	{ "10.0.0.0/8 rate 10/s", "10.0.0.0/8 rate 10/second" },
	{ "10.0.0.0/8 rate 6000/minute burst 50 prefix-len 24",
	  "10.0.0.0/8 rate 6000/minute burst 50 prefix-len 24" },
	{ "10.0.0.0/8 prefix-len 16 rate 1/hour action limit",
	  "10.0.0.0/8 rate 1/hour prefix-len 16" },
	{ "2001:db8::/32 action deny", "2001:db8::/32 action deny" },
	{ "192.0.2.7 action allow", "192.0.2.7/32 action allow" },
	{ "0.0.0.0/0 rate 0", "0.0.0.0/0 rate 0/second" },
	{ "10.0.0.0/8 rate 1mbit/s burst 64kbytes algo gcra",
	  "10.0.0.0/8 rate 1mbit/second burst 65536bytes algo gcra" },
	{ "10.0.0.0/8 rate 1mbit/s burst 1500", "10.0.0.0/8 rate 1mbit/second burst 1500bytes" },
	{ "10.0.0.0/8 rate 5/s algo sliding-window", "10.0.0.0/8 rate 5/second algo sliding-window" },
	{ "10.0.0.0/8 rate 5/s algo token-bucket", "10.0.0.0/8 rate 5/second" },
	{ "10.0.0.0/8 rate 5/s burst 64kbytes", NULL },	/* bytes burst, packet rate */
	{ "10.0.0.0/8 rate 5/s algo leaky", NULL },
	{ "10.0.0.0/8 action deny algo gcra", NULL },
	{ "10.0.0.0/8", NULL },				/* limit needs a rate */
	{ "10.0.0.0/8 action allow rate 5", NULL },	/* allow takes no rate */
	{ "10.0.0.0/8 rate 5 prefix-len 4", NULL },	/* shorter than the rule */
	{ "10.0.0.0/8 rate 5 prefix-len 33", NULL },
	{ "2001:db8::/32 rate 5 prefix-len 129", NULL },
	{ "10.0.0.0/8 rate 5 rate 6", NULL },
	{ "10.0.0.0/8 rate 5 burst 0", NULL },
	{ "10.0.0.0/8 rate", NULL },
	{ "10.0.0.0/8 speed 5", NULL },
	{ "10.0.0.0/8 action block", NULL },
	{ "10.0.0.1/8 rate 5", NULL },
	{ "", NULL },
	/* Timed rules and owners: the largest exact unit, at the end. */
	{ "198.51.100.7 action deny timeout 10m",
	  "198.51.100.7/32 action deny timeout 10m" },
	{ "198.51.100.0/24 timeout 3000ms rate 30/s owner cluster",
	  "198.51.100.0/24 rate 30/second timeout 3s owner cluster" },
	{ "198.51.100.7 action deny timeout 90", "198.51.100.7/32 action deny timeout 90s" },
	{ "198.51.100.7 action deny timeout 1500ms",
	  "198.51.100.7/32 action deny timeout 1500ms" },
	{ "198.51.100.7 action deny timeout 30d", "198.51.100.7/32 action deny timeout 30d" },
	{ "198.51.100.7 action deny timeout 31d", NULL },	/* over 30 days */
	{ "198.51.100.7 action deny timeout 0", NULL },
	{ "198.51.100.7 action deny timeout 5y", NULL },
	{ "198.51.100.7 action deny timeout -1s", NULL },
	{ "198.51.100.7 action deny timeout 99999999999999999999", NULL },
	{ "198.51.100.7 action deny owner", NULL },
	{ "198.51.100.7 action deny owner a b", NULL },
	{ "198.51.100.7 action deny owner a/b", NULL },
	{ "198.51.100.7 action deny owner 0123456789abcdef", NULL },	/* 16 */
	{ "198.51.100.7 action deny owner x owner y", NULL },
	/* Selectors: written back in one order, ports and types sorted. */
	{ "0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5",
	  "0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5" },
	{ "0.0.0.0/0 rate 50/s prefix-len 24 dport 53 proto udp",
	  "0.0.0.0/0 proto udp dport 53 rate 50/second prefix-len 24" },
	{ "0.0.0.0/0 syn dport 443,80 proto 6 rate 100/s",
	  "0.0.0.0/0 proto tcp dport 80,443 syn rate 100/second" },
	{ "::/0 proto icmpv6 icmp-type nd-neighbor-advert,135,133 action allow",
	  "::/0 proto icmpv6 icmp-type nd-router-solicit,nd-neighbor-solicit,nd-neighbor-advert action allow" },
	{ "0.0.0.0/0 proto icmp icmp-type echo-request rate 5/s",
	  "0.0.0.0/0 proto icmp icmp-type echo-request rate 5/second" },
	{ "0.0.0.0/0 proto icmp icmp-type 200 rate 5/s",
	  "0.0.0.0/0 proto icmp icmp-type 200 rate 5/second" },
	{ "0.0.0.0/0 iif eth0 rate 5/s", "0.0.0.0/0 iif eth0 rate 5/second" },
	{ "0.0.0.0/0 iif eth+ action deny", "0.0.0.0/0 iif eth+ action deny" },
	{ "0.0.0.0/0 iif #eth0 action deny", NULL },	/* a comment in a file */
	{ "0.0.0.0/0 proto udp per-port dport 1000-2000,53 rate 5/s",
	  "0.0.0.0/0 proto udp dport 53,1000-2000 per-port rate 5/second" },
	{ "0.0.0.0/0 proto 47 rate 5/s", "0.0.0.0/0 proto 47 rate 5/second" },
	{ "0.0.0.0/0 dport 22 rate 5/s", NULL },		/* no protocol */
	{ "0.0.0.0/0 proto icmp dport 22 rate 5/s", NULL },
	{ "0.0.0.0/0 proto udp syn rate 5/s", NULL },
	{ "0.0.0.0/0 proto tcp icmp-type 8 rate 5/s", NULL },
	{ "0.0.0.0/0 proto icmpv6 rate 5/s", NULL },		/* IPv6's ICMP */
	{ "::/0 proto icmp rate 5/s", NULL },
	{ "::/0 proto icmpv6 icmp-type redirect rate 5/s", NULL },	/* IPv4's */
	{ "0.0.0.0/0 proto tcp dport 90-80 rate 5/s", NULL },
	{ "0.0.0.0/0 proto tcp dport 80-90,85 rate 5/s", NULL },
	{ "0.0.0.0/0 proto tcp dport 1,2,3,4,5,6,7,8,9 rate 5/s", NULL },
	{ "0.0.0.0/0 proto tcp dport 65536 rate 5/s", NULL },
	{ "0.0.0.0/0 proto tcp dport 22, rate 5/s", NULL },
	{ "0.0.0.0/0 proto tcp dport 22 dport 23 rate 5/s", NULL },
	{ "0.0.0.0/0 proto tcp syn syn rate 5/s", NULL },
	{ "0.0.0.0/0 proto 0 rate 5/s", NULL },
	{ "0.0.0.0/0 proto 256 rate 5/s", NULL },
	{ "0.0.0.0/0 proto sctp rate 5/s", NULL },
	{ "0.0.0.0/0 proto icmp icmp-type 8,8 rate 5/s", NULL },
	{ "0.0.0.0/0 iif a/b rate 5/s", NULL },
	{ "0.0.0.0/0 iif 0123456789abcdef rate 5/s", NULL },	/* 16 bytes */
	{ "0.0.0.0/0 per-port rate 5/s", NULL },
	{ "0.0.0.0/0 proto tcp dport", NULL },
};

/* Configuration files: what save would write back, or the error. */
static const struct {
	const char *desc, *in;
	const char *out;	/* the expected output, or the error's start */
	int err;
} configs[] = {
	{ "empty", "", "# nf_ratelimit configuration: rlctl apply -f FILE\n", 0 },
	{ "comments, blanks, tabs and CRLF",
	  "# hi\n\n\tset dry-run on # inline\r\nrule ::/0 rate 5/s\n",
	  "# nf_ratelimit configuration: rlctl apply -f FILE\n"
	  "set dry-run on\nrule ::/0 rate 5/second\n", 0 },
	{ "settings on one line",
	  "set max-entries 100 full-policy drop\nrule 10.0.0.0/8 action allow",
	  "# nf_ratelimit configuration: rlctl apply -f FILE\n"
	  "set full-policy drop\nset max-entries 100\nrule 10.0.0.0/8 action allow\n", 0 },
	{ "duplicate prefixes name both lines",
	  "rule 10.0.0.0/8 action allow\n\nrule 10.0.0.0/8 action deny\n",
	  "lines 1 and 3: two rules for 10.0.0.0/8", -EINVAL },
	{ "an error names its line", "set dry-run on\nrule 10.0.0.1/8 action deny\n",
	  "line 2: bad prefix", -EINVAL },
	{ "unknown statement", "rules 10.0.0.0/8\n", "line 1: unknown statement", -EINVAL },
	{ "setting given twice", "set dry-run on\nset dry-run off\n",
	  "line 2: 'dry-run' given twice", -EINVAL },
	{ "odd set", "set dry-run\n", "line 1: set wants NAME VALUE pairs", -EINVAL },
	{ "NUL byte", "rule ::/0 action allow\n\0\n", "line 2: not text", -EINVAL },
	{ "a prefix with a rule per selector",
	  "rule 0.0.0.0/0 rate 100/s\nrule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute\n"
	  "rule 0.0.0.0/0 proto udp dport 53 rate 50/s\n",
	  "# nf_ratelimit configuration: rlctl apply -f FILE\n"
	  "rule 0.0.0.0/0 rate 100/second\n"
	  "rule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute\n"
	  "rule 0.0.0.0/0 proto udp dport 53 rate 50/second\n", 0 },
	{ "one selector spelt twice is a duplicate",
	  "rule 0.0.0.0/0 proto tcp dport 80,443 rate 1/s\n"
	  "rule 0.0.0.0/0 dport 443,80 proto tcp rate 2/s\n",
	  "lines 1 and 2: two rules for 0.0.0.0/0 proto tcp dport 80,443", -EINVAL },
};

/* rlctl import: the rule lines it writes, and how many rules it skips. */
#define NFT_CHAIN(hook, policy, rule) \
	"table inet t {\n\tchain c {\n\t\ttype filter hook " hook \
	" priority filter; policy " policy ";\n\t\t" rule "\n\t}\n}\n"
#define HL "-m hashlimit --hashlimit-mode srcip --hashlimit-name n "

static const struct {
	const char *desc, *in, *rules;
	int skipped;
} imports[] = {
	{ "hashlimit above ... -j DROP, srcmask",
	  "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 198.18.2.0/24 " HL
	  "--hashlimit-above 10/sec --hashlimit-burst 20 --hashlimit-srcmask 24 -j DROP\nCOMMIT\n",
	  "rule 198.18.2.0/24 rate 10/second burst 20 prefix-len 24\n", 0 },
	{ "hashlimit's default burst is 5",
	  "-A INPUT " HL "--hashlimit-above 10/min -j DROP\n",
	  "rule 0.0.0.0/0 rate 10/minute burst 5 prefix-len 32\n", 0 },
	{ "ip6tables-save: every source is ::/0",
	  "# Generated by ip6tables-save v1.8.9 (legacy)\n*raw\n:PREROUTING DROP [0:0]\n-A PREROUTING "
	  HL "--hashlimit-upto 50/min --hashlimit-srcmask 64 -j ACCEPT\nCOMMIT\n",
	  "rule ::/0 rate 50/minute burst 5 prefix-len 64\n", 0 },
	{ "upto ... -j ACCEPT, then -j DROP",
	  "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT " HL "--hashlimit-upto 5/sec -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
	  "rule 0.0.0.0/0 rate 5/second burst 5 prefix-len 32\n", 0 },
	{ "upto ... -j ACCEPT falling through",
	  "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT " HL "--hashlimit-upto 5/sec -j ACCEPT\nCOMMIT\n", "", 1 },
	{ "hashlimit on a port",
	  "-A INPUT -p tcp -m tcp --dport 22 " HL "--hashlimit-above 5/min -j DROP\n",
	  "rule 0.0.0.0/0 proto tcp dport 22 rate 5/minute burst 5 prefix-len 32\n", 0 },
	{ "recipe 1: SSH SYNs as iptables-save writes --syn",
	  "-A INPUT -p tcp -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN " HL
	  "--hashlimit-above 3/min --hashlimit-burst 5 -j DROP\n",
	  "rule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5 prefix-len 32\n", 0 },
	{ "recipe 1: --ctstate NEW becomes syn",
	  "-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW " HL
	  "--hashlimit-above 3/min --hashlimit-burst 5 -j DROP\n",
	  "rule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5 prefix-len 32\n", 0 },
	{ "--ctstate NEW of UDP has no equivalent",
	  "-A INPUT -p udp -m conntrack --ctstate NEW " HL "--hashlimit-above 3/min -j DROP\n", "", 1 },
	{ "recipe 2: DNS per /24, with -i",
	  "-A INPUT -i eth0 -p udp -m udp --dport 53 " HL
	  "--hashlimit-above 50/sec --hashlimit-burst 50 --hashlimit-srcmask 24 -j DROP\n",
	  "rule 0.0.0.0/0 proto udp dport 53 iif eth0 rate 50/second burst 50 prefix-len 24\n", 0 },
	{ "recipe 4: SYNs to multiport 80,443",
	  "-A INPUT -p tcp -m multiport --dports 443,80 --syn " HL
	  "--hashlimit-above 100/sec --hashlimit-burst 100 -j DROP\n",
	  "rule 0.0.0.0/0 proto tcp dport 80,443 syn rate 100/second burst 100 prefix-len 32\n", 0 },
	{ "recipe 6: srcip,dstport is per-port, ranges as rlctl writes them",
	  "-A INPUT -p udp -m multiport --dports 1000:2000,53 -m hashlimit --hashlimit-mode srcip,dstport "
	  "--hashlimit-name n --hashlimit-above 5/sec -j DROP\n",
	  "rule 0.0.0.0/0 proto udp dport 53,1000-2000 per-port rate 5/second burst 5 prefix-len 32\n", 0 },
	{ "recipe 3: ICMP echo",
	  "-A INPUT -p icmp -m icmp --icmp-type 8 " HL "--hashlimit-above 5/sec -j DROP\n",
	  "rule 0.0.0.0/0 proto icmp icmp-type echo-request rate 5/second burst 5 prefix-len 32\n", 0 },
	{ "an ICMP code has no equivalent",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/4 " HL "--hashlimit-above 5/sec -j DROP\n", "", 1 },
	{ "a port without its protocol is refused as rlctl would",
	  "-A INPUT -m tcp --dport 22 " HL "--hashlimit-above 5/sec -j DROP\n", "", 1 },
	{ "two selectors on one prefix are two rules",
	  "-A INPUT -p tcp -m tcp --dport 22 " HL "--hashlimit-above 5/min -j DROP\n"
	  "-A INPUT " HL "--hashlimit-above 100/sec -j DROP\n",
	  "rule 0.0.0.0/0 proto tcp dport 22 rate 5/minute burst 5 prefix-len 32\n"
	  "rule 0.0.0.0/0 rate 100/second burst 5 prefix-len 32\n", 0 },
	{ "hashlimit per destination",
	  "-A INPUT -m hashlimit --hashlimit-mode srcip,dstip --hashlimit-name n --hashlimit-above 5/min -j DROP\n", "", 1 },
	{ "hashlimit in FORWARD", "-A FORWARD " HL "--hashlimit-above 5/min -j DROP\n", "", 1 },
	{ "srcmask shorter than the prefix",
	  "-A INPUT -s 10.0.0.0/8 " HL "--hashlimit-above 5/sec --hashlimit-srcmask 4 -j DROP\n", "", 1 },
	{ "hashlimit in bytes",
	  "-A INPUT " HL "--hashlimit-above 1mb/s --hashlimit-burst 64kb -j DROP\n",
	  "rule 0.0.0.0/0 rate 1mbytes/second burst 65536bytes prefix-len 32\n", 0 },
	{ "one prefix limited twice",
	  "-A INPUT " HL "--hashlimit-above 5/sec -j DROP\n-A INPUT " HL "--hashlimit-above 9/sec -j DROP\n",
	  "rule 0.0.0.0/0 rate 5/second burst 5 prefix-len 32\n", 1 },
	{ "no hashlimit at all", "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p icmp -j ACCEPT\nCOMMIT\n", "", 0 },
	{ "nft meter with a prefix and a mask",
	  NFT_CHAIN("input", "accept", "ip saddr 198.18.2.0/24 update @m { ip saddr and 255.255.255.0 "
		    "limit rate over 10/second burst 20 packets } counter packets 0 bytes 0 drop"),
	  "rule 198.18.2.0/24 rate 10/second burst 20 prefix-len 24\n", 0 },
	{ "nft meter with the mask as nft list prints it",
	  NFT_CHAIN("input", "accept", "update @m { ip saddr & 255.255.255.0 "
		    "limit rate over 10/second burst 20 packets } drop"),
	  "rule 0.0.0.0/0 rate 10/second burst 20 prefix-len 24\n", 0 },
	{ "nft's default burst is 5",
	  NFT_CHAIN("prerouting", "accept", "update @m { ip saddr limit rate over 10/second } drop"),
	  "rule 0.0.0.0/0 rate 10/second burst 5 prefix-len 32\n", 0 },
	{ "nft meter statement, IPv6",
	  NFT_CHAIN("input", "accept", "meter m size 65535 { ip6 saddr limit rate over 3/second burst 6 packets } drop"),
	  "rule ::/0 rate 3/second burst 6 prefix-len 128\n", 0 },
	{ "nft limit ... accept, policy drop",
	  NFT_CHAIN("input", "drop", "update @m { ip saddr limit rate 5/second } accept"),
	  "rule 0.0.0.0/0 rate 5/second burst 5 prefix-len 32\n", 0 },
	{ "nft limit ... accept, then a counter and drop",
	  NFT_CHAIN("input", "accept", "update @m { ip saddr limit rate 5/second } accept\n"
		    "\t\tcounter packets 0 bytes 0 drop"),
	  "rule 0.0.0.0/0 rate 5/second burst 5 prefix-len 32\n", 0 },
	{ "nft limit ... accept, then a drop of one port only",
	  NFT_CHAIN("input", "accept", "update @m { ip saddr limit rate 5/second } accept\n"
		    "\t\ttcp dport 22 drop"), "", 1 },
	{ "nft limit ... accept, falling through",
	  NFT_CHAIN("input", "accept", "update @m { ip saddr limit rate 5/second } accept"), "", 1 },
	{ "nft set elements are no rules",
	  "table ip t {\n\tset m {\n\t\ttype ipv4_addr\n\t\tflags dynamic\n\t\telements = { 1.2.3.4 limit rate over 1/second,\n"
	  "\t\t\t     1.2.3.5 limit rate over 1/second }\n\t}\n\n\tchain c {\n"
	  "\t\ttype filter hook input priority 0; policy accept;\n"
	  "\t\tupdate @m { ip saddr limit rate over 1/second burst 2 packets } drop\n\t}\n}\n",
	  "rule 0.0.0.0/0 rate 1/second burst 2 prefix-len 32\n", 0 },
	{ "nft limit shared by all sources", NFT_CHAIN("input", "accept", "limit rate 100/second accept"), "", 1 },
	{ "nft meter in forward",
	  NFT_CHAIN("forward", "accept", "update @m { ip saddr limit rate over 1/second } drop"), "", 1 },
	{ "nft mask that is no prefix",
	  NFT_CHAIN("input", "accept", "update @m { ip saddr and 255.0.255.0 limit rate over 1/second } drop"), "", 1 },
	{ "nft meter guarded by a port",
	  NFT_CHAIN("input", "accept", "tcp dport 22 update @m { ip saddr limit rate over 1/second } drop"),
	  "rule 0.0.0.0/0 proto tcp dport 22 rate 1/second burst 5 prefix-len 32\n", 0 },
	{ "nft recipe 1: SSH SYNs, flags as nft 1.0 lists them",
	  NFT_CHAIN("input", "accept", "tcp dport 22 tcp flags syn / fin,syn,rst,ack update @m "
		    "{ ip saddr limit rate over 3/minute burst 5 packets } drop"),
	  "rule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5 prefix-len 32\n", 0 },
	{ "nft recipe 1: ct state new, older flags spelling",
	  NFT_CHAIN("input", "accept", "tcp dport 22 ct state new update @m "
		    "{ ip saddr limit rate over 3/minute burst 5 packets } drop"),
	  "rule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5 prefix-len 32\n", 0 },
	{ "nft recipe 4: a set of ports and & (syn|ack) == syn",
	  NFT_CHAIN("input", "accept", "tcp dport { 80, 443 } tcp flags & (syn|ack) == syn update @m "
		    "{ ip saddr limit rate over 100/second burst 100 packets } drop"),
	  "rule 0.0.0.0/0 proto tcp dport 80,443 syn rate 100/second burst 100 prefix-len 32\n", 0 },
	{ "nft recipe 2 on one interface",
	  NFT_CHAIN("input", "accept", "iifname \"eth0\" udp dport 53 update @m "
		    "{ ip saddr and 255.255.255.0 limit rate over 50/second burst 50 packets } drop"),
	  "rule 0.0.0.0/0 proto udp dport 53 iif eth0 rate 50/second burst 50 prefix-len 24\n", 0 },
	{ "nft meter keyed on ip saddr . tcp dport",
	  NFT_CHAIN("input", "accept", "update @m { ip saddr . tcp dport limit rate over 10/second } drop"),
	  "rule 0.0.0.0/0 proto tcp per-port rate 10/second burst 5 prefix-len 32\n", 0 },
	{ "nft meter guarded by something else",
	  NFT_CHAIN("input", "accept", "ip ttl 64 update @m { ip saddr limit rate over 1/second } drop"), "", 1 },
	{ "neither format", "hello\n", NULL, -1 },
};

static const struct {
	const char *in;
	int err;
	bool v;
} bools[] = {
	{ "on", 0, true }, { "off", 0, false }, { "yes", 0, true },
	{ "no", 0, false }, { "1", 0, true }, { "0", 0, false },
	{ "maybe", -EINVAL }, { "", -EINVAL },
};

int main(void)
{
	char buf[64];
	size_t i;

	printf("TAP version 13\n");
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint64_t rn = 7, rp = 7;
		uint32_t ru = 7;
		int err = rl_parse_rate(rates[i].in, &rn, &rp, &ru);

		ok(err == rates[i].err &&
		   (err ? rn == 7 && rp == 7 && ru == 7 :
			  rn == rates[i].n && rp == rates[i].period && ru == rates[i].unit),
		   "rate", rates[i].in);
		if (!err) {
			rl_format_rate(rn, rp, ru, buf, sizeof(buf));
			ok(rates[i].out ? !strcmp(buf, rates[i].out) : 1,
			   "rate prints as rlctl reads it", rates[i].in);
		}
	}
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		struct rl_prefix p = { .len = 99 };
		int err = rl_parse_prefix(prefixes[i].in, &p);

		if (!err)
			rl_format_prefix(&p, buf, sizeof(buf));
		ok(err == prefixes[i].err &&
		   (err ? p.len == 99 : !strcmp(buf, prefixes[i].out)),
		   "prefix", prefixes[i].in);
	}
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		bool v = !bools[i].v;
		int err = rl_parse_bool(bools[i].in, &v);

		ok(err == bools[i].err && (err || v == bools[i].v), "bool", bools[i].in);
	}
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		char words[128], *argv[16], *w, *save, out[256], err[RL_ERR_LEN] = "";
		struct rl_rule_spec r;
		int argc = 0, ret;

		snprintf(words, sizeof(words), "%s", rules[i].in);
		for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		ret = rl_parse_rule(argc, argv, false, &r, err);
		if (!ret)
			rl_format_rule(&r, out, sizeof(out));
		ok(rules[i].out ? !ret && !strcmp(out, rules[i].out) : ret && err[0],
		   "rule", rules[i].in);
	}
	for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		struct rl_config_file c = { 0 };
		char err[RL_ERR_LEN] = "", *out = NULL;
		size_t len = strlen(configs[i].in), outlen = 0;
		int ret;

		/* The NUL case: its text runs past the NUL. */
		if (strstr(configs[i].desc, "NUL"))
			len += 2;
		ret = config_round_trip(configs[i].in, len, &c, err);
		if (!ret) {
			FILE *f = open_memstream(&out, &outlen);

			rl_format_config(f, &c);
			fclose(f);
		}
		ok(ret == configs[i].err &&
		   (ret ? !strncmp(err, configs[i].out, strlen(configs[i].out)) :
			  !strcmp(out, configs[i].out)),
		   "config", configs[i].desc);
		if (ret != configs[i].err || (ret && strncmp(err, configs[i].out, strlen(configs[i].out))))
			printf("# got %d: %s\n", ret, ret ? err : out);
		free(out);
		rl_config_free(&c);
	}
	for (i = 0; i < sizeof(imports) / sizeof(imports[0]); i++) {
		char got[512] = "", *out = NULL, *line, *save;
		int ret = import_parses(imports[i].in, strlen(imports[i].in), &out);

		/* Its rule lines, in order; the comments around them vary. */
		for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save))
			if (!strncmp(line, "rule ", 5))
				snprintf(got + strlen(got), sizeof(got) - strlen(got),
					 "%s\n", line);
		ok(ret == imports[i].skipped &&
		   (!imports[i].rules || !strcmp(got, imports[i].rules)),
		   "import", imports[i].desc);
		if (ret != imports[i].skipped ||
		    (imports[i].rules && strcmp(got, imports[i].rules)))
			printf("# got %d, rules:\n%s", ret, got);
		free(out);
	}
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
#endif
