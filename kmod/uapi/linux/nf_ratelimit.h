/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nf_ratelimit: values shared by the kernel module and its userspace tools.
 */
#ifndef _UAPI_LINUX_NF_RATELIMIT_H
#define _UAPI_LINUX_NF_RATELIMIT_H

#include <linux/types.h>

/* What happens to a packet from a new source when the table is full. */
enum nf_rl_full_policy {
	NF_RL_FULL_SHARED,	/* charge it to one bucket shared by all such */
	NF_RL_FULL_DROP,	/* drop it */
	NF_RL_FULL_ACCEPT,	/* pass it unmetered */
	__NF_RL_FULL_MAX
};

/* Where the hooks sit. */
enum nf_rl_hook {
	NF_RL_HOOK_PREROUTING,	/* NF_INET_PRE_ROUTING: before routing and conntrack */
	NF_RL_HOOK_INPUT,	/* NF_INET_LOCAL_IN: only traffic for this host */
	__NF_RL_HOOK_MAX
};

/* What a rule does to the sources it covers. */
enum nf_rl_action {
	NF_RL_ACTION_LIMIT,	/* a bucket per source (or per aggregation prefix) */
	NF_RL_ACTION_ALLOW,	/* never limited */
	NF_RL_ACTION_DENY,	/* always dropped */
	__NF_RL_ACTION_MAX
};

/* How a limit rule meters its sources. */
enum nf_rl_algo {
	NF_RL_ALGO_TOKEN_BUCKET,	/* tokens refilled per ns, burst deep */
	NF_RL_ALGO_GCRA,		/* generic cell rate: same verdicts, a time */
	NF_RL_ALGO_SLIDING_WINDOW,	/* burst per burst window, sliding */
	__NF_RL_ALGO_MAX
};

/* What a limit rule's rate and burst count. */
enum nf_rl_unit {
	NF_RL_UNIT_PACKETS,
	NF_RL_UNIT_BYTES,		/* a packet costs its length */
	__NF_RL_UNIT_MAX
};

/* What an NF_RL_CMD_EVENT_NTF reports. */
enum nf_rl_event_type {
	NF_RL_EVENT_LIMITED,	/* a source had its first packet dropped */
	NF_RL_EVENT_RELEASED,	/* its bucket refilled: it is within its rate */
	__NF_RL_EVENT_MAX
};

/* A range of destination ports, both ends included, in host byte order. */
struct nf_rl_port_range {
	__u16 lo;
	__u16 hi;
};

#define NF_RL_PORT_RANGES_MAX	8	/* per rule */
#define NF_RL_ICMP_TYPES_MAX	8	/* per rule */
#define NF_RL_SELECTORS_MAX	16	/* distinct selectors, per family */

/*
 * Timed rules and owners.  A rule may expire by itself; a rule's owner tag
 * ([A-Za-z0-9_.-], up to NF_RL_OWNER_LEN - 1 characters; none: the
 * administrator's) says which agent manages it, so that one never touches
 * another's rules.
 */
#define NF_RL_OWNER_LEN		16
#define NF_RL_TIMEOUT_MAX_MS	(30ULL * 24 * 3600 * 1000)	/* 30 days */
#define NF_RL_OWNER_RULES_DEFAULT	4096	/* per owner, settable */

/*
 * Generic netlink family "nf_ratelimit", described in
 * Documentation/netlink/specs/nf_ratelimit.yaml of this repository.  Every
 * command acts on the caller's network namespace.  Commands that change
 * state need CAP_NET_ADMIN in that namespace; reading needs nothing.
 */
#define NF_RL_GENL_NAME		"nf_ratelimit"
#define NF_RL_GENL_VERSION	1
#define NF_RL_MCGRP_EVENTS	"events"

enum nf_rl_cmd {
	NF_RL_CMD_UNSPEC,
	NF_RL_CMD_GET_STATS,		/* -> NF_RL_A_STATS */
	NF_RL_CMD_GET_CONFIG,		/* -> NF_RL_A_CONFIG */
	NF_RL_CMD_SET_CONFIG,		/* NF_RL_A_CONFIG: the settable parts */
	NF_RL_CMD_GET_ENTRY,		/* dump; NF_RL_A_ENTRY filters by prefix */
	NF_RL_CMD_DEL_ENTRY,		/* NF_RL_A_ENTRY: ADDR and PREFIX */
	NF_RL_CMD_FLUSH_ENTRIES,
	NF_RL_CMD_GET_RULE,		/* do: NF_RL_A_RULE ADDR and PREFIX; or dump */
	NF_RL_CMD_ADD_RULE,		/* NF_RL_A_RULE; fails if the prefix has one */
	NF_RL_CMD_REPLACE_RULE,		/* NF_RL_A_RULE; adds it if missing */
	NF_RL_CMD_DEL_RULE,		/* NF_RL_A_RULE: ADDR and PREFIX */
	/* NF_RL_A_RULE, repeated, and NF_RL_A_CONFIG: all rules and settings */
	NF_RL_CMD_SET_RULES,
	NF_RL_CMD_EVENT_NTF,		/* multicast "events": NF_RL_A_EVENT */
	__NF_RL_CMD_MAX
};

#define NF_RL_CMD_MAX (__NF_RL_CMD_MAX - 1)

enum nf_rl_attr {
	NF_RL_A_UNSPEC,
	NF_RL_A_STATS,			/* nest, enum nf_rl_stats_attr */
	NF_RL_A_CONFIG,			/* nest, enum nf_rl_config_attr */
	NF_RL_A_ENTRY,			/* nest, enum nf_rl_entry_attr */
	NF_RL_A_RULE,			/* nest, enum nf_rl_rule_attr */
	NF_RL_A_EVENT,			/* nest, enum nf_rl_event_attr */
	/* string: whose rules NF_RL_CMD_SET_RULES replaces; none: the admin's */
	NF_RL_A_OWNER,
	__NF_RL_A_MAX
};

#define NF_RL_A_MAX (__NF_RL_A_MAX - 1)

enum nf_rl_stats_attr {
	NF_RL_A_STATS_UNSPEC,
	NF_RL_A_STATS_PAD,
	NF_RL_A_STATS_PASSED,		/* u64 */
	NF_RL_A_STATS_DROPPED,		/* u64 */
	NF_RL_A_STATS_DRY_RUN_DROPPED,	/* u64 */
	NF_RL_A_STATS_ENTRIES,		/* u64 */
	NF_RL_A_STATS_TABLE_FULL,	/* u64 */
	NF_RL_A_STATS_ALLOC_FAILED,	/* u64 */
	NF_RL_A_STATS_GC_RUNS,		/* u64 */
	NF_RL_A_STATS_GC_FREED,		/* u64 */
	NF_RL_A_STATS_ALLOWED,		/* u64, passed by an allow rule or no rule */
	NF_RL_A_STATS_DENIED,		/* u64, dropped by a deny rule */
	NF_RL_A_STATS_RULES,		/* u64, rules in force */
	NF_RL_A_STATS_EVENTS_LOST,	/* u64, events not sent: over their rate */
	NF_RL_A_STATS_RULES_EXPIRED,	/* u64, timed rules removed at expiry */
	/* u64, rules refused because their owner held OWNER_RULES_MAX */
	NF_RL_A_STATS_OWNER_RULES_REFUSED,
	__NF_RL_A_STATS_MAX
};

#define NF_RL_A_STATS_MAX (__NF_RL_A_STATS_MAX - 1)

enum nf_rl_config_attr {
	NF_RL_A_CONFIG_UNSPEC,
	NF_RL_A_CONFIG_PAD,
	NF_RL_A_CONFIG_RATE,		/* u64, packets per RATE_PERIOD_NS */
	NF_RL_A_CONFIG_RATE_PERIOD_NS,	/* u64 */
	NF_RL_A_CONFIG_BURST,		/* u64 */
	NF_RL_A_CONFIG_V4_PREFIX,	/* u8 */
	NF_RL_A_CONFIG_V6_PREFIX,	/* u8 */
	NF_RL_A_CONFIG_HOOK,		/* u32, enum nf_rl_hook */
	NF_RL_A_CONFIG_PRIORITY,	/* s32 */
	NF_RL_A_CONFIG_BUCKETS,		/* u32 */
	NF_RL_A_CONFIG_MAX_ENTRIES,	/* u32, settable */
	NF_RL_A_CONFIG_DRY_RUN,		/* u8, 0 or 1, settable */
	NF_RL_A_CONFIG_FULL_POLICY,	/* u32, enum nf_rl_full_policy, settable */
	NF_RL_A_CONFIG_UNIT,		/* u32, enum nf_rl_unit of RATE and BURST */
	NF_RL_A_CONFIG_ALGO,		/* u32, enum nf_rl_algo */
	NF_RL_A_CONFIG_LOG,		/* u8, 0 or 1, settable */
	/* u32, rules one owner may hold (not the admin), settable */
	NF_RL_A_CONFIG_OWNER_RULES_MAX,
	__NF_RL_A_CONFIG_MAX
};

#define NF_RL_A_CONFIG_MAX (__NF_RL_A_CONFIG_MAX - 1)

enum nf_rl_entry_attr {
	NF_RL_A_ENTRY_UNSPEC,
	NF_RL_A_ENTRY_PAD,
	NF_RL_A_ENTRY_ADDR,		/* binary, 4 (IPv4) or 16 (IPv6) bytes */
	NF_RL_A_ENTRY_PREFIX,		/* u8 */
	NF_RL_A_ENTRY_TOKENS,		/* u64, whole packets */
	NF_RL_A_ENTRY_PASSED,		/* u64 */
	NF_RL_A_ENTRY_DROPPED,		/* u64 */
	NF_RL_A_ENTRY_IDLE_MS,		/* u64 */
	NF_RL_A_ENTRY_RULE_ADDR,	/* binary, the prefix of the entry's rule */
	NF_RL_A_ENTRY_RULE_PREFIX,	/* u8 */
	/* nest, enum nf_rl_rule_attr: the selector of the entry's rule */
	NF_RL_A_ENTRY_RULE_SEL,
	NF_RL_A_ENTRY_PORT,		/* u16, the port of a per-port rule's entry */
	NF_RL_A_ENTRY_PASSED_BYTES,	/* u64, the bytes of the packets passed */
	NF_RL_A_ENTRY_DROPPED_BYTES,	/* u64 */
	/*
	 * In a dump request, NF_RL_A_ENTRY filters: ADDR and PREFIX, the
	 * entries inside that prefix; IDLE_MS, those idle at most that long;
	 * RULE_ADDR, RULE_PREFIX and RULE_SEL, those charged under that rule.
	 */
	__NF_RL_A_ENTRY_MAX
};

#define NF_RL_A_ENTRY_MAX (__NF_RL_A_ENTRY_MAX - 1)

enum nf_rl_rule_attr {
	NF_RL_A_RULE_UNSPEC,
	NF_RL_A_RULE_PAD,
	NF_RL_A_RULE_ADDR,		/* binary, 4 (IPv4) or 16 (IPv6) bytes */
	NF_RL_A_RULE_PREFIX,		/* u8 */
	NF_RL_A_RULE_ACTION,		/* u32, enum nf_rl_action; default limit */
	NF_RL_A_RULE_RATE,		/* u64, packets per RATE_PERIOD_NS; limit only */
	NF_RL_A_RULE_RATE_PERIOD_NS,	/* u64; default one second */
	NF_RL_A_RULE_BURST,		/* u64; default one second of rate, >= 1 */
	/* u8, sources grouped by this length: PREFIX to 32 or 128 */
	NF_RL_A_RULE_AGG_PREFIX,
	NF_RL_A_RULE_ALGO,		/* u32, enum nf_rl_algo; default token bucket */
	NF_RL_A_RULE_UNIT,		/* u32, enum nf_rl_unit; default packets */
	/*
	 * The selector: which packets of the covered sources the rule sees.
	 * All absent: every packet (a source rule).  Rules with one selector
	 * compete by longest prefix; a packet is charged under the best rule
	 * of every selector it matches (see README, "Selectors").
	 */
	NF_RL_A_RULE_PROTO,		/* u8, IPPROTO_*: tcp, udp, icmp, ... */
	/* binary, struct nf_rl_port_range[1..NF_RL_PORT_RANGES_MAX]; tcp or udp */
	NF_RL_A_RULE_DPORTS,
	NF_RL_A_RULE_SYN,		/* flag: TCP SYN without ACK only; tcp */
	/* binary, __u8[1..NF_RL_ICMP_TYPES_MAX]: ICMP (v6) types; icmp, icmpv6 */
	NF_RL_A_RULE_ICMP_TYPES,
	/* string, an input interface name; a trailing '+' matches any suffix */
	NF_RL_A_RULE_IIF,
	NF_RL_A_RULE_PER_PORT,		/* flag: a state per source and dport */
	/* u64: the rule is removed this many ms from now; dumps: the time left */
	NF_RL_A_RULE_TIMEOUT_MS,
	NF_RL_A_RULE_OWNER,		/* string, NF_RL_OWNER_LEN; none: the admin */
	__NF_RL_A_RULE_MAX
};

#define NF_RL_A_RULE_MAX (__NF_RL_A_RULE_MAX - 1)

enum nf_rl_event_attr {
	NF_RL_A_EVENT_UNSPEC,
	NF_RL_A_EVENT_PAD,
	NF_RL_A_EVENT_TYPE,		/* u32, enum nf_rl_event_type */
	NF_RL_A_EVENT_ADDR,		/* binary, the source (masked) */
	NF_RL_A_EVENT_PREFIX,		/* u8 */
	NF_RL_A_EVENT_RULE_ADDR,	/* binary, its rule's prefix */
	NF_RL_A_EVENT_RULE_PREFIX,	/* u8 */
	NF_RL_A_EVENT_DROPPED,		/* u64, the source's drops so far */
	NF_RL_A_EVENT_LOST,		/* u64, events not sent before this one */
	/* nest, enum nf_rl_rule_attr: the selector of the source's rule */
	NF_RL_A_EVENT_RULE_SEL,
	NF_RL_A_EVENT_PORT,		/* u16, a per-port rule's destination port */
	__NF_RL_A_EVENT_MAX
};

#define NF_RL_A_EVENT_MAX (__NF_RL_A_EVENT_MAX - 1)

#endif /* _UAPI_LINUX_NF_RATELIMIT_H */
