/* SPDX-License-Identifier: GPL-2.0 */
/* hook.c: the netfilter hooks of a namespace. */
#ifndef _NF_RL_HOOK_H
#define _NF_RL_HOOK_H

#include <uapi/linux/nf_ratelimit.h>

struct net;
struct rl_net;

const char *rl_hook_name(enum nf_rl_hook hook);
int rl_hook_lookup(const char *name);

int rl_hook_register(struct net *net, struct rl_net *rn);
void rl_hook_unregister(struct net *net, struct rl_net *rn);

#endif /* _NF_RL_HOOK_H */
