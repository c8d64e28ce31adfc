// SPDX-License-Identifier: GPL-2.0
/*
 * The capture device: with capture on, the instance device hands every
 * frame of both directions to the packet sockets on it (tcpdump -i tap0),
 * as a sensor on the same host wants to see them, and to nothing else.
 *
 * The copy of a frame is received on the instance device with
 * netif_receive_skb(): __netif_receive_skb_core() gives it to the taps
 * (ptype_all: packet sockets) first, and then to the instance device's
 * rx_handler, tapbridge_capture_rx(), which consumes it, so no protocol
 * of the host ever sees it. An a->b copy is PACKET_HOST, a b->a copy
 * PACKET_OUTGOING: libpcap's direction filter tells them apart (-Q in,
 * -Q out). dev_queue_xmit_nit() would give PACKET_OUTGOING too, but it
 * stamps its clone with the time of the call; received, a copy keeps the
 * time its frame arrived on its port.
 *
 * Nothing is cloned while no packet socket listens (dev_nit_active()),
 * and the copy is delivered after the frame went out the egress port, so
 * the wire path waits for no socket.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>

#include "tapbridge.h"

/*
 * Frames received on the instance device: only capture copies, which the
 * taps have had. Called under rcu_read_lock in softirq context.
 */
static rx_handler_result_t tapbridge_capture_rx(struct sk_buff **pskb)
{
	consume_skb(*pskb);
	return RX_HANDLER_CONSUMED;
}

/**
 * tapbridge_capture_init - make the instance device a dead end for frames
 * @tbr: the instance, registered
 *
 * The handler stays for the instance's life, so that no capture copy in
 * flight when capture is turned off can reach the host's stack.
 *
 * Context: RTNL, from tapbridge_instance_create().
 * Return: 0 or a negative errno.
 */
int tapbridge_capture_init(struct tapbridge *tbr)
{
	ASSERT_RTNL();
	return tapbridge_fault(-EBUSY) ?:
	       netdev_rx_handler_register(tbr->dev, tapbridge_capture_rx, tbr);
}

/**
 * tapbridge_capture_uninit - undo tapbridge_capture_init()
 * @tbr: the instance, being unregistered; its ports are released already
 *
 * Context: RTNL, from ndo_uninit.
 */
void tapbridge_capture_uninit(struct tapbridge *tbr)
{
	ASSERT_RTNL();
	if (rcu_access_pointer(tbr->dev->rx_handler) == tapbridge_capture_rx)
		netdev_rx_handler_unregister(tbr->dev);
}

/**
 * tapbridge_capture_check - whether capture can be turned on
 * @tbr: the instance
 * @extack: where a refusal is reported
 *
 * An upper device of the instance device (a VLAN device) would take
 * tagged copies before the rx_handler does, into the host's stack.
 *
 * Context: RTNL.
 * Return: 0, or -EBUSY with @extack set.
 */
int tapbridge_capture_check(const struct tapbridge *tbr,
			    struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	if (netdev_has_any_upper_dev(tbr->dev)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s has an upper device: capture copies would reach it",
				   tbr->dev->name);
		return -EBUSY;
	}
	return 0;
}

/**
 * tapbridge_capture_clone - the capture copy of a frame, if one is wanted
 * @tbr: the instance
 * @skb: the frame, Ethernet header pushed
 *
 * Context: softirq, under rcu_read_lock (the port's rx_handler).
 * Return: a clone, or NULL when capture is off or no packet socket
 *	listens (or no memory: counted as an rx drop of the instance).
 */
struct sk_buff *tapbridge_capture_clone(struct tapbridge *tbr,
					struct sk_buff *skb)
{
	struct sk_buff *copy;

	if (!READ_ONCE(tbr->capture) || !dev_nit_active(tbr->dev))
		return NULL;
	copy = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!copy))
		dev_core_stats_rx_dropped_inc(tbr->dev);
	return copy;
}

/**
 * tapbridge_capture_deliver - receive a capture copy on the instance device
 * @tbr: the instance
 * @copy: from tapbridge_capture_clone(), its data at the Ethernet header
 * @dir: the direction of its frame
 * @mac_len: bytes from the Ethernet header to where the port's receive
 *	path left the data (ETH_HLEN, and tags in the data)
 * @rx_time: when the frame arrived on its port (real-time clock)
 *
 * Only the copy's own sk_buff changes: its data is the frame's, shared
 * and never written (a receive path that untags a VLAN header unshares
 * it first).
 *
 * Context: softirq, under rcu_read_lock (the port's rx_handler).
 */
void tapbridge_capture_deliver(struct tapbridge *tbr, struct sk_buff *copy,
			       enum tapbridge_dir dir, unsigned int mac_len,
			       ktime_t rx_time)
{
	skb_pull_rcsum(copy, mac_len);
	copy->dev = tbr->dev;
	copy->pkt_type = dir == TAPBRIDGE_DIR_AB ? PACKET_HOST :
						    PACKET_OUTGOING;
	skb_set_delivery_time(copy, rx_time, SKB_CLOCK_REALTIME);
	netif_receive_skb(copy);
}
