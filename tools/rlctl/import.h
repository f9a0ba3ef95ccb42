/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rlctl import: what the iptables-save and nft list ruleset readers share.
 */
#ifndef RLCTL_IMPORT_H
#define RLCTL_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "rlctl.h"

#define RL_IMPORT_MAX_TOKENS 128
#define RL_IMPORT_SEL_WORDS 12

/* A limiting rule of the input, in the terms of an rlctl rule. */
struct rl_import_rule {
	int family;		/* AF_INET or AF_INET6 */
	const char *prefix;	/* NULL: every source of the family */
	const char *rate;	/* as rlctl reads it: "100/second", "1mbytes/s" */
	const char *burst;	/* NULL: the input's default, in burst_default */
	unsigned int burst_default;
	int prefix_len;		/* sources share a bucket per prefix; -1: /32, /128 */
	/* The selector, as rlctl words ("proto", "tcp", "dport", "22", ...). */
	const char *sel[RL_IMPORT_SEL_WORDS];
	int nsel;
};

/* A rule converted so far: its prefix, selector and input line, for overlap checks. */
struct rl_import_done {
	struct rl_prefix prefix;
	struct rl_sel_spec sel;
	int line;
};

struct rl_import {
	FILE *out;		/* the configuration being written */
	const char *what;	/* "iptables-save" or "nft" */
	struct rl_import_done *done;
	size_t n, cap;
	unsigned int skipped;
};

/* Split @line in place into at most @max words; "..." is one word. */
int rl_import_split(char *line, char **tok, int max);
/* The input's line @no, as a comment. */
void rl_import_echo(struct rl_import *im, int no, char **tok, int ntok);
/* The line just echoed is not converted, for the reason @fmt says. */
void rl_import_skip(struct rl_import *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* In a reader's convert(): say why the line has no rule, and move on. */
#define SKIP(...) do { rl_import_skip(im, __VA_ARGS__); return; } while (0)
/* Line @no converts to @r: checked as "rlctl rule add" would, then written. */
void rl_import_add(struct rl_import *im, int no, const struct rl_import_rule *r);
/* Appends selector words to @r; false (nothing added) if they do not fit. */
bool rl_import_sel(struct rl_import_rule *r, const char *word, const char *value);
/* The length of a prefix mask (255.255.255.0, ffff:ffff::), or -EINVAL. */
int rl_import_mask_len(const char *mask, int family);

int rl_import_iptables(struct rl_import *im, char *text);
int rl_import_nft(struct rl_import *im, char *text);
int rl_import_text(char *text, FILE *out, unsigned int *skipped, char *err);

#endif /* RLCTL_IMPORT_H */
