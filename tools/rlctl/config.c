// SPDX-License-Identifier: GPL-2.0
/*
 * Rules and settings as a sysadmin writes them, on the command line or in the
 * file that "rlctl apply" reads and "rlctl save" writes:
 *
 *	# comments and blank lines are ignored
 *	set dry-run off full-policy shared max-entries 65536 log off
 *	rule 0.0.0.0/0 rate 100/second burst 200 prefix-len 32
 *	rule 10.0.0.0/8 action allow
 *
 * Parsing is strict and complete before anything is sent: an error names its
 * line and leaves nothing parsed.  No netlink here, so that the unit tests and
 * the fuzzer can drive all of it.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

enum {
	RL_MAX_WORDS = 32,	/* the longest valid line has 23 */
	RL_MAX_LINE = 1024,
};

static const char * const actions[] = { "limit", "allow", "deny" };
static const char * const policies[] = { "shared", "drop", "accept" };
static const char * const algos[] = { "token-bucket", "gcra", "sliding-window" };

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char *rl_action_name(uint32_t action)
{
	return action < ARRAY_LEN(actions) ? actions[action] : "unknown";
}

const char *rl_policy_name(uint32_t policy)
{
	return policy < ARRAY_LEN(policies) ? policies[policy] : "unknown";
}

const char *rl_algo_name(uint32_t algo)
{
	return algo < ARRAY_LEN(algos) ? algos[algo] : "unknown";
}

/* A burst: a count, or bytes with a bytes, kbytes, mbytes or gbytes suffix. */
static int parse_burst(const char *s, uint64_t *v, bool *bytes)
{
	static const struct { const char *name; unsigned int shift; } sfx[] = {
		{ "bytes", 0 }, { "kbytes", 10 }, { "mbytes", 20 }, { "gbytes", 30 },
	};
	char num[24];
	size_t digits, i;

	for (digits = 0; s[digits] >= '0' && s[digits] <= '9'; digits++)
		;
	if (!digits || digits >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, digits);
	num[digits] = '\0';
	if (rl_parse_u64(num, v))
		return -EINVAL;
	*bytes = s[digits];
	if (!s[digits])
		return 0;
	for (i = 0; i < ARRAY_LEN(sfx); i++)
		if (!strcmp(s + digits, sfx[i].name))
			break;
	if (i == ARRAY_LEN(sfx) || *v > (UINT64_MAX >> sfx[i].shift))
		return -EINVAL;
	*v <<= sfx[i].shift;
	return 0;
}

static int lookup(const char * const *names, size_t n, const char *s,
		  uint32_t *v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*v = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A parser's refusal: its reason into @err (RL_ERR_LEN bytes); -EINVAL. */
int rl_fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, RL_ERR_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define fail rl_fail

/* One "KEYWORD VALUE" of a rule; *seen stops a keyword given twice. */
static int rule_word(const char *k, const char *v, struct rl_rule_spec *r,
		     unsigned int *seen, bool *burst_bytes, char *err)
{
	static const char * const words[] = {
		"rate", "burst", "prefix-len", "action", "algo", "timeout",
	};
	uint32_t w, u;

	if (lookup(words, ARRAY_LEN(words), k, &w))
		return fail(err, "unknown rule keyword '%s' (rate, burst, prefix-len, action, algo, timeout, owner, proto, dport, syn, icmp-type, iif, per-port)", k);
	if (*seen & (1u << w))
		return fail(err, "'%s' given twice", k);
	*seen |= 1u << w;
	switch (w) {
	case 0:
		if (rl_parse_rate(v, &r->rate, &r->period_ns, &r->unit))
			return fail(err, "bad rate '%s': expected N[UNIT][/second, /minute, /hour, /day or /week]", v);
		r->has_rate = true;
		return 0;
	case 1:
		if (parse_burst(v, &r->burst, burst_bytes) || !r->burst)
			return fail(err, "bad burst '%s': expected a count of at least 1, or bytes", v);
		r->has_burst = true;
		return 0;
	case 2:
		if (rl_parse_u32(v, 128, &u))
			return fail(err, "bad prefix-len '%s': expected 0 to 128", v);
		r->agg = u;
		r->has_agg = true;
		return 0;
	case 3:
		if (lookup(actions, ARRAY_LEN(actions), v, &r->action))
			return fail(err, "bad action '%s': expected limit, allow or deny", v);
		return 0;
	case 4:
		if (lookup(algos, ARRAY_LEN(algos), v, &r->algo))
			return fail(err, "bad algo '%s': expected token-bucket, gcra or sliding-window", v);
		return 0;
	default:
		if (rl_parse_duration(v, NF_RL_TIMEOUT_MAX_MS, &r->timeout_ms))
			return fail(err, "bad timeout '%s': expected 1ms to 30d, e.g. 500ms, 30s, 10m, 2h, 1d", v);
		return 0;
	}
}

/**
 * rl_parse_rule() - a rule from "PREFIX [SELECTOR] [KEYWORD VALUE]..."
 * @argc: words, the first being the prefix
 * @argv: the words
 * @prefix_only: only a prefix and a selector may be given (rule del, get)
 * @r: filled in on success
 * @err: RL_ERR_LEN bytes for the reason of a failure
 *
 * Return: 0 or -EINVAL.
 */
int rl_parse_rule(int argc, char **argv, bool prefix_only,
		  struct rl_rule_spec *r, char *err)
{
	unsigned int seen = 0, sel_seen = 0, max;
	struct rl_rule_spec t;
	bool burst_bytes = false;
	int i, n;

	memset(&t, 0, sizeof(t));
	if (argc < 1)
		return fail(err, "a PREFIX is needed");
	if (rl_parse_prefix(argv[0], &t.prefix))
		return fail(err, "bad prefix '%s': expected ADDR[/LEN], with no bits set past LEN", argv[0]);
	for (i = 1; i < argc; i += n) {
		n = rl_sel_word(argc - i, argv + i, t.prefix.family, &t.sel,
				&sel_seen, err);
		if (n < 0)
			return -EINVAL;
		if (n)
			continue;
		/* An owner names whose rule it is: del and get take it too. */
		if (!strcmp(argv[i], "owner")) {
			if (t.owner[0])
				return fail(err, "'owner' given twice");
			if (i + 1 == argc || rl_parse_owner(argv[i + 1], t.owner))
				return fail(err, "owner wants 1 to 15 of A-Z a-z 0-9 _ . -");
			n = 2;
			continue;
		}
		if (prefix_only)
			return fail(err, "only a PREFIX and a selector are expected, not '%s'", argv[i]);
		if (i + 1 == argc)
			return fail(err, "'%s' needs a value", argv[i]);
		if (rule_word(argv[i], argv[i + 1], &t, &seen, &burst_bytes, err))
			return -EINVAL;
		n = 2;
	}
	if (rl_sel_check(&t.sel, t.prefix.family, err))
		return -EINVAL;

	max = t.prefix.family == AF_INET ? 32 : 128;
	if (t.action != NF_RL_ACTION_LIMIT) {
		if (t.has_rate || t.has_burst || t.has_agg || (seen & 1u << 4))
			return fail(err, "allow and deny rules take no rate, burst, prefix-len or algo");
	} else if (!prefix_only && !t.has_rate) {
		return fail(err, "a limit rule needs a rate, e.g. rate 100/second");
	}
	if (burst_bytes && t.unit != NF_RL_UNIT_BYTES)
		return fail(err, "a burst in bytes needs a rate in bytes or bits, e.g. rate 1mbit/s");
	if (t.has_agg && (t.agg < t.prefix.len || t.agg > max))
		return fail(err, "prefix-len %u: must be from %u (the rule's length) to %u",
			    t.agg, t.prefix.len, max);
	*r = t;
	return 0;
}

/**
 * rl_parse_setting() - one "NAME VALUE" of rlctl set or a set line
 * @name: dry-run, full-policy, max-entries or log
 * @val: its value
 * @s: updated on success
 * @err: RL_ERR_LEN bytes for the reason of a failure
 *
 * Return: 0 or -EINVAL.
 */
int rl_parse_setting(const char *name, const char *val, struct rl_settings *s,
		     char *err)
{
	if (!strcmp(name, "dry-run")) {
		if (s->has_dry_run)
			return fail(err, "'%s' given twice", name);
		if (rl_parse_bool(val, &s->dry_run))
			return fail(err, "dry-run wants on or off, not '%s'", val);
		s->has_dry_run = true;
	} else if (!strcmp(name, "full-policy")) {
		if (s->has_policy)
			return fail(err, "'%s' given twice", name);
		if (lookup(policies, ARRAY_LEN(policies), val, &s->policy))
			return fail(err, "full-policy wants shared, drop or accept, not '%s'", val);
		s->has_policy = true;
	} else if (!strcmp(name, "max-entries")) {
		if (s->has_max)
			return fail(err, "'%s' given twice", name);
		if (rl_parse_u32(val, UINT32_MAX, &s->max_entries) || !s->max_entries)
			return fail(err, "max-entries wants a positive count, not '%s'", val);
		s->has_max = true;
	} else if (!strcmp(name, "log")) {
		if (s->has_log)
			return fail(err, "'%s' given twice", name);
		if (rl_parse_bool(val, &s->log))
			return fail(err, "log wants on or off, not '%s'", val);
		s->has_log = true;
	} else if (!strcmp(name, "owner-rules-max")) {
		if (s->has_owner_max)
			return fail(err, "'%s' given twice", name);
		if (rl_parse_u32(val, 65536, &s->owner_max))
			return fail(err, "owner-rules-max wants 0 to 65536, not '%s'", val);
		s->has_owner_max = true;
	} else {
		return fail(err, "unknown setting '%s' (dry-run, full-policy, max-entries, log, owner-rules-max)", name);
	}
	return 0;
}

static int add_rule(struct rl_config_file *c, const struct rl_rule_spec *r)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct rl_rule_spec *v = realloc(c->rules, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->rules = v;
		c->cap = cap;
	}
	c->rules[c->n++] = *r;
	return 0;
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct rl_rule_spec *x = a, *y = b;

	return memcmp(&x->prefix, &y->prefix, sizeof(x->prefix)) ?:
	       rl_sel_cmp(&x->sel, &y->sel);
}

/* A prefix and selector with two rules is an error, as the kernel would
 * say; find it here, with its lines, before sending anything. */
static int check_duplicates(const struct rl_config_file *c,
			    const unsigned int *lines, char *err)
{
	struct { struct rl_rule_spec r; unsigned int line; } *v;
	char p[64], sel[200];
	size_t i;

	if (c->n < 2)
		return 0;
	v = calloc(c->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < c->n; i++) {
		v[i].r = c->rules[i];
		v[i].line = lines[i];
	}
	/* The rule is the first member: cmp_prefix works on the pairs. */
	qsort(v, c->n, sizeof(*v), cmp_prefix);
	for (i = 1; i < c->n; i++) {
		if (cmp_prefix(&v[i - 1].r, &v[i].r))
			continue;
		rl_format_prefix(&v[i].r.prefix, p, sizeof(p));
		rl_sel_format(&v[i].r.sel, v[i].r.prefix.family, sel, sizeof(sel));
		snprintf(err, RL_ERR_LEN, "lines %u and %u: two rules for %s%.80s",
			 v[i - 1].line < v[i].line ? v[i - 1].line : v[i].line,
			 v[i - 1].line < v[i].line ? v[i].line : v[i - 1].line, p, sel);
		free(v);
		return -EINVAL;
	}
	free(v);
	return 0;
}

static int parse_line(char *line, unsigned int no, struct rl_config_file *c,
		      char *err)
{
	char *argv[RL_MAX_WORDS], *save, *w, msg[RL_ERR_LEN];
	struct rl_rule_spec r;
	int argc = 0, i;

	w = strchr(line, '#');
	if (w)
		*w = '\0';
	for (w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
		if (argc == RL_MAX_WORDS) {
			snprintf(err, RL_ERR_LEN, "line %u: too many words", no);
			return -EINVAL;
		}
		argv[argc++] = w;
	}
	if (!argc)
		return 0;
	if (!strcmp(argv[0], "rule")) {
		if (rl_parse_rule(argc - 1, argv + 1, false, &r, msg))
			goto bad;
		return add_rule(c, &r);
	}
	if (!strcmp(argv[0], "set")) {
		if (argc < 3 || argc % 2 == 0) {
			snprintf(msg, sizeof(msg), "set wants NAME VALUE pairs");
			goto bad;
		}
		for (i = 1; i < argc; i += 2)
			if (rl_parse_setting(argv[i], argv[i + 1], &c->set, msg))
				goto bad;
		return 0;
	}
	snprintf(msg, sizeof(msg), "unknown statement '%.40s' (rule or set)", argv[0]);
bad:
	snprintf(err, RL_ERR_LEN, "line %u: %.140s", no, msg);
	return -EINVAL;
}

/**
 * rl_parse_config() - parse a whole configuration file
 * @text: its contents, not necessarily NUL-terminated
 * @len: their length
 * @c: zeroed by the caller; filled in; rl_config_free() it either way
 * @err: RL_ERR_LEN bytes for the reason of a failure, with its line
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int rl_parse_config(const char *text, size_t len, struct rl_config_file *c,
		    char *err)
{
	unsigned int no = 0, *lines = NULL;
	char line[RL_MAX_LINE + 1];
	size_t pos = 0, cap = 0;
	int ret = 0;

	while (pos < len && !ret) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		size_t before = c->n;

		no++;
		if (n > RL_MAX_LINE || memchr(text + pos, '\0', n)) {
			snprintf(err, RL_ERR_LEN, "line %u: %s", no,
				 n > RL_MAX_LINE ? "too long" : "not text");
			ret = -EINVAL;
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		ret = parse_line(line, no, c, err);
		if (!ret && c->n != before) {
			if (c->n > cap) {
				unsigned int *l = realloc(lines, c->cap * sizeof(*l));

				if (!l) {
					ret = -ENOMEM;
					break;
				}
				lines = l;
				cap = c->cap;
			}
			lines[c->n - 1] = no;
		}
	}
	if (ret == -ENOMEM)
		snprintf(err, RL_ERR_LEN, "out of memory");
	if (!ret)
		ret = check_duplicates(c, lines, err);
	free(lines);
	return ret;
}

void rl_config_free(struct rl_config_file *c)
{
	free(c->rules);
	memset(c, 0, sizeof(*c));
}

/*
 * "PREFIX [SELECTOR] [rate R] [burst B] [prefix-len N] [algo A] | action A
 * [timeout T] [owner O]": rl_parse_rule's input.
 */
void rl_format_rule(const struct rl_rule_spec *r, char *buf, size_t len)
{
	char p[64], sel[200];
	int n;

	rl_format_prefix(&r->prefix, p, sizeof(p));
	rl_sel_format(&r->sel, r->prefix.family, sel, sizeof(sel));
	if (r->action != NF_RL_ACTION_LIMIT)
		n = snprintf(buf, len, "%s%s action %s", p, sel,
			     rl_action_name(r->action));
	else
		n = snprintf(buf, len, "%s%s", p, sel);
	if (r->action == NF_RL_ACTION_LIMIT && r->has_rate && n >= 0 &&
	    (size_t)n < len) {
		char rate[48];

		rl_format_rate(r->rate, r->period_ns, r->unit, rate, sizeof(rate));
		n += snprintf(buf + n, len - n, " rate %s", rate);
	}
	if (r->action == NF_RL_ACTION_LIMIT && r->has_burst && n >= 0 &&
	    (size_t)n < len)
		n += snprintf(buf + n, len - n, " burst %llu%s",
			      (unsigned long long)r->burst,
			      r->unit == NF_RL_UNIT_BYTES ? "bytes" : "");
	if (r->action == NF_RL_ACTION_LIMIT && r->has_agg && n >= 0 &&
	    (size_t)n < len)
		n += snprintf(buf + n, len - n, " prefix-len %u", r->agg);
	/* The default algorithm goes unsaid, as the default action does. */
	if (r->action == NF_RL_ACTION_LIMIT &&
	    r->algo != NF_RL_ALGO_TOKEN_BUCKET && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " algo %s", rl_algo_name(r->algo));
	if (r->timeout_ms && n >= 0 && (size_t)n < len) {
		char d[32];

		rl_format_duration(r->timeout_ms, d, sizeof(d));
		n += snprintf(buf + n, len - n, " timeout %s", d);
	}
	if (r->owner[0] && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " owner %s", r->owner);
}

/* The file rl_parse_config() reads back to the same configuration. */
void rl_format_config(FILE *f, const struct rl_config_file *c)
{
	const struct rl_settings *s = &c->set;
	char buf[512];
	size_t i;

	fprintf(f, "# nf_ratelimit configuration: rlctl apply -f FILE\n");
	if (s->has_dry_run)
		fprintf(f, "set dry-run %s\n", s->dry_run ? "on" : "off");
	if (s->has_policy)
		fprintf(f, "set full-policy %s\n", rl_policy_name(s->policy));
	if (s->has_max)
		fprintf(f, "set max-entries %u\n", s->max_entries);
	if (s->has_log)
		fprintf(f, "set log %s\n", s->log ? "on" : "off");
	if (s->has_owner_max)
		fprintf(f, "set owner-rules-max %u\n", s->owner_max);
	for (i = 0; i < c->n; i++) {
		rl_format_rule(&c->rules[i], buf, sizeof(buf));
		fprintf(f, "rule %s\n", buf);
	}
}

/* One rule as a JSON object: rlctl rule list -j and rlctl save -j. */
void rl_print_rule_json(FILE *f, const struct rl_rule_spec *r)
{
	char p[64];

	rl_format_prefix(&r->prefix, p, sizeof(p));
	fprintf(f, "{\"prefix\":\"%s\",\"action\":\"%s\"", p,
		rl_action_name(r->action));
	rl_sel_json(f, &r->sel, r->prefix.family);
	if (r->has_rate) {
		char rate[48];

		rl_format_rate(r->rate, r->period_ns, r->unit, rate, sizeof(rate));
		fprintf(f, ",\"rate\":\"%s\",\"rate_%s\":%llu,\"rate_period_ns\":%llu,\"algo\":\"%s\"",
			rate, r->unit == NF_RL_UNIT_BYTES ? "bytes" : "packets",
			(unsigned long long)r->rate, (unsigned long long)r->period_ns,
			rl_algo_name(r->algo));
	}
	if (r->has_burst)
		fprintf(f, ",\"burst\":%llu", (unsigned long long)r->burst);
	if (r->has_agg)
		fprintf(f, ",\"prefix_len\":%u", r->agg);
	if (r->timeout_ms)
		fprintf(f, ",\"timeout_ms\":%llu", (unsigned long long)r->timeout_ms);
	if (r->owner[0])
		fprintf(f, ",\"owner\":\"%s\"", r->owner);
	fputc('}', f);
}
