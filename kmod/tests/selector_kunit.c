// SPDX-License-Identifier: GPL-2.0
/*
 * Selectors: what is refused, what each of the README's recipes matches
 * (later fragments, truncated headers and interfaces included), and the
 * rules a packet is charged under, against a linear reference of the
 * precedence model over random rule sets.
 */

#include <kunit/test.h>
#include <linux/icmp.h>
#include <linux/prandom.h>
#include <linux/sort.h>

#include "../nf_ratelimit.h"
#include "../rules.h"

static const struct rl_sel ssh = {
	.proto = IPPROTO_TCP, .flags = RL_SEL_SYN, .nports = 1,
	.ports = { { 22, 22 } },
};

static const struct rl_sel dns = {
	.proto = IPPROTO_UDP, .nports = 1, .ports = { { 53, 53 } },
};

static const struct rl_sel web_syn = {
	.proto = IPPROTO_TCP, .flags = RL_SEL_SYN, .nports = 2,
	.ports = { { 80, 80 }, { 443, 443 } },
};

static const struct rl_sel echo4 = {
	.proto = IPPROTO_ICMP, .ntypes = 1, .types = { ICMP_ECHO },
};

static const struct rl_sel nd6 = {
	.proto = IPPROTO_ICMPV6, .ntypes = 5, .types = { 133, 134, 135, 136, 137 },
};

static const struct rl_sel udp_any = { .proto = IPPROTO_UDP };

static const struct rl_sel udp_per_port = {
	.proto = IPPROTO_UDP, .flags = RL_SEL_PER_PORT,
};

static const struct rl_sel on_eth0 = { .iif = "eth0" };
static const struct rl_sel on_eth_any = { .iif = "eth+" };

#define FACTS(f, p, port, type) \
	{ .flags = (f), .proto = (p), .dport = (port), .icmp_type = (type) }
#define P RL_PKT_PROTO
#define PP (RL_PKT_PROTO | RL_PKT_PORTS)

static const struct {
	const char *why;
	u8 family;
	struct rl_sel sel;
} refusals[] = {
	{ "ports without a protocol", NFPROTO_IPV4,
	  { .nports = 1, .ports = { { 22, 22 } } } },
	{ "ports of ICMP", NFPROTO_IPV4,
	  { .proto = IPPROTO_ICMP, .nports = 1, .ports = { { 22, 22 } } } },
	{ "syn of UDP", NFPROTO_IPV4, { .proto = IPPROTO_UDP, .flags = RL_SEL_SYN } },
	{ "per-port of ICMP", NFPROTO_IPV4,
	  { .proto = IPPROTO_ICMP, .flags = RL_SEL_PER_PORT } },
	{ "ICMP types of TCP", NFPROTO_IPV4, { .proto = IPPROTO_TCP, .ntypes = 1 } },
	{ "icmpv6 on an IPv4 rule", NFPROTO_IPV4,
	  { .proto = IPPROTO_ICMPV6, .ntypes = 1, .types = { 135 } } },
	{ "icmp on an IPv6 rule", NFPROTO_IPV6,
	  { .proto = IPPROTO_ICMP, .ntypes = 1, .types = { ICMP_ECHO } } },
	{ "a range that ends before it starts", NFPROTO_IPV4,
	  { .proto = IPPROTO_TCP, .nports = 1, .ports = { { 90, 80 } } } },
	{ "overlapping ranges", NFPROTO_IPV4,
	  { .proto = IPPROTO_TCP, .nports = 2, .ports = { { 80, 90 }, { 85, 85 } } } },
	{ "more ranges than fit", NFPROTO_IPV4, { .proto = IPPROTO_TCP, .nports = 9 } },
	{ "a type twice", NFPROTO_IPV4,
	  { .proto = IPPROTO_ICMP, .ntypes = 2, .types = { 8, 8 } } },
	{ "a range past the count", NFPROTO_IPV4,
	  { .proto = IPPROTO_TCP, .nports = 1, .ports = { { 1, 1 }, { 2, 2 } } } },
	{ "an interface name with a slash", NFPROTO_IPV4, { .iif = "a/b" } },
	{ "an interface name of ..", NFPROTO_IPV4, { .iif = ".." } },
	{ "an unknown flag", NFPROTO_IPV4, { .proto = IPPROTO_TCP, .flags = BIT(7) } },
};

static void selectors_that_cannot_match_are_refused(struct kunit *test)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(refusals); i++) {
		struct rl_sel sel = refusals[i].sel;
		const char *msg = NULL;

		KUNIT_EXPECT_EQ_MSG(test, rl_sel_check(&sel, refusals[i].family, &msg),
				    -EINVAL, "%s", refusals[i].why);
		KUNIT_EXPECT_NOT_NULL_MSG(test, msg, "%s", refusals[i].why);
	}
}

static void equal_selectors_are_made_byte_for_byte_equal(struct kunit *test)
{
	struct rl_sel a = { .proto = IPPROTO_TCP, .nports = 3,
			    .ports = { { 443, 443 }, { 22, 22 }, { 80, 81 } } };
	struct rl_sel b = { .proto = IPPROTO_TCP, .nports = 3,
			    .ports = { { 22, 22 }, { 80, 81 }, { 443, 443 } } };
	struct rl_sel c = nd6, d = { .proto = IPPROTO_ICMPV6, .ntypes = 5,
				     .types = { 137, 135, 133, 136, 134 } };
	const char *msg;

	KUNIT_ASSERT_EQ(test, rl_sel_check(&a, NFPROTO_IPV4, &msg), 0);
	KUNIT_ASSERT_EQ(test, rl_sel_check(&b, NFPROTO_IPV4, &msg), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&a, &b, sizeof(a)), 0);
	KUNIT_EXPECT_EQ(test, rl_sel_hash(&a), rl_sel_hash(&b));
	KUNIT_ASSERT_EQ(test, rl_sel_check(&c, NFPROTO_IPV6, &msg), 0);
	KUNIT_ASSERT_EQ(test, rl_sel_check(&d, NFPROTO_IPV6, &msg), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&c, &d, sizeof(c)), 0);
	KUNIT_EXPECT_NE(test, rl_sel_hash(&a), 0);
}

struct match_case {
	const char *what;
	const struct rl_sel *sel;
	u8 family;
	struct rl_pkt facts;
	const char *ifname;
	bool match;
};

static const struct match_case match_cases[] = {
	{ "ssh: a SYN to 22", &ssh, NFPROTO_IPV4,
	  FACTS(PP | RL_PKT_SYN, IPPROTO_TCP, 22, 0), "eth0", true },
	{ "ssh: an established segment to 22", &ssh, NFPROTO_IPV4,
	  FACTS(PP, IPPROTO_TCP, 22, 0), "eth0", false },
	{ "ssh: a SYN to 23", &ssh, NFPROTO_IPV4,
	  FACTS(PP | RL_PKT_SYN, IPPROTO_TCP, 23, 0), "eth0", false },
	{ "ssh: UDP to 22", &ssh, NFPROTO_IPV4,
	  FACTS(PP, IPPROTO_UDP, 22, 0), "eth0", false },
	{ "ssh: a later TCP fragment", &ssh, NFPROTO_IPV4,
	  FACTS(P | RL_PKT_FRAG, IPPROTO_TCP, 0, 0), "eth0", false },
	{ "ssh: a truncated TCP header", &ssh, NFPROTO_IPV4,
	  FACTS(P, IPPROTO_TCP, 0, 0), "eth0", false },
	{ "ssh: a bogus IPv4 header", &ssh, NFPROTO_IPV4,
	  FACTS(0, 0, 0, 0), "eth0", false },
	{ "dns: UDP to 53", &dns, NFPROTO_IPV4,
	  FACTS(PP, IPPROTO_UDP, 53, 0), NULL, true },
	{ "dns: UDP to 54", &dns, NFPROTO_IPV4,
	  FACTS(PP, IPPROTO_UDP, 54, 0), NULL, false },
	{ "dns: TCP to 53", &dns, NFPROTO_IPV4,
	  FACTS(PP, IPPROTO_TCP, 53, 0), NULL, false },
	{ "dns: a later UDP fragment", &dns, NFPROTO_IPV6,
	  FACTS(P | RL_PKT_FRAG, IPPROTO_UDP, 0, 0), NULL, false },
	{ "udp: a later UDP fragment", &udp_any, NFPROTO_IPV6,
	  FACTS(P | RL_PKT_FRAG, IPPROTO_UDP, 0, 0), NULL, true },
	{ "udp: a truncated UDP header", &udp_any, NFPROTO_IPV4,
	  FACTS(P, IPPROTO_UDP, 0, 0), NULL, true },
	{ "udp per-port: a later fragment has no port", &udp_per_port,
	  NFPROTO_IPV4, FACTS(P | RL_PKT_FRAG, IPPROTO_UDP, 0, 0), NULL, false },
	{ "udp per-port: any port", &udp_per_port, NFPROTO_IPV4,
	  FACTS(PP, IPPROTO_UDP, 40000, 0), NULL, true },
	{ "echo: an echo request", &echo4, NFPROTO_IPV4,
	  FACTS(P | RL_PKT_ICMP, IPPROTO_ICMP, 0, ICMP_ECHO), NULL, true },
	{ "echo: an echo reply", &echo4, NFPROTO_IPV4,
	  FACTS(P | RL_PKT_ICMP, IPPROTO_ICMP, 0, ICMP_ECHOREPLY), NULL, false },
	{ "echo: a truncated ICMP header", &echo4, NFPROTO_IPV4,
	  FACTS(P, IPPROTO_ICMP, 0, 0), NULL, false },
	{ "nd: a neighbour solicitation", &nd6, NFPROTO_IPV6,
	  FACTS(P | RL_PKT_ICMP, IPPROTO_ICMPV6, 0, 135), NULL, true },
	{ "nd: an echo request", &nd6, NFPROTO_IPV6,
	  FACTS(P | RL_PKT_ICMP, IPPROTO_ICMPV6, 0, 128), NULL, false },
	{ "web: a SYN to 443", &web_syn, NFPROTO_IPV4,
	  FACTS(PP | RL_PKT_SYN, IPPROTO_TCP, 443, 0), NULL, true },
	{ "web: a SYN to 8080", &web_syn, NFPROTO_IPV4,
	  FACTS(PP | RL_PKT_SYN, IPPROTO_TCP, 8080, 0), NULL, false },
	{ "iif eth0: from eth0", &on_eth0, NFPROTO_IPV4,
	  FACTS(0, 0, 0, 0), "eth0", true },
	{ "iif eth0: from eth01", &on_eth0, NFPROTO_IPV4,
	  FACTS(0, 0, 0, 0), "eth01", false },
	{ "iif eth0: from lo", &on_eth0, NFPROTO_IPV4,
	  FACTS(PP, IPPROTO_TCP, 22, 0), "lo", false },
	{ "iif eth0: no input interface", &on_eth0, NFPROTO_IPV6,
	  FACTS(PP, IPPROTO_TCP, 22, 0), NULL, false },
	{ "iif eth+: from eth1", &on_eth_any, NFPROTO_IPV4,
	  FACTS(0, 0, 0, 0), "eth1", true },
	{ "iif eth+: from veth1", &on_eth_any, NFPROTO_IPV4,
	  FACTS(0, 0, 0, 0), "veth1", false },
};

static void match_case_desc(const struct match_case *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(match, match_cases, match_case_desc);

static void recipes_match_what_they_name(struct kunit *test)
{
	const struct match_case *c = test->param_value;
	struct rl_pkt_in pkt = { .parsed = true, .facts = c->facts,
				 .ifname = c->ifname };
	struct rl_sel sel = *c->sel;
	const char *msg;

	KUNIT_ASSERT_EQ(test, rl_sel_check(&sel, c->family, &msg), 0);
	KUNIT_EXPECT_EQ(test, rl_sel_match(&sel, &pkt, c->family), c->match);
}

/*
 * The precedence model written as plainly as possible: for every selector,
 * the longest of its rules covering the source, if the packet matches it.
 */
static unsigned int reference(const struct rl_ruleset *rs,
			      const struct rl_key *src, struct rl_pkt_in *pkt,
			      const struct rl_rule **out)
{
	unsigned int n = 0, i, j;

	for (i = 0; i < rs->nrules; i++) {
		const struct rl_rule *r = &rs->rules[i];
		struct rl_key masked;

		if (r->match.family != src->family)
			continue;
		rl_key_mask(&masked, src, r->match.prefix);
		if (memcmp(&masked.addr, &r->match.addr, sizeof(masked.addr)))
			continue;
		if (!rl_sel_is_source(&r->sel) &&
		    !rl_sel_match(&r->sel, pkt, src->family))
			continue;
		for (j = 0; j < n; j++)
			if (!memcmp(&out[j]->sel, &r->sel, sizeof(r->sel)))
				break;
		if (j == n)
			out[n++] = r;
		else if (r->match.prefix > out[j]->match.prefix)
			out[j] = r;
	}
	return n;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Random packets against one rule set; returns how many rules applied. */
static noinline u32 compare_packets(struct kunit *test,
				    const struct rl_ruleset *rs,
				    struct rnd_state *rnd,
				    const struct rl_rule **got,
				    const struct rl_rule **want)
{
	static const u16 ports[] = { 22, 53, 80, 443, 1000 };
	static const u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	u32 i, j, compared = 0;

	for (i = 0; i < 300; i++) {
		u32 r = prandom_u32_state(rnd);
		struct rl_pkt_in pkt = {
			.parsed = true,
			.ifname = r & 1 ? "eth0" : "lo",
			.facts = FACTS(r & 2 ? P | RL_PKT_FRAG :
				       PP | RL_PKT_ICMP | (r & 4 ? RL_PKT_SYN : 0),
				       protos[(r >> 3) % ARRAY_SIZE(protos)],
				       ports[(r >> 5) % ARRAY_SIZE(ports)],
				       r & 0x100 ? ICMP_ECHO : 0),
		};
		unsigned int ng, nw;
		struct rl_key src;

		r = prandom_u32_state(rnd);
		rl_key_build4(&src, htonl(0x0a000000 | (r & 0x7ff)), 32);
		ng = rl_rules_match_packet(rs, &src, &pkt, got);
		nw = reference(rs, &src, &pkt, want);
		KUNIT_ASSERT_EQ(test, ng, nw);
		/* The source rule, if any, is charged last. */
		for (j = 0; j + 1 < ng; j++)
			KUNIT_ASSERT_FALSE(test, rl_sel_is_source(&got[j]->sel));
		sort(got, ng, sizeof(*got), cmp_ptr, NULL);
		sort(want, nw, sizeof(*want), cmp_ptr, NULL);
		KUNIT_ASSERT_EQ(test, memcmp(got, want, ng * sizeof(*got)), 0);
		compared += ng;
	}
	return compared;
}

static void precedence_matches_a_linear_reference(struct kunit *test)
{
	enum { NSETS = 60, NRULES = 40 };
	static const struct rl_sel *pool[] = {
		NULL, &ssh, &dns, &web_syn, &echo4, &udp_any, &udp_per_port,
		&on_eth0,
	};
	static const u8 lens[] = { 0, 8, 16, 24, 32 };
	const struct rl_rule **got, **want;
	struct rnd_state rnd;
	struct rl_rule *rules;
	u32 set, i, compared = 0;

	prandom_seed_state(&rnd, 20261201);
	rules = kunit_kcalloc(test, NRULES, sizeof(*rules), GFP_KERNEL);
	got = kunit_kcalloc(test, RL_RULES_PER_PACKET, sizeof(*got), GFP_KERNEL);
	want = kunit_kcalloc(test, RL_RULES_PER_PACKET, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, rules && got && want);
	for (set = 0; set < NSETS; set++) {
		struct rl_ruleset *rs;
		const char *msg;
		u32 n = 0;

		while (n < NRULES) {
			struct rl_rule *r = &rules[n];
			const struct rl_sel *sel = pool[prandom_u32_state(&rnd) % ARRAY_SIZE(pool)];
			u8 len = lens[prandom_u32_state(&rnd) % ARRAY_SIZE(lens)];
			/* Addresses in 10.0.0.0/22: prefixes overlap often. */
			u32 a = 0x0a000000 | (prandom_u32_state(&rnd) & 0x3ff);

			memset(r, 0, sizeof(*r));
			rl_key_build4(&r->match, htonl(a), len);
			r->action = prandom_u32_state(&rnd) % __NF_RL_ACTION_MAX;
			r->agg_prefix = 32;
			r->rate = (struct rl_rate){ .n = 1, .period_ns = NSEC_PER_SEC,
						    .burst = 1 };
			if (sel) {
				r->sel = *sel;
				KUNIT_ASSERT_EQ(test, rl_sel_check(&r->sel, NFPROTO_IPV4, &msg), 0);
			}
			for (i = 0; i < n; i++)
				if (!memcmp(&rules[i].match, &r->match, sizeof(r->match)) &&
				    !memcmp(&rules[i].sel, &r->sel, sizeof(r->sel)))
					break;
			n += i == n;	/* one rule per prefix and selector */
		}
		rs = rl_rules_build(rules, n, &msg);
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(rs), "%s", msg);
		compared += compare_packets(test, rs, &rnd, got, want);
		rl_rules_free(rs);
	}
	/* The sets must have exercised several selectors per packet. */
	KUNIT_EXPECT_GT(test, compared, NSETS * 300);
}

static void too_many_selectors_are_refused(struct kunit *test)
{
	enum { N = NF_RL_SELECTORS_MAX + 1 };
	struct rl_rule *rules = kunit_kcalloc(test, N, sizeof(*rules), GFP_KERNEL);
	struct rl_ruleset *rs;
	const char *msg = NULL;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, rules);
	for (i = 0; i < N; i++) {
		rl_key_build4(&rules[i].match, 0, 0);
		rules[i].action = NF_RL_ACTION_ALLOW;
		rules[i].sel = (struct rl_sel){ .proto = IPPROTO_TCP, .nports = 1,
						.ports = { { i + 1, i + 1 } } };
	}
	rs = rl_rules_build(rules, N - 1, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs));
	KUNIT_EXPECT_EQ(test, rs->nselectors[0], NF_RL_SELECTORS_MAX);
	rl_rules_free(rs);
	rs = rl_rules_build(rules, N, &msg);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(rs), -E2BIG);
}

static void a_prefix_may_have_one_rule_per_selector(struct kunit *test)
{
	struct rl_rule rules[3] = {};
	struct rl_ruleset *rs;
	const char *msg = NULL;

	rl_key_build4(&rules[0].match, 0, 0);
	rules[0].action = NF_RL_ACTION_ALLOW;
	rules[1] = rules[0];
	rules[1].sel = ssh;
	rules[2] = rules[1];
	rs = rl_rules_build(rules, 2, &msg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rs));
	KUNIT_EXPECT_NOT_NULL(test, rl_rules_find(rs, &rules[1].match, &ssh));
	KUNIT_EXPECT_NULL(test, rl_rules_find(rs, &rules[1].match, &dns));
	rl_rules_free(rs);
	rs = rl_rules_build(rules, 3, &msg);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(rs), -EINVAL);
	KUNIT_EXPECT_STREQ(test, msg, "two rules for the same prefix and selector");
}

static void selectors_are_written_as_one_word(struct kunit *test)
{
	struct rl_sel sel = web_syn;
	const char *msg;
	char buf[128];

	KUNIT_ASSERT_EQ(test, rl_sel_check(&sel, NFPROTO_IPV4, &msg), 0);
	rl_sel_format(buf, sizeof(buf), &sel);
	KUNIT_EXPECT_STREQ(test, buf, "proto=tcp;dport=80,443;syn");
	sel = (struct rl_sel){ .iif = "eth0" };
	rl_sel_format(buf, sizeof(buf), &sel);
	KUNIT_EXPECT_STREQ(test, buf, "iif=eth0");
	sel = (struct rl_sel){};
	rl_sel_format(buf, sizeof(buf), &sel);
	KUNIT_EXPECT_STREQ(test, buf, "-");
}

/* The longest selector fits RL_SEL_TEXT, which the log and /proc use. */
static void the_longest_selector_fits_its_buffer(struct kunit *test)
{
	struct rl_sel sel = {
		.proto = IPPROTO_UDPLITE, .flags = RL_SEL_PER_PORT, .nports = 8,
		.iif = "abcdefghijklmn+",
	};
	char buf[RL_SEL_TEXT + 1];
	const char *msg;
	int i;

	for (i = 0; i < 8; i++)	/* eight ranges of five digits on both ends */
		sel.ports[i] = (struct nf_rl_port_range){ 10000 + 2 * i, 10001 + 2 * i };
	KUNIT_ASSERT_EQ(test, rl_sel_check(&sel, NFPROTO_IPV4, &msg), 0);
	KUNIT_EXPECT_LT(test, rl_sel_format(buf, sizeof(buf), &sel), RL_SEL_TEXT - 1);
}

static struct kunit_case selector_test_cases[] = {
	KUNIT_CASE(selectors_that_cannot_match_are_refused),
	KUNIT_CASE(equal_selectors_are_made_byte_for_byte_equal),
	KUNIT_CASE_PARAM(recipes_match_what_they_name, match_gen_params),
	KUNIT_CASE(precedence_matches_a_linear_reference),
	KUNIT_CASE(too_many_selectors_are_refused),
	KUNIT_CASE(a_prefix_may_have_one_rule_per_selector),
	KUNIT_CASE(selectors_are_written_as_one_word),
	KUNIT_CASE(the_longest_selector_fits_its_buffer),
	{}
};

static struct kunit_suite selector_suite = {
	.name = "nf_ratelimit_selector",
	.test_cases = selector_test_cases,
};

kunit_test_suite(selector_suite);
