/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API tapbridge is written against (the newest), provided on
 * the older kernels it builds on: Linux 6.1 (Debian 12) to the newest
 * Debian ships. Kbuild force-includes this header in every file and
 * defines a TAPBRIDGE_HAVE_* macro for each feature its probes find in the
 * headers of the kernel being built against; the rest of kmod/ uses the
 * newest API only.
 *
 * Headers a kernel lacks altogether (net/gso.h before 6.5,
 * net/netdev_lock.h before 6.15) come from compat/include/, which is
 * searched after the kernel's own directories.
 */
#ifndef _TAPBRIDGE_COMPAT_H
#define _TAPBRIDGE_COMPAT_H

#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

/*
 * Linux 6.7 made joining a multicast group check the group's
 * GENL_MCAST_CAP_* flags; stable kernels got it too (Debian 12's 6.1 has
 * it). Without it genetlink has no hook in which a family could check who
 * subscribes, and any user could read tapbridge's events: refuse to build.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "tapbridge needs GENL_MCAST_CAP_NET_ADMIN (Linux 6.7 and its stable updates)"
#endif

/* netlink-gen.c defines it, and netlink-gen.h declares it too. */
extern struct genl_family tapbridge_nl_family;

/* 6.2: extack messages formatted into the extack itself. */
#ifndef TAPBRIDGE_HAVE_NL_SET_ERR_MSG_FMT
__printf(2, 3)
void tapbridge_compat_set_err_msg_fmt(struct netlink_ext_ack *extack,
				      const char *fmt, ...);
#define NL_SET_ERR_MSG_FMT(extack, fmt, args...) \
	tapbridge_compat_set_err_msg_fmt(extack, fmt, ##args)
#define GENL_SET_ERR_MSG_FMT(info, fmt, args...) \
	NL_SET_ERR_MSG_FMT((info)->extack, fmt, ##args)
#endif

/*
 * 6.2: split genetlink ops. Without them compat_genl.c builds the family
 * from the generated split ops table and registers it with legacy ops.
 */
#ifndef TAPBRIDGE_HAVE_GENL_SPLIT_OPS
int tapbridge_compat_genl_register_family(struct genl_family *family);
#define genl_register_family(family) \
	tapbridge_compat_genl_register_family(family)
#endif

/*
 * 6.6: genlmsg_iput() starts a reply to a request. genl_info has no
 * family before 6.6; tapbridge has one family, and this is its reply.
 */
#ifndef TAPBRIDGE_HAVE_GENLMSG_IPUT
static inline void *genlmsg_iput(struct sk_buff *skb,
				 const struct genl_info *info)
{
	return genlmsg_put(skb, info->snd_portid, info->snd_seq,
			   &tapbridge_nl_family, 0, info->genlhdr->cmd);
}
#endif

/*
 * 6.6: for_each_netdev_dump() walks a netns in ifindex order, from the
 * ifindex a dump stopped at. Before the ifindex xarray (6.6), pick the
 * device with the next ifindex from the device list: quadratic, and
 * fine for the few devices a host has. Context: RTNL.
 */
#ifndef TAPBRIDGE_HAVE_FOR_EACH_NETDEV_DUMP
static inline struct net_device *
tapbridge_compat_netdev_from(struct net *net, unsigned long *ifindex)
{
	struct net_device *dev, *next = NULL;

	ASSERT_RTNL();
	for_each_netdev(net, dev) {
		if (dev->ifindex < *ifindex)
			continue;
		if (!next || dev->ifindex < next->ifindex)
			next = dev;
	}
	if (next)
		*ifindex = next->ifindex;
	return next;
}

#define for_each_netdev_dump(net, d, ifindex)				\
	for (unsigned long *__ifindex = &(ifindex);			\
	     ((d) = tapbridge_compat_netdev_from(net, __ifindex));	\
	     (*__ifindex)++)
#endif

/*
 * 6.6: genl_info_dump() gives a dump the genl_info of its request. Before
 * it a dump has only the attributes (genl_dumpit_info): fill a genl_info
 * from the callback, in storage of the caller's block, a compound literal
 * that lives as long as the dumpit call.
 */
#ifndef TAPBRIDGE_HAVE_GENL_INFO_DUMP
static inline const struct genl_info *
tapbridge_compat_genl_info_dump(struct netlink_callback *cb,
				struct genl_info *info)
{
	info->snd_seq = cb->nlh->nlmsg_seq;
	info->snd_portid = NETLINK_CB(cb->skb).portid;
	info->nlhdr = (struct nlmsghdr *)cb->nlh;
	info->genlhdr = nlmsg_data(cb->nlh);
	info->userhdr = (u8 *)info->genlhdr + GENL_HDRLEN;
	info->attrs = genl_dumpit_info(cb)->attrs;
	write_pnet(&info->_net, sock_net(cb->skb->sk));
	info->extack = cb->extack;
	return info;
}

#define genl_info_dump(cb) \
	tapbridge_compat_genl_info_dump(cb, &(struct genl_info){})
#endif

/* 6.6: genl_info_net() takes a const genl_info. */
#ifndef TAPBRIDGE_HAVE_GENL_INFO_NET_CONST
static inline struct net *
tapbridge_compat_genl_info_net(const struct genl_info *info)
{
	return read_pnet(&info->_net);
}

#define genl_info_net(info) tapbridge_compat_genl_info_net(info)
#endif

/*
 * 6.2: IFF_NO_ADDRCONF in priv_flags keeps the host's IPv6 from
 * configuring a device that comes up. Before it addrconf skipped devices
 * with IFF_SLAVE in their flags, which bonding set on its slaves for the
 * same reason: do as bonding did (ip link shows the port as SLAVE).
 */
static inline bool tapbridge_compat_no_addrconf(const struct net_device *dev)
{
#ifdef TAPBRIDGE_HAVE_IFF_NO_ADDRCONF
	return dev->priv_flags & IFF_NO_ADDRCONF;
#else
	return dev->flags & IFF_SLAVE;
#endif
}

static inline void tapbridge_compat_set_no_addrconf(struct net_device *dev,
						    bool on)
{
#ifdef TAPBRIDGE_HAVE_IFF_NO_ADDRCONF
	if (on)
		dev->priv_flags |= IFF_NO_ADDRCONF;
	else
		dev->priv_flags &= ~IFF_NO_ADDRCONF;
#else
	if (on)
		dev->flags |= IFF_SLAVE;
	else
		dev->flags &= ~IFF_SLAVE;
#endif
}

/* 6.12: NETIF_F_LLTX became dev->lltx. Call after setting dev->features. */
static inline void tapbridge_compat_set_lltx(struct net_device *dev)
{
#ifdef TAPBRIDGE_HAVE_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/*
 * 6.12: NETIF_F_NETNS_LOCAL became dev->netns_local, renamed
 * netns_immutable during 6.12.y (Debian: after 6.12.111). Call after
 * setting dev->features.
 */
static inline void tapbridge_compat_set_netns_immutable(struct net_device *dev)
{
#if defined(TAPBRIDGE_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(TAPBRIDGE_HAVE_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/*
 * 6.11: skb->tstamp_type (enum skb_tstamp_type) replaced the bit
 * skb->mono_delivery_time; skb_set_delivery_time() takes the one or the
 * other. A real-time stamp is 0 in both.
 */
#ifndef TAPBRIDGE_HAVE_SKB_TSTAMP_TYPE
#define SKB_CLOCK_REALTIME false
#endif

/* 6.13: MODULE_IMPORT_NS() takes a string literal. */
#ifndef TAPBRIDGE_HAVE_MODULE_IMPORT_NS_STRING
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, ns)
#endif

#endif /* _TAPBRIDGE_COMPAT_H */
