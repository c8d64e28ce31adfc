// SPDX-License-Identifier: GPL-2.0
/*
 * Prints fixed instances through taptool's output.c, so that run.sh can
 * pin the show and stats formats on a host whose kernel has no tapbridge
 * family. The selftests in the VM assert the same formats against real
 * kernel replies.
 *
 * usage: output_test show|stats [json] [pretty]
 *
 * Ports and mirrors that must resolve use "lo", present in every netns;
 * one index that resolves to nothing shows how such a race is printed.
 */
#include <stdio.h>
#include <string.h>

#include "../output.h"

#define UNKNOWN_IFINDEX	2147483647u

static void fill_stats(struct tt_direction_stats *s, uint64_t first)
{
	int attr;

	for (attr = TAPBRIDGE_A_STATS_RX_PACKETS; attr <= TAPBRIDGE_A_STATS_MAX;
	     attr++)
		s->counter[attr] = first + attr - TAPBRIDGE_A_STATS_RX_PACKETS;
}

int main(int argc, char **argv)
{
	struct tt_instance aggregate = {
		.name = "tap0", .ifindex = 7, .mode = TAPBRIDGE_MODE_AGGREGATE,
		/* .mirror left 0: a detached mirror */
	};
	struct tt_instance split = {
		.name = "tap1", .ifindex = 8, .mode = TAPBRIDGE_MODE_SPLIT,
		.port_b = UNKNOWN_IFINDEX,
	};
	struct tt_printer printer;
	enum tt_view view;
	bool json = false, pretty = false;
	unsigned int lo = if_nametoindex("lo");
	int i, ret = 1;

	if (argc < 2 || !lo)
		return 2;
	view = strcmp(argv[1], "stats") ? TT_VIEW_SHOW : TT_VIEW_STATS;
	for (i = 2; i < argc; i++) {
		json |= !strcmp(argv[i], "json");
		pretty |= !strcmp(argv[i], "pretty");
	}

	aggregate.port_a = aggregate.port_b = lo;
	fill_stats(&aggregate.a_to_b, 1);
	fill_stats(&aggregate.b_to_a, 11);
	split.port_a = split.mirror_ab = lo;
	fill_stats(&split.a_to_b, 0);
	/* u64 counters must survive both formats whole. */
	fill_stats(&split.b_to_a, UINT64_MAX - 7);

	if (tt_printer_init(&printer, view, json, pretty) ||
	    tt_printer_add(&printer, &aggregate) ||
	    tt_printer_add(&printer, &split) ||
	    tt_printer_flush(&printer))
		goto out;
	ret = 0;
out:
	tt_printer_release(&printer);
	return ret;
}
