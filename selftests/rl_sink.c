// SPDX-License-Identifier: GPL-2.0
/*
 * rl_sink: count the UDP datagrams that reach a port, per source address, on
 * IPv4 and IPv6 at once.
 *
 *   rl_sink [-P PORT] [-f READYFILE]
 *
 * Runs until SIGTERM or SIGINT, then prints "ADDR COUNT" per source.  The
 * ready file is written, with the sink's pid, once the socket is bound, so a
 * test can start sending only when nothing would be missed, and can signal
 * the sink itself rather than a wrapper (ip netns exec, a shell).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SOURCES 65536	/* a power of two: open addressing below */

struct slot {
	struct in6_addr addr;
	unsigned long long count;
	int used;
};

static struct slot table[MAX_SOURCES];
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void count(const struct in6_addr *a)
{
	unsigned int h = 0, i;

	for (i = 0; i < 16; i++)
		h = h * 31 + a->s6_addr[i];
	for (i = 0; i < MAX_SOURCES; i++) {
		struct slot *s = &table[(h + i) & (MAX_SOURCES - 1)];

		if (!s->used) {
			s->used = 1;
			s->addr = *a;
		}
		if (!memcmp(&s->addr, a, sizeof(*a))) {
			s->count++;
			return;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	int fd, opt, off = 0, rcvbuf = 8 << 20;
	struct timeval tick = { .tv_usec = 100000 };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *ready = NULL;
	unsigned int port = 9000, i;
	char buf[2048];

	while ((opt = getopt(argc, argv, "P:f:")) != -1) {
		switch (opt) {
		case 'P': port = strtoul(optarg, NULL, 0); break;
		case 'f': ready = optarg; break;
		default:
			fprintf(stderr, "usage: rl_sink [-P PORT] [-f READYFILE]\n");
			return 2;
		}
	}

	/* No SA_RESTART: the signal must interrupt recv(). */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	/* Wakes recvfrom() now and then, so a signal that lands just before it
	 * is not missed. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
	sin6.sin6_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
		perror("bind");
		return 1;
	}
	if (ready) {
		char tmp[4096];
		FILE *f;

		/* Written then renamed: the file appears complete or not at all. */
		snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) ||
		    rename(tmp, ready)) {
			perror(ready);
			return 1;
		}
	}

	while (!stop) {
		struct sockaddr_in6 from;
		socklen_t flen = sizeof(from);

		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("recvfrom");
			return 1;
		}
		count(&from.sin6_addr);
	}

	for (i = 0; i < MAX_SOURCES; i++) {
		char str[INET6_ADDRSTRLEN];
		const struct in6_addr *a = &table[i].addr;

		if (!table[i].used)
			continue;
		if (IN6_IS_ADDR_V4MAPPED(a))
			inet_ntop(AF_INET, &a->s6_addr[12], str, sizeof(str));
		else
			inet_ntop(AF_INET6, a, str, sizeof(str));
		printf("%s %llu\n", str, table[i].count);
	}
	return 0;
}
