// SPDX-License-Identifier: GPL-2.0
/*
 * rlsyncd's Redis side against a real redis-server (script_test.sh starts
 * one on 127.0.0.1): three hosts' deltas make cluster estimates and shares,
 * a batch of the largest size, NOSCRIPT and a server restart are recovered
 * from, a wrong password is an error of its own; and against a fake server
 * whose replies are hostile, every one is refused without a verdict.
 *
 * usage: redis_test PORT CASE, CASE one of estimates, batch, noscript,
 * restart (runs $RESTART between two syncs), auth, hostile N (the fake
 * server's reply number N).  KTAP lines; exit 1 on a failure.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <hiredis/hiredis.h>

#include "../rlsyncd.h"

static int failed, n;

static void ok(int cond, const char *what)
{
	printf("%sok %d %s\n", cond ? "" : "not ", ++n, what);
	failed |= !cond;
}

struct got {
	unsigned int count;
	uint64_t est[16];
	uint32_t ppm[16];
	unsigned int idx[16];
	const struct rls_source *base;
};

static void verdict(void *arg, const struct rls_source *s, uint64_t est, uint32_t ppm)
{
	struct got *g = arg;

	if (g->count < 16) {
		g->est[g->count] = est;
		g->ppm[g->count] = ppm;
		g->idx[g->count] = s - g->base;
	}
	g->count++;
}

static void config(struct rls_config *c, int port, const char *host, const char *rule)
{
	char err[RL_ERR_LEN], text[512];

	snprintf(text, sizeof(text), "redis 127.0.0.1:%d\nhost-id %s\n"
		 "interval 1s\nbatch 10000\ncluster %s\n", port, host, rule);
	if (rls_parse_config(text, strlen(text), c, err)) {
		printf("# %s\n", err);
		exit(1);
	}
}

static void source(struct rls_source *s, const char *addr)
{
	memset(s, 0, sizeof(*s));
	rl_parse_prefix(addr, &s->prefix);
}

/* One sync of @nsrc sources with @delta each, from host @h. */
static int sync1(struct rls_redis *r, struct rls_source *s, uint64_t *d,
		 unsigned int nsrc, struct got *g, char *err)
{
	struct rls_batch b = { .rule = 0, .n = nsrc, .src = s, .delta = d };
	uint64_t bad = 0;

	memset(g, 0, sizeof(*g));
	g->base = s;
	return rls_redis_sync(r, &b, 1, verdict, g, &bad, err);
}

int main(int argc, char **argv)
{
	/* 100 per second, burst 20, window 1 s: an allowance of 120. */
	const char *rule = "web 0.0.0.0/0 rate 100/second burst 20 prefix-len 32";
	static struct rls_config c[3];
	struct rls_redis *r[3];
	char err[RL_ERR_LEN] = "";
	struct rls_source s[4];
	uint64_t d[4];
	struct got g;
	int port, i, ret;

	if (argc < 3)
		return 2;
	port = atoi(argv[1]);
	printf("TAP version 13\n");
	if (!strcmp(argv[2], "sentinel")) {
		char text[512];

		snprintf(text, sizeof(text), "sentinel 127.0.0.1:%d\nmaster mymaster\n"
			 "host-id a\ninterval 1s\ncluster %s\n", port, rule);
		if (rls_parse_config(text, strlen(text), &c[0], err))
			return 1;
		r[0] = rls_redis_new(&c[0]);
		ret = rls_redis_connect(r[0], err);
		printf("# %d %s\n", ret, err);
		ok(!ret, "the Sentinel names the master; connected");
		source(&s[0], "192.0.2.1");
		d[0] = 200;
		ok(!sync1(r[0], s, d, 1, &g, err) && g.count == 1, "a sync through it");
		if (system(getenv("FAILOVER")))
			return 1;
		ret = sync1(r[0], s, d, 1, &g, err);
		printf("# after the failover: %d %s\n", ret, err);
		ok(ret == -EIO && !rls_redis_connected(r[0]),
		   "the failover drops the old master's clients: -EIO, disconnected");
		ret = rls_redis_connect(r[0], err);
		printf("# %d %s\n", ret, err);
		ok(!ret, "reconnects: the Sentinel names the new master");
		ok(!sync1(r[0], s, d, 1, &g, err) && g.count == 1,
		   "and the sync goes to it");
		printf("1..%d\n", n);
		return failed;
	}
	if (!strcmp(argv[2], "hostile")) {
		config(&c[0], port, "a", rule);
		r[0] = rls_redis_new(&c[0]);
		ret = rls_redis_connect(r[0], err);
		ok(!ret, "the fake server passes the handshake");
		source(&s[0], "192.0.2.1");
		d[0] = 5;
		ret = sync1(r[0], s, d, 1, &g, err);
		printf("# reply %s: %d, %s\n", argv[3], ret, err);
		ok(ret == -EPROTO || ret == -EIO, "a hostile reply is refused");
		ok(g.count == 0, "and gives no verdict");
		printf("1..%d\n", n);
		return failed;
	}
	for (i = 0; i < 3; i++) {
		config(&c[i], port, (const char *[]){ "a", "b", "c" }[i], rule);
		if (!strcmp(argv[2], "auth"))
			strcpy(c[i].password, "wrong");
		r[i] = rls_redis_new(&c[i]);
		ret = rls_redis_connect(r[i], err);
		if (!strcmp(argv[2], "auth")) {
			printf("# %s\n", err);
			ok(ret == -EACCES, "a wrong password is -EACCES, not a retry");
			printf("1..%d\n", n);
			return failed;
		}
		if (ret) {
			printf("# connect: %s\n", err);
			return 1;
		}
	}
	source(&s[0], "192.0.2.1");
	source(&s[1], "192.0.2.2");
	source(&s[2], "192.0.2.3");
	if (!strcmp(argv[2], "estimates")) {
		/*
		 * One token bucket for the cluster, burst 20: .1 is spread
		 * 10 + 8 + 7 = 25 and owes tokens at host c; .2 stays at 5.
		 */
		d[0] = 10; d[1] = 5;
		ok(!sync1(r[0], s, d, 2, &g, err) && g.count == 0,
		   "host a: 10 and 5 are within a burst of 20");
		d[0] = 8;
		ok(!sync1(r[1], s, d, 1, &g, err) && g.count == 0,
		   "host b: 8 more of .1 (18) still within");
		d[0] = 7; d[1] = 0;
		ret = sync1(r[2], s, d, 2, &g, err);
		printf("# host c: %u verdicts, estimate %llu, share %u\n", g.count,
		       (unsigned long long)g.est[0], g.ppm[0]);
		ok(!ret && g.count == 1 && g.idx[0] == 0,
		   "host c: 7 more (25) owe tokens: .1 is over, .2 not");
		ok(g.est[0] >= 24 && g.est[0] <= 25,
		   "its estimate is the three hosts' sum (25; a little less as the window slides)");
		ok(g.ppm[0] >= 7 * 1000000 / 25 - 20000 && g.ppm[0] <= 7 * 1000000 / 25 + 20000,
		   "host c's share is 7/25");
		d[0] = 1;
		ret = sync1(r[0], s, d, 1, &g, err);
		ok(!ret && g.count == 1 && g.ppm[0] >= 11 * 1000000 / 26 - 20000 &&
		   g.ppm[0] <= 11 * 1000000 / 26 + 20000, "host a's share is 11/26");
		d[2] = 21;
		ret = sync1(r[0], s + 2, d + 2, 1, &g, err);
		ok(!ret && g.count == 1 && g.ppm[0] == 1000000,
		   "a source one host sees: over past its burst, that host's share is all of it");
	} else if (!strcmp(argv[2], "batch")) {
		static struct rls_source big[10000];
		static uint64_t bd[10000];
		static char a[32];

		for (i = 0; i < 10000; i++) {
			snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
			source(&big[i], a);
			bd[i] = i % 100 == 7 ? 500 : 1;
		}
		ret = sync1(r[0], big, bd, 10000, &g, err);
		printf("# %d, %s\n", ret, err);
		ok(!ret && g.count == 100, "a batch of 10000 (the largest): the 100 over are named");
		ok(g.count && g.idx[0] % 100 == 7, "by their index in the batch");
	} else if (!strcmp(argv[2], "noscript")) {
		redisContext *ctx = redisConnect("127.0.0.1", port);
		redisReply *rep;

		d[0] = 200;
		ok(!sync1(r[0], s, d, 1, &g, err) && g.count == 1, "a sync before");
		rep = redisCommand(ctx, "SCRIPT FLUSH");
		freeReplyObject(rep);
		redisFree(ctx);
		d[0] = 1;
		ret = sync1(r[0], s, d, 1, &g, err);
		printf("# %d %s\n", ret, err);
		ok(!ret && g.count == 1 && g.est[0] >= 190,
		   "after SCRIPT FLUSH: NOSCRIPT, reloaded, the same sync goes through");
	} else if (!strcmp(argv[2], "restart")) {
		d[0] = 200;
		ok(!sync1(r[0], s, d, 1, &g, err) && g.count == 1, "a sync before");
		if (system(getenv("RESTART")))
			return 1;
		ret = sync1(r[0], s, d, 1, &g, err);
		printf("# %d %s\n", ret, err);
		ok(ret == -EIO && !rls_redis_connected(r[0]),
		   "the restart loses the connection: -EIO, disconnected");
		ok(!rls_redis_connect(r[0], err), "reconnects");
		d[0] = 150;
		ok(!sync1(r[0], s, d, 1, &g, err) && g.count == 1 && g.est[0] == 150,
		   "syncs again from an empty server (no persistence: estimates start over)");
	}
	for (i = 0; i < 3; i++)
		rls_redis_free(r[i]);
	printf("1..%d\n", n);
	return failed;
}
