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

#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <net/gso.h>
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
 * @fwd_oversize: of those, frames larger than the egress MTU allows
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
	u64_stats_t fwd_oversize;
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
 * @fwd_oversize: see struct tapbridge_dir_stats
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
	u64 fwd_oversize;
	u64 mirror_packets;
	u64 mirror_bytes;
	u64 mirror_drops;
};

/**
 * struct tapbridge_mirror_pcpu_stats - per-CPU counters of one mirror
 * @tx_packets: copies the mirror device took
 * @tx_bytes: their bytes as sent (after slicing and tagging)
 * @tx_drops: copies lost, oversize ones included
 * @sliced: copies cut to the snaplen
 * @oversize: copies larger than the mirror's MTU allows
 * @rx_drops: frames received on the mirror device and dropped
 * @syncp: writers are the datapath on this CPU; readers retry
 */
struct tapbridge_mirror_pcpu_stats {
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t tx_drops;
	u64_stats_t sliced;
	u64_stats_t oversize;
	u64_stats_t rx_drops;
	struct u64_stats_sync syncp;
};

/**
 * struct tapbridge_mirror_stats - counters of one mirror summed over CPUs
 * @tx_packets: see struct tapbridge_mirror_pcpu_stats
 * @tx_bytes: see struct tapbridge_mirror_pcpu_stats
 * @tx_drops: see struct tapbridge_mirror_pcpu_stats
 * @sliced: see struct tapbridge_mirror_pcpu_stats
 * @oversize: see struct tapbridge_mirror_pcpu_stats
 * @rx_drops: see struct tapbridge_mirror_pcpu_stats
 */
struct tapbridge_mirror_stats {
	u64 tx_packets;
	u64 tx_bytes;
	u64 tx_drops;
	u64 sliced;
	u64 oversize;
	u64 rx_drops;
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
 * @had_gro: GRO was wanted on the port before it was disabled
 * @had_gro_hw: hardware GRO was wanted on the port before it was disabled
 * @had_rx_all: NETIF_F_RXALL and NETIF_F_RXFCS were wanted before rx-all
 * @set_no_addrconf: enslaving set IFF_NO_ADDRCONF (IFF_SLAVE before 6.2,
 *	see compat.h): the host's IPv6 stays silent on the port; release
 *	clears it
 * @cycled: the port was up with IPv6 addresses, and enslaving took it down
 *	and up again to drop them; release does the same to get them back
 * @rx_all: rx-all (receive bad frames, keep the FCS) is on for this port
 * @carrier: carrier state last seen by the notifier (for events)
 * @propagation_down: link propagation took this port down; under RTNL
 * @lost: the device is being unregistered or moved to another netns:
 *	release must not touch its admin state
 * @rcu: frees the struct after readers of dev->rx_handler_data are gone
 *
 * Published as rx_handler_data of @dev and in tapbridge::port; both are
 * read by the datapath under RCU and written under RTNL. The flags are
 * RTNL-only, except @rx_all, which the datapath reads with READ_ONCE.
 */
struct tapbridge_port {
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	struct tapbridge *tbr;
	enum tapbridge_dir dir;
	bool opened;
	bool had_lro;
	bool had_gro;
	bool had_gro_hw;
	bool had_rx_all;
	bool set_no_addrconf;
	bool cycled;
	bool rx_all;
	bool carrier;
	bool propagation_down;
	bool lost;
	struct rcu_head rcu;
};

/**
 * struct tapbridge_mirror_conf - what one mirror gets
 * @ifindex: the mirror device (in requests)
 * @dirs: directions copied, BIT(enum tapbridge_dir)
 * @snaplen: copies are cut to this many bytes; 0 for whole frames
 * @tag_vid: VLAN ID pushed onto the copies of each direction; 0 for none
 * @tag_proto: TPID of those tags, htons(ETH_P_8021Q) or htons(ETH_P_8021AD)
 * @rx_pass: frames received on the mirror reach the host stack
 */
struct tapbridge_mirror_conf {
	u32 ifindex;
	u8 dirs;
	u32 snaplen;
	u16 tag_vid[TAPBRIDGE_DIR_COUNT];
	__be16 tag_proto;
	bool rx_pass;
};

/**
 * struct tapbridge_mirror - one mirror device of an instance
 * @dev: the mirror device, NULL once it was unregistered; a tracked
 *	reference is held while set. Written under RTNL, read by the
 *	datapath under RCU.
 * @dev_tracker: tracker of that reference
 * @tbr: the instance
 * @conf: the options; RTNL only, except @conf.rx_pass, which the
 *	mirror's rx_handler reads with READ_ONCE. The datapath reads the
 *	other options from the published set (struct tapbridge_mirror_out)
 * @stats: per-CPU counters
 * @base: the sums of @stats at the last reset-stats, which the counters
 *	reported over genetlink subtract; RTNL only
 * @rcu: frees the struct once no mirror set refers to it
 *
 * A device is the mirror of at most one instance: its rx_handler
 * (tapbridge_mirror_rx, with this struct as data) makes it transmit-only.
 */
struct tapbridge_mirror {
	struct net_device __rcu *dev;
	netdevice_tracker dev_tracker;
	struct tapbridge *tbr;
	struct tapbridge_mirror_conf conf;
	struct tapbridge_mirror_pcpu_stats __percpu *stats;
	struct tapbridge_mirror_stats base;
	struct rcu_head rcu;
};

/**
 * struct tapbridge_mirror_out - one mirror of one direction, as a frame
 *	of that direction needs it
 * @mirror: the mirror: its device and counters
 * @snaplen: copies are cut to this many bytes; 0 for whole frames
 * @tag_vid: VLAN ID pushed onto the copies; 0 for none
 * @tag_proto: TPID of that tag
 *
 * A snapshot of the mirror's options, taken when the set is built: a
 * frame reads each of them once, and they cannot change under it.
 */
struct tapbridge_mirror_out {
	struct tapbridge_mirror *mirror;
	u32 snaplen;
	u16 tag_vid;
	__be16 tag_proto;
};

/**
 * struct tapbridge_mirror_set - the mirrors of an instance, as published
 * @count: number of mirrors
 * @all: the mirrors, in the order they were configured
 * @dir_count: number of mirrors of each direction
 * @dir: the mirrors of each direction: what the datapath walks per frame
 * @rcu: frees the set after a grace period
 *
 * Immutable once published with rcu_assign_pointer in tapbridge::mirrors;
 * every change of the list or of a mirror's options publishes a new set.
 */
struct tapbridge_mirror_set {
	unsigned int count;
	struct tapbridge_mirror *all[TAPBRIDGE_MIRROR_MAX];
	unsigned int dir_count[TAPBRIDGE_DIR_COUNT];
	struct tapbridge_mirror_out dir[TAPBRIDGE_DIR_COUNT][TAPBRIDGE_MIRROR_MAX];
	struct rcu_head rcu;
};

/**
 * struct tapbridge - an instance, the private area of its net_device
 * @dev: the instance device
 * @port: ports indexed by the direction they receive; written under RTNL,
 *	read by the datapath under RCU
 * @mirrors: the mirror set, never NULL while the device is registered;
 *	written under RTNL, read by the datapath under RCU
 * @mode: enum tapbridge_mode; RTNL only
 * @link_propagation: take the other port down when a port loses carrier;
 *	RTNL only
 * @hold_down: milliseconds a carrier must stay up before link propagation
 *	brings the other port back; RTNL only
 * @rx_all: rx-all is on for both ports; RTNL only
 * @propagation_actions: ports taken down or brought up by link
 *	propagation; RTNL only
 * @announced: the created event went out, so a deleted event follows;
 *	RTNL only
 * @propagation_work: brings a port back up after the hold-down time; runs
 *	with RTNL (taken with rtnl_trylock, so that cancelling it under RTNL
 *	cannot deadlock)
 * @port_loss: enum tapbridge_port_loss, what losing a port does; RTNL only
 * @wait_name: per slot, the name of the lost port the slot waits for; an
 *	empty string when the slot has a device or does not wait. RTNL only
 * @losses: per slot, ports lost while the instance stayed; RTNL only
 * @returns: per slot, devices adopted into a waiting slot; RTNL only
 * @adopt_work: enslaves a device that appeared with a waited name; queued
 *	from the netdev notifier (the device is still being set up there) on
 *	tapbridge's own workqueue, which module exit drains
 * @adopt_queued: @adopt_work is queued and has not taken RTNL yet; RTNL only
 * @adopt_tracker: tracks the reference on @dev held while @adopt_queued;
 *	whoever clears @adopt_queued (the work, or ndo_uninit cancelling it)
 *	drops it
 * @stats: per-CPU counters, freed with the device
 * @stats_base: per direction, the sums of @stats at the last reset-stats,
 *	which the counters reported over genetlink subtract; RTNL only
 * @stats_resets: times reset-stats was done; RTNL only
 * @capture: the instance device is a capture device (capture.c); written
 *	under RTNL, read by the datapath with READ_ONCE
 * @wire_tstamp: mirror copies carry the frame's receive time; written
 *	under RTNL, read by the datapath with READ_ONCE
 */
struct tapbridge {
	struct net_device *dev;
	struct tapbridge_port __rcu *port[TAPBRIDGE_DIR_COUNT];
	struct tapbridge_mirror_set __rcu *mirrors;
	enum tapbridge_mode mode;
	bool link_propagation;
	u32 hold_down;
	bool rx_all;
	u64 propagation_actions;
	bool announced;
	struct delayed_work propagation_work;
	enum tapbridge_port_loss port_loss;
	char wait_name[TAPBRIDGE_DIR_COUNT][IFNAMSIZ];
	u64 losses[TAPBRIDGE_DIR_COUNT];
	u64 returns[TAPBRIDGE_DIR_COUNT];
	struct work_struct adopt_work;
	bool adopt_queued;
	netdevice_tracker adopt_tracker;
	struct tapbridge_pcpu_stats __percpu *stats;
	struct tapbridge_stats stats_base[TAPBRIDGE_DIR_COUNT];
	u64 stats_resets;
	bool capture;
	bool wire_tstamp;
};

#define TAPBRIDGE_HOLD_DOWN_DEFAULT 1000

/**
 * struct tapbridge_request - mode and mirrors asked for, by ifindex
 * @port: ifindex of port A and port B (0: not given)
 * @mode: enum tapbridge_mode (0: not given)
 * @mirror: ifindex of the aggregate mirror (0: not given)
 * @mirror_dir: ifindex of the split mirrors, by direction (0: not given)
 * @capture: capture is on once the request is done, so aggregate mode
 *	may come without a mirror
 *
 * Filled from a netlink request; checked by tapbridge_request_validate()
 * before any device is looked up.
 */
struct tapbridge_request {
	u32 port[TAPBRIDGE_DIR_COUNT];
	u32 mode;
	u32 mirror;
	u32 mirror_dir[TAPBRIDGE_DIR_COUNT];
	bool capture;
};

#define TAPBRIDGE_WARNING_LEN 128
#define TAPBRIDGE_WARNING_MAX (1 + TAPBRIDGE_MIRROR_MAX)

/**
 * struct tapbridge_warnings - configuration that works but loses frames
 * @count: number of warnings
 * @text: the warnings
 */
struct tapbridge_warnings {
	unsigned int count;
	char text[TAPBRIDGE_WARNING_MAX][TAPBRIDGE_WARNING_LEN];
};

/* config.c: what a request may ask for, and which devices may serve */
int tapbridge_request_validate(const struct tapbridge_request *req,
			       struct netlink_ext_ack *extack);
unsigned int tapbridge_request_confs(const struct tapbridge_request *req,
				     struct tapbridge_mirror_conf *confs);
int tapbridge_check_port_pair(struct net_device * const *ports,
			      struct netlink_ext_ack *extack);
int tapbridge_check_reach(struct net_device *from, const char *role,
			  struct net_device * const *ports,
			  struct netlink_ext_ack *extack);
struct net_device *tapbridge_resolve_port(struct net *net, u32 ifindex,
					  const char *role,
					  struct netlink_ext_ack *extack);
struct net_device *tapbridge_resolve_mirror(struct net *net, u32 ifindex,
					    const char *role,
					    const struct tapbridge *tbr,
					    struct net_device * const *ports,
					    struct netlink_ext_ack *extack);
void tapbridge_warnings_get(const struct tapbridge *tbr,
			    struct tapbridge_warnings *warnings);

/* device.c: the instance device and the list of instances */
extern struct rtnl_link_ops tapbridge_link_ops;
struct tapbridge *tapbridge_instance_find(struct net *net, u32 ifindex,
					  const char *name,
					  struct netlink_ext_ack *extack);
struct net_device *tapbridge_instance_create(struct net *net,
					     const char *name,
					     struct net_device * const *ports,
					     enum tapbridge_mode mode,
					     const struct tapbridge_mirror_conf *confs,
					     struct net_device * const *mirrors,
					     unsigned int n_mirrors,
					     struct netlink_ext_ack *extack);
int tapbridge_device_init(void);
void tapbridge_device_uninit(void);
bool tapbridge_device_closing(void);
int tapbridge_port_loss_check(const struct tapbridge *tbr,
			      enum tapbridge_port_loss loss,
			      struct netlink_ext_ack *extack);

/* port.c: enslave, release, options, link propagation and the datapath */
int tapbridge_port_add(struct tapbridge *tbr, struct net_device *dev,
		       enum tapbridge_dir dir, struct netlink_ext_ack *extack);
void tapbridge_port_del(struct tapbridge_port *port);
bool tapbridge_is_port(const struct net_device *dev);
struct tapbridge_port *tapbridge_port_get_rtnl(const struct net_device *dev);
int tapbridge_rx_all_check(const struct tapbridge *tbr,
			   struct netlink_ext_ack *extack);
int tapbridge_rx_all_set(struct tapbridge *tbr, bool on,
			 struct netlink_ext_ack *extack);
void tapbridge_port_features_changed(struct tapbridge_port *port);
void tapbridge_propagation_set(struct tapbridge *tbr, bool on, u32 hold_down);
void tapbridge_propagation_event(struct tapbridge_port *port);
void tapbridge_propagation_work(struct work_struct *work);
void tapbridge_propagation_stop(struct tapbridge *tbr);
void tapbridge_propagation_lost(struct tapbridge_port *port);
int tapbridge_port_adopt(struct tapbridge *tbr, struct net_device *dev,
			 enum tapbridge_dir dir, struct netlink_ext_ack *extack);

/* mirror.c: the mirror list and the copies */
u32 tapbridge_request_mirror(const struct tapbridge_request *req,
			     enum tapbridge_dir dir);
int tapbridge_mirrors_replace(struct tapbridge *tbr, enum tapbridge_mode mode,
			      const struct tapbridge_mirror_conf *confs,
			      struct net_device * const *devs, unsigned int n,
			      bool keep_options,
			      struct netlink_ext_ack *extack);
int tapbridge_mirrors_init(struct tapbridge *tbr);
void tapbridge_mirrors_clear(struct tapbridge *tbr);
void tapbridge_mirror_forget(struct tapbridge_mirror *mirror);
bool tapbridge_is_mirror(const struct net_device *dev);
struct tapbridge_mirror *tapbridge_mirror_get_rtnl(const struct net_device *dev);
void tapbridge_mirror_stats_read(const struct tapbridge_mirror *mirror,
				 struct tapbridge_mirror_stats *sum);

/**
 * struct tapbridge_copy_result - what became of the copies of one frame
 * @packets: copies the mirrors took
 * @bytes: their bytes
 * @drops: copies lost
 */
struct tapbridge_copy_result {
	unsigned int packets;
	unsigned int bytes;
	unsigned int drops;
};

void tapbridge_mirrors_xmit(struct tapbridge *tbr, struct sk_buff *skb,
			    enum tapbridge_dir dir, unsigned int extra,
			    ktime_t rx_time,
			    struct tapbridge_copy_result *result);

/* capture.c: the instance device as a capture device */
int tapbridge_capture_init(struct tapbridge *tbr);
void tapbridge_capture_uninit(struct tapbridge *tbr);
int tapbridge_capture_check(const struct tapbridge *tbr,
			    struct netlink_ext_ack *extack);
struct sk_buff *tapbridge_capture_clone(struct tapbridge *tbr,
					struct sk_buff *skb);
void tapbridge_capture_deliver(struct tapbridge *tbr, struct sk_buff *copy,
			       enum tapbridge_dir dir, unsigned int mac_len,
			       ktime_t rx_time);

/**
 * tapbridge_fits - whether a frame fits its egress
 * @skb: the frame, its data at the Ethernet header
 * @len: its length on the wire, a VLAN tag held in metadata included
 * @max_len: the longest frame the egress sends: ETH_HLEN and its MTU, and
 *	the VLAN tags and FCS that do not count against an MTU
 *
 * A GSO frame stands for several wire frames: it fits when each segment
 * does (the egress segments it, and __is_skb_forwardable does not look).
 *
 * Context: any.
 * Return: true when the frame, or each of its segments, fits.
 */
static inline bool tapbridge_fits(const struct sk_buff *skb, unsigned int len,
				  unsigned int max_len)
{
	if (!skb_is_gso(skb))
		return len <= max_len;
	/* The segments' MAC length leaves out a tag held in metadata. */
	if (skb_vlan_tag_present(skb))
		max_len -= VLAN_HLEN;
	return skb_gso_validate_mac_len(skb, max_len);
}

/* stats.c: sums of the per-CPU counters, and reset-stats */
void tapbridge_stats_read(const struct tapbridge *tbr, enum tapbridge_dir dir,
			  struct tapbridge_stats *sum);
void tapbridge_stats_since_reset(const struct tapbridge *tbr,
				 enum tapbridge_dir dir,
				 struct tapbridge_stats *s);
void tapbridge_mirror_stats_since_reset(const struct tapbridge_mirror *mirror,
					struct tapbridge_mirror_stats *s);
void tapbridge_stats_reset(struct tapbridge *tbr);

/* netlink.c: the generic netlink family and its events */
int tapbridge_netlink_init(void);
void tapbridge_netlink_uninit(void);
void tapbridge_nl_event(const struct tapbridge *tbr,
			enum tapbridge_event_type type,
			const struct net_device *dev);

/*
 * fault.c: fault injection for the calls that fail without allocating.
 * tapbridge_fault(err) is err when the fault attribute fires, else 0:
 * write "err = tapbridge_fault(-EIO) ?: call();". Without
 * CONFIG_FAULT_INJECTION it is 0 and compiles away.
 */
#ifdef CONFIG_FAULT_INJECTION
bool tapbridge_should_fail(void);
void tapbridge_fault_init(void);
void tapbridge_fault_uninit(void);
#else
static inline bool tapbridge_should_fail(void)
{
	return false;
}

static inline void tapbridge_fault_init(void)
{
}

static inline void tapbridge_fault_uninit(void)
{
}
#endif

static inline int tapbridge_fault(int err)
{
	return tapbridge_should_fail() ? err : 0;
}

#endif /* _TAPBRIDGE_H */
