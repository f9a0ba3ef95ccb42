// SPDX-License-Identifier: GPL-2.0
/*
 * sync.conf's parser: what it accepts, what it fills in, and a clear error
 * naming the line for everything it refuses.  -DFUZZ builds the libFuzzer
 * entry point instead.
 */

#include <stdlib.h>
#include <string.h>

#include "../rlsyncd.h"

#ifdef FUZZ
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rls_config c;
	char err[RL_ERR_LEN];

	rls_parse_config((const char *)data, size, &c, err);
	return 0;
}
#else
static int failed, n;

/* One point; the input on one line, its newlines as '|'. */
static void ok(int cond, const char *what, const char *in)
{
	printf("%sok %d %s: ", cond ? "" : "not ", ++n, what);
	for (; *in; in++)
		putchar(*in == '\n' ? '|' : *in);
	putchar('\n');
	failed |= !cond;
}

#define BASE "redis 127.0.0.1:6379\n"
#define RULE "cluster web 0.0.0.0/0 rate 100/second burst 20\n"

static const struct {
	const char *text;
	const char *err;	/* NULL: accepted; else a part of the message */
} cases[] = {
	{ BASE RULE, NULL },
	{ "sentinel 10.0.0.1:26379 [2001:db8::1]:26379\nmaster mymaster\n" RULE, NULL },
	{ BASE "user rl\npassword s3cret\ninterval 100ms\nhold 2\nbatch 1\n"
	  "on-redis-down keep=30s\nmax-rules 10\nowner cl-1\n" RULE, NULL },
	{ BASE "cluster v6 2001:db8::/32 rate 5/second prefix-len 48 window 2s deny-above 4 algo gcra\n", NULL },
	{ BASE, "no cluster rule" },
	{ RULE, "either redis" },
	{ BASE "sentinel 10.0.0.1:26379\nmaster m\n" RULE, "either redis" },
	{ "sentinel 10.0.0.1:26379\n" RULE, "master NAME" },
	{ BASE "user rl\n" RULE, "user needs a password" },
	{ "redis 127.0.0.1\n" RULE, "line 1: redis wants HOST:PORT" },
	{ "redis 127.0.0.1:0\n" RULE, "line 1" },
	{ "redis 127.0.0.1:65536\n" RULE, "line 1" },
	{ "redis 2001:db8::1:6379\n" RULE, "line 1" },
	{ BASE "interval 50ms\n" RULE, "line 2: interval" },
	{ BASE "interval 2m\n" RULE, "line 2: interval" },
	{ BASE "interval 1s\nredis-timeout 600ms\n" RULE, "at most half" },
	{ BASE "hold 1\n" RULE, "line 2: hold" },
	{ BASE "batch 0\n" RULE, "line 2: batch" },
	{ BASE "batch 10001\n" RULE, "line 2: batch" },
	{ BASE "max-rules 65537\n" RULE, "line 2: max-rules" },
	{ BASE "on-redis-down open\n" RULE, "line 2: on-redis-down" },
	{ BASE "owner a/b\n" RULE, "line 2: owner" },
	{ BASE "host-id web 1\n" RULE, "line 2: 'host-id' takes one value" },
	{ BASE "status-file relative\n" RULE, "absolute" },
	{ BASE "colour blue\n" RULE, "unknown keyword" },
	{ BASE "cluster web\n", "line 2" },
	{ BASE "cluster w{b} 0.0.0.0/0 rate 5/second\n", "NAME" },
	{ BASE "cluster web 0.0.0.0/0 action deny\n", "is a limit" },
	{ BASE "cluster web 0.0.0.0/0 rate 1mbit/second\n", NULL },
	{ BASE "cluster web 0.0.0.0/0 proto tcp rate 5/second\n", "selectors" },
	{ BASE "cluster web 0.0.0.0/0 rate 5/second timeout 3s\n", "timeout or owner" },
	{ BASE "cluster web 0.0.0.0/0 rate 0/second\n", "above zero" },
	{ BASE "cluster web 0.0.0.0/0 rate 5/second window 50ms\n", "window" },
	{ BASE "cluster web 0.0.0.0/0 rate 5/second deny-above 1\n", "deny-above" },
	{ BASE "cluster web 0.0.0.0/0 rate 18446744073709551615/second\n", "too large" },
	{ BASE RULE RULE, "defined twice" },
	{ BASE "cluster web 10.0.0.1/8 rate 5/second\n", "line 2" },
};

int main(void)
{
	static struct rls_config c;
	char err[RL_ERR_LEN];
	size_t i;

	printf("TAP version 13\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;
		size_t len = strlen(t);
		int ret;

		err[0] = '\0';
		ret = rls_parse_config(t, len, &c, err);
		if (!cases[i].err)
			ok(!ret, err[0] ? err : "accepted", t);
		else
			ok(ret && strstr(err, cases[i].err), err, t);
	}
	/* A verdict as a rule: the host's share of rate and burst, rounded up. */
	{
		static const char t[] = BASE "cluster w 0.0.0.0/0 rate 100/second burst 20 deny-above 4\n";
		struct rls_verdict v = { .estimate = 50, .share_ppm = 333333, .expires_ms = 1500 };
		struct rl_rule_spec r;

		rls_parse_config(t, strlen(t), &c, err);
		rl_parse_prefix("192.0.2.1", &v.src.prefix);
		rls_verdict_rule(&c, &v, 1000, &r);
		ok(r.action == NF_RL_ACTION_LIMIT && r.rate == 34 && r.burst == 7 &&
		   r.timeout_ms == 500 && !strcmp(r.owner, "cluster") && r.agg == 32,
		   "a third of 100/s burst 20: 34/s burst 7, 500 ms left, owner cluster", "");
		v.share_ppm = 1;
		rls_verdict_rule(&c, &v, 1000, &r);
		ok(r.rate == 1 && r.burst == 1, "a share of nearly nothing: still 1/s burst 1", "");
		v.estimate = 4 * 120 + 4;	/* allowance 120: 20 + 100/s x 1 s */
		rls_verdict_rule(&c, &v, 1000, &r);
		ok(r.action == NF_RL_ACTION_DENY, "above deny-above x allowance: a deny", "");
		v.estimate = 4 * 120;
		rls_verdict_rule(&c, &v, 1000, &r);
		ok(r.action == NF_RL_ACTION_LIMIT, "at deny-above x allowance: still a limit", "");
	}
	/* Bytes: the share of the rate; the burst never below a big packet's. */
	{
		static const char t[] = BASE "cluster b 0.0.0.0/0 rate 1mbit/second burst 128kbytes\n";
		struct rls_verdict v = { .estimate = 1, .share_ppm = 250000, .expires_ms = 2000 };
		struct rl_rule_spec r;

		ok(!rls_parse_config(t, strlen(t), &c, err) &&
		   c.rules[0].allowance == 131072 + 125000, "a byte rule's allowance", err);
		rl_parse_prefix("192.0.2.1", &v.src.prefix);
		rls_verdict_rule(&c, &v, 1000, &r);
		ok(r.unit == NF_RL_UNIT_BYTES && r.rate == 31250 && r.burst == 65536,
		   "a quarter of 1 Mbit/s burst 128 KiB: 31250 bytes/s, burst 64 KiB", "");
	}
	/* What the first case fills in. */
	rls_parse_config(BASE RULE, strlen(BASE RULE), &c, err);
	ok(c.rules[0].allowance == 120, "allowance: burst 20 + 100/s x 1 s", "120");
	ok(c.rules[0].spec.agg == 32 && c.timeout_ms == 250 && c.hold == 3 &&
	   !strcmp(c.owner, "cluster"), "defaults: /32, T/4, hold 3, owner cluster", "");
	printf("1..%d\n", n);
	return failed;
}
#endif
