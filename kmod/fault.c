// SPDX-License-Identifier: GPL-2.0
/*
 * tapbridge: fault injection for the kernel calls the control path makes.
 *
 * Built only on kernels with CONFIG_FAULT_INJECTION (the debug test
 * kernel; none of Debian's). Allocation failures come from failslab and
 * fail_page_alloc; the calls that fail without allocating (dev_open, the
 * rx_handler hooks, the upper link, promiscuity, register_netdevice and
 * module init's registrations) fail through tapbridge_fault() instead.
 * Its attribute counts towards /proc/thread-self/fail-nth like the
 * allocators' do, so one fail-nth walk reaches every fault point of a
 * request. The attribute is /sys/kernel/debug/fail_tapbridge.
 */

#include <linux/debugfs.h>
#include <linux/fault-inject.h>

#include "tapbridge.h"

/*
 * The attribute: off (probability 0) unless fail-nth or debugfs turns it
 * on. should_fail() keeps its own state; no lock of ours is needed.
 */
static DECLARE_FAULT_ATTR(tapbridge_fail_call);

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
static struct dentry *tapbridge_fault_dir;
#endif

/**
 * tapbridge_should_fail - whether the next fallible call is to fail
 *
 * Context: process context, from tapbridge_fault().
 * Return: true when fail-nth or the attribute's settings say so.
 */
bool tapbridge_should_fail(void)
{
	return should_fail(&tapbridge_fail_call, 1);
}

/**
 * tapbridge_fault_init - create the debugfs attribute
 *
 * Failing to create it is not fatal: debugfs may be off or restricted,
 * and fail-nth works without it. The error pointer left then is one
 * debugfs_remove_recursive() ignores.
 */
void tapbridge_fault_init(void)
{
	tapbridge_fail_call.verbose = 1;
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	tapbridge_fault_dir = fault_create_debugfs_attr("fail_tapbridge", NULL,
							&tapbridge_fail_call);
#endif
}

/** tapbridge_fault_uninit - remove the debugfs attribute */
void tapbridge_fault_uninit(void)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	debugfs_remove_recursive(tapbridge_fault_dir);
	tapbridge_fault_dir = NULL;
#endif
}
