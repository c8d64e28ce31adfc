/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tapbridge: a software network TAP.
 *
 * An instance is a net_device of its own with two enslaved ports, A and B.
 * The rx_handler on each port sends every frame out the other port unchanged
 * and clones it to the mirror device of its direction. This header holds the
 * private structures and the rules for reading and changing them.
 *
 * Locking, in one place:
 * - Configuration (creating and deleting instances, enslaving and releasing
 *   ports, changing mirrors) runs under RTNL, always.
 * - The datapath (tapbridge_handle_frame) runs in softirq context under
 *   rcu_read_lock and takes no lock: it reads the port and mirror pointers
 *   below with rcu_dereference and counts into per-CPU u64_stats.
 * - Whatever the datapath may still hold is freed only after a grace
 *   period: port structs with kfree_rcu (after the rx_handler is gone),
 *   mirror structs and their device reference with call_rcu.
 */
#ifndef _TAPBRIDGE_H
#define _TAPBRIDGE_H

#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/tapbridge.h>

/**
 * enum tapbridge_dir - direction of a frame through the TAP
 * @TAPBRIDGE_DIR_AB: received on port A, sent out port B
 * @TAPBRIDGE_DIR_BA: received on port B, sent out port A
 * @TAPBRIDGE_DIR_COUNT: number of directions
 *
 * A port is indexed by the direction of the frames it receives, so
 * port[TAPBRIDGE_DIR_AB] is port A and the egress of direction @dir is
 * port[tapbridge_dir_reverse(dir)].
 */
enum tapbridge_dir {
	TAPBRIDGE_DIR_AB,
	TAPBRIDGE_DIR_BA,
	TAPBRIDGE_DIR_COUNT,
};

#define TAPBRIDGE_PORT_A TAPBRIDGE_DIR_AB
#define TAPBRIDGE_PORT_B TAPBRIDGE_DIR_BA

static inline enum tapbridge_dir tapbridge_dir_reverse(enum tapbridge_dir dir)
{
	return dir == TAPBRIDGE_DIR_AB ? TAPBRIDGE_DIR_BA : TAPBRIDGE_DIR_AB;
}

/**
 * struct tapbridge_dir_stats - counters of one direction on one CPU
 * @rx_packets: frames received on the ingress port
 * @rx_bytes: their bytes as on the wire (Ethernet header and VLAN tag in)
 * @fwd_packets: frames the egress port took
 * @fwd_bytes: their bytes
 * @fwd_drops: frames the egress port did not take, or that had no egress
 * @mirror_packets: copies a mirror device took
 * @mirror_bytes: their bytes
 * @mirror_drops: copies lost: no memory, no mirror, or the mirror refused
 */
struct tapbridge_dir_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t fwd_packets;
	u64_stats_t fwd_bytes;
	u64_stats_t fwd_drops;
	u64_stats_t mirror_packets;
	u64_stats_t mirror_bytes;
	u64_stats_t mirror_drops;
};

/**
 * struct tapbridge_pcpu_stats - per-CPU counters of an instance
 * @dir: counters by direction
 * @syncp: writers are the datapath on this CPU (softirq, one update per
 *	frame); readers use u64_stats_fetch_begin/retry
 */
struct tapbridge_pcpu_stats {
	struct tapbridge_dir_stats dir[TAPBRIDGE_DIR_COUNT];
	struct u64_stats_sync syncp;
};

/**
 * struct tapbridge_stats - counters of one direction summed over all CPUs
 * @rx_packets: see struct tapbridge_dir_stats
 * @rx_bytes: see struct tapbridge_dir_stats
 * @fwd_packets: see struct tapbridge_dir_stats
 * @fwd_bytes: see struct tapbridge_dir_stats
 * @fwd_drops: see struct tapbridge_dir_stats
 * @mirror_packets: see struct tapbridge_dir_stats
 * @mirror_bytes: see struct tapbridge_dir_stats
 * @mirror_drops: see struct tapbridge_dir_stats
 */
struct tapbridge_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 fwd_packets;
	u64 fwd_bytes;
	u64 fwd_drops;
	u64 mirror_packets;
	u64 mirror_bytes;
	u64 mirror_drops;
};

struct tapbridge;

/**
 * struct tapbridge_port - one enslaved port (A or B)
 * @dev: the port device; a tracked reference is held while enslaved
 * @dev_tracker: tracker of that reference
 * @tbr: the instance the port belongs to
 * @dir: direction of the frames this port receives (A: a->b)
 * @opened: the port was down and enslaving brought it up
 * @had_lro: LRO was wanted on the port before it was disabled
 * @rcu: frees the struct after readers of dev->rx_handler_data are gone
 *
 * Published as rx_handler_data of @dev and in tapbridge::port; both are
 * read by the datapath under RCU and written under RTNL.
 */
struct tapbridge_port {
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	struct tapbridge *tbr;
	enum tapbridge_dir dir;
	bool opened;
	bool had_lro;
	struct rcu_head rcu;
};

/**
 * struct tapbridge_mirror - where the copies of one direction go
 * @dev: the mirror device; a tracked reference is held by this struct
 * @dev_tracker: tracker of that reference
 * @rcu: drops the reference and frees the struct after a grace period
 *
 * Immutable once published: a configuration change publishes a new one.
 * In aggregate mode both directions point to structs for the same device.
 */
struct tapbridge_mirror {
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	struct rcu_head rcu;
};

/**
 * struct tapbridge - an instance, the private area of its net_device
 * @dev: the instance device
 * @port: ports indexed by the direction they receive; written under RTNL,
 *	read by the datapath under RCU
 * @mirror: mirror of each direction, NULL when it was lost; written under
 *	RTNL, read by the datapath under RCU
 * @mode: enum tapbridge_mode; read and written under RTNL only (the
 *	datapath needs only @mirror)
 * @stats: per-CPU counters, freed with the device
 * @list: entry in the global list of instances, under RTNL
 */
struct tapbridge {
	struct net_device *dev;
	struct tapbridge_port __rcu *port[TAPBRIDGE_DIR_COUNT];
	struct tapbridge_mirror __rcu *mirror[TAPBRIDGE_DIR_COUNT];
	enum tapbridge_mode mode;
	struct tapbridge_pcpu_stats __percpu *stats;
	struct list_head list;
};

/**
 * struct tapbridge_request - configuration asked for, by interface index
 * @port: ifindex of port A and port B (0: not given)
 * @mode: enum tapbridge_mode (0: not given)
 * @mirror: ifindex of the aggregate mirror (0: not given)
 * @mirror_dir: ifindex of the split mirrors, by direction (0: not given)
 *
 * Filled from a netlink request; checked by tapbridge_request_validate()
 * before any device is looked up.
 */
struct tapbridge_request {
	u32 port[TAPBRIDGE_DIR_COUNT];
	u32 mode;
	u32 mirror;
	u32 mirror_dir[TAPBRIDGE_DIR_COUNT];
};

/* config.c: what a request may ask for, and which devices may serve */
int tapbridge_request_validate(const struct tapbridge_request *req,
			       struct netlink_ext_ack *extack);
int tapbridge_check_port_pair(struct net_device * const *ports,
			      struct netlink_ext_ack *extack);
struct net_device *tapbridge_resolve_port(struct net *net, u32 ifindex,
					  const char *role,
					  struct netlink_ext_ack *extack);
struct net_device *tapbridge_resolve_mirror(struct net *net, u32 ifindex,
					    const char *role,
					    struct net_device * const *ports,
					    struct netlink_ext_ack *extack);

/* device.c: the instance device and the list of instances */
extern struct rtnl_link_ops tapbridge_link_ops;
struct tapbridge *tapbridge_instance_find(struct net *net, u32 ifindex,
					  const char *name,
					  struct netlink_ext_ack *extack);
struct net_device *tapbridge_instance_create(struct net *net,
					     const char *name,
					     struct net_device * const *ports,
					     enum tapbridge_mode mode,
					     struct net_device * const *mirrors,
					     struct netlink_ext_ack *extack);
bool tapbridge_is_mirror(const struct net_device *dev);
int tapbridge_device_init(void);
void tapbridge_device_uninit(void);

/* port.c: enslave, release and the datapath */
int tapbridge_port_add(struct tapbridge *tbr, struct net_device *dev,
		       enum tapbridge_dir dir, struct netlink_ext_ack *extack);
void tapbridge_port_del(struct tapbridge_port *port);
bool tapbridge_is_port(const struct net_device *dev);
struct tapbridge_port *tapbridge_port_get_rtnl(const struct net_device *dev);

/* mirror.c: the mirror set and the copies */
u32 tapbridge_request_mirror(const struct tapbridge_request *req,
			     enum tapbridge_dir dir);
int tapbridge_mirror_set(struct tapbridge *tbr, enum tapbridge_mode mode,
			 struct net_device * const *mirrors);
void tapbridge_mirror_forget(struct tapbridge *tbr,
			     const struct net_device *dev);
void tapbridge_mirror_clear(struct tapbridge *tbr);
bool tapbridge_mirror_uses(struct tapbridge *tbr,
			   const struct net_device *dev);
bool tapbridge_mirror_xmit(struct tapbridge *tbr, struct sk_buff *skb,
			   enum tapbridge_dir dir);

/* stats.c: sums of the per-CPU counters */
void tapbridge_stats_read(const struct tapbridge *tbr, enum tapbridge_dir dir,
			  struct tapbridge_stats *sum);

/* netlink.c: the generic netlink family */
int tapbridge_netlink_init(void);
void tapbridge_netlink_uninit(void);

#endif /* _TAPBRIDGE_H */
