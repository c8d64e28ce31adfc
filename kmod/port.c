// SPDX-License-Identifier: GPL-2.0
/*
 * Ports: enslaving and releasing them, and the datapath that forwards each
 * frame received on one port out the other.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>

#include "tapbridge.h"

static rx_handler_result_t tapbridge_handle_frame(struct sk_buff **pskb);

/**
 * tapbridge_is_port - whether a device is enslaved to some instance
 * @dev: the device
 *
 * Context: RTNL, or rcu_read_lock.
 * Return: true when @dev's rx_handler is tapbridge's.
 */
bool tapbridge_is_port(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == tapbridge_handle_frame;
}

/**
 * tapbridge_port_get_rtnl - the port struct of an enslaved device
 * @dev: the device
 *
 * Context: RTNL.
 * Return: the port, or NULL when @dev is not a tapbridge port.
 */
struct tapbridge_port *tapbridge_port_get_rtnl(const struct net_device *dev)
{
	ASSERT_RTNL();
	if (!tapbridge_is_port(dev))
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

static void tapbridge_port_restore_lro(struct tapbridge_port *port)
{
	if (!port->had_lro)
		return;
	port->dev->wanted_features |= NETIF_F_LRO;
	netdev_update_features(port->dev);
}

/**
 * tapbridge_port_add - enslave a device as port A or B of an instance
 * @tbr: the instance
 * @dev: the device, already checked by tapbridge_resolve_port()
 * @dir: TAPBRIDGE_PORT_A or TAPBRIDGE_PORT_B
 * @extack: where a refusal is reported
 *
 * Brings the port up, disables LRO (the frames forwarded and mirrored must
 * be the wire's frames), hooks the rx_handler, links the instance as the
 * port's master and makes the port promiscuous. Every step is undone in
 * reverse when a later one fails, and by tapbridge_port_del().
 *
 * Context: RTNL.
 * Return: 0 or a negative errno, with @extack set.
 */
int tapbridge_port_add(struct tapbridge *tbr, struct net_device *dev,
		       enum tapbridge_dir dir, struct netlink_ext_ack *extack)
{
	struct tapbridge_port *port;
	int err;

	ASSERT_RTNL();

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	port->dev = dev;
	port->tbr = tbr;
	port->dir = dir;
	port->had_lro = !!(dev->wanted_features & NETIF_F_LRO);
	netdev_hold(dev, &port->dev_tracker, GFP_KERNEL);

	if (!(dev->flags & IFF_UP)) {
		err = dev_open(dev, extack);
		if (err) {
			NL_SET_ERR_MSG_FMT(extack, "%s: cannot bring the port up",
					   dev->name);
			goto err_put_dev;
		}
		port->opened = true;
	}

	dev_disable_lro(dev);

	err = netdev_rx_handler_register(dev, tapbridge_handle_frame, port);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s already has an rx handler (bridge, bond, macvlan or similar)",
				   dev->name);
		goto err_restore_lro;
	}

	err = netdev_master_upper_dev_link(dev, tbr->dev, NULL, NULL, extack);
	if (err) {
		if (!extack || !extack->_msg)
			NL_SET_ERR_MSG_FMT(extack,
					   "%s cannot be linked below %s",
					   dev->name, tbr->dev->name);
		goto err_unregister_handler;
	}

	err = dev_set_promiscuity(dev, 1);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack, "%s cannot be made promiscuous",
				   dev->name);
		goto err_unlink_upper;
	}

	rcu_assign_pointer(tbr->port[dir], port);
	return 0;

err_unlink_upper:
	netdev_upper_dev_unlink(dev, tbr->dev);
err_unregister_handler:
	netdev_rx_handler_unregister(dev);
err_restore_lro:
	tapbridge_port_restore_lro(port);
	if (port->opened)
		dev_close(dev);
err_put_dev:
	netdev_put(dev, &port->dev_tracker);
	kfree(port);
	return err;
}

/**
 * tapbridge_port_del - release a port, undoing tapbridge_port_add()
 * @port: the port
 *
 * The device works as a plain interface again afterwards: no master, no
 * rx_handler, its promiscuity, LRO and admin state as they were.
 *
 * Context: RTNL; also from NETDEV_UNREGISTER of the port itself.
 */
void tapbridge_port_del(struct tapbridge_port *port)
{
	struct tapbridge *tbr = port->tbr;
	struct net_device *dev = port->dev;

	ASSERT_RTNL();

	RCU_INIT_POINTER(tbr->port[port->dir], NULL);
	dev_set_promiscuity(dev, -1);
	netdev_upper_dev_unlink(dev, tbr->dev);
	/* Waits for the datapath: no CPU runs the handler with @port after. */
	netdev_rx_handler_unregister(dev);
	tapbridge_port_restore_lro(port);
	if (port->opened && dev->reg_state == NETREG_REGISTERED)
		dev_close(dev);
	netdev_put(dev, &port->dev_tracker);
	kfree_rcu(port, rcu);
}

/* One counter update per frame, whatever happened to it and its copy. */
static void tapbridge_count(struct tapbridge *tbr, enum tapbridge_dir dir,
			    unsigned int wire_len, bool forwarded,
			    bool mirrored)
{
	struct tapbridge_pcpu_stats *stats = this_cpu_ptr(tbr->stats);
	struct tapbridge_dir_stats *d = &stats->dir[dir];

	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(&d->rx_packets);
	u64_stats_add(&d->rx_bytes, wire_len);
	if (forwarded) {
		u64_stats_inc(&d->fwd_packets);
		u64_stats_add(&d->fwd_bytes, wire_len);
	} else {
		u64_stats_inc(&d->fwd_drops);
	}
	if (mirrored) {
		u64_stats_inc(&d->mirror_packets);
		u64_stats_add(&d->mirror_bytes, wire_len);
	} else {
		u64_stats_inc(&d->mirror_drops);
	}
	u64_stats_update_end(&stats->syncp);
}

/*
 * Called from __netif_receive_skb_core under rcu_read_lock, in softirq
 * context, after taps (tcpdump on the port) and tc ingress. Every frame of
 * a port is consumed here: the host's stack never sees port traffic.
 */
static rx_handler_result_t tapbridge_handle_frame(struct sk_buff **pskb)
{
	struct tapbridge_port *port, *egress;
	struct sk_buff *skb = *pskb;
	bool forwarded, mirrored;
	unsigned int wire_len;
	enum tapbridge_dir dir;
	struct tapbridge *tbr;

	/* Our own transmissions looped back by a packet socket. */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	port = rcu_dereference(skb->dev->rx_handler_data);
	tbr = port->tbr;
	dir = port->dir;

	/* Taps and pktgen may hold the skb too: get one of our own. */
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		tapbridge_count(tbr, dir, 0, false, false);
		return RX_HANDLER_CONSUMED;
	}
	*pskb = skb;

	if (unlikely(!skb_mac_header_was_set(skb))) {
		tapbridge_count(tbr, dir, 0, false, false);
		kfree_skb(skb);
		return RX_HANDLER_CONSUMED;
	}

	/*
	 * skb->data is at the network header: put the Ethernet header back,
	 * so forwarded frames and copies are whole frames. A VLAN tag the
	 * NIC or skb_vlan_untag() moved into metadata stays there and is
	 * written back on the wire by dev_queue_xmit or the egress NIC.
	 */
	skb_push_rcsum(skb, skb->data - skb_mac_header(skb));
	wire_len = skb->len;
	if (skb_vlan_tag_present(skb))
		wire_len += VLAN_HLEN;

	/* Copies first: the original is handed to the egress port last. */
	mirrored = tapbridge_mirror_xmit(tbr, skb, dir);

	egress = rcu_dereference(tbr->port[tapbridge_dir_reverse(dir)]);
	if (unlikely(!egress)) {
		/* The instance is being torn down. */
		kfree_skb(skb);
		forwarded = false;
	} else {
		skb_forward_csum(skb);
		skb->dev = egress->dev;
		forwarded = dev_queue_xmit(skb) == NET_XMIT_SUCCESS;
	}
	tapbridge_count(tbr, dir, wire_len, forwarded, mirrored);
	return RX_HANDLER_CONSUMED;
}
