// SPDX-License-Identifier: GPL-2.0
/*
 * The table's inlined hash (hash.h) is the kernel's hsiphash_1u32(), not a
 * new function: the same result for every key and word tried.
 */

#include <kunit/test.h>
#include <linux/prandom.h>

#include "../hash.h"

static void rl_hash_matches_hsiphash(struct kunit *test)
{
	static const u32 edges[] = { 0, 1, 0x80000000, 0xffffffff };
	unsigned int k, i, mismatches = 0;
	struct rl_hash h;

	for (k = 0; k < 64; k++) {
		rl_hash_init(&h);
		for (i = 0; i < 256 + ARRAY_SIZE(edges); i++) {
			u32 w = i < ARRAY_SIZE(edges) ? edges[i] : get_random_u32();
			u32 got = rl_hash_1u32(&h, w);
			u32 want = hsiphash_1u32(w, &h.key);

			mismatches += got != want;
			KUNIT_EXPECT_EQ_MSG(test, got, want,
					    "word %08x, key %016lx %016lx", w,
					    h.key.key[0], h.key.key[1]);
			if (mismatches > 4)
				return;		/* enough to say what is wrong */
		}
	}
}

/* Two tables, two keys: a source's bucket in one says nothing of the other. */
static void rl_hash_differs_between_keys(struct kunit *test)
{
	unsigned int i, same = 0;
	struct rl_hash a, b;

	rl_hash_init(&a);
	rl_hash_init(&b);
	for (i = 0; i < 1024; i++)
		same += rl_hash_1u32(&a, i) == rl_hash_1u32(&b, i);
	/* 1024 chances of 1 in 2^32 each, unless the key is ignored. */
	KUNIT_EXPECT_LT(test, same, 2U);
}

static struct kunit_case hash_test_cases[] = {
	KUNIT_CASE(rl_hash_matches_hsiphash),
	KUNIT_CASE(rl_hash_differs_between_keys),
	{}
};

static struct kunit_suite hash_suite = {
	.name = "nf_ratelimit_hash",
	.test_cases = hash_test_cases,
};

kunit_test_suites(&hash_suite);
