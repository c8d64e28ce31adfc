// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	uapi/tapbridge.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/tapbridge.h>

/* Integer value ranges */
static const struct netlink_range_validation tapbridge_a_mirror_snaplen_range = {
	.min	= 64ULL,
	.max	= 65535ULL,
};

static const struct netlink_range_validation tapbridge_a_instance_hold_down_range = {
	.max	= 600000ULL,
};

/* Common nested types */
const struct nla_policy tapbridge_mirror_nl_policy[TAPBRIDGE_A_MIRROR_RX_DROPS + 1] = {
	[TAPBRIDGE_A_MIRROR_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_MIRROR_DIRECTION] = NLA_POLICY_RANGE(NLA_U32, 1, 3),
	[TAPBRIDGE_A_MIRROR_SNAPLEN] = NLA_POLICY_FULL_RANGE(NLA_U32, &tapbridge_a_mirror_snaplen_range),
	[TAPBRIDGE_A_MIRROR_TAG_VID_AB] = NLA_POLICY_RANGE(NLA_U16, 1, 4094),
	[TAPBRIDGE_A_MIRROR_TAG_VID_BA] = NLA_POLICY_RANGE(NLA_U16, 1, 4094),
	[TAPBRIDGE_A_MIRROR_TAG_TPID] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[TAPBRIDGE_A_MIRROR_RX_PASS] = NLA_POLICY_MAX(NLA_U8, 1),
	[TAPBRIDGE_A_MIRROR_TX_PACKETS] = { .type = NLA_U64, },
	[TAPBRIDGE_A_MIRROR_TX_BYTES] = { .type = NLA_U64, },
	[TAPBRIDGE_A_MIRROR_TX_DROPS] = { .type = NLA_U64, },
	[TAPBRIDGE_A_MIRROR_SLICED] = { .type = NLA_U64, },
	[TAPBRIDGE_A_MIRROR_OVERSIZE] = { .type = NLA_U64, },
	[TAPBRIDGE_A_MIRROR_RX_DROPS] = { .type = NLA_U64, },
};

/* TAPBRIDGE_CMD_CREATE - do */
static const struct nla_policy tapbridge_create_nl_policy[TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP + 1] = {
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
	[TAPBRIDGE_A_INSTANCE_PORT_A] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_PORT_B] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MODE] = NLA_POLICY_RANGE(NLA_U32, 1, 3),
	[TAPBRIDGE_A_INSTANCE_MIRROR] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MIRROR_AB] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MIRROR_BA] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION] = NLA_POLICY_MAX(NLA_U8, 1),
	[TAPBRIDGE_A_INSTANCE_HOLD_DOWN] = NLA_POLICY_FULL_RANGE(NLA_U32, &tapbridge_a_instance_hold_down_range),
	[TAPBRIDGE_A_INSTANCE_RX_ALL] = NLA_POLICY_MAX(NLA_U8, 1),
	[TAPBRIDGE_A_INSTANCE_PORT_LOSS] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[TAPBRIDGE_A_INSTANCE_CAPTURE] = NLA_POLICY_MAX(NLA_U8, 1),
	[TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* TAPBRIDGE_CMD_DELETE - do */
static const struct nla_policy tapbridge_delete_nl_policy[TAPBRIDGE_A_INSTANCE_NAME + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
};

/* TAPBRIDGE_CMD_GET - do */
static const struct nla_policy tapbridge_get_do_nl_policy[TAPBRIDGE_A_INSTANCE_NAME + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
};

/* TAPBRIDGE_CMD_GET - dump */
static const struct nla_policy tapbridge_get_dump_nl_policy[TAPBRIDGE_A_INSTANCE_NAME + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
};

/* TAPBRIDGE_CMD_SET - do */
static const struct nla_policy tapbridge_set_nl_policy[TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
	[TAPBRIDGE_A_INSTANCE_MODE] = NLA_POLICY_RANGE(NLA_U32, 1, 3),
	[TAPBRIDGE_A_INSTANCE_MIRROR] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MIRROR_AB] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MIRROR_BA] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION] = NLA_POLICY_MAX(NLA_U8, 1),
	[TAPBRIDGE_A_INSTANCE_HOLD_DOWN] = NLA_POLICY_FULL_RANGE(NLA_U32, &tapbridge_a_instance_hold_down_range),
	[TAPBRIDGE_A_INSTANCE_RX_ALL] = NLA_POLICY_MAX(NLA_U8, 1),
	[TAPBRIDGE_A_INSTANCE_PORT_LOSS] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[TAPBRIDGE_A_INSTANCE_CAPTURE] = NLA_POLICY_MAX(NLA_U8, 1),
	[TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* TAPBRIDGE_CMD_MIRROR_ADD - do */
static const struct nla_policy tapbridge_mirror_add_nl_policy[TAPBRIDGE_A_INSTANCE_MIRRORS + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
	[TAPBRIDGE_A_INSTANCE_MIRRORS] = NLA_POLICY_NESTED(tapbridge_mirror_nl_policy),
};

/* TAPBRIDGE_CMD_MIRROR_DEL - do */
static const struct nla_policy tapbridge_mirror_del_nl_policy[TAPBRIDGE_A_INSTANCE_MIRRORS + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
	[TAPBRIDGE_A_INSTANCE_MIRRORS] = NLA_POLICY_NESTED(tapbridge_mirror_nl_policy),
};

/* TAPBRIDGE_CMD_RESET_STATS - do */
static const struct nla_policy tapbridge_reset_stats_nl_policy[TAPBRIDGE_A_INSTANCE_NAME + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
};

/* Ops table for tapbridge */
static const struct genl_split_ops tapbridge_nl_ops[] = {
	{
		.cmd		= TAPBRIDGE_CMD_CREATE,
		.doit		= tapbridge_nl_create_doit,
		.policy		= tapbridge_create_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= TAPBRIDGE_CMD_DELETE,
		.doit		= tapbridge_nl_delete_doit,
		.policy		= tapbridge_delete_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= TAPBRIDGE_CMD_GET,
		.doit		= tapbridge_nl_get_doit,
		.policy		= tapbridge_get_do_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= TAPBRIDGE_CMD_GET,
		.dumpit		= tapbridge_nl_get_dumpit,
		.policy		= tapbridge_get_dump_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= TAPBRIDGE_CMD_SET,
		.doit		= tapbridge_nl_set_doit,
		.policy		= tapbridge_set_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= TAPBRIDGE_CMD_MIRROR_ADD,
		.doit		= tapbridge_nl_mirror_add_doit,
		.policy		= tapbridge_mirror_add_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_MIRRORS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= TAPBRIDGE_CMD_MIRROR_DEL,
		.doit		= tapbridge_nl_mirror_del_doit,
		.policy		= tapbridge_mirror_del_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_MIRRORS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= TAPBRIDGE_CMD_RESET_STATS,
		.doit		= tapbridge_nl_reset_stats_doit,
		.policy		= tapbridge_reset_stats_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group tapbridge_nl_mcgrps[] = {
	[TAPBRIDGE_NLGRP_EVENTS] = { "events", },
};

struct genl_family tapbridge_nl_family __ro_after_init = {
	.name		= TAPBRIDGE_FAMILY_NAME,
	.version	= TAPBRIDGE_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= tapbridge_nl_ops,
	.n_split_ops	= ARRAY_SIZE(tapbridge_nl_ops),
	.mcgrps		= tapbridge_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(tapbridge_nl_mcgrps),
};
