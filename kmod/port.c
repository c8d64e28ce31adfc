// SPDX-License-Identifier: GPL-2.0
/*
 * Ports: enslaving and releasing them, their options (rx-all, link
 * propagation), and the datapath that forwards each frame received on one
 * port out the other.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/addrconf.h>
#include <net/netdev_lock.h>

#include "tapbridge.h"

#define TAPBRIDGE_RX_ALL_FEATURES (NETIF_F_RXALL | NETIF_F_RXFCS)
#define TAPBRIDGE_GRO_FEATURES (NETIF_F_GRO | NETIF_F_GRO_HW)

static rx_handler_result_t tapbridge_handle_frame(struct sk_buff **pskb);
static void tapbridge_propagation_apply(struct tapbridge_port *port);

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

static char tapbridge_port_letter(const struct tapbridge_port *port)
{
	return port->dir == TAPBRIDGE_PORT_A ? 'a' : 'b';
}

/*
 * Since 6.15, drivers with ops locking run ndo_set_features under their
 * instance lock. Context: RTNL.
 */
static void tapbridge_port_update_features(struct net_device *dev)
{
	netdev_lock_ops(dev);
	netdev_update_features(dev);
	netdev_unlock_ops(dev);
}

/*
 * Frames forwarded and mirrored must be the wire's frames: no LRO or GRO
 * super-frames, software or hardware. What the port wanted before is
 * restored on release.
 */
static void tapbridge_port_offloads_off(struct tapbridge_port *port)
{
	struct net_device *dev = port->dev;

	port->had_lro = !!(dev->wanted_features & NETIF_F_LRO);
	port->had_gro = !!(dev->wanted_features & NETIF_F_GRO);
	port->had_gro_hw = !!(dev->wanted_features & NETIF_F_GRO_HW);
	dev->wanted_features &= ~TAPBRIDGE_GRO_FEATURES;
	/* Also turns LRO off on the devices below the port. */
	dev_disable_lro(dev);
	tapbridge_port_update_features(dev);
}

static void tapbridge_port_offloads_restore(struct tapbridge_port *port)
{
	struct net_device *dev = port->dev;

	if (port->had_lro)
		dev->wanted_features |= NETIF_F_LRO;
	if (port->had_gro)
		dev->wanted_features |= NETIF_F_GRO;
	if (port->had_gro_hw)
		dev->wanted_features |= NETIF_F_GRO_HW;
	tapbridge_port_update_features(dev);
}

/**
 * tapbridge_port_features_changed - keep GRO and LRO off on a port
 * @port: the port, whose features just changed
 *
 * ethtool -K can turn GRO back on while the device is a port (LRO cannot
 * come back: the instance device has none, so netdev_sync_upper_features
 * keeps it off). Turn it off again and remember the wish, so that release
 * restores the newest one.
 *
 * Context: RTNL, from NETDEV_FEAT_CHANGE.
 */
void tapbridge_port_features_changed(struct tapbridge_port *port)
{
	struct net_device *dev = port->dev;
	netdev_features_t wanted = dev->wanted_features;

	ASSERT_RTNL();

	if (!(wanted & TAPBRIDGE_GRO_FEATURES))
		return;
	port->had_gro = !!(wanted & NETIF_F_GRO);
	port->had_gro_hw = !!(wanted & NETIF_F_GRO_HW);
	dev->wanted_features &= ~TAPBRIDGE_GRO_FEATURES;
	netdev_warn(port->tbr->dev,
		    "GRO stays off on %s while it is port %c: copies and forwarded frames are the wire's frames\n",
		    dev->name, port->dir == TAPBRIDGE_PORT_A ? 'A' : 'B');
	/*
	 * Raises NETDEV_FEAT_CHANGE again, with GRO off: nothing more. No
	 * tapbridge_port_update_features() here: since 6.15 whoever raised
	 * this NETDEV_FEAT_CHANGE (ethtool, a driver) updated the features
	 * under the port's ops lock, and still holds it.
	 */
	netdev_update_features(dev);
}

/*
 * The driver may refuse a feature it lists (ndo_fix_features, or a failing
 * ndo_set_features): trust only what dev->features says afterwards, and
 * undo the wish when rx-all did not take effect. Were RXFCS wanted but not
 * on, the datapath would strip four real bytes from every frame.
 */
static int tapbridge_port_rx_all(struct tapbridge_port *port, bool on,
				 struct netlink_ext_ack *extack)
{
	struct net_device *dev = port->dev;
	netdev_features_t wanted = dev->wanted_features;

	if (on == port->rx_all)
		return 0;
	if (on) {
		port->had_rx_all = (wanted & TAPBRIDGE_RX_ALL_FEATURES) ==
				   TAPBRIDGE_RX_ALL_FEATURES;
		dev->wanted_features |= TAPBRIDGE_RX_ALL_FEATURES;
	} else if (!port->had_rx_all) {
		dev->wanted_features &= ~TAPBRIDGE_RX_ALL_FEATURES;
	}
	tapbridge_port_update_features(dev);

	if (on && (dev->features & TAPBRIDGE_RX_ALL_FEATURES) !=
		  TAPBRIDGE_RX_ALL_FEATURES) {
		dev->wanted_features = wanted;
		tapbridge_port_update_features(dev);
		NL_SET_ERR_MSG_FMT(extack,
				   "port-%c %s: the driver did not turn rx-all and rx-fcs on",
				   tapbridge_port_letter(port), dev->name);
		return -EOPNOTSUPP;
	}
	WRITE_ONCE(port->rx_all, on);
	return 0;
}

/* Whether the host's IPv6 has addresses on @dev. Context: RTNL. */
static bool tapbridge_has_ipv6_addr(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	return idev && !list_empty(&idev->addr_list);
}

static bool tapbridge_port_carrier(const struct net_device *dev)
{
	return netif_running(dev) && netif_carrier_ok(dev);
}

/**
 * tapbridge_port_add - enslave a device as port A or B of an instance
 * @tbr: the instance
 * @dev: the device, already checked by tapbridge_resolve_port()
 * @dir: TAPBRIDGE_PORT_A or TAPBRIDGE_PORT_B
 * @extack: where a refusal is reported
 *
 * Silences the host's IPv6 on the port (a TAP adds no frame to the link it
 * taps: no DAD, router solicitation or MLD report), brings the port up,
 * turns LRO and GRO off, hooks the rx_handler, links the instance as the
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
	netdev_hold(dev, &port->dev_tracker, GFP_KERNEL);

	/* As bonding does for its slaves: no addresses when it comes up. */
	if (!tapbridge_compat_no_addrconf(dev)) {
		tapbridge_compat_set_no_addrconf(dev, true);
		port->set_no_addrconf = true;
	}
	/* Addresses it has already go when it goes down. */
	if ((dev->flags & IFF_UP) && tapbridge_has_ipv6_addr(dev)) {
		dev_close(dev);
		port->cycled = true;
	}
	if (!(dev->flags & IFF_UP)) {
		err = tapbridge_fault(-EIO) ?: dev_open(dev, extack);
		if (err) {
			NL_SET_ERR_MSG_FMT(extack, "%s: cannot bring the port up",
					   dev->name);
			goto err_restore_addrconf;
		}
		port->opened = !port->cycled;
	}

	tapbridge_port_offloads_off(port);

	err = tapbridge_fault(-EBUSY) ?:
	      netdev_rx_handler_register(dev, tapbridge_handle_frame, port);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s already has an rx handler (bridge, bond, macvlan or similar)",
				   dev->name);
		goto err_restore_offloads;
	}

	err = tapbridge_fault(-EBUSY) ?:
	      netdev_master_upper_dev_link(dev, tbr->dev, NULL, NULL, extack);
	if (err) {
		if (!extack || !extack->_msg)
			NL_SET_ERR_MSG_FMT(extack,
					   "%s cannot be linked below %s",
					   dev->name, tbr->dev->name);
		goto err_unregister_handler;
	}

	err = tapbridge_fault(-EOVERFLOW) ?: dev_set_promiscuity(dev, 1);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack, "%s cannot be made promiscuous",
				   dev->name);
		goto err_unlink_upper;
	}

	port->carrier = tapbridge_port_carrier(dev);
	rcu_assign_pointer(tbr->port[dir], port);
	return 0;

err_unlink_upper:
	netdev_upper_dev_unlink(dev, tbr->dev);
err_unregister_handler:
	netdev_rx_handler_unregister(dev);
err_restore_offloads:
	tapbridge_port_offloads_restore(port);
	if (port->opened)
		dev_close(dev);
err_restore_addrconf:
	if (port->set_no_addrconf)
		tapbridge_compat_set_no_addrconf(dev, false);
	if (port->cycled) {
		/* Up again as it was, with its addresses. */
		dev_close(dev);
		dev_open(dev, NULL);
	}
	netdev_put(dev, &port->dev_tracker);
	kfree(port);
	return err;
}

/**
 * tapbridge_port_del - release a port, undoing tapbridge_port_add()
 * @port: the port
 *
 * The device works as a plain interface again afterwards: no master, no
 * rx_handler, its promiscuity, offloads, IPv6 and admin state as they were
 * (a port that link propagation took down comes back up). A port that is
 * being unregistered or moved to another netns (tapbridge_port_lost) keeps
 * the admin state the kernel gave it: a move has closed it already.
 *
 * Context: RTNL; also from NETDEV_UNREGISTER of the port itself.
 */
void tapbridge_port_del(struct tapbridge_port *port)
{
	struct tapbridge *tbr = port->tbr;
	struct net_device *dev = port->dev;
	bool alive = dev->reg_state == NETREG_REGISTERED;

	ASSERT_RTNL();

	RCU_INIT_POINTER(tbr->port[port->dir], NULL);
	dev_set_promiscuity(dev, -1);
	netdev_upper_dev_unlink(dev, tbr->dev);
	/* Waits for the datapath: no CPU runs the handler with @port after. */
	netdev_rx_handler_unregister(dev);
	if (alive) {
		tapbridge_port_rx_all(port, false, NULL);
		tapbridge_port_offloads_restore(port);
		if (port->set_no_addrconf)
			tapbridge_compat_set_no_addrconf(dev, false);
	}
	if (alive && !port->lost) {
		if (port->opened) {
			dev_close(dev);
		} else if (port->cycled || port->propagation_down) {
			/* Down and up again: IPv6 configures it anew. */
			if (port->cycled)
				dev_close(dev);
			dev_open(dev, NULL);
		}
	}
	netdev_put(dev, &port->dev_tracker);
	kfree_rcu(port, rcu);
}

/* Mirrors whose copies would reach the ports. Context: RTNL. */
static int tapbridge_port_check_mirrors(const struct tapbridge *tbr,
					struct net_device * const *ports,
					struct netlink_ext_ack *extack)
{
	const struct tapbridge_mirror_set *set = rtnl_dereference(tbr->mirrors);
	struct net_device *mirror;
	unsigned int i;
	int err;

	for (i = 0; i < set->count; i++) {
		mirror = rtnl_dereference(set->all[i]->dev);
		if (!mirror)
			continue;
		err = tapbridge_check_reach(mirror, "mirror", ports, extack);
		if (err)
			return err;
	}
	return 0;
}

/**
 * tapbridge_port_adopt - enslave a device into a slot that waits for it
 * @tbr: the instance (port-loss wait), whose slot @dir has no port
 * @dev: a device of the name the slot waits for, in the instance's netns
 * @dir: TAPBRIDGE_PORT_A or TAPBRIDGE_PORT_B
 * @extack: where a refusal is reported
 *
 * Every check that creating an instance makes applies: an Ethernet device
 * without a master or uppers, no port or mirror elsewhere, no loop with
 * the other port or from a mirror. Then the normal enslave path, rx-all
 * when the instance has it, and link propagation as if the port's carrier
 * had just come (or gone).
 *
 * Context: RTNL, from tbr->adopt_work.
 * Return: 0, or a negative errno with @extack set; the slot still waits.
 */
int tapbridge_port_adopt(struct tapbridge *tbr, struct net_device *dev,
			 enum tapbridge_dir dir, struct netlink_ext_ack *extack)
{
	enum tapbridge_dir rev = tapbridge_dir_reverse(dir);
	struct net_device *ports[TAPBRIDGE_DIR_COUNT];
	struct tapbridge_port *port, *other;
	int err;

	ASSERT_RTNL();

	dev = tapbridge_resolve_port(dev_net(tbr->dev), dev->ifindex,
				     dir == TAPBRIDGE_PORT_A ? "port-a" : "port-b",
				     extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	other = rtnl_dereference(tbr->port[rev]);
	ports[dir] = dev;
	ports[rev] = other ? other->dev : NULL;
	if (other) {
		err = tapbridge_check_port_pair(ports, extack);
		if (err)
			return err;
	}
	err = tapbridge_port_check_mirrors(tbr, ports, extack);
	if (err)
		return err;

	err = tapbridge_port_add(tbr, dev, dir, extack);
	if (err)
		return err;
	port = rtnl_dereference(tbr->port[dir]);
	if (tbr->rx_all) {
		err = tapbridge_port_rx_all(port, true, extack);
		if (err)
			goto err_del_port;
	}

	/* A port back with carrier starts the other's hold-down. */
	tapbridge_propagation_apply(port);
	if (other && !other->carrier)
		tapbridge_propagation_apply(other);
	return 0;

err_del_port:
	tapbridge_port_del(port);
	return err;
}

/**
 * tapbridge_rx_all_check - whether both ports can receive damaged frames
 * @tbr: the instance
 * @extack: where a refusal is reported
 *
 * Receive-all (NETIF_F_RXALL) lets frames with a bad FCS in; keep-FCS
 * (NETIF_F_RXFCS) keeps the FCS at the end of each frame, so the egress
 * can send it unchanged (skb->no_fcs) and mirrors see it. Both ports must
 * support both.
 *
 * Context: RTNL.
 * Return: 0, or -EOPNOTSUPP with @extack naming the port.
 */
int tapbridge_rx_all_check(const struct tapbridge *tbr,
			   struct netlink_ext_ack *extack)
{
	struct tapbridge_port *port;
	int dir;

	ASSERT_RTNL();

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		port = rtnl_dereference(tbr->port[dir]);
		if (!port) {
			NL_SET_ERR_MSG_FMT(extack,
					   "port-%c is waiting for %s: rx-all needs both ports",
					   dir == TAPBRIDGE_PORT_A ? 'a' : 'b',
					   tbr->wait_name[dir]);
			return -ENODEV;
		}
		if ((port->dev->hw_features & TAPBRIDGE_RX_ALL_FEATURES) !=
		    TAPBRIDGE_RX_ALL_FEATURES) {
			NL_SET_ERR_MSG_FMT(extack,
					   "port-%c %s: driver has no rx-all and rx-fcs support",
					   tapbridge_port_letter(port),
					   port->dev->name);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/**
 * tapbridge_rx_all_set - receive damaged frames on both ports, or stop
 * @tbr: the instance
 * @on: the new state; on only after tapbridge_rx_all_check() passed
 * @extack: where a refusal is reported
 *
 * Turning it on can still fail when a driver does not take the features
 * it lists; then neither port is left changed. Turning it off cannot fail.
 * A slot that waits for its port is skipped: tapbridge_port_adopt() turns
 * rx-all on for the device it enslaves there.
 *
 * Context: RTNL.
 * Return: 0, or -EOPNOTSUPP with @extack naming the port.
 */
int tapbridge_rx_all_set(struct tapbridge *tbr, bool on,
			 struct netlink_ext_ack *extack)
{
	struct tapbridge_port *port;
	int dir, err;

	ASSERT_RTNL();

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		port = rtnl_dereference(tbr->port[dir]);
		if (!port)
			continue;
		err = tapbridge_port_rx_all(port, on, extack);
		if (err)
			goto err_undo;
	}
	tbr->rx_all = on;
	return 0;

err_undo:
	while (dir--) {
		port = rtnl_dereference(tbr->port[dir]);
		if (port)
			tapbridge_port_rx_all(port, tbr->rx_all, NULL);
	}
	return err;
}

/* Link propagation: a hardware TAP's link failure propagation. */

static void tapbridge_propagation_down(struct tapbridge_port *port)
{
	struct net_device *dev = port->dev;

	port->propagation_down = true;
	port->tbr->propagation_actions++;
	netdev_info(port->tbr->dev, "link propagation: taking %s down\n",
		    dev->name);
	dev_change_flags(dev, dev->flags & ~IFF_UP, NULL);
	tapbridge_nl_event(port->tbr, TAPBRIDGE_EVENT_TYPE_PROPAGATION_DOWN,
			   dev);
}

static void tapbridge_propagation_up(struct tapbridge_port *port)
{
	struct net_device *dev = port->dev;

	port->propagation_down = false;
	port->tbr->propagation_actions++;
	netdev_info(port->tbr->dev, "link propagation: bringing %s back up\n",
		    dev->name);
	/* The event first: bringing @dev up reports its carrier. */
	tapbridge_nl_event(port->tbr, TAPBRIDGE_EVENT_TYPE_PROPAGATION_UP, dev);
	dev_change_flags(dev, dev->flags | IFF_UP, NULL);
}

/*
 * @port has no carrier, or got it back: act on the other port. At most one
 * port is ever down by our doing, so the two can never latch each other
 * down; and a port comes back only after the carrier that took it down
 * stayed up for the hold-down time, so a flapping link does not flap the
 * other side. Context: RTNL.
 */
static void tapbridge_propagation_apply(struct tapbridge_port *port)
{
	struct tapbridge *tbr = port->tbr;
	struct tapbridge_port *other;

	other = rtnl_dereference(tbr->port[tapbridge_dir_reverse(port->dir)]);
	if (!tbr->link_propagation || !other || port->propagation_down)
		return;

	if (!port->carrier) {
		cancel_delayed_work(&tbr->propagation_work);
		if (!other->propagation_down && netif_running(other->dev))
			tapbridge_propagation_down(other);
	} else if (other->propagation_down) {
		mod_delayed_work(system_wq, &tbr->propagation_work,
				 msecs_to_jiffies(tbr->hold_down));
	}
}

/**
 * tapbridge_propagation_event - a port went up or down, or its carrier did
 * @port: the port
 *
 * Reports carrier changes as events, and drives link propagation. A port
 * that link propagation took down is ignored: its own loss of carrier is
 * our doing.
 *
 * Context: RTNL, from the netdev notifier.
 */
void tapbridge_propagation_event(struct tapbridge_port *port)
{
	bool carrier = tapbridge_port_carrier(port->dev);

	ASSERT_RTNL();

	if (carrier == port->carrier)
		return;
	port->carrier = carrier;
	if (port->propagation_down)
		return;
	tapbridge_nl_event(port->tbr, carrier ?
			   TAPBRIDGE_EVENT_TYPE_CARRIER_UP :
			   TAPBRIDGE_EVENT_TYPE_CARRIER_DOWN, port->dev);
	tapbridge_propagation_apply(port);
}

/**
 * tapbridge_propagation_work - bring a port back after the hold-down time
 * @work: tapbridge::propagation_work
 *
 * Takes RTNL with rtnl_trylock and retries a jiffy later when it is busy:
 * ndo_uninit cancels this work synchronously while holding RTNL.
 *
 * Context: process (system workqueue).
 */
void tapbridge_propagation_work(struct work_struct *work)
{
	struct tapbridge *tbr = container_of(to_delayed_work(work),
					     struct tapbridge,
					     propagation_work);
	struct tapbridge_port *port, *other;
	int dir;

	if (!rtnl_trylock()) {
		mod_delayed_work(system_wq, &tbr->propagation_work, 1);
		return;
	}
	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		port = rtnl_dereference(tbr->port[dir]);
		other = rtnl_dereference(tbr->port[tapbridge_dir_reverse(dir)]);
		if (port && port->propagation_down && other && other->carrier)
			tapbridge_propagation_up(port);
	}
	rtnl_unlock();
}

/**
 * tapbridge_propagation_set - turn link propagation on or off
 * @tbr: the instance
 * @on: the new state
 * @hold_down: milliseconds a carrier must stay up before the other port is
 *	brought back
 *
 * Turning it on acts at once on a port that already has no carrier;
 * turning it off brings back a port it took down.
 *
 * Context: RTNL.
 */
void tapbridge_propagation_set(struct tapbridge *tbr, bool on, u32 hold_down)
{
	struct tapbridge_port *port;
	int dir;

	ASSERT_RTNL();

	tbr->hold_down = hold_down;
	if (on == tbr->link_propagation)
		return;
	tbr->link_propagation = on;
	if (!on)
		cancel_delayed_work(&tbr->propagation_work);

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		port = rtnl_dereference(tbr->port[dir]);
		if (!port)
			continue;
		if (!on && port->propagation_down)
			tapbridge_propagation_up(port);
		else if (on && !port->carrier)
			tapbridge_propagation_apply(port);
	}
}

/**
 * tapbridge_propagation_lost - a port is lost and its slot waits
 * @port: the port, about to be released
 *
 * A missing port is a port without carrier: with link propagation on,
 * the other port goes down, and comes back once a device returns to the
 * slot and keeps its carrier for the hold-down time.
 *
 * Context: RTNL, from NETDEV_UNREGISTER of the port.
 */
void tapbridge_propagation_lost(struct tapbridge_port *port)
{
	ASSERT_RTNL();

	port->carrier = false;
	tapbridge_propagation_apply(port);
}

/**
 * tapbridge_propagation_stop - stop link propagation for good
 * @tbr: the instance, being unregistered
 *
 * Context: RTNL, from ndo_uninit (the work never blocks on RTNL).
 */
void tapbridge_propagation_stop(struct tapbridge *tbr)
{
	tbr->link_propagation = false;
	cancel_delayed_work_sync(&tbr->propagation_work);
}

/* The datapath. */

/*
 * The VLAN tags of a frame whose data starts at the Ethernet header: one
 * in metadata, and those in the data (QinQ and deeper). A frame whose
 * checksum the egress is to fill in gets its network header moved past
 * the tags in the data, where drivers look for the IP header (as
 * br_dev_queue_push_xmit does); the receive path left it at the first
 * tag in the data.
 */
static unsigned int tapbridge_frame_tags(struct sk_buff *skb)
{
	unsigned int tags = skb_vlan_tag_present(skb) ? 1 : 0;
	unsigned int offset = 2 * ETH_ALEN;
	bool in_data = false;
	__be16 type, *p;

	for (;;) {
		p = skb_header_pointer(skb, offset, sizeof(type), &type);
		if (!p || !eth_type_vlan(*p))
			break;
		tags++;
		offset += VLAN_HLEN;
		in_data = true;
	}
	if (in_data && skb->ip_summed == CHECKSUM_PARTIAL)
		skb_set_network_header(skb, offset + sizeof(type));
	return tags;
}

/*
 * What the receive side left on the frame does not belong on another
 * device's transmit (br_forward.c and ip_forward.c clear it too): the
 * receive timestamp, which an fq or etf qdisc on the egress would read as
 * a departure time far beyond its horizon and drop the frame for; dst,
 * conntrack and extensions. Done once, before the copies are cloned, so
 * they are clean too.
 */
static void tapbridge_scrub(struct sk_buff *skb)
{
	skb_scrub_packet(skb, false);
	skb_clear_tstamp(skb);
}

/**
 * enum tapbridge_fwd - what became of a frame on the wire path
 * @TAPBRIDGE_FWD_SENT: the egress port took it
 * @TAPBRIDGE_FWD_DROPPED: the egress port did not take it, or is gone
 * @TAPBRIDGE_FWD_OVERSIZE: too big for the egress port's MTU
 */
enum tapbridge_fwd {
	TAPBRIDGE_FWD_SENT,
	TAPBRIDGE_FWD_DROPPED,
	TAPBRIDGE_FWD_OVERSIZE,
};

/* One counter update per frame, whatever happened to it and its copies. */
static void tapbridge_count(struct tapbridge *tbr, enum tapbridge_dir dir,
			    unsigned int wire_len, enum tapbridge_fwd fwd,
			    const struct tapbridge_copy_result *copies)
{
	struct tapbridge_pcpu_stats *stats = this_cpu_ptr(tbr->stats);
	struct tapbridge_dir_stats *d = &stats->dir[dir];

	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(&d->rx_packets);
	u64_stats_add(&d->rx_bytes, wire_len);
	if (fwd == TAPBRIDGE_FWD_SENT) {
		u64_stats_inc(&d->fwd_packets);
		u64_stats_add(&d->fwd_bytes, wire_len);
	} else {
		u64_stats_inc(&d->fwd_drops);
		if (fwd == TAPBRIDGE_FWD_OVERSIZE)
			u64_stats_inc(&d->fwd_oversize);
	}
	u64_stats_add(&d->mirror_packets, copies->packets);
	u64_stats_add(&d->mirror_bytes, copies->bytes);
	u64_stats_add(&d->mirror_drops, copies->drops);
	u64_stats_update_end(&stats->syncp);
}

/* Send the frame out the egress port, unchanged. */
static enum tapbridge_fwd tapbridge_forward(struct tapbridge_port *egress,
					    struct sk_buff *skb,
					    unsigned int wire_len,
					    unsigned int extra, bool fcs)
{
	struct net_device *dev = egress->dev;

	/* A frame is never truncated to fit: it is dropped and counted. */
	if (!tapbridge_fits(skb, wire_len, ETH_HLEN + extra + READ_ONCE(dev->mtu))) {
		kfree_skb(skb);
		return TAPBRIDGE_FWD_OVERSIZE;
	}

	/*
	 * A frame received with its FCS (rx-all) goes out with that same
	 * FCS where the egress can send it as is; elsewhere the egress
	 * computes a new one.
	 */
	if (fcs) {
		if (dev->priv_flags & IFF_SUPP_NOFCS) {
			skb->no_fcs = 1;
		} else if (pskb_trim(skb, skb->len - ETH_FCS_LEN)) {
			kfree_skb(skb);
			return TAPBRIDGE_FWD_DROPPED;
		}
	}

	skb_forward_csum(skb);
	skb->dev = dev;
	if (dev_queue_xmit(skb) != NET_XMIT_SUCCESS)
		return TAPBRIDGE_FWD_DROPPED;
	return TAPBRIDGE_FWD_SENT;
}

/*
 * Called from __netif_receive_skb_core under rcu_read_lock, in softirq
 * context, after taps (tcpdump on the port) and tc ingress. Every frame of
 * a port is consumed here: the host's stack never sees port traffic. A
 * capture copy goes to the instance device's packet sockets (capture.c).
 */
static rx_handler_result_t tapbridge_handle_frame(struct sk_buff **pskb)
{
	unsigned int wire_len, extra, mac_len;
	struct tapbridge_copy_result copies = {};
	struct tapbridge_port *port, *egress;
	struct sk_buff *skb = *pskb, *sensor;
	bool fcs, wire_tstamp;
	enum tapbridge_fwd fwd;
	enum tapbridge_dir dir;
	struct tapbridge *tbr;
	ktime_t rx_time;

	/* Our own transmissions looped back by a packet socket. */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	port = rcu_dereference(skb->dev->rx_handler_data);
	tbr = port->tbr;
	dir = port->dir;

	/* Taps and pktgen may hold the skb too: get one of our own. */
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		tapbridge_count(tbr, dir, 0, TAPBRIDGE_FWD_DROPPED, &copies);
		return RX_HANDLER_CONSUMED;
	}
	*pskb = skb;

	if (unlikely(!skb_mac_header_was_set(skb))) {
		kfree_skb(skb);
		tapbridge_count(tbr, dir, 0, TAPBRIDGE_FWD_DROPPED, &copies);
		return RX_HANDLER_CONSUMED;
	}

	/*
	 * skb->data is at the network header: put the Ethernet header back,
	 * so forwarded frames and copies are whole frames. A VLAN tag the
	 * NIC or skb_vlan_untag() moved into metadata stays there and is
	 * written back on the wire by dev_queue_xmit or the egress NIC.
	 */
	mac_len = skb->data - skb_mac_header(skb);
	skb_push_rcsum(skb, mac_len);
	/* The core's receive stamp, taken when a socket wants stamps. */
	rx_time = skb_tstamp(skb);
	tapbridge_scrub(skb);
	wire_len = skb->len;
	if (skb_vlan_tag_present(skb))
		wire_len += VLAN_HLEN;
	fcs = READ_ONCE(port->rx_all);
	extra = tapbridge_frame_tags(skb) * VLAN_HLEN +
		(fcs ? ETH_FCS_LEN : 0);

	/*
	 * The frame's arrival on the port, for the capture copy and the
	 * mirror copies that want it: without the core's stamp, now, just
	 * after the port's own taps had the frame. No clock read for a
	 * frame that nobody asks the time of.
	 */
	sensor = tapbridge_capture_clone(tbr, skb);
	wire_tstamp = READ_ONCE(tbr->wire_tstamp);
	if (!rx_time && (sensor || wire_tstamp))
		rx_time = ktime_get_real();

	/* Copies first: the original is handed to the egress port last. */
	tapbridge_mirrors_xmit(tbr, skb, dir, extra,
			       wire_tstamp ? rx_time : 0, &copies);

	egress = rcu_dereference(tbr->port[tapbridge_dir_reverse(dir)]);
	if (likely(egress)) {
		fwd = tapbridge_forward(egress, skb, wire_len, extra, fcs);
	} else {
		/*
		 * The instance is being torn down, or the egress port was
		 * lost and its slot waits (port-loss wait): the frame was
		 * still copied, and counts as a forward drop.
		 */
		kfree_skb(skb);
		fwd = TAPBRIDGE_FWD_DROPPED;
	}
	tapbridge_count(tbr, dir, wire_len, fwd, &copies);

	/* The local sensor's copy after the wire's frame: nothing waits. */
	if (sensor)
		tapbridge_capture_deliver(tbr, sensor, dir, mac_len, rx_time);
	return RX_HANDLER_CONSUMED;
}
