// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel API that compat.h cannot provide inline; built only for kernels
 * that lack it (see Kbuild).
 */

#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>

/**
 * struct tapbridge_compat_err_msg - a formatted extack message
 * @free: frees the message once its task returns to user space
 * @text: the message
 */
struct tapbridge_compat_err_msg {
	struct callback_head free;
	char text[80];
};

static void tapbridge_compat_err_msg_free(struct callback_head *head)
{
	kfree(container_of(head, struct tapbridge_compat_err_msg, free));
}

/**
 * tapbridge_compat_set_err_msg_fmt - NL_SET_ERR_MSG_FMT before Linux 6.2
 * @extack: the extack of the request, or NULL
 * @fmt: printf format of the message
 *
 * The extack of 6.1 holds a pointer to a message but no buffer, and the
 * message is read after the handler returns, when netlink acks the
 * request. That happens before the requesting task returns from its
 * system call, so the message is allocated and freed by task work when
 * the task goes back to user space. Should that fail, the unformatted
 * text is better than no message.
 *
 * Context: process context of the requesting task (a genetlink handler).
 */
void tapbridge_compat_set_err_msg_fmt(struct netlink_ext_ack *extack,
				      const char *fmt, ...)
{
	struct tapbridge_compat_err_msg *msg;
	va_list args;
	int len;

	if (!extack)
		return;
	msg = kmalloc(sizeof(*msg), GFP_KERNEL);
	if (!msg)
		goto err_unformatted;
	init_task_work(&msg->free, tapbridge_compat_err_msg_free);
	if (task_work_add(current, &msg->free, TWA_RESUME))
		goto err_free_msg;

	va_start(args, fmt);
	len = vsnprintf(msg->text, sizeof(msg->text), fmt, args);
	va_end(args);
	if (len >= sizeof(msg->text))
		net_warn_ratelimited("truncated extack: %s\n", msg->text);
	do_trace_netlink_extack(msg->text);
	extack->_msg = msg->text;
	return;

err_free_msg:
	kfree(msg);
err_unformatted:
	do_trace_netlink_extack(fmt);
	extack->_msg = fmt;
}
