// SPDX-License-Identifier: GPL-2.0
/*
 * Instructions per decision of each limiting algorithm, counted by
 * callgrind: the module's kmod/algo.c, bucket.c, gcra.c and swin.c, built
 * unchanged in userspace through tools/plot/shim.  run.sh runs one
 * measurement per process and divides callgrind's count of measure() by
 * the number of charges.
 *
 *   ucount ALGO pass|drop|bytes|empty N
 *
 * pass:  every charge conforms (1M packets/s, charges 2 us apart);
 * drop:  none does (1 packet/s, burst 1, charges 1 us apart);
 * bytes: 1500-byte packets against 1 Gbit/s, 12 us apart (all conform);
 * empty: the loop alone, to subtract.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo.h"

#define SEC 1000000000ULL

static union rl_state st;
static struct rl_rate rate;
static const struct rl_algo_ops *ops;
static unsigned long passed;

static __attribute__((noinline)) void measure(unsigned long n, u64 step,
					      u64 amount, int empty)
{
	u64 now = SEC;
	unsigned long i;

	for (i = 0; i < n; i++) {
		now += step;
		if (empty)
			passed += now & 1;
		else
			passed += ops->charge(&st, &rate, now, amount);
	}
}

int main(int argc, char **argv)
{
	u64 n_per, period = SEC, burst, step, amount = 1;
	enum nf_rl_unit unit = NF_RL_UNIT_PACKETS;
	const char *msg, *mode;
	unsigned long n;
	int algo;

	if (argc != 4 || (algo = rl_algo_lookup(argv[1])) < 0) {
		fprintf(stderr, "usage: ucount ALGO pass|drop|bytes|empty N\n");
		return 2;
	}
	mode = argv[2];
	n = strtoul(argv[3], NULL, 0);
	if (!strcmp(mode, "pass") || !strcmp(mode, "empty")) {
		n_per = 1000000, burst = 10000, step = 2000;
	} else if (!strcmp(mode, "drop")) {
		n_per = 1, burst = 1, step = 1000;
	} else if (!strcmp(mode, "bytes")) {
		n_per = 125000000, burst = 1 << 20, step = 12000, amount = 1500;
		unit = NF_RL_UNIT_BYTES;
	} else {
		fprintf(stderr, "ucount: unknown mode %s\n", mode);
		return 2;
	}
	if (rl_algo_rate_init(&rate, n_per, period, burst, unit, &msg)) {
		fprintf(stderr, "ucount: %s\n", msg);
		return 1;
	}
	ops = rl_algo_get(algo);
	ops->init(&st, &rate, SEC);
	measure(n, step, amount, !strcmp(mode, "empty"));
	printf("%s %s %lu charges, %lu passed\n", argv[1], mode, n, passed);
	return 0;
}
