/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rlsyncd: cluster-wide limits for nf_ratelimit, through Redis.
 *
 * The kernel decides every packet alone.  Every interval T, rlsyncd reads
 * what each source offered this host (one filtered entry dump), adds it to
 * a cluster-wide sliding window in Redis (one pipelined round trip of Lua
 * script calls), and turns the sources the cluster finds over their rate
 * into timed rules of its own owner tag: a limit at this host's share of
 * the cluster rate.  Those rules expire by themselves a few T after the
 * last verdict, so a dead agent or an unreachable Redis leaves every host
 * with its local rules.
 */
#ifndef RLSYNCD_H
#define RLSYNCD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../rlctl/rlctl.h"

#define RLS_MAX_CLUSTER_RULES	64
#define RLS_MAX_SENTINELS	8
#define RLS_NAME_LEN		64
#define RLS_HOST_LEN		256

/* A limit the cluster shares: a rule of sync.conf. */
struct rls_rule {
	char name[RLS_NAME_LEN];	/* the Redis key's hash tag */
	struct rl_rule_spec spec;	/* prefix, rate, burst, prefix-len, algo */
	uint64_t window_ms;		/* of the Redis estimate */
	uint32_t deny_above;		/* estimate > this x allowance: deny; 0 never */
	uint64_t allowance;		/* burst + rate x window, in packets */
};

struct rls_endpoint {
	char host[RLS_HOST_LEN];
	int port;
};

enum rls_down {
	RLS_DOWN_LOCAL,		/* let the rules expire: local limits apply */
	RLS_DOWN_KEEP,		/* renew the last verdicts for keep_ms */
};

struct rls_config {
	struct rls_endpoint redis;	/* port 0: use the sentinels */
	struct rls_endpoint sentinels[RLS_MAX_SENTINELS];
	unsigned int nsentinels;
	char master_name[RLS_NAME_LEN];
	char user[RLS_NAME_LEN];
	char password[RLS_HOST_LEN];
	char host_id[RLS_NAME_LEN];
	char owner[NF_RL_OWNER_LEN];
	char key_prefix[RLS_NAME_LEN];
	uint64_t interval_ms;		/* T */
	uint64_t timeout_ms;		/* of every Redis call */
	uint32_t hold;			/* verdicts last hold x T */
	enum rls_down on_down;
	uint64_t keep_ms;
	uint32_t batch;			/* sources per script call */
	uint32_t max_rules;		/* verdicts installed at most */
	char status_file[RLS_HOST_LEN];
	char metrics_file[RLS_HOST_LEN];
	struct rls_rule rules[RLS_MAX_CLUSTER_RULES];
	unsigned int nrules;
};

/* conf.c: 0 or -EINVAL with @err (RL_ERR_LEN) naming the line. */
int rls_parse_config(const char *text, size_t len, struct rls_config *c,
		     char *err);
void rls_config_defaults(struct rls_config *c);

/* A source as the kernel keys it, under one cluster rule. */
struct rls_source {
	struct rl_prefix prefix;
	unsigned int rule;		/* index in rls_config.rules */
};

int rls_source_cmp(const struct rls_source *a, const struct rls_source *b);
void rls_source_key(const struct rls_config *c, const struct rls_source *s,
		    char *buf, size_t len);

/* One source's verdict from the cluster. */
struct rls_verdict {
	struct rls_source src;
	uint64_t estimate;		/* packets in the last window, cluster-wide */
	uint32_t share_ppm;		/* this host's share of them */
	uint64_t expires_ms;		/* monotonic; renewed by each verdict */
};

/* redis.c */
struct rls_redis;
struct rls_batch {
	unsigned int rule;
	unsigned int n;
	const struct rls_source *src;	/* n of them */
	const uint64_t *delta;
};

struct rls_redis *rls_redis_new(const struct rls_config *c);
void rls_redis_free(struct rls_redis *r);
int rls_redis_connect(struct rls_redis *r, char *err);
bool rls_redis_connected(const struct rls_redis *r);
/*
 * Runs every batch in one pipelined round trip (two after the script cache
 * was lost); calls @verdict for each source over its limit.  Returns 0, or
 * -EIO (connection lost or timed out: reconnect), -EPROTO (a reply was
 * malformed or hostile: refused whole, *bad_replies counts them).
 */
int rls_redis_sync(struct rls_redis *r, const struct rls_batch *b,
		   unsigned int nb,
		   void (*verdict)(void *arg, const struct rls_source *s,
				   uint64_t estimate, uint32_t share_ppm),
		   void *arg, uint64_t *bad_replies, char *err);

/* rules.c: a verdict as the kernel rule rlsyncd installs for it. */
void rls_verdict_rule(const struct rls_config *c, const struct rls_verdict *v,
		      uint64_t now_ms, struct rl_rule_spec *r);

#endif /* RLSYNCD_H */
