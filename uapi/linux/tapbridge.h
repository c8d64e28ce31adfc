/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/tapbridge.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_TAPBRIDGE_H
#define _UAPI_LINUX_TAPBRIDGE_H

#define TAPBRIDGE_FAMILY_NAME		"tapbridge"
#define TAPBRIDGE_FAMILY_VERSION	1

#define TAPBRIDGE_IFNAME_MAX_LEN	15

/**
 * enum tapbridge_mode - Which mirror device receives the copy of a frame.
 * @TAPBRIDGE_MODE_AGGREGATE: Both directions are copied to one mirror device.
 * @TAPBRIDGE_MODE_SPLIT: Frames from port A to port B are copied to mirror-ab,
 *   frames from port B to port A to mirror-ba.
 * @TAPBRIDGE_MODE_CUSTOM: The mirror list was edited with mirror-add or
 *   mirror-del.
 */
enum tapbridge_mode {
	TAPBRIDGE_MODE_AGGREGATE = 1,
	TAPBRIDGE_MODE_SPLIT,
	TAPBRIDGE_MODE_CUSTOM,
};

#define TAPBRIDGE_MIRROR_MAX	8

/**
 * enum tapbridge_direction - The directions a mirror gets copies of.
 */
enum tapbridge_direction {
	TAPBRIDGE_DIRECTION_A_B = 1,
	TAPBRIDGE_DIRECTION_B_A,
	TAPBRIDGE_DIRECTION_BOTH,
};

/**
 * enum tapbridge_tpid - TPID of the direction tag pushed onto copies.
 * @TAPBRIDGE_TPID_8021Q: 802.1Q, 0x8100.
 * @TAPBRIDGE_TPID_8021AD: 802.1ad, 0x88a8.
 */
enum tapbridge_tpid {
	TAPBRIDGE_TPID_8021Q = 1,
	TAPBRIDGE_TPID_8021AD,
};

/**
 * enum tapbridge_event_type - What an event reports.
 * @TAPBRIDGE_EVENT_TYPE_CREATED: The instance was created.
 * @TAPBRIDGE_EVENT_TYPE_CHANGED: Its mode, mirrors or options changed.
 * @TAPBRIDGE_EVENT_TYPE_DELETED: The instance was deleted.
 * @TAPBRIDGE_EVENT_TYPE_CARRIER_UP: A port got its carrier back.
 * @TAPBRIDGE_EVENT_TYPE_CARRIER_DOWN: A port lost its carrier.
 * @TAPBRIDGE_EVENT_TYPE_PROPAGATION_DOWN: Link propagation took the other port
 *   down.
 * @TAPBRIDGE_EVENT_TYPE_PROPAGATION_UP: Link propagation brought that port
 *   back up.
 * @TAPBRIDGE_EVENT_TYPE_PORT_LOST: A port was unregistered or left the netns:
 *   the instance goes with it (port-loss delete) or waits for it (port-loss
 *   wait).
 * @TAPBRIDGE_EVENT_TYPE_MIRROR_LOST: A mirror was unregistered and detached.
 * @TAPBRIDGE_EVENT_TYPE_PORT_RETURNED: A device with the name a waiting port
 *   slot remembers appeared and was enslaved (port-loss wait); dev-ifindex and
 *   dev-name name the new device.
 * @TAPBRIDGE_EVENT_TYPE_PORT_REFUSED: A device with the name a waiting port
 *   slot remembers appeared but cannot be a port (not Ethernet, has an upper
 *   device, would loop...); the slot keeps waiting.
 * @TAPBRIDGE_EVENT_TYPE_STATS_RESET: The instance's counters were reset
 *   (reset-stats).
 */
enum tapbridge_event_type {
	TAPBRIDGE_EVENT_TYPE_CREATED = 1,
	TAPBRIDGE_EVENT_TYPE_CHANGED,
	TAPBRIDGE_EVENT_TYPE_DELETED,
	TAPBRIDGE_EVENT_TYPE_CARRIER_UP,
	TAPBRIDGE_EVENT_TYPE_CARRIER_DOWN,
	TAPBRIDGE_EVENT_TYPE_PROPAGATION_DOWN,
	TAPBRIDGE_EVENT_TYPE_PROPAGATION_UP,
	TAPBRIDGE_EVENT_TYPE_PORT_LOST,
	TAPBRIDGE_EVENT_TYPE_MIRROR_LOST,
	TAPBRIDGE_EVENT_TYPE_PORT_RETURNED,
	TAPBRIDGE_EVENT_TYPE_PORT_REFUSED,
	TAPBRIDGE_EVENT_TYPE_STATS_RESET,
};

/**
 * enum tapbridge_port_loss - What an instance does when a port is unregistered
 *   or leaves its netns.
 * @TAPBRIDGE_PORT_LOSS_DELETE: The instance is deleted with it (the default).
 * @TAPBRIDGE_PORT_LOSS_WAIT: The instance stays and remembers the port's name;
 *   a device that appears with that name in the instance's netns is enslaved
 *   in its place (a replugged USB NIC, a driver reload, a PCI reset).
 */
enum tapbridge_port_loss {
	TAPBRIDGE_PORT_LOSS_DELETE = 1,
	TAPBRIDGE_PORT_LOSS_WAIT,
};

/**
 * enum tapbridge_port_state - Whether a port slot has a device.
 * @TAPBRIDGE_PORT_STATE_ATTACHED: A device is enslaved.
 * @TAPBRIDGE_PORT_STATE_WAITING: The device was lost; the slot waits for a
 *   device of its name.
 */
enum tapbridge_port_state {
	TAPBRIDGE_PORT_STATE_ATTACHED = 1,
	TAPBRIDGE_PORT_STATE_WAITING,
};

enum {
	TAPBRIDGE_A_STATS_PAD = 1,
	TAPBRIDGE_A_STATS_RX_PACKETS,
	TAPBRIDGE_A_STATS_RX_BYTES,
	TAPBRIDGE_A_STATS_FWD_PACKETS,
	TAPBRIDGE_A_STATS_FWD_BYTES,
	TAPBRIDGE_A_STATS_FWD_DROPS,
	TAPBRIDGE_A_STATS_MIRROR_PACKETS,
	TAPBRIDGE_A_STATS_MIRROR_BYTES,
	TAPBRIDGE_A_STATS_MIRROR_DROPS,
	TAPBRIDGE_A_STATS_FWD_OVERSIZE,

	__TAPBRIDGE_A_STATS_MAX,
	TAPBRIDGE_A_STATS_MAX = (__TAPBRIDGE_A_STATS_MAX - 1)
};

enum {
	TAPBRIDGE_A_MIRROR_PAD = 1,
	TAPBRIDGE_A_MIRROR_IFINDEX,
	TAPBRIDGE_A_MIRROR_DIRECTION,
	TAPBRIDGE_A_MIRROR_SNAPLEN,
	TAPBRIDGE_A_MIRROR_TAG_VID_AB,
	TAPBRIDGE_A_MIRROR_TAG_VID_BA,
	TAPBRIDGE_A_MIRROR_TAG_TPID,
	TAPBRIDGE_A_MIRROR_RX_PASS,
	TAPBRIDGE_A_MIRROR_TX_PACKETS,
	TAPBRIDGE_A_MIRROR_TX_BYTES,
	TAPBRIDGE_A_MIRROR_TX_DROPS,
	TAPBRIDGE_A_MIRROR_SLICED,
	TAPBRIDGE_A_MIRROR_OVERSIZE,
	TAPBRIDGE_A_MIRROR_RX_DROPS,

	__TAPBRIDGE_A_MIRROR_MAX,
	TAPBRIDGE_A_MIRROR_MAX = (__TAPBRIDGE_A_MIRROR_MAX - 1)
};

enum {
	TAPBRIDGE_A_INSTANCE_IFINDEX = 1,
	TAPBRIDGE_A_INSTANCE_NAME,
	TAPBRIDGE_A_INSTANCE_PORT_A,
	TAPBRIDGE_A_INSTANCE_PORT_B,
	TAPBRIDGE_A_INSTANCE_MODE,
	TAPBRIDGE_A_INSTANCE_MIRROR,
	TAPBRIDGE_A_INSTANCE_MIRROR_AB,
	TAPBRIDGE_A_INSTANCE_MIRROR_BA,
	TAPBRIDGE_A_INSTANCE_STATS_AB,
	TAPBRIDGE_A_INSTANCE_STATS_BA,
	TAPBRIDGE_A_INSTANCE_MIRRORS,
	TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION,
	TAPBRIDGE_A_INSTANCE_HOLD_DOWN,
	TAPBRIDGE_A_INSTANCE_RX_ALL,
	TAPBRIDGE_A_INSTANCE_WARNING,
	TAPBRIDGE_A_INSTANCE_PROPAGATION_ACTIONS,
	TAPBRIDGE_A_INSTANCE_PAD,
	TAPBRIDGE_A_INSTANCE_PORT_LOSS,
	TAPBRIDGE_A_INSTANCE_PORT_A_STATE,
	TAPBRIDGE_A_INSTANCE_PORT_B_STATE,
	TAPBRIDGE_A_INSTANCE_PORT_A_NAME,
	TAPBRIDGE_A_INSTANCE_PORT_B_NAME,
	TAPBRIDGE_A_INSTANCE_PORT_A_LOSSES,
	TAPBRIDGE_A_INSTANCE_PORT_A_RETURNS,
	TAPBRIDGE_A_INSTANCE_PORT_B_LOSSES,
	TAPBRIDGE_A_INSTANCE_PORT_B_RETURNS,
	TAPBRIDGE_A_INSTANCE_STATS_RESETS,
	TAPBRIDGE_A_INSTANCE_CAPTURE,
	TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP,

	__TAPBRIDGE_A_INSTANCE_MAX,
	TAPBRIDGE_A_INSTANCE_MAX = (__TAPBRIDGE_A_INSTANCE_MAX - 1)
};

enum {
	TAPBRIDGE_A_EVENT_TYPE = 1,
	TAPBRIDGE_A_EVENT_IFINDEX,
	TAPBRIDGE_A_EVENT_NAME,
	TAPBRIDGE_A_EVENT_DEV_IFINDEX,
	TAPBRIDGE_A_EVENT_DEV_NAME,

	__TAPBRIDGE_A_EVENT_MAX,
	TAPBRIDGE_A_EVENT_MAX = (__TAPBRIDGE_A_EVENT_MAX - 1)
};

enum {
	TAPBRIDGE_CMD_CREATE = 1,
	TAPBRIDGE_CMD_DELETE,
	TAPBRIDGE_CMD_GET,
	TAPBRIDGE_CMD_SET,
	TAPBRIDGE_CMD_MIRROR_ADD,
	TAPBRIDGE_CMD_MIRROR_DEL,
	TAPBRIDGE_CMD_EVENT,
	TAPBRIDGE_CMD_RESET_STATS,

	__TAPBRIDGE_CMD_MAX,
	TAPBRIDGE_CMD_MAX = (__TAPBRIDGE_CMD_MAX - 1)
};

#define TAPBRIDGE_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_TAPBRIDGE_H */
