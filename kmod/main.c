// SPDX-License-Identifier: GPL-2.0
/*
 * nf_ratelimit: per-source packet rate limiting at the netfilter layer.
 *
 * Module parameters, their validation, and the per-namespace life cycle.  The
 * parameters are read once at load; every namespace, present or future,
 * starts with a validated copy of them: rate, burst and the prefixes become
 * its default rules, for 0.0.0.0/0 and ::/0, which rlctl can then change.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfilter_ipv4.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "algo.h"
#include "compat.h"
#include "hook.h"
#include "log.h"
#include "main.h"
#include "netlink.h"
#include "nf_ratelimit.h"
#include "procfs.h"
#include "rate.h"
#include "rules.h"

enum {
	RL_DEFAULT_MAX_ENTRIES = 65536,
	RL_MIN_BUCKETS = 16,
	RL_MAX_BUCKETS = 1 << 24,
};

static char *rate = "0";
module_param(rate, charp, 0444);
MODULE_PARM_DESC(rate, "Per source: N[UNIT][/second|minute|hour|day|week], UNIT bytes, kbytes, mbytes, gbytes, bit, kbit, mbit or gbit for a byte rate; 0 counts without limiting (default 0)");

static unsigned int burst;
module_param(burst, uint, 0444);
MODULE_PARM_DESC(burst, "Bucket size in packets, or bytes for a byte rate (default: one second of rate, at least 1 packet or 64 KiB)");

static char *algo = "token-bucket";
module_param(algo, charp, 0444);
MODULE_PARM_DESC(algo, "Limiting algorithm: token-bucket, gcra or sliding-window (default token-bucket)");

static unsigned int v4_prefix = 32;
module_param(v4_prefix, uint, 0444);
MODULE_PARM_DESC(v4_prefix, "IPv4 sources are grouped by this prefix length, 0-32 (default 32)");

static unsigned int v6_prefix = 64;
module_param(v6_prefix, uint, 0444);
MODULE_PARM_DESC(v6_prefix, "IPv6 sources are grouped by this prefix length, 0-128 (default 64)");

static char *hook = "prerouting";
module_param(hook, charp, 0444);
MODULE_PARM_DESC(hook, "Hook point: prerouting or input (default prerouting)");

static int priority = NF_IP_PRI_RAW;
module_param(priority, int, 0444);
MODULE_PARM_DESC(priority, "Hook priority (default -300, the raw priority: before conntrack)");

static unsigned int max_entries = RL_DEFAULT_MAX_ENTRIES;
module_param(max_entries, uint, 0444);
MODULE_PARM_DESC(max_entries, "Most sources tracked per namespace (default 65536)");

static unsigned int buckets;
module_param(buckets, uint, 0444);
MODULE_PARM_DESC(buckets, "Most hash buckets per namespace, a power of two (default: max_entries rounded up)");

static unsigned int idle_timeout = RL_IDLE_DEFAULT_S;
module_param(idle_timeout, uint, 0444);
MODULE_PARM_DESC(idle_timeout, "Seconds a source keeps its entry after its last packet at least, 1-3600; longer while its bucket refills (default 10)");

static bool prealloc;
module_param(prealloc, bool, 0444);
MODULE_PARM_DESC(prealloc, "Allocate each namespace's max_entries entries when it is created, none on the packet path (default N)");

static bool dry_run;
module_param(dry_run, bool, 0444);
MODULE_PARM_DESC(dry_run, "Count packets that would be dropped, drop nothing (default N)");

static bool log_events;	/* "log" would shadow the builtin */
module_param_named(log, log_events, bool, 0444);
MODULE_PARM_DESC(log, "Log a line when a source starts and stops being limited, at most net_ratelimit()'s pace (default N)");

static char *full_policy = "shared";
module_param(full_policy, charp, 0444);
MODULE_PARM_DESC(full_policy, "New sources when the table is full: shared, drop or accept (default shared)");

unsigned int rl_net_id __read_mostly;
static struct rl_config rl_cfg __read_mostly;
static struct rl_table_cfg rl_table_cfg __read_mostly;

/**
 * rl_main_default_rules() - the rules a namespace starts with
 * @cfg: validated module parameters
 *
 * Return: a set of two limit rules, 0.0.0.0/0 and ::/0, at the parameters'
 * rate and prefixes, or an ERR_PTR.
 */
struct rl_ruleset *rl_main_default_rules(const struct rl_config *cfg)
{
	struct rl_rule rules[2] = {
		{ .action = NF_RL_ACTION_LIMIT, .agg_prefix = cfg->v4_prefix,
		  .algo = cfg->algo, .unit = cfg->unit, .rate = cfg->rate },
		{ .action = NF_RL_ACTION_LIMIT, .agg_prefix = cfg->v6_prefix,
		  .algo = cfg->algo, .unit = cfg->unit, .rate = cfg->rate },
	};
	const char *msg;

	rl_key_build4(&rules[0].match, 0, 0);
	rl_key_build6(&rules[1].match, &(struct in6_addr){}, 0);
	return rl_rules_build(rules, ARRAY_SIZE(rules), &msg);
}
EXPORT_SYMBOL_IF_KUNIT(rl_main_default_rules);

static int parse_params(struct rl_config *cfg, struct rl_table_cfg *t)
{
	enum nf_rl_unit unit;
	u64 n, period_ns, b;
	const char *msg;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	memset(t, 0, sizeof(*t));

	if (rl_rate_parse(rate, &n, &period_ns, &unit)) {
		pr_err("rate=%s: expected N[UNIT][/second, /minute, /hour, /day or /week]\n",
		       rate);
		return -EINVAL;
	}
	b = burst ?: rl_algo_default_burst(n, period_ns, unit);
	err = rl_algo_rate_init(&cfg->rate, n, period_ns, b, unit, &msg);
	if (err) {
		pr_err("rate=%s burst=%llu: %s\n", rate, b, msg);
		return -EINVAL;
	}
	cfg->unit = unit;
	err = rl_algo_lookup(algo);
	if (err < 0) {
		pr_err("algo=%s: must be token-bucket, gcra or sliding-window\n", algo);
		return -EINVAL;
	}
	cfg->algo = err;
	if (rl_algo_check(cfg->algo, &cfg->rate, &msg)) {
		pr_err("algo=%s burst=%llu: %s\n", algo, b, msg);
		return -EINVAL;
	}

	if (v4_prefix > 32) {
		pr_err("v4_prefix=%u: must be 0 to 32\n", v4_prefix);
		return -EINVAL;
	}
	if (v6_prefix > 128) {
		pr_err("v6_prefix=%u: must be 0 to 128\n", v6_prefix);
		return -EINVAL;
	}
	cfg->v4_prefix = v4_prefix;
	cfg->v6_prefix = v6_prefix;

	err = rl_hook_lookup(hook);
	if (err < 0) {
		pr_err("hook=%s: must be prerouting or input\n", hook);
		return -EINVAL;
	}
	cfg->hook = err;

	/* INT_MIN and INT_MAX are reserved for netfilter's own first/last. */
	if (priority == INT_MIN || priority == INT_MAX) {
		pr_err("priority=%d: reserved by netfilter\n", priority);
		return -EINVAL;
	}
	cfg->priority = priority;

	if (!max_entries || max_entries > RL_MAX_ENTRIES_LIMIT) {
		pr_err("max_entries=%u: must be 1 to %u\n", max_entries,
		       RL_MAX_ENTRIES_LIMIT);
		return -EINVAL;
	}
	t->limits.max_entries = max_entries;
	cfg->max_entries = max_entries;

	t->buckets = buckets;
	if (!t->buckets)
		t->buckets = clamp_t(u32, roundup_pow_of_two(max_entries),
				     RL_MIN_BUCKETS, RL_MAX_BUCKETS);
	if (!is_power_of_2(t->buckets) || t->buckets < RL_MIN_BUCKETS ||
	    t->buckets > RL_MAX_BUCKETS) {
		pr_err("buckets=%u: must be a power of two from %u to %u\n",
		       buckets, RL_MIN_BUCKETS, RL_MAX_BUCKETS);
		return -EINVAL;
	}
	/* More than two entries a bucket on average: every lookup slows. */
	if (max_entries > 2ULL * t->buckets) {
		pr_err("buckets=%u: too few for max_entries=%u (need at least %u)\n",
		       t->buckets, max_entries,
		       (u32)roundup_pow_of_two(DIV_ROUND_UP(max_entries, 2)));
		return -EINVAL;
	}

	if (!idle_timeout || idle_timeout > RL_IDLE_MAX_S) {
		pr_err("idle_timeout=%u: must be 1 to %u\n", idle_timeout,
		       RL_IDLE_MAX_S);
		return -EINVAL;
	}
	t->idle_s = idle_timeout;

	t->prealloc = prealloc;
	t->limits.dry_run = dry_run;
	t->limits.log = log_events;
	t->limits.owner_rules_max = NF_RL_OWNER_RULES_DEFAULT;

	err = rl_table_full_policy_lookup(full_policy);
	if (err < 0) {
		pr_err("full_policy=%s: must be shared, drop or accept\n",
		       full_policy);
		return -EINVAL;
	}
	t->limits.full_policy = err;
	return 0;
}

/* A source limited or released: to the kernel log and to netlink listeners. */
static void table_event(struct rl_table *t, const struct rl_event *ev)
{
	struct rl_net *rn = container_of(t, struct rl_net, table);

	rl_log_event(rn, ev);
	rl_netlink_notify(t, ev);
}

static int __net_init rl_net_init(struct net *net)
{
	struct rl_net *rn = rl_pernet(net);
	struct rl_ruleset *rules;
	int err;

	rn->cfg = rl_cfg;
	rn->net = net;
	rl_netlink_init_net(rn);
	rules = rl_main_default_rules(&rn->cfg);
	if (IS_ERR(rules))
		return PTR_ERR(rules);
	err = rl_table_init(&rn->table, &rl_table_cfg, rules, ktime_get_ns());
	if (err)
		return err;
	rn->table.notify = table_event;
	err = rl_procfs_init(net, rn);
	if (err)
		goto destroy_table;
	err = rl_hook_register(net, rn);
	if (err)
		goto wait_for_hooks;
	rl_table_start_gc(&rn->table);
	return 0;

wait_for_hooks:
	/*
	 * A hook netfilter registered before another failed has been removed
	 * again, but without waiting for the packets inside it, which use the
	 * table: in init_net, at modprobe time, there are some.
	 */
	synchronize_net();
	rl_procfs_exit(net);
destroy_table:
	rl_table_destroy(&rn->table);
	return err;
}

/*
 * Hooks go first, in pre_exit: the namespace core then waits for an RCU grace
 * period before exit, so no packet is still inside a hook when the table goes.
 */
static void __net_exit rl_net_pre_exit(struct net *net)
{
	rl_hook_unregister(net, rl_pernet(net));
}

static void __net_exit rl_net_exit(struct net *net)
{
	struct rl_net *rn = rl_pernet(net);

	rl_procfs_exit(net);
	rl_table_destroy(&rn->table);
}

static struct pernet_operations rl_net_ops = {
	.init = rl_net_init,
	.pre_exit = rl_net_pre_exit,
	.exit = rl_net_exit,
	.id = &rl_net_id,
	.size = sizeof(struct rl_net),
};

static int __init rl_init(void)
{
	int err;

	err = parse_params(&rl_cfg, &rl_table_cfg);
	if (err)
		return err;
	err = rl_table_module_init();
	if (err)
		return err;
	err = register_pernet_subsys(&rl_net_ops);
	if (err)
		goto destroy_cache;
	err = rl_netlink_register();
	if (err)
		goto unregister_pernet;
	return 0;

unregister_pernet:
	unregister_pernet_subsys(&rl_net_ops);
	rcu_barrier();
destroy_cache:
	rl_table_module_exit();
	return err;
}

/*
 * Teardown order: netlink (which waits for its running callers), hooks, then
 * GC and entries (per namespace, in the pernet exit), then rcu_barrier() for
 * rule sets handed to call_rcu(), then the entries' cache.
 */
static void __exit rl_exit(void)
{
	rl_netlink_unregister();
	unregister_pernet_subsys(&rl_net_ops);
	rcu_barrier();
	rl_table_module_exit();
}

module_init(rl_init);
module_exit(rl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-source packet rate limiting for IPv4 and IPv6");
MODULE_AUTHOR("nf_ratelimit developers");
MODULE_VERSION(NF_RL_VERSION);
