// SPDX-License-Identifier: GPL-2.0
/*
 * The genetlink family on kernels without split ops (before Linux 6.2),
 * built in place of netlink-gen.o (see Kbuild).
 *
 * The generated netlink-gen.c is compiled here unchanged, its family
 * renamed to tapbridge_nl_split_family and typed with a stand-in struct
 * that has the fields the generator fills. The real tapbridge_nl_family
 * is defined below; at registration it takes the generated table turned
 * into legacy ops: the do and the dump of one command become one
 * genl_ops, with one policy. The policies, the flags (CAP_NET_ADMIN) and
 * the handlers are the generated ones; only a dump now accepts, and
 * ignores, the attributes of its do that its own policy lacks. Where a
 * command's do and dump both have a policy, the two must be the same, or
 * registration fails.
 */

#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/tapbridge.h>

/* The struct of Linux 6.2, with the members the generator uses. */
struct genl_split_ops {
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	int (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);
	const struct nla_policy *policy;
	unsigned int maxattr;
	u8 cmd;
	u8 flags;
};

/**
 * struct tapbridge_compat_split_family - what netlink-gen.c sets of a family
 * @name: family name
 * @version: family version
 * @netnsok: the family works in every netns
 * @parallel_ops: handlers run without genl_mutex
 * @module: the module of the handlers
 * @split_ops: the generated ops table
 * @n_split_ops: entries in @split_ops
 * @mcgrps: multicast groups
 * @n_mcgrps: entries in @mcgrps
 */
struct tapbridge_compat_split_family {
	const char *name;
	unsigned int version;
	bool netnsok;
	bool parallel_ops;
	struct module *module;
	const struct genl_split_ops *split_ops;
	unsigned int n_split_ops;
	const struct genl_multicast_group *mcgrps;
	unsigned int n_mcgrps;
};

/*
 * The generator makes the ranges const; before 6.2 the policy points to
 * them without const. The kernel only reads them.
 */
#undef NLA_POLICY_FULL_RANGE
#define NLA_POLICY_FULL_RANGE(tp, _range) {				\
	.type = NLA_ENSURE_UINT_OR_BINARY_TYPE(tp),			\
	.validation_type = NLA_VALIDATE_RANGE_PTR,			\
	.range = (struct netlink_range_validation *)(_range),		\
}

#define genl_family tapbridge_compat_split_family
#define tapbridge_nl_family tapbridge_nl_split_family
#include "netlink-gen.c"
#undef tapbridge_nl_family
#undef genl_family

/* compat.h points genl_register_family() here; below it is the kernel's. */
#undef genl_register_family

/* At most one legacy op per generated entry; filled in at registration. */
static struct genl_ops tapbridge_compat_ops[ARRAY_SIZE(tapbridge_nl_ops)] __ro_after_init;

/* Declared by compat.h; netlink-gen.h declared the split family above. */
struct genl_family tapbridge_nl_family __ro_after_init;

/* The legacy op of @cmd in @ops[0..*n), added if it is not there yet. */
static struct genl_ops *tapbridge_compat_op(struct genl_ops *ops,
					    unsigned int *n, u8 cmd)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (ops[i].cmd == cmd)
			return &ops[i];
	ops[*n].cmd = cmd;
	return &ops[(*n)++];
}

/* Whether a legacy op can take the policy of @sop: the same attributes. */
static bool tapbridge_compat_same_policy(const struct genl_ops *op,
					 const struct genl_split_ops *sop)
{
	return op->maxattr == sop->maxattr &&
	       !memcmp(op->policy, sop->policy,
		       (sop->maxattr + 1) * sizeof(*sop->policy));
}

/**
 * tapbridge_compat_genl_register_family - genl_register_family() for the
 * family of netlink-gen.c, on kernels without split ops
 * @family: &tapbridge_nl_family
 *
 * Context: module init.
 * Return: 0 or a negative errno.
 */
int tapbridge_compat_genl_register_family(struct genl_family *family)
{
	const struct tapbridge_compat_split_family *split = &tapbridge_nl_split_family;
	const u8 caps = GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP | GENL_CMD_CAP_HASPOL;
	unsigned int i, n = 0;

	if (WARN_ON(family != &tapbridge_nl_family))
		return -EINVAL;

	for (i = 0; i < split->n_split_ops; i++) {
		const struct genl_split_ops *sop = &split->split_ops[i];
		struct genl_ops *op;

		op = tapbridge_compat_op(tapbridge_compat_ops, &n, sop->cmd);
		op->flags |= sop->flags & ~caps;
		if (sop->flags & GENL_CMD_CAP_DO)
			op->doit = sop->doit;
		if (sop->flags & GENL_CMD_CAP_DUMP)
			op->dumpit = sop->dumpit;
		if (sop->policy && op->policy) {
			if (!tapbridge_compat_same_policy(op, sop)) {
				pr_err("tapbridge: command %u: the do and the dump have different policies\n",
				       sop->cmd);
				return -EINVAL;
			}
		} else if (sop->policy) {
			op->policy = sop->policy;
			op->maxattr = sop->maxattr;
		}
	}

	strscpy(family->name, split->name, sizeof(family->name));
	family->version = split->version;
	family->netnsok = split->netnsok;
	family->parallel_ops = split->parallel_ops;
	family->module = split->module;
	family->ops = tapbridge_compat_ops;
	family->n_ops = n;
	/* netlink.c may have replaced the generated groups already. */
	if (!family->mcgrps) {
		family->mcgrps = split->mcgrps;
		family->n_mcgrps = split->n_mcgrps;
	}
	return genl_register_family(family);
}
