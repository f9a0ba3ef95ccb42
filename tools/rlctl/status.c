// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl status: the namespace's counters and settings, as text, JSON or the
 * Prometheus text exposition format (for node_exporter's textfile collector).
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

/*
 * @name is what text and JSON say; @metric the Prometheus name, after its
 * conventions: the unit counted in the name, counters ending in _total.
 */
struct counter {
	int attr;
	const char *name;
	const char *metric;
	const char *help;
	bool gauge;
};

static const struct counter counters[] = {
	{ NF_RL_A_STATS_PASSED, "passed", "packets_passed_total", "Packets passed." },
	{ NF_RL_A_STATS_DROPPED, "dropped", "packets_dropped_total", "Packets dropped." },
	{ NF_RL_A_STATS_DRY_RUN_DROPPED, "dry_run_dropped", "packets_dry_run_dropped_total",
	  "Packets that would have been dropped, with dry_run on." },
	{ NF_RL_A_STATS_ENTRIES, "entries", "entries", "Sources tracked now.", true },
	{ NF_RL_A_STATS_TABLE_FULL, "table_full", "packets_table_full_total",
	  "Packets from new sources that found the table full." },
	{ NF_RL_A_STATS_ALLOC_FAILED, "alloc_failed", "packets_alloc_failed_total",
	  "Packets whose new entry could not be allocated." },
	{ NF_RL_A_STATS_GC_RUNS, "gc_runs", "gc_runs_total", "Garbage collection passes." },
	{ NF_RL_A_STATS_GC_FREED, "gc_freed", "gc_freed_entries_total",
	  "Idle entries freed by garbage collection." },
	{ NF_RL_A_STATS_ALLOWED, "allowed", "packets_allowed_total",
	  "Packets passed by an allow rule or no rule, without a bucket." },
	{ NF_RL_A_STATS_DENIED, "denied", "packets_denied_total",
	  "Packets a deny rule decided." },
	{ NF_RL_A_STATS_RULES, "rules", "rules", "Rules in force.", true },
	{ NF_RL_A_STATS_EVENTS_LOST, "events_lost", "events_lost_total",
	  "Events not sent, over the event rate." },
	{ NF_RL_A_STATS_RULES_EXPIRED, "rules_expired", "rules_expired_total",
	  "Timed rules removed when they expired." },
	{ NF_RL_A_STATS_OWNER_RULES_REFUSED, "owner_rules_refused",
	  "owner_rules_refused_total",
	  "Rules refused because their owner held owner-rules-max." },
};

#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

struct status {
	uint64_t stat[NF_RL_A_STATS_MAX + 1];
	uint64_t rate, period_ns, burst;
	uint32_t hook, buckets, unit, algo;
	int32_t priority;
	uint8_t v4_prefix, v6_prefix;
	struct rl_settings set;
};

static const char * const hooks[] = { "prerouting", "input" };

static const char *name_of(const char * const *names, size_t n, uint32_t v)
{
	return v < n ? names[v] : "unknown";
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct status *st = data;
	struct nlattr *nest, *a;

	mnl_attr_for_each(nest, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(nest) != NF_RL_A_STATS)
			continue;
		mnl_attr_for_each_nested(a, nest) {
			unsigned int t = mnl_attr_get_type(a);

			if (t <= NF_RL_A_STATS_MAX)
				st->stat[t] = rl_nl_uint(a);
		}
	}
	return MNL_CB_OK;
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	struct status *st = data;
	struct nlattr *nest, *a;

	mnl_attr_for_each(nest, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(nest) != NF_RL_A_CONFIG)
			continue;
		rl_nl_parse_settings(nest, &st->set);
		mnl_attr_for_each_nested(a, nest) {
			switch (mnl_attr_get_type(a)) {
			case NF_RL_A_CONFIG_RATE: st->rate = rl_nl_uint(a); break;
			case NF_RL_A_CONFIG_RATE_PERIOD_NS: st->period_ns = rl_nl_uint(a); break;
			case NF_RL_A_CONFIG_BURST: st->burst = rl_nl_uint(a); break;
			case NF_RL_A_CONFIG_V4_PREFIX: st->v4_prefix = rl_nl_uint(a); break;
			case NF_RL_A_CONFIG_V6_PREFIX: st->v6_prefix = rl_nl_uint(a); break;
			case NF_RL_A_CONFIG_HOOK: st->hook = rl_nl_uint(a); break;
			case NF_RL_A_CONFIG_PRIORITY: st->priority = (int32_t)rl_nl_uint(a); break;
			case NF_RL_A_CONFIG_BUCKETS: st->buckets = rl_nl_uint(a); break;
			case NF_RL_A_CONFIG_UNIT: st->unit = rl_nl_uint(a); break;
			case NF_RL_A_CONFIG_ALGO: st->algo = rl_nl_uint(a); break;
			}
		}
	}
	return MNL_CB_OK;
}

static void print_text(const struct status *st)
{
	char rate[48];
	size_t i;

	for (i = 0; i < NCOUNTERS; i++)
		printf("%-16s %llu\n", counters[i].name,
		       (unsigned long long)st->stat[counters[i].attr]);
	rl_format_rate(st->rate, st->period_ns, st->unit, rate, sizeof(rate));
	printf("%-16s %s\n", "rate", rate);
	printf("%-16s %llu\n", "burst", (unsigned long long)st->burst);
	printf("%-16s %s\n", "algo", rl_algo_name(st->algo));
	printf("%-16s %u\n", "v4_prefix", st->v4_prefix);
	printf("%-16s %u\n", "v6_prefix", st->v6_prefix);
	printf("%-16s %s\n", "hook", name_of(hooks, 2, st->hook));
	printf("%-16s %d\n", "priority", st->priority);
	printf("%-16s %u\n", "max_entries", st->set.max_entries);
	printf("%-16s %u\n", "buckets", st->buckets);
	printf("%-16s %s\n", "dry_run", st->set.dry_run ? "on" : "off");
	printf("%-16s %s\n", "log", st->set.log ? "on" : "off");
	printf("%-16s %s\n", "full_policy", rl_policy_name(st->set.policy));
	printf("%-16s %u\n", "owner_rules_max", st->set.owner_max);
}

static void print_json(const struct status *st)
{
	char rate[48];
	size_t i;

	printf("{\"stats\":{");
	for (i = 0; i < NCOUNTERS; i++)
		printf("%s\"%s\":%llu", i ? "," : "", counters[i].name,
		       (unsigned long long)st->stat[counters[i].attr]);
	rl_format_rate(st->rate, st->period_ns, st->unit, rate, sizeof(rate));
	printf("},\"config\":{\"rate\":");
	rl_json_str(stdout, rate);
	printf(",\"algo\":\"%s\",\"unit\":\"%s\"", rl_algo_name(st->algo),
	       st->unit ? "bytes" : "packets");
	printf(",\"rate_packets\":%llu,\"rate_period_ns\":%llu,\"burst\":%llu,"
	       "\"v4_prefix\":%u,\"v6_prefix\":%u,\"hook\":\"%s\",\"priority\":%d,"
	       "\"max_entries\":%u,\"buckets\":%u,\"dry_run\":%s,\"log\":%s,"
	       "\"full_policy\":\"%s\",\"owner_rules_max\":%u}}\n",
	       (unsigned long long)st->rate, (unsigned long long)st->period_ns,
	       (unsigned long long)st->burst, st->v4_prefix, st->v6_prefix,
	       name_of(hooks, 2, st->hook), st->priority, st->set.max_entries,
	       st->buckets, st->set.dry_run ? "true" : "false",
	       st->set.log ? "true" : "false", rl_policy_name(st->set.policy),
	       st->set.owner_max);
}

/*
 * The namespace rlctl runs in, for the netns label: its name under
 * /run/netns (ip netns), "init" for PID 1's, or else its inode number as
 * ls -l /proc/PID/ns/net and lsns show it.
 */
static void netns_label(char *buf, size_t len)
{
	struct stat self, other;
	struct dirent *d;
	char path[PATH_MAX];
	DIR *dir;

	if (stat("/proc/self/ns/net", &self)) {
		snprintf(buf, len, "unknown");
		return;
	}
	snprintf(buf, len, "%llu", (unsigned long long)self.st_ino);
	if (!stat("/proc/1/ns/net", &other) && other.st_ino == self.st_ino &&
	    other.st_dev == self.st_dev) {
		snprintf(buf, len, "init");
		return;
	}
	dir = opendir("/run/netns");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
		if (d->d_name[0] != '.' && !stat(path, &other) &&
		    other.st_ino == self.st_ino && other.st_dev == self.st_dev) {
			snprintf(buf, len, "%s", d->d_name);
			break;
		}
	}
	closedir(dir);
}

static void print_metric(const char *name, const char *help, bool gauge,
			 const char *netns, unsigned long long v)
{
	printf("# HELP nf_ratelimit_%s %s\n", name, help);
	printf("# TYPE nf_ratelimit_%s %s\n", name, gauge ? "gauge" : "counter");
	printf("nf_ratelimit_%s{netns=", name);
	rl_json_str(stdout, netns);	/* a label value is quoted as JSON is */
	printf("} %llu\n", v);
}

static void print_prometheus(const struct status *st)
{
	char netns[NAME_MAX + 1];
	size_t i;

	netns_label(netns, sizeof(netns));
	for (i = 0; i < NCOUNTERS; i++)
		print_metric(counters[i].metric, counters[i].help,
			     counters[i].gauge, netns, st->stat[counters[i].attr]);
	print_metric("max_entries", "Most sources tracked.", true, netns,
		     st->set.max_entries);
	print_metric("dry_run", "1 if drops are only counted.", true, netns,
		     st->set.dry_run);
}

static int status_run(int argc, char **argv, const struct rlctl_opts *o)
{
	struct status st;
	int err;

	if (argc > 1) {
		rl_usage_error("status takes no arguments");
		return RLCTL_EXIT_USAGE;
	}
	memset(&st, 0, sizeof(st));
	err = rl_nl_request(NF_RL_CMD_GET_STATS, 0, NULL, NULL, stats_cb, &st);
	if (!err)
		err = rl_nl_request(NF_RL_CMD_GET_CONFIG, 0, NULL, NULL, config_cb, &st);
	if (err)
		return rl_nl_error(err);

	if (o->prometheus)
		print_prometheus(&st);
	else if (o->json)
		print_json(&st);
	else
		print_text(&st);
	return RLCTL_EXIT_OK;
}

const struct rlctl_cmd rlctl_status_cmds[] = {
	{ "status", status_run, "status" },
	{ NULL },
};
