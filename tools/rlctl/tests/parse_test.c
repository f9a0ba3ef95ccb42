// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of rlctl's parsers, table-driven; TAP output.  Built with
 * -DFUZZ it is a libFuzzer target instead, which feeds every parser random
 * strings and checks that what parses also formats back and parses again.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "../rlctl.h"

#ifdef FUZZ
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[128], back[64];
	struct rl_prefix p, q;
	uint64_t n, period;
	uint32_t u;
	bool b;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rl_parse_u32(s, 1000, &u);
	rl_parse_bool(s, &b);
	if (!rl_parse_rate(s, &n, &period) && !rl_rate_unit(period))
		abort();
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

static const struct {
	const char *in;
	int err;
	uint64_t n, period;
} rates[] = {
	{ "10", 0, 10, 1000000000ULL },
	{ "100/second", 0, 100, 1000000000ULL },
	{ "10/s", 0, 10, 1000000000ULL },
	{ "6000/minute", 0, 6000, 60000000000ULL },
	{ "1/hour", 0, 1, 3600000000000ULL },
	{ "2/day", 0, 2, 86400000000000ULL },
	{ "1/week", 0, 1, 604800000000000ULL },
	{ "0", 0, 0, 1000000000ULL },
	{ "", -EINVAL },
	{ "/s", -EINVAL },
	{ "10/", -EINVAL },
	{ "10/sec/", -EINVAL },
	{ "10/fortnight", -EINVAL },
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
		int err = rl_parse_rate(rates[i].in, &rn, &rp);

		ok(err == rates[i].err &&
		   (err ? rn == 7 && rp == 7 : rn == rates[i].n && rp == rates[i].period),
		   "rate", rates[i].in);
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
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
#endif
