/* SPDX-License-Identifier: GPL-2.0 */
/* procfs.c: /proc/net/nf_ratelimit of a namespace. */
#ifndef _NF_RL_PROCFS_H
#define _NF_RL_PROCFS_H

struct net;
struct rl_net;

int rl_procfs_init(struct net *net, struct rl_net *rn);
void rl_procfs_exit(struct net *net);

#endif /* _NF_RL_PROCFS_H */
