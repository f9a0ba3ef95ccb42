/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels nf_ratelimit supports (6.1 and
 * 6.12) live here and nowhere else.
 */
#ifndef _NF_RL_COMPAT_H
#define _NF_RL_COMPAT_H

#include <linux/export.h>
#include <linux/version.h>
#include <net/genetlink.h>

/*
 * <kunit/visibility.h> arrived in 6.2; until then, provide the same way of
 * letting the separate KUnit module reach internal functions without
 * exporting them from production builds.
 */
#if defined(NF_RL_BENCH)
/* make bench's build: the same exports, for nf_ratelimit_bench.ko. */
#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(symbol) \
	EXPORT_SYMBOL_NS(symbol, EXPORTED_FOR_KUNIT_TESTING)
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#include <kunit/visibility.h>
#elif IS_ENABLED(CONFIG_KUNIT)
#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(symbol) \
	EXPORT_SYMBOL_NS(symbol, EXPORTED_FOR_KUNIT_TESTING)
#else
#define VISIBLE_IF_KUNIT static
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#endif

/* Since 6.2 a dump's parsed attributes sit in a struct genl_info. */
static inline struct nlattr **rl_compat_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _NF_RL_COMPAT_H */
