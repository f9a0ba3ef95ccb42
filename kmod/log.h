/* SPDX-License-Identifier: GPL-2.0 */
/* log.c: events in the kernel log. */
#ifndef _NF_RL_LOG_H
#define _NF_RL_LOG_H

struct rl_event;
struct rl_net;

void rl_log_event(const struct rl_net *rn, const struct rl_event *ev);

#endif /* _NF_RL_LOG_H */
