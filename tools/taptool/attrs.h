/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attributes of the tapbridge family as taptool reads and names
 * them: one line per attribute, its uapi enum suffix, its spec name and
 * its libmnl type. parse.c's validation tables, taptool.c's name of a
 * missing attribute and tests/fake_nl.c's request log are all made from
 * these lists; tests/check_spec.py checks them against
 * uapi/tapbridge.yaml, so a new or changed attribute fails the host tests
 * until it is here. (The kernel's YNL generator has no user-space C mode
 * for libmnl; the check keeps this one copy honest instead.)
 *
 * X(SUFFIX, "spec-name", MNL_TYPE_x) for TAPBRIDGE_A_<SET>_<SUFFIX>. PAD
 * attributes are listed as MNL_TYPE_UNSPEC: any length, never read.
 */
#ifndef _TT_ATTRS_H
#define _TT_ATTRS_H

#include <libmnl/libmnl.h>
#include <linux/tapbridge.h>

#define TT_STATS_ATTRS(X)						\
	X(PAD,			"pad",			MNL_TYPE_UNSPEC)	\
	X(RX_PACKETS,		"rx-packets",		MNL_TYPE_U64)	\
	X(RX_BYTES,		"rx-bytes",		MNL_TYPE_U64)	\
	X(FWD_PACKETS,		"fwd-packets",		MNL_TYPE_U64)	\
	X(FWD_BYTES,		"fwd-bytes",		MNL_TYPE_U64)	\
	X(FWD_DROPS,		"fwd-drops",		MNL_TYPE_U64)	\
	X(MIRROR_PACKETS,	"mirror-packets",	MNL_TYPE_U64)	\
	X(MIRROR_BYTES,		"mirror-bytes",		MNL_TYPE_U64)	\
	X(MIRROR_DROPS,		"mirror-drops",		MNL_TYPE_U64)	\
	X(FWD_OVERSIZE,		"fwd-oversize",		MNL_TYPE_U64)

#define TT_MIRROR_ATTRS(X)						\
	X(PAD,			"pad",			MNL_TYPE_UNSPEC)	\
	X(IFINDEX,		"ifindex",		MNL_TYPE_U32)	\
	X(DIRECTION,		"direction",		MNL_TYPE_U32)	\
	X(SNAPLEN,		"snaplen",		MNL_TYPE_U32)	\
	X(TAG_VID_AB,		"tag-vid-ab",		MNL_TYPE_U16)	\
	X(TAG_VID_BA,		"tag-vid-ba",		MNL_TYPE_U16)	\
	X(TAG_TPID,		"tag-tpid",		MNL_TYPE_U32)	\
	X(RX_PASS,		"rx-pass",		MNL_TYPE_U8)	\
	X(TX_PACKETS,		"tx-packets",		MNL_TYPE_U64)	\
	X(TX_BYTES,		"tx-bytes",		MNL_TYPE_U64)	\
	X(TX_DROPS,		"tx-drops",		MNL_TYPE_U64)	\
	X(SLICED,		"sliced",		MNL_TYPE_U64)	\
	X(OVERSIZE,		"oversize",		MNL_TYPE_U64)	\
	X(RX_DROPS,		"rx-drops",		MNL_TYPE_U64)

#define TT_INSTANCE_ATTRS(X)						\
	X(IFINDEX,		"ifindex",		MNL_TYPE_U32)	\
	X(NAME,			"name",			MNL_TYPE_NUL_STRING) \
	X(PORT_A,		"port-a",		MNL_TYPE_U32)	\
	X(PORT_B,		"port-b",		MNL_TYPE_U32)	\
	X(MODE,			"mode",			MNL_TYPE_U32)	\
	X(MIRROR,		"mirror",		MNL_TYPE_U32)	\
	X(MIRROR_AB,		"mirror-ab",		MNL_TYPE_U32)	\
	X(MIRROR_BA,		"mirror-ba",		MNL_TYPE_U32)	\
	X(STATS_AB,		"stats-ab",		MNL_TYPE_NESTED) \
	X(STATS_BA,		"stats-ba",		MNL_TYPE_NESTED) \
	X(MIRRORS,		"mirrors",		MNL_TYPE_NESTED) \
	X(LINK_PROPAGATION,	"link-propagation",	MNL_TYPE_U8)	\
	X(HOLD_DOWN,		"hold-down",		MNL_TYPE_U32)	\
	X(RX_ALL,		"rx-all",		MNL_TYPE_U8)	\
	X(WARNING,		"warning",		MNL_TYPE_NUL_STRING) \
	X(PROPAGATION_ACTIONS,	"propagation-actions",	MNL_TYPE_U64)	\
	X(PAD,			"pad",			MNL_TYPE_UNSPEC)	\
	X(PORT_LOSS,		"port-loss",		MNL_TYPE_U32)	\
	X(PORT_A_STATE,		"port-a-state",		MNL_TYPE_U32)	\
	X(PORT_B_STATE,		"port-b-state",		MNL_TYPE_U32)	\
	X(PORT_A_NAME,		"port-a-name",		MNL_TYPE_NUL_STRING) \
	X(PORT_B_NAME,		"port-b-name",		MNL_TYPE_NUL_STRING) \
	X(PORT_A_LOSSES,	"port-a-losses",	MNL_TYPE_U64)	\
	X(PORT_A_RETURNS,	"port-a-returns",	MNL_TYPE_U64)	\
	X(PORT_B_LOSSES,	"port-b-losses",	MNL_TYPE_U64)	\
	X(PORT_B_RETURNS,	"port-b-returns",	MNL_TYPE_U64)	\
	X(STATS_RESETS,		"stats-resets",		MNL_TYPE_U64)	\
	X(CAPTURE,		"capture",		MNL_TYPE_U8)	\
	X(WIRE_TSTAMP,		"wire-tstamp",		MNL_TYPE_U8)

#define TT_EVENT_ATTRS(X)						\
	X(TYPE,			"type",			MNL_TYPE_U32)	\
	X(IFINDEX,		"ifindex",		MNL_TYPE_U32)	\
	X(NAME,			"name",			MNL_TYPE_NUL_STRING) \
	X(DEV_IFINDEX,		"dev-ifindex",		MNL_TYPE_U32)	\
	X(DEV_NAME,		"dev-name",		MNL_TYPE_NUL_STRING)

#define TT_CMDS(X)							\
	X(CREATE,		"create")				\
	X(DELETE,		"delete")				\
	X(GET,			"get")					\
	X(SET,			"set")					\
	X(MIRROR_ADD,		"mirror-add")				\
	X(MIRROR_DEL,		"mirror-del")				\
	X(EVENT,		"event")				\
	X(RESET_STATS,		"reset-stats")

/* Entries of tables indexed by attribute type (or command), from a list. */
#define TT_STATS_TYPE(s, n, t)		[TAPBRIDGE_A_STATS_##s] = t,
#define TT_MIRROR_TYPE(s, n, t)		[TAPBRIDGE_A_MIRROR_##s] = t,
#define TT_MIRROR_NAME(s, n, t)		[TAPBRIDGE_A_MIRROR_##s] = n,
#define TT_INSTANCE_TYPE(s, n, t)	[TAPBRIDGE_A_INSTANCE_##s] = t,
#define TT_INSTANCE_NAME(s, n, t)	[TAPBRIDGE_A_INSTANCE_##s] = n,
#define TT_EVENT_TYPE(s, n, t)		[TAPBRIDGE_A_EVENT_##s] = t,
#define TT_CMD_NAME(s, n)		[TAPBRIDGE_CMD_##s] = n,

#endif /* _TT_ATTRS_H */
