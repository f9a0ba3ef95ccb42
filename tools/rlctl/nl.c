// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink side of rlctl, on libmnl: resolve the nf_ratelimit family, send
 * one request, run a callback per reply message, and turn the kernel's
 * extended ack into the message the user sees.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/nf_ratelimit.h>

#include "rlctl.h"

/* libmnl 1.0.5 has it; Debian 12's 1.0.4 does not.  Dumps fill up to 32 KiB. */
#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE 32768
#endif

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

/* The kernel's explanation of the last error, if it gave one. */
static char ext_msg[256];
static bool dump_interrupted;

struct family {
	uint16_t id;
	uint32_t events_group;		/* 0: not found */
};

static void family_groups(const struct nlattr *groups, struct family *fam)
{
	const struct nlattr *grp, *a;

	mnl_attr_for_each_nested(grp, groups) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, grp) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
			    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
				 !mnl_attr_validate(a, MNL_TYPE_U32))
				id = mnl_attr_get_u32(a);
		}
		if (name && !strcmp(name, NF_RL_MCGRP_EVENTS))
			fam->events_group = id;
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family *fam = data;
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    !mnl_attr_validate(attr, MNL_TYPE_U16))
			fam->id = mnl_attr_get_u16(attr);
		else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
			family_groups(attr, fam);
	}
	return MNL_CB_OK;
}

/* Keeps the extack message of an error reply, then lets libmnl report it. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return MNL_CB_ERROR;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		struct nlattr *attr;

		mnl_attr_for_each(attr, nlh, off) {
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
				snprintf(ext_msg, sizeof(ext_msg), "%s",
					 mnl_attr_get_str(attr));
		}
	}
	if (!err->error)
		return MNL_CB_STOP;
	errno = -err->error;
	return MNL_CB_ERROR;
}

/*
 * Only NLMSG_ERROR is ours.  The array ends right after it: libmnl ignores
 * control types inside the array that have no callback, and gives those past
 * its end (NLMSG_DONE among them) their default handling.
 */
static mnl_cb_t ctl_cbs[NLMSG_ERROR + 1] = {
	[NLMSG_ERROR] = error_cb,
};

/*
 * libmnl fails a whole dump with EINTR at the first message marked
 * NLM_F_DUMP_INTR (the kernel's table or rules changed between two parts of
 * the dump).  A listing that may miss or repeat an item under churn is still
 * worth showing, as ip(8) does: note the mark and clear it.
 */
static void note_interrupted(char *buf, int len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	while (mnl_nlmsg_ok(nlh, len)) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
			dump_interrupted = true;
		}
		nlh = mnl_nlmsg_next(nlh, &len);
	}
}

/**
 * rl_nl_interrupted() - whether the last dump was marked inconsistent
 *
 * Return: true if the kernel's data changed while it was being dumped.
 */
bool rl_nl_interrupted(void)
{
	return dump_interrupted;
}

/* Sends @nlh and runs @cb on every reply until the ack or the dump's end. */
static int transact(struct mnl_socket *nl, struct nlmsghdr *nlh,
		    rl_nl_cb cb, void *data)
{
	char buf[MNL_SOCKET_DUMP_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret;

	dump_interrupted = false;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			return ret < 0 ? -errno : -EIO;
		note_interrupted(buf, ret);
		ret = mnl_cb_run2(buf, ret, nlh->nlmsg_seq, portid, cb, data,
				  ctl_cbs, sizeof(ctl_cbs) / sizeof(ctl_cbs[0]));
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *genl_put(char *buf, uint16_t type, uint8_t cmd,
				 uint16_t flags, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = time(NULL);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int resolve_family(struct mnl_socket *nl, struct family *fam)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = genl_put(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NF_RL_GENL_NAME);
	memset(fam, 0, sizeof(*fam));
	err = transact(nl, nlh, family_cb, fam);
	if (err == -ENOENT || (!err && !fam->id))
		return -ENOPKG;
	return err;
}

/* A socket with extended acks, acks that do not echo the request (which may
 * be megabytes for apply), and the family resolved. */
static struct mnl_socket *open_family(struct family *fam, int *err)
{
	struct mnl_socket *nl;
	int one = 1;

	ext_msg[0] = '\0';
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl) {
		*err = -errno;
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*err = -errno;
		goto close;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	*err = resolve_family(nl, fam);
	if (!*err)
		return nl;
close:
	mnl_socket_close(nl);
	return NULL;
}

/**
 * rl_nl_request() - one request to the nf_ratelimit family
 * @cmd: NF_RL_CMD_*
 * @flags: extra nlmsg flags, NLM_F_DUMP for dumps
 * @put: adds the request's attributes, or NULL
 * @arg: for @put
 * @cb: run on each reply message, or NULL
 * @data: for @cb
 *
 * Return: 0, -ENOPKG if the module is not loaded, or the kernel's -errno
 * (its explanation then is in rl_nl_error()'s message).
 */
int rl_nl_request(uint8_t cmd, uint16_t flags,
		  void (*put)(struct nlmsghdr *nlh, void *arg), void *arg,
		  rl_nl_cb cb, void *data)
{
	return rl_nl_request_size(cmd, flags, MNL_SOCKET_BUFFER_SIZE, put, arg,
				  cb, data);
}

/**
 * rl_nl_request_size() - rl_nl_request() with a request of up to @size bytes
 * @cmd: NF_RL_CMD_*
 * @flags: extra nlmsg flags
 * @size: room for the request; @put must not write more
 * @put: adds the request's attributes, or NULL
 * @arg: for @put
 * @cb: run on each reply message, or NULL
 * @data: for @cb
 *
 * A request larger than the socket's send buffer needs a larger one, which
 * beyond net.core.wmem_max only CAP_NET_ADMIN may force: the commands that
 * send such requests need it anyway.
 *
 * Return: as rl_nl_request().
 */
int rl_nl_request_size(uint8_t cmd, uint16_t flags, size_t size,
		       void (*put)(struct nlmsghdr *nlh, void *arg), void *arg,
		       rl_nl_cb cb, void *data)
{
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct family fam;
	char *buf;
	int err;

	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	nl = open_family(&fam, &err);
	if (!nl)
		goto free_buf;
	if (size > (size_t)MNL_SOCKET_BUFFER_SIZE) {
		int sndbuf = size + 4096;

		if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE,
			       &sndbuf, sizeof(sndbuf)))
			setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUF,
				   &sndbuf, sizeof(sndbuf));
	}
	nlh = genl_put(buf, fam.id, cmd, flags, NF_RL_GENL_VERSION);
	if (put)
		put(nlh, arg);
	err = transact(nl, nlh, cb, data);
	mnl_socket_close(nl);
free_buf:
	free(buf);
	return err;
}

/**
 * rl_nl_monitor() - run @cb on every event until it returns MNL_CB_STOP
 * @cb: called with each event message
 * @data: for @cb
 *
 * Return: 0 when @cb stopped, or a -errno.
 */
int rl_nl_monitor(rl_nl_cb cb, void *data)
{
	char buf[MNL_SOCKET_DUMP_SIZE];
	struct mnl_socket *nl;
	struct family fam;
	int err, ret;

	nl = open_family(&fam, &err);
	if (!nl)
		return err;
	if (!fam.events_group) {
		err = -ENOENT;
		goto close;
	}
	if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &fam.events_group,
				  sizeof(fam.events_group))) {
		err = -errno;
		goto close;
	}
	for (;;) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0) {
			err = -errno;
			break;
		}
		ret = mnl_cb_run(buf, ret, 0, 0, cb, data);
		if (ret <= MNL_CB_STOP) {
			err = ret < 0 ? -errno : 0;
			break;
		}
	}
close:
	mnl_socket_close(nl);
	return err;
}

/**
 * rl_nl_rule_cb() - collect the rules of a reply, for rl_nl_request()
 * @nlh: a reply message
 * @data: the struct rl_rule_list they are added to
 *
 * Return: MNL_CB_OK, or MNL_CB_ERROR for a malformed rule or no memory.
 */
int rl_nl_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rl_rule_list *rs = data;
	struct nlattr *nest;

	mnl_attr_for_each(nest, nlh, sizeof(struct genlmsghdr)) {
		struct rl_rule_spec r;

		if (mnl_attr_get_type(nest) != NF_RL_A_RULE)
			continue;
		if (rl_nl_parse_rule(nest, &r))
			return MNL_CB_ERROR;
		if (rs->n == rs->cap) {
			size_t cap = rs->cap ? rs->cap * 2 : 64;
			struct rl_rule_spec *v = realloc(rs->v, cap * sizeof(*v));

			if (!v)
				return MNL_CB_ERROR;
			rs->v = v;
			rs->cap = cap;
		}
		rs->v[rs->n++] = r;
	}
	return MNL_CB_OK;
}

/**
 * rl_rules_fetch() - every rule in force, in address order
 * @v: set to a malloc'ed array, which the caller frees
 * @n: set to its length
 *
 * Return: 0 or a -errno for rl_nl_error().
 */
int rl_rules_fetch(struct rl_rule_spec **v, size_t *n)
{
	struct rl_rule_list rs = { 0 };
	int err;

	err = rl_nl_request(NF_RL_CMD_GET_RULE, NLM_F_DUMP, NULL, NULL, rl_nl_rule_cb, &rs);
	if (rl_nl_interrupted())
		fprintf(stderr, "rlctl: the rules changed during the listing: it may miss or repeat rules\n");
	if (err) {
		free(rs.v);
		return err;
	}
	*v = rs.v;
	*n = rs.n;
	return 0;
}

/* A selector's attributes, into the current NF_RL_A_RULE nest. */
void rl_nl_put_sel(struct nlmsghdr *nlh, const struct rl_sel_spec *sel)
{
	if (sel->proto)
		mnl_attr_put_u8(nlh, NF_RL_A_RULE_PROTO, sel->proto);
	if (sel->nports)
		mnl_attr_put(nlh, NF_RL_A_RULE_DPORTS,
			     sel->nports * sizeof(sel->ports[0]), sel->ports);
	if (sel->syn)
		mnl_attr_put(nlh, NF_RL_A_RULE_SYN, 0, NULL);
	if (sel->ntypes)
		mnl_attr_put(nlh, NF_RL_A_RULE_ICMP_TYPES, sel->ntypes, sel->types);
	if (sel->iif[0])
		mnl_attr_put_strz(nlh, NF_RL_A_RULE_IIF, sel->iif);
	if (sel->per_port)
		mnl_attr_put(nlh, NF_RL_A_RULE_PER_PORT, 0, NULL);
}

/**
 * rl_nl_parse_sel() - one selector attribute of a rule (or entry, event) nest
 * @a: the attribute
 * @sel: updated
 *
 * Return: 1 if @a was a selector attribute, 0 if not, -EINVAL if malformed.
 */
int rl_nl_parse_sel(const struct nlattr *a, struct rl_sel_spec *sel)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case NF_RL_A_RULE_PROTO:
		sel->proto = rl_nl_uint(a);
		return 1;
	case NF_RL_A_RULE_DPORTS:
		if (len % sizeof(sel->ports[0]) || len > sizeof(sel->ports))
			return -EINVAL;
		memcpy(sel->ports, mnl_attr_get_payload(a), len);
		sel->nports = len / sizeof(sel->ports[0]);
		return 1;
	case NF_RL_A_RULE_SYN:
		sel->syn = true;
		return 1;
	case NF_RL_A_RULE_ICMP_TYPES:
		if (len > sizeof(sel->types))
			return -EINVAL;
		memcpy(sel->types, mnl_attr_get_payload(a), len);
		sel->ntypes = len;
		return 1;
	case NF_RL_A_RULE_IIF:
		if (!len || len > sizeof(sel->iif) ||
		    ((const char *)mnl_attr_get_payload(a))[len - 1])
			return -EINVAL;
		memcpy(sel->iif, mnl_attr_get_payload(a), len);
		return 1;
	case NF_RL_A_RULE_PER_PORT:
		sel->per_port = true;
		return 1;
	}
	return 0;
}

/* NF_RL_A_RULE for @r; only its prefix and selector when @prefix_only. */
void rl_nl_put_rule(struct nlmsghdr *nlh, const struct rl_rule_spec *r,
		    bool prefix_only)
{
	const struct rl_prefix *p = &r->prefix;
	struct nlattr *nest = mnl_attr_nest_start(nlh, NF_RL_A_RULE);

	mnl_attr_put(nlh, NF_RL_A_RULE_ADDR, p->family == AF_INET ? 4 : 16, p->addr);
	mnl_attr_put_u8(nlh, NF_RL_A_RULE_PREFIX, p->len);
	rl_nl_put_sel(nlh, &r->sel);
	if (r->owner[0])
		mnl_attr_put_strz(nlh, NF_RL_A_RULE_OWNER, r->owner);
	if (!prefix_only) {
		if (r->timeout_ms)
			mnl_attr_put_u64(nlh, NF_RL_A_RULE_TIMEOUT_MS, r->timeout_ms);
		mnl_attr_put_u32(nlh, NF_RL_A_RULE_ACTION, r->action);
		if (r->has_rate) {
			mnl_attr_put_u64(nlh, NF_RL_A_RULE_RATE, r->rate);
			mnl_attr_put_u64(nlh, NF_RL_A_RULE_RATE_PERIOD_NS, r->period_ns);
		}
		if (r->has_burst)
			mnl_attr_put_u64(nlh, NF_RL_A_RULE_BURST, r->burst);
		if (r->has_agg)
			mnl_attr_put_u8(nlh, NF_RL_A_RULE_AGG_PREFIX, r->agg);
		if (r->action == NF_RL_ACTION_LIMIT) {
			mnl_attr_put_u32(nlh, NF_RL_A_RULE_ALGO, r->algo);
			mnl_attr_put_u32(nlh, NF_RL_A_RULE_UNIT, r->unit);
		}
	}
	mnl_attr_nest_end(nlh, nest);
}

/* NF_RL_A_CONFIG with the settings @s has. */
void rl_nl_put_settings(struct nlmsghdr *nlh, const struct rl_settings *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NF_RL_A_CONFIG);

	if (s->has_dry_run)
		mnl_attr_put_u8(nlh, NF_RL_A_CONFIG_DRY_RUN, s->dry_run);
	if (s->has_policy)
		mnl_attr_put_u32(nlh, NF_RL_A_CONFIG_FULL_POLICY, s->policy);
	if (s->has_max)
		mnl_attr_put_u32(nlh, NF_RL_A_CONFIG_MAX_ENTRIES, s->max_entries);
	if (s->has_log)
		mnl_attr_put_u8(nlh, NF_RL_A_CONFIG_LOG, s->log);
	if (s->has_owner_max)
		mnl_attr_put_u32(nlh, NF_RL_A_CONFIG_OWNER_RULES_MAX, s->owner_max);
	mnl_attr_nest_end(nlh, nest);
}

/* The run-time settings of an NF_RL_A_CONFIG nest; the rest is left alone. */
void rl_nl_parse_settings(const struct nlattr *nest, struct rl_settings *s)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case NF_RL_A_CONFIG_DRY_RUN:
			s->dry_run = rl_nl_uint(a);
			s->has_dry_run = true;
			break;
		case NF_RL_A_CONFIG_FULL_POLICY:
			s->policy = rl_nl_uint(a);
			s->has_policy = true;
			break;
		case NF_RL_A_CONFIG_MAX_ENTRIES:
			s->max_entries = rl_nl_uint(a);
			s->has_max = true;
			break;
		case NF_RL_A_CONFIG_LOG:
			s->log = rl_nl_uint(a);
			s->has_log = true;
			break;
		case NF_RL_A_CONFIG_OWNER_RULES_MAX:
			s->owner_max = rl_nl_uint(a);
			s->has_owner_max = true;
			break;
		}
	}
}

/* An address attribute of either family; the prefix length is left alone. */
int rl_nl_get_prefix(const struct nlattr *addr, struct rl_prefix *p)
{
	uint16_t len = mnl_attr_get_payload_len(addr);

	if (len != 4 && len != 16)
		return -EINVAL;
	p->family = len == 4 ? AF_INET : AF_INET6;
	memcpy(p->addr, mnl_attr_get_payload(addr), len);
	return 0;
}

/* A rule as the kernel reports it: every field it has is set. */
int rl_nl_parse_rule(const struct nlattr *nest, struct rl_rule_spec *r)
{
	const struct nlattr *a;

	memset(r, 0, sizeof(*r));
	mnl_attr_for_each_nested(a, nest) {
		if (rl_nl_parse_sel(a, &r->sel) < 0)
			return -EINVAL;
		switch (mnl_attr_get_type(a)) {
		case NF_RL_A_RULE_ADDR:
			if (rl_nl_get_prefix(a, &r->prefix))
				return -EINVAL;
			break;
		case NF_RL_A_RULE_PREFIX: r->prefix.len = rl_nl_uint(a); break;
		case NF_RL_A_RULE_ACTION: r->action = rl_nl_uint(a); break;
		case NF_RL_A_RULE_RATE:
			r->rate = rl_nl_uint(a);
			r->has_rate = true;
			break;
		case NF_RL_A_RULE_RATE_PERIOD_NS: r->period_ns = rl_nl_uint(a); break;
		case NF_RL_A_RULE_BURST:
			r->burst = rl_nl_uint(a);
			r->has_burst = true;
			break;
		case NF_RL_A_RULE_AGG_PREFIX:
			r->agg = rl_nl_uint(a);
			r->has_agg = true;
			break;
		case NF_RL_A_RULE_ALGO: r->algo = rl_nl_uint(a); break;
		case NF_RL_A_RULE_UNIT: r->unit = rl_nl_uint(a); break;
		case NF_RL_A_RULE_TIMEOUT_MS: r->timeout_ms = rl_nl_uint(a); break;
		case NF_RL_A_RULE_OWNER:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) ||
			    rl_parse_owner(mnl_attr_get_str(a), r->owner))
				return -EINVAL;
			break;
		}
	}
	return r->prefix.family ? 0 : -EINVAL;
}

/* NF_RL_A_ENTRY { ADDR, PREFIX } for a prefix. */
void rl_nl_put_prefix(struct nlmsghdr *nlh, const struct rl_prefix *p)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NF_RL_A_ENTRY);

	mnl_attr_put(nlh, NF_RL_A_ENTRY_ADDR, p->family == AF_INET ? 4 : 16, p->addr);
	mnl_attr_put_u8(nlh, NF_RL_A_ENTRY_PREFIX, p->len);
	mnl_attr_nest_end(nlh, nest);
}

/**
 * rl_nl_error() - tell the user why a request failed
 * @err: what rl_nl_request() returned
 *
 * Return: the exit code for it.
 */
/**
 * rl_nl_message() - the kernel's explanation of the last error
 *
 * Return: its extended ack message, or "" if it gave none.
 */
const char *rl_nl_message(void)
{
	return ext_msg;
}

int rl_nl_error(int err)
{
	if (err == -ENOPKG) {
		fprintf(stderr, "rlctl: the nf_ratelimit module is not loaded (modprobe nf_ratelimit)\n");
	} else if (ext_msg[0]) {
		fprintf(stderr, "rlctl: %s\n", ext_msg);
	} else if (err == -EPERM) {
		fprintf(stderr, "rlctl: %s (changing anything, and reading entries, rules or events, needs CAP_NET_ADMIN)\n",
			strerror(-err));
	} else {
		fprintf(stderr, "rlctl: %s\n", strerror(-err));
	}
	return RLCTL_EXIT_KERNEL;
}

/* An unsigned attribute of any width; 0 if it has none of them. */
uint64_t rl_nl_uint(const struct nlattr *attr)
{
	switch (mnl_attr_get_payload_len(attr)) {
	case 1: return mnl_attr_get_u8(attr);
	case 2: return mnl_attr_get_u16(attr);
	case 4: return mnl_attr_get_u32(attr);
	case 8: return mnl_attr_get_u64(attr);
	default: return 0;
	}
}
