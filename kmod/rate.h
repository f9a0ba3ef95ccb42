/* SPDX-License-Identifier: GPL-2.0 */
/* rate.c: the rate syntax, as nft writes it. */
#ifndef _NF_RL_RATE_H
#define _NF_RL_RATE_H

#include <linux/types.h>
#include <uapi/linux/nf_ratelimit.h>

int rl_rate_parse(const char *s, u64 *n, u64 *period_ns, enum nf_rl_unit *unit);
const char *rl_rate_period_name(u64 period_ns);
int rl_rate_format(char *buf, size_t len, u64 n, u64 period_ns,
		   enum nf_rl_unit unit);

#endif /* _NF_RL_RATE_H */
