// SPDX-License-Identifier: GPL-2.0
/*
 * The per-namespace table of sources.
 *
 * A hash table of a size fixed at load (the buckets parameter), as
 * conntrack's and xt_hashlimit's are: chains of hlist_nulls, looked up under
 * RCU with no lock, with the keyed hash and the key compare inlined into the
 * packet path.  rhashtable, which this replaced, calls its hash and compare
 * functions indirectly (a retpoline each on distribution kernels) and brings
 * resizing, paused walks and an element count the packet path did not need:
 * leaving it saved 80 instructions a packet of a known source, 200 with one
 * packet in three from a new one (make bench).  The price is buckets * 8
 * bytes of bucket heads per namespace from its creation.
 *
 * Each entry has its own spinlock for the limiter's update.  New sources are
 * inserted under the lock of their bucket (one of RL_TABLE_LOCKS), which
 * re-checks for the key, so two CPUs seeing a new source's first packets at
 * once create one entry; CPUs inserting other sources do not wait.
 *
 * Memory is bounded by a count of entries reserved before every insert and
 * by deferrable garbage collection, which walks the buckets under RCU and
 * unlinks idle entries under their bucket's lock, rescheduling between
 * batches; it never locks the whole table.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/indirect_call_wrapper.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rculist_nulls.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "algo.h"
#include "compat.h"
#include "rules.h"
#include "table.h"

enum {
	RL_GC_INTERVAL = HZ,
	RL_GC_BATCH = 256,		/* buckets between cond_resched() */
};

static struct kmem_cache *entry_cache __read_mostly;

/*
 * New entries come from a stash per CPU, refilled RL_STASH at a time by
 * kmem_cache_alloc_bulk(), as NAPI takes its skb heads (napi_skb_cache_get()):
 * one trip into the slab allocator per refill instead of one per new source
 * (make bench's microbenchmark: a new source's decision 904 instructions
 * with kmem_cache_alloc(), 814 with the stash).  Only the packet path takes
 * from it, with bottom halves off; at most RL_STASH entries a CPU wait
 * there, and go back to the cache at unload.
 */
enum { RL_STASH = 32 };

struct rl_stash {
	unsigned int n;
	void *entries[RL_STASH];
};

static DEFINE_PER_CPU(struct rl_stash, stash);

static struct rl_entry *stash_get(void)
{
	struct rl_stash *st = this_cpu_ptr(&stash);

	if (unlikely(!st->n)) {
		st->n = kmem_cache_alloc_bulk(entry_cache, GFP_ATOMIC, RL_STASH,
					      st->entries);
		if (!st->n)
			return NULL;
	}
	return st->entries[--st->n];
}

/*
 * Preallocation (the prealloc parameter): a table's max_entries entries are
 * allocated when it is made, as BPF's hash maps preallocate theirs, into
 * pools, one per CPU, each with its lock.  A new source then takes an entry
 * from its CPU's pool with no trip into the slab allocator (make bench's
 * microbenchmark: a new source's decision 654 -> 399 instructions, a known
 * one's 270; the slab's own work, the zeroing of its new pages above all,
 * was the difference), and a flood of new sources can never meet an
 * allocation failure.  A CPU whose pool is empty takes a batch from
 * another's.  Freed entries go back to the pool of the CPU that frees them.
 * The price is max_entries * 128 bytes per namespace from its creation,
 * used or not.
 */
enum { RL_POOL_BATCH = 32, RL_POOL_FILL = 64 };

/* Up to @max entries off @p, linked; *last is the last of them. */
static unsigned int pool_take(struct rl_pool *p, unsigned int max,
			      struct rl_entry **first, struct rl_entry **last)
{
	unsigned int n = 0;

	spin_lock(&p->lock);
	*first = p->head;
	for (; n < max && p->head; n++) {
		*last = p->head;
		p->head = p->head->free_next;
	}
	spin_unlock(&p->lock);
	return n;
}

/* Puts the entries @first to @last, linked already, into @p. */
static void pool_add(struct rl_pool *p, struct rl_entry *first,
		     struct rl_entry *last)
{
	spin_lock(&p->lock);
	last->free_next = p->head;
	p->head = first;
	spin_unlock(&p->lock);
}

/* An entry for a new source, on the packet path. */
static struct rl_entry *pool_get(struct rl_table *t)
{
	struct rl_pool *own = this_cpu_ptr(t->pool);
	struct rl_entry *first, *last;
	int cpu;

	if (likely(pool_take(own, 1, &first, &last)))
		return first;
	for_each_possible_cpu(cpu) {
		struct rl_pool *p = per_cpu_ptr(t->pool, cpu);
		unsigned int n;

		if (p == own || !READ_ONCE(p->head))
			continue;
		n = pool_take(p, RL_POOL_BATCH, &first, &last);
		if (!n)
			continue;
		if (n > 1)
			pool_add(own, first->free_next, last);
		return first;
	}
	return NULL;
}

/* pool_add() from process context too. */
static void pool_add_bh(struct rl_pool *p, struct rl_entry *first,
			struct rl_entry *last)
{
	local_bh_disable();
	pool_add(p, first, last);
	local_bh_enable();
}

/* Puts the entries @first to @last into this CPU's pool, from any context. */
static void pool_put(struct rl_table *t, struct rl_entry *first,
		     struct rl_entry *last)
{
	local_bh_disable();
	pool_add(this_cpu_ptr(t->pool), first, last);
	local_bh_enable();
}

/*
 * Allocates @n entries the table will own, into the pools of the CPUs in
 * turn.  Process context.  Returns 0, or -ENOMEM with what was allocated
 * before the failure kept (pool_trim() takes it back).
 */
static int pool_fill(struct rl_table *t, u32 n)
{
	void *objs[RL_POOL_FILL];
	int cpu = -1;

	while (n) {
		unsigned int got, i;

		got = kmem_cache_alloc_bulk(entry_cache,
					    GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
					    __GFP_RETRY_MAYFAIL,
					    min_t(u32, n, RL_POOL_FILL), objs);
		if (!got)
			return -ENOMEM;
		for (i = 0; i + 1 < got; i++)
			((struct rl_entry *)objs[i])->free_next = objs[i + 1];
		cpu = cpumask_next(cpu, cpu_possible_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_possible_mask);
		pool_add_bh(per_cpu_ptr(t->pool, cpu), objs[0], objs[got - 1]);
		atomic_add(got, &t->owned);
		n -= got;
		cond_resched();
	}
	return 0;
}

/*
 * Whether the table owns more entries than it keeps; if so, counts one fewer
 * for the caller to free.  Reclaim and pool_trim() may race here.
 */
static bool owned_surplus_dec(struct rl_table *t)
{
	int owned = atomic_read(&t->owned);

	do {
		if (owned <= (int)READ_ONCE(t->pool_target))
			return false;
	} while (!atomic_try_cmpxchg(&t->owned, &owned, owned - 1));
	return true;
}

/* Frees pooled entries while the table owns more than it keeps. */
static void pool_trim(struct rl_table *t)
{
	struct rl_entry *first, *last, *e;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct rl_pool *p = per_cpu_ptr(t->pool, cpu);
		unsigned int n;

		do {
			local_bh_disable();
			n = pool_take(p, RL_POOL_FILL, &first, &last);
			local_bh_enable();
			for (; n; n--) {
				e = first;
				if (!owned_surplus_dec(t)) {
					/* Enough freed: e to last go back. */
					pool_add_bh(p, e, last);
					return;
				}
				first = e->free_next;
				kmem_cache_free(entry_cache, e);
			}
			cond_resched();
		} while (READ_ONCE(p->head) &&
			 atomic_read(&t->owned) > (int)READ_ONCE(t->pool_target));
	}
}

static struct rl_entry *entry_alloc(struct rl_table *t)
{
	return t->pool ? pool_get(t) : stash_get();
}

/*
 * An entry no reader can hold any more (never linked, or a grace period
 * after it was unlinked) goes back to its pool, or to the slab when the
 * table owns more than it keeps (max_entries was lowered) or has no pool.
 */
static void entry_free(struct rl_table *t, struct rl_entry *e)
{
	if (t->pool && !owned_surplus_dec(t))
		pool_put(t, e, e);
	else
		kmem_cache_free(entry_cache, e);
}

/* rl_table_coarse_ns() less jiffies' time: set at load. */
static u64 coarse_base_ns __read_mostly;

/*
 * The bucket of a key: a keyed hash (hsiphash, with the table's own random
 * key), so that no one outside can aim sources at one bucket.  Most keys
 * are a source under a source rule (no selector, no port): an IPv4 one is
 * hashed as its one address word, an IPv6 one as its four.  Their prefix
 * length is left out: one address masked to each length some rule
 * aggregates by can share a bucket, 33 or 129 keys at most, however the
 * sources are chosen.  Other keys hash all six words, with a different
 * function, so they do not collide with those more than at random.
 */
static __always_inline u32 key_hash(const struct rl_table *t,
				    const struct rl_key *k)
{
	if (likely(!(k->sel | k->port))) {
		if (k->family == NFPROTO_IPV4)
			return rl_hash_1u32(&t->hash, (__force u32)k->addr.v4);
		return hsiphash_4u32(k->addr.w[0], k->addr.w[1], k->addr.w[2],
				     k->addr.w[3], &t->hash.key);
	}
	BUILD_BUG_ON(sizeof(*k) != 24 || __alignof__(*k) < HSIPHASH_ALIGNMENT);
	return hsiphash(k, sizeof(*k), &t->hash.key);
}

static __always_inline struct hlist_nulls_head *bucket(const struct rl_table *t,
						       u32 hash)
{
	return &t->buckets[hash & t->mask];
}

static spinlock_t *bucket_lock(const struct rl_table *t, u32 hash)
{
	/* nlocks_mask <= mask: the lock of a bucket is its number's low bits. */
	return &t->locks[hash & t->nlocks_mask];
}

/*
 * The entry of @key in the bucket of @hash, under RCU or its bucket's lock.
 * An entry is freed only after a grace period and never moves to another
 * chain, so a walk always ends on its own bucket's nulls marker; checking
 * that marker is what would make entries from a SLAB_TYPESAFE_BY_RCU cache
 * safe too.
 */
static __always_inline struct rl_entry *find(const struct rl_table *t,
					     const struct rl_key *key, u32 hash)
{
	const struct hlist_nulls_node *n;
	struct rl_entry *e;

	hlist_nulls_for_each_entry_rcu(e, n, bucket(t, hash), node)
		if (rl_key_equal(&e->key, key))
			return e;
	return NULL;
}

/*
 * The slab's constructor: the lock is initialised once, when the slab
 * allocator makes the object, and is unlocked whenever the entry is freed.
 * A cache with a constructor is also one that init_on_alloc (on in Debian's
 * kernels) does not zero on each allocation: entry_init() writes every field
 * the entry is read by, so that zeroing was redundant (make bench's
 * microbenchmark: a new source 798 -> 750 instructions).  SLUB then keeps
 * its free pointer after the object, not in it: struct rl_entry leaves it
 * the 8 bytes that keep a slot at 128.
 */
static void entry_ctor(void *obj)
{
	struct rl_entry *e = obj;

	spin_lock_init(&e->lock);
}

static void entry_init(struct rl_entry *e, const struct rl_key *key,
		       const struct rl_rule *rule, u64 now)
{
	e->key = *key;
	e->limited = false;
	e->algo = rule->algo;
	rl_algo_get(rule->algo)->init(&e->state, &rule->rate, now);
	memset(e->packets_lo, 0, sizeof(e->packets_lo));
	memset(e->bytes_lo, 0, sizeof(e->bytes_lo));
	memset(e->packets_hi, 0, sizeof(e->packets_hi));
	memset(e->bytes_hi, 0, sizeof(e->bytes_hi));
}

/*
 * Counts a packet of @len bytes as @verdict (RL_PASSED or RL_DROPPED), under
 * the entry's lock.  The low counters share the first cache line with all
 * else a packet touches; what they carry goes to the second, once every 256
 * packets or 4 GiB.
 */
static __always_inline void entry_count(struct rl_entry *e, int verdict,
					unsigned int len)
{
	if (unlikely(!++e->packets_lo[verdict]))
		e->packets_hi[verdict] += 1 << BITS_PER_TYPE(u8);
	if (unlikely(check_add_overflow(e->bytes_lo[verdict], len,
					&e->bytes_lo[verdict])))
		e->bytes_hi[verdict] += 1ULL << BITS_PER_TYPE(u32);
}

/* Packets counted as @verdict, under the entry's lock. */
static u64 entry_packets(const struct rl_entry *e, int verdict)
{
	return e->packets_hi[verdict] + e->packets_lo[verdict];
}

/* Bytes counted as @verdict, under the entry's lock. */
static u64 entry_bytes(const struct rl_entry *e, int verdict)
{
	return e->bytes_hi[verdict] + e->bytes_lo[verdict];
}

/*
 * Whether the table holds max_entries: one unlocked read, which the caller
 * makes before entry_create() (and its call), so that a spoofed flood
 * against a full table stops there, with no second lookup, as cheaply as it
 * can.  A packet of a source that another CPU inserted in the instant since
 * this one's lookup missed is then charged as a new source the table cannot
 * hold, once.
 */
static __always_inline bool table_full(const struct rl_table *t)
{
	return atomic_read(&t->nentries) >=
	       READ_ONCE(t->cfg.limits.max_entries);
}

/*
 * Returns the entry for @key, which a racing CPU may have inserted first,
 * NULL when the table is full, or ERR_PTR(-ENOMEM).  Inserts lock the bucket
 * and re-check for the key under its lock, so the first packets of one
 * source racing on two CPUs create one entry.  A place is reserved in the
 * count before the insert, so the table never holds more than max_entries.
 */
static struct rl_entry *entry_create(struct rl_table *t,
				     const struct rl_key *key, u32 hash,
				     const struct rl_rule *rule, u64 now)
{
	u32 max_entries = READ_ONCE(t->cfg.limits.max_entries);
	struct rl_entry *e, *new;
	spinlock_t *lock;		/* of its bucket */

	new = entry_alloc(t);
	if (unlikely(!new))
		return ERR_PTR(-ENOMEM);
	entry_init(new, key, rule, now);

	lock = bucket_lock(t, hash);
	spin_lock(lock);
	e = find(t, key, hash);
	if (e)
		goto unlock_free;	/* inserted by a racing CPU */
	if (atomic_inc_return(&t->nentries) > max_entries) {
		atomic_dec(&t->nentries);
		goto unlock_free;	/* the other CPUs filled it */
	}
	hlist_nulls_add_head_rcu(&new->node, bucket(t, hash));
	atomic_inc(&t->generation);
	spin_unlock(lock);

	if (READ_ONCE(t->gc_enabled) && !delayed_work_pending(&t->gc_work))
		queue_delayed_work(system_power_efficient_wq, &t->gc_work,
				   RL_GC_INTERVAL);
	return new;

unlock_free:
	spin_unlock(lock);
	entry_free(t, new);
	return e;
}

/* Why a packet passes or not, beyond its bucket's verdict. */
enum {
	RL_WHY_BUCKET = 0,
	RL_WHY_FULL = BIT(0),		/* its source found the table full */
	RL_WHY_NOMEM = BIT(1),		/* its entry could not be allocated */
	RL_WHY_RULE = BIT(2),		/* an allow or deny rule, no bucket */
};

/*
 * Counts the verdict and applies dry_run; returns whether to pass.  passed,
 * dropped and dry_run_dropped count every packet; allowed and denied say how
 * many of them a rule decided without a bucket.
 */
static __always_inline bool account(struct rl_table *t, bool conforms,
				    unsigned int why)
{
	struct rl_pcpu_stats *s = this_cpu_ptr(t->stats);
	bool dry_run = READ_ONCE(t->cfg.limits.dry_run);

	u64_stats_update_begin(&s->syncp);
	if (conforms)
		u64_stats_inc(&s->passed);
	else if (dry_run)
		u64_stats_inc(&s->dry_run_dropped);
	else
		u64_stats_inc(&s->dropped);
	if (unlikely(why)) {
		if (why & RL_WHY_RULE)
			u64_stats_inc(conforms ? &s->allowed : &s->denied);
		if (why & RL_WHY_FULL)
			u64_stats_inc(&s->table_full);
		if (why & RL_WHY_NOMEM)
			u64_stats_inc(&s->alloc_failed);
	}
	u64_stats_update_end(&s->syncp);

	return conforms || dry_run;
}

static void report(struct rl_table *t, enum nf_rl_event_type type,
		   const struct rl_key *source, const struct rl_rule *rule,
		   u64 dropped)
{
	rl_table_notify_t fn = READ_ONCE(t->notify);
	struct rl_event ev = {
		.type = type,
		.source = *source,
		.rule = rule->match,
		.sel = &rule->sel,
		.dropped = dropped,
	};

	if (fn)
		fn(t, &ev);
}

/**
 * rl_table_lookup() - find the entry of a source
 * @t: table
 * @key: masked source
 *
 * Context: RCU read side; the entry is valid until it ends.
 * Return: the entry, or NULL.
 */
struct rl_entry *rl_table_lookup(struct rl_table *t, const struct rl_key *key)
{
	return find(t, key, key_hash(t, key));
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_lookup);

/*
 * Charges @s at @rate for a packet of @len bytes under @rule: the default
 * algorithm inline, the others by a direct call where an indirect one costs
 * a retpoline.  Returns whether the packet conforms.
 */
static __always_inline bool state_charge(union rl_state *s,
					 const struct rl_rule *rule,
					 const struct rl_rate *rate, u64 now,
					 unsigned int len)
{
	u64 amount = rl_algo_amount(rule->unit, len);

	if (likely(rule->algo == NF_RL_ALGO_TOKEN_BUCKET))
		return rl_bucket_take(&s->tb, rate, now, amount);
	return INDIRECT_CALL_2(rl_algo_get(rule->algo)->charge, rl_gcra_charge,
			       rl_swin_charge, s, rate, now, amount);
}

/*
 * A new source the table cannot hold, under full policy shared: charged to
 * this CPU's overflow state of its rule's algorithm, at the rule's overflow
 * rate, a state that stands for no one source, counts nothing and reports
 * nothing.  No lock: each CPU's states are its own, and only the packet
 * path, with bottom halves off, touches them (on PREEMPT_RT too, where a
 * CPU's bottom-half sections exclude each other).  Inline: out of line,
 * its call and frame made a packet of a spoofed flood against a full table
 * cost about what a known source's does (make bench's microbenchmark, 65,536
 * sources: 272 and 276 instructions); inline, 249, where the known source's
 * stays at 275.
 */
static __always_inline bool charge_overflow(struct rl_table *t,
					    const struct rl_rule *rule, u64 now,
					    unsigned int len)
{
	return state_charge(&this_cpu_ptr(t->overflow)->state[rule->algo],
			    rule, &rule->overflow_rate, now, len);
}

/*
 * A source is limited from its first dropped packet until its state owes
 * nothing (a full bucket), which takes a whole burst window within its rate:
 * so a source hovering around its rate is not reported on every other packet.
 * A rule whose algorithm changed starts its sources afresh.
 *
 * Returns whether the packet conforms; *why gains why it did or did not
 * beyond its bucket's verdict.  Inlined into both its callers: out of line
 * (the compiler's choice once there were two) it cost a source-only packet
 * a call, a frame and its spills, which make bench counted.
 */
static __always_inline bool charge_entry(struct rl_table *t,
					 const struct rl_key *key,
					 const struct rl_rule *rule, u64 now,
					 unsigned int len, unsigned int *why)
{
	const struct rl_algo_ops *ops = rl_algo_get(rule->algo);
	const struct rl_rate *rate = &rule->rate;
	bool conforms, released = false, limited = false;
	u32 hash = key_hash(t, key);
	struct rl_entry *e;
	u64 dropped = 0;

	e = find(t, key, hash);
	if (unlikely(!e)) {
		e = table_full(t) ? NULL : entry_create(t, key, hash, rule, now);
		if (IS_ERR_OR_NULL(e)) {
			*why |= !e || PTR_ERR(e) != -ENOMEM ? RL_WHY_FULL : RL_WHY_NOMEM;
			switch (READ_ONCE(t->cfg.limits.full_policy)) {
			case NF_RL_FULL_DROP:
				return false;
			case NF_RL_FULL_ACCEPT:
				return true;
			default:
				return charge_overflow(t, rule, now, len);
			}
		}
	}

	spin_lock(&e->lock);
	if (unlikely(e->algo != rule->algo)) {
		e->algo = rule->algo;
		ops->init(&e->state, rate, now);
	}
	if (unlikely(e->limited) && ops->full(&e->state, rate, now)) {
		e->limited = false;
		released = true;
	}
	conforms = state_charge(&e->state, rule, rate, now, len);
	if (conforms) {
		entry_count(e, RL_PASSED, len);
	} else {
		entry_count(e, RL_DROPPED, len);
		limited = !e->limited;
		e->limited = true;
	}
	if (unlikely(released || limited))
		dropped = entry_packets(e, RL_DROPPED);
	spin_unlock(&e->lock);

	if (unlikely(released || limited))
		report(t, limited ? NF_RL_EVENT_LIMITED : NF_RL_EVENT_RELEASED,
		       key, rule, dropped);
	return conforms;
}

/* The key of @src's state under a limit rule. */
static const struct rl_key *rule_key(const struct rl_rule *rule,
				     const struct rl_key *src,
				     const struct rl_pkt_in *pkt,
				     struct rl_key *buf)
{
	/* Sources under source rules are usually their own key: no copy. */
	if (!rule->match.sel && rule->agg_prefix == src->prefix)
		return src;
	rl_key_mask(buf, src, rule->agg_prefix);
	buf->sel = rule->match.sel;
	/* A per-port selector matched, so the packet had its port parsed. */
	if (rule->sel.flags & RL_SEL_PER_PORT)
		buf->port = pkt->facts.dport;
	return buf;
}

/* rl_table_coarse_ns(), inline for the packet path. */
static __always_inline u64 coarse_ns(void)
{
	return coarse_base_ns + get_jiffies_64() * TICK_NSEC;
}

/**
 * rl_table_coarse_ns() - ktime_get_ns() as of the last tick, or a tick before
 *
 * jiffies advances with the monotonic clock a tick at a time
 * (tick_do_update_jiffies64() counts ticks from ktime), so the two differ by
 * a constant, measured at load: one load and a multiply, where
 * ktime_get_ns() costs some 55 instructions.  Never ahead of ktime_get_ns(),
 * at most two ticks behind it.
 *
 * Context: any.
 * Return: the time in ns.
 */
u64 rl_table_coarse_ns(void)
{
	return coarse_ns();
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_coarse_ns);

/*
 * A packet some selector rule may see: every rule that applies decides
 * (rl_rules_match_packet()).  A deny drops it, else an allow passes it,
 * else it is charged under each limit rule in turn, selectors' first, and
 * stops at the first that does not conform: a packet dropped for its SSH
 * limit does not also use up its source's general allowance.  Out of line:
 * inlined, its arrays on the stack cost every packet a stack canary.
 */
static noinline bool charge_packet(struct rl_table *t,
				   const struct rl_ruleset *rs,
				   const struct rl_key *src,
				   struct rl_pkt_in *pkt, unsigned int len,
				   u64 now, bool read_clock)
{
	const struct rl_rule *rules[RL_RULES_PER_PACKET];
	unsigned int n, i, why = RL_WHY_BUCKET;
	bool allow = false;
	struct rl_key buf;

	n = rl_rules_match_packet(rs, src, pkt, rules);
	for (i = 0; i < n; i++) {
		if (rules[i]->action == NF_RL_ACTION_DENY)
			return account(t, false, RL_WHY_RULE);
		allow |= rules[i]->action == NF_RL_ACTION_ALLOW;
	}
	if (allow || !n)
		return account(t, true, RL_WHY_RULE);
	if (read_clock) {
		bool coarse = true;

		for (i = 0; i < n; i++)
			coarse &= rules[i]->coarse_clock;
		now = coarse ? coarse_ns() : ktime_get_ns();
	}
	for (i = 0; i < n; i++) {
		const struct rl_rule *rule = rules[i];

		if (!charge_entry(t, rule_key(rule, src, pkt, &buf), rule, now,
				  len, &why))
			return account(t, false, why);
	}
	return account(t, true, why);
}

/*
 * A source under a rule that aggregates it (a prefix shorter than its
 * address): charged under its masked key.  Out of line, so that the key's
 * copy on the stack does not cost every other packet a stack canary and
 * the zeroing of INIT_STACK_ALL_ZERO kernels (Debian's), 10 instructions.
 */
static noinline bool charge_aggregate(struct rl_table *t,
				      const struct rl_rule *rule,
				      const struct rl_key *src,
				      unsigned int len, u64 now)
{
	unsigned int why = RL_WHY_BUCKET;
	struct rl_key buf;
	bool conforms;

	rl_key_mask(&buf, src, rule->agg_prefix);
	conforms = charge_entry(t, &buf, rule, now, len, &why);
	return account(t, conforms, why);
}

/*
 * Without selector rules for @src's family, the most specific rule covering
 * @src decides: allow passes, deny drops, and limit charges the state of
 * @src masked to the rule's aggregation prefix, with the rule's algorithm at
 * its rate: one unit, or @len for a byte rate.  A source no rule covers
 * passes.  With selectors, see charge_packet().  With @read_clock, @now is
 * read here, once a limit applies (allowed, denied and unmatched packets do
 * without it), at the tick's time where the rule allows it (coarse_enough()
 * in rules.c).  ktime_get_coarse_ns() and local_clock() were measured too:
 * they cost what ktime_get_ns() does, within 5 instructions.
 */
static __always_inline bool decide(struct rl_table *t,
				   const struct rl_key *src,
				   struct rl_pkt_in *pkt, unsigned int len,
				   u64 now, bool read_clock)
{
	const struct rl_ruleset *rs = rcu_dereference(t->rules);
	const struct rl_rule *rule;
	unsigned int why = RL_WHY_BUCKET;
	bool conforms;

	lockdep_assert_in_softirq();
	if (unlikely(rs->nselectors[src->family == NFPROTO_IPV6]))
		return charge_packet(t, rs, src, pkt, len, now, read_clock);
	rule = rl_rules_match_source(rs, src);
	if (!rule || rule->action == NF_RL_ACTION_ALLOW)
		return account(t, true, RL_WHY_RULE);
	if (rule->action == NF_RL_ACTION_DENY)
		return account(t, false, RL_WHY_RULE);
	if (read_clock)
		now = rule->coarse_clock ? coarse_ns() : ktime_get_ns();
	/* No selector rule here: the key is the source, masked or not. */
	if (rule->agg_prefix != src->prefix)
		return charge_aggregate(t, rule, src, len, now);
	conforms = charge_entry(t, src, rule, now, len, &why);
	return account(t, conforms, why);
}

/**
 * rl_table_charge() - decide the fate of one packet
 * @t: table
 * @src: the packet's source, as a full-length key (prefix 32 or 128)
 * @pkt: the packet, for rules with selectors
 * @len: the packet's length in bytes
 *
 * The rules decide (see decide()); the clock is read only for a limit.
 *
 * Context: packet path: RCU read side with bottom halves disabled.
 * Return: true to pass the packet, false to drop it.
 */
bool rl_table_charge(struct rl_table *t, const struct rl_key *src,
		     struct rl_pkt_in *pkt, unsigned int len)
{
	return decide(t, src, pkt, len, 0, true);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_charge);

/**
 * rl_table_charge_at() - rl_table_charge() at a given time
 * @t: table
 * @src: the packet's source, as a full-length key (prefix 32 or 128)
 * @pkt: the packet, for rules with selectors
 * @len: the packet's length in bytes
 * @now: the time in ns, a test's clock
 *
 * Context: RCU read side with bottom halves disabled.
 * Return: true to pass the packet, false to drop it.
 */
bool rl_table_charge_at(struct rl_table *t, const struct rl_key *src,
			struct rl_pkt_in *pkt, unsigned int len, u64 now)
{
	return decide(t, src, pkt, len, now, false);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_charge_at);

/* The limit rule an entry is charged under now, or NULL. */
static const struct rl_rule *entry_rule(struct rl_table *t, struct rl_entry *e)
{
	const struct rl_ruleset *rs = rcu_dereference(t->rules);
	const struct rl_rule *rule;

	/*
	 * A source rule's entry, masked or not, as the packet path finds its
	 * rule: with a /0 rule its family's only source rule, that pointer
	 * (GC asks this of every idle entry).
	 */
	rule = e->key.sel ? rl_rules_match(rs, &e->key) :
			    rl_rules_match_source(rs, &e->key);
	return rule && rule->action == NF_RL_ACTION_LIMIT ? rule : NULL;
}

/*
 * An entry is idle once it has been quiet for as long as its bucket takes to
 * refill at its rule's rate (at least the table's idle time) and its
 * algorithm owes nothing (a sliding window remembers a second window):
 * forgetting it then changes nothing a later packet sees.  An entry no
 * limit rule governs any more, or whose rule changed algorithm, is idle
 * after the table's idle time.  A limited entry that goes idle is released.
 *
 * The idle time (idle_timeout, 10 s by default as xt_hashlimit's expiry)
 * is what keeps a full table from churning under a spoofed flood: each
 * entry GC frees there goes at once to another spoofed source, which costs
 * an entry's creation and, later, its freeing, while a client that paused
 * for a few seconds would lose its entry to the flood.  With a 1 s floor,
 * make bench's spoofed flood against a full table cost 15-20 instructions a
 * packet more than its 65,536 sources (GC freed and the flood refilled the
 * table within the run); with 10 s, none.
 */
static bool entry_idle(struct rl_table *t, struct rl_entry *e, u64 now)
{
	const u64 floor_ns = (u64)t->cfg.idle_s * NSEC_PER_SEC;
	u64 idle_ns = floor_ns, last, dropped;
	const struct rl_rule *rule;
	bool limited, owes = false;

	/*
	 * Most entries of a busy table were seen within the shortest idle
	 * time: skip them without the rule lookup and the lock.  A stale read
	 * only delays freeing to the next pass; the decision is taken again
	 * under the lock below.
	 */
	last = rl_state_last_ns(&e->state);
	if (now <= last || now - last <= floor_ns)
		return false;
	rule = entry_rule(t, e);
	if (rule)
		idle_ns = max(idle_ns, rule->rate.fill_ns);
	spin_lock_bh(&e->lock);
	last = rl_state_last_ns(&e->state);
	limited = e->limited;
	dropped = entry_packets(e, RL_DROPPED);
	if (rule && rule->algo == e->algo)
		owes = !rl_algo_get(e->algo)->full(&e->state, &rule->rate, now);
	if (owes || !(now > last && now - last > idle_ns)) {
		spin_unlock_bh(&e->lock);
		return false;
	}
	e->limited = false;
	spin_unlock_bh(&e->lock);
	if (limited && rule)
		report(t, NF_RL_EVENT_RELEASED, &e->key, rule, dropped);
	return true;
}

/*
 * Tells listeners that the source of @e, just unlinked by a flush or a
 * delete, is no longer limited: without it they would think it limited for
 * ever.  (GC releases what it finds idle in entry_idle().)  An entry that no
 * limit rule governs any more is not reported, as in GC.
 */
static void entry_release(struct rl_table *t, struct rl_entry *e)
{
	const struct rl_rule *rule = entry_rule(t, e);
	bool limited;
	u64 dropped;

	spin_lock_bh(&e->lock);
	limited = e->limited;
	dropped = entry_packets(e, RL_DROPPED);
	e->limited = false;
	spin_unlock_bh(&e->lock);
	if (limited && rule)
		report(t, NF_RL_EVENT_RELEASED, &e->key, rule, dropped);
}

/*
 * Unlinks @e, found in bucket @b; false if already gone (GC, a flush or a
 * delete got there first).  Its link stays for walks under RCU that stand
 * on it; its pprev, cleared, says it is unlinked.  The caller hands it to
 * entries_reclaim().  A walk knows the bucket, so GC does not hash each key
 * again (65,536 keyed hashes for each pass that empties a full table).
 */
static bool entry_remove(struct rl_table *t, struct rl_entry *e, u32 b)
{
	spinlock_t *lock = bucket_lock(t, b);	/* same low bits as the hash */
	bool linked;

	spin_lock_bh(lock);
	linked = !hlist_nulls_unhashed(&e->node);
	if (linked)
		hlist_nulls_del_init_rcu(&e->node);
	spin_unlock_bh(lock);
	if (!linked)
		return false;
	atomic_inc(&t->generation);
	return true;
}

/*
 * Frees unlinked entries, linked by free_next, once a grace period has
 * passed: one wait for a whole GC pass or flush, where a call_rcu() per
 * entry could not tell the pool of the table it came from; then one
 * kmem_cache_free_bulk() per 64, or one pool insertion for them all.  They
 * count against max_entries until then, so that with prealloc a table that
 * is not full always has an entry in its pools.
 */
static void entries_reclaim(struct rl_table *t, struct rl_entry *list)
{
	struct rl_entry *e, *keep = NULL, *keep_last = NULL;
	void *objs[RL_POOL_FILL];
	unsigned int n = 0, nfree = 0;

	if (!list)
		return;
	synchronize_rcu();
	while (list) {
		e = list;
		list = e->free_next;
		n++;
		if (t->pool && !owned_surplus_dec(t)) {
			/* Kept: back to a pool, all in one go below. */
			e->free_next = keep;
			keep = e;
			keep_last = keep_last ?: e;
			continue;
		}
		objs[nfree++] = e;
		if (nfree == ARRAY_SIZE(objs)) {
			kmem_cache_free_bulk(entry_cache, nfree, objs);
			nfree = 0;
		}
	}
	if (nfree)
		kmem_cache_free_bulk(entry_cache, nfree, objs);
	if (keep)
		pool_put(t, keep, keep_last);
	atomic_sub(n, &t->nentries);
}

/*
 * Removes the entries that are idle at @now, or all of them when @all.  The
 * walk holds only RCU, a bucket at a time, and reschedules every
 * RL_GC_BATCH buckets; each removal locks one bucket.  An entry unlinked
 * under the walk keeps its link until a grace period has passed, so the
 * walk goes on from it.
 */
static unsigned int remove_entries(struct rl_table *t, u64 now, bool all)
{
	const struct hlist_nulls_node *n;
	struct rl_entry *e, *removed = NULL;
	unsigned int nremoved = 0;
	u32 b;

	might_sleep();
	for (b = 0; b <= t->mask; b++) {
		rcu_read_lock();
		hlist_nulls_for_each_entry_rcu(e, n, &t->buckets[b], node) {
			if (!all && !entry_idle(t, e, now))
				continue;
			if (!entry_remove(t, e, b))
				continue;
			if (all)
				entry_release(t, e);
			e->free_next = removed;
			removed = e;
			nremoved++;
		}
		rcu_read_unlock();
		if (b % RL_GC_BATCH == RL_GC_BATCH - 1)
			cond_resched();
	}
	entries_reclaim(t, removed);
	return nremoved;
}

/**
 * rl_table_iter_peek() - the entry a walk stands on
 * @t: table
 * @it: the walk, zeroed to start from the first entry
 *
 * Context: RCU read side; the entry is valid until it ends.
 * Return: the entry, or NULL once the walk has passed the last bucket.
 */
struct rl_entry *rl_table_iter_peek(struct rl_table *t,
				    struct rl_table_iter *it)
{
	const struct hlist_nulls_node *n;
	struct rl_entry *e;

	for (; it->bucket <= t->mask; it->bucket++, it->skip = 0) {
		u32 i = 0;

		hlist_nulls_for_each_entry_rcu(e, n, &t->buckets[it->bucket],
					       node)
			if (i++ == it->skip)
				return e;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_iter_peek);

/**
 * rl_table_gc() - free the entries that have been idle long enough
 * @t: table
 * @now: current time in ns
 *
 * A packet that found the entry just before it was unlinked charges a bucket
 * that is about to go, which only forgets a full bucket's worth of history.
 *
 * Context: process context; sleeps.
 * Return: the number of entries freed.
 */
unsigned int rl_table_gc(struct rl_table *t, u64 now)
{
	unsigned int freed = remove_entries(t, now, false);

	atomic64_inc(&t->gc_runs);
	atomic64_add(freed, &t->gc_freed);
	return freed;
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_gc);

/**
 * rl_table_flush() - forget every source
 * @t: table
 *
 * Sources that send again start with a full bucket; those that were
 * limited are released (an event).
 *
 * Context: process context; sleeps.
 * Return: the number of entries removed.
 */
unsigned int rl_table_flush(struct rl_table *t)
{
	return remove_entries(t, 0, true);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_flush);

/**
 * rl_table_remove() - forget one source
 * @t: table
 * @key: its key, masked as the hook masks it
 *
 * A source that was limited is released (an event).
 *
 * Context: process context.
 * Return: 0, or -ENOENT if no entry has that key.
 */
int rl_table_remove(struct rl_table *t, const struct rl_key *key)
{
	struct rl_entry *e;
	int err = -ENOENT;

	rcu_read_lock();
	e = rl_table_lookup(t, key);
	if (e && entry_remove(t, e, key_hash(t, key) & t->mask)) {
		entry_release(t, e);
		e->free_next = NULL;
		err = 0;
	}
	rcu_read_unlock();
	if (!err)
		entries_reclaim(t, e);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_remove);

/**
 * rl_table_generation() - a number that changes whenever entries come or go
 * @t: table
 *
 * Return: the generation, for netlink dump consistency checks.
 */
unsigned int rl_table_generation(struct rl_table *t)
{
	return atomic_read(&t->generation);
}

static const char * const full_policy_names[] = {
	[NF_RL_FULL_SHARED] = "shared",
	[NF_RL_FULL_DROP] = "drop",
	[NF_RL_FULL_ACCEPT] = "accept",
};

/**
 * rl_table_full_policy_name() - name of a full-table policy
 * @policy: policy
 *
 * Context: any.
 * Return: its module parameter spelling.
 */
const char *rl_table_full_policy_name(enum nf_rl_full_policy policy)
{
	return full_policy_names[policy];
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_full_policy_name);

/**
 * rl_table_full_policy_lookup() - a full-table policy by name
 * @name: "shared", "drop" or "accept"
 *
 * Context: any.
 * Return: its enum nf_rl_full_policy value, or -EINVAL.
 */
int rl_table_full_policy_lookup(const char *name)
{
	return sysfs_match_string(full_policy_names, name);
}

/**
 * rl_table_read_limits() - the settings that may change at run time
 * @t: table
 * @lim: filled in
 */
void rl_table_read_limits(struct rl_table *t, struct rl_limits *lim)
{
	lim->max_entries = READ_ONCE(t->cfg.limits.max_entries);
	lim->full_policy = READ_ONCE(t->cfg.limits.full_policy);
	lim->dry_run = READ_ONCE(t->cfg.limits.dry_run);
	lim->log = READ_ONCE(t->cfg.limits.log);
	lim->owner_rules_max = READ_ONCE(t->cfg.limits.owner_rules_max);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_read_limits);

/**
 * rl_table_rules() - the rule set in force, for a writer
 * @t: table
 *
 * Context: with t->lock held, which keeps the set from being replaced.
 * Return: the set.
 */
struct rl_ruleset *rl_table_rules(struct rl_table *t)
{
	return rcu_dereference_protected(t->rules, lockdep_is_held(&t->lock));
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_rules);

/**
 * rl_table_rules_rcu() - the rule set in force, for a reader
 * @t: table
 *
 * Context: RCU read side, or with t->lock held.
 * Return: the set, valid until the read side ends or the lock is dropped.
 */
const struct rl_ruleset *rl_table_rules_rcu(struct rl_table *t)
{
	return rcu_dereference_check(t->rules, lockdep_is_held(&t->lock));
}

static void rules_free_rcu(struct rcu_head *head)
{
	rl_rules_free(container_of(head, struct rl_ruleset, rcu));
}

/*
 * Queues the expiry work for the earliest timeout of @rs.  Not deferrable:
 * a ban must end on time on an idle machine too.  The timer wheel fires a
 * timer of more than 64 jiffies up to an eighth of its delay late (a 10
 * minute ban: 75 s), so a long one is aimed an eighth early, and the work,
 * finding nothing expired, requeues itself for what is left, on a finer
 * level of the wheel, until a last timer of at most 64 jiffies fires on
 * the jiffy.  Off until GC starts, so that tests drive
 * rl_table_expire_rules() with their own clock.
 */
static void expire_schedule(struct rl_table *t, const struct rl_ruleset *rs)
{
	u64 now = ktime_get_ns();
	unsigned long delay = 0;

	if (!rs->next_expiry || !READ_ONCE(t->gc_enabled))
		return;
	if (rs->next_expiry > now) {
		delay = nsecs_to_jiffies(rs->next_expiry - now) + 1;
		if (delay > 64)
			delay -= delay / 8;
	}
	mod_delayed_work(system_power_efficient_wq, &t->expire_work, delay);
}

static void expire_work_fn(struct work_struct *work)
{
	struct rl_table *t = container_of(to_delayed_work(work),
					  struct rl_table, expire_work);

	mutex_lock(&t->lock);
	/*
	 * Early (jiffies round down)?  Then the set is unchanged: requeue.
	 * Out of memory, it has requeued itself a second later.
	 */
	if (!rl_table_expire_rules(t, ktime_get_ns()))
		expire_schedule(t, rl_table_rules(t));
	mutex_unlock(&t->lock);
}

/**
 * rl_table_set_rules() - put a new rule set in force
 * @t: table
 * @rules: the set, which the table now owns
 *
 * The next packet sees the new set.  Entries keep their buckets: a source
 * whose rule changed rate has its tokens rescaled on its next packet, and
 * entries no limit rule governs any more are collected as idle.  The old set
 * is freed after a grace period.
 *
 * Context: with t->lock held.
 */
void rl_table_set_rules(struct rl_table *t, struct rl_ruleset *rules)
{
	struct rl_ruleset *old;

	lockdep_assert_held(&t->lock);
	old = rl_table_rules(t);

	rules->generation = old->generation + 1;
	rcu_assign_pointer(t->rules, rules);
	call_rcu(&old->rcu, rules_free_rcu);
	expire_schedule(t, rules);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_set_rules);

/**
 * rl_table_expire_rules() - remove the timed rules that have expired
 * @t: table
 * @now: ktime_get_ns(), or a test's clock
 *
 * The expiry work calls this when the earliest timeout of the set in force
 * has passed; so do the control-plane writers before they look a rule up,
 * so that a rule expired a moment ago is gone for them too.
 *
 * Context: process context, with t->lock held; sleeps.
 * Return: how many rules were removed, or -ENOMEM (the expiry work then
 * tries again a second later; the expired rules stay until it does).
 */
int rl_table_expire_rules(struct rl_table *t, u64 now)
{
	struct rl_ruleset *rs;
	u32 n;

	lockdep_assert_held(&t->lock);
	rs = rl_rules_expire(rl_table_rules(t), now, &n);
	if (!rs)
		return 0;
	if (IS_ERR(rs)) {
		if (READ_ONCE(t->gc_enabled))
			mod_delayed_work(system_power_efficient_wq,
					 &t->expire_work, HZ);
		return PTR_ERR(rs);
	}
	rl_table_set_rules(t, rs);
	atomic64_add(n, &t->rules_expired);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_expire_rules);

/**
 * rl_table_count_refused() - count a rule refused for its owner's cap
 * @t: table
 *
 * Context: any.
 */
void rl_table_count_refused(struct rl_table *t)
{
	atomic64_inc(&t->owner_rules_refused);
}

/**
 * rl_table_reserve() - make room for a higher max_entries
 * @t: table
 * @max_entries: the value rl_table_set_limits() will be given
 *
 * With prealloc, allocates the entries @max_entries needs beyond what the
 * table owns; without it, or when @max_entries is not higher, does nothing.
 * On failure the table is as it was.
 *
 * Context: process context, with t->lock held; sleeps.
 * Return: 0, or -ENOMEM.
 */
int rl_table_reserve(struct rl_table *t, u32 max_entries)
{
	u32 old = t->pool_target;
	int err, owned;

	lockdep_assert_held(&t->lock);
	if (!t->pool || max_entries <= old)
		return 0;
	/* Raised first, so that entries freed meanwhile stay pooled. */
	WRITE_ONCE(t->pool_target, max_entries);
	owned = atomic_read(&t->owned);
	err = owned < max_entries ? pool_fill(t, max_entries - owned) : 0;
	if (err) {
		WRITE_ONCE(t->pool_target, old);
		pool_trim(t);
	}
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_reserve);

/**
 * rl_table_set_limits() - change the settings that may change at run time
 * @t: table
 * @lim: validated settings, max_entries reserved (rl_table_reserve())
 *
 * Each takes effect for the next packet.  Lowering max_entries below the
 * current count frees nothing: new sources are turned away until GC has
 * brought the count down.  With prealloc, the pools give back what the
 * lower max_entries does not need at once, and the surplus entries in use
 * as GC frees them.
 *
 * Context: with t->lock held, under which requests read them first; sleeps
 * when max_entries is lowered.
 */
void rl_table_set_limits(struct rl_table *t, const struct rl_limits *lim)
{
	lockdep_assert_held(&t->lock);
	if (t->pool && lim->max_entries != t->pool_target) {
		WARN_ON_ONCE(lim->max_entries > t->pool_target);
		WRITE_ONCE(t->pool_target, lim->max_entries);
		pool_trim(t);
	}
	WRITE_ONCE(t->cfg.limits.max_entries, lim->max_entries);
	WRITE_ONCE(t->cfg.limits.full_policy, lim->full_policy);
	WRITE_ONCE(t->cfg.limits.dry_run, lim->dry_run);
	WRITE_ONCE(t->cfg.limits.log, lim->log);
	WRITE_ONCE(t->cfg.limits.owner_rules_max, lim->owner_rules_max);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_set_limits);

static void gc_work_fn(struct work_struct *work)
{
	struct rl_table *t = container_of(to_delayed_work(work),
					  struct rl_table, gc_work);

	rl_table_gc(t, ktime_get_ns());
	/* An insert racing with this check queues the work itself. */
	if (atomic_read(&t->nentries))
		queue_delayed_work(system_power_efficient_wq, &t->gc_work,
				   RL_GC_INTERVAL);
}

/**
 * rl_table_init() - set up an empty table
 * @t: table
 * @cfg: validated configuration, copied
 * @rules: the rule set to start with, which the table owns from now on,
 *         even on failure
 * @now: current time in ns, the start of the overflow bucket
 *
 * Garbage collection stays off until rl_table_start_gc(), so that tests can
 * drive rl_table_gc() with their own clock.
 *
 * Return: 0 or -ENOMEM.
 */
int rl_table_init(struct rl_table *t, const struct rl_table_cfg *cfg,
		  struct rl_ruleset *rules, u64 now)
{
	u32 b, nlocks = min_t(u32, cfg->buckets, RL_TABLE_LOCKS);
	int cpu;
	u8 algo;

	memset(t, 0, sizeof(*t));
	RCU_INIT_POINTER(t->rules, rules);
	t->cfg = *cfg;
	if (!t->cfg.idle_s)
		t->cfg.idle_s = RL_IDLE_DEFAULT_S;
	t->mask = cfg->buckets - 1;
	t->nlocks_mask = nlocks - 1;
	rl_hash_init(&t->hash);
	mutex_init(&t->lock);
	atomic_set(&t->nentries, 0);
	atomic_set(&t->generation, 0);
	atomic64_set(&t->gc_runs, 0);
	atomic64_set(&t->gc_freed, 0);
	INIT_DEFERRABLE_WORK(&t->gc_work, gc_work_fn);
	INIT_DELAYED_WORK(&t->expire_work, expire_work_fn);
	atomic64_set(&t->rules_expired, 0);
	atomic64_set(&t->owner_rules_refused, 0);
	t->stats = netdev_alloc_pcpu_stats(struct rl_pcpu_stats);
	if (!t->stats)
		goto free_rules;
	t->overflow = alloc_percpu_gfp(struct rl_overflow, GFP_KERNEL_ACCOUNT);
	if (!t->overflow)
		goto free_stats;
	/* Full: a token bucket's first charge sets its cost, and fills it. */
	for_each_possible_cpu(cpu) {
		struct rl_overflow *o = per_cpu_ptr(t->overflow, cpu);

		for (algo = 0; algo < __NF_RL_ALGO_MAX; algo++)
			rl_algo_get(algo)->init(&o->state[algo],
						&(struct rl_rate){}, now);
	}
	t->locks = kvmalloc_array(nlocks, sizeof(*t->locks), GFP_KERNEL_ACCOUNT);
	if (!t->locks)
		goto free_overflow;
	for (b = 0; b < nlocks; b++)
		spin_lock_init(&t->locks[b]);
	t->buckets = kvmalloc_array(cfg->buckets, sizeof(*t->buckets),
				    GFP_KERNEL_ACCOUNT);
	if (!t->buckets)
		goto free_locks;
	/* A chain ends on its bucket's number (see find()). */
	for (b = 0; b < cfg->buckets; b++)
		INIT_HLIST_NULLS_HEAD(&t->buckets[b], b);
	if (cfg->prealloc) {
		t->pool = alloc_percpu_gfp(struct rl_pool, GFP_KERNEL_ACCOUNT);
		if (!t->pool)
			goto free_buckets;
		for_each_possible_cpu(cpu)
			spin_lock_init(&per_cpu_ptr(t->pool, cpu)->lock);
		t->pool_target = cfg->limits.max_entries;
		if (pool_fill(t, t->pool_target))
			goto free_pool;
	}
	return 0;

free_pool:
	pr_err("prealloc: cannot allocate %u entries of %zu bytes\n",
	       t->pool_target, sizeof(struct rl_entry));
	t->pool_target = 0;
	pool_trim(t);
	free_percpu(t->pool);
free_buckets:
	kvfree(t->buckets);
free_locks:
	kvfree(t->locks);
free_overflow:
	free_percpu(t->overflow);
free_stats:
	free_percpu(t->stats);
free_rules:
	rl_rules_free(rules);
	return -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_init);

/**
 * rl_table_start_gc() - let idle entries be collected from now on
 * @t: table
 */
void rl_table_start_gc(struct rl_table *t)
{
	WRITE_ONCE(t->gc_enabled, true);
	if (atomic_read(&t->nentries))
		queue_delayed_work(system_power_efficient_wq, &t->gc_work,
				   RL_GC_INTERVAL);
	mutex_lock(&t->lock);
	expire_schedule(t, rl_table_rules(t));
	mutex_unlock(&t->lock);
}

/**
 * rl_table_destroy() - free a table and all its entries
 * @t: table
 *
 * Context: process context, after the last packet-path reader is gone (the
 * hooks are unregistered and an RCU grace period has passed).  Rule sets
 * queued for RCU freeing may still be pending: rcu_barrier() before
 * rl_table_module_exit() waits for them.
 */
void rl_table_destroy(struct rl_table *t)
{
	struct hlist_nulls_node *n;
	struct rl_entry *e;
	u32 b;

	WRITE_ONCE(t->gc_enabled, false);
	cancel_delayed_work_sync(&t->gc_work);
	cancel_delayed_work_sync(&t->expire_work);
	for (b = 0; b <= t->mask; b++)
		hlist_nulls_for_each_entry_safe(e, n, &t->buckets[b], node)
			kmem_cache_free(entry_cache, e);
	if (t->pool) {
		t->pool_target = 0;
		atomic_sub(atomic_read(&t->nentries), &t->owned);
		pool_trim(t);
		WARN_ON_ONCE(atomic_read(&t->owned));
		free_percpu(t->pool);
	}
	kvfree(t->buckets);
	kvfree(t->locks);
	free_percpu(t->overflow);
	free_percpu(t->stats);
	rl_rules_free(rcu_dereference_protected(t->rules, true));
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_destroy);

/**
 * rl_table_read_stats() - sum the counters of a table
 * @t: table
 * @st: filled in
 */
void rl_table_read_stats(struct rl_table *t, struct rl_stats *st)
{
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct rl_pcpu_stats *s = per_cpu_ptr(t->stats, cpu);
		u64 passed, dropped, dry, full, nomem, allowed, denied;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			passed = u64_stats_read(&s->passed);
			dropped = u64_stats_read(&s->dropped);
			dry = u64_stats_read(&s->dry_run_dropped);
			full = u64_stats_read(&s->table_full);
			nomem = u64_stats_read(&s->alloc_failed);
			allowed = u64_stats_read(&s->allowed);
			denied = u64_stats_read(&s->denied);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		st->passed += passed;
		st->dropped += dropped;
		st->dry_run_dropped += dry;
		st->table_full += full;
		st->alloc_failed += nomem;
		st->allowed += allowed;
		st->denied += denied;
	}
	rcu_read_lock();
	st->rules = rcu_dereference(t->rules)->nrules;
	rcu_read_unlock();
	st->entries = atomic_read(&t->nentries);
	st->gc_runs = atomic64_read(&t->gc_runs);
	st->gc_freed = atomic64_read(&t->gc_freed);
	st->rules_expired = atomic64_read(&t->rules_expired);
	st->owner_rules_refused = atomic64_read(&t->owner_rules_refused);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_read_stats);

/**
 * rl_table_entry_seen_within() - whether an entry had a packet lately
 * @e: entry, kept alive by the caller's RCU read side
 * @now: current time in ns
 * @ns: how far back
 *
 * Unlocked: a packet racing with the test may or may not count, as it would
 * a moment either side.
 *
 * Context: any, under RCU.
 * Return: true if its last packet came at most @ns before @now.
 */
bool rl_table_entry_seen_within(struct rl_entry *e, u64 now, u64 ns)
{
	u64 seen = rl_state_last_ns(&e->state);

	return seen >= now || now - seen <= ns;
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_entry_seen_within);

/**
 * rl_table_read_entry() - take a consistent copy of an entry
 * @t: table the entry belongs to
 * @e: entry, kept alive by the caller's RCU read side
 * @now: current time in ns
 * @info: filled in; tokens as at the rate of the entry's rule now, 0 if no
 *        limit rule governs it any more
 */
void rl_table_read_entry(struct rl_table *t, struct rl_entry *e, u64 now,
			 struct rl_entry_info *info)
{
	const struct rl_rule *rule = entry_rule(t, e);
	u64 last;

	memset(info, 0, sizeof(*info));
	info->key = e->key;
	if (rule) {
		info->rule = rule->match;
		info->sel = rule->sel;
	}
	spin_lock_bh(&e->lock);
	info->tokens = rule && rule->algo == e->algo ?
		       rl_algo_get(e->algo)->peek(&e->state, &rule->rate, now) : 0;
	info->passed = entry_packets(e, RL_PASSED);
	info->dropped = entry_packets(e, RL_DROPPED);
	info->passed_bytes = entry_bytes(e, RL_PASSED);
	info->dropped_bytes = entry_bytes(e, RL_DROPPED);
	last = rl_state_last_ns(&e->state);
	spin_unlock_bh(&e->lock);
	info->idle_ns = now > last ? now - last : 0;
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_read_entry);

/**
 * rl_table_module_init() - create what all tables share
 *
 * Return: 0 or -ENOMEM.
 */
int rl_table_module_init(void)
{
	/* A tick low, so that the coarse time never runs ahead. */
	coarse_base_ns = ktime_get_ns() - (get_jiffies_64() + 1) * TICK_NSEC;
	/*
	 * The layout of struct rl_entry where locks are small: what a packet
	 * of a known source touches, up to bytes_lo, in the first line, and
	 * two lines in all with the free pointer SLUB keeps after the object
	 * of a cache with a constructor.
	 */
	BUILD_BUG_ON(!IS_ENABLED(CONFIG_DEBUG_SPINLOCK) &&
		     !IS_ENABLED(CONFIG_DEBUG_LOCK_ALLOC) &&
		     !IS_ENABLED(CONFIG_PREEMPT_RT) && L1_CACHE_BYTES == 64 &&
		     (offsetofend(struct rl_entry, bytes_lo) > L1_CACHE_BYTES ||
		      sizeof(struct rl_entry) + sizeof(void *) >
		      2 * L1_CACHE_BYTES));
	entry_cache = kmem_cache_create("rl_entry", sizeof(struct rl_entry),
					__alignof__(struct rl_entry),
					SLAB_HWCACHE_ALIGN, entry_ctor);
	return entry_cache ? 0 : -ENOMEM;
}

/**
 * rl_table_module_exit() - destroy what all tables share
 *
 * Context: after every table is destroyed.
 */
void rl_table_module_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct rl_stash *st = per_cpu_ptr(&stash, cpu);

		kmem_cache_free_bulk(entry_cache, st->n, st->entries);
		st->n = 0;
	}
	kmem_cache_destroy(entry_cache);
}
