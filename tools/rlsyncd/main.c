// SPDX-License-Identifier: GPL-2.0
/*
 * rlsyncd: the loop.  Every interval T: dump the sources active since the
 * last sync, send what each offered to Redis, turn the cluster's verdicts
 * into timed rules of our owner, write the status.  Nothing here blocks for
 * longer than a Redis timeout; the packet path never waits for any of it.
 *
 * Exit codes: 0 stopped by a signal (its rules removed), 1 a runtime error
 * that retrying cannot mend (Redis refused the credentials, the module is
 * gone), 2 bad usage or configuration.
 */

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rlsyncd.h"
#include "kernel.h"

enum rls_mode { RLS_SYNCED, RLS_DEGRADED, RLS_LOCAL };
static const char * const mode_names[] = { "synced", "degraded", "local" };

struct counters {
	uint64_t ticks, syncs, sync_failures, redis_errors, bad_replies, kernel_errors;
	uint64_t verdicts_capped, rules_conflicts, reconnects;
};

struct state {
	struct rls_config c;
	struct rls_redis *redis;
	struct rls_usage *seen;		/* sorted: counts as of their last dump */
	size_t nseen;
	bool baseline;			/* the first dump only sets the counts */
	struct rls_verdict *v;
	size_t nv, capv;
	bool renewed;			/* a verdict came or was renewed */
	size_t installed;
	uint64_t last_dump_ms, last_ok_ms, next_connect_ms, backoff_ms;
	uint64_t latency_us;
	size_t reported;
	enum rls_mode mode;
	bool down_logged;
	uint64_t logged_ms;		/* the last line about Redis coming or going */
	unsigned int unlogged;		/* such lines not written since */
	char last_error[RL_ERR_LEN];
	struct counters n;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void __attribute__((format(printf, 1, 2))) logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rlsyncd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static uint64_t now_ms(void)
{
	return now_us() / 1000;
}

static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 65536;

	if (!f)
		return -errno;
	*text = malloc(cap);
	*len = *text ? fread(*text, 1, cap, f) : 0;
	if (!*text || ferror(f) || *len == cap) {
		fclose(f);
		free(*text);
		return *len == cap ? -EFBIG : -EIO;
	}
	fclose(f);
	return 0;
}

/*
 * An entry idle longer than its rule's refill time has been freed by the
 * kernel's GC (its bucket is full), so a count older than that, plus a
 * margin, is one rlsyncd will never need again.
 */
static uint64_t forget_ms(const struct rls_config *c)
{
	uint64_t m = 0;
	unsigned int i;

	for (i = 0; i < c->nrules; i++) {
		const struct rl_rule_spec *s = &c->rules[i].spec;
		uint64_t fill;

		fill = s->burst / s->rate * (s->period_ns / 1000000) +
		       s->period_ns / 1000000;
		if (fill > m)
			m = fill;
	}
	return m + 60000;
}

/*
 * @cur (a fresh dump) against what was seen before: the packets each
 * source offered since.  A source not remembered is new since the last
 * dump, its whole count is new; one whose count went down was freed and
 * made again, its count is all new too.  The memory becomes @cur plus what
 * was seen within forget_ms().
 */
static int take_deltas(struct state *st, struct rls_usage *cur, size_t ncur,
		       uint64_t now, uint64_t **delta)
{
	size_t i = 0, j = 0, n = 0, keep = forget_ms(&st->c);
	struct rls_usage *mem;

	*delta = calloc(ncur ? ncur : 1, sizeof(**delta));
	mem = calloc(ncur + st->nseen + 1, sizeof(*mem));
	if (!*delta || !mem) {
		free(*delta);
		free(mem);
		return -ENOMEM;
	}
	while (i < ncur || j < st->nseen) {
		int c = i == ncur ? 1 : j == st->nseen ? -1 :
			rls_source_cmp(&cur[i].src, &st->seen[j].src);

		if (c <= 0) {
			uint64_t before = c ? 0 : st->seen[j].offered;

			(*delta)[i] = st->baseline ? 0 :
				      cur[i].offered >= before ? cur[i].offered - before :
				      cur[i].offered;
			mem[n] = cur[i++];
			mem[n++].seen_ms = now;
			j += !c;
		} else {
			if (now - st->seen[j].seen_ms <= keep)
				mem[n++] = st->seen[j];
			j++;
		}
	}
	free(st->seen);
	st->seen = mem;
	st->nseen = n;
	st->baseline = false;
	return 0;
}

static void on_verdict(void *arg, const struct rls_source *s, uint64_t est,
		       uint32_t ppm)
{
	struct state *st = arg;
	uint64_t expires = now_ms() + st->c.hold * st->c.interval_ms;
	size_t i;

	st->renewed = true;
	for (i = 0; i < st->nv; i++) {
		if (!rls_source_cmp(&st->v[i].src, s)) {
			st->v[i].estimate = est;
			st->v[i].share_ppm = ppm;
			st->v[i].expires_ms = expires;
			return;
		}
	}
	/* Never more than max-rules, whatever Redis says. */
	if (st->nv == st->c.max_rules) {
		st->n.verdicts_capped++;
		return;
	}
	if (st->nv == st->capv) {
		size_t cap = st->capv ? st->capv * 2 : 64;
		struct rls_verdict *v = realloc(st->v, cap * sizeof(*v));

		if (!v) {
			st->n.verdicts_capped++;
			return;
		}
		st->v = v;
		st->capv = cap;
	}
	memset(&st->v[st->nv], 0, sizeof(st->v[st->nv]));
	st->v[st->nv].src = *s;
	st->v[st->nv].estimate = est;
	st->v[st->nv].share_ppm = ppm;
	st->v[st->nv++].expires_ms = expires;
}

/* Sends the deltas of the sources that offered anything, a batch at a time. */
static int sync_redis(struct state *st, const struct rls_usage *cur,
		      const uint64_t *delta, size_t ncur, char *err)
{
	struct rls_source *src = calloc(ncur + 1, sizeof(*src));
	uint64_t *d = calloc(ncur + 1, sizeof(*d));
	struct rls_batch *b = calloc(ncur + 1, sizeof(*b));
	size_t i, n = 0, nb = 0;
	int ret = -ENOMEM;

	if (!src || !d || !b)
		goto out;
	for (i = 0; i < ncur; i++) {
		if (!delta[i])
			continue;
		/* Sorted by rule: a batch is a run of one rule, at most batch long. */
		if (!nb || b[nb - 1].rule != cur[i].src.rule ||
		    b[nb - 1].n == st->c.batch) {
			b[nb].rule = cur[i].src.rule;
			b[nb].src = &src[n];
			b[nb].delta = &d[n];
			nb++;
		}
		src[n] = cur[i].src;
		d[n++] = delta[i];
		b[nb - 1].n++;
	}
	st->reported = n;
	ret = rls_redis_sync(st->redis, b, nb, on_verdict, st, &st->n.bad_replies, err);
out:
	free(src);
	free(d);
	free(b);
	return ret;
}

/* Leaves out the verdicts for prefixes the administrator has a rule for. */
static void drop_taken(struct state *st)
{
	struct rl_rule_spec *taken;
	size_t nt, i, j, k;

	if (rls_kernel_taken(&st->c, &taken, &nt))
		return;
	for (i = j = 0; i < st->nv; i++) {
		for (k = 0; k < nt; k++)
			if (rl_sel_empty(&taken[k].sel) &&
			    rls_prefix_eq(&taken[k].prefix, &st->v[i].src.prefix))
				break;
		if (k == nt)
			st->v[j++] = st->v[i];
		else
			st->n.rules_conflicts++;
	}
	st->nv = j;
	free(taken);
}

/* Installs the verdicts still in force as our owner's whole rule set. */
static int install(struct state *st, uint64_t now)
{
	struct rl_rule_spec *r;
	size_t i, j;
	int err = 0, tries;

	for (i = j = 0; i < st->nv; i++)
		if (st->v[i].expires_ms > now)
			st->v[j++] = st->v[i];
	st->nv = j;
	if (!st->renewed)
		return 0;	/* the kernel expires what is not renewed */
	st->renewed = false;
	r = calloc(st->nv + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (tries = 0; tries < 2; tries++) {
		for (i = 0; i < st->nv; i++)
			rls_verdict_rule(&st->c, &st->v[i], now, &r[i]);
		err = rls_kernel_install(&st->c, r, st->nv);
		if (err != -EEXIST)
			break;
		drop_taken(st);
	}
	free(r);
	if (err) {
		st->n.kernel_errors++;
		snprintf(st->last_error, sizeof(st->last_error),
			 "installing %zu rules: %s", st->nv,
			 rl_nl_message()[0] ? rl_nl_message() : strerror(-err));
		logmsg("%s", st->last_error);
		return err;
	}
	st->installed = st->nv;
	return 0;
}

/*
 * Redis coming and going: one line per change, and at most one a minute, so
 * that a flapping link does not fill the journal; the next line says how
 * many changes it did not report.
 */
static void __attribute__((format(printf, 3, 4)))
redis_log(struct state *st, uint64_t now, const char *fmt, ...)
{
	char msg[RL_ERR_LEN + 128];
	va_list ap;

	if (st->logged_ms && now - st->logged_ms < 60000) {
		st->unlogged++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st->unlogged)
		logmsg("%s (%u changes in the last minute not logged)", msg, st->unlogged);
	else
		logmsg("%s", msg);
	st->logged_ms = now;
	st->unlogged = 0;
}

/* Redis is back, or not: the log says so once per change, not every T. */
static void try_connect(struct state *st, uint64_t now)
{
	char err[RL_ERR_LEN];
	int ret;

	if (now < st->next_connect_ms)
		return;
	ret = rls_redis_connect(st->redis, err);
	if (!ret) {
		if (st->down_logged)
			redis_log(st, now, "redis is back: synchronising again");
		else
			logmsg("connected to redis: synchronising every %llu ms",
			       (unsigned long long)st->c.interval_ms);
		st->down_logged = false;
		st->backoff_ms = 0;
		st->n.reconnects++;
		return;
	}
	if (ret == -EACCES) {
		logmsg("%s: check user and password in the configuration; not retrying", err);
		exit(1);
	}
	st->n.redis_errors++;
	snprintf(st->last_error, sizeof(st->last_error), "%s", err);
	if (!st->down_logged)
		redis_log(st, now, "redis unreachable (%s): local limits apply; retrying with backoff up to 10 s", err);
	st->down_logged = true;
	st->backoff_ms = st->backoff_ms ? st->backoff_ms * 2 : 100;
	if (st->backoff_ms > 10000)
		st->backoff_ms = 10000;
	st->next_connect_ms = now + st->backoff_ms;
}

static void write_atomically(const char *path, const char *text)
{
	char tmp[RLS_HOST_LEN + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fputs(text, f);
	if (fclose(f) || rename(tmp, path))
		unlink(tmp);
}

static void write_status(const struct state *st)
{
	char buf[4096];
	const struct counters *n = &st->n;

	snprintf(buf, sizeof(buf),
		 "mode %s\nhost_id %s\nowner %s\ninterval_ms %llu\nticks %llu\n"
		 "last_sync_latency_us %llu\nsources_reported %zu\nverdicts %zu\n"
		 "rules_installed %zu\nsyncs %llu\nsync_failures %llu\nredis_errors %llu\n"
		 "bad_replies %llu\nkernel_errors %llu\nverdicts_capped %llu\n"
		 "rules_conflicts %llu\nlast_error %s\n",
		 mode_names[st->mode], st->c.host_id, st->c.owner,
		 (unsigned long long)st->c.interval_ms, (unsigned long long)n->ticks,
		 (unsigned long long)st->latency_us, st->reported, st->nv,
		 st->installed, (unsigned long long)n->syncs,
		 (unsigned long long)n->sync_failures,
		 (unsigned long long)n->redis_errors,
		 (unsigned long long)n->bad_replies,
		 (unsigned long long)n->kernel_errors,
		 (unsigned long long)n->verdicts_capped,
		 (unsigned long long)n->rules_conflicts,
		 st->last_error[0] ? st->last_error : "-");
	write_atomically(st->c.status_file, buf);
	if (!st->c.metrics_file[0])
		return;
	snprintf(buf, sizeof(buf),
		 "# HELP nf_ratelimit_sync_mode 1 for the mode rlsyncd is in.\n"
		 "# TYPE nf_ratelimit_sync_mode gauge\n"
		 "nf_ratelimit_sync_mode{mode=\"synced\"} %d\n"
		 "nf_ratelimit_sync_mode{mode=\"degraded\"} %d\n"
		 "nf_ratelimit_sync_mode{mode=\"local\"} %d\n"
		 "# HELP nf_ratelimit_sync_latency_seconds The last sync's Redis round trip.\n"
		 "# TYPE nf_ratelimit_sync_latency_seconds gauge\n"
		 "nf_ratelimit_sync_latency_seconds %.6f\n"
		 "# HELP nf_ratelimit_sync_sources_reported Sources sent to Redis by the last sync.\n"
		 "# TYPE nf_ratelimit_sync_sources_reported gauge\n"
		 "nf_ratelimit_sync_sources_reported %zu\n"
		 "# HELP nf_ratelimit_sync_rules_installed Cluster rules in force on this host.\n"
		 "# TYPE nf_ratelimit_sync_rules_installed gauge\n"
		 "nf_ratelimit_sync_rules_installed %zu\n"
		 "# HELP nf_ratelimit_sync_syncs_total Syncs done.\n"
		 "# TYPE nf_ratelimit_sync_syncs_total counter\n"
		 "nf_ratelimit_sync_syncs_total %llu\n"
		 "# HELP nf_ratelimit_sync_failures_total Syncs that did not reach Redis.\n"
		 "# TYPE nf_ratelimit_sync_failures_total counter\n"
		 "nf_ratelimit_sync_failures_total %llu\n"
		 "# HELP nf_ratelimit_sync_bad_replies_total Redis replies refused as malformed.\n"
		 "# TYPE nf_ratelimit_sync_bad_replies_total counter\n"
		 "nf_ratelimit_sync_bad_replies_total %llu\n"
		 "# HELP nf_ratelimit_sync_kernel_errors_total Rule installs the kernel refused.\n"
		 "# TYPE nf_ratelimit_sync_kernel_errors_total counter\n"
		 "nf_ratelimit_sync_kernel_errors_total %llu\n",
		 st->mode == RLS_SYNCED, st->mode == RLS_DEGRADED,
		 st->mode == RLS_LOCAL, st->latency_us / 1e6, st->reported,
		 st->installed, (unsigned long long)n->syncs,
		 (unsigned long long)n->sync_failures,
		 (unsigned long long)n->bad_replies,
		 (unsigned long long)n->kernel_errors);
	write_atomically(st->c.metrics_file, buf);
}

static void sync_once(struct state *st)
{
	uint64_t now = now_ms(), *delta = NULL;
	struct rls_usage *cur = NULL;
	size_t ncur = 0;
	int ret;

	if (!rls_redis_connected(st->redis))
		try_connect(st, now);
	/* Active since the last dump, with one interval of margin. */
	ret = rls_kernel_usage(&st->c, st->baseline ? forget_ms(&st->c) :
			       now - st->last_dump_ms + st->c.interval_ms, &cur, &ncur);
	if (ret == -ENOPKG) {
		logmsg("the nf_ratelimit module is not loaded");
		exit(1);
	}
	if (ret) {
		st->n.kernel_errors++;
		snprintf(st->last_error, sizeof(st->last_error), "entry dump: %s",
			 strerror(-ret));
		return;
	}
	st->last_dump_ms = now;
	ret = take_deltas(st, cur, ncur, now, &delta);
	if (!ret && rls_redis_connected(st->redis)) {
		char err[RL_ERR_LEN] = "";
		uint64_t t0 = now_us();

		ret = sync_redis(st, cur, delta, ncur, err);
		st->latency_us = now_us() - t0;
		st->n.syncs++;
		if (!ret) {
			st->last_ok_ms = now;
		} else {
			st->n.sync_failures++;
			snprintf(st->last_error, sizeof(st->last_error), "%s", err);
			if (ret == -EIO) {
				st->n.redis_errors++;
				redis_log(st, now, "redis lost (%s): local limits apply; reconnecting", err);
				st->down_logged = true;
				st->next_connect_ms = now;
			} else {
				redis_log(st, now, "sync refused: %s", err);
			}
		}
	}
	/* Redis down and keep=: the last verdicts hold for that long. */
	if (st->last_ok_ms != now && st->c.on_down == RLS_DOWN_KEEP &&
	    st->last_ok_ms && now - st->last_ok_ms <= st->c.keep_ms && st->nv) {
		for (size_t i = 0; i < st->nv; i++)
			st->v[i].expires_ms = now + st->c.hold * st->c.interval_ms;
		st->renewed = true;
	}
	install(st, now);
	if (st->last_ok_ms == now)
		st->mode = RLS_SYNCED;
	else
		st->mode = st->nv ? RLS_DEGRADED : RLS_LOCAL;
	free(cur);
	free(delta);
}

static int status(const char *conf)
{
	struct rls_config *c = malloc(sizeof(*c));
	char err[RL_ERR_LEN], *text, *st;
	size_t len;
	int ret;

	if (!c)
		return 1;
	ret = read_file(conf, &text, &len);
	if (ret) {
		fprintf(stderr, "rlsyncd: %s: %s\n", conf, strerror(-ret));
		free(c);
		return 2;
	}
	ret = rls_parse_config(text, len, c, err);
	free(text);
	if (ret) {
		fprintf(stderr, "rlsyncd: %s: %s\n", conf, err);
		free(c);
		return 2;
	}
	ret = read_file(c->status_file, &st, &len);
	if (ret) {
		fprintf(stderr, "rlsyncd: %s: %s (is rlsyncd running?)\n",
			c->status_file, strerror(-ret));
		free(c);
		return 1;
	}
	fwrite(st, 1, len, stdout);
	free(st);
	free(c);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: rlsyncd [-c FILE] [--check | --status]\n"
		"  -c FILE    configuration (default /etc/nf_ratelimit/sync.conf)\n"
		"  --check    parse the configuration and exit\n"
		"  --status   show the running daemon's state\n");
}

int main(int argc, char **argv)
{
	const char *conf = "/etc/nf_ratelimit/sync.conf";
	bool check = false, show = false;
	char err[RL_ERR_LEN], *text;
	struct state *st;
	size_t len;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			conf = argv[++i];
		} else if (!strcmp(argv[i], "--check")) {
			check = true;
		} else if (!strcmp(argv[i], "--status")) {
			show = true;
		} else {
			usage();
			return 2;
		}
	}
	if (show)
		return status(conf);
	st = calloc(1, sizeof(*st));
	if (!st)
		return 1;
	ret = read_file(conf, &text, &len);
	if (ret) {
		fprintf(stderr, "rlsyncd: %s: %s\n", conf, strerror(-ret));
		return 2;
	}
	ret = rls_parse_config(text, len, &st->c, err);
	free(text);
	if (ret) {
		fprintf(stderr, "rlsyncd: %s: %s\n", conf, err);
		return 2;
	}
	if (!st->c.host_id[0] && gethostname(st->c.host_id, sizeof(st->c.host_id) - 1))
		strcpy(st->c.host_id, "host");
	if (check)
		return 0;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	st->redis = rls_redis_new(&st->c);
	if (!st->redis)
		return 1;
	st->baseline = true;
	st->mode = RLS_LOCAL;
	while (!stop) {
		struct timespec ts;
		uint64_t start = now_us(), spent;

		st->n.ticks++;
		sync_once(st);
		write_status(st);
		spent = now_us() - start;
		if (spent < st->c.interval_ms * 1000) {
			uint64_t left = st->c.interval_ms * 1000 - spent;

			ts.tv_sec = left / 1000000;
			ts.tv_nsec = (left % 1000000) * 1000;
			nanosleep(&ts, NULL);
		}
	}
	/* A clean stop takes its rules with it; a crash leaves them to expire. */
	ret = rls_kernel_install(&st->c, NULL, 0);
	if (ret)
		logmsg("removing our rules: %s", strerror(-ret));
	logmsg("stopped");
	rls_redis_free(st->redis);
	free(st->seen);
	free(st->v);
	free(st);
	return 0;
}
