// SPDX-License-Identifier: GPL-2.0
/*
 * rl_tcp: real TCP connections, for the selector tests.
 *
 *   rl_tcp -l PORT -f READYFILE
 *	accepts connections on PORT (IPv4, any address) and reads them dry;
 *	on SIGTERM prints "accepted N bytes B" and exits.  READYFILE is
 *	written with its pid once it listens.
 *   rl_tcp -c ADDR -p PORT -n N [-w MS]
 *	N connection attempts one after another, each given MS milliseconds
 *	(default 300: less than the first SYN retransmission, so a dropped
 *	SYN is a failed attempt); prints "connected K of N".
 *   rl_tcp -s ADDR -p PORT -n N [-w MS]
 *	one connection that writes N 100-byte messages, MS ms apart (default
 *	10), then closes it cleanly; prints "sent B", or fails.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static void die(const char *msg)
{
	perror(msg);
	exit(1);
}

static int listen_loop(int port, const char *ready)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct pollfd fds[256];
	unsigned long accepted = 0, bytes = 0;
	int one = 1, n = 1, i;
	struct sigaction sa = { .sa_handler = on_term };
	FILE *f;

	sigaction(SIGTERM, &sa, NULL);
	fds[0].fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fds[0].fd < 0)
		die("socket");
	setsockopt(fds[0].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fds[0].fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fds[0].fd, 128))
		die("listen");
	fds[0].events = POLLIN;
	f = fopen(ready, "w");
	if (!f)
		die(ready);
	fprintf(f, "%d\n", getpid());
	fclose(f);

	while (!stop) {
		if (poll(fds, n, 100) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (fds[0].revents & POLLIN && n < 256) {
			int c = accept(fds[0].fd, NULL, NULL);

			if (c >= 0) {
				accepted++;
				fds[n].fd = c;
				fds[n].events = POLLIN;
				n++;
			}
		}
		for (i = 1; i < n; i++) {
			char buf[4096];
			ssize_t r;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(fds[i].fd, buf, sizeof(buf));
			if (r > 0) {
				bytes += r;
				continue;
			}
			close(fds[i].fd);
			fds[i--] = fds[--n];
		}
	}
	printf("accepted %lu bytes %lu\n", accepted, bytes);
	return 0;
}

/* One connection attempt within @ms; returns the socket or -1. */
static int try_connect(const char *addr, int port, int ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct pollfd p;
	int fd, err = 0;
	socklen_t len = sizeof(err);

	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		fprintf(stderr, "rl_tcp: bad address %s\n", addr);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS)
		die("connect");
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, ms) == 1 &&
	    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) && !err)
		return fd;
	close(fd);
	return -1;
}

int main(int argc, char **argv)
{
	const char *addr = NULL, *ready = NULL;
	int opt, port = 0, n = 0, ms = -1, mode = 0, i, fd, ok = 0;
	char msg[100];

	while ((opt = getopt(argc, argv, "l:f:c:s:p:n:w:")) != -1) {
		switch (opt) {
		case 'l': mode = 'l'; port = atoi(optarg); break;
		case 'f': ready = optarg; break;
		case 'c': mode = 'c'; addr = optarg; break;
		case 's': mode = 's'; addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'w': ms = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (mode == 'l' && ready && port > 0)
		return listen_loop(port, ready);
	if (!addr || port <= 0 || n <= 0)
		goto usage;
	if (mode == 'c') {
		for (i = 0; i < n; i++) {
			fd = try_connect(addr, port, ms < 0 ? 300 : ms);
			if (fd >= 0) {
				ok++;
				close(fd);
			}
		}
		printf("connected %d of %d\n", ok, n);
		return 0;
	}
	if (mode == 's') {
		fd = try_connect(addr, port, 2000);
		if (fd < 0) {
			fprintf(stderr, "rl_tcp: could not connect\n");
			return 1;
		}
		fcntl(fd, F_SETFL, 0);
		memset(msg, 'x', sizeof(msg));
		for (i = 0; i < n; i++) {
			if (write(fd, msg, sizeof(msg)) != sizeof(msg))
				die("write");
			usleep(1000 * (ms < 0 ? 10 : ms));
		}
		/* A clean close: everything written was acknowledged. */
		shutdown(fd, SHUT_WR);
		while (read(fd, msg, sizeof(msg)) > 0)
			;
		printf("sent %d\n", n * (int)sizeof(msg));
		return 0;
	}
usage:
	fprintf(stderr, "usage: rl_tcp -l PORT -f READYFILE | -c ADDR -p PORT -n N [-w MS] | -s ADDR -p PORT -n N [-w MS]\n");
	return 2;
}
