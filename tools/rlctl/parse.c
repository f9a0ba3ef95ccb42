// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for what a sysadmin types: numbers, on/off, rates as nft writes them
 * ("100/second", "10/s", "1/hour") and CIDR prefixes.  Each is strict: the
 * whole string must parse, and nothing is written unless it does.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int rl_parse_rate(const char *s, uint64_t *n, uint64_t *period_ns)
{
	const char *slash = strchr(s, '/');
	char num[24];
	size_t len, i;
	uint64_t x;

	len = slash ? (size_t)(slash - s) : strlen(s);
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	if (rl_parse_u64(num, &x))
		return -EINVAL;
	if (!slash) {
		*n = x;
		*period_ns = NSEC_PER_SEC;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(slash + 1, units[i].name)) {
			*n = x;
			*period_ns = units[i].ns;
			return 0;
		}
	}
	return -EINVAL;
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
