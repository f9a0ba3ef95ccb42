// SPDX-License-Identifier: GPL-2.0
/*
 * rl_failnth: load a module with its Nth fault-injection point failing.
 *
 *   rl_failnth N MODULE.ko [PARAM=VALUE...]
 *
 * Writes N to /proc/thread-self/fail-nth (Documentation/fault-injection/
 * fault-injection.rst), so that the Nth allocation this thread makes from
 * then on fails, and calls init_module() at once: the allocations counted
 * are the module loader's and the module's own init, all in this thread.
 * Prints "loaded 0|1 fired 0|1 errno E" and exits 0; 1 on a usage error or
 * when fault injection is not available.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char params[4096] = "", nth[32], left[32];
	int fd, ff, i, ret, err;
	struct stat st;
	ssize_t n;
	void *image;

	if (argc < 3) {
		fprintf(stderr, "usage: rl_failnth N MODULE.ko [PARAM=VALUE...]\n");
		return 1;
	}
	for (i = 3; i < argc; i++) {
		if (strlen(params) + strlen(argv[i]) + 2 > sizeof(params))
			return 1;
		strcat(params, argv[i]);
		strcat(params, " ");
	}
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[2]);
		return 1;
	}
	image = malloc(st.st_size);
	if (!image || read(fd, image, st.st_size) != st.st_size) {
		perror("rl_failnth: reading the module");
		return 1;
	}
	close(fd);

	ff = open("/proc/thread-self/fail-nth", O_RDWR);
	if (ff < 0) {
		perror("rl_failnth: /proc/thread-self/fail-nth");
		return 1;
	}
	snprintf(nth, sizeof(nth), "%s", argv[1]);
	if (write(ff, nth, strlen(nth)) < 0) {
		perror("rl_failnth: arming fail-nth");
		return 1;
	}
	ret = syscall(SYS_init_module, image, (unsigned long)st.st_size, params);
	err = ret ? errno : 0;
	/* Reads 0 once the fault fired, what was left of N otherwise. */
	n = pread(ff, left, sizeof(left) - 1, 0);
	left[n > 0 ? n : 0] = '\0';
	if (write(ff, "0", 1) < 0)
		return 1;
	printf("loaded %d fired %d errno %d\n", !ret, atoi(left) == 0, err);
	return 0;
}
