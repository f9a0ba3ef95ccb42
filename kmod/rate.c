// SPDX-License-Identifier: GPL-2.0
/*
 * Rates as nft writes them, for the rate= parameter and /proc:
 *
 *	N[UNIT][/PERIOD]	UNIT:	(none: packets)
 *					bytes, kbytes, mbytes, gbytes (1024-based, as nft)
 *					bit, kbit, mbit, gbit (1000-based, as tc)
 *				PERIOD:	second (default), minute, hour, day, week,
 *					or s, sec, m, min, h, d, w
 *
 * A rate in bits becomes bytes per period, or, when the bits are not whole
 * bytes, bits per eight periods: exact either way.  rlctl parses and prints
 * the same syntax (tools/rlctl/parse.c), so that what one prints the other
 * reads back.
 */

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "compat.h"
#include "rate.h"

static const struct {
	const char *name;
	u64 ns;
} periods[] = {
	/* The long name of each comes first: rl_rate_period_name() prints it. */
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

/* Bytes are N * mul / div; printed largest first. */
static const struct {
	const char *name;
	u64 mul, div;
} amounts[] = {
	{ "gbytes", SZ_1G, 1 },
	{ "mbytes", SZ_1M, 1 },
	{ "kbytes", SZ_1K, 1 },
	{ "gbit", 1000000000, 8 },
	{ "mbit", 1000000, 8 },
	{ "kbit", 1000, 8 },
	{ "bytes", 1, 1 },
	{ "bit", 1, 8 },
};

/**
 * rl_rate_parse() - parse a rate as nft writes it
 * @s: the rate, see above
 * @n: units per period
 * @period_ns: the period
 * @unit: packets, or bytes when @s names a byte or bit unit
 *
 * Return: 0, or -EINVAL for a malformed or overflowing rate.
 */
int rl_rate_parse(const char *s, u64 *n, u64 *period_ns, enum nf_rl_unit *unit)
{
	const char *slash = strchr(s, '/');
	u64 x, mul = 1, div = 1, period = NSEC_PER_SEC;
	char num[32], *name;
	bool bytes = false;
	size_t len, digits;
	int i;

	len = slash ? slash - s : strlen(s);
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	for (digits = 0; isdigit(num[digits]); digits++)
		;
	name = num + digits;
	if (*name) {
		for (i = 0; i < ARRAY_SIZE(amounts); i++)
			if (!strcmp(name, amounts[i].name))
				break;
		if (i == ARRAY_SIZE(amounts))
			return -EINVAL;
		mul = amounts[i].mul;
		div = amounts[i].div;
		bytes = true;
		*name = '\0';
	}
	/* kstrtou64 would take a sign or a radix prefix; a rate is decimal. */
	if (!digits || kstrtou64(num, 10, &x) || check_mul_overflow(x, mul, &x))
		return -EINVAL;

	if (slash) {
		for (i = 0; i < ARRAY_SIZE(periods); i++)
			if (sysfs_streq(slash + 1, periods[i].name))
				break;
		if (i == ARRAY_SIZE(periods))
			return -EINVAL;
		period = periods[i].ns;
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
EXPORT_SYMBOL_IF_KUNIT(rl_rate_parse);

/**
 * rl_rate_period_name() - the name of a rate's period, for display
 * @period_ns: period
 *
 * Return: the long name, or NULL if the period has none.
 */
const char *rl_rate_period_name(u64 period_ns)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(periods); i++)
		if (periods[i].ns == period_ns)
			return periods[i].name;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(rl_rate_period_name);

/*
 * Whether @d divides @n, and the quotient: 64-bit division through
 * div64_u64_rem(), which 32-bit kernels can link (plain / and % on u64 call
 * libgcc's __udivdi3 there).
 */
static bool divides(u64 n, u64 d, u64 *q)
{
	u64 rem;

	*q = div64_u64_rem(n, d, &rem);
	return !rem;
}

/* @n bits per @per, in the largest 1000-based bit unit that divides it. */
static int format_bits(char *buf, size_t len, u64 n, const char *per)
{
	u64 q;
	int i;

	for (i = 0; i < ARRAY_SIZE(amounts); i++)
		if (amounts[i].div == 8 && divides(n, amounts[i].mul, &q))
			return snprintf(buf, len, "%llu%s/%s", q,
					amounts[i].name, per);
	return snprintf(buf, len, "%llubit/%s", n, per);
}

/**
 * rl_rate_format() - a rate as rl_rate_parse() reads it back
 * @buf: output
 * @len: its size
 * @n: units per period
 * @period_ns: the period
 * @unit: packets or bytes
 *
 * Return: what snprintf() returns.
 */
int rl_rate_format(char *buf, size_t len, u64 n, u64 period_ns,
		   enum nf_rl_unit unit)
{
	const char *per = rl_rate_period_name(period_ns);
	bool bits = false;
	u64 bitcount, q;
	int i;

	/* Bits that were not whole bytes: bits per eight periods. */
	if (!per && unit == NF_RL_UNIT_BYTES && !(period_ns % 8)) {
		per = rl_rate_period_name(period_ns / 8);
		bits = !!per;
	}
	if (!per)
		return snprintf(buf, len, "%llu%s/%lluns", n,
				unit == NF_RL_UNIT_BYTES ? "bytes" : "",
				period_ns);
	if (unit == NF_RL_UNIT_PACKETS)
		return snprintf(buf, len, "%llu/%s", n, per);
	if (bits)
		return format_bits(buf, len, n, per);
	/* Whole KiB, MiB, GiB as nft prints them; else whole kbit and up. */
	for (i = 0; n && i < ARRAY_SIZE(amounts); i++)
		if (amounts[i].div == 1 && amounts[i].mul > 1 &&
		    divides(n, amounts[i].mul, &q))
			return snprintf(buf, len, "%llu%s/%s", q,
					amounts[i].name, per);
	if (n && !check_mul_overflow(n, 8ULL, &bitcount) && bitcount >= 1000 &&
	    divides(bitcount, 1000, &q))
		return format_bits(buf, len, bitcount, per);
	return snprintf(buf, len, "%llubytes/%s", n, per);
}
EXPORT_SYMBOL_IF_KUNIT(rl_rate_format);
