/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the 6.12 kernels tapbridge builds against. Kbuild
 * probes the kernel's headers and defines the TAPBRIDGE_HAVE_* macros.
 */
#ifndef _TAPBRIDGE_COMPAT_H
#define _TAPBRIDGE_COMPAT_H

#include <linux/netdevice.h>

/* netns_local became netns_immutable during 6.12.y (Debian: after .111). */
static inline void tapbridge_compat_set_netns_immutable(struct net_device *dev)
{
#ifdef TAPBRIDGE_HAVE_NETNS_IMMUTABLE
	dev->netns_immutable = true;
#else
	dev->netns_local = true;
#endif
}

#endif /* _TAPBRIDGE_COMPAT_H */
