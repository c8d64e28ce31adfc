/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/tapbridge.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_TAPBRIDGE_GEN_H
#define _LINUX_TAPBRIDGE_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/tapbridge.h>

/* Common nested types */
extern const struct nla_policy tapbridge_mirror_nl_policy[TAPBRIDGE_A_MIRROR_RX_DROPS + 1];

int tapbridge_nl_create_doit(struct sk_buff *skb, struct genl_info *info);
int tapbridge_nl_delete_doit(struct sk_buff *skb, struct genl_info *info);
int tapbridge_nl_get_doit(struct sk_buff *skb, struct genl_info *info);
int tapbridge_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int tapbridge_nl_set_doit(struct sk_buff *skb, struct genl_info *info);
int tapbridge_nl_mirror_add_doit(struct sk_buff *skb, struct genl_info *info);
int tapbridge_nl_mirror_del_doit(struct sk_buff *skb, struct genl_info *info);
int tapbridge_nl_reset_stats_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	TAPBRIDGE_NLGRP_EVENTS,
};

extern struct genl_family tapbridge_nl_family;

#endif /* _LINUX_TAPBRIDGE_GEN_H */
