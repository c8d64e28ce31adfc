/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Before Linux 6.15 no driver's ops run under the netdev instance lock:
 * RTNL alone covers them, and there is no ops lock to take.
 */
#ifndef _TAPBRIDGE_COMPAT_NET_NETDEV_LOCK_H
#define _TAPBRIDGE_COMPAT_NET_NETDEV_LOCK_H

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

static inline void netdev_lock_ops(struct net_device *dev)
{
	ASSERT_RTNL();
}

static inline void netdev_unlock_ops(struct net_device *dev)
{
}

#endif /* _TAPBRIDGE_COMPAT_NET_NETDEV_LOCK_H */
