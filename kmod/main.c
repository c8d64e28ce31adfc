// SPDX-License-Identifier: GPL-2.0
/*
 * tapbridge: a software network TAP. Module init and exit only: register,
 * then unwind in reverse.
 */

#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "tapbridge.h"

static int __init tapbridge_init(void)
{
	int err;

	tapbridge_fault_init();

	err = tapbridge_device_init();
	if (err)
		goto err_fault_uninit;

	err = tapbridge_netlink_init();
	if (err)
		goto err_device_uninit;

	pr_info("tapbridge: software network TAP loaded\n");
	return 0;

err_device_uninit:
	tapbridge_device_uninit();
err_fault_uninit:
	tapbridge_fault_uninit();
	return err;
}

static void __exit tapbridge_exit(void)
{
	/*
	 * Not the reverse of init: the instances go first, while the family
	 * can still tell the events group that they are deleted. Creating
	 * is refused from the moment this starts (tapbridge_device_closing),
	 * so none can appear behind it.
	 */
	tapbridge_device_uninit();
	tapbridge_netlink_uninit();
	tapbridge_fault_uninit();
}

module_init(tapbridge_init);
module_exit(tapbridge_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Software network TAP: forward between two ports, mirror both directions");
MODULE_AUTHOR("The tapbridge developers");
MODULE_VERSION(TAPBRIDGE_VERSION);
MODULE_ALIAS_RTNL_LINK("tapbridge");
MODULE_ALIAS_GENL_FAMILY(TAPBRIDGE_FAMILY_NAME);
