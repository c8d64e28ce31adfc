/* SPDX-License-Identifier: GPL-2.0 */
/*
 * taptool output: instances as text lines or as one JSON array, and the
 * "Error: " lines of every failure.
 */
#ifndef _TT_OUTPUT_H
#define _TT_OUTPUT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/tapbridge.h>

struct json_object;

/**
 * struct tt_direction_stats - counters of one direction of an instance
 * @counter: indexed by TAPBRIDGE_A_STATS_*; a counter the kernel did not
 *	send stays 0
 */
struct tt_direction_stats {
	uint64_t counter[TAPBRIDGE_A_STATS_MAX + 1];
};

/**
 * struct tt_instance - one instance as the kernel described it
 * @name: interface name of the instance device, empty if unknown
 * @ifindex: interface index of the instance device
 * @mode: enum tapbridge_mode, 0 if the kernel did not say
 * @port_a: ifindex of port A, 0 if absent
 * @port_b: ifindex of port B, 0 if absent
 * @mirror: ifindex of the aggregate mirror, 0 if absent or detached
 * @mirror_ab: ifindex of the a->b mirror (split), 0 if absent or detached
 * @mirror_ba: ifindex of the b->a mirror (split), 0 if absent or detached
 * @a_to_b: counters of frames received on port A
 * @b_to_a: counters of frames received on port B
 */
struct tt_instance {
	char name[IF_NAMESIZE];
	uint32_t ifindex;
	uint32_t mode;
	uint32_t port_a;
	uint32_t port_b;
	uint32_t mirror;
	uint32_t mirror_ab;
	uint32_t mirror_ba;
	struct tt_direction_stats a_to_b;
	struct tt_direction_stats b_to_a;
};

/* What is printed of each instance. */
enum tt_view {
	TT_VIEW_SHOW,	/* mode, ports and mirrors */
	TT_VIEW_STATS,	/* the above in JSON; name and counters in text */
};

/**
 * struct tt_printer - prints the instances of one show or stats command
 * @view: what is printed of each instance
 * @json: print a JSON array instead of text lines
 * @pretty: indent the JSON
 * @instances: JSON array collected until tt_printer_flush(), so that a
 *	failed dump prints nothing rather than a truncated array
 */
struct tt_printer {
	enum tt_view view;
	bool json;
	bool pretty;
	struct json_object *instances;
};

int tt_printer_init(struct tt_printer *p, enum tt_view view, bool json,
		    bool pretty);
int tt_printer_add(struct tt_printer *p, const struct tt_instance *inst);
int tt_printer_flush(struct tt_printer *p);
void tt_printer_release(struct tt_printer *p);

void tt_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tt_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* _TT_OUTPUT_H */
