// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the module's three limiting algorithms, built from kmod/ unchanged,
 * on one bursty input and prints what each lets through over time, for
 * algorithms.gp: a source at 10 packets/s with a burst of 20 receives bursts
 * of 40 packets at 400/s every 3 s, with a steady 5 packets/s in between.
 *
 * Output: one line per arrival: time (s), offered so far, then passed so far
 * by token-bucket, gcra and sliding-window.
 */

#include <stdio.h>

#include "algo.h"

#define SEC 1000000000ULL

int main(void)
{
	union rl_state st[__NF_RL_ALGO_MAX];
	unsigned long passed[__NF_RL_ALGO_MAX] = { 0 }, offered = 0;
	const char *msg;
	struct rl_rate r;
	u64 t, next_steady = 0;
	int a;

	if (rl_algo_rate_init(&r, 10, SEC, 20, NF_RL_UNIT_PACKETS, &msg)) {
		fprintf(stderr, "algo_plot: %s\n", msg);
		return 1;
	}
	for (a = 0; a < __NF_RL_ALGO_MAX; a++)
		rl_algo_get(a)->init(&st[a], &r, 0);

	printf("# t offered token-bucket gcra sliding-window\n");
	for (t = 0; t < 15 * SEC; t += SEC / 400) {
		bool burst = t % (3 * SEC) < SEC / 10;	/* 40 arrivals */

		if (!burst && t < next_steady)
			continue;
		if (!burst)
			next_steady = t + SEC / 5;
		offered++;
		for (a = 0; a < __NF_RL_ALGO_MAX; a++)
			passed[a] += rl_algo_get(a)->charge(&st[a], &r, t, 1);
		printf("%.4f %lu %lu %lu %lu\n", (double)t / SEC, offered,
		       passed[0], passed[1], passed[2]);
	}
	return 0;
}
