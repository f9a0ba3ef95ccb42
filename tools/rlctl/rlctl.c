// SPDX-License-Identifier: GPL-2.0
/*
 * rlctl: the command line of nf_ratelimit.  Global options, then a
 * subcommand looked up in the tables of the subcommand groups.
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rlctl.h"

static const struct rlctl_cmd *const groups[] = {
	rlctl_status_cmds,
	rlctl_entries_cmds,
	rlctl_set_cmds,
	rlctl_rule_cmds,
	rlctl_apply_cmds,
	rlctl_monitor_cmds,
	rlctl_import_cmds,
};

static void usage(FILE *f)
{
	const struct rlctl_cmd *c;
	size_t i;

	fprintf(f, "Usage: rlctl [-j|--json] [--prometheus] COMMAND [ARGS]\n\nCommands:\n");
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		for (c = groups[i]; c->name; c++)
			fprintf(f, "  rlctl %s\n", c->usage);
	fprintf(f, "\nExit status: 0 done, 1 refused by the kernel, 2 usage error.\n"
		"See rlctl(8).\n");
}

void rl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rlctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void rl_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

int main(int argc, char **argv)
{
	struct rlctl_opts o = { 0 };
	const struct rlctl_cmd *c;
	size_t i;
	int arg;

	for (arg = 1; arg < argc && argv[arg][0] == '-'; arg++) {
		if (!strcmp(argv[arg], "-j") || !strcmp(argv[arg], "--json")) {
			o.json = true;
		} else if (!strcmp(argv[arg], "--prometheus")) {
			o.prometheus = true;
		} else if (!strcmp(argv[arg], "-h") || !strcmp(argv[arg], "--help")) {
			usage(stdout);
			return RLCTL_EXIT_OK;
		} else {
			rl_usage_error("unknown option '%s'", argv[arg]);
			usage(stderr);
			return RLCTL_EXIT_USAGE;
		}
	}
	if (arg == argc) {
		usage(stderr);
		return RLCTL_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		for (c = groups[i]; c->name; c++) {
			if (strcmp(c->name, argv[arg]))
				continue;
			if (o.prometheus && strcmp(c->name, "status")) {
				rl_usage_error("--prometheus applies to status only");
				return RLCTL_EXIT_USAGE;
			}
			return c->run(argc - arg, argv + arg, &o);
		}
	}
	rl_usage_error("unknown command '%s'", argv[arg]);
	usage(stderr);
	return RLCTL_EXIT_USAGE;
}
