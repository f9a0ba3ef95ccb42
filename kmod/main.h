/* SPDX-License-Identifier: GPL-2.0 */
/* main.c: the module parameters; what KUnit tests of them. */
#ifndef _NF_RL_MAIN_H
#define _NF_RL_MAIN_H

#include "nf_ratelimit.h"

struct rl_ruleset *rl_main_default_rules(const struct rl_config *cfg);

#endif /* _NF_RL_MAIN_H */
