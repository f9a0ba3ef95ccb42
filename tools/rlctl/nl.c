// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink side of rlctl, on libmnl: resolve the nf_ratelimit family, send
 * one request, run a callback per reply message, and turn the kernel's
 * extended ack into the message the user sees.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    !mnl_attr_validate(attr, MNL_TYPE_U16))
			*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

/* Keeps the extack message of an error reply, then lets libmnl report it. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);
	struct nlattr *attr;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return MNL_CB_ERROR;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
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

/* Sends @nlh and runs @cb on every reply until the ack or the dump's end. */
static int transact(struct mnl_socket *nl, struct nlmsghdr *nlh,
		    rl_nl_cb cb, void *data)
{
	char buf[MNL_SOCKET_DUMP_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			return ret < 0 ? -errno : -EIO;
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

static int resolve_family(struct mnl_socket *nl, uint16_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = genl_put(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NF_RL_GENL_NAME);
	*id = 0;
	err = transact(nl, nlh, family_cb, id);
	if (err == -ENOENT || (!err && !*id))
		return -ENOPKG;
	return err;
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
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint16_t id;
	int one = 1, err;

	ext_msg[0] = '\0';
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto close;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	err = resolve_family(nl, &id);
	if (err)
		goto close;

	nlh = genl_put(buf, id, cmd, flags, NF_RL_GENL_VERSION);
	if (put)
		put(nlh, arg);
	err = transact(nl, nlh, cb, data);
close:
	mnl_socket_close(nl);
	return err;
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
int rl_nl_error(int err)
{
	if (err == -ENOPKG) {
		fprintf(stderr, "rlctl: the nf_ratelimit module is not loaded (modprobe nf_ratelimit)\n");
	} else if (ext_msg[0]) {
		fprintf(stderr, "rlctl: %s\n", ext_msg);
	} else if (err == -EPERM) {
		fprintf(stderr, "rlctl: %s (changing settings needs CAP_NET_ADMIN)\n",
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
