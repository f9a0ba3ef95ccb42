/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rlctl: configure and watch nf_ratelimit through its generic netlink family.
 */
#ifndef RLCTL_H
#define RLCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/netlink.h>

/* Exit codes: as documented in rlctl(8). */
enum {
	RLCTL_EXIT_OK = 0,
	RLCTL_EXIT_KERNEL = 1,	/* the kernel refused, or is not there */
	RLCTL_EXIT_USAGE = 2,
};

struct rlctl_opts {
	bool json;
	bool prometheus;
};

struct rlctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv, const struct rlctl_opts *o);
	const char *usage;
};

/* Each subcommand group exports its table, ended by a NULL name. */
extern const struct rlctl_cmd rlctl_status_cmds[];
extern const struct rlctl_cmd rlctl_entries_cmds[];
extern const struct rlctl_cmd rlctl_set_cmds[];

/* parse.c: return 0 or -EINVAL; nothing is written on failure. */
struct rl_prefix {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order, masked to len */
	uint8_t len;
};

int rl_parse_u64(const char *s, uint64_t *v);
int rl_parse_u32(const char *s, uint32_t max, uint32_t *v);
int rl_parse_bool(const char *s, bool *v);
int rl_parse_rate(const char *s, uint64_t *n, uint64_t *period_ns);
int rl_parse_prefix(const char *s, struct rl_prefix *p);
const char *rl_rate_unit(uint64_t period_ns);
void rl_format_prefix(const struct rl_prefix *p, char *buf, size_t len);

/* nl.c */
struct nlattr;
typedef int (*rl_nl_cb)(const struct nlmsghdr *nlh, void *data);

int rl_nl_request(uint8_t cmd, uint16_t flags,
		  void (*put)(struct nlmsghdr *nlh, void *arg), void *arg,
		  rl_nl_cb cb, void *data);
void rl_nl_put_prefix(struct nlmsghdr *nlh, const struct rl_prefix *p);
uint64_t rl_nl_uint(const struct nlattr *attr);
int rl_nl_error(int err);

/* Common output helpers. */
void rl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rl_json_str(FILE *f, const char *s);

#endif /* RLCTL_H */
