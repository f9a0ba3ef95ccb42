// SPDX-License-Identifier: GPL-2.0
/*
 * rlsyncd's Redis side, on hiredis: find the master (directly, or by asking
 * the Sentinels), authenticate, load the sync script, and run one sync as
 * one pipelined round trip of EVALSHA calls.
 *
 * Everything Redis sends is untrusted: the reader refuses arrays and
 * strings larger than a sync can need (hiredis 0.14 has no such limit of
 * its own), and every reply is checked for its shape, types and ranges
 * before one verdict of it is used.  Every call has a timeout well below
 * the interval, so that a slow server costs a sync, never the daemon.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <hiredis/hiredis.h>

#include "rlsyncd.h"
#include "script.h"

/* Far beyond a valid reply: a batch's verdicts are 3 integers per source. */
enum {
	RLS_MAX_REPLY_ELEMENTS = 3 * 10000 + 1,
	RLS_MAX_REPLY_STRING = 4096,
};

struct rls_redis {
	const struct rls_config *c;
	redisContext *ctx;
	char sha[41];
	redisReplyObjectFunctions fn;	/* hiredis's, with the limits above */
};

/* hiredis's own reply constructors, the same for every connection. */
static void *(*create_array)(const redisReadTask *task, int n);
static void *(*create_string)(const redisReadTask *task, char *s, size_t n);

static void *limited_array(const redisReadTask *task, int n)
{
	if (n > RLS_MAX_REPLY_ELEMENTS)
		return NULL;		/* the reader fails: "Out of memory" */
	return create_array(task, n);
}

static void *limited_string(const redisReadTask *task, char *s, size_t n)
{
	if (n > RLS_MAX_REPLY_STRING)
		return NULL;
	return create_string(task, s, n);
}

struct rls_redis *rls_redis_new(const struct rls_config *c)
{
	struct rls_redis *r = calloc(1, sizeof(*r));

	if (r)
		r->c = c;
	return r;
}

void rls_redis_free(struct rls_redis *r)
{
	if (!r)
		return;
	if (r->ctx)
		redisFree(r->ctx);
	free(r);
}

bool rls_redis_connected(const struct rls_redis *r)
{
	return r->ctx;
}

static struct timeval tv_ms(uint64_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return tv;
}

static redisContext *open_endpoint(struct rls_redis *r, const char *host,
				   int port, char *err)
{
	redisContext *ctx = redisConnectWithTimeout(host, port, tv_ms(r->c->timeout_ms));

	if (!ctx || ctx->err) {
		snprintf(err, RL_ERR_LEN, "%s:%d: %s", host, port,
			 ctx ? ctx->errstr : "out of memory");
		if (ctx)
			redisFree(ctx);
		return NULL;
	}
	redisSetTimeout(ctx, tv_ms(r->c->timeout_ms));
	redisEnableKeepAlive(ctx);
	create_array = ctx->reader->fn->createArray;
	create_string = ctx->reader->fn->createString;
	r->fn = *ctx->reader->fn;
	r->fn.createArray = limited_array;
	r->fn.createString = limited_string;
	ctx->reader->fn = &r->fn;
	return ctx;
}

/* A command's reply, or NULL with @err set (the connection is then dead). */
static redisReply *command(redisContext *ctx, char *err, int argc,
			   const char **argv)
{
	redisReply *rep = redisCommandArgv(ctx, argc, argv, NULL);

	if (!rep)
		snprintf(err, RL_ERR_LEN, "%s", ctx->errstr[0] ? ctx->errstr : "no reply");
	return rep;
}

/* Asks the Sentinels in turn for the master's address. */
static int ask_sentinels(struct rls_redis *r, char *host, size_t hlen,
			 int *port, char *err)
{
	const char *argv[] = { "SENTINEL", "get-master-addr-by-name",
			       r->c->master_name };
	unsigned int i;

	for (i = 0; i < r->c->nsentinels; i++) {
		const struct rls_endpoint *s = &r->c->sentinels[i];
		redisContext *ctx = open_endpoint(r, s->host, s->port, err);
		redisReply *rep;
		uint32_t p;
		bool ok;

		if (!ctx)
			continue;
		rep = command(ctx, err, 3, argv);
		ok = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
		     rep->element[0]->type == REDIS_REPLY_STRING &&
		     rep->element[1]->type == REDIS_REPLY_STRING &&
		     rep->element[0]->len && rep->element[0]->len < hlen &&
		     !rl_parse_u32(rep->element[1]->str, 65535, &p) && p;
		if (ok) {
			memcpy(host, rep->element[0]->str, rep->element[0]->len + 1);
			*port = p;
		} else if (rep) {
			snprintf(err, RL_ERR_LEN, "sentinel %s:%d does not know master '%s'",
				 s->host, s->port, r->c->master_name);
		}
		freeReplyObject(rep);
		redisFree(ctx);
		if (ok)
			return 0;
	}
	return -EHOSTUNREACH;
}

static bool is_status(const redisReply *rep, const char *s)
{
	return rep && rep->type == REDIS_REPLY_STATUS && !strcmp(rep->str, s);
}

/* AUTH, ROLE (a replica would refuse the script's writes), SCRIPT LOAD. */
static int handshake(struct rls_redis *r, char *err)
{
	const char *load[] = { "SCRIPT", "LOAD", rls_sync_lua };
	const char *role[] = { "ROLE" };
	redisReply *rep;
	int ret;

	if (r->c->password[0]) {
		const char *auth[] = { "AUTH", r->c->user, r->c->password };
		bool user = r->c->user[0];

		rep = command(r->ctx, err, user ? 3 : 2, user ? auth : (const char *[]){ "AUTH", r->c->password });
		if (!rep)
			return -EIO;
		if (!is_status(rep, "OK")) {
			snprintf(err, RL_ERR_LEN, "authentication refused: %.200s",
				 rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
			freeReplyObject(rep);
			return -EACCES;
		}
		freeReplyObject(rep);
	}
	rep = command(r->ctx, err, 1, role);
	if (!rep)
		return -EIO;
	if (rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOAUTH", 6)) {
		snprintf(err, RL_ERR_LEN, "the server wants a password: %.200s", rep->str);
		freeReplyObject(rep);
		return -EACCES;
	}
	if (rep->type != REDIS_REPLY_ARRAY || !rep->elements ||
	    rep->element[0]->type != REDIS_REPLY_STRING ||
	    strcmp(rep->element[0]->str, "master")) {
		snprintf(err, RL_ERR_LEN, "the server is not a master (ROLE)");
		freeReplyObject(rep);
		return -EPROTO;
	}
	freeReplyObject(rep);
	rep = command(r->ctx, err, 3, load);
	if (!rep)
		return -EIO;
	if (rep->type == REDIS_REPLY_STRING && rep->len == 40 &&
	    strspn(rep->str, "0123456789abcdef") == 40) {
		memcpy(r->sha, rep->str, 41);
		ret = 0;
	} else {
		snprintf(err, RL_ERR_LEN, "SCRIPT LOAD failed: %.200s",
			 rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
		ret = rep->type == REDIS_REPLY_ERROR && strstr(rep->str, "NOPERM") ?
		      -EACCES : -EPROTO;
	}
	freeReplyObject(rep);
	return ret;
}

/**
 * rls_redis_connect() - connect to the master and get it ready for syncs
 * @r: the connection
 * @err: RL_ERR_LEN bytes for the reason of a failure
 *
 * Return: 0; -EACCES when the server refused the credentials (retrying
 * will not help); another -errno for what a retry may mend.
 */
int rls_redis_connect(struct rls_redis *r, char *err)
{
	char host[RLS_HOST_LEN];
	int port, ret;

	if (r->ctx)
		redisFree(r->ctx);
	r->ctx = NULL;
	if (r->c->nsentinels) {
		ret = ask_sentinels(r, host, sizeof(host), &port, err);
		if (ret)
			return ret;
	} else {
		snprintf(host, sizeof(host), "%s", r->c->redis.host);
		port = r->c->redis.port;
	}
	r->ctx = open_endpoint(r, host, port, err);
	if (!r->ctx)
		return -ECONNREFUSED;
	ret = handshake(r, err);
	if (ret) {
		redisFree(r->ctx);
		r->ctx = NULL;
	}
	return ret;
}

/* One batch as an EVALSHA command (sync.lua says what each argument is). */
static int append_batch(struct rls_redis *r, const struct rls_batch *b)
{
	const struct rls_rule *rule = &r->c->rules[b->rule];
	size_t argc = 9 + 2 * (size_t)b->n, i, per = 96;
	const char **argv = calloc(argc, sizeof(*argv));
	char *buf = calloc(argc, per);
	unsigned long long args[5] = {
		rule->window_ms, rule->spec.burst, rule->spec.rate,
		rule->spec.period_ns / 1000000, rule->allowance,
	};
	int ret = -ENOMEM;

	if (!argv || !buf)
		goto out;
	for (i = 0; i < argc; i++)
		argv[i] = buf + i * per;
	argv[0] = "EVALSHA";
	argv[1] = r->sha;
	snprintf(buf + 2 * per, per, "%u", b->n);
	for (i = 0; i < b->n; i++)
		rls_source_key(r->c, &b->src[i], buf + (3 + i) * per, per);
	argv[3 + b->n] = r->c->host_id;
	for (i = 0; i < 5; i++)
		snprintf(buf + (4 + b->n + i) * per, per, "%llu", args[i]);
	for (i = 0; i < b->n; i++)
		snprintf(buf + (9 + b->n + i) * per, per, "%llu",
			 (unsigned long long)b->delta[i]);
	ret = redisAppendCommandArgv(r->ctx, argc, argv, NULL) == REDIS_OK ? 0 : -EIO;
out:
	free(argv);
	free(buf);
	return ret;
}

/*
 * A script reply: { now_ms, i, estimate, share_ppm, ... } with 1 <= i <= n,
 * each i once, an estimate no larger than a u64 and a share of at most a
 * million.  Anything else is refused whole.
 */
static int check_reply(const redisReply *rep, unsigned int n, char *err)
{
	size_t i;

	if (rep->type != REDIS_REPLY_ARRAY || !rep->elements ||
	    (rep->elements - 1) % 3 || rep->elements > 1 + 3 * (size_t)n) {
		snprintf(err, RL_ERR_LEN, "a script reply of the wrong shape (type %d, %zu elements, batch of %u)",
			 rep->type, rep->type == REDIS_REPLY_ARRAY ? rep->elements : 0, n);
		return -EPROTO;
	}
	for (i = 0; i < rep->elements; i++) {
		const redisReply *e = rep->element[i];

		if (e->type != REDIS_REPLY_INTEGER || e->integer < 0) {
			snprintf(err, RL_ERR_LEN, "a script reply with a non-integer or negative element %zu", i);
			return -EPROTO;
		}
		if (i && (i - 1) % 3 == 0 && (e->integer < 1 || e->integer > n)) {
			snprintf(err, RL_ERR_LEN, "a script reply names source %lld of a batch of %u",
				 e->integer, n);
			return -EPROTO;
		}
		if (i && (i - 1) % 3 == 2 && e->integer > 1000000) {
			snprintf(err, RL_ERR_LEN, "a script reply gives a share of %lld millionths",
				 e->integer);
			return -EPROTO;
		}
	}
	return 0;
}

/* Reads one batch's reply: 0, 1 for NOSCRIPT, or a -errno. */
static int read_batch(struct rls_redis *r, const struct rls_batch *b,
		      void (*verdict)(void *, const struct rls_source *, uint64_t, uint32_t),
		      void *arg, uint64_t *bad, char *err)
{
	redisReply *rep;
	unsigned char *seen;
	size_t i;
	int ret;

	if (redisGetReply(r->ctx, (void **)&rep) != REDIS_OK || !rep) {
		snprintf(err, RL_ERR_LEN, "%s", r->ctx->errstr[0] ? r->ctx->errstr : "no reply");
		return -EIO;
	}
	if (rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOSCRIPT", 8)) {
		freeReplyObject(rep);
		return 1;
	}
	/*
	 * The server is no master any more (a failover made it a replica) or
	 * not ready: as a lost connection, so that the next connect asks the
	 * Sentinels where the master is now.
	 */
	if (rep->type == REDIS_REPLY_ERROR &&
	    (!strncmp(rep->str, "READONLY", 8) || !strncmp(rep->str, "LOADING", 7) ||
	     !strncmp(rep->str, "MASTERDOWN", 10))) {
		snprintf(err, RL_ERR_LEN, "%.200s", rep->str);
		freeReplyObject(rep);
		return -EIO;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		snprintf(err, RL_ERR_LEN, "the sync script failed: %.200s", rep->str);
		freeReplyObject(rep);
		(*bad)++;
		return -EPROTO;
	}
	ret = check_reply(rep, b->n, err);
	seen = calloc(b->n + 1, 1);
	if (!ret && !seen)
		ret = -ENOMEM;
	for (i = 1; !ret && i < rep->elements; i += 3) {
		long long k = rep->element[i]->integer;

		if (seen[k]++) {
			snprintf(err, RL_ERR_LEN, "a script reply names source %lld twice", k);
			ret = -EPROTO;
		}
	}
	for (i = 1; !ret && i < rep->elements; i += 3)
		verdict(arg, &b->src[rep->element[i]->integer - 1],
			rep->element[i + 1]->integer, rep->element[i + 2]->integer);
	if (ret == -EPROTO)
		(*bad)++;
	free(seen);
	freeReplyObject(rep);
	return ret;
}

/* Sends @b and reads their replies; @again marks the batches to resend. */
static int round_trip(struct rls_redis *r, const struct rls_batch *b,
		      unsigned int nb, bool *again,
		      void (*verdict)(void *, const struct rls_source *, uint64_t, uint32_t),
		      void *arg, uint64_t *bad, char *err)
{
	unsigned int i, sent = 0;
	int ret = 0, one;

	for (i = 0; i < nb; i++) {
		if (!again[i])
			continue;
		ret = append_batch(r, &b[i]);
		if (ret)
			return ret;
		sent++;
	}
	/* Every reply is read, so that the pipeline stays in step. */
	for (i = 0; i < nb && sent; i++) {
		if (!again[i])
			continue;
		sent--;
		one = read_batch(r, &b[i], verdict, arg, bad, err);
		if (one == -EIO)
			return one;
		again[i] = one == 1;
		if (one < 0 && !ret)
			ret = one;
	}
	return ret;
}

int rls_redis_sync(struct rls_redis *r, const struct rls_batch *b,
		   unsigned int nb,
		   void (*verdict)(void *arg, const struct rls_source *s,
				   uint64_t estimate, uint32_t share_ppm),
		   void *arg, uint64_t *bad_replies, char *err)
{
	bool *again;
	unsigned int i;
	int ret, pass;

	if (!r->ctx)
		return -EIO;
	if (!nb)
		return 0;
	again = calloc(nb, sizeof(*again));
	if (!again)
		return -ENOMEM;
	for (i = 0; i < nb; i++)
		again[i] = true;
	/* A restarted or failed-over server lost the script: load, resend. */
	for (pass = 0; pass < 2; pass++) {
		const char *load[] = { "SCRIPT", "LOAD", rls_sync_lua };
		redisReply *rep;
		bool any = false;

		ret = round_trip(r, b, nb, again, verdict, arg, bad_replies, err);
		for (i = 0; i < nb; i++)
			any |= again[i];
		if (ret == -EIO || !any)
			break;
		if (pass) {
			snprintf(err, RL_ERR_LEN, "NOSCRIPT twice: the script does not stay loaded");
			ret = -EPROTO;
			break;
		}
		rep = command(r->ctx, err, 3, load);
		if (!rep) {
			ret = -EIO;
			break;
		}
		if (rep->type != REDIS_REPLY_STRING || rep->len != 40 ||
		    strcmp(rep->str, r->sha)) {
			snprintf(err, RL_ERR_LEN, "SCRIPT LOAD after NOSCRIPT gave another script");
			(*bad_replies)++;
			ret = -EPROTO;
			freeReplyObject(rep);
			break;
		}
		freeReplyObject(rep);
	}
	free(again);
	if (ret == -EIO) {
		redisFree(r->ctx);
		r->ctx = NULL;
	}
	return ret;
}
