/* SPDX-License-Identifier: GPL-2.0 */
/* The model of the family behind taptool_fake: see fake_kernel.c. */
#ifndef _TT_FAKE_KERNEL_H
#define _TT_FAKE_KERNEL_H

#include <libmnl/libmnl.h>

int fake_kernel(const struct nlmsghdr *req, mnl_cb_t cb, void *data);

#endif /* _TT_FAKE_KERNEL_H */
