// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration checks: what a request may ask for, and which devices may
 * be ports and mirrors. Every refusal names the device and the reason.
 */

#include <kunit/visibility.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "tapbridge.h"

static const char * const tapbridge_dir_mirror_name[TAPBRIDGE_DIR_COUNT] = {
	[TAPBRIDGE_DIR_AB] = "mirror-ab",
	[TAPBRIDGE_DIR_BA] = "mirror-ba",
};

/**
 * tapbridge_request_validate - check a request before any device lookup
 * @req: the request
 * @extack: where a refusal is reported
 *
 * Checks what can be told from interface indexes alone: the mode and its
 * mirrors, two distinct ports, and no mirror that is one of the ports.
 * A request without ports (a change of mirrors) skips the port checks.
 * Aggregate mode may have no mirror when capture is on.
 *
 * Return: 0, or -EINVAL with @extack set.
 */
int tapbridge_request_validate(const struct tapbridge_request *req,
			       struct netlink_ext_ack *extack)
{
	int dir, port;
	u32 mirror;

	switch (req->mode) {
	case TAPBRIDGE_MODE_AGGREGATE:
		if (req->mirror_dir[TAPBRIDGE_DIR_AB] ||
		    req->mirror_dir[TAPBRIDGE_DIR_BA]) {
			NL_SET_ERR_MSG(extack,
				       "aggregate mode takes one mirror, not mirror-ab or mirror-ba");
			return -EINVAL;
		}
		/* The capture device is a sensor's port of its own. */
		if (!req->mirror && !req->capture) {
			NL_SET_ERR_MSG(extack,
				       "aggregate mode needs a mirror, or capture on");
			return -EINVAL;
		}
		break;
	case TAPBRIDGE_MODE_SPLIT:
		if (req->mirror) {
			NL_SET_ERR_MSG(extack,
				       "split mode takes mirror-ab and mirror-ba, not mirror");
			return -EINVAL;
		}
		if (!req->mirror_dir[TAPBRIDGE_DIR_AB] ||
		    !req->mirror_dir[TAPBRIDGE_DIR_BA]) {
			NL_SET_ERR_MSG(extack,
				       "split mode needs both mirror-ab and mirror-ba");
			return -EINVAL;
		}
		break;
	case TAPBRIDGE_MODE_CUSTOM:
		NL_SET_ERR_MSG(extack,
			       "mode custom is not set directly: it is what mirror add and mirror del make");
		return -EINVAL;
	default:
		NL_SET_ERR_MSG(extack, "missing or unknown mode");
		return -EINVAL;
	}

	if (req->port[TAPBRIDGE_PORT_A] &&
	    req->port[TAPBRIDGE_PORT_A] == req->port[TAPBRIDGE_PORT_B]) {
		NL_SET_ERR_MSG(extack,
			       "port-a and port-b must be two different devices");
		return -EINVAL;
	}

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		mirror = tapbridge_request_mirror(req, dir);
		for (port = 0; port < TAPBRIDGE_DIR_COUNT; port++) {
			if (req->port[port] && mirror == req->port[port]) {
				NL_SET_ERR_MSG_FMT(extack,
						   "%s cannot be port %c of the same instance",
						   req->mode == TAPBRIDGE_MODE_AGGREGATE ?
						   "mirror" : tapbridge_dir_mirror_name[dir],
						   port == TAPBRIDGE_PORT_A ? 'A' : 'B');
				return -EINVAL;
			}
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tapbridge_request_validate);

/**
 * tapbridge_request_confs - the mirror list of a preset mode
 * @req: a request that passed tapbridge_request_validate()
 * @confs: filled with up to two mirror configurations
 *
 * Aggregate mode is one mirror of both directions; split mode one mirror
 * per direction (one mirror of both when mirror-ab and mirror-ba are the
 * same device); none for aggregate mode without a mirror (capture on).
 *
 * Return: the number of mirrors.
 */
unsigned int tapbridge_request_confs(const struct tapbridge_request *req,
				     struct tapbridge_mirror_conf *confs)
{
	unsigned int n = 0, i;
	u32 ifindex;
	int dir;

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		ifindex = tapbridge_request_mirror(req, dir);
		if (!ifindex)
			continue;
		for (i = 0; i < n; i++)
			if (confs[i].ifindex == ifindex)
				break;
		if (i == n) {
			memset(&confs[n], 0, sizeof(confs[n]));
			confs[n].ifindex = ifindex;
			confs[n].tag_proto = htons(ETH_P_8021Q);
			n++;
		}
		confs[i].dirs |= BIT(dir);
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(tapbridge_request_confs);

/* Checks shared by ports and mirrors. Context: RTNL. */
static struct net_device *tapbridge_resolve(struct net *net, u32 ifindex,
					    const char *role,
					    const struct tapbridge *tbr,
					    struct netlink_ext_ack *extack)
{
	struct net_device *dev, *master;

	ASSERT_RTNL();

	dev = __dev_get_by_index(net, ifindex);
	if (!dev) {
		NL_SET_ERR_MSG_FMT(extack, "%s: no device with ifindex %u",
				   role, ifindex);
		return ERR_PTR(-ENODEV);
	}
	if (dev->rtnl_link_ops == &tapbridge_link_ops) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s %s is a tapbridge instance itself",
				   role, dev->name);
		return ERR_PTR(-ELOOP);
	}
	if (dev->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG_FMT(extack, "%s %s is a loopback device",
				   role, dev->name);
		return ERR_PTR(-EINVAL);
	}
	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG_FMT(extack, "%s %s is not an Ethernet device",
				   role, dev->name);
		return ERR_PTR(-EINVAL);
	}
	if (tapbridge_is_port(dev)) {
		struct tapbridge_port *port = tapbridge_port_get_rtnl(dev);

		NL_SET_ERR_MSG_FMT(extack, "%s %s is already port %c of %s",
				   role, dev->name,
				   port->dir == TAPBRIDGE_PORT_A ? 'A' : 'B',
				   port->tbr->dev->name);
		return ERR_PTR(-EBUSY);
	}
	if (tapbridge_is_mirror(dev) &&
	    tapbridge_mirror_get_rtnl(dev)->tbr != tbr) {
		NL_SET_ERR_MSG_FMT(extack, "%s %s is already a mirror of %s",
				   role, dev->name,
				   tapbridge_mirror_get_rtnl(dev)->tbr->dev->name);
		return ERR_PTR(-EBUSY);
	}
	master = netdev_master_upper_dev_get(dev);
	if (master) {
		NL_SET_ERR_MSG_FMT(extack, "%s %s already has a master, %s",
				   role, dev->name, master->name);
		return ERR_PTR(-EBUSY);
	}
	/*
	 * vlan_do_receive and macvlan's handler see frames before ours: a
	 * VLAN device on a port would take its VLAN off the wire, one on a
	 * mirror would let a sensor send into the host.
	 */
	if (netdev_has_any_upper_dev(dev)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s %s has upper devices: they would see its frames first",
				   role, dev->name);
		return ERR_PTR(-EBUSY);
	}
	return dev;
}

/**
 * tapbridge_resolve_port - look up a device that is to become a port
 * @net: the netns of the request
 * @ifindex: the device's ifindex
 * @role: "port-a" or "port-b", for messages
 * @extack: where a refusal is reported
 *
 * Context: RTNL.
 * Return: the device (no reference taken) or an ERR_PTR with @extack set.
 */
struct net_device *tapbridge_resolve_port(struct net *net, u32 ifindex,
					  const char *role,
					  struct netlink_ext_ack *extack)
{
	return tapbridge_resolve(net, ifindex, role, NULL, extack);
}

/* The other end of a veth-like pair, or NULL. Context: RTNL. */
static struct net_device *tapbridge_peer(struct net_device *dev)
{
	struct net_device *peer = NULL;

	if (dev->netdev_ops->ndo_get_peer_dev) {
		rcu_read_lock();
		peer = dev->netdev_ops->ndo_get_peer_dev(dev);
		rcu_read_unlock();
	}
	return peer;
}

/*
 * Where a frame can go once it is sent on a device, through the links the
 * kernel exposes: down to the device's lower devices (a VLAN device's real
 * device, a bridge's or bond's ports), across a veth-like pair to the
 * peer, and from a device that receives it up to its upper devices and,
 * when the upper is its master (a bridge, another TAP), out the master's
 * other lower devices. Each step is a (device, receives) state; the walk
 * is breadth first, over at most TAPBRIDGE_WALK_MAX states.
 */
#define TAPBRIDGE_WALK_MAX 64

struct tapbridge_walk {
	unsigned int count;
	struct {
		struct net_device *dev;
		bool rx;
	} state[TAPBRIDGE_WALK_MAX];
};

/* Add a state unless it is there; false when the walk is full. */
static bool tapbridge_walk_add(struct tapbridge_walk *walk,
			       struct net_device *dev, bool rx)
{
	unsigned int i;

	/* A TAP instance is no path: its ports are where loops end. */
	if (dev->rtnl_link_ops == &tapbridge_link_ops)
		return true;
	for (i = 0; i < walk->count; i++)
		if (walk->state[i].dev == dev && walk->state[i].rx == rx)
			return true;
	if (walk->count == TAPBRIDGE_WALK_MAX)
		return false;
	walk->state[walk->count].dev = dev;
	walk->state[walk->count].rx = rx;
	walk->count++;
	return true;
}

/* The next states of state @i. Context: RTNL. */
static bool tapbridge_walk_step(struct tapbridge_walk *walk, unsigned int i)
{
	struct net_device *dev = walk->state[i].dev;
	struct net_device *next, *master, *peer;
	struct list_head *iter;
	bool ok = true;

	if (!walk->state[i].rx) {
		netdev_for_each_lower_dev(dev, next, iter)
			ok = ok && tapbridge_walk_add(walk, next, false);
		peer = tapbridge_peer(dev);
		return ok && (!peer || tapbridge_walk_add(walk, peer, true));
	}

	master = netdev_master_upper_dev_get(dev);
	rcu_read_lock();
	netdev_for_each_upper_dev_rcu(dev, next, iter)
		ok = ok && tapbridge_walk_add(walk, next, true);
	rcu_read_unlock();
	if (master && master->rtnl_link_ops != &tapbridge_link_ops)
		netdev_for_each_lower_dev(master, next, iter)
			if (next != dev)
				ok = ok && tapbridge_walk_add(walk, next, false);
	return ok;
}

/* @dev is @port, or below it (the real device of a VLAN port, ...). */
static bool tapbridge_on_link_of(struct net_device *dev,
				 struct net_device *port)
{
	bool below;

	if (dev == port)
		return true;
	rcu_read_lock();
	below = netdev_has_upper_dev_all_rcu(dev, port);
	rcu_read_unlock();
	return below;
}

/**
 * tapbridge_check_reach - refuse a device whose frames reach a port
 * @from: the device, as the sender of copies (a mirror) or of forwarded
 *	frames (port A)
 * @role: its role, for messages
 * @ports: the ports its frames must not reach; NULL entries are skipped
 * @extack: where a refusal is reported
 *
 * A frame sent on @from that is received on a port loops through the TAP;
 * one sent on a port's own link (the port, or a device below it) is added
 * to the link the TAP taps. Either is refused, however many devices lie
 * between, as far as the kernel shows the links.
 *
 * Context: RTNL.
 * Return: 0, or -ELOOP with @extack naming the port and the way there.
 */
int tapbridge_check_reach(struct net_device *from, const char *role,
			  struct net_device * const *ports,
			  struct netlink_ext_ack *extack)
{
	struct tapbridge_walk *walk;
	struct net_device *dev;
	unsigned int i;
	int port, err = 0;

	ASSERT_RTNL();

	walk = kzalloc(sizeof(*walk), GFP_KERNEL);
	if (!walk)
		return -ENOMEM;
	tapbridge_walk_add(walk, from, false);
	for (i = 0; i < walk->count && !err; i++) {
		dev = walk->state[i].dev;
		for (port = 0; port < TAPBRIDGE_DIR_COUNT; port++) {
			if (!ports[port] || dev == from ||
			    !tapbridge_on_link_of(dev, ports[port]))
				continue;
			if (dev == ports[port])
				NL_SET_ERR_MSG_FMT(extack,
						   "%s %s reaches port %c %s: frames would loop",
						   role, from->name,
						   port == TAPBRIDGE_PORT_A ? 'A' : 'B',
						   dev->name);
			else
				NL_SET_ERR_MSG_FMT(extack,
						   "%s %s reaches port %c via %s: frames would loop",
						   role, from->name,
						   port == TAPBRIDGE_PORT_A ? 'A' : 'B',
						   dev->name);
			err = -ELOOP;
			break;
		}
		if (!err && !tapbridge_walk_step(walk, i)) {
			NL_SET_ERR_MSG_FMT(extack,
					   "%s %s: over %d devices behind it, cannot rule out a loop",
					   role, from->name, TAPBRIDGE_WALK_MAX);
			err = -ELOOP;
		}
	}
	kfree(walk);
	return err;
}

/**
 * tapbridge_check_port_pair - refuse two ports whose frames reach each other
 * @ports: ports A and B, resolved
 * @extack: where a refusal is reported
 *
 * Two ends of one veth as ports A and B, or two ports joined further out
 * (their peers in one bridge), would send every forwarded frame back in: a
 * packet storm, not a TAP.
 *
 * Context: RTNL.
 * Return: 0 or -ELOOP with @extack set.
 */
int tapbridge_check_port_pair(struct net_device * const *ports,
			      struct netlink_ext_ack *extack)
{
	struct net_device *other[TAPBRIDGE_DIR_COUNT] = {
		[TAPBRIDGE_PORT_B] = ports[TAPBRIDGE_PORT_B],
	};

	if (tapbridge_peer(ports[TAPBRIDGE_PORT_A]) == ports[TAPBRIDGE_PORT_B]) {
		NL_SET_ERR_MSG_FMT(extack,
				   "port-a %s and port-b %s are peers: frames would loop",
				   ports[TAPBRIDGE_PORT_A]->name,
				   ports[TAPBRIDGE_PORT_B]->name);
		return -ELOOP;
	}
	return tapbridge_check_reach(ports[TAPBRIDGE_PORT_A], "port-a", other,
				     extack);
}

/**
 * tapbridge_resolve_mirror - look up a device that is to become a mirror
 * @net: the netns of the request
 * @ifindex: the device's ifindex
 * @role: "mirror", "mirror-ab" or "mirror-ba", for messages
 * @tbr: the instance, whose own mirrors may be named again; NULL when
 *	it is being created
 * @ports: the instance's ports A and B
 * @extack: where a refusal is reported
 *
 * A device is the mirror of one instance at most, and must not loop its
 * copies back into the instance: a veth whose peer is one of the
 * instance's ports would send every copy back in as a new frame.
 *
 * Context: RTNL.
 * Return: the device (no reference taken) or an ERR_PTR with @extack set.
 */
struct net_device *tapbridge_resolve_mirror(struct net *net, u32 ifindex,
					    const char *role,
					    const struct tapbridge *tbr,
					    struct net_device * const *ports,
					    struct netlink_ext_ack *extack)
{
	struct net_device *dev = tapbridge_resolve(net, ifindex, role, tbr,
						   extack);
	struct net_device *peer;
	int port, err;

	if (IS_ERR(dev))
		return dev;

	peer = tapbridge_peer(dev);
	for (port = 0; port < TAPBRIDGE_DIR_COUNT; port++) {
		if (peer && peer == ports[port]) {
			NL_SET_ERR_MSG_FMT(extack,
					   "%s %s is the peer of port %c: copies would loop",
					   role, dev->name,
					   port == TAPBRIDGE_PORT_A ? 'A' : 'B');
			return ERR_PTR(-ELOOP);
		}
	}
	err = tapbridge_check_reach(dev, role, ports, extack);
	if (err)
		return ERR_PTR(err);
	return dev;
}

/* The largest MTU of the two ports. Context: RTNL. */
static unsigned int tapbridge_port_mtu(const struct tapbridge *tbr)
{
	struct tapbridge_port *port;
	unsigned int mtu = 0;
	int dir;

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		port = rtnl_dereference(tbr->port[dir]);
		if (port)
			mtu = max(mtu, port->dev->mtu);
	}
	return mtu;
}

/**
 * tapbridge_warnings_get - what in a configuration works but loses frames
 * @tbr: the instance
 * @warnings: filled with the warnings
 *
 * Ports of different MTUs drop the larger frames of one direction; a
 * mirror smaller than the ports drops the larger copies (unless they are
 * sliced to fit). Both are allowed, and reported at configuration time and
 * in every get reply.
 *
 * Context: RTNL.
 */
void tapbridge_warnings_get(const struct tapbridge *tbr,
			    struct tapbridge_warnings *warnings)
{
	struct tapbridge_port *a = rtnl_dereference(tbr->port[TAPBRIDGE_PORT_A]);
	struct tapbridge_port *b = rtnl_dereference(tbr->port[TAPBRIDGE_PORT_B]);
	const struct tapbridge_mirror_set *set = rtnl_dereference(tbr->mirrors);
	unsigned int port_mtu = tapbridge_port_mtu(tbr);
	const struct tapbridge_mirror *mirror;
	const struct net_device *dev;
	unsigned int i;

	warnings->count = 0;
	if (a && b && a->dev->mtu != b->dev->mtu)
		snprintf(warnings->text[warnings->count++], TAPBRIDGE_WARNING_LEN,
			 "MTUs of port-a (%u) and port-b (%u) differ: larger frames are dropped",
			 a->dev->mtu, b->dev->mtu);

	for (i = 0; set && i < set->count; i++) {
		mirror = set->all[i];
		dev = rtnl_dereference(mirror->dev);
		if (!dev || dev->mtu >= port_mtu)
			continue;
		if (mirror->conf.snaplen &&
		    mirror->conf.snaplen <= ETH_HLEN + dev->mtu)
			continue;
		snprintf(warnings->text[warnings->count++], TAPBRIDGE_WARNING_LEN,
			 "mirror %s MTU %u < ports' %u: larger copies are dropped",
			 dev->name, dev->mtu, port_mtu);
	}
}
