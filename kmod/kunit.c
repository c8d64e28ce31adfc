// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit module: the suites of config_test.c and mirror_test.c, run when
 * tapbridge_kunit.ko is loaded (after tapbridge.ko, whose functions they
 * call through EXPORT_SYMBOL_IF_KUNIT).
 */

#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of tapbridge");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
