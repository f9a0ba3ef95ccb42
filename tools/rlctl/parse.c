// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for what a sysadmin types: numbers, on/off, rates as nft writes them
 * ("100/second", "10/s", "1/hour") and CIDR prefixes.  Each is strict: the
 * whole string must parse, and nothing is written unless it does.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/nf_ratelimit.h>

#include "rlctl.h"

#define NSEC_PER_SEC 1000000000ULL

static const struct {
	const char *name;
	uint64_t ns;
} units[] = {
	/* The long name of each unit comes first: rl_rate_unit() prints it. */
	{ "second", NSEC_PER_SEC },
	{ "s", NSEC_PER_SEC },
	{ "sec", NSEC_PER_SEC },
	{ "minute", 60 * NSEC_PER_SEC },
	{ "m", 60 * NSEC_PER_SEC },
	{ "min", 60 * NSEC_PER_SEC },
	{ "hour", 3600 * NSEC_PER_SEC },
	{ "h", 3600 * NSEC_PER_SEC },
	{ "day", 86400 * NSEC_PER_SEC },
	{ "d", 86400 * NSEC_PER_SEC },
	{ "week", 7 * 86400 * NSEC_PER_SEC },
	{ "w", 7 * 86400 * NSEC_PER_SEC },
};

int rl_parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	/* strtoull would take leading signs and spaces. */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

int rl_parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	uint64_t x;

	if (rl_parse_u64(s, &x) || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

int rl_parse_bool(const char *s, bool *v)
{
	static const char * const yes[] = { "on", "yes", "true", "1" };
	static const char * const no[] = { "off", "no", "false", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*v = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*v = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Bytes are N * mul / div; printed largest first, as kmod/rate.c does. */
static const struct {
	const char *name;
	uint64_t mul, div;
} amounts[] = {
	{ "gbytes", 1ULL << 30, 1 },
	{ "mbytes", 1ULL << 20, 1 },
	{ "kbytes", 1ULL << 10, 1 },
	{ "gbit", 1000000000, 8 },
	{ "mbit", 1000000, 8 },
	{ "kbit", 1000, 8 },
	{ "bytes", 1, 1 },
	{ "bit", 1, 8 },
};

#define NAMOUNTS (sizeof(amounts) / sizeof(amounts[0]))

/*
 * "N[UNIT][/PERIOD]": packets, or with a byte or bit unit, bytes.  Bits that
 * are not whole bytes become bits per eight periods, exactly as the kernel's
 * rate= parameter reads them (kmod/rate.c).
 */
int rl_parse_rate(const char *s, uint64_t *n, uint64_t *period_ns, uint32_t *unit)
{
	const char *slash = strchr(s, '/');
	uint64_t x, mul = 1, div = 1, period = NSEC_PER_SEC;
	char num[32];
	size_t len, digits, i;
	bool bytes = false;

	len = slash ? (size_t)(slash - s) : strlen(s);
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	for (digits = 0; num[digits] >= '0' && num[digits] <= '9'; digits++)
		;
	if (num[digits]) {
		for (i = 0; i < NAMOUNTS; i++)
			if (!strcmp(num + digits, amounts[i].name))
				break;
		if (i == NAMOUNTS)
			return -EINVAL;
		mul = amounts[i].mul;
		div = amounts[i].div;
		bytes = true;
		num[digits] = '\0';
	}
	if (!digits || rl_parse_u64(num, &x) || __builtin_mul_overflow(x, mul, &x))
		return -EINVAL;
	if (slash) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(slash + 1, units[i].name))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		period = units[i].ns;
	}
	if (div == 8) {
		if (x % 8)
			period *= 8;
		else
			x /= 8;
	}
	*n = x;
	*period_ns = period;
	*unit = bytes ? NF_RL_UNIT_BYTES : NF_RL_UNIT_PACKETS;
	return 0;
}

static void format_bits(char *buf, size_t len, uint64_t n, const char *per)
{
	size_t i;

	for (i = 0; i < NAMOUNTS; i++) {
		if (amounts[i].div == 8 && !(n % amounts[i].mul)) {
			snprintf(buf, len, "%llu%s/%s",
				 (unsigned long long)(n / amounts[i].mul),
				 amounts[i].name, per);
			return;
		}
	}
}

/* A rate as rl_parse_rate() reads it back: the kernel's rl_rate_format(). */
void rl_format_rate(uint64_t n, uint64_t period_ns, uint32_t unit, char *buf,
		    size_t len)
{
	const char *per = rl_rate_unit(period_ns);
	bool bits = false;
	uint64_t bitcount;
	size_t i;

	if (!per && unit == NF_RL_UNIT_BYTES && !(period_ns % 8) &&
	    (per = rl_rate_unit(period_ns / 8)))
		bits = true;
	if (!per) {
		snprintf(buf, len, "%llu%s/%lluns", (unsigned long long)n,
			 unit == NF_RL_UNIT_BYTES ? "bytes" : "",
			 (unsigned long long)period_ns);
		return;
	}
	if (unit != NF_RL_UNIT_BYTES) {
		snprintf(buf, len, "%llu/%s", (unsigned long long)n, per);
		return;
	}
	if (bits) {
		format_bits(buf, len, n, per);
		return;
	}
	for (i = 0; n && i < NAMOUNTS; i++) {
		if (amounts[i].div == 1 && amounts[i].mul > 1 && !(n % amounts[i].mul)) {
			snprintf(buf, len, "%llu%s/%s",
				 (unsigned long long)(n / amounts[i].mul),
				 amounts[i].name, per);
			return;
		}
	}
	if (n && !__builtin_mul_overflow(n, 8, &bitcount) && bitcount >= 1000 &&
	    !(bitcount % 1000)) {
		format_bits(buf, len, bitcount, per);
		return;
	}
	snprintf(buf, len, "%llubytes/%s", (unsigned long long)n, per);
}

const char *rl_rate_unit(uint64_t period_ns)
{
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].ns == period_ns)
			return units[i].name;
	return NULL;
}

/* "ADDR" (a host: /32 or /128) or "ADDR/LEN"; host bits must be zero. */
int rl_parse_prefix(const char *s, struct rl_prefix *p)
{
	const char *slash = strchr(s, '/');
	struct rl_prefix r = { 0 };
	char addr[INET6_ADDRSTRLEN];
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int max, i;
	uint32_t plen;

	if (!len || len >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, r.addr) == 1)
		r.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, r.addr) == 1)
		r.family = AF_INET6;
	else
		return -EINVAL;
	max = r.family == AF_INET ? 32 : 128;
	if (!slash)
		plen = max;
	else if (rl_parse_u32(slash + 1, max, &plen))
		return -EINVAL;
	r.len = plen;

	/* Bits past the prefix must be clear, as `ip route` insists. */
	for (i = plen; i < max; i++)
		if (r.addr[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	*p = r;
	return 0;
}

void rl_format_prefix(const struct rl_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

static const struct { const char *sfx; uint64_t ms; } durations[] = {
	{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 },
	{ "ms", 1 },
};

/*
 * A duration: digits and one unit of ms, s, m, h or d ("10m", "500ms");
 * digits alone are seconds, as ipset's and nft's timeouts are.
 */
int rl_parse_duration(const char *s, uint64_t max_ms, uint64_t *ms)
{
	char num[24];
	uint64_t v, unit = 1000;
	size_t digits;

	for (digits = 0; s[digits] >= '0' && s[digits] <= '9'; digits++)
		;
	if (!digits || digits >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, digits);
	num[digits] = '\0';
	if (rl_parse_u64(num, &v))
		return -EINVAL;
	if (s[digits]) {
		size_t i;

		for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
			if (!strcmp(s + digits, durations[i].sfx))
				break;
		if (i == sizeof(durations) / sizeof(durations[0]))
			return -EINVAL;
		unit = durations[i].ms;
	}
	if (__builtin_mul_overflow(v, unit, &v) || !v || v > max_ms)
		return -EINVAL;
	*ms = v;
	return 0;
}

/* The largest unit that says @ms exactly: what rl_parse_duration() reads. */
void rl_format_duration(uint64_t ms, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(durations) / sizeof(durations[0]) - 1; i++)
		if (ms && !(ms % durations[i].ms))
			break;
	snprintf(buf, len, "%llu%s", (unsigned long long)(ms / durations[i].ms),
		 durations[i].sfx);
}

/* An owner tag: 1 to NF_RL_OWNER_LEN - 1 of A-Z a-z 0-9 _ . - */
int rl_parse_owner(const char *s, char *owner)
{
	size_t n = strlen(s), i;

	if (!n || n >= NF_RL_OWNER_LEN)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return -EINVAL;
	memset(owner, 0, NF_RL_OWNER_LEN);
	memcpy(owner, s, n);
	return 0;
}
