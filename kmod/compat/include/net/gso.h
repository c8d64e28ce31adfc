/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Before Linux 6.5 the GSO helpers were declared in linux/netdevice.h and
 * linux/skbuff.h; this header stands in for net/gso.h there.
 */
#ifndef _TAPBRIDGE_COMPAT_NET_GSO_H
#define _TAPBRIDGE_COMPAT_NET_GSO_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

#endif /* _TAPBRIDGE_COMPAT_NET_GSO_H */
