/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NF_RL_TABLE_H
#define _NF_RL_TABLE_H

#include <linux/cache.h>
#include <linux/list_nulls.h>
#include <linux/mutex.h>
#include <linux/siphash.h>
#include <linux/spinlock_types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <uapi/linux/nf_ratelimit.h>

#include "algo.h"
#include "hash.h"
#include "key.h"
#include "selector.h"

/* Index of a verdict's counters in struct rl_entry. */
enum { RL_PASSED, RL_DROPPED };

/*
 * A source's state, 120 bytes on x86_64 without lock debugging, from a cache
 * that aligns it to a cache line: 128 with the free pointer SLUB keeps after
 * it.  A packet of a known source reads and writes its first line only:
 * the key, the lock, the algorithm's state (with the time of its latest
 * charge, the source's last packet) and the low bits of the counters.  The
 * second holds the chain link, which a lookup reads only of the entries it
 * passes, and what the counters carry: packets every 256th packet, bytes
 * every 4 GiB.  A total is the two added, read under the lock
 * (entry_packets(), entry_bytes() in table.c).
 */
struct rl_entry {
	struct rl_key key;
	spinlock_t lock;		/* protects all below but node and free_next */
	bool limited;			/* dropping since its state last owed nothing */
	u8 algo;			/* enum nf_rl_algo of state */
	u8 packets_lo[2];		/* [RL_PASSED], [RL_DROPPED], mod 256 */
	union rl_state state;
	u32 bytes_lo[2];		/* mod 2^32 */

	struct hlist_nulls_node node;	/* in its bucket, under its bucket lock */
	u64 packets_hi[2];		/* what packets_lo carried, multiples of 256 */
	u64 bytes_hi[2];		/* what bytes_lo carried, multiples of 2^32 */
	/*
	 * Once unlinked, on the list of entries waiting out a grace period;
	 * then, with prealloc, in a pool.  Never read by the packet path.
	 */
	struct rl_entry *free_next;
};

/* What can change while packets flow; read with READ_ONCE(). */
struct rl_limits {
	u32 max_entries;
	enum nf_rl_full_policy full_policy;
	bool dry_run;
	bool log;			/* limited and released, in the kernel log */
	u32 owner_rules_max;		/* rules one owner may hold; control only */
};

/*
 * How long an idle source keeps its entry at least (the idle_timeout
 * parameter, in seconds): xt_hashlimit's default expiry.  See entry_idle().
 */
#define RL_IDLE_DEFAULT_S	10
#define RL_IDLE_MAX_S		3600

struct rl_table_cfg {
	u32 buckets;			/* hash table size, a power of two */
	bool prealloc;			/* entries for max_entries made up front */
	u32 idle_s;			/* GC's shortest idle time; 0: the default */
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

/*
 * Inserts and removals lock one of these, chosen by bucket: as many as the
 * table has buckets up to this, so that CPUs inserting new sources at once
 * rarely wait for each other (conntrack has 1024 too).
 */
#define RL_TABLE_LOCKS	1024

/* One CPU's share of a preallocated table's free entries. */
struct rl_pool {
	spinlock_t lock;		/* BH context */
	struct rl_entry *head;		/* linked by free_next */
};

/*
 * One CPU's overflow states, one per algorithm (see split_rate() in
 * rules.c).  Only the packet path touches them, on their own CPU with
 * bottom halves off: no lock.
 */
struct rl_overflow {
	union rl_state state[__NF_RL_ALGO_MAX];
};

struct rl_table {
	/* Read by every packet, written rarely (control plane, GC's start). */
	struct rl_ruleset __rcu *rules;	/* replaced whole, under lock */
	struct hlist_nulls_head *buckets;	/* cfg.buckets of them */
	u32 mask;			/* cfg.buckets - 1 */
	u32 nlocks_mask;		/* locks[] has nlocks_mask + 1 */
	struct rl_hash hash;		/* keyed, per table */
	struct rl_pcpu_stats __percpu *stats;
	struct rl_table_cfg cfg;
	bool gc_enabled;
	rl_table_notify_t notify;	/* NULL: no events */
	spinlock_t *locks;		/* of the buckets; BH context */
	/*
	 * New sources are charged to these when the table is full (policy
	 * shared): per CPU, one per algorithm so that a rule of one never
	 * resets another's state, each at its rule's overflow_rate.
	 */
	struct rl_overflow __percpu *overflow;
	struct mutex lock;		/* serialises control-plane writers */

	/*
	 * Written on every new source: kept off the lines every packet reads,
	 * so that a flood of new sources does not bounce them between CPUs.
	 */
	atomic_t nentries ____cacheline_aligned_in_smp;
	atomic_t generation;		/* bumped on every insert and removal */

	/*
	 * With prealloc: the pools new entries come from and freed ones go
	 * back to, the entries the table owns (pooled, linked or waiting to be
	 * freed) and how many it keeps, max_entries (changed under lock).
	 */
	struct rl_pool __percpu *pool;	/* NULL: entries from the slab */
	atomic_t owned;
	u32 pool_target;

	struct delayed_work gc_work;
	atomic64_t gc_runs;
	atomic64_t gc_freed;
	/* Removes timed rules when the earliest of them expires. */
	struct delayed_work expire_work;
	atomic64_t rules_expired;
	atomic64_t owner_rules_refused;
};

/*
 * A place in a walk of a table's entries, which survives leaving the RCU
 * read side: the walk resumes there however the table changed meanwhile.
 * Buckets never move, so an entry present for the whole walk is seen once,
 * unless entries before it in its bucket went while the walk was paused
 * there (it is then skipped) or came (an entry is seen twice).  Netlink
 * dumps flag both through the table's generation.
 */
struct rl_table_iter {
	u32 bucket;			/* the bucket the walk stands in */
	u32 skip;			/* entries of it already walked */
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
u64 rl_table_coarse_ns(void);
bool rl_table_charge(struct rl_table *t, const struct rl_key *src,
		     struct rl_pkt_in *pkt, unsigned int len);
bool rl_table_charge_at(struct rl_table *t, const struct rl_key *src,
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
const char *rl_table_full_policy_name(enum nf_rl_full_policy policy);
int rl_table_full_policy_lookup(const char *name);
void rl_table_read_limits(struct rl_table *t, struct rl_limits *lim);
int rl_table_reserve(struct rl_table *t, u32 max_entries);
void rl_table_set_limits(struct rl_table *t, const struct rl_limits *lim);
struct rl_ruleset *rl_table_rules(struct rl_table *t);
const struct rl_ruleset *rl_table_rules_rcu(struct rl_table *t);
void rl_table_set_rules(struct rl_table *t, struct rl_ruleset *rules);
int rl_table_expire_rules(struct rl_table *t, u64 now);
void rl_table_count_refused(struct rl_table *t);

struct rl_entry *rl_table_iter_peek(struct rl_table *t,
				    struct rl_table_iter *it);

/**
 * rl_table_iter_next() - step a walk past the entry it stands on
 * @it: the walk
 */
static inline void rl_table_iter_next(struct rl_table_iter *it)
{
	it->skip++;
}

#endif /* _NF_RL_TABLE_H */
