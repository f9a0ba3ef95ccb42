// SPDX-License-Identifier: GPL-2.0
/*
 * rl_nlfuzz: send malformed requests to the nf_ratelimit generic netlink
 * family: random commands, flags and versions, random attribute trees (wrong
 * types, wrong lengths, bogus nesting, lengths that run past the message),
 * and truncated messages.
 *
 *   rl_nlfuzz [-n COUNT] [-s SEED]
 *
 * Replies are drained and counted.  Exits 0 if every message got an answer
 * and the family still answers a well-formed GET_STATS at the end; the
 * tests then check that nothing changed that the caller may not change.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/nf_ratelimit.h>

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)random() % n : 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
			*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

/* Random TLVs into buf[0..room); returns the bytes written. */
static size_t put_attrs(unsigned char *buf, size_t room, int depth)
{
	size_t off = 0;

	while (off + NLA_HDRLEN <= room && rnd(4)) {
		struct nlattr *a = (struct nlattr *)(buf + off);
		size_t len = rnd(24), i;

		if (off + NLA_HDRLEN + NLA_ALIGN(len) > room)
			break;
		a->nla_type = rnd(10);
		if (depth < 3 && !rnd(3)) {
			a->nla_type |= NLA_F_NESTED;
			len = put_attrs(buf + off + NLA_HDRLEN,
					room - off - NLA_HDRLEN, depth + 1);
		} else {
			for (i = 0; i < len; i++)
				buf[off + NLA_HDRLEN + i] = rnd(256);
		}
		a->nla_len = NLA_HDRLEN + len;
		/* Now and then a length that lies. */
		if (!rnd(16))
			a->nla_len = rnd(0x10000);
		off += NLA_HDRLEN + NLA_ALIGN(len);
	}
	return off;
}

/* A random 64-bit value, often at an edge: 0, 1, huge, or a power of ten. */
static uint64_t edgy(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 1000000000ULL, 3600000000000ULL, UINT32_MAX,
		UINT64_MAX / 4, UINT64_MAX / 2, UINT64_MAX,
	};

	if (rnd(2))
		return edges[rnd(sizeof(edges) / sizeof(edges[0]))];
	return ((uint64_t)random() << 33) ^ random();
}

/*
 * Selector attributes: protocols the checks know and do not, port ranges
 * of any length (some reversed, some overlapping), ICMP types, interface
 * names with and without their nul, and the flags in any combination.
 */
static void put_sel(struct nlmsghdr *nlh)
{
	static const unsigned char protos[] = { 0, 1, 6, 17, 58, 136, 47, 255 };
	unsigned char bytes[40];
	size_t i, len;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = rnd(4) ? rnd(256) : 0;
	if (rnd(4))
		mnl_attr_put_u8(nlh, NF_RL_A_RULE_PROTO, protos[rnd(sizeof(protos))]);
	if (rnd(2)) {
		len = rnd(3) ? 4 * (1 + rnd(8)) : rnd(40);
		mnl_attr_put(nlh, NF_RL_A_RULE_DPORTS, len, bytes);
	}
	if (rnd(3) == 0)
		mnl_attr_put(nlh, NF_RL_A_RULE_SYN, 0, NULL);
	if (rnd(3) == 0)
		mnl_attr_put(nlh, NF_RL_A_RULE_ICMP_TYPES, rnd(12), bytes);
	if (rnd(3) == 0) {
		len = rnd(20);
		for (i = 0; i < len; i++)
			bytes[i] = rnd(8) ? (unsigned char)('a' + rnd(26)) :
					    (unsigned char)"/.+:"[rnd(4)];
		if (rnd(4))
			bytes[len] = '\0';
		mnl_attr_put(nlh, NF_RL_A_RULE_IIF, len + 1, bytes);
	}
	if (rnd(3) == 0)
		mnl_attr_put(nlh, NF_RL_A_RULE_PER_PORT, 0, NULL);
}

/* An owner tag: a word, an empty one, one too long, one with spaces. */
static void put_owner(struct nlmsghdr *nlh, int type)
{
	static const char * const owners[] = {
		"cluster", "fuzz", "", "a b", "0123456789abcdef", "x/y", "cluster",
	};
	const char *o = owners[rnd(sizeof(owners) / sizeof(owners[0]))];

	if (rnd(8))
		mnl_attr_put_strz(nlh, type, o);
	else
		mnl_attr_put(nlh, type, strlen(o), o);	/* no nul */
}

/*
 * NF_RL_A_RULE nests that are well formed more often than not, so that the
 * rule checks behind the policy (host bits, prefix and aggregation lengths,
 * rate and burst overflow) see hostile values, not only the policy.
 */
static void put_rules(struct nlmsghdr *nlh)
{
	int n = 1 + rnd(4);

	while (n--) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, NF_RL_A_RULE);
		int len = rnd(2) ? 4 : 16, plen = rnd(8 * len + 12);
		unsigned char addr[16];
		size_t i;

		for (i = 0; i < sizeof(addr); i++)
			addr[i] = rnd(256);
		/* Mostly no bits past the prefix, as a valid rule has. */
		if (rnd(4))
			for (i = plen; i < 8 * sizeof(addr); i++)
				addr[i / 8] &= ~(0x80 >> (i % 8));
		mnl_attr_put(nlh, NF_RL_A_RULE_ADDR, len, addr);
		mnl_attr_put_u8(nlh, NF_RL_A_RULE_PREFIX, plen);
		if (rnd(2))
			mnl_attr_put_u32(nlh, NF_RL_A_RULE_ACTION, rnd(5));
		if (rnd(4))
			mnl_attr_put_u64(nlh, NF_RL_A_RULE_RATE, edgy());
		if (rnd(2))
			mnl_attr_put_u64(nlh, NF_RL_A_RULE_RATE_PERIOD_NS, edgy());
		if (rnd(2))
			mnl_attr_put_u64(nlh, NF_RL_A_RULE_BURST, edgy());
		if (rnd(2))
			mnl_attr_put_u8(nlh, NF_RL_A_RULE_AGG_PREFIX, rnd(140));
		if (rnd(2))
			mnl_attr_put_u32(nlh, NF_RL_A_RULE_ALGO, rnd(4));
		if (rnd(2))
			mnl_attr_put_u32(nlh, NF_RL_A_RULE_UNIT, rnd(3));
		if (rnd(2))
			put_sel(nlh);
		/* Timed rules: timeouts at and past their edges. */
		if (rnd(3) == 0)
			mnl_attr_put_u64(nlh, NF_RL_A_RULE_TIMEOUT_MS,
					 rnd(2) ? 1 + rnd(5000) : edgy());
		if (rnd(3) == 0)
			put_owner(nlh, NF_RL_A_RULE_OWNER);
		mnl_attr_nest_end(nlh, nest);
	}
	/* Whose rules a set replaces. */
	if (rnd(4) == 0)
		put_owner(nlh, NF_RL_A_OWNER);
}

/*
 * Entry dump filters: a prefix, an idle bound, a rule with or without a
 * selector, each well formed more often than not.
 */
static void put_entry_filter(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NF_RL_A_ENTRY);
	unsigned char addr[16] = { 0 };
	int len = rnd(2) ? 4 : 16;

	if (rnd(2)) {
		mnl_attr_put(nlh, NF_RL_A_ENTRY_ADDR, len, addr);
		mnl_attr_put_u8(nlh, NF_RL_A_ENTRY_PREFIX, rnd(140));
	}
	if (rnd(2))
		mnl_attr_put_u64(nlh, NF_RL_A_ENTRY_IDLE_MS, edgy());
	if (rnd(2)) {
		if (rnd(4))
			mnl_attr_put(nlh, NF_RL_A_ENTRY_RULE_ADDR, len, addr);
		if (rnd(4))
			mnl_attr_put_u8(nlh, NF_RL_A_ENTRY_RULE_PREFIX, rnd(140));
		if (rnd(2)) {
			struct nlattr *sel = mnl_attr_nest_start(nlh, NF_RL_A_ENTRY_RULE_SEL);

			put_sel(nlh);
			mnl_attr_nest_end(nlh, sel);
		}
	}
	mnl_attr_nest_end(nlh, nest);
}

int main(int argc, char **argv)
{
	unsigned long count = 10000, i, answered = 0, errors = 0;
	char buf[MNL_SOCKET_BUFFER_SIZE], rbuf[65536];
	unsigned int seed = 1, portid;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct timeval tmo = { .tv_sec = 2 };
	uint16_t id = 0;
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		switch (opt) {
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: rl_nlfuzz [-n COUNT] [-s SEED]\n");
			return 2;
		}
	}
	srandom(seed);

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 1;
	}
	portid = mnl_socket_get_portid(nl);
	/* A message the kernel drops unanswered must not hang the test. */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NF_RL_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
	    (ret = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf))) <= 0 ||
	    mnl_cb_run(rbuf, ret, 0, portid, family_cb, &id) < 0 || !id) {
		fprintf(stderr, "rl_nlfuzz: no %s family\n", NF_RL_GENL_NAME);
		return 1;
	}

	for (i = 0; i < count; i++) {
		size_t len;

		memset(buf, 0, sizeof(buf));
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = id;
		/* Always an ack, so that every message gets exactly one answer. */
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
				   (rnd(4) ? 0 : NLM_F_DUMP);
		nlh->nlmsg_seq = i + 1;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = rnd(4) ? 1 + rnd(NF_RL_CMD_MAX) : rnd(256);
		g->version = rnd(8) ? NF_RL_GENL_VERSION : rnd(256);
		g->reserved = rnd(8) ? 0 : rnd(65536);
		if (!rnd(3)) {
			put_rules(nlh);
		} else if (!rnd(6)) {
			put_entry_filter(nlh);
		} else {
			len = put_attrs((unsigned char *)buf + nlh->nlmsg_len,
					512, 0);
			nlh->nlmsg_len += len;
		}
		/* Now and then cut the message short. */
		if (!rnd(16) && nlh->nlmsg_len > NLMSG_HDRLEN)
			nlh->nlmsg_len -= rnd(nlh->nlmsg_len - NLMSG_HDRLEN);

		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
			errors++;
			continue;
		}
		/* Read until the ack or error for this sequence number. */
		for (;;) {
			struct nlmsghdr *r;
			int done = 0;

			ret = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
			if (ret <= 0) {
				fprintf(stderr, "rl_nlfuzz: message %lu (seed %u) got no answer\n",
					i + 1, seed);
				break;
			}
			for (r = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(r, ret);
			     r = mnl_nlmsg_next(r, &ret)) {
				if (r->nlmsg_seq != i + 1)
					continue;
				if (r->nlmsg_type == NLMSG_ERROR) {
					const struct nlmsgerr *e = mnl_nlmsg_get_payload(r);

					if (e->error)
						errors++;
					done = 1;
				} else if (r->nlmsg_type == NLMSG_DONE) {
					done = 1;
				}
			}
			if (done) {
				answered++;
				break;
			}
		}
	}

	/* The family must still answer properly. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 0x7fffffff;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = NF_RL_CMD_GET_STATS;
	g->version = NF_RL_GENL_VERSION;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
	    (ret = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf))) <= 0 ||
	    ((struct nlmsghdr *)rbuf)->nlmsg_type != id) {
		fprintf(stderr, "rl_nlfuzz: GET_STATS no longer answered\n");
		return 1;
	}
	printf("sent %lu, answered %lu, refused %lu\n", count, answered, errors);
	mnl_socket_close(nl);
	return answered == count ? 0 : 1;
}
