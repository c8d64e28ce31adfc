// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "tapbridge": hand-written handlers for the
 * ops, policies and family that netlink-gen.c generates from
 * uapi/tapbridge.yaml.
 *
 * The family has parallel_ops: each handler takes RTNL itself, and looks
 * devices up only in the netns of the request. Every op needs
 * CAP_NET_ADMIN (GENL_ADMIN_PERM, from the spec).
 */

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

static const char *tapbridge_nl_mirror_role(enum tapbridge_mode mode,
					    enum tapbridge_dir dir)
{
	if (mode == TAPBRIDGE_MODE_AGGREGATE)
		return "mirror";
	return dir == TAPBRIDGE_DIR_AB ? "mirror-ab" : "mirror-ba";
}

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

static u32 tapbridge_nl_get_u32(struct genl_info *info, int type)
{
	return info->attrs[type] ? nla_get_u32(info->attrs[type]) : 0;
}

/* The mode and mirrors of a create or set request. */
static void tapbridge_nl_parse_mirrors(struct genl_info *info,
				       struct tapbridge_request *req)
{
	req->mode = tapbridge_nl_get_u32(info, TAPBRIDGE_A_INSTANCE_MODE);
	req->mirror = tapbridge_nl_get_u32(info, TAPBRIDGE_A_INSTANCE_MIRROR);
	req->mirror_dir[TAPBRIDGE_DIR_AB] =
		tapbridge_nl_get_u32(info, TAPBRIDGE_A_INSTANCE_MIRROR_AB);
	req->mirror_dir[TAPBRIDGE_DIR_BA] =
		tapbridge_nl_get_u32(info, TAPBRIDGE_A_INSTANCE_MIRROR_BA);
}

/* Look up the mirror devices of a validated request. Context: RTNL. */
static int tapbridge_nl_resolve_mirrors(struct net *net,
					const struct tapbridge_request *req,
					struct net_device * const *ports,
					struct net_device **mirrors,
					struct netlink_ext_ack *extack)
{
	const char *role;
	u32 ifindex;
	int dir;

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		ifindex = tapbridge_request_mirror(req, dir);
		role = tapbridge_nl_mirror_role(req->mode, dir);
		mirrors[dir] = tapbridge_resolve_mirror(net, ifindex, role,
							ports, extack);
		if (IS_ERR(mirrors[dir]))
			return PTR_ERR(mirrors[dir]);
	}
	return 0;
}

/* The instance named by a request's ifindex or name. Context: RTNL. */
static struct tapbridge *tapbridge_nl_instance(struct genl_info *info)
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

static int tapbridge_nl_put_stats(struct sk_buff *msg, int type,
				  const struct tapbridge *tbr,
				  enum tapbridge_dir dir)
{
	struct tapbridge_stats s;
	struct nlattr *nest;

	tapbridge_stats_read(tbr, dir, &s);

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

/* The ifindex of a present mirror under an attribute. Context: RTNL. */
static int tapbridge_nl_put_mirror(struct sk_buff *msg, int type,
				   const struct tapbridge *tbr,
				   enum tapbridge_dir dir)
{
	struct tapbridge_mirror *mirror = rtnl_dereference(tbr->mirror[dir]);

	if (!mirror)
		return 0;
	return nla_put_u32(msg, type, mirror->dev->ifindex);
}

/* One instance as a TAPBRIDGE_CMD_GET reply. Context: RTNL. */
static int tapbridge_nl_fill(struct sk_buff *msg, const struct tapbridge *tbr,
			     u32 portid, u32 seq, int flags,
			     struct netlink_callback *cb)
{
	struct tapbridge_port *port;
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
	    nla_put_u32(msg, TAPBRIDGE_A_INSTANCE_MODE, tbr->mode))
		goto err_cancel;

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		port = rtnl_dereference(tbr->port[dir]);
		if (port && nla_put_u32(msg, dir == TAPBRIDGE_PORT_A ?
					TAPBRIDGE_A_INSTANCE_PORT_A :
					TAPBRIDGE_A_INSTANCE_PORT_B,
					port->dev->ifindex))
			goto err_cancel;
	}

	if (tbr->mode == TAPBRIDGE_MODE_AGGREGATE) {
		if (tapbridge_nl_put_mirror(msg, TAPBRIDGE_A_INSTANCE_MIRROR,
					    tbr, TAPBRIDGE_DIR_AB))
			goto err_cancel;
	} else {
		if (tapbridge_nl_put_mirror(msg, TAPBRIDGE_A_INSTANCE_MIRROR_AB,
					    tbr, TAPBRIDGE_DIR_AB) ||
		    tapbridge_nl_put_mirror(msg, TAPBRIDGE_A_INSTANCE_MIRROR_BA,
					    tbr, TAPBRIDGE_DIR_BA))
			goto err_cancel;
	}

	if (tapbridge_nl_put_stats(msg, TAPBRIDGE_A_INSTANCE_STATS_AB, tbr,
				   TAPBRIDGE_DIR_AB) ||
	    tapbridge_nl_put_stats(msg, TAPBRIDGE_A_INSTANCE_STATS_BA, tbr,
				   TAPBRIDGE_DIR_BA))
		goto err_cancel;

	genlmsg_end(msg, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

int tapbridge_nl_create_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *ports[TAPBRIDGE_DIR_COUNT];
	struct net_device *mirrors[TAPBRIDGE_DIR_COUNT];
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct tapbridge_request req = {};
	struct net_device *dev;
	struct sk_buff *msg;
	const char *name;
	void *hdr;
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
	tapbridge_nl_parse_mirrors(info, &req);
	err = tapbridge_request_validate(&req, extack);
	if (err)
		return err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
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
	err = tapbridge_nl_resolve_mirrors(net, &req, ports, mirrors, extack);
	if (err)
		goto err_unlock;

	dev = tapbridge_instance_create(net, name, ports, req.mode, mirrors,
					extack);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto err_unlock;
	}

	hdr = genlmsg_iput(msg, info);
	if (!hdr ||
	    nla_put_u32(msg, TAPBRIDGE_A_INSTANCE_IFINDEX, dev->ifindex) ||
	    nla_put_string(msg, TAPBRIDGE_A_INSTANCE_NAME, dev->name)) {
		/* The instance exists; only the reply is lost. */
		rtnl_unlock();
		nlmsg_free(msg);
		return 0;
	}
	rtnl_unlock();
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

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

int tapbridge_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tapbridge_nl_dump_ctx *ctx = (void *)cb->ctx;
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	int err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));

	rtnl_lock();
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_dump(net, dev, ctx->ifindex) {
		if (dev->rtnl_link_ops != &tapbridge_link_ops)
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
	struct net_device *mirrors[TAPBRIDGE_DIR_COUNT];
	struct net_device *ports[TAPBRIDGE_DIR_COUNT];
	struct netlink_ext_ack *extack = info->extack;
	struct tapbridge_request req = {};
	struct tapbridge_port *port;
	struct tapbridge *tbr;
	int err, dir;

	if (!tapbridge_nl_require(info, TAPBRIDGE_A_INSTANCE_MODE, "mode"))
		return -EINVAL;
	tapbridge_nl_parse_mirrors(info, &req);

	rtnl_lock();
	tbr = tapbridge_nl_instance(info);
	if (IS_ERR(tbr)) {
		err = PTR_ERR(tbr);
		goto out_unlock;
	}
	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		port = rtnl_dereference(tbr->port[dir]);
		ports[dir] = port ? port->dev : NULL;
		req.port[dir] = port ? port->dev->ifindex : 0;
	}
	err = tapbridge_request_validate(&req, extack);
	if (err)
		goto out_unlock;
	err = tapbridge_nl_resolve_mirrors(genl_info_net(info), &req, ports,
					   mirrors, extack);
	if (err)
		goto out_unlock;
	err = tapbridge_mirror_set(tbr, req.mode, mirrors);
out_unlock:
	rtnl_unlock();
	return err;
}

/**
 * tapbridge_netlink_init - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int tapbridge_netlink_init(void)
{
	return genl_register_family(&tapbridge_nl_family);
}

/**
 * tapbridge_netlink_uninit - unregister the generic netlink family
 */
void tapbridge_netlink_uninit(void)
{
	genl_unregister_family(&tapbridge_nl_family);
}
