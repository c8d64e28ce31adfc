// SPDX-License-Identifier: GPL-2.0
/*
 * The instance net_device: its ops, its lifetime, and what happens when one
 * of its ports or mirrors goes away.
 *
 * Lifetime rules (README.rst repeats them for operators):
 * - An instance lives as long as its device. Deleting the device (taptool
 *   del, ip link del), deleting its netns or unloading the module releases
 *   both ports and all mirrors, from ndo_uninit.
 * - Losing a port (its device unregistered or moved to another netns)
 *   deletes the instance by default (port-loss delete): a TAP with one
 *   side cut forwards nothing, and the remaining port is handed back as a
 *   plain interface. With port-loss wait the port is released, the
 *   instance stays (its carrier off, its counters going on) and its slot
 *   remembers the port's name: a device that later registers, or is
 *   renamed, with that name in the instance's netns is enslaved in its
 *   place by tbr->adopt_work, as a hardware TAP's port comes back when
 *   its cable is plugged in again.
 * - Losing a mirror detaches it: the instance keeps forwarding, and the
 *   copies it can no longer deliver are counted as mirror drops until
 *   "taptool set" gives it a new mirror.
 */

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <net/rtnetlink.h>

#include "tapbridge.h"

/* Set under RTNL when the module starts unloading; see tapbridge_device_closing. */
static bool tapbridge_closing;

/*
 * Runs every instance's adopt_work; module exit destroys it, which waits
 * for the last work to return, after the last instance is gone.
 */
static struct workqueue_struct *tapbridge_wq;

static void tapbridge_adopt_work(struct work_struct *work);

static int tapbridge_dev_init(struct net_device *dev)
{
	struct tapbridge *tbr = netdev_priv(dev);
	int err;

	tbr->dev = dev;
	tbr->hold_down = TAPBRIDGE_HOLD_DOWN_DEFAULT;
	tbr->port_loss = TAPBRIDGE_PORT_LOSS_DELETE;
	INIT_DELAYED_WORK(&tbr->propagation_work, tapbridge_propagation_work);
	INIT_WORK(&tbr->adopt_work, tapbridge_adopt_work);
	tbr->stats = netdev_alloc_pcpu_stats(struct tapbridge_pcpu_stats);
	if (!tbr->stats)
		return -ENOMEM;
	err = tapbridge_mirrors_init(tbr);
	if (err)
		goto err_free_stats;
	return 0;

err_free_stats:
	free_percpu(tbr->stats);
	tbr->stats = NULL;
	return err;
}

/*
 * Called under RTNL for every way an instance ends: taptool del, ip link
 * del, netns exit, module unload, losing a port, a failed create.
 */
static void tapbridge_dev_uninit(struct net_device *dev)
{
	struct tapbridge *tbr = netdev_priv(dev);
	struct tapbridge_port *port;
	int dir;

	if (tbr->announced)
		tapbridge_nl_event(tbr, TAPBRIDGE_EVENT_TYPE_DELETED, NULL);
	tapbridge_propagation_stop(tbr);
	/*
	 * A queued adopt work is cancelled here; one that already runs and
	 * waits for RTNL finds the instance unregistering and drops the
	 * reference itself.
	 */
	if (tbr->adopt_queued && cancel_work(&tbr->adopt_work)) {
		tbr->adopt_queued = false;
		netdev_put(dev, &tbr->adopt_tracker);
	}
	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		port = rtnl_dereference(tbr->port[dir]);
		if (port)
			tapbridge_port_del(port);
	}
	tapbridge_mirrors_clear(tbr);
	/* After the ports: no capture copy comes in any more. */
	tapbridge_capture_uninit(tbr);
}

static void tapbridge_dev_free(struct net_device *dev)
{
	struct tapbridge *tbr = netdev_priv(dev);

	free_percpu(tbr->stats);
}

/* The instance device carries no traffic of its own. */
static netdev_tx_t tapbridge_dev_xmit(struct sk_buff *skb,
				      struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/*
 * ip -s link on the instance: received = frames received on both ports,
 * transmitted = frames forwarded out either port, tx_dropped = forward
 * drops (the core adds frames sent to the instance device itself).
 */
static void tapbridge_dev_get_stats64(struct net_device *dev,
				      struct rtnl_link_stats64 *s)
{
	struct tapbridge *tbr = netdev_priv(dev);
	struct tapbridge_stats sum;
	int dir;

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		tapbridge_stats_read(tbr, dir, &sum);
		s->rx_packets += sum.rx_packets;
		s->rx_bytes += sum.rx_bytes;
		s->tx_packets += sum.fwd_packets;
		s->tx_bytes += sum.fwd_bytes;
		s->tx_dropped += sum.fwd_drops;
	}
}

static const struct net_device_ops tapbridge_netdev_ops = {
	.ndo_init		= tapbridge_dev_init,
	.ndo_uninit		= tapbridge_dev_uninit,
	.ndo_start_xmit		= tapbridge_dev_xmit,
	.ndo_get_stats64	= tapbridge_dev_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void tapbridge_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &tapbridge_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = tapbridge_dev_free;
	dev->flags |= IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_DONT_BRIDGE;
	/*
	 * No LRO in the instance's features: netdev_sync_upper_features()
	 * then keeps LRO off on the ports while they are enslaved.
	 */
	dev->features = 0;
	dev->hw_features = 0;
	/* After the features: before 6.12 these two are feature bits. */
	tapbridge_compat_set_lltx(dev);
	/* Its ports stay where they are: so does the instance. */
	tapbridge_compat_set_netns_immutable(dev);
	eth_hw_addr_random(dev);
}

/* Instances are made with their ports and mirrors, by genetlink only. */
static int tapbridge_link_validate(struct nlattr *tb[], struct nlattr *data[],
				   struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack,
		       "tapbridge instances are created with taptool (generic netlink family tapbridge)");
	return -EOPNOTSUPP;
}

struct rtnl_link_ops tapbridge_link_ops __read_mostly = {
	.kind		= "tapbridge",
	.priv_size	= sizeof(struct tapbridge),
	.setup		= tapbridge_setup,
	.validate	= tapbridge_link_validate,
	.dellink	= unregister_netdevice_queue,
};

/**
 * tapbridge_instance_find - look up an instance by ifindex or by name
 * @net: the netns of the request
 * @ifindex: the instance's ifindex, or 0 to look up by @name
 * @name: the instance's name, or NULL; with @ifindex, it must be the name
 *	of that device
 * @extack: where a failure is reported
 *
 * Context: RTNL.
 * Return: the instance, or an ERR_PTR with @extack set.
 */
struct tapbridge *tapbridge_instance_find(struct net *net, u32 ifindex,
					  const char *name,
					  struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	ASSERT_RTNL();

	if (ifindex)
		dev = __dev_get_by_index(net, ifindex);
	else if (name)
		dev = __dev_get_by_name(net, name);
	else
		dev = NULL;

	if (!dev) {
		if (ifindex)
			NL_SET_ERR_MSG_FMT(extack, "no device with ifindex %u",
					   ifindex);
		else if (name)
			NL_SET_ERR_MSG_FMT(extack, "no tapbridge instance %s",
					   name);
		else
			NL_SET_ERR_MSG(extack,
				       "name the instance by ifindex or name");
		return ERR_PTR(-ENODEV);
	}
	/* Both given: they must agree, or the request means two devices. */
	if (ifindex && name && strcmp(dev->name, name)) {
		NL_SET_ERR_MSG_FMT(extack, "ifindex %u is %s, not %s", ifindex,
				   dev->name, name);
		return ERR_PTR(-EINVAL);
	}
	if (dev->rtnl_link_ops != &tapbridge_link_ops) {
		NL_SET_ERR_MSG_FMT(extack, "%s is not a tapbridge instance",
				   dev->name);
		return ERR_PTR(-EINVAL);
	}
	return netdev_priv(dev);
}

/**
 * tapbridge_instance_create - create and register an instance
 * @net: the netns
 * @name: the device name, checked free by the caller
 * @ports: ports A and B, checked by tapbridge_resolve_port()
 * @mode: the mode
 * @confs: what each mirror gets
 * @mirrors: the mirror devices, checked by tapbridge_resolve_mirror()
 * @n_mirrors: their number
 * @extack: where a refusal is reported
 *
 * Mirrors are set before the ports are enslaved, so the first frame
 * forwarded is also copied. On any failure the device is unregistered,
 * and its ndo_uninit releases what was already attached.
 *
 * Context: RTNL.
 * Return: the instance device or an ERR_PTR with @extack set.
 */
struct net_device *tapbridge_instance_create(struct net *net,
					     const char *name,
					     struct net_device * const *ports,
					     enum tapbridge_mode mode,
					     const struct tapbridge_mirror_conf *confs,
					     struct net_device * const *mirrors,
					     unsigned int n_mirrors,
					     struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	struct tapbridge *tbr;
	int err, dir;

	ASSERT_RTNL();

	dev = alloc_netdev(sizeof(*tbr), name, NET_NAME_USER, tapbridge_setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev_net_set(dev, net);
	dev->rtnl_link_ops = &tapbridge_link_ops;
	tbr = netdev_priv(dev);

	err = tapbridge_fault(-ENOBUFS) ?: register_netdevice(dev);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack, "cannot register device %s", name);
		goto err_free_netdev;
	}

	err = tapbridge_capture_init(tbr);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack, "%s: cannot hook its rx handler",
				   name);
		goto err_unregister;
	}

	err = tapbridge_mirrors_replace(tbr, mode, confs, mirrors, n_mirrors,
					false, extack);
	if (err)
		goto err_unregister;

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		err = tapbridge_port_add(tbr, ports[dir], dir, extack);
		if (err)
			goto err_unregister;
	}

	netdev_info(dev, "created: port A %s, port B %s\n",
		    ports[TAPBRIDGE_PORT_A]->name,
		    ports[TAPBRIDGE_PORT_B]->name);
	return dev;

err_unregister:
	/* ndo_uninit releases the ports and mirrors already attached. */
	unregister_netdevice(dev);
	return ERR_PTR(err);
err_free_netdev:
	/* register_netdevice failed: needs_free_netdev does not apply. */
	free_netdev(dev);
	return ERR_PTR(err);
}

static char tapbridge_slot_letter(enum tapbridge_dir dir)
{
	return dir == TAPBRIDGE_PORT_A ? 'A' : 'B';
}

/*
 * A port is going away: the instance goes with it, or its slot waits for
 * the port's name (see the top).
 */
static void tapbridge_port_lost(struct tapbridge_port *port)
{
	struct tapbridge *tbr = port->tbr;
	enum tapbridge_dir dir = port->dir;

	/* Unregistered or moved (a move closed it): keep its admin state. */
	port->lost = true;

	tapbridge_nl_event(tbr, TAPBRIDGE_EVENT_TYPE_PORT_LOST, port->dev);
	/*
	 * When the instance is already being unregistered in the same batch
	 * (its netns is dying), release just this port: the instance's
	 * ndo_uninit does the rest.
	 */
	if (tbr->dev->reg_state != NETREG_REGISTERED) {
		tapbridge_port_del(port);
		return;
	}
	if (tbr->port_loss != TAPBRIDGE_PORT_LOSS_WAIT) {
		netdev_info(tbr->dev,
			    "port %c %s is gone: deleting the instance\n",
			    tapbridge_slot_letter(dir), port->dev->name);
		unregister_netdevice_queue(tbr->dev, NULL);
		return;
	}

	netdev_info(tbr->dev, "port %c %s is gone: waiting for it to return\n",
		    tapbridge_slot_letter(dir), port->dev->name);
	strscpy(tbr->wait_name[dir], port->dev->name, IFNAMSIZ);
	tbr->losses[dir]++;
	tapbridge_propagation_lost(port);
	tapbridge_port_del(port);
	netif_carrier_off(tbr->dev);
}

/**
 * tapbridge_port_loss_check - whether an instance may take a port-loss value
 * @tbr: the instance
 * @loss: the value asked for
 * @extack: where a refusal is reported
 *
 * A slot that waits has no device to delete the instance with: while one
 * does, port-loss stays wait (delete the instance instead).
 *
 * Context: RTNL.
 * Return: 0, or -EBUSY with @extack naming the slot.
 */
int tapbridge_port_loss_check(const struct tapbridge *tbr,
			      enum tapbridge_port_loss loss,
			      struct netlink_ext_ack *extack)
{
	int dir;

	ASSERT_RTNL();

	if (loss == TAPBRIDGE_PORT_LOSS_WAIT)
		return 0;
	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		if (!tbr->wait_name[dir][0])
			continue;
		NL_SET_ERR_MSG_FMT(extack,
				   "port %c is waiting for %s: port-loss stays wait (delete the instance instead)",
				   tapbridge_slot_letter(dir),
				   tbr->wait_name[dir]);
		return -EBUSY;
	}
	return 0;
}

/* Try the devices the waiting slots of @tbr are named for. Context: RTNL. */
static void tapbridge_adopt(struct tapbridge *tbr)
{
	struct netlink_ext_ack extack = {};
	struct net_device *dev;
	int dir, err;

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		if (!tbr->wait_name[dir][0])
			continue;
		dev = __dev_get_by_name(dev_net(tbr->dev), tbr->wait_name[dir]);
		if (!dev)
			continue;
		memset(&extack, 0, sizeof(extack));
		err = tapbridge_port_adopt(tbr, dev, dir, &extack);
		if (err) {
			netdev_warn(tbr->dev, "port %c: %s is refused: %s (%d)\n",
				    tapbridge_slot_letter(dir), dev->name,
				    extack._msg ?: "cannot enslave it", err);
			tapbridge_nl_event(tbr, TAPBRIDGE_EVENT_TYPE_PORT_REFUSED,
					   dev);
			continue;
		}
		tbr->wait_name[dir][0] = '\0';
		tbr->returns[dir]++;
		netdev_info(tbr->dev, "port %c %s is back (ifindex %d)\n",
			    tapbridge_slot_letter(dir), dev->name, dev->ifindex);
		tapbridge_nl_event(tbr, TAPBRIDGE_EVENT_TYPE_PORT_RETURNED, dev);
		if (!tbr->wait_name[tapbridge_dir_reverse(dir)][0])
			netif_carrier_on(tbr->dev);
	}
}

/*
 * tbr->adopt_work: enslave what the notifier saw appear. Context: process
 * (tapbridge_wq); takes RTNL. ndo_uninit never waits for this work, so
 * taking RTNL cannot deadlock; the reference queued with it keeps the
 * instance's memory until it is dropped, last, under RTNL.
 */
static void tapbridge_adopt_work(struct work_struct *work)
{
	struct tapbridge *tbr = container_of(work, struct tapbridge,
					     adopt_work);

	rtnl_lock();
	tbr->adopt_queued = false;
	if (tbr->dev->reg_state == NETREG_REGISTERED && !tapbridge_closing)
		tapbridge_adopt(tbr);
	netdev_put(tbr->dev, &tbr->adopt_tracker);
	rtnl_unlock();
}

/*
 * @dev was registered in, or renamed to, a name some waiting slot of an
 * instance of its netns remembers: queue that instance's adopt work. The
 * device is still being set up here, so it is enslaved from the work.
 * Context: RTNL, from the netdev notifier.
 */
static void tapbridge_adopt_check(struct net_device *dev)
{
	struct net_device *instance;
	struct tapbridge *tbr;
	int dir;

	if (dev->rtnl_link_ops == &tapbridge_link_ops || tapbridge_is_port(dev))
		return;
	for_each_netdev(dev_net(dev), instance) {
		if (instance->rtnl_link_ops != &tapbridge_link_ops ||
		    instance->reg_state != NETREG_REGISTERED)
			continue;
		tbr = netdev_priv(instance);
		for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++)
			if (!strcmp(tbr->wait_name[dir], dev->name))
				break;
		if (dir == TAPBRIDGE_DIR_COUNT || tbr->adopt_queued)
			continue;
		/* The work takes RTNL before it drops the reference. */
		tbr->adopt_queued = true;
		netdev_hold(instance, &tbr->adopt_tracker, GFP_KERNEL);
		queue_work(tapbridge_wq, &tbr->adopt_work);
	}
}

/*
 * A new upper device on a port or a mirror would see frames before the
 * rx_handler (vlan_do_receive runs first): a VLAN device on a port takes
 * its VLAN off the wire, one on a mirror lets a sensor send into the host.
 * Refused while enslaved; tapbridge_resolve() refuses devices that have
 * one already. The instance's own link to its ports is let through.
 */
static int tapbridge_precheck_upper(struct net_device *dev,
				    struct netdev_notifier_changeupper_info *info)
{
	struct netlink_ext_ack *extack = netdev_notifier_info_to_extack(&info->info);
	struct tapbridge_mirror *mirror;
	struct tapbridge_port *port;

	if (!info->linking)
		return NOTIFY_DONE;
	port = tapbridge_port_get_rtnl(dev);
	if (port) {
		if (info->upper_dev == port->tbr->dev)
			return NOTIFY_DONE;
		NL_SET_ERR_MSG_FMT(extack,
				   "%s is port %c of %s: a port takes no upper device",
				   dev->name, port->dir == TAPBRIDGE_PORT_A ? 'A' : 'B',
				   port->tbr->dev->name);
		return notifier_from_errno(-EBUSY);
	}
	mirror = tapbridge_mirror_get_rtnl(dev);
	if (mirror) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s is a mirror of %s: a mirror takes no upper device",
				   dev->name, mirror->tbr->dev->name);
		return notifier_from_errno(-EBUSY);
	}
	/* A VLAN device would take tagged capture copies into the host. */
	if (dev->rtnl_link_ops == &tapbridge_link_ops &&
	    ((struct tapbridge *)netdev_priv(dev))->capture) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s is a capture device: it takes no upper device",
				   dev->name);
		return notifier_from_errno(-EBUSY);
	}
	return NOTIFY_DONE;
}

/* The MTU of a port or mirror changed: say so if frames will be lost. */
static void tapbridge_mtu_changed(struct tapbridge *tbr)
{
	struct tapbridge_warnings *warnings;
	unsigned int i;

	tapbridge_nl_event(tbr, TAPBRIDGE_EVENT_TYPE_CHANGED, NULL);
	warnings = kmalloc(sizeof(*warnings), GFP_KERNEL);
	if (!warnings)
		return;
	tapbridge_warnings_get(tbr, warnings);
	for (i = 0; i < warnings->count; i++)
		netdev_warn(tbr->dev, "%s\n", warnings->text[i]);
	kfree(warnings);
}

static int tapbridge_netdev_event(struct notifier_block *nb,
				  unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct tapbridge_mirror *mirror;
	struct tapbridge_port *port;

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_CHANGENAME:
		tapbridge_adopt_check(dev);
		break;
	case NETDEV_UNREGISTER:
		port = tapbridge_port_get_rtnl(dev);
		if (port) {
			tapbridge_port_lost(port);
			break;
		}
		mirror = tapbridge_mirror_get_rtnl(dev);
		if (mirror)
			tapbridge_mirror_forget(mirror);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		port = tapbridge_port_get_rtnl(dev);
		if (port)
			tapbridge_propagation_event(port);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		/* Ports and mirrors must stay Ethernet. */
		if (tapbridge_is_port(dev) || tapbridge_is_mirror(dev))
			return NOTIFY_BAD;
		break;
	case NETDEV_PRECHANGEUPPER:
		return tapbridge_precheck_upper(dev, ptr);
	case NETDEV_FEAT_CHANGE:
		port = tapbridge_port_get_rtnl(dev);
		if (port)
			tapbridge_port_features_changed(port);
		break;
	case NETDEV_CHANGEMTU:
		port = tapbridge_port_get_rtnl(dev);
		if (port) {
			tapbridge_mtu_changed(port->tbr);
			break;
		}
		mirror = tapbridge_mirror_get_rtnl(dev);
		if (mirror)
			tapbridge_mtu_changed(mirror->tbr);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block tapbridge_notifier = {
	.notifier_call = tapbridge_netdev_event,
};

/**
 * tapbridge_device_init - register the link type and the netdev notifier
 *
 * Return: 0 or a negative errno, with nothing left registered.
 */
int tapbridge_device_init(void)
{
	int err;

	tapbridge_wq = alloc_workqueue("tapbridge", 0, 0);
	if (!tapbridge_wq)
		return -ENOMEM;

	err = tapbridge_fault(-ENOMEM) ?:
	      register_netdevice_notifier(&tapbridge_notifier);
	if (err)
		goto err_destroy_wq;

	err = tapbridge_fault(-EEXIST) ?: rtnl_link_register(&tapbridge_link_ops);
	if (err)
		goto err_unregister_notifier;
	return 0;

err_unregister_notifier:
	unregister_netdevice_notifier(&tapbridge_notifier);
err_destroy_wq:
	destroy_workqueue(tapbridge_wq);
	return err;
}

/**
 * tapbridge_device_uninit - delete every instance in every netns, then
 * unregister the link type and the notifier
 *
 * The genl family is still registered, so the deleted events go out; a
 * create racing with this is refused (tapbridge_device_closing).
 */
void tapbridge_device_uninit(void)
{
	rtnl_lock();
	tapbridge_closing = true;
	rtnl_unlock();
	/* Calls dellink on every instance of every netns. */
	rtnl_link_unregister(&tapbridge_link_ops);
	unregister_netdevice_notifier(&tapbridge_notifier);
	/*
	 * No instance is left to queue an adopt work; wait for one that is
	 * still returning, after it dropped its reference.
	 */
	destroy_workqueue(tapbridge_wq);
	/* The mirrors' RCU callbacks are module code: let them run first. */
	rcu_barrier();
}

/**
 * tapbridge_device_closing - whether the module is going away
 *
 * Context: RTNL.
 * Return: true once tapbridge_device_uninit() started: no new instance.
 */
bool tapbridge_device_closing(void)
{
	ASSERT_RTNL();
	return tapbridge_closing;
}
