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
 * struct tt_warnings - warning texts of a reply, copied out of the buffer
 * @text: the texts, in the order they came
 * @n: entries in @text
 */
struct tt_warnings {
	char **text;
	size_t n;
};

int tt_parse_instance(const struct nlmsghdr *nlh, struct tt_instance *inst);
void tt_instance_release(struct tt_instance *inst);
int tt_parse_event(const struct nlmsghdr *nlh, struct tt_event *ev);
int tt_collect_warnings(const struct nlmsghdr *nlh, struct tt_warnings *w);
void tt_warnings_release(struct tt_warnings *w);

#endif /* _TT_PARSE_H */
