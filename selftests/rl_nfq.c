// SPDX-License-Identifier: GPL-2.0
/*
 * rl_nfq: accept every packet of one NFQUEUE queue, from userspace.
 *
 *   rl_nfq [-q QUEUE] [-f READYFILE]
 *
 * Each verdict reinjects its packet into the netfilter hooks after the one
 * that queued it (nf_reinject()), in this process's context, inside its
 * sendmsg(), with bottom halves enabled: the context selftests/nfqueue.sh
 * runs the module's hook in.  The ready file is written, with the pid, once
 * the queue is bound.  Runs until SIGTERM or SIGINT, then prints
 * "verdicts N".
 */

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

static volatile sig_atomic_t stop;
static unsigned long long verdicts;

static void on_signal(int sig)
{
	stop = 1;
}

static struct nlmsghdr *put_header(char *buf, int type, unsigned int queue)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(queue);
	return nlh;
}

/* Sends a configuration message and waits for its acknowledgment. */
static int configure(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = time(NULL);
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0)
		return -1;
	return mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl), NULL, NULL) < 0 ? -1 : 0;
}

static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mnl_socket *nl = data;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nfqnl_msg_verdict_hdr vh;
	struct nfqnl_msg_packet_hdr *ph = NULL;
	struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct nlmsghdr *reply;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(*nfg))
		if (mnl_attr_get_type(a) == NFQA_PACKET_HDR &&
		    mnl_attr_get_payload_len(a) >= sizeof(*ph))
			ph = mnl_attr_get_payload(a);
	if (!ph)
		return MNL_CB_OK;
	reply = put_header(buf, NFQNL_MSG_VERDICT, ntohs(nfg->res_id));
	vh.verdict = htonl(NF_ACCEPT);
	vh.id = ph->packet_id;
	mnl_attr_put(reply, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	if (mnl_socket_sendto(nl, reply, reply->nlmsg_len) < 0) {
		perror("rl_nfq: verdict");
		return MNL_CB_ERROR;
	}
	verdicts++;
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	struct nfqnl_msg_config_params params = {
		.copy_range = htonl(0),
		.copy_mode = NFQNL_COPY_META,
	};
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sigaction sa = { .sa_handler = on_signal };
	const char *ready = NULL;
	unsigned int queue = 0;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int opt, one = 1, ret;

	while ((opt = getopt(argc, argv, "q:f:")) != -1) {
		switch (opt) {
		case 'q': queue = strtoul(optarg, NULL, 0); break;
		case 'f': ready = optarg; break;
		default:
			fprintf(stderr, "usage: rl_nfq [-q QUEUE] [-f READYFILE]\n");
			return 2;
		}
	}
	/* No SA_RESTART: a signal ends the blocking receive. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("rl_nfq: netlink socket");
		return 1;
	}
	/* Under a flood the socket overruns: lost packets, not an error. */
	mnl_socket_setsockopt(nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));

	nlh = put_header(buf, NFQNL_MSG_CONFIG, queue);
	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	if (configure(nl, nlh)) {
		perror("rl_nfq: binding the queue");
		return 1;
	}
	nlh = put_header(buf, NFQNL_MSG_CONFIG, queue);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	if (configure(nl, nlh)) {
		perror("rl_nfq: setting the copy mode");
		return 1;
	}

	if (ready) {
		FILE *f = fopen(ready, "w");

		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
			perror("rl_nfq: ready file");
			return 1;
		}
	}
	while (!stop) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("rl_nfq: receive");
			return 1;
		}
		if (mnl_cb_run(buf, ret, 0, 0, packet_cb, nl) < 0)
			return 1;
	}
	printf("verdicts %llu\n", verdicts);
	mnl_socket_close(nl);
	return 0;
}
