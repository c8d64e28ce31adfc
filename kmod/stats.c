// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: the datapath counts per CPU (port.c); this sums them.
 */

#include <linux/percpu.h>
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
