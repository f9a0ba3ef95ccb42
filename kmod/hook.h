/* SPDX-License-Identifier: GPL-2.0 */
/* hook.c: the netfilter hooks of a namespace. */
#ifndef _NF_RL_HOOK_H
#define _NF_RL_HOOK_H

struct net;
struct rl_net;

int rl_hook_register(struct net *net, struct rl_net *rn);
void rl_hook_unregister(struct net *net, struct rl_net *rn);

#endif /* _NF_RL_HOOK_H */
