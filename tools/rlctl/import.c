// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl import [[-f] FILE]: turn the per-source limits of an iptables-save or
 * ip6tables-save dump (-m hashlimit --hashlimit-mode srcip) or of nft list
 * ruleset (meters: update @set { ip saddr limit rate over ... }) into the
 * configuration rlctl apply reads.  Every limiting rule of the input shows
 * as a comment, followed by its rlctl rule or by why it has none; the
 * output never says more than the input did.
 *
 * Exit status: 0 if every limiting rule was converted, 1 if some were not
 * (the configuration is printed all the same), 2 if the input is neither.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0, r;
	char *buf = malloc(cap + 1), *nb;

	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			nb = realloc(buf, 2 * cap + 1);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

static int import_run(int argc, char **argv, const struct rlctl_opts *o)
{
	const char *path = NULL;
	char err[RL_ERR_LEN], *text;
	unsigned int skipped;
	size_t len;
	FILE *f = stdin;
	int ret;

	/* "-f FILE", or the FILE alone as iptables-restore takes it; "-" is stdin. */
	if (argc == 3 && !strcmp(argv[1], "-f")) {
		path = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		path = argv[1];
	} else if (argc != 1 && !(argc == 2 && !strcmp(argv[1], "-"))) {
		rl_usage_error("import [[-f] FILE]");
		return RLCTL_EXIT_USAGE;
	}
	if (o->json) {
		rl_usage_error("import prints a configuration file, not JSON");
		return RLCTL_EXIT_USAGE;
	}
	if (path && !(f = fopen(path, "r"))) {
		fprintf(stderr, "rlctl: %s: %s\n", path, strerror(errno));
		return RLCTL_EXIT_USAGE;
	}
	text = read_all(f, &len);
	if (path)
		fclose(f);
	if (!text) {
		fprintf(stderr, "rlctl: out of memory\n");
		return RLCTL_EXIT_USAGE;
	}
	if (strlen(text) != len) {
		free(text);
		fprintf(stderr, "rlctl: import: the input has a NUL byte\n");
		return RLCTL_EXIT_USAGE;
	}
	ret = rl_import_text(text, stdout, &skipped, err);
	free(text);
	if (ret) {
		fprintf(stderr, "rlctl: import: %s\n", err);
		return RLCTL_EXIT_USAGE;
	}
	if (skipped) {
		fprintf(stderr, "rlctl: import: %u limiting rule%s not converted: see the comments\n",
			skipped, skipped == 1 ? "" : "s");
		return RLCTL_EXIT_KERNEL;
	}
	return RLCTL_EXIT_OK;
}

const struct rlctl_cmd rlctl_import_cmds[] = {
	{ "import", import_run, "import [[-f] FILE]" },
	{ NULL },
};
