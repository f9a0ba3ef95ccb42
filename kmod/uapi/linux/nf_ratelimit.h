/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nf_ratelimit: values shared by the kernel module and its userspace tools.
 */
#ifndef _UAPI_LINUX_NF_RATELIMIT_H
#define _UAPI_LINUX_NF_RATELIMIT_H

/* What happens to a packet from a new source when the table is full. */
enum nf_rl_full_policy {
	NF_RL_FULL_SHARED,	/* charge it to one bucket shared by all such */
	NF_RL_FULL_DROP,	/* drop it */
	NF_RL_FULL_ACCEPT,	/* pass it unmetered */
	__NF_RL_FULL_MAX
};

/* Where the hooks sit. */
enum nf_rl_hook {
	NF_RL_HOOK_PREROUTING,	/* NF_INET_PRE_ROUTING: before routing and conntrack */
	NF_RL_HOOK_INPUT,	/* NF_INET_LOCAL_IN: only traffic for this host */
	__NF_RL_HOOK_MAX
};

#endif /* _UAPI_LINUX_NF_RATELIMIT_H */
