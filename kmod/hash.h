/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table's keyed hash of a word: the kernel's hsiphash_1u32(), inlined
 * on a state prepared once from the key.
 *
 * On 64-bit kernels hsiphash is SipHash-1-3 (lib/siphash.c).  Called, it
 * cost every IPv4 packet a call, a return thunk, four constants and four
 * XORs with the key, and the first half of its first round, which mixes
 * only the key: some 15 of its 78 instructions under make bench's -icount.
 * Here those are done when the key is drawn, and the rest runs inline.  The
 * function is the kernel's, not a new one: the KUnit case
 * rl_hash_matches_hsiphash checks every result against hsiphash_1u32()'s,
 * for random keys and words.  32-bit kernels, whose hsiphash is HalfSipHash,
 * call the kernel's.
 */
#ifndef _NF_RL_HASH_H
#define _NF_RL_HASH_H

#include <linux/bitops.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/types.h>

struct rl_hash {
#if BITS_PER_LONG == 64
	/*
	 * SipHash's v0..v3 once the key is mixed in, and v0 and v1 once the
	 * first round has done what it does with them alone.
	 */
	u64 v0, v1, v2, v3;
#endif
	hsiphash_key_t key;		/* random, per table */
};

/**
 * rl_hash_init() - draw a random key and prepare its state
 * @h: the hash
 *
 * Context: any.
 */
static inline void rl_hash_init(struct rl_hash *h)
{
	get_random_bytes(&h->key, sizeof(h->key));
#if BITS_PER_LONG == 64
	h->v0 = SIPHASH_CONST_0 ^ h->key.key[0];
	h->v1 = SIPHASH_CONST_1 ^ h->key.key[1];
	h->v2 = SIPHASH_CONST_2 ^ h->key.key[0];
	h->v3 = SIPHASH_CONST_3 ^ h->key.key[1];
	/* SIPHASH_PERMUTATION's steps on v0 and v1 before they meet v2, v3. */
	h->v0 += h->v1;
	h->v1 = rol64(h->v1, 13) ^ h->v0;
	h->v0 = rol64(h->v0, 32);
#endif
}

/**
 * rl_hash_1u32() - hsiphash_1u32() of a word under the hash's key
 * @h: the hash
 * @word: what to hash
 *
 * Context: any.
 * Return: hsiphash_1u32(@word, &@h->key).
 */
static __always_inline u32 rl_hash_1u32(const struct rl_hash *h, u32 word)
{
#if BITS_PER_LONG == 64
	u64 b = (4ULL << 56) | word;	/* the length, 4 bytes, and the word */
	u64 v0 = h->v0, v1 = h->v1, v2 = h->v2, v3 = h->v3 ^ b;

	/* The first round, from where rl_hash_init() left v0 and v1. */
	v2 += v3, v3 = rol64(v3, 16), v3 ^= v2;
	v0 += v3, v3 = rol64(v3, 21), v3 ^= v0;
	v2 += v1, v1 = rol64(v1, 17), v1 ^= v2, v2 = rol64(v2, 32);
	v0 ^= b;
	v2 ^= 0xff;
	SIPHASH_PERMUTATION(v0, v1, v2, v3);
	SIPHASH_PERMUTATION(v0, v1, v2, v3);
	SIPHASH_PERMUTATION(v0, v1, v2, v3);
	return (v0 ^ v1) ^ (v2 ^ v3);
#else
	return hsiphash_1u32(word, &h->key);
#endif
}

#endif /* _NF_RL_HASH_H */
