// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/nf_ratelimit/{stats,entries,config,rules}: read-only views of one
 * namespace, drawn from the same state as the netlink replies.  Readers take
 * each entry's lock only long enough to copy it, and walk the table under
 * RCU, so reading never holds up the packet path.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>
#include <net/net_namespace.h>

#include "algo.h"
#include "hook.h"
#include "nf_ratelimit.h"
#include "procfs.h"
#include "rate.h"
#include "rules.h"

#define RL_PROC_DIR "nf_ratelimit"

/* Each file's data is its namespace's rl_net; seq->private is the net. */
static struct rl_net *seq_rl_net(struct seq_file *seq)
{
	return pde_data(file_inode(seq->file));
}

static int stats_show(struct seq_file *seq, void *v)
{
	struct rl_net *rn = seq_rl_net(seq);
	struct rl_stats st;

	rl_table_read_stats(&rn->table, &st);
	seq_printf(seq, "passed %llu\n", st.passed);
	seq_printf(seq, "dropped %llu\n", st.dropped);
	seq_printf(seq, "dry_run_dropped %llu\n", st.dry_run_dropped);
	seq_printf(seq, "entries %llu\n", st.entries);
	seq_printf(seq, "max_entries %u\n",
		   READ_ONCE(rn->table.cfg.limits.max_entries));
	seq_printf(seq, "table_full %llu\n", st.table_full);
	seq_printf(seq, "alloc_failed %llu\n", st.alloc_failed);
	seq_printf(seq, "gc_runs %llu\n", st.gc_runs);
	seq_printf(seq, "gc_freed %llu\n", st.gc_freed);
	seq_printf(seq, "allowed %llu\n", st.allowed);
	seq_printf(seq, "denied %llu\n", st.denied);
	seq_printf(seq, "rules %llu\n", st.rules);
	seq_printf(seq, "events_lost %lld\n", atomic64_read(&rn->events.lost));
	seq_printf(seq, "rules_expired %llu\n", st.rules_expired);
	seq_printf(seq, "owner_rules_refused %llu\n", st.owner_rules_refused);
	return 0;
}

static void show_rate(struct seq_file *seq, const struct rl_rate *r, u8 unit)
{
	char buf[64];

	rl_rate_format(buf, sizeof(buf), r->n, r->period_ns, unit);
	seq_puts(seq, buf);
}

static void show_key(struct seq_file *seq, const struct rl_key *k)
{
	char buf[RL_KEY_TEXT];

	seq_puts(seq, rl_key_format(buf, k));
}

/* A selector as one column: rl_sel_format()'s word. */
static void show_sel(struct seq_file *seq, const struct rl_sel *sel)
{
	char buf[RL_SEL_TEXT];

	rl_sel_format(buf, sizeof(buf), sel);
	seq_puts(seq, buf);
}

/* rate and burst are the module's, which the default rules started with. */
static int config_show(struct seq_file *seq, void *v)
{
	struct rl_net *rn = seq_rl_net(seq);
	const struct rl_config *c = &rn->cfg;
	struct rl_limits lim;

	rl_table_read_limits(&rn->table, &lim);
	seq_puts(seq, "rate ");
	show_rate(seq, &c->rate, c->unit);
	seq_printf(seq, "\nburst %llu\n", c->rate.burst);
	seq_printf(seq, "algo %s\n", rl_algo_get(c->algo)->name);
	seq_printf(seq, "v4_prefix %u\n", c->v4_prefix);
	seq_printf(seq, "v6_prefix %u\n", c->v6_prefix);
	seq_printf(seq, "hook %s\n", rl_hook_name(c->hook));
	seq_printf(seq, "priority %d\n", c->priority);
	seq_printf(seq, "max_entries %u\n", lim.max_entries);
	seq_printf(seq, "buckets %u\n", rn->table.cfg.buckets);
	seq_printf(seq, "prealloc %d\n", rn->table.cfg.prealloc);
	seq_printf(seq, "idle_timeout %u\n", rn->table.cfg.idle_s);
	seq_printf(seq, "dry_run %d\n", lim.dry_run);
	seq_printf(seq, "log %d\n", lim.log);
	seq_printf(seq, "owner_rules_max %u\n", lim.owner_rules_max);
	seq_printf(seq, "full_policy %s\n",
		   rl_table_full_policy_name(lim.full_policy));
	return 0;
}

/*
 * The entries file keeps its walk of the table from one read() to the next,
 * in the open file: each read() resumes where the last one stopped, so
 * listing n entries costs O(n), however small the reads.  Only a seek back
 * starts the walk over.
 */
struct entries_iter {
	struct rl_net *rn;
	struct rl_table_iter ti;
	loff_t pos;			/* record of the entry ti stands on, 0: none yet */
	u64 now;
};

static struct rl_entry *entries_next_entry(struct entries_iter *it)
{
	struct rl_entry *e;

	if (it->pos)
		rl_table_iter_next(&it->ti);
	e = rl_table_iter_peek(&it->rn->table, &it->ti);
	if (e)
		it->pos++;
	return e;
}

/* Record 0 is the header; record k the k-th entry of the walk. */
static void *entries_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct entries_iter *it = seq->private;
	struct rl_entry *e = NULL;

	it->now = ktime_get_ns();
	rcu_read_lock();
	if (*pos < it->pos) {
		it->ti = (struct rl_table_iter){};
		it->pos = 0;
	}
	if (!*pos)
		return SEQ_START_TOKEN;
	if (*pos == it->pos)
		return rl_table_iter_peek(&it->rn->table, &it->ti);
	while (it->pos < *pos) {
		e = entries_next_entry(it);
		if (!e)
			break;
	}
	return e;
}

static void *entries_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct entries_iter *it = seq->private;

	++*pos;
	return entries_next_entry(it);
}

static void entries_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int entries_show(struct seq_file *seq, void *v)
{
	struct rl_net *rn = seq_rl_net(seq);
	struct entries_iter *it = seq->private;
	struct rl_entry_info info;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "source tokens passed dropped idle_ms rule selector port\n");
		return 0;
	}
	rl_table_read_entry(&rn->table, v, it->now, &info);
	show_key(seq, &info.key);
	seq_printf(seq, " %llu %llu %llu %llu ", info.tokens, info.passed,
		   info.dropped, div_u64(info.idle_ns, NSEC_PER_MSEC));
	if (info.rule.family)
		show_key(seq, &info.rule);
	else
		seq_putc(seq, '-');
	seq_putc(seq, ' ');
	show_sel(seq, &info.sel);
	if (info.sel.flags & RL_SEL_PER_PORT)
		seq_printf(seq, " %u\n", info.key.port);
	else
		seq_puts(seq, " -\n");
	return 0;
}

static const struct seq_operations entries_seq_ops = {
	.start = entries_start,
	.next = entries_next,
	.stop = entries_stop,
	.show = entries_show,
};

static int entries_open(struct inode *inode, struct file *file)
{
	struct entries_iter *it;

	it = __seq_open_private(file, &entries_seq_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->rn = pde_data(inode);
	return 0;
}

static int entries_release(struct inode *inode, struct file *file)
{
	return seq_release_private(inode, file);
}

static const struct proc_ops entries_proc_ops = {
	.proc_open = entries_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = entries_release,
};

/*
 * The rules file shows the set in force when each read() began: a set
 * replaced between two read() calls can make a long listing skip or repeat
 * lines, as /proc/net/route can.  rlctl's netlink dump flags that instead.
 */
static void *rules_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	const struct rl_ruleset *rs;

	rcu_read_lock();
	if (!*pos)
		return SEQ_START_TOKEN;
	rs = rl_table_rules_rcu(&seq_rl_net(seq)->table);
	return *pos <= rs->nrules ? (void *)&rs->rules[*pos - 1] : NULL;
}

static void *rules_next(struct seq_file *seq, void *v, loff_t *pos)
{
	const struct rl_ruleset *rs;

	rs = rl_table_rules_rcu(&seq_rl_net(seq)->table);
	++*pos;
	return *pos <= rs->nrules ? (void *)&rs->rules[*pos - 1] : NULL;
}

static void rules_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int rules_show(struct seq_file *seq, void *v)
{
	const struct rl_rule *r = v;
	u64 now = ktime_get_ns();

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "prefix action rate burst prefix_len algo selector timeout_ms owner\n");
		return 0;
	}
	if (!rl_rule_live(r, now))
		return SEQ_SKIP;
	show_key(seq, &r->match);
	seq_printf(seq, " %s ", rl_rules_action_name(r->action));
	if (r->action != NF_RL_ACTION_LIMIT) {
		seq_puts(seq, "- - - - ");
	} else {
		show_rate(seq, &r->rate, r->unit);
		seq_printf(seq, " %llu %u %s ", r->rate.burst, r->agg_prefix,
			   rl_algo_get(r->algo)->name);
	}
	show_sel(seq, &r->sel);
	if (r->expires_ns)
		seq_printf(seq, " %llu",
			   DIV_ROUND_UP_ULL(r->expires_ns - now, NSEC_PER_MSEC));
	else
		seq_puts(seq, " -");
	seq_printf(seq, " %s\n", r->owner[0] ? r->owner : "-");
	return 0;
}

static const struct seq_operations rules_seq_ops = {
	.start = rules_start,
	.next = rules_next,
	.stop = rules_stop,
	.show = rules_show,
};

/**
 * rl_procfs_init() - create /proc/net/nf_ratelimit for a namespace
 * @net: the namespace
 * @rn: its state, which the files show
 *
 * Return: 0 or -ENOMEM.
 */
int rl_procfs_init(struct net *net, struct rl_net *rn)
{
	struct proc_dir_entry *dir;

	dir = proc_net_mkdir(net, RL_PROC_DIR, net->proc_net);
	if (!dir)
		return -ENOMEM;
	/*
	 * Counters and settings are anyone's; entries and rules name clients,
	 * so they are the namespace owner's (root of its user namespace), as
	 * /proc/net/nf_conntrack is.
	 */
	if (!proc_create_net_single("stats", 0444, dir, stats_show, rn) ||
	    !proc_create_net_single("config", 0444, dir, config_show, rn) ||
	    !proc_create_data("entries", 0440, dir, &entries_proc_ops, rn) ||
	    !proc_create_net_data("rules", 0440, dir, &rules_seq_ops,
				  sizeof(struct seq_net_private), rn))
		goto remove_dir;
	return 0;

remove_dir:
	remove_proc_subtree(RL_PROC_DIR, net->proc_net);
	return -ENOMEM;
}

/**
 * rl_procfs_exit() - remove /proc/net/nf_ratelimit of a namespace
 * @net: the namespace
 *
 * Waits for readers that are inside one of its files.
 */
void rl_procfs_exit(struct net *net)
{
	remove_proc_subtree(RL_PROC_DIR, net->proc_net);
}
