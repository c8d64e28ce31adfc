// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: the datapath counts per CPU (port.c); this sums them, and
 * resets what genetlink reports (reset-stats).
 */

#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/u64_stats_sync.h>

#include "tapbridge.h"

/**
 * tapbridge_stats_read - sum the counters of one direction over all CPUs
 * @tbr: the instance
 * @dir: the direction
 * @sum: filled with the sums
 *
 * Context: any; lockless against the datapath (u64_stats retry loop).
 */
void tapbridge_stats_read(const struct tapbridge *tbr, enum tapbridge_dir dir,
			  struct tapbridge_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct tapbridge_pcpu_stats *pcpu =
			per_cpu_ptr(tbr->stats, cpu);
		const struct tapbridge_dir_stats *d = &pcpu->dir[dir];
		struct tapbridge_stats snap;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&pcpu->syncp);
			snap.rx_packets = u64_stats_read(&d->rx_packets);
			snap.rx_bytes = u64_stats_read(&d->rx_bytes);
			snap.fwd_packets = u64_stats_read(&d->fwd_packets);
			snap.fwd_bytes = u64_stats_read(&d->fwd_bytes);
			snap.fwd_drops = u64_stats_read(&d->fwd_drops);
			snap.fwd_oversize = u64_stats_read(&d->fwd_oversize);
			snap.mirror_packets = u64_stats_read(&d->mirror_packets);
			snap.mirror_bytes = u64_stats_read(&d->mirror_bytes);
			snap.mirror_drops = u64_stats_read(&d->mirror_drops);
		} while (u64_stats_fetch_retry(&pcpu->syncp, start));

		sum->rx_packets += snap.rx_packets;
		sum->rx_bytes += snap.rx_bytes;
		sum->fwd_packets += snap.fwd_packets;
		sum->fwd_bytes += snap.fwd_bytes;
		sum->fwd_drops += snap.fwd_drops;
		sum->fwd_oversize += snap.fwd_oversize;
		sum->mirror_packets += snap.mirror_packets;
		sum->mirror_bytes += snap.mirror_bytes;
		sum->mirror_drops += snap.mirror_drops;
	}
}

/**
 * tapbridge_stats_since_reset - the counters of one direction since the
 *	last reset-stats, as genetlink reports them
 * @tbr: the instance
 * @dir: the direction
 * @s: filled with the counters
 *
 * Context: RTNL, which keeps the base still.
 */
void tapbridge_stats_since_reset(const struct tapbridge *tbr,
				 enum tapbridge_dir dir,
				 struct tapbridge_stats *s)
{
	const struct tapbridge_stats *base = &tbr->stats_base[dir];

	ASSERT_RTNL();

	tapbridge_stats_read(tbr, dir, s);
	s->rx_packets -= base->rx_packets;
	s->rx_bytes -= base->rx_bytes;
	s->fwd_packets -= base->fwd_packets;
	s->fwd_bytes -= base->fwd_bytes;
	s->fwd_drops -= base->fwd_drops;
	s->fwd_oversize -= base->fwd_oversize;
	s->mirror_packets -= base->mirror_packets;
	s->mirror_bytes -= base->mirror_bytes;
	s->mirror_drops -= base->mirror_drops;
}

/**
 * tapbridge_mirror_stats_since_reset - the counters of a mirror since the
 *	last reset-stats, as genetlink reports them
 * @mirror: the mirror
 * @s: filled with the counters
 *
 * Context: RTNL, which keeps the base still.
 */
void tapbridge_mirror_stats_since_reset(const struct tapbridge_mirror *mirror,
					struct tapbridge_mirror_stats *s)
{
	const struct tapbridge_mirror_stats *base = &mirror->base;

	ASSERT_RTNL();

	tapbridge_mirror_stats_read(mirror, s);
	s->tx_packets -= base->tx_packets;
	s->tx_bytes -= base->tx_bytes;
	s->tx_drops -= base->tx_drops;
	s->sliced -= base->sliced;
	s->oversize -= base->oversize;
	s->rx_drops -= base->rx_drops;
}

/**
 * tapbridge_stats_reset - reset-stats: the counters start again from 0
 * @tbr: the instance
 *
 * The per-CPU counters are not written: the datapath adds to them without
 * a lock, and a store from here could be lost, or lose an increment.
 * Their sums become the base that the genetlink counters subtract, so
 * that each of them starts from 0 at once and no frame counted after the
 * reset is missed. The RTNL-only counters (link propagation, the ports'
 * losses and returns) are zeroed. The instance device's own statistics
 * (ndo_get_stats64, ip -s link) are not reset, as no netdev's are.
 *
 * Context: RTNL.
 */
void tapbridge_stats_reset(struct tapbridge *tbr)
{
	const struct tapbridge_mirror_set *set = rtnl_dereference(tbr->mirrors);
	unsigned int i;
	int dir;

	ASSERT_RTNL();

	for (dir = 0; dir < TAPBRIDGE_DIR_COUNT; dir++) {
		tapbridge_stats_read(tbr, dir, &tbr->stats_base[dir]);
		tbr->losses[dir] = 0;
		tbr->returns[dir] = 0;
	}
	for (i = 0; set && i < set->count; i++)
		tapbridge_mirror_stats_read(set->all[i], &set->all[i]->base);
	tbr->propagation_actions = 0;
	tbr->stats_resets++;
}
