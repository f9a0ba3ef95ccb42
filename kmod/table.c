// SPDX-License-Identifier: GPL-2.0
/*
 * The per-namespace table of sources.
 *
 * An rhashtable gives what the packet path needs: lookups that take no lock
 * under RCU, and a table that starts small and grows with use, so an idle
 * namespace costs a few hundred bytes.  Each entry has its own spinlock for
 * the token update.  New sources are inserted under a per-table lock that
 * re-checks for the key, so two CPUs seeing a new source's first packets at
 * once create one entry.
 *
 * Memory is bounded by a count of entries checked before every insert and by
 * deferrable garbage collection, which walks the table under RCU and
 * unlinks idle entries one hash bucket lock at a time, rescheduling between
 * batches; it never locks the whole table.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/indirect_call_wrapper.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "algo.h"
#include "compat.h"
#include "nf_ratelimit.h"
#include "rules.h"
#include "table.h"

enum {
	RL_GC_INTERVAL = HZ,
	RL_GC_MIN_IDLE_NS = NSEC_PER_SEC,
	RL_GC_BATCH = 256,		/* entries between cond_resched() */
};

static struct kmem_cache *entry_cache __read_mostly;
static hsiphash_key_t hash_key __read_mostly;

/*
 * rhashtable's hashfn has no table pointer, so the secret key is per module
 * load and the per-table part is rhashtable's own random seed, which it also
 * renews on every rehash.  Both go through hsiphash, so neither the bucket
 * nor collisions can be predicted from outside.  An IPv4 key's other twelve
 * address bytes are zero: hashing the three words that vary costs two
 * SipHash compressions fewer than the whole key.  Its port (0 but in a
 * per-port rule's entries) goes into the seed word: the inputs of two keys
 * still differ whenever the keys do, and a source rule's packet hashes three
 * words, as it did before ports existed.
 */
static u32 key_hash6(const struct rl_key *k, u32 seed)
{
	struct {
		u32 seed;
		u32 zero;		/* a whole number of 8-byte words */
		struct rl_key key;
	} __aligned(HSIPHASH_ALIGNMENT) in = { .seed = seed, .key = *k };

	BUILD_BUG_ON(sizeof(in) != 2 * sizeof(u32) + sizeof(struct rl_key));
	return hsiphash(&in, sizeof(in), &hash_key);
}

static u32 key_hash(const void *data, u32 len, u32 seed)
{
	const struct rl_key *k = data;

	if (k->family == NFPROTO_IPV4)
		return hsiphash_3u32(seed ^ k->port, (__force u32)k->addr.v4,
				     k->tail, &hash_key);
	return key_hash6(k, seed);
}

/*
 * Always inlined into rhashtable_lookup(): once the key grew a port word the
 * compiler called it instead, with the argument on the stack and a stack
 * protector around the lookup, some 30 instructions a packet (make bench).
 */
static __always_inline int key_cmp(struct rhashtable_compare_arg *arg,
				   const void *obj)
{
	const struct rl_entry *e = obj;

	return rl_key_cmp(arg->key, &e->key);
}

static const struct rhashtable_params entry_params = {
	.key_len = sizeof(struct rl_key),
	.key_offset = offsetof(struct rl_entry, key),
	.head_offset = offsetof(struct rl_entry, node),
	.hashfn = key_hash,
	.obj_cmpfn = key_cmp,
	.automatic_shrinking = true,
};

static void entry_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(entry_cache, container_of(head, struct rl_entry, rcu));
}

static void entry_init(struct rl_entry *e, const struct rl_key *key,
		       const struct rl_rule *rule, u64 now)
{
	e->key = *key;
	e->limited = false;
	e->algo = rule->algo;
	spin_lock_init(&e->lock);
	rl_algo_get(rule->algo)->init(&e->state, &rule->rate, now);
	e->seen_ns = now;
	e->passed = 0;
	e->dropped = 0;
	e->passed_bytes = 0;
	e->dropped_bytes = 0;
}

/*
 * Returns the entry for @key, which a racing CPU may have inserted first,
 * NULL when the table is full, or an ERR_PTR when memory ran out or the hash
 * table refused.  Inserts are serialised by insert_lock and re-check for the
 * key under it, so the first packets of one source racing on two CPUs create
 * one entry, and the count check cannot turn away a source whose entry the
 * other CPU is creating.  Only new sources take the lock, none once the table
 * is full, and the allocation happens before it.
 */
static struct rl_entry *entry_create(struct rl_table *t,
				     const struct rl_key *key,
				     const struct rl_rule *rule, u64 now)
{
	u32 max_entries = READ_ONCE(t->cfg.limits.max_entries);
	struct rl_entry *e, *new;

	/*
	 * Unlocked first look: a spoofed flood against a full table stops
	 * here.  The source may have been inserted since our lookup missed.
	 */
	if (atomic_read(&t->nentries) >= max_entries)
		return rhashtable_lookup(&t->ht, key, entry_params);

	new = kmem_cache_alloc(entry_cache, GFP_ATOMIC);
	if (unlikely(!new)) {
		e = rhashtable_lookup(&t->ht, key, entry_params);
		return e ?: ERR_PTR(-ENOMEM);
	}
	entry_init(new, key, rule, now);

	spin_lock(&t->insert_lock);
	if (atomic_read(&t->nentries) >= max_entries) {
		/* Full, unless a racing CPU just inserted this very source. */
		e = rhashtable_lookup(&t->ht, key, entry_params);
		goto unlock_free;
	}
	/* One hash for the re-check and the insert. */
	e = rhashtable_lookup_get_insert_fast(&t->ht, &new->node, entry_params);
	if (e)
		goto unlock_free;	/* inserted by a racing CPU, or an error */
	atomic_inc(&t->nentries);
	atomic_inc(&t->generation);
	spin_unlock(&t->insert_lock);

	if (READ_ONCE(t->gc_enabled) && !delayed_work_pending(&t->gc_work))
		queue_delayed_work(system_power_efficient_wq, &t->gc_work,
				   RL_GC_INTERVAL);
	return new;

unlock_free:
	spin_unlock(&t->insert_lock);
	kmem_cache_free(entry_cache, new);
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
	if (why & RL_WHY_RULE)
		u64_stats_inc(conforms ? &s->allowed : &s->denied);
	if (why & RL_WHY_FULL)
		u64_stats_inc(&s->table_full);
	if (why & RL_WHY_NOMEM)
		u64_stats_inc(&s->alloc_failed);
	u64_stats_update_end(&s->syncp);

	return conforms || dry_run;
}

static void notify(struct rl_table *t, enum nf_rl_event_type type,
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
	return rhashtable_lookup(&t->ht, key, entry_params);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_lookup);

/*
 * A source is limited from its first dropped packet until its state owes
 * nothing (a full bucket), which takes a whole burst window within its rate:
 * so a source hovering around its rate is not reported on every other packet.
 * The shared overflow state stands for no one source and reports nothing.
 * A rule whose algorithm changed starts its sources afresh; the overflow
 * state of each algorithm is never started afresh.
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
	struct rl_entry *e;
	u64 dropped;

	e = rhashtable_lookup(&t->ht, key, entry_params);
	if (unlikely(!e)) {
		e = entry_create(t, key, rule, now);
		if (IS_ERR_OR_NULL(e)) {
			*why |= !e || PTR_ERR(e) != -ENOMEM ? RL_WHY_FULL : RL_WHY_NOMEM;
			switch (READ_ONCE(t->cfg.limits.full_policy)) {
			case NF_RL_FULL_DROP:
				return false;
			case NF_RL_FULL_ACCEPT:
				return true;
			default:
				e = &t->overflow[rule->algo];
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
	/* A direct call where indirect ones cost a retpoline. */
	conforms = INDIRECT_CALL_3(ops->charge, rl_bucket_charge_state,
				   rl_gcra_charge, rl_swin_charge,
				   &e->state, rate, now,
				   rl_algo_amount(rule->unit, len));
	if (now > e->seen_ns)
		WRITE_ONCE(e->seen_ns, now);	/* GC peeks without the lock */
	if (conforms) {
		e->passed++;
		e->passed_bytes += len;
	} else {
		e->dropped++;
		e->dropped_bytes += len;
		limited = !e->limited;
		e->limited = true;
	}
	dropped = e->dropped;
	spin_unlock(&e->lock);

	if (unlikely(released || limited) && e != &t->overflow[rule->algo])
		notify(t, limited ? NF_RL_EVENT_LIMITED : NF_RL_EVENT_RELEASED,
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
	rl_rules_mask(buf, src, rule->agg_prefix);
	buf->sel = rule->match.sel;
	/* A per-port selector matched, so the packet had its port parsed. */
	if (rule->sel.flags & RL_SEL_PER_PORT)
		buf->port = pkt->facts.dport;
	return buf;
}

/*
 * A packet some selector rule may see: every rule that applies decides
 * (rl_rules_match_packet()).  A deny drops it, else an allow passes it,
 * else it is charged under each limit rule in turn, selectors' first, and
 * stops at the first that does not conform: a packet dropped for its SSH
 * limit does not also use up its source's general allowance.
 */
static bool charge_packet(struct rl_table *t, const struct rl_ruleset *rs,
			  const struct rl_key *src, struct rl_pkt_in *pkt,
			  unsigned int len, u64 now)
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
	for (i = 0; i < n; i++) {
		const struct rl_rule *rule = rules[i];

		if (!charge_entry(t, rule_key(rule, src, pkt, &buf), rule, now,
				  len, &why))
			return account(t, false, why);
	}
	return account(t, true, why);
}

/**
 * rl_table_charge() - decide the fate of one packet
 * @t: table
 * @src: the packet's source, as a full-length key (prefix 32 or 128)
 * @pkt: the packet, for rules with selectors
 * @len: the packet's length in bytes
 * @now: current time in ns
 *
 * Without selector rules for @src's family, the most specific rule covering
 * @src decides: allow passes, deny drops, and limit charges the state of
 * @src masked to the rule's aggregation prefix, with the rule's algorithm at
 * its rate: one unit, or @len for a byte rate.  A source no rule covers
 * passes.  With selectors, see charge_packet().
 *
 * Context: packet path: RCU read side with bottom halves disabled.
 * Return: true to pass the packet, false to drop it.
 */
bool rl_table_charge(struct rl_table *t, const struct rl_key *src,
		     struct rl_pkt_in *pkt, unsigned int len, u64 now)
{
	const struct rl_ruleset *rs = rcu_dereference(t->rules);
	const struct rl_rule *rule;
	unsigned int why = RL_WHY_BUCKET;
	struct rl_key buf;
	bool conforms;

	lockdep_assert_in_softirq();
	if (unlikely(rs->nselectors[src->family == NFPROTO_IPV6]))
		return charge_packet(t, rs, src, pkt, len, now);
	rule = rl_rules_match_source(rs, src);
	if (!rule || rule->action == NF_RL_ACTION_ALLOW)
		return account(t, true, RL_WHY_RULE);
	if (rule->action == NF_RL_ACTION_DENY)
		return account(t, false, RL_WHY_RULE);
	conforms = charge_entry(t, rule_key(rule, src, pkt, &buf), rule, now,
				len, &why);
	return account(t, conforms, why);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_charge);

/* The limit rule an entry is charged under now, or NULL. */
static const struct rl_rule *entry_rule(struct rl_table *t, struct rl_entry *e)
{
	const struct rl_rule *rule;

	rule = rl_rules_match(rcu_dereference(t->rules), &e->key);
	return rule && rule->action == NF_RL_ACTION_LIMIT ? rule : NULL;
}

/*
 * An entry is idle once it has been quiet for as long as its bucket takes to
 * refill at its rule's rate (at least RL_GC_MIN_IDLE_NS) and its algorithm
 * owes nothing (a sliding window remembers a second window): forgetting it
 * then changes nothing a later packet sees.  An entry no limit rule governs
 * any more, or whose rule changed algorithm, is idle after
 * RL_GC_MIN_IDLE_NS.  A limited entry that goes idle is released.
 */
static bool entry_idle(struct rl_table *t, struct rl_entry *e, u64 now)
{
	u64 idle_ns = RL_GC_MIN_IDLE_NS, last, dropped;
	const struct rl_rule *rule;
	bool limited, owes = false;

	/*
	 * Most entries of a busy table were seen within the shortest idle
	 * time: skip them without the rule lookup and the lock.  A stale read
	 * only delays freeing to the next pass; the decision is taken again
	 * under the lock below.
	 */
	last = READ_ONCE(e->seen_ns);
	if (now <= last || now - last <= RL_GC_MIN_IDLE_NS)
		return false;
	rule = entry_rule(t, e);
	if (rule)
		idle_ns = max(idle_ns, rule->rate.fill_ns);
	spin_lock_bh(&e->lock);
	last = e->seen_ns;
	limited = e->limited;
	dropped = e->dropped;
	if (rule && rule->algo == e->algo)
		owes = !rl_algo_get(e->algo)->full(&e->state, &rule->rate, now);
	if (owes || !(now > last && now - last > idle_ns)) {
		spin_unlock_bh(&e->lock);
		return false;
	}
	e->limited = false;
	spin_unlock_bh(&e->lock);
	if (limited && rule)
		notify(t, NF_RL_EVENT_RELEASED, &e->key, rule, dropped);
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
	dropped = e->dropped;
	e->limited = false;
	spin_unlock_bh(&e->lock);
	if (limited && rule)
		notify(t, NF_RL_EVENT_RELEASED, &e->key, rule, dropped);
}

/* Unlinks @e and frees it after a grace period; false if already gone. */
static bool entry_remove(struct rl_table *t, struct rl_entry *e)
{
	if (rhashtable_remove_fast(&t->ht, &e->node, entry_params))
		return false;	/* GC, a flush or a delete got there first */
	atomic_dec(&t->nentries);
	atomic_inc(&t->generation);
	call_rcu(&e->rcu, entry_free_rcu);
	return true;
}

/* Leaves RCU to reschedule; returns the entry the walk resumes on. */
static struct rl_entry *walk_pause(struct rhashtable_iter *iter)
	__must_hold(RCU)
{
	rhashtable_walk_stop(iter);
	cond_resched();
	rl_table_walk_start(iter);
	return rhashtable_walk_peek(iter);
}

/*
 * Removes the entries that are idle at @now, or all of them when @all.  The
 * walk holds only RCU, and drops it every RL_GC_BATCH entries to reschedule;
 * each removal locks a single hash bucket.
 *
 * The pause comes before an entry is looked at, never right after one was
 * removed: a walk resumes from the entry it stopped on, and when that entry
 * is gone it resumes by position, which would skip its successor.
 */
static unsigned int remove_entries(struct rl_table *t, u64 now, bool all)
{
	unsigned int removed = 0, seen = 0;
	struct rhashtable_iter iter;
	struct rl_entry *e;

	might_sleep();
	rhashtable_walk_enter(&t->ht, &iter);
	rhashtable_walk_start(&iter);
	for (e = rhashtable_walk_next(&iter); e; e = rhashtable_walk_next(&iter)) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;	/* resized under us: rewalk */
			break;
		}
		if (++seen % RL_GC_BATCH == 0) {
			e = walk_pause(&iter);
			if (IS_ERR_OR_NULL(e)) {
				if (PTR_ERR(e) == -EAGAIN)
					continue;
				break;
			}
		}
		if (!all && !entry_idle(t, e, now))
			continue;
		if (!entry_remove(t, e))
			continue;
		if (all)
			entry_release(t, e);
		removed++;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return removed;
}

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
	e = rhashtable_lookup(&t->ht, key, entry_params);
	if (e && entry_remove(t, e)) {
		entry_release(t, e);
		err = 0;
	}
	rcu_read_unlock();
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
	struct rl_ruleset *old = rl_table_rules(t);

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
 * rl_table_set_limits() - change the settings that may change at run time
 * @t: table
 * @lim: validated settings
 *
 * Each takes effect for the next packet.  Lowering max_entries below the
 * current count frees nothing: new sources are turned away until GC has
 * brought the count down.
 *
 * Context: the caller serialises writers.
 */
void rl_table_set_limits(struct rl_table *t, const struct rl_limits *lim)
{
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
	struct rhashtable_params params = entry_params;
	int err = -ENOMEM;
	u8 algo;

	memset(t, 0, sizeof(*t));
	RCU_INIT_POINTER(t->rules, rules);
	t->cfg = *cfg;
	mutex_init(&t->lock);
	atomic_set(&t->nentries, 0);
	atomic_set(&t->generation, 0);
	spin_lock_init(&t->insert_lock);
	atomic64_set(&t->gc_runs, 0);
	atomic64_set(&t->gc_freed, 0);
	INIT_DEFERRABLE_WORK(&t->gc_work, gc_work_fn);
	INIT_DELAYED_WORK(&t->expire_work, expire_work_fn);
	atomic64_set(&t->rules_expired, 0);
	atomic64_set(&t->owner_rules_refused, 0);
	/* Full: a token bucket's first charge sets its cost, and fills it. */
	for (algo = 0; algo < ARRAY_SIZE(t->overflow); algo++)
		entry_init(&t->overflow[algo], &(struct rl_key){},
			   &(struct rl_rule){ .algo = algo }, now);

	t->stats = netdev_alloc_pcpu_stats(struct rl_pcpu_stats);
	if (!t->stats)
		goto free_rules;

	params.max_size = cfg->buckets;
	err = rhashtable_init(&t->ht, &params);
	if (err)
		goto free_stats;
	return 0;

free_stats:
	free_percpu(t->stats);
free_rules:
	rl_rules_free(rules);
	return err;
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

static void entry_free_now(void *ptr, void *arg)
{
	kmem_cache_free(entry_cache, ptr);
}

/**
 * rl_table_destroy() - free a table and all its entries
 * @t: table
 *
 * Context: process context, after the last packet-path reader is gone (the
 * hooks are unregistered and an RCU grace period has passed).  Entries that
 * GC queued for RCU freeing may still be pending: rcu_barrier() before
 * rl_table_module_exit() waits for them.
 */
void rl_table_destroy(struct rl_table *t)
{
	WRITE_ONCE(t->gc_enabled, false);
	cancel_delayed_work_sync(&t->gc_work);
	cancel_delayed_work_sync(&t->expire_work);
	rhashtable_free_and_destroy(&t->ht, entry_free_now, NULL);
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
	u64 seen = READ_ONCE(e->seen_ns);

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

	memset(info, 0, sizeof(*info));
	info->key = e->key;
	if (rule) {
		info->rule = rule->match;
		info->sel = rule->sel;
	}
	spin_lock_bh(&e->lock);
	info->tokens = rule && rule->algo == e->algo ?
		       rl_algo_get(e->algo)->peek(&e->state, &rule->rate, now) : 0;
	info->passed = e->passed;
	info->dropped = e->dropped;
	info->passed_bytes = e->passed_bytes;
	info->dropped_bytes = e->dropped_bytes;
	info->idle_ns = now > e->seen_ns ? now - e->seen_ns : 0;
	spin_unlock_bh(&e->lock);
}
EXPORT_SYMBOL_IF_KUNIT(rl_table_read_entry);

/**
 * rl_table_module_init() - create what all tables share
 *
 * Return: 0 or -ENOMEM.
 */
int rl_table_module_init(void)
{
	get_random_bytes(&hash_key, sizeof(hash_key));
	entry_cache = KMEM_CACHE(rl_entry, 0);
	return entry_cache ? 0 : -ENOMEM;
}

/**
 * rl_table_module_exit() - destroy what all tables share
 *
 * Context: after rcu_barrier(), so that no entry is still waiting to be freed.
 */
void rl_table_module_exit(void)
{
	kmem_cache_destroy(entry_cache);
}
