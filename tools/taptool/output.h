/* SPDX-License-Identifier: GPL-2.0 */
/*
 * taptool output: instances as text lines or as one JSON array, events as
 * one line or one JSON object each, and the "Error: "/"Warning: " lines.
 */
#ifndef _TT_OUTPUT_H
#define _TT_OUTPUT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include <linux/tapbridge.h>

struct json_object;

/*
 * Version of the JSON taptool prints (tools/taptool/taptool.schema.json):
 * raised when a key changes meaning or goes away, not when one is added.
 */
#define TT_JSON_VERSION	1

/**
 * struct tt_direction_stats - counters of one direction of an instance
 * @counter: indexed by TAPBRIDGE_A_STATS_*; a counter the kernel did not
 *	send stays 0
 */
struct tt_direction_stats {
	uint64_t counter[TAPBRIDGE_A_STATS_MAX + 1];
};

/**
 * struct tt_mirror - one entry of an instance's mirror list
 * @ifindex: interface index of the mirror device, 0 if absent or detached
 * @direction: enum tapbridge_direction; 0 (not said) is the kernel's
 *	default, both
 * @snaplen: copies are cut to this many bytes; 0 means whole frames
 * @tag_ab: VLAN ID pushed onto copies of direction a->b, 0 for none
 * @tag_ba: VLAN ID pushed onto copies of direction b->a, 0 for none
 * @tpid: enum tapbridge_tpid of those tags; 0 (not said) is 802.1Q
 * @rx_pass: frames received on the mirror reach the host stack
 * @counter: indexed by TAPBRIDGE_A_MIRROR_* (the u64 counters only);
 *	a counter the kernel did not send stays 0
 */
struct tt_mirror {
	uint32_t ifindex;
	uint32_t direction;
	uint32_t snaplen;
	uint16_t tag_ab;
	uint16_t tag_ba;
	uint32_t tpid;
	bool rx_pass;
	uint64_t counter[TAPBRIDGE_A_MIRROR_MAX + 1];
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
 * @mirrors: the mirror list, with each mirror's options and counters
 * @n_mirrors: entries in @mirrors
 * @link_propagation: a port losing carrier takes the other one down
 * @hold_down_ms: how long a carrier must stay up before link propagation
 *	brings the other port back
 * @rx_all: the ports receive all frames, bad FCS included
 * @propagation_actions: ports link propagation took down or brought up
 * @warnings: the kernel's configuration warnings, each a line of text
 * @n_warnings: entries in @warnings
 * @port_loss: enum tapbridge_port_loss, 0 if the kernel did not say
 * @port_state: per port, enum tapbridge_port_state, 0 if the kernel did
 *	not say
 * @port_name: per port, its device's name or the name its slot waits for
 * @port_losses: per port, devices lost while the instance stayed
 * @port_returns: per port, devices adopted after a loss
 * @stats_resets: times reset-stats reset the counters
 * @capture: the instance device is a capture device
 * @wire_tstamp: mirror copies carry their frame's receive time
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
	const struct tt_mirror *mirrors;
	size_t n_mirrors;
	bool link_propagation;
	uint32_t hold_down_ms;
	bool rx_all;
	uint64_t propagation_actions;
	uint32_t port_loss;
	uint32_t port_state[2];
	char port_name[2][IF_NAMESIZE];
	uint64_t port_losses[2];
	uint64_t port_returns[2];
	uint64_t stats_resets;
	bool capture;
	bool wire_tstamp;
	const char *const *warnings;
	size_t n_warnings;
	struct tt_direction_stats a_to_b;
	struct tt_direction_stats b_to_a;
};

/* What is printed of each instance. */
enum tt_view {
	TT_VIEW_SHOW,	/* mode, ports, mirrors and options */
	TT_VIEW_STATS,	/* the above and counters in JSON; counters in text */
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

/**
 * struct tt_event - one message of the "events" multicast group
 * @type: enum tapbridge_event_type
 * @ifindex: interface index of the instance, 0 if not said
 * @name: name of the instance as the event carries it, NULL if not said
 * @dev_ifindex: interface index of the port or mirror concerned, 0 if
 *	not said
 * @dev_name: its name as the event carries it, NULL if not said; the
 *	device may be gone by the time the event is read, so this is the
 *	only name there is
 * @time: when taptool received it (CLOCK_REALTIME), 0 if not known
 */
struct tt_event {
	struct timespec time;
	uint32_t type;
	uint32_t ifindex;
	const char *name;
	uint32_t dev_ifindex;
	const char *dev_name;
};

int tt_print_event(const struct tt_event *ev, bool json);

const char *tt_config_gone(const struct tt_instance *inst);
void tt_print_config(FILE *out, const struct tt_instance *inst);

struct tt_reply;
int tt_print_result(const char *command, const char *name,
		    const struct tt_reply *reply, bool pretty);
int tt_print_version(const char *taptool, bool module_loaded,
		     const char *module, int family, int family_spoken,
		     bool pretty);

/**
 * struct tt_sample - the counters of one instance at one time, for rates
 * @name: the instance's name
 * @ifindex: the instance's ifindex: samples are matched by it
 * @a_to_b: counters of direction a->b
 * @b_to_a: counters of direction b->a
 * @mirror_ifindex: ifindex of each mirror entry, 0 if detached
 * @mirror: counters of each mirror entry, indexed as struct tt_mirror's
 * @n_mirrors: entries in @mirror_ifindex and @mirror
 * @stats_resets: the instance's stats-resets: a sample after a reset
 *	counts from 0
 */
struct tt_sample {
	char name[IF_NAMESIZE];
	uint32_t ifindex;
	struct tt_direction_stats a_to_b;
	struct tt_direction_stats b_to_a;
	uint32_t mirror_ifindex[TAPBRIDGE_MIRROR_MAX];
	uint64_t mirror[TAPBRIDGE_MIRROR_MAX][TAPBRIDGE_A_MIRROR_MAX + 1];
	size_t n_mirrors;
	uint64_t stats_resets;
};

void tt_sample_take(struct tt_sample *s, const struct tt_instance *inst);
int tt_print_rates(const struct tt_sample *before,
		   const struct tt_sample *after, double seconds,
		   const struct timespec *time, bool json, bool human);

void tt_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tt_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tt_print_warnings(const char *const *texts, size_t n, const char *extack);

#endif /* _TT_OUTPUT_H */
