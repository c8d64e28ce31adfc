// SPDX-License-Identifier: GPL-2.0
/*
 * Mirrors: the list of mirror devices of an instance, the copies sent to
 * them, and keeping them transmit-only.
 *
 * The list is resolved at configuration time into the mirrors of each
 * direction and published as one immutable struct tapbridge_mirror_set, so
 * the datapath walks a short array per frame and never looks at the mode.
 * A mirror that is unregistered stays in the list with no device: copies
 * meant for it are counted as drops until the list is changed again, which
 * drops such entries.
 */

#include <kunit/visibility.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <net/sch_generic.h>

#include "tapbridge.h"

/**
 * tapbridge_request_mirror - the mirror that gets the copies of a direction
 * @req: a request that passed tapbridge_request_validate()
 * @dir: the direction
 *
 * Aggregate mode sends both directions to one mirror; split mode sends a->b
 * to mirror-ab and b->a to mirror-ba.
 *
 * Return: the mirror's ifindex, or 0 for a request without a preset mode.
 */
u32 tapbridge_request_mirror(const struct tapbridge_request *req,
			     enum tapbridge_dir dir)
{
	switch (req->mode) {
	case TAPBRIDGE_MODE_AGGREGATE:
		return req->mirror;
	case TAPBRIDGE_MODE_SPLIT:
		return req->mirror_dir[dir];
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(tapbridge_request_mirror);

/*
 * Frames received on a mirror device: a sensor must not be able to send
 * into the host through its monitor port, unless rx-pass says the mirror
 * also carries management traffic. Called under rcu_read_lock in softirq.
 */
static rx_handler_result_t tapbridge_mirror_rx(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct tapbridge_mirror_pcpu_stats *stats;
	struct tapbridge_mirror *mirror;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	mirror = rcu_dereference(skb->dev->rx_handler_data);
	if (READ_ONCE(mirror->conf.rx_pass))
		return RX_HANDLER_PASS;

	stats = this_cpu_ptr(mirror->stats);
	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(&stats->rx_drops);
	u64_stats_update_end(&stats->syncp);
	kfree_skb(skb);
	return RX_HANDLER_CONSUMED;
}

/**
 * tapbridge_is_mirror - whether a device is the mirror of some instance
 * @dev: the device
 *
 * Context: RTNL, or rcu_read_lock.
 * Return: true when @dev's rx_handler is tapbridge's mirror handler.
 */
bool tapbridge_is_mirror(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == tapbridge_mirror_rx;
}

/**
 * tapbridge_mirror_get_rtnl - the mirror struct of a mirror device
 * @dev: the device
 *
 * Context: RTNL.
 * Return: the mirror, or NULL when @dev is no mirror.
 */
struct tapbridge_mirror *tapbridge_mirror_get_rtnl(const struct net_device *dev)
{
	ASSERT_RTNL();
	if (!tapbridge_is_mirror(dev))
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

static void tapbridge_mirror_free_rcu(struct rcu_head *head)
{
	struct tapbridge_mirror *mirror =
		container_of(head, struct tapbridge_mirror, rcu);

	free_percpu(mirror->stats);
	kfree(mirror);
}

/* Make @dev a transmit-only mirror of @tbr. Context: RTNL. */
static struct tapbridge_mirror *
tapbridge_mirror_attach(struct tapbridge *tbr, struct net_device *dev,
			struct netlink_ext_ack *extack)
{
	struct tapbridge_mirror *mirror;
	int err;

	mirror = kzalloc(sizeof(*mirror), GFP_KERNEL);
	if (!mirror)
		return ERR_PTR(-ENOMEM);
	mirror->stats = netdev_alloc_pcpu_stats(struct tapbridge_mirror_pcpu_stats);
	if (!mirror->stats) {
		err = -ENOMEM;
		goto err_free_mirror;
	}
	mirror->tbr = tbr;
	mirror->conf.ifindex = dev->ifindex;
	mirror->conf.tag_proto = htons(ETH_P_8021Q);
	netdev_hold(dev, &mirror->dev_tracker, GFP_KERNEL);
	RCU_INIT_POINTER(mirror->dev, dev);

	err = tapbridge_fault(-EBUSY) ?:
	      netdev_rx_handler_register(dev, tapbridge_mirror_rx, mirror);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack,
				   "mirror %s already has an rx handler (macvlan, ipvlan or similar)",
				   dev->name);
		goto err_put_dev;
	}
	return mirror;

err_put_dev:
	netdev_put(dev, &mirror->dev_tracker);
	free_percpu(mirror->stats);
err_free_mirror:
	kfree(mirror);
	return ERR_PTR(err);
}

/*
 * Give the device back and free the mirror once no reader can see it.
 * The caller has unpublished every set that holds @mirror. Context: RTNL.
 */
static void tapbridge_mirror_detach(struct tapbridge_mirror *mirror)
{
	struct net_device *dev = rtnl_dereference(mirror->dev);

	if (dev) {
		RCU_INIT_POINTER(mirror->dev, NULL);
		/* Waits for the datapath: no CPU sends to @dev through us. */
		netdev_rx_handler_unregister(dev);
		netdev_put(dev, &mirror->dev_tracker);
	}
	call_rcu(&mirror->rcu, tapbridge_mirror_free_rcu);
}

/**
 * tapbridge_mirror_forget - detach a mirror device that is going away
 * @mirror: the mirror of the device being unregistered (or moved to
 *	another netns)
 *
 * The instance keeps forwarding. The mirror stays in the list without a
 * device, so copies meant for it count as drops, until the list changes.
 *
 * Context: RTNL, from NETDEV_UNREGISTER.
 */
void tapbridge_mirror_forget(struct tapbridge_mirror *mirror)
{
	struct net_device *dev = rtnl_dereference(mirror->dev);

	netdev_info(mirror->tbr->dev, "mirror %s is gone\n", dev->name);
	tapbridge_nl_event(mirror->tbr, TAPBRIDGE_EVENT_TYPE_MIRROR_LOST, dev);
	RCU_INIT_POINTER(mirror->dev, NULL);
	netdev_rx_handler_unregister(dev);
	netdev_put(dev, &mirror->dev_tracker);
}

/* The live mirror of @dev in @set, or NULL. Context: RTNL. */
static struct tapbridge_mirror *
tapbridge_mirror_find(const struct tapbridge_mirror_set *set,
		      const struct net_device *dev)
{
	unsigned int i;

	for (i = 0; i < set->count; i++)
		if (rtnl_dereference(set->all[i]->dev) == dev)
			return set->all[i];
	return NULL;
}

static bool tapbridge_set_holds(const struct tapbridge_mirror_set *set,
				const struct tapbridge_mirror *mirror)
{
	unsigned int i;

	for (i = 0; i < set->count; i++)
		if (set->all[i] == mirror)
			return true;
	return false;
}

/*
 * The mirror's own rx_handler reads rx_pass while it changes; the copy
 * path reads the other options from the set being built (see
 * struct tapbridge_mirror_out). Context: RTNL.
 */
static void tapbridge_mirror_conf_write(struct tapbridge_mirror *mirror,
					const struct tapbridge_mirror_conf *conf)
{
	int dir;

	mirror->conf.ifindex = conf->ifindex;
	mirror->conf.dirs = conf->dirs;
	mirror->conf.snaplen = conf->snaplen;
	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++)
		mirror->conf.tag_vid[dir] = conf->tag_vid[dir];
	mirror->conf.tag_proto = conf->tag_proto;
	WRITE_ONCE(mirror->conf.rx_pass, conf->rx_pass);
}

/* Append @mirror to the mirrors of direction @dir of @set. */
static void tapbridge_set_add_out(struct tapbridge_mirror_set *set,
				  struct tapbridge_mirror *mirror,
				  enum tapbridge_dir dir)
{
	struct tapbridge_mirror_out *out = &set->dir[dir][set->dir_count[dir]++];

	out->mirror = mirror;
	out->snaplen = mirror->conf.snaplen;
	out->tag_vid = mirror->conf.tag_vid[dir];
	out->tag_proto = mirror->conf.tag_proto;
}

/**
 * tapbridge_mirrors_replace - give an instance a new mirror list
 * @tbr: the instance
 * @mode: the mode to report for the new list
 * @confs: what each mirror gets
 * @devs: the mirror devices, checked by tapbridge_resolve_mirror()
 * @n: number of mirrors, at most TAPBRIDGE_MIRROR_MAX
 * @keep_options: a device that stays a mirror keeps its options and takes
 *	only the directions of @confs (the aggregate and split presets)
 * @extack: where a refusal is reported
 *
 * Everything that can fail (memory, the rx_handler of new mirrors) is done
 * before the new set is published, so a failure leaves the old list in
 * place. Frames see the old set or the new one, and the wire path is never
 * touched. Devices that are no longer mirrors are given back.
 *
 * Context: RTNL.
 * Return: 0 or a negative errno with @extack set.
 */
int tapbridge_mirrors_replace(struct tapbridge *tbr, enum tapbridge_mode mode,
			      const struct tapbridge_mirror_conf *confs,
			      struct net_device * const *devs, unsigned int n,
			      bool keep_options,
			      struct netlink_ext_ack *extack)
{
	struct tapbridge_mirror_set *old = rtnl_dereference(tbr->mirrors);
	struct tapbridge_mirror *fresh[TAPBRIDGE_MIRROR_MAX] = {};
	struct tapbridge_mirror_set *set;
	struct tapbridge_mirror_conf conf;
	struct tapbridge_mirror *mirror;
	unsigned int i;
	int err, dir;

	ASSERT_RTNL();

	if (n > TAPBRIDGE_MIRROR_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "%s can have at most %d mirrors",
				   tbr->dev->name, TAPBRIDGE_MIRROR_MAX);
		return -E2BIG;
	}
	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		mirror = old ? tapbridge_mirror_find(old, devs[i]) : NULL;
		if (!mirror) {
			mirror = tapbridge_mirror_attach(tbr, devs[i], extack);
			if (IS_ERR(mirror)) {
				err = PTR_ERR(mirror);
				goto err_detach_fresh;
			}
			fresh[i] = mirror;
		}
		set->all[i] = mirror;
	}
	set->count = n;

	/* Nothing fails from here on. */
	for (i = 0; i < n; i++) {
		mirror = set->all[i];
		conf = confs[i];
		if (keep_options && !fresh[i]) {
			conf = mirror->conf;
			conf.dirs = confs[i].dirs;
		}
		conf.ifindex = devs[i]->ifindex;
		tapbridge_mirror_conf_write(mirror, &conf);
		for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++)
			if (conf.dirs & BIT(dir))
				tapbridge_set_add_out(set, mirror, dir);
	}
	rcu_assign_pointer(tbr->mirrors, set);
	tbr->mode = mode;

	if (old) {
		for (i = 0; i < old->count; i++)
			if (!tapbridge_set_holds(set, old->all[i]))
				tapbridge_mirror_detach(old->all[i]);
		kfree_rcu(old, rcu);
	}
	return 0;

err_detach_fresh:
	while (i--)
		if (fresh[i])
			tapbridge_mirror_detach(fresh[i]);
	kfree(set);
	return err;
}

/**
 * tapbridge_mirrors_init - give a new instance an empty mirror set
 * @tbr: the instance
 *
 * Context: RTNL, from ndo_init.
 * Return: 0 or -ENOMEM.
 */
int tapbridge_mirrors_init(struct tapbridge *tbr)
{
	struct tapbridge_mirror_set *set = kzalloc(sizeof(*set), GFP_KERNEL);

	if (!set)
		return -ENOMEM;
	RCU_INIT_POINTER(tbr->mirrors, set);
	return 0;
}

/**
 * tapbridge_mirrors_clear - detach every mirror and free the set
 * @tbr: the instance, being unregistered; its ports are released already
 *
 * Context: RTNL, from ndo_uninit.
 */
void tapbridge_mirrors_clear(struct tapbridge *tbr)
{
	struct tapbridge_mirror_set *set = rtnl_dereference(tbr->mirrors);
	unsigned int i;

	if (!set)
		return;
	RCU_INIT_POINTER(tbr->mirrors, NULL);
	for (i = 0; i < set->count; i++)
		tapbridge_mirror_detach(set->all[i]);
	kfree_rcu(set, rcu);
}

/**
 * tapbridge_mirror_stats_read - sum the counters of a mirror over all CPUs
 * @mirror: the mirror
 * @sum: filled with the sums
 *
 * Context: any; lockless against the datapath.
 */
void tapbridge_mirror_stats_read(const struct tapbridge_mirror *mirror,
				 struct tapbridge_mirror_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct tapbridge_mirror_pcpu_stats *pcpu =
			per_cpu_ptr(mirror->stats, cpu);
		struct tapbridge_mirror_stats snap;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&pcpu->syncp);
			snap.tx_packets = u64_stats_read(&pcpu->tx_packets);
			snap.tx_bytes = u64_stats_read(&pcpu->tx_bytes);
			snap.tx_drops = u64_stats_read(&pcpu->tx_drops);
			snap.sliced = u64_stats_read(&pcpu->sliced);
			snap.oversize = u64_stats_read(&pcpu->oversize);
			snap.rx_drops = u64_stats_read(&pcpu->rx_drops);
		} while (u64_stats_fetch_retry(&pcpu->syncp, start));

		sum->tx_packets += snap.tx_packets;
		sum->tx_bytes += snap.tx_bytes;
		sum->tx_drops += snap.tx_drops;
		sum->sliced += snap.sliced;
		sum->oversize += snap.oversize;
		sum->rx_drops += snap.rx_drops;
	}
}

/*
 * Cut a copy to @snaplen bytes as it goes on the wire (a tag held in
 * metadata counts). A checksum left to the NIC would cover bytes that are
 * gone: resolve it first. pskb_trim and skb_checksum_help both unshare
 * what they write, so the frame's own data is not touched.
 */
static int tapbridge_copy_slice(struct sk_buff *copy, unsigned int snaplen)
{
	unsigned int len = snaplen;

	if (skb_vlan_tag_present(copy))
		len -= VLAN_HLEN;
	if (copy->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(copy))
		return -ENOMEM;
	copy->ip_summed = CHECKSUM_NONE;
	return pskb_trim(copy, len);
}

/* Count what became of one copy, for the mirror and for its direction. */
static void tapbridge_mirror_count(struct tapbridge_mirror *mirror,
				   unsigned int len, bool sent, bool sliced,
				   bool oversize,
				   struct tapbridge_copy_result *result)
{
	struct tapbridge_mirror_pcpu_stats *stats = this_cpu_ptr(mirror->stats);

	u64_stats_update_begin(&stats->syncp);
	if (sent) {
		u64_stats_inc(&stats->tx_packets);
		u64_stats_add(&stats->tx_bytes, len);
	} else {
		u64_stats_inc(&stats->tx_drops);
	}
	if (sliced)
		u64_stats_inc(&stats->sliced);
	if (oversize)
		u64_stats_inc(&stats->oversize);
	u64_stats_update_end(&stats->syncp);

	if (sent) {
		result->packets++;
		result->bytes += len;
	} else {
		result->drops++;
	}
}

/*
 * fq and etf take a stamp on a frame for its departure time, and one of
 * the real-time clock for a time far beyond their horizon: only a mirror
 * that queues nothing (noqueue, a veth's default) gets the receive time.
 * With mq or any qdisc as its root, queue 0 has one that enqueues.
 */
static bool tapbridge_mirror_queueless(struct net_device *dev)
{
	struct netdev_queue *txq = netdev_get_tx_queue(dev, 0);

	return !rcu_dereference(txq->qdisc)->enqueue;
}

/* Slice one copy to the snaplen, check its size, send it and count it. */
static void tapbridge_mirror_send(struct tapbridge_mirror *mirror,
				  struct net_device *dev, struct sk_buff *copy,
				  u32 snaplen, unsigned int extra,
				  ktime_t rx_time,
				  struct tapbridge_copy_result *result)
{
	bool sent = false, sliced = false, oversize = false;
	unsigned int len = copy->len;

	if (skb_vlan_tag_present(copy))
		len += VLAN_HLEN;

	if (snaplen && len > snaplen) {
		if (tapbridge_copy_slice(copy, snaplen))
			goto free_copy;
		len = snaplen;
		sliced = true;
	}

	if (!tapbridge_fits(copy, len, ETH_HLEN + extra + READ_ONCE(dev->mtu))) {
		oversize = true;
		goto free_copy;
	}

	if (rx_time && tapbridge_mirror_queueless(dev))
		skb_set_delivery_time(copy, rx_time, SKB_CLOCK_REALTIME);
	copy->dev = dev;
	sent = dev_queue_xmit(copy) == NET_XMIT_SUCCESS;
	goto count;

free_copy:
	kfree_skb(copy);
count:
	tapbridge_mirror_count(mirror, len, sent, sliced, oversize, result);
}

/*
 * A GSO frame (a local sender's TSO through a veth, say) stands for
 * several wire frames. Sliced, each of them is a copy of its own: segment
 * first, as the egress would, then slice each segment.
 */
static void tapbridge_mirror_send_segments(struct tapbridge_mirror *mirror,
					   struct net_device *dev,
					   struct sk_buff *copy, u32 snaplen,
					   unsigned int extra, ktime_t rx_time,
					   struct tapbridge_copy_result *result)
{
	struct sk_buff *segs = ERR_PTR(-EINVAL), *seg, *next;

	if (copy->ip_summed == CHECKSUM_PARTIAL)
		segs = skb_gso_segment(copy, 0);
	if (IS_ERR_OR_NULL(segs)) {
		kfree_skb(copy);
		tapbridge_mirror_count(mirror, 0, false, false, false, result);
		return;
	}
	consume_skb(copy);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		tapbridge_mirror_send(mirror, dev, seg, snaplen, extra,
				      rx_time, result);
	}
}

/* Send the copies of @skb due to @out and count what became of them. */
static void tapbridge_mirror_copy(const struct tapbridge_mirror_out *out,
				  struct sk_buff *skb, unsigned int extra,
				  ktime_t rx_time,
				  struct tapbridge_copy_result *result)
{
	struct tapbridge_mirror *mirror = out->mirror;
	struct net_device *dev = rcu_dereference(mirror->dev);
	struct sk_buff *copy;

	if (unlikely(!dev))
		goto drop;
	copy = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!copy))
		goto drop;

	/*
	 * The direction tag goes on first, as the outer tag; a tag the
	 * frame had in metadata moves into the data below it (a private
	 * copy of the header: skb_vlan_push unshares it).
	 */
	if (out->tag_vid) {
		if (skb_vlan_push(copy, out->tag_proto, out->tag_vid)) {
			kfree_skb(copy);
			goto drop;
		}
		extra += VLAN_HLEN;
	}

	if (skb_is_gso(copy) && out->snaplen)
		tapbridge_mirror_send_segments(mirror, dev, copy, out->snaplen,
					       extra, rx_time, result);
	else
		tapbridge_mirror_send(mirror, dev, copy, out->snaplen, extra,
				      rx_time, result);
	return;

drop:
	tapbridge_mirror_count(mirror, 0, false, false, false, result);
}

/**
 * tapbridge_mirrors_xmit - send the copies of a frame to its mirrors
 * @tbr: the instance
 * @skb: the frame, Ethernet header pushed; its data is not changed
 * @dir: its direction
 * @extra: bytes of the frame beyond its Ethernet header and MTU-sized
 *	payload that do not count against an MTU: VLAN tags, and the FCS
 *	of a port in rx-all mode
 * @rx_time: when the frame arrived on its port, which each copy carries
 *	(wire-tstamp); 0 for none
 * @result: what became of the copies, for the direction's counters
 *
 * Each copy is a clone sharing the frame's data; a copy that is sliced or
 * tagged gets private copies of what changes. dev_queue_xmit does not
 * block, so a mirror that cannot keep up loses copies (counted) and never
 * slows the wire path.
 *
 * Context: softirq, under rcu_read_lock (the rx_handler).
 */
void tapbridge_mirrors_xmit(struct tapbridge *tbr, struct sk_buff *skb,
			    enum tapbridge_dir dir, unsigned int extra,
			    ktime_t rx_time,
			    struct tapbridge_copy_result *result)
{
	const struct tapbridge_mirror_set *set = rcu_dereference(tbr->mirrors);
	unsigned int i;

	for (i = 0; i < set->dir_count[dir]; i++)
		tapbridge_mirror_copy(&set->dir[dir][i], skb, extra, rx_time,
				      result);
}
