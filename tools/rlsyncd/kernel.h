/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RLSYNCD_KERNEL_H
#define RLSYNCD_KERNEL_H

#include "rlsyncd.h"

/* What one source offered this host, cumulative since its entry was made. */
struct rls_usage {
	struct rls_source src;
	uint64_t offered;		/* passed + dropped, in its rule's unit */
	uint64_t seen_ms;		/* rlsyncd's clock, when last dumped */
};

bool rls_prefix_eq(const struct rl_prefix *a, const struct rl_prefix *b);
int rls_kernel_usage(const struct rls_config *c, uint64_t active_ms,
		     struct rls_usage **v, size_t *n);
int rls_kernel_install(const struct rls_config *c,
		       const struct rl_rule_spec *rules, size_t n);
int rls_kernel_taken(const struct rls_config *c, struct rl_rule_spec **v,
		     size_t *n);

#endif /* RLSYNCD_KERNEL_H */
