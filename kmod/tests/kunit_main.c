// SPDX-License-Identifier: GPL-2.0
/*
 * nf_ratelimit_kunit: the KUnit suites of nf_ratelimit, built as a module of
 * their own that reaches the functions under test through
 * EXPORT_SYMBOL_IF_KUNIT.  Each suite registers itself in its own file.
 */

#include <linux/module.h>

#include "../compat.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for nf_ratelimit");
