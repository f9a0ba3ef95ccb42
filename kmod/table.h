/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NF_RL_TABLE_H
#define _NF_RL_TABLE_H

#include <linux/cache.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/rhashtable.h>
#include <linux/spinlock_types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <uapi/linux/nf_ratelimit.h>

#include "algo.h"
#include "selector.h"

/*
 * A source, masked to its aggregation prefix, or a rule's prefix.  Compared
 * a word at a time (rl_key_cmp()), so every byte, padding and the unused
 * part of an IPv4 key's address included, must be initialised.
 *
 * sel tells apart the entries of one source under rules of different
 * selectors (0: source rules, else the selector's rl_sel_hash() as the rule
 * set placed it); port is the destination port of a per-port rule's entry.
 */
struct rl_key {
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
		u32 tail;		/* the three above, as one word */
	};
	u32 port;
};

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

struct rl_entry {
	struct rhash_head node;
	struct rl_key key;
	bool limited;			/* dropping since its state last owed nothing */
	u8 algo;			/* enum nf_rl_algo of state */
	spinlock_t lock;		/* protects all below but rcu */
	union rl_state state;
	u64 seen_ns;			/* time of its last packet */
	u64 passed;
	u64 dropped;
	u64 passed_bytes;		/* what rlsyncd syncs for byte rules */
	u64 dropped_bytes;
	struct rcu_head rcu;
};

/* What can change while packets flow; read with READ_ONCE(). */
struct rl_limits {
	u32 max_entries;
	enum nf_rl_full_policy full_policy;
	bool dry_run;
	bool log;			/* limited and released, in the kernel log */
	u32 owner_rules_max;		/* rules one owner may hold; control only */
};

struct rl_table_cfg {
	u32 buckets;			/* upper bound on the hash table size */
	struct rl_limits limits;
};

/* A source starting or ceasing to be limited, for the events group. */
struct rl_event {
	enum nf_rl_event_type type;
	struct rl_key source;
	struct rl_key rule;
	const struct rl_sel *sel;	/* of the rule, valid during the call */
	u64 dropped;
};

struct rl_table;
typedef void (*rl_table_notify_t)(struct rl_table *t, const struct rl_event *ev);

struct rl_pcpu_stats {
	u64_stats_t passed;
	u64_stats_t dropped;
	u64_stats_t dry_run_dropped;
	u64_stats_t table_full;
	u64_stats_t alloc_failed;
	u64_stats_t allowed;
	u64_stats_t denied;
	struct u64_stats_sync syncp;
};

struct rl_stats {
	u64 passed;
	u64 dropped;
	u64 dry_run_dropped;
	u64 table_full;
	u64 alloc_failed;
	u64 allowed;
	u64 denied;
	u64 entries;
	u64 rules;
	u64 gc_runs;
	u64 gc_freed;
	u64 rules_expired;
	u64 owner_rules_refused;
};

struct rl_table {
	struct rhashtable ht;
	/* Read by every packet, written rarely. */
	struct rl_ruleset __rcu *rules;	/* replaced whole, under lock */
	struct rl_table_cfg cfg;
	bool gc_enabled;
	rl_table_notify_t notify;	/* NULL: no events */
	struct rl_pcpu_stats __percpu *stats;
	struct mutex lock;		/* serialises control-plane writers */

	/*
	 * Written on every new source: kept off the lines every packet reads,
	 * so that a flood of new sources does not bounce them between CPUs.
	 */
	atomic_t nentries ____cacheline_aligned_in_smp;	/* raised under insert_lock only */
	atomic_t generation;		/* bumped on every insert and removal */
	spinlock_t insert_lock;		/* serialises inserts; BH context */

	struct delayed_work gc_work;
	atomic64_t gc_runs;
	atomic64_t gc_freed;
	/* Removes timed rules when the earliest of them expires. */
	struct delayed_work expire_work;
	atomic64_t rules_expired;
	atomic64_t owner_rules_refused;
	/*
	 * New sources share these when the table is full (policy shared), one
	 * per algorithm so that a rule of one never resets another's state;
	 * each is charged at the rate of the packet's rule.
	 */
	struct rl_entry overflow[__NF_RL_ALGO_MAX];
};

/* A consistent copy of one entry, for display. */
struct rl_entry_info {
	struct rl_key key;
	struct rl_key rule;		/* family 0: no rule governs it now */
	struct rl_sel sel;		/* of the rule */
	u64 tokens;
	u64 passed;
	u64 dropped;
	u64 passed_bytes;
	u64 dropped_bytes;
	u64 idle_ns;
};

int rl_table_module_init(void);
void rl_table_module_exit(void);

int rl_table_init(struct rl_table *t, const struct rl_table_cfg *cfg,
		  struct rl_ruleset *rules, u64 now);
void rl_table_start_gc(struct rl_table *t);
void rl_table_destroy(struct rl_table *t);
bool rl_table_charge(struct rl_table *t, const struct rl_key *src,
		     struct rl_pkt_in *pkt, unsigned int len, u64 now);
unsigned int rl_table_gc(struct rl_table *t, u64 now);
void rl_table_read_stats(struct rl_table *t, struct rl_stats *st);
void rl_table_read_entry(struct rl_table *t, struct rl_entry *e, u64 now,
			 struct rl_entry_info *info);
bool rl_table_entry_seen_within(struct rl_entry *e, u64 now, u64 ns);
struct rl_entry *rl_table_lookup(struct rl_table *t, const struct rl_key *key);
int rl_table_remove(struct rl_table *t, const struct rl_key *key);
unsigned int rl_table_flush(struct rl_table *t);
unsigned int rl_table_generation(struct rl_table *t);
void rl_table_read_limits(struct rl_table *t, struct rl_limits *lim);
void rl_table_set_limits(struct rl_table *t, const struct rl_limits *lim);
struct rl_ruleset *rl_table_rules(struct rl_table *t);
void rl_table_set_rules(struct rl_table *t, struct rl_ruleset *rules);
int rl_table_expire_rules(struct rl_table *t, u64 now);
void rl_table_count_refused(struct rl_table *t);

/**
 * rl_table_walk_start() - start or resume a walk of a table's entries
 * @iter: the walk, entered with rhashtable_walk_enter() on the table's ht
 *
 * rhashtable_walk_start() hides that the table was resized while the walk
 * was paused, and kernels without "rhashtable: clear stale iter->p on table
 * restart" (Debian's 6.1.0-57 and 6.12.117 have it, older point releases
 * that DKMS users may still boot do not) then keep iter->p, the entry the
 * walk stopped on, which GC or a flush may have freed since: the next peek
 * would return it and the next step would follow its link.  A walk that
 * starts over forgets it here; on fixed kernels this changes nothing.
 *
 * Context: enters the RCU read side, left by rhashtable_walk_stop().
 * Return: 0, or -EAGAIN when the walk starts over from the first entry.
 */
static inline int rl_table_walk_start(struct rhashtable_iter *iter)
	__acquires(RCU)
{
	int err = rhashtable_walk_start_check(iter);

	if (err == -EAGAIN)
		iter->p = NULL;
	return err;
}

#endif /* _NF_RL_TABLE_H */
