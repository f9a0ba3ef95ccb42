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
#include <linux/nf_ratelimit.h>

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
extern const struct rlctl_cmd rlctl_rule_cmds[];
extern const struct rlctl_cmd rlctl_apply_cmds[];
extern const struct rlctl_cmd rlctl_monitor_cmds[];
extern const struct rlctl_cmd rlctl_import_cmds[];

/* parse.c: return 0 or -EINVAL; nothing is written on failure. */
struct rl_prefix {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order, masked to len */
	uint8_t len;
};

int rl_parse_u64(const char *s, uint64_t *v);
int rl_parse_u32(const char *s, uint32_t max, uint32_t *v);
int rl_parse_bool(const char *s, bool *v);
int rl_parse_rate(const char *s, uint64_t *n, uint64_t *period_ns, uint32_t *unit);
void rl_format_rate(uint64_t n, uint64_t period_ns, uint32_t unit, char *buf,
		    size_t len);
int rl_parse_prefix(const char *s, struct rl_prefix *p);
int rl_parse_duration(const char *s, uint64_t max_ms, uint64_t *ms);
void rl_format_duration(uint64_t ms, char *buf, size_t len);
int rl_parse_owner(const char *s, char *owner);
const char *rl_rate_unit(uint64_t period_ns);
void rl_format_prefix(const struct rl_prefix *p, char *buf, size_t len);

/* selector.c: which packets of its sources a rule sees; all zero for every one. */
struct rl_sel_spec {
	uint8_t proto;			/* IPPROTO_*, 0: any */
	uint8_t nports, ntypes;
	bool syn, per_port;
	struct nf_rl_port_range ports[NF_RL_PORT_RANGES_MAX];
	uint8_t types[NF_RL_ICMP_TYPES_MAX];
	char iif[16];			/* IFNAMSIZ */
};

int rl_sel_word(int argc, char **argv, int family, struct rl_sel_spec *sel,
		unsigned int *seen, char *err);
int rl_sel_check(struct rl_sel_spec *sel, int family, char *err);
bool rl_sel_empty(const struct rl_sel_spec *sel);
int rl_sel_cmp(const struct rl_sel_spec *a, const struct rl_sel_spec *b);
const char *rl_sel_proto_name(uint8_t proto);
int rl_sel_parse_proto(const char *s, uint8_t *proto);
int rl_sel_parse_ports(const char *s, struct rl_sel_spec *sel);
void rl_sel_format(const struct rl_sel_spec *sel, int family, char *buf,
		   size_t len);
void rl_sel_json(FILE *f, const struct rl_sel_spec *sel, int family);

/* config.c: rules, settings and the file "apply" reads and "save" writes. */
struct rl_rule_spec {
	struct rl_prefix prefix;
	struct rl_sel_spec sel;
	uint32_t action;		/* NF_RL_ACTION_* */
	bool has_rate, has_burst, has_agg;
	uint64_t rate, period_ns, burst;
	uint32_t unit;			/* NF_RL_UNIT_*, from the rate */
	uint32_t algo;			/* NF_RL_ALGO_* */
	uint8_t agg;
	uint64_t timeout_ms;		/* 0: none; from the kernel, the time left */
	char owner[NF_RL_OWNER_LEN];	/* "": the administrator's */
};

struct rl_settings {
	bool has_dry_run, has_policy, has_max, has_log, has_owner_max;
	bool dry_run, log;
	uint32_t policy, max_entries, owner_max;
};

struct rl_config_file {
	struct rl_settings set;
	struct rl_rule_spec *rules;
	size_t n, cap;
};

#define RL_ERR_LEN 256

int rl_fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int rl_parse_rule(int argc, char **argv, bool prefix_only,
		  struct rl_rule_spec *r, char *err);
int rl_parse_setting(const char *name, const char *val, struct rl_settings *s,
		     char *err);
int rl_parse_config(const char *text, size_t len, struct rl_config_file *c,
		    char *err);
void rl_config_free(struct rl_config_file *c);
const char *rl_action_name(uint32_t action);
const char *rl_policy_name(uint32_t policy);
const char *rl_algo_name(uint32_t algo);
void rl_format_rule(const struct rl_rule_spec *r, char *buf, size_t len);
void rl_format_config(FILE *f, const struct rl_config_file *c);
void rl_print_rule_json(FILE *f, const struct rl_rule_spec *r);


/* nl.c */
struct nlattr;
typedef int (*rl_nl_cb)(const struct nlmsghdr *nlh, void *data);

struct rl_rule_list {
	struct rl_rule_spec *v;
	size_t n, cap;
};

int rl_nl_rule_cb(const struct nlmsghdr *nlh, void *data);
int rl_rules_fetch(struct rl_rule_spec **v, size_t *n);

int rl_nl_request(uint8_t cmd, uint16_t flags,
		  void (*put)(struct nlmsghdr *nlh, void *arg), void *arg,
		  rl_nl_cb cb, void *data);
int rl_nl_request_size(uint8_t cmd, uint16_t flags, size_t size,
		       void (*put)(struct nlmsghdr *nlh, void *arg), void *arg,
		       rl_nl_cb cb, void *data);
int rl_nl_monitor(rl_nl_cb cb, void *data);
bool rl_nl_interrupted(void);
void rl_nl_put_prefix(struct nlmsghdr *nlh, const struct rl_prefix *p);
void rl_nl_put_rule(struct nlmsghdr *nlh, const struct rl_rule_spec *r,
		    bool prefix_only);
void rl_nl_put_sel(struct nlmsghdr *nlh, const struct rl_sel_spec *sel);
int rl_nl_parse_sel(const struct nlattr *a, struct rl_sel_spec *sel);
void rl_nl_put_settings(struct nlmsghdr *nlh, const struct rl_settings *s);
void rl_nl_parse_settings(const struct nlattr *nest, struct rl_settings *s);
int rl_nl_get_prefix(const struct nlattr *addr, struct rl_prefix *p);
int rl_nl_parse_rule(const struct nlattr *nest, struct rl_rule_spec *r);
uint64_t rl_nl_uint(const struct nlattr *attr);
int rl_nl_error(int err);
const char *rl_nl_message(void);

/* Common output helpers. */
void rl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rl_json_str(FILE *f, const char *s);

#endif /* RLCTL_H */
