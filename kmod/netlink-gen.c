// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	uapi/tapbridge.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/tapbridge.h>

/* TAPBRIDGE_CMD_CREATE - do */
static const struct nla_policy tapbridge_create_nl_policy[TAPBRIDGE_A_INSTANCE_MIRROR_BA + 1] = {
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
	[TAPBRIDGE_A_INSTANCE_PORT_A] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_PORT_B] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MODE] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[TAPBRIDGE_A_INSTANCE_MIRROR] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MIRROR_AB] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MIRROR_BA] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* TAPBRIDGE_CMD_DELETE - do */
static const struct nla_policy tapbridge_delete_nl_policy[TAPBRIDGE_A_INSTANCE_NAME + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
};

/* TAPBRIDGE_CMD_GET - do */
static const struct nla_policy tapbridge_get_nl_policy[TAPBRIDGE_A_INSTANCE_NAME + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
};

/* TAPBRIDGE_CMD_SET - do */
static const struct nla_policy tapbridge_set_nl_policy[TAPBRIDGE_A_INSTANCE_MIRROR_BA + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_NAME] = { .type = NLA_NUL_STRING, .len = TAPBRIDGE_IFNAME_MAX_LEN, },
	[TAPBRIDGE_A_INSTANCE_MODE] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[TAPBRIDGE_A_INSTANCE_MIRROR] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MIRROR_AB] = NLA_POLICY_MIN(NLA_U32, 1),
	[TAPBRIDGE_A_INSTANCE_MIRROR_BA] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* Ops table for tapbridge */
static const struct genl_split_ops tapbridge_nl_ops[] = {
	{
		.cmd		= TAPBRIDGE_CMD_CREATE,
		.doit		= tapbridge_nl_create_doit,
		.policy		= tapbridge_create_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_MIRROR_BA,
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
		.policy		= tapbridge_get_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= TAPBRIDGE_CMD_GET,
		.dumpit	= tapbridge_nl_get_dumpit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= TAPBRIDGE_CMD_SET,
		.doit		= tapbridge_nl_set_doit,
		.policy		= tapbridge_set_nl_policy,
		.maxattr	= TAPBRIDGE_A_INSTANCE_MIRROR_BA,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

struct genl_family tapbridge_nl_family __ro_after_init = {
	.name		= TAPBRIDGE_FAMILY_NAME,
	.version	= TAPBRIDGE_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= tapbridge_nl_ops,
	.n_split_ops	= ARRAY_SIZE(tapbridge_nl_ops),
};
