/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keys: a source masked to its aggregation prefix, a rule's prefix, an
 * entry's identity.  Built, masked, compared here and nowhere else, so that
 * everything that handles keys includes this header and nothing more.
 */
#ifndef _NF_RL_KEY_H
#define _NF_RL_KEY_H

#include <linux/build_bug.h>
#include <linux/inet.h>
#include <linux/inetdevice.h>
#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/string.h>
#include <linux/types.h>
#include <net/ipv6.h>

/*
 * A source, masked to its aggregation prefix, or a rule's prefix.  Compared
 * a word at a time (rl_key_cmp()), so every byte, padding and the unused
 * part of an IPv4 key's address included, must be initialised.
 *
 * sel tells apart the entries of one source under rules of different
 * selectors (0: source rules, else the selector's rl_sel_hash() as the rule
 * set placed it); port is the destination port of a per-port rule's entry.
 * Aligned to 8 so that the table compares it as three longs (rl_key_equal()).
 */
struct rl_key {
	union {
		struct {
			union {
				__be32 v4;
				struct in6_addr v6;
				u32 w[4];
			} addr;
			union {
				struct {
					u8 family;
					u8 prefix;
					u16 sel;
				};
				u32 tail;	/* the three above, as one word */
			};
			u32 port;
		};
		u64 q[3];
	};
} __aligned(8);

/*
 * A total order on keys, in 32-bit words: the hash table's equality test and
 * the rules' binary search, both on the packet path.  The kernel's memcmp()
 * compares what remains after whole longs a byte at a time; this is six
 * compares, or four for IPv4 keys when they differ early.
 */
static inline int rl_key_cmp(const struct rl_key *a, const struct rl_key *b)
{
	int i;

	BUILD_BUG_ON(sizeof(*a) != 6 * sizeof(u32));
	if (a->tail != b->tail)
		return a->tail < b->tail ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	for (i = 0; i < ARRAY_SIZE(a->addr.w); i++)
		if (a->addr.w[i] != b->addr.w[i])
			return a->addr.w[i] < b->addr.w[i] ? -1 : 1;
	return 0;
}

/**
 * rl_key_equal() - whether two keys are the same
 * @a: a key
 * @b: another
 *
 * The hash table's test: three loads and compares of each, no branch.
 *
 * Return: true if every word of the two is equal.
 */
static inline bool rl_key_equal(const struct rl_key *a, const struct rl_key *b)
{
	return !((a->q[0] ^ b->q[0]) | (a->q[1] ^ b->q[1]) |
		 (a->q[2] ^ b->q[2]));
}

/**
 * rl_key_build4() - the key of an IPv4 address masked to a prefix
 * @key: filled in, padding included
 * @saddr: the address
 * @prefix: prefix length, 0 to 32
 */
static inline void rl_key_build4(struct rl_key *key, __be32 saddr, u8 prefix)
{
	memset(key, 0, sizeof(*key));
	key->addr.v4 = saddr & inet_make_mask(prefix);
	key->family = NFPROTO_IPV4;
	key->prefix = prefix;
}

/**
 * rl_key_build6() - the key of an IPv6 address masked to a prefix
 * @key: filled in, padding included
 * @saddr: the address
 * @prefix: prefix length, 0 to 128
 */
static inline void rl_key_build6(struct rl_key *key,
				 const struct in6_addr *saddr, u8 prefix)
{
	memset(key, 0, sizeof(*key));
	ipv6_addr_prefix(&key->addr.v6, saddr, prefix);
	key->family = NFPROTO_IPV6;
	key->prefix = prefix;
}

/**
 * rl_key_mask() - a key's address masked to a shorter prefix
 * @dst: filled in: the address of @src masked to @len, no selector or port
 * @src: a key
 * @len: the prefix length, at most @src's
 */
static inline void rl_key_mask(struct rl_key *dst, const struct rl_key *src,
			       u8 len)
{
	if (src->family == NFPROTO_IPV4)
		rl_key_build4(dst, src->addr.v4, len);
	else
		rl_key_build6(dst, &src->addr.v6, len);
}

/* "ffff:...:ffff/128": the longest key as text, with its NUL. */
#define RL_KEY_TEXT	(INET6_ADDRSTRLEN + sizeof("/128"))

/**
 * rl_key_format() - a key as text, as rlctl and /proc show it: "addr/len"
 * @buf: at least RL_KEY_TEXT bytes
 * @key: the key
 *
 * Context: any.
 * Return: @buf.
 */
static inline char *rl_key_format(char *buf, const struct rl_key *key)
{
	if (key->family == NFPROTO_IPV4)
		snprintf(buf, RL_KEY_TEXT, "%pI4/%u", &key->addr.v4,
			 key->prefix);
	else
		snprintf(buf, RL_KEY_TEXT, "%pI6c/%u", &key->addr.v6,
			 key->prefix);
	return buf;
}

#endif /* _NF_RL_KEY_H */
