// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "tapbridge": hand-written handlers for the
 * ops, policies and family that netlink-gen.c generates from
 * uapi/tapbridge.yaml, and the events multicast group.
 *
 * The family has parallel_ops: each handler takes RTNL itself, and looks
 * devices up only in the netns of the request. Every op needs
 * CAP_NET_ADMIN (GENL_ADMIN_PERM, from the spec), and so does subscribing
 * to the events.
 */

#include <linux/if_ether.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink-gen.h"
#include "tapbridge.h"

static const char * const tapbridge_nl_port_role[TAPBRIDGE_DIR_COUNT] = {
	[TAPBRIDGE_PORT_A] = "port-a",
	[TAPBRIDGE_PORT_B] = "port-b",
};

/* A required attribute, reported by name and by type when missing. */
static bool tapbridge_nl_require(struct genl_info *info, int type,
				 const char *name)
{
	if (info->attrs[type])
		return true;
	NL_SET_ERR_MSG_FMT(info->extack, "missing attribute %s", name);
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
	return false;
}

static u32 tapbridge_nl_get_u32(const struct genl_info *info, int type)
{
	return info->attrs[type] ? nla_get_u32(info->attrs[type]) : 0;
}

/* The preset mode and its mirrors, from a create or set request. */
static void tapbridge_nl_parse_preset(struct genl_info *info,
				      struct tapbridge_request *req)
{
	req->mode = tapbridge_nl_get_u32(info, TAPBRIDGE_A_INSTANCE_MODE);
	req->mirror = tapbridge_nl_get_u32(info, TAPBRIDGE_A_INSTANCE_MIRROR);
	req->mirror_dir[TAPBRIDGE_DIR_AB] =
		tapbridge_nl_get_u32(info, TAPBRIDGE_A_INSTANCE_MIRROR_AB);
	req->mirror_dir[TAPBRIDGE_DIR_BA] =
		tapbridge_nl_get_u32(info, TAPBRIDGE_A_INSTANCE_MIRROR_BA);
}

static const char *tapbridge_nl_preset_role(const struct tapbridge_request *req,
					    const struct tapbridge_mirror_conf *conf)
{
	if (req->mode == TAPBRIDGE_MODE_AGGREGATE)
		return "mirror";
	return conf->dirs & BIT(TAPBRIDGE_DIR_AB) ? "mirror-ab" : "mirror-ba";
}

/*
 * The mirror list of a validated preset request, with its devices looked
 * up. @tbr is NULL while creating. Context: RTNL.
 */
static int tapbridge_nl_resolve_preset(struct net *net,
				       const struct tapbridge_request *req,
				       const struct tapbridge *tbr,
				       struct net_device * const *ports,
				       struct tapbridge_mirror_conf *confs,
				       struct net_device **devs,
				       unsigned int *n,
				       struct netlink_ext_ack *extack)
{
	unsigned int i;

	*n = tapbridge_request_confs(req, confs);
	for (i = 0; i < *n; i++) {
		devs[i] = tapbridge_resolve_mirror(net, confs[i].ifindex,
						   tapbridge_nl_preset_role(req, &confs[i]),
						   tbr, ports, extack);
		if (IS_ERR(devs[i]))
			return PTR_ERR(devs[i]);
	}
	return 0;
}

/* The instance named by a request's ifindex or name. Context: RTNL. */
static struct tapbridge *tapbridge_nl_instance(const struct genl_info *info)
{
	const char *name = NULL;

	if (!info->attrs[TAPBRIDGE_A_INSTANCE_IFINDEX] &&
	    !info->attrs[TAPBRIDGE_A_INSTANCE_NAME]) {
		NL_SET_ERR_MSG(info->extack,
			       "missing attribute ifindex or name of the instance");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL,
				     TAPBRIDGE_A_INSTANCE_NAME);
		return ERR_PTR(-EINVAL);
	}
	if (info->attrs[TAPBRIDGE_A_INSTANCE_NAME])
		name = nla_data(info->attrs[TAPBRIDGE_A_INSTANCE_NAME]);
	return tapbridge_instance_find(genl_info_net(info),
				       tapbridge_nl_get_u32(info, TAPBRIDGE_A_INSTANCE_IFINDEX),
				       name, info->extack);
}

/* Ports of an instance, for the mirror checks. Context: RTNL. */
static void tapbridge_nl_ports(const struct tapbridge *tbr,
			       struct net_device **ports)
{
	struct tapbridge_port *port;
	int dir;

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		port = rtnl_dereference(tbr->port[dir]);
		ports[dir] = port ? port->dev : NULL;
	}
}

static bool tapbridge_nl_rx_all_wanted(struct genl_info *info)
{
	return info->attrs[TAPBRIDGE_A_INSTANCE_RX_ALL] &&
	       nla_get_u8(info->attrs[TAPBRIDGE_A_INSTANCE_RX_ALL]);
}

/*
 * rx-all of create and set, when given. The caller ran
 * tapbridge_rx_all_check() when it is asked for; a driver can still
 * refuse, and then nothing changed. Context: RTNL.
 */
static int tapbridge_nl_apply_rx_all(struct tapbridge *tbr,
				     struct genl_info *info)
{
	if (!info->attrs[TAPBRIDGE_A_INSTANCE_RX_ALL])
		return 0;
	return tapbridge_rx_all_set(tbr, tapbridge_nl_rx_all_wanted(info),
				    info->extack);
}

/*
 * Link propagation and its hold-down, of create and set. Attributes not
 * given leave an option as it is. Cannot fail. Context: RTNL.
 */
static void tapbridge_nl_apply_propagation(struct tapbridge *tbr,
					   struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	bool propagation = tbr->link_propagation;
	u32 hold_down = tbr->hold_down;

	if (attrs[TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION])
		propagation = nla_get_u8(attrs[TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION]);
	if (attrs[TAPBRIDGE_A_INSTANCE_HOLD_DOWN])
		hold_down = nla_get_u32(attrs[TAPBRIDGE_A_INSTANCE_HOLD_DOWN]);
	tapbridge_propagation_set(tbr, propagation, hold_down);
}

/*
 * port-loss of create and set, when given, after tapbridge_nl_check_port_loss
 * passed. Context: RTNL.
 */
static void tapbridge_nl_apply_port_loss(struct tapbridge *tbr,
					 struct genl_info *info)
{
	if (info->attrs[TAPBRIDGE_A_INSTANCE_PORT_LOSS])
		tbr->port_loss = nla_get_u32(info->attrs[TAPBRIDGE_A_INSTANCE_PORT_LOSS]);
}

static int tapbridge_nl_check_port_loss(const struct tapbridge *tbr,
					struct genl_info *info)
{
	struct nlattr *attr = info->attrs[TAPBRIDGE_A_INSTANCE_PORT_LOSS];
	int err;

	if (!attr)
		return 0;
	err = tapbridge_port_loss_check(tbr, nla_get_u32(attr), info->extack);
	if (err)
		NL_SET_BAD_ATTR(info->extack, attr);
	return err;
}

/* Capture as a request leaves it: the attribute, else the instance's. */
static bool tapbridge_nl_capture_wanted(const struct tapbridge *tbr,
					struct genl_info *info)
{
	struct nlattr *attr = info->attrs[TAPBRIDGE_A_INSTANCE_CAPTURE];

	if (attr)
		return nla_get_u8(attr);
	return tbr && tbr->capture;
}

/*
 * Whether capture may become what @info asks: on needs an instance
 * device without uppers; off needs a mirror for aggregate mode, which
 * without capture would copy nowhere. @req_mode is the mode the request
 * presets, 0 for none. Context: RTNL.
 */
static int tapbridge_nl_check_capture(const struct tapbridge *tbr,
				      struct genl_info *info, u32 req_mode)
{
	struct nlattr *attr = info->attrs[TAPBRIDGE_A_INSTANCE_CAPTURE];
	const struct tapbridge_mirror_set *set = rtnl_dereference(tbr->mirrors);
	int err = 0;

	if (!attr || nla_get_u8(attr) == tbr->capture)
		return 0;
	if (nla_get_u8(attr)) {
		err = tapbridge_capture_check(tbr, info->extack);
	} else if (!req_mode && tbr->mode == TAPBRIDGE_MODE_AGGREGATE &&
		   !set->count) {
		NL_SET_ERR_MSG_FMT(info->extack,
				   "%s has no mirror: aggregate mode needs capture on",
				   tbr->dev->name);
		err = -EINVAL;
	}
	if (err)
		NL_SET_BAD_ATTR(info->extack, attr);
	return err;
}

/*
 * capture and wire-tstamp of create and set, when given, after
 * tapbridge_nl_check_capture passed. The datapath reads both with
 * READ_ONCE. Context: RTNL.
 */
static void tapbridge_nl_apply_capture(struct tapbridge *tbr,
				       struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;

	if (attrs[TAPBRIDGE_A_INSTANCE_CAPTURE])
		WRITE_ONCE(tbr->capture,
			   nla_get_u8(attrs[TAPBRIDGE_A_INSTANCE_CAPTURE]));
	if (attrs[TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP])
		WRITE_ONCE(tbr->wire_tstamp,
			   nla_get_u8(attrs[TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP]));
}

/* Port A or B: its device, or the name its slot waits for. Context: RTNL. */
static int tapbridge_nl_put_port(struct sk_buff *msg,
				 const struct tapbridge *tbr,
				 enum tapbridge_dir dir)
{
	static const int attrs[TAPBRIDGE_DIR_COUNT][5] = {
		[TAPBRIDGE_PORT_A] = {
			TAPBRIDGE_A_INSTANCE_PORT_A,
			TAPBRIDGE_A_INSTANCE_PORT_A_STATE,
			TAPBRIDGE_A_INSTANCE_PORT_A_NAME,
			TAPBRIDGE_A_INSTANCE_PORT_A_LOSSES,
			TAPBRIDGE_A_INSTANCE_PORT_A_RETURNS,
		},
		[TAPBRIDGE_PORT_B] = {
			TAPBRIDGE_A_INSTANCE_PORT_B,
			TAPBRIDGE_A_INSTANCE_PORT_B_STATE,
			TAPBRIDGE_A_INSTANCE_PORT_B_NAME,
			TAPBRIDGE_A_INSTANCE_PORT_B_LOSSES,
			TAPBRIDGE_A_INSTANCE_PORT_B_RETURNS,
		},
	};
	const struct tapbridge_port *port = rtnl_dereference(tbr->port[dir]);
	const int *a = attrs[dir];

	if (port) {
		if (nla_put_u32(msg, a[0], port->dev->ifindex) ||
		    nla_put_u32(msg, a[1], TAPBRIDGE_PORT_STATE_ATTACHED) ||
		    nla_put_string(msg, a[2], port->dev->name))
			return -EMSGSIZE;
	} else if (tbr->wait_name[dir][0]) {
		if (nla_put_u32(msg, a[1], TAPBRIDGE_PORT_STATE_WAITING) ||
		    nla_put_string(msg, a[2], tbr->wait_name[dir]))
			return -EMSGSIZE;
	}
	if (nla_put_u64_64bit(msg, a[3], tbr->losses[dir],
			      TAPBRIDGE_A_INSTANCE_PAD) ||
	    nla_put_u64_64bit(msg, a[4], tbr->returns[dir],
			      TAPBRIDGE_A_INSTANCE_PAD))
		return -EMSGSIZE;
	return 0;
}

static int tapbridge_nl_put_stats(struct sk_buff *msg, int type,
				  const struct tapbridge *tbr,
				  enum tapbridge_dir dir)
{
	struct tapbridge_stats s;
	struct nlattr *nest;

	tapbridge_stats_since_reset(tbr, dir, &s);

	nest = nla_nest_start(msg, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, TAPBRIDGE_A_STATS_RX_PACKETS, s.rx_packets,
			      TAPBRIDGE_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_STATS_RX_BYTES, s.rx_bytes,
			      TAPBRIDGE_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_STATS_FWD_PACKETS, s.fwd_packets,
			      TAPBRIDGE_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_STATS_FWD_BYTES, s.fwd_bytes,
			      TAPBRIDGE_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_STATS_FWD_DROPS, s.fwd_drops,
			      TAPBRIDGE_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_STATS_FWD_OVERSIZE,
			      s.fwd_oversize, TAPBRIDGE_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_STATS_MIRROR_PACKETS,
			      s.mirror_packets, TAPBRIDGE_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_STATS_MIRROR_BYTES,
			      s.mirror_bytes, TAPBRIDGE_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_STATS_MIRROR_DROPS,
			      s.mirror_drops, TAPBRIDGE_A_STATS_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* One entry of the mirror list, options and counters. Context: RTNL. */
static int tapbridge_nl_put_mirror(struct sk_buff *msg,
				   const struct tapbridge_mirror *mirror)
{
	const struct tapbridge_mirror_conf *conf = &mirror->conf;
	struct net_device *dev = rtnl_dereference(mirror->dev);
	struct tapbridge_mirror_stats s;
	struct nlattr *nest;
	u32 direction;

	direction = conf->dirs == (BIT(TAPBRIDGE_DIR_AB) | BIT(TAPBRIDGE_DIR_BA)) ?
		    TAPBRIDGE_DIRECTION_BOTH :
		    conf->dirs & BIT(TAPBRIDGE_DIR_AB) ?
		    TAPBRIDGE_DIRECTION_A_B : TAPBRIDGE_DIRECTION_B_A;
	tapbridge_mirror_stats_since_reset(mirror, &s);

	nest = nla_nest_start(msg, TAPBRIDGE_A_INSTANCE_MIRRORS);
	if (!nest)
		return -EMSGSIZE;
	if ((dev && nla_put_u32(msg, TAPBRIDGE_A_MIRROR_IFINDEX, dev->ifindex)) ||
	    nla_put_u32(msg, TAPBRIDGE_A_MIRROR_DIRECTION, direction) ||
	    (conf->snaplen &&
	     nla_put_u32(msg, TAPBRIDGE_A_MIRROR_SNAPLEN, conf->snaplen)) ||
	    (conf->tag_vid[TAPBRIDGE_DIR_AB] &&
	     nla_put_u16(msg, TAPBRIDGE_A_MIRROR_TAG_VID_AB,
			 conf->tag_vid[TAPBRIDGE_DIR_AB])) ||
	    (conf->tag_vid[TAPBRIDGE_DIR_BA] &&
	     nla_put_u16(msg, TAPBRIDGE_A_MIRROR_TAG_VID_BA,
			 conf->tag_vid[TAPBRIDGE_DIR_BA])) ||
	    nla_put_u32(msg, TAPBRIDGE_A_MIRROR_TAG_TPID,
			conf->tag_proto == htons(ETH_P_8021AD) ?
			TAPBRIDGE_TPID_8021AD : TAPBRIDGE_TPID_8021Q) ||
	    nla_put_u8(msg, TAPBRIDGE_A_MIRROR_RX_PASS, conf->rx_pass) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_MIRROR_TX_PACKETS, s.tx_packets,
			      TAPBRIDGE_A_MIRROR_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_MIRROR_TX_BYTES, s.tx_bytes,
			      TAPBRIDGE_A_MIRROR_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_MIRROR_TX_DROPS, s.tx_drops,
			      TAPBRIDGE_A_MIRROR_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_MIRROR_SLICED, s.sliced,
			      TAPBRIDGE_A_MIRROR_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_MIRROR_OVERSIZE, s.oversize,
			      TAPBRIDGE_A_MIRROR_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_MIRROR_RX_DROPS, s.rx_drops,
			      TAPBRIDGE_A_MIRROR_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The ifindex of a live mirror under an attribute. Context: RTNL. */
static int tapbridge_nl_put_preset(struct sk_buff *msg, int type,
				   const struct tapbridge_mirror_set *set,
				   enum tapbridge_dir dir)
{
	struct net_device *dev;

	if (!set->dir_count[dir])
		return 0;
	dev = rtnl_dereference(set->dir[dir][0].mirror->dev);
	if (!dev)
		return 0;
	return nla_put_u32(msg, type, dev->ifindex);
}

static int tapbridge_nl_put_warnings(struct sk_buff *msg,
				     const struct tapbridge *tbr)
{
	struct tapbridge_warnings *warnings;
	unsigned int i;
	int err = 0;

	warnings = kmalloc(sizeof(*warnings), GFP_KERNEL);
	if (!warnings)
		return -ENOMEM;
	tapbridge_warnings_get(tbr, warnings);
	for (i = 0; i < warnings->count && !err; i++)
		err = nla_put_string(msg, TAPBRIDGE_A_INSTANCE_WARNING,
				     warnings->text[i]);
	kfree(warnings);
	return err;
}

/* One instance as a TAPBRIDGE_CMD_GET reply. Context: RTNL. */
static int tapbridge_nl_fill(struct sk_buff *msg, const struct tapbridge *tbr,
			     u32 portid, u32 seq, int flags,
			     struct netlink_callback *cb)
{
	const struct tapbridge_mirror_set *set = rtnl_dereference(tbr->mirrors);
	unsigned int i;
	void *hdr;
	int dir;

	hdr = genlmsg_put(msg, portid, seq, &tapbridge_nl_family, flags,
			  TAPBRIDGE_CMD_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(msg, TAPBRIDGE_A_INSTANCE_IFINDEX, tbr->dev->ifindex) ||
	    nla_put_string(msg, TAPBRIDGE_A_INSTANCE_NAME, tbr->dev->name) ||
	    nla_put_u32(msg, TAPBRIDGE_A_INSTANCE_MODE, tbr->mode) ||
	    nla_put_u8(msg, TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION,
		       tbr->link_propagation) ||
	    nla_put_u32(msg, TAPBRIDGE_A_INSTANCE_HOLD_DOWN, tbr->hold_down) ||
	    nla_put_u8(msg, TAPBRIDGE_A_INSTANCE_RX_ALL, tbr->rx_all) ||
	    nla_put_u8(msg, TAPBRIDGE_A_INSTANCE_CAPTURE, tbr->capture) ||
	    nla_put_u8(msg, TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP,
		       tbr->wire_tstamp) ||
	    nla_put_u32(msg, TAPBRIDGE_A_INSTANCE_PORT_LOSS, tbr->port_loss) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_INSTANCE_PROPAGATION_ACTIONS,
			      tbr->propagation_actions,
			      TAPBRIDGE_A_INSTANCE_PAD) ||
	    nla_put_u64_64bit(msg, TAPBRIDGE_A_INSTANCE_STATS_RESETS,
			      tbr->stats_resets, TAPBRIDGE_A_INSTANCE_PAD))
		goto err_cancel;

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++)
		if (tapbridge_nl_put_port(msg, tbr, dir))
			goto err_cancel;

	if (tbr->mode == TAPBRIDGE_MODE_AGGREGATE &&
	    tapbridge_nl_put_preset(msg, TAPBRIDGE_A_INSTANCE_MIRROR, set,
				    TAPBRIDGE_DIR_AB))
		goto err_cancel;
	if (tbr->mode == TAPBRIDGE_MODE_SPLIT &&
	    (tapbridge_nl_put_preset(msg, TAPBRIDGE_A_INSTANCE_MIRROR_AB, set,
				     TAPBRIDGE_DIR_AB) ||
	     tapbridge_nl_put_preset(msg, TAPBRIDGE_A_INSTANCE_MIRROR_BA, set,
				     TAPBRIDGE_DIR_BA)))
		goto err_cancel;
	for (i = 0; i < set->count; i++)
		if (tapbridge_nl_put_mirror(msg, set->all[i]))
			goto err_cancel;

	if (tapbridge_nl_put_stats(msg, TAPBRIDGE_A_INSTANCE_STATS_AB, tbr,
				   TAPBRIDGE_DIR_AB) ||
	    tapbridge_nl_put_stats(msg, TAPBRIDGE_A_INSTANCE_STATS_BA, tbr,
				   TAPBRIDGE_DIR_BA) ||
	    tapbridge_nl_put_warnings(msg, tbr))
		goto err_cancel;

	genlmsg_end(msg, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/*
 * After a change: the first warning goes into extack (a message on a
 * successful request is a warning), all of them into the reply, and the
 * change is announced. Context: RTNL.
 */
static int tapbridge_nl_changed(struct tapbridge *tbr, struct sk_buff *msg,
				struct genl_info *info,
				enum tapbridge_event_type event)
{
	struct tapbridge_warnings *warnings;
	void *hdr;

	warnings = kmalloc(sizeof(*warnings), GFP_KERNEL);
	if (warnings) {
		tapbridge_warnings_get(tbr, warnings);
		if (warnings->count)
			/* extack holds 80 bytes; real MTUs keep it shorter. */
			NL_SET_ERR_MSG_FMT(info->extack, "%.79s",
					   warnings->text[0]);
		kfree(warnings);
	}
	tapbridge_nl_event(tbr, event, NULL);
	if (event == TAPBRIDGE_EVENT_TYPE_CREATED)
		tbr->announced = true;

	hdr = genlmsg_iput(msg, info);
	if (!hdr)
		return -EMSGSIZE;
	if (event == TAPBRIDGE_EVENT_TYPE_CREATED &&
	    (nla_put_u32(msg, TAPBRIDGE_A_INSTANCE_IFINDEX, tbr->dev->ifindex) ||
	     nla_put_string(msg, TAPBRIDGE_A_INSTANCE_NAME, tbr->dev->name)))
		return -EMSGSIZE;
	if (tapbridge_nl_put_warnings(msg, tbr))
		return -EMSGSIZE;
	genlmsg_end(msg, hdr);
	return 0;
}

/*
 * Send the reply tapbridge_nl_changed() built. The change is made either
 * way: a reply that did not fit is dropped, not reported as a failure.
 */
static int tapbridge_nl_reply(struct sk_buff *msg, struct genl_info *info,
			      int err)
{
	if (err) {
		nlmsg_free(msg);
		return 0;
	}
	return genlmsg_reply(msg, info);
}

int tapbridge_nl_create_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tapbridge_mirror_conf confs[TAPBRIDGE_DIR_COUNT];
	struct net_device *mirrors[TAPBRIDGE_DIR_COUNT];
	struct net_device *ports[TAPBRIDGE_DIR_COUNT];
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct tapbridge_request req = {};
	unsigned int n_mirrors;
	struct net_device *dev;
	struct sk_buff *msg;
	const char *name;
	int err, dir;

	if (!tapbridge_nl_require(info, TAPBRIDGE_A_INSTANCE_NAME, "name") ||
	    !tapbridge_nl_require(info, TAPBRIDGE_A_INSTANCE_PORT_A, "port-a") ||
	    !tapbridge_nl_require(info, TAPBRIDGE_A_INSTANCE_PORT_B, "port-b") ||
	    !tapbridge_nl_require(info, TAPBRIDGE_A_INSTANCE_MODE, "mode"))
		return -EINVAL;

	name = nla_data(info->attrs[TAPBRIDGE_A_INSTANCE_NAME]);
	if (!dev_valid_name(name)) {
		NL_SET_ERR_MSG_FMT(extack, "\"%s\" is not a valid interface name",
				   name);
		NL_SET_BAD_ATTR(extack, info->attrs[TAPBRIDGE_A_INSTANCE_NAME]);
		return -EINVAL;
	}

	req.port[TAPBRIDGE_PORT_A] =
		nla_get_u32(info->attrs[TAPBRIDGE_A_INSTANCE_PORT_A]);
	req.port[TAPBRIDGE_PORT_B] =
		nla_get_u32(info->attrs[TAPBRIDGE_A_INSTANCE_PORT_B]);
	tapbridge_nl_parse_preset(info, &req);
	req.capture = tapbridge_nl_capture_wanted(NULL, info);
	err = tapbridge_request_validate(&req, extack);
	if (err)
		return err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
	if (tapbridge_device_closing()) {
		NL_SET_ERR_MSG(extack, "tapbridge is being unloaded");
		err = -ENODEV;
		goto err_unlock;
	}
	if (__dev_get_by_name(net, name)) {
		NL_SET_ERR_MSG_FMT(extack, "name %s is already in use", name);
		NL_SET_BAD_ATTR(extack, info->attrs[TAPBRIDGE_A_INSTANCE_NAME]);
		err = -EEXIST;
		goto err_unlock;
	}
	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		ports[dir] = tapbridge_resolve_port(net, req.port[dir],
						    tapbridge_nl_port_role[dir],
						    extack);
		if (IS_ERR(ports[dir])) {
			err = PTR_ERR(ports[dir]);
			goto err_unlock;
		}
	}
	err = tapbridge_check_port_pair(ports, extack);
	if (err)
		goto err_unlock;
	err = tapbridge_nl_resolve_preset(net, &req, NULL, ports, confs,
					  mirrors, &n_mirrors, extack);
	if (err)
		goto err_unlock;

	dev = tapbridge_instance_create(net, name, ports, req.mode, confs,
					mirrors, n_mirrors, extack);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto err_unlock;
	}
	if (tapbridge_nl_rx_all_wanted(info)) {
		err = tapbridge_rx_all_check(netdev_priv(dev), extack);
		if (err)
			goto err_unregister;
	}
	err = tapbridge_nl_apply_rx_all(netdev_priv(dev), info);
	if (err)
		goto err_unregister;
	tapbridge_nl_apply_propagation(netdev_priv(dev), info);
	tapbridge_nl_apply_port_loss(netdev_priv(dev), info);
	/* A new instance device has no upper: capture cannot be refused. */
	tapbridge_nl_apply_capture(netdev_priv(dev), info);

	err = tapbridge_nl_changed(netdev_priv(dev), msg, info,
				   TAPBRIDGE_EVENT_TYPE_CREATED);
	rtnl_unlock();
	return tapbridge_nl_reply(msg, info, err);

err_unregister:
	unregister_netdevice(dev);
err_unlock:
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}

int tapbridge_nl_delete_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tapbridge *tbr;
	int err = 0;

	rtnl_lock();
	tbr = tapbridge_nl_instance(info);
	if (IS_ERR(tbr))
		err = PTR_ERR(tbr);
	else
		unregister_netdevice(tbr->dev);
	rtnl_unlock();
	return err;
}

int tapbridge_nl_reset_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tapbridge *tbr;
	int err = 0;

	rtnl_lock();
	tbr = tapbridge_nl_instance(info);
	if (IS_ERR(tbr)) {
		err = PTR_ERR(tbr);
	} else {
		tapbridge_stats_reset(tbr);
		tapbridge_nl_event(tbr, TAPBRIDGE_EVENT_TYPE_STATS_RESET, NULL);
	}
	rtnl_unlock();
	return err;
}

int tapbridge_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tapbridge *tbr;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
	tbr = tapbridge_nl_instance(info);
	if (IS_ERR(tbr)) {
		err = PTR_ERR(tbr);
		goto err_unlock;
	}
	err = tapbridge_nl_fill(msg, tbr, info->snd_portid, info->snd_seq, 0,
				NULL);
	if (err)
		goto err_unlock;
	rtnl_unlock();
	return genlmsg_reply(msg, info);

err_unlock:
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}

/**
 * struct tapbridge_nl_dump_ctx - where a dump goes on
 * @ifindex: the next ifindex to look at
 */
struct tapbridge_nl_dump_ctx {
	unsigned long ifindex;
};

/*
 * A dump lists every instance of the netns, or, with ifindex or name, the
 * one they name (refused, as get refuses it, when there is none).
 */
int tapbridge_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct tapbridge_nl_dump_ctx *ctx = (void *)cb->ctx;
	struct net *net = sock_net(skb->sk);
	struct tapbridge *only = NULL;
	struct net_device *dev;
	int err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));

	rtnl_lock();
	if (info->attrs[TAPBRIDGE_A_INSTANCE_IFINDEX] ||
	    info->attrs[TAPBRIDGE_A_INSTANCE_NAME]) {
		only = tapbridge_nl_instance(info);
		if (IS_ERR(only)) {
			rtnl_unlock();
			return PTR_ERR(only);
		}
	}
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_dump(net, dev, ctx->ifindex) {
		if (dev->rtnl_link_ops != &tapbridge_link_ops)
			continue;
		if (only && netdev_priv(dev) != only)
			continue;
		err = tapbridge_nl_fill(skb, netdev_priv(dev),
					NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err)
			break;
	}
	rtnl_unlock();

	/* A full skb: send it, and go on from ctx->ifindex next time. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

int tapbridge_nl_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tapbridge_mirror_conf confs[TAPBRIDGE_DIR_COUNT];
	struct net_device *mirrors[TAPBRIDGE_DIR_COUNT];
	struct net_device *ports[TAPBRIDGE_DIR_COUNT];
	struct netlink_ext_ack *extack = info->extack;
	struct tapbridge_request req = {};
	unsigned int n_mirrors;
	struct tapbridge *tbr;
	struct sk_buff *msg;
	int err, dir;
	bool rx_all;

	tapbridge_nl_parse_preset(info, &req);
	if (!req.mode && (req.mirror || req.mirror_dir[TAPBRIDGE_DIR_AB] ||
			  req.mirror_dir[TAPBRIDGE_DIR_BA])) {
		NL_SET_ERR_MSG(extack, "mirrors are given with a mode");
		NL_SET_ERR_ATTR_MISS(extack, NULL, TAPBRIDGE_A_INSTANCE_MODE);
		return -EINVAL;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
	tbr = tapbridge_nl_instance(info);
	if (IS_ERR(tbr)) {
		err = PTR_ERR(tbr);
		goto err_unlock;
	}
	tapbridge_nl_ports(tbr, ports);

	/* Check everything before anything changes. */
	if (req.mode) {
		/* A slot that waits for its port has none to check. */
		for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++)
			req.port[dir] = ports[dir] ? ports[dir]->ifindex : 0;
		req.capture = tapbridge_nl_capture_wanted(tbr, info);
		err = tapbridge_request_validate(&req, extack);
		if (err)
			goto err_unlock;
		err = tapbridge_nl_resolve_preset(genl_info_net(info), &req,
						  tbr, ports, confs, mirrors,
						  &n_mirrors, extack);
		if (err)
			goto err_unlock;
	}
	if (tapbridge_nl_rx_all_wanted(info)) {
		err = tapbridge_rx_all_check(tbr, extack);
		if (err)
			goto err_unlock;
	}
	err = tapbridge_nl_check_port_loss(tbr, info);
	if (err)
		goto err_unlock;
	err = tapbridge_nl_check_capture(tbr, info, req.mode);
	if (err)
		goto err_unlock;

	/* The fallible changes, each undone when a later one fails. */
	rx_all = tbr->rx_all;
	err = tapbridge_nl_apply_rx_all(tbr, info);
	if (err)
		goto err_unlock;
	if (req.mode) {
		err = tapbridge_mirrors_replace(tbr, req.mode, confs, mirrors,
						n_mirrors, true, extack);
		if (err)
			goto err_restore_rx_all;
	}
	tapbridge_nl_apply_propagation(tbr, info);
	tapbridge_nl_apply_port_loss(tbr, info);
	tapbridge_nl_apply_capture(tbr, info);

	err = tapbridge_nl_changed(tbr, msg, info, TAPBRIDGE_EVENT_TYPE_CHANGED);
	rtnl_unlock();
	return tapbridge_nl_reply(msg, info, err);

err_restore_rx_all:
	/* Off cannot fail; back on, the drivers took it a moment ago. */
	tapbridge_rx_all_set(tbr, rx_all, NULL);
err_unlock:
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}

/*
 * The counters of a mirror entry are reply-only: a request that carries
 * one is refused, not silently ignored.
 */
static int tapbridge_nl_mirror_no_counters(struct genl_info *info,
					   struct nlattr **tb)
{
	static const int counters[] = {
		TAPBRIDGE_A_MIRROR_TX_PACKETS, TAPBRIDGE_A_MIRROR_TX_BYTES,
		TAPBRIDGE_A_MIRROR_TX_DROPS, TAPBRIDGE_A_MIRROR_SLICED,
		TAPBRIDGE_A_MIRROR_OVERSIZE, TAPBRIDGE_A_MIRROR_RX_DROPS,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		if (!tb[counters[i]])
			continue;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[counters[i]],
				    "mirror counters are read-only: they come in replies, not requests");
		return -EINVAL;
	}
	return 0;
}

/* Requests that carry one mirror: exactly one entry, parsed. */
static int tapbridge_nl_parse_mirror(struct genl_info *info,
				     struct nlattr **tb)
{
	const struct nlattr *attr;
	int rem, n = 0;

	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem)
		if (nla_type(attr) == TAPBRIDGE_A_INSTANCE_MIRRORS)
			n++;
	if (n != 1) {
		NL_SET_ERR_MSG(info->extack, "give exactly one mirror");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL,
				     TAPBRIDGE_A_INSTANCE_MIRRORS);
		return -EINVAL;
	}
	/* Validated against tapbridge_mirror_nl_policy by the op's policy. */
	nla_parse_nested(tb, TAPBRIDGE_A_MIRROR_MAX,
			 info->attrs[TAPBRIDGE_A_INSTANCE_MIRRORS],
			 tapbridge_mirror_nl_policy, info->extack);
	if (!tb[TAPBRIDGE_A_MIRROR_IFINDEX]) {
		NL_SET_ERR_MSG(info->extack, "missing attribute mirror ifindex");
		NL_SET_ERR_ATTR_MISS(info->extack,
				     info->attrs[TAPBRIDGE_A_INSTANCE_MIRRORS],
				     TAPBRIDGE_A_MIRROR_IFINDEX);
		return -EINVAL;
	}
	return tapbridge_nl_mirror_no_counters(info, tb);
}

/* The current list, as configurations and devices. Context: RTNL. */
static unsigned int tapbridge_nl_current(const struct tapbridge *tbr,
					 struct tapbridge_mirror_conf *confs,
					 struct net_device **devs)
{
	const struct tapbridge_mirror_set *set = rtnl_dereference(tbr->mirrors);
	unsigned int i, n = 0;

	for (i = 0; i < set->count; i++) {
		devs[n] = rtnl_dereference(set->all[i]->dev);
		if (!devs[n])
			continue;	/* unregistered: dropped from the list */
		confs[n++] = set->all[i]->conf;
	}
	return n;
}

/* A mirror entry of a request on top of @conf (defaults or current). */
static void tapbridge_nl_conf(struct nlattr **tb,
			      struct tapbridge_mirror_conf *conf)
{
	static const u8 dirs[] = {
		[TAPBRIDGE_DIRECTION_A_B] = BIT(TAPBRIDGE_DIR_AB),
		[TAPBRIDGE_DIRECTION_B_A] = BIT(TAPBRIDGE_DIR_BA),
		[TAPBRIDGE_DIRECTION_BOTH] = BIT(TAPBRIDGE_DIR_AB) |
					     BIT(TAPBRIDGE_DIR_BA),
	};

	if (tb[TAPBRIDGE_A_MIRROR_DIRECTION])
		conf->dirs = dirs[nla_get_u32(tb[TAPBRIDGE_A_MIRROR_DIRECTION])];
	if (tb[TAPBRIDGE_A_MIRROR_SNAPLEN])
		conf->snaplen = nla_get_u32(tb[TAPBRIDGE_A_MIRROR_SNAPLEN]);
	if (tb[TAPBRIDGE_A_MIRROR_TAG_VID_AB])
		conf->tag_vid[TAPBRIDGE_DIR_AB] =
			nla_get_u16(tb[TAPBRIDGE_A_MIRROR_TAG_VID_AB]);
	if (tb[TAPBRIDGE_A_MIRROR_TAG_VID_BA])
		conf->tag_vid[TAPBRIDGE_DIR_BA] =
			nla_get_u16(tb[TAPBRIDGE_A_MIRROR_TAG_VID_BA]);
	if (tb[TAPBRIDGE_A_MIRROR_TAG_TPID])
		conf->tag_proto =
			nla_get_u32(tb[TAPBRIDGE_A_MIRROR_TAG_TPID]) ==
			TAPBRIDGE_TPID_8021AD ? htons(ETH_P_8021AD) :
						htons(ETH_P_8021Q);
	if (tb[TAPBRIDGE_A_MIRROR_RX_PASS])
		conf->rx_pass = nla_get_u8(tb[TAPBRIDGE_A_MIRROR_RX_PASS]);
}

int tapbridge_nl_mirror_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tapbridge_mirror_conf confs[TAPBRIDGE_MIRROR_MAX + 1];
	struct net_device *devs[TAPBRIDGE_MIRROR_MAX + 1];
	struct nlattr *tb[TAPBRIDGE_A_MIRROR_MAX + 1];
	struct net_device *ports[TAPBRIDGE_DIR_COUNT];
	struct netlink_ext_ack *extack = info->extack;
	struct net_device *dev;
	struct tapbridge *tbr;
	struct sk_buff *msg;
	unsigned int n, i;
	int err;

	err = tapbridge_nl_parse_mirror(info, tb);
	if (err)
		return err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
	tbr = tapbridge_nl_instance(info);
	if (IS_ERR(tbr)) {
		err = PTR_ERR(tbr);
		goto err_unlock;
	}
	tapbridge_nl_ports(tbr, ports);
	dev = tapbridge_resolve_mirror(genl_info_net(info),
				       nla_get_u32(tb[TAPBRIDGE_A_MIRROR_IFINDEX]),
				       "mirror", tbr, ports, extack);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto err_unlock;
	}

	n = tapbridge_nl_current(tbr, confs, devs);
	for (i = 0; i < n; i++)
		if (devs[i] == dev)
			break;
	if (i == n) {
		/* A new mirror: both directions, whole frames, no tags. */
		memset(&confs[n], 0, sizeof(confs[n]));
		confs[n].dirs = BIT(TAPBRIDGE_DIR_AB) | BIT(TAPBRIDGE_DIR_BA);
		confs[n].tag_proto = htons(ETH_P_8021Q);
		devs[n++] = dev;
	}
	tapbridge_nl_conf(tb, &confs[i]);

	err = tapbridge_mirrors_replace(tbr, TAPBRIDGE_MODE_CUSTOM, confs, devs,
					n, false, extack);
	if (err)
		goto err_unlock;

	err = tapbridge_nl_changed(tbr, msg, info, TAPBRIDGE_EVENT_TYPE_CHANGED);
	rtnl_unlock();
	return tapbridge_nl_reply(msg, info, err);

err_unlock:
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}

int tapbridge_nl_mirror_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tapbridge_mirror_conf confs[TAPBRIDGE_MIRROR_MAX];
	struct net_device *devs[TAPBRIDGE_MIRROR_MAX];
	struct nlattr *tb[TAPBRIDGE_A_MIRROR_MAX + 1];
	struct netlink_ext_ack *extack = info->extack;
	struct tapbridge *tbr;
	unsigned int n, i;
	u32 ifindex;
	int err;

	err = tapbridge_nl_parse_mirror(info, tb);
	if (err)
		return err;
	ifindex = nla_get_u32(tb[TAPBRIDGE_A_MIRROR_IFINDEX]);

	rtnl_lock();
	tbr = tapbridge_nl_instance(info);
	if (IS_ERR(tbr)) {
		err = PTR_ERR(tbr);
		goto out_unlock;
	}
	n = tapbridge_nl_current(tbr, confs, devs);
	for (i = 0; i < n; i++)
		if (devs[i]->ifindex == ifindex)
			break;
	if (i == n) {
		NL_SET_ERR_MSG_FMT(extack, "ifindex %u is no mirror of %s",
				   ifindex, tbr->dev->name);
		err = -ENOENT;
		goto out_unlock;
	}
	for (; i + 1 < n; i++) {
		confs[i] = confs[i + 1];
		devs[i] = devs[i + 1];
	}
	err = tapbridge_mirrors_replace(tbr, TAPBRIDGE_MODE_CUSTOM, confs, devs,
					n - 1, false, extack);
	if (!err)
		tapbridge_nl_event(tbr, TAPBRIDGE_EVENT_TYPE_CHANGED, NULL);
out_unlock:
	rtnl_unlock();
	return err;
}

/**
 * tapbridge_nl_event - tell the events group what happened to an instance
 * @tbr: the instance
 * @type: what happened
 * @dev: the port or mirror concerned, or NULL
 *
 * An event that cannot be built is reported to the listeners as lost
 * (ENOBUFS on their sockets), never dropped silently.
 *
 * Context: RTNL, process context.
 */
void tapbridge_nl_event(const struct tapbridge *tbr,
			enum tapbridge_event_type type,
			const struct net_device *dev)
{
	struct net *net = dev_net(tbr->dev);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&tapbridge_nl_family, net,
				TAPBRIDGE_NLGRP_EVENTS))
		return;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto err_lost;
	hdr = genlmsg_put(msg, 0, 0, &tapbridge_nl_family, 0,
			  TAPBRIDGE_CMD_EVENT);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(msg, TAPBRIDGE_A_EVENT_TYPE, type) ||
	    nla_put_u32(msg, TAPBRIDGE_A_EVENT_IFINDEX, tbr->dev->ifindex) ||
	    nla_put_string(msg, TAPBRIDGE_A_EVENT_NAME, tbr->dev->name) ||
	    (dev && (nla_put_u32(msg, TAPBRIDGE_A_EVENT_DEV_IFINDEX,
				 dev->ifindex) ||
		     nla_put_string(msg, TAPBRIDGE_A_EVENT_DEV_NAME,
				    dev->name))))
		goto err_free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&tapbridge_nl_family, net, msg, 0,
				TAPBRIDGE_NLGRP_EVENTS, GFP_KERNEL);
	return;

err_free:
	nlmsg_free(msg);
err_lost:
	/*
	 * As rtnetlink does: the listeners' next read fails with ENOBUFS, so
	 * that they know they missed an event and can dump the state again.
	 */
	genl_set_err(&tapbridge_nl_family, net, 0, TAPBRIDGE_NLGRP_EVENTS,
		     -ENOBUFS);
}

/*
 * Subscribing to the events needs CAP_NET_ADMIN, as the spec says
 * (admin-perm). The 6.12 YNL generator does not emit mcast-group flags, so
 * the family is registered with this table instead of the generated one;
 * the group index is the generated TAPBRIDGE_NLGRP_EVENTS.
 */
static const struct genl_multicast_group tapbridge_nl_admin_mcgrps[] = {
	[TAPBRIDGE_NLGRP_EVENTS] = {
		.name = TAPBRIDGE_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/**
 * tapbridge_netlink_init - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int tapbridge_netlink_init(void)
{
	BUILD_BUG_ON(ARRAY_SIZE(tapbridge_nl_admin_mcgrps) != 1);
	tapbridge_nl_family.mcgrps = tapbridge_nl_admin_mcgrps;
	tapbridge_nl_family.n_mcgrps = ARRAY_SIZE(tapbridge_nl_admin_mcgrps);
	return genl_register_family(&tapbridge_nl_family);
}

/**
 * tapbridge_netlink_uninit - unregister the generic netlink family
 */
void tapbridge_netlink_uninit(void)
{
	genl_unregister_family(&tapbridge_nl_family);
}
