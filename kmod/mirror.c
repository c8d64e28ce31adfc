// SPDX-License-Identifier: GPL-2.0
/*
 * Mirrors: which mirror device a frame's copy goes to, the mirror set of an
 * instance, and sending the copies.
 *
 * The mode (aggregate or split) is resolved at configuration time into one
 * mirror per direction, so the datapath reads a single RCU pointer per
 * frame and never looks at the mode.
 */

#include <kunit/visibility.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>

#include "tapbridge.h"

/**
 * tapbridge_request_mirror - the mirror that gets the copies of a direction
 * @req: a request that passed tapbridge_request_validate()
 * @dir: the direction
 *
 * Aggregate mode sends both directions to one mirror; split mode sends a->b
 * to mirror-ab and b->a to mirror-ba.
 *
 * Return: the mirror's ifindex, or 0 for a request without a mode.
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

static void tapbridge_mirror_free_rcu(struct rcu_head *head)
{
	struct tapbridge_mirror *mirror =
		container_of(head, struct tapbridge_mirror, rcu);

	netdev_put(mirror->dev, &mirror->dev_tracker);
	kfree(mirror);
}

/* Unpublish the mirror of @dir; it is freed once no reader can see it. */
static void tapbridge_mirror_replace(struct tapbridge *tbr,
				     enum tapbridge_dir dir,
				     struct tapbridge_mirror *new)
{
	struct tapbridge_mirror *old = rtnl_dereference(tbr->mirror[dir]);

	rcu_assign_pointer(tbr->mirror[dir], new);
	if (old)
		call_rcu(&old->rcu, tapbridge_mirror_free_rcu);
}

/**
 * tapbridge_mirror_set - give an instance a new mode and mirror set
 * @tbr: the instance
 * @mode: the new mode
 * @mirrors: the mirror device of each direction, already checked by
 *	tapbridge_resolve_mirror()
 *
 * All memory is allocated before anything is published, so a failure
 * leaves the old set in place. The datapath sees the old or the new mirror
 * of each direction, and the wire path is not touched.
 *
 * Context: RTNL.
 * Return: 0 or -ENOMEM.
 */
int tapbridge_mirror_set(struct tapbridge *tbr, enum tapbridge_mode mode,
			 struct net_device * const *mirrors)
{
	struct tapbridge_mirror *new[TAPBRIDGE_DIR_COUNT] = {};
	int dir;

	ASSERT_RTNL();

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		new[dir] = kzalloc(sizeof(*new[dir]), GFP_KERNEL);
		if (!new[dir])
			goto err_free_new;
	}

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		new[dir]->dev = mirrors[dir];
		netdev_hold(mirrors[dir], &new[dir]->dev_tracker, GFP_KERNEL);
		tapbridge_mirror_replace(tbr, dir, new[dir]);
	}
	tbr->mode = mode;
	return 0;

err_free_new:
	while (dir--)
		kfree(new[dir]);
	return -ENOMEM;
}

/**
 * tapbridge_mirror_forget - detach a mirror device that is going away
 * @tbr: the instance
 * @dev: the device being unregistered (or moved to another netns)
 *
 * The instance keeps forwarding; copies of a direction without a mirror
 * are counted as mirror drops until a new mirror is set.
 *
 * Context: RTNL, from NETDEV_UNREGISTER.
 */
void tapbridge_mirror_forget(struct tapbridge *tbr,
			     const struct net_device *dev)
{
	struct tapbridge_mirror *mirror;
	int dir;

	ASSERT_RTNL();

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		mirror = rtnl_dereference(tbr->mirror[dir]);
		if (mirror && mirror->dev == dev) {
			netdev_info(tbr->dev, "mirror %s of direction %s is gone\n",
				    dev->name, dir == TAPBRIDGE_DIR_AB ? "a->b" : "b->a");
			tapbridge_mirror_replace(tbr, dir, NULL);
		}
	}
}

/**
 * tapbridge_mirror_clear - detach every mirror of an instance
 * @tbr: the instance, being unregistered
 *
 * Context: RTNL.
 */
void tapbridge_mirror_clear(struct tapbridge *tbr)
{
	int dir;

	ASSERT_RTNL();

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++)
		tapbridge_mirror_replace(tbr, dir, NULL);
}

/**
 * tapbridge_mirror_uses - whether a device is a mirror of an instance
 * @tbr: the instance
 * @dev: the device
 *
 * Context: RTNL.
 * Return: true when @dev gets copies of either direction.
 */
bool tapbridge_mirror_uses(struct tapbridge *tbr, const struct net_device *dev)
{
	struct tapbridge_mirror *mirror;
	int dir;

	ASSERT_RTNL();

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		mirror = rtnl_dereference(tbr->mirror[dir]);
		if (mirror && mirror->dev == dev)
			return true;
	}
	return false;
}

/**
 * tapbridge_mirror_xmit - send the copy of a frame to its mirror
 * @tbr: the instance
 * @skb: the frame, Ethernet header pushed; its data is not changed
 * @dir: its direction
 *
 * The copy is a clone: it shares the frame's data, which neither path
 * writes. dev_queue_xmit does not block, so a mirror that cannot keep up
 * loses copies (counted by the caller) and never slows the wire path.
 *
 * Context: softirq, under rcu_read_lock (the rx_handler).
 * Return: true when the mirror device took the copy.
 */
bool tapbridge_mirror_xmit(struct tapbridge *tbr, struct sk_buff *skb,
			   enum tapbridge_dir dir)
{
	struct tapbridge_mirror *mirror = rcu_dereference(tbr->mirror[dir]);
	struct sk_buff *copy;

	if (unlikely(!mirror))
		return false;

	copy = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!copy))
		return false;

	copy->dev = mirror->dev;
	return dev_queue_xmit(copy) == NET_XMIT_SUCCESS;
}
