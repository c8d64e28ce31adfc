/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel sends, turned into taptool's structs: instances of a GET
 * reply or dump, events of the "events" group, warnings of a reply.
 */
#ifndef _TT_PARSE_H
#define _TT_PARSE_H

#include <stddef.h>

#include <libmnl/libmnl.h>

#include "output.h"

/**
 * struct tt_reply - what the replies of changes said, copied out of the
 *	buffer
 * @warnings: the warning texts, each once, in the order they came
 * @n_warnings: entries in @warnings
 * @ifindex: the instance's ifindex, if a reply carried it (create's does)
 */
struct tt_reply {
	char **warnings;
	size_t n_warnings;
	uint32_t ifindex;
};

int tt_parse_instance(const struct nlmsghdr *nlh, struct tt_instance *inst);
void tt_instance_release(struct tt_instance *inst);
int tt_parse_event(const struct nlmsghdr *nlh, struct tt_event *ev);
int tt_parse_reply(const struct nlmsghdr *nlh, struct tt_reply *reply);
int tt_reply_add_warning(struct tt_reply *reply, const char *text);
void tt_reply_release(struct tt_reply *reply);

#endif /* _TT_PARSE_H */
