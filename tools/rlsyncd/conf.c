// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/nf_ratelimit/sync.conf, in the style of rules.conf:
 *
 *	redis 127.0.0.1:6379		# or: sentinel HOST:PORT ... and master NAME
 *	user rlsyncd			# Redis ACL user; password on its own line
 *	password s3cret
 *	interval 1s			# T: 100ms to 60s
 *	cluster web 0.0.0.0/0 rate 300/second burst 600 prefix-len 32
 *
 * Parsed whole before anything is used: an error names its line, and a
 * file with one leaves the running daemon's configuration alone.  No I/O
 * here, so that the unit tests and the fuzzer can drive all of it.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rlsyncd.h"

enum {
	RLS_MAX_WORDS = 32,
	RLS_MAX_LINE = 1024,
};

/* rlctl's: the same refusals, the same way. */
#define fail rl_fail

void rls_config_defaults(struct rls_config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->owner, "cluster");
	strcpy(c->key_prefix, "rl");
	c->interval_ms = 1000;
	c->hold = 3;
	c->batch = 500;
	c->max_rules = 4096;
	c->on_down = RLS_DOWN_LOCAL;
	strcpy(c->status_file, "/run/nf_ratelimit/rlsyncd.status");
}

/* Names that end up in Redis keys and kernel owner tags: plain words. */
static int parse_name(const char *s, char *out, size_t size)
{
	size_t n = strlen(s), i;

	if (!n || n >= size)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", s[i]))
			return -EINVAL;
	memcpy(out, s, n + 1);
	return 0;
}

/* "HOST:PORT" or "[V6ADDR]:PORT". */
static int parse_endpoint(const char *s, struct rls_endpoint *e)
{
	const char *colon, *host = s;
	size_t hlen;
	uint32_t port;

	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		host = s + 1;
		hlen = end - host;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -EINVAL;
		hlen = colon - s;
	}
	if (!hlen || hlen >= sizeof(e->host) ||
	    rl_parse_u32(colon + 1, 65535, &port) || !port)
		return -EINVAL;
	memcpy(e->host, host, hlen);
	e->host[hlen] = '\0';
	e->port = port;
	return 0;
}

/*
 * "cluster NAME PREFIX rate R [burst B] [prefix-len N] [algo A] [window W]
 * [deny-above K]": rlctl's rule words, and the cluster's own.
 */
static int parse_cluster(int argc, char **argv, struct rls_config *c, char *err)
{
	char *words[RLS_MAX_WORDS], msg[RL_ERR_LEN];
	struct rls_rule r = { .window_ms = 1000 };
	bool has_window = false, has_deny = false;
	unsigned int i;
	int n = 0, k;
	uint64_t per;

	if (c->nrules == RLS_MAX_CLUSTER_RULES)
		return fail(err, "at most %d cluster rules", RLS_MAX_CLUSTER_RULES);
	if (argc < 2 || parse_name(argv[1], r.name, sizeof(r.name)))
		return fail(err, "cluster wants a NAME (letters, digits, _ . -) and a rule");
	for (k = 2; k < argc; k++) {
		if (!strcmp(argv[k], "window") && k + 1 < argc) {
			if (has_window || rl_parse_duration(argv[++k], 3600000, &r.window_ms) ||
			    r.window_ms < 100)
				return fail(err, "window wants 100ms to 1h, once");
			has_window = true;
		} else if (!strcmp(argv[k], "deny-above") && k + 1 < argc) {
			if (has_deny || rl_parse_u32(argv[++k], 1000, &r.deny_above) ||
			    r.deny_above < 2)
				return fail(err, "deny-above wants a factor from 2 to 1000, once");
			has_deny = true;
		} else {
			words[n++] = argv[k];
		}
	}
	if (rl_parse_rule(n, words, false, &r.spec, msg))
		return fail(err, "%s", msg);
	if (r.spec.action != NF_RL_ACTION_LIMIT)
		return fail(err, "a cluster rule is a limit: it takes a rate, not an action");
	if (!rl_sel_empty(&r.spec.sel))
		return fail(err, "cluster rules are source rules: selectors are not supported");
	if (r.spec.timeout_ms || r.spec.owner[0])
		return fail(err, "a cluster rule takes no timeout or owner: rlsyncd sets them");
	if (!r.spec.period_ns || !r.spec.rate)
		return fail(err, "a cluster rule needs a rate above zero");
	if (!r.spec.has_burst)
		r.spec.burst = r.spec.rate;	/* one period, as the kernel's default */
	if (!r.spec.has_agg)
		r.spec.agg = r.spec.prefix.family == AF_INET ? 32 : 64;
	if (r.spec.agg < r.spec.prefix.len)
		r.spec.agg = r.spec.prefix.len;
	r.spec.has_burst = r.spec.has_agg = true;
	/* allowance = burst + rate x window, in the rule's unit. */
	if (__builtin_mul_overflow(r.spec.rate, r.window_ms * 1000000, &per))
		return fail(err, "rate x window is too large");
	r.allowance = r.spec.burst + per / r.spec.period_ns;
	if (r.allowance < r.spec.burst)
		return fail(err, "burst + rate x window is too large");
	for (i = 0; i < c->nrules; i++)
		if (!strcmp(c->rules[i].name, r.name))
			return fail(err, "cluster rule '%s' is defined twice", r.name);
	c->rules[c->nrules++] = r;
	return 0;
}

static int parse_words(int argc, char **argv, struct rls_config *c, char *err)
{
	const char *k = argv[0], *v = argc > 1 ? argv[1] : NULL;
	uint32_t u;

	if (!strcmp(k, "cluster"))
		return parse_cluster(argc, argv, c, err);
	if (!v)
		return fail(err, "'%s' needs a value", k);
	if (strcmp(k, "sentinel") && argc != 2)
		return fail(err, "'%s' takes one value", k);
	if (!strcmp(k, "redis")) {
		if (parse_endpoint(v, &c->redis))
			return fail(err, "redis wants HOST:PORT, not '%s'", v);
	} else if (!strcmp(k, "sentinel")) {
		int i;

		for (i = 1; i < argc; i++) {
			if (c->nsentinels == RLS_MAX_SENTINELS)
				return fail(err, "at most %d sentinels", RLS_MAX_SENTINELS);
			if (parse_endpoint(argv[i], &c->sentinels[c->nsentinels++]))
				return fail(err, "sentinel wants HOST:PORT, not '%s'", argv[i]);
		}
	} else if (!strcmp(k, "master")) {
		if (parse_name(v, c->master_name, sizeof(c->master_name)))
			return fail(err, "master wants the Sentinel master's name");
	} else if (!strcmp(k, "user")) {
		if (parse_name(v, c->user, sizeof(c->user)))
			return fail(err, "user wants a Redis ACL user name");
	} else if (!strcmp(k, "password")) {
		if (strlen(v) >= sizeof(c->password))
			return fail(err, "password is too long");
		strcpy(c->password, v);
	} else if (!strcmp(k, "host-id")) {
		if (parse_name(v, c->host_id, sizeof(c->host_id)))
			return fail(err, "host-id wants letters, digits, _ . -");
	} else if (!strcmp(k, "owner")) {
		if (rl_parse_owner(v, c->owner))
			return fail(err, "owner wants 1 to 15 of A-Z a-z 0-9 _ . -");
	} else if (!strcmp(k, "key-prefix")) {
		if (parse_name(v, c->key_prefix, sizeof(c->key_prefix)))
			return fail(err, "key-prefix wants letters, digits, _ . -");
	} else if (!strcmp(k, "interval")) {
		if (rl_parse_duration(v, 60000, &c->interval_ms) || c->interval_ms < 100)
			return fail(err, "interval wants 100ms to 60s, not '%s'", v);
	} else if (!strcmp(k, "redis-timeout")) {
		if (rl_parse_duration(v, 30000, &c->timeout_ms))
			return fail(err, "redis-timeout wants 1ms to 30s, not '%s'", v);
	} else if (!strcmp(k, "hold")) {
		if (rl_parse_u32(v, 100, &c->hold) || c->hold < 2)
			return fail(err, "hold wants 2 to 100 intervals, not '%s'", v);
	} else if (!strcmp(k, "on-redis-down")) {
		if (!strcmp(v, "local")) {
			c->on_down = RLS_DOWN_LOCAL;
		} else if (!strncmp(v, "keep=", 5)) {
			if (rl_parse_duration(v + 5, 3600000, &c->keep_ms))
				return fail(err, "on-redis-down keep=DURATION wants 1ms to 1h");
			c->on_down = RLS_DOWN_KEEP;
		} else {
			return fail(err, "on-redis-down wants local or keep=DURATION, not '%s'", v);
		}
	} else if (!strcmp(k, "batch")) {
		if (rl_parse_u32(v, 10000, &u) || !u)
			return fail(err, "batch wants 1 to 10000 sources, not '%s'", v);
		c->batch = u;
	} else if (!strcmp(k, "max-rules")) {
		if (rl_parse_u32(v, 65536, &u) || !u)
			return fail(err, "max-rules wants 1 to 65536, not '%s'", v);
		c->max_rules = u;
	} else if (!strcmp(k, "status-file") || !strcmp(k, "metrics-file")) {
		char *dst = k[0] == 's' ? c->status_file : c->metrics_file;

		if (v[0] != '/' || strlen(v) >= RLS_HOST_LEN)
			return fail(err, "%s wants an absolute path", k);
		strcpy(dst, v);
	} else {
		return fail(err, "unknown keyword '%.40s'", k);
	}
	return 0;
}

/* What a whole file must say, and what its values imply for each other. */
static int check_config(struct rls_config *c, char *err)
{
	if (!c->nrules)
		return fail(err, "no cluster rule: nothing to synchronise");
	if (!c->redis.port == !c->nsentinels)
		return fail(err, "name either redis HOST:PORT or sentinels, not both");
	if (c->nsentinels && !c->master_name[0])
		return fail(err, "sentinels need the master's name: master NAME");
	if (c->user[0] && !c->password[0])
		return fail(err, "user needs a password");
	if (!c->timeout_ms)
		c->timeout_ms = c->interval_ms / 4;
	if (c->timeout_ms > c->interval_ms / 2)
		return fail(err, "redis-timeout must be at most half the interval");
	return 0;
}

/**
 * rls_parse_config() - parse sync.conf
 * @text: its contents, not necessarily NUL-terminated
 * @len: their length
 * @c: filled in (defaults first)
 * @err: RL_ERR_LEN bytes for the reason of a failure, with its line
 *
 * Return: 0 or -EINVAL.
 */
int rls_parse_config(const char *text, size_t len, struct rls_config *c,
		     char *err)
{
	char line[RLS_MAX_LINE + 1], *argv[RLS_MAX_WORDS], *w, *save, msg[RL_ERR_LEN];
	unsigned int no = 0;
	size_t pos = 0;

	rls_config_defaults(c);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		int argc = 0;

		no++;
		if (n > RLS_MAX_LINE || memchr(text + pos, '\0', n))
			return fail(err, "line %u: %s", no,
				    n > RLS_MAX_LINE ? "too long" : "not text");
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		w = strchr(line, '#');
		if (w)
			*w = '\0';
		for (w = strtok_r(line, " \t\r", &save); w;
		     w = strtok_r(NULL, " \t\r", &save)) {
			if (argc == RLS_MAX_WORDS)
				return fail(err, "line %u: too many words", no);
			argv[argc++] = w;
		}
		if (argc && parse_words(argc, argv, c, msg))
			return fail(err, "line %u: %.200s", no, msg);
	}
	if (check_config(c, msg))
		return fail(err, "%.200s", msg);
	return 0;
}

int rls_source_cmp(const struct rls_source *a, const struct rls_source *b)
{
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return memcmp(&a->prefix, &b->prefix, sizeof(a->prefix));
}

/* "PREFIX:{NAME}:ADDR/LEN": one Redis key per cluster rule and source. */
void rls_source_key(const struct rls_config *c, const struct rls_source *s,
		    char *buf, size_t len)
{
	char p[64];

	rl_format_prefix(&s->prefix, p, sizeof(p));
	snprintf(buf, len, "%s:{%s}:%s", c->key_prefix, c->rules[s->rule].name, p);
}
