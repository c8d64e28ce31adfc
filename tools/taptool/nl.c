// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing for taptool: open a socket, resolve a family,
 * run one request to its end and keep the kernel's extack verdict.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"

/*
 * The kernel sizes each dump skb to what the reader has been receiving
 * with, up to 32 KiB; a buffer that large never sees a truncated message.
 */
#define TT_NL_BUF_LEN	32768

/*
 * One datagram from the kernel into @nl->buf. A datagram from any other
 * sender (a process that knows our port id can send us one) is dropped
 * unread: the socket is connected to the kernel, which makes the kernel
 * refuse such unicasts, and the sender is checked here as well.
 */

/*
 * The errno libmnl left, as a negative return value. It copies an error
 * reply's code into errno unchecked: a code that is no errno (0, negative,
 * INT_MIN from a forged or broken reply) becomes EIO.
 */
static int errno_or_eio(void)
{
	return errno > 0 && errno < 4096 ? errno : EIO;
}

static ssize_t recv_from_kernel(struct tt_nl *nl)
{
	struct sockaddr_nl addr;
	struct iovec iov = { .iov_base = nl->buf, .iov_len = nl->buf_len };
	struct msghdr msg = {
		.msg_name = &addr, .msg_namelen = sizeof(addr),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t len;

	for (;;) {
		msg.msg_namelen = sizeof(addr);
		len = recvmsg(mnl_socket_get_fd(nl->sock), &msg, 0);
		if (len < 0)
			return -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -ENOSPC;
		if (msg.msg_namelen == sizeof(addr) &&
		    addr.nl_family == AF_NETLINK && addr.nl_pid == 0)
			return len;
	}
}

/*
 * libmnl 1.0.4's mnl_nlmsg_ok() compares (int)nlmsg_len with the length
 * left, so a message that says it is 2^31 bytes or more passes, and the
 * walk goes out of the buffer. Each length is checked here first, in
 * size_t, before libmnl walks the datagram.
 */
static bool datagram_ok(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	size_t left = len;

	while (left >= sizeof(*nlh)) {
		nlh = (const struct nlmsghdr *)((const char *)buf + (len - left));
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
			return false;
		left -= left < NLMSG_ALIGN(nlh->nlmsg_len) ?
			left : NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return true;
}

/* What the callbacks of one tt_nl_transact() share. */
struct transaction {
	struct tt_nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int ext_ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct tt_nl_error *err = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			break;
		snprintf(err->msg, sizeof(err->msg), "%s",
			 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			break;
		err->miss_type = mnl_attr_get_u32(attr);
		err->has_miss_type = true;
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		err->miss_in_nest = true;
		break;
	}
	return MNL_CB_OK;
}

/*
 * The extack TLVs follow the fixed part of an NLMSG_ERROR or NLMSG_DONE
 * payload; @offset is where that fixed part ends. A malformed TLV stream
 * only loses the explanation, never the error itself, so its result is
 * not checked.
 */
static void parse_ext_ack(const struct nlmsghdr *nlh, size_t offset,
			  struct tt_nl_error *err)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const char *payload = mnl_nlmsg_get_payload(nlh);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || offset > len)
		return;
	mnl_attr_parse_payload(payload + offset, len - offset,
			       ext_ack_attr_cb, err);
}

/* Ends every "do" request: an ACK (error 0) or the kernel's refusal. */
static int error_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlmsgerr *nlerr = mnl_nlmsg_get_payload(nlh);
	struct transaction *t = arg;
	size_t offset = sizeof(*nlerr);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nlerr)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	/* Uncapped, the kernel echoes our request before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += MNL_ALIGN(mnl_nlmsg_get_payload_len(&nlerr->msg));
	parse_ext_ack(nlh, offset, &t->nl->err);

	if (!nlerr->error)
		return MNL_CB_STOP;
	/* Some subsystems answer with a positive errno; take either sign. */
	t->nl->err.code = abs(nlerr->error);
	errno = t->nl->err.code;
	return MNL_CB_ERROR;
}

/* Ends a dump; a dump cut short carries its error and extack here. */
static int done_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct transaction *t = arg;
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return MNL_CB_STOP;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	parse_ext_ack(nlh, sizeof(error), &t->nl->err);

	if (!error)
		return MNL_CB_STOP;
	t->nl->err.code = abs(error);
	errno = t->nl->err.code;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct transaction *t = arg;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

/* Start a request to netlink message type @type: a family, or nlctrl. */
static struct nlmsghdr *put_request(struct tt_nl *nl, uint16_t type,
				    uint8_t version, uint8_t cmd,
				    uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	/*
	 * libmnl does not clear the padding after an attribute, and the
	 * buffer still holds the last replies: clear it so no stale byte is
	 * sent to the kernel.
	 */
	memset(nl->buf, 0, nl->buf_len);
	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;

	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/**
 * tt_nl_request - start a request to the family in the socket's buffer
 * @nl: socket from tt_nl_open()
 * @cmd: genl command
 * @flags: extra netlink flags, e.g. NLM_F_DUMP
 *
 * The ACK is always requested: it is what ends a "do" request and what
 * carries the kernel's extack message when it refuses one. Dumps end with
 * NLMSG_DONE instead; the kernel sends no ACK for them.
 *
 * Return: the message header, to add attributes to with mnl_attr_put_*().
 */
struct nlmsghdr *tt_nl_request(struct tt_nl *nl, uint8_t cmd, uint16_t flags)
{
	return put_request(nl, nl->family_id, nl->family_version, cmd, flags);
}

/**
 * tt_nl_run_replies - hand the messages of one reply datagram to a callback
 * @nl: socket; the datagram is in @nl->buf, @nl->err gets the verdict
 * @len: bytes of the datagram
 * @seq: sequence number of the request the replies answer
 * @cb: called for each reply message of the family, may be NULL
 * @data: passed to @cb
 *
 * Separate from tt_nl_transact() so that the reply parser's fuzzer
 * (tests/fuzz_reply.c) runs the same code on its datagrams.
 *
 * Return: as mnl_cb_run2(): MNL_CB_OK for more to come, MNL_CB_STOP at
 * the end, MNL_CB_ERROR with errno set.
 */
int tt_nl_run_replies(struct tt_nl *nl, size_t len, unsigned int seq,
		      mnl_cb_t cb, void *data)
{
	/* Not const only because mnl_cb_run2() is not declared so. */
	static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct transaction t = { .nl = nl, .cb = cb, .data = data };

	if (!datagram_ok(nl->buf, len)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	errno = 0;
	return mnl_cb_run2(nl->buf, len, seq, nl->portid, data_cb, &t, ctl_cb,
			   MNL_ARRAY_SIZE(ctl_cb));
}

/**
 * tt_nl_transact - send a request and read all of its replies
 * @nl: socket from tt_nl_open()
 * @nlh: request from tt_nl_request(); its buffer is reused for the replies
 * @cb: called for each reply message of the family, may be NULL
 * @data: passed to @cb
 *
 * On return @nl->err holds the kernel's verdict: the errno it answered
 * with and its extack message, which may also be set on success when the
 * kernel attached a warning.
 *
 * Return: 0 on success, a negative errno otherwise.
 */
int tt_nl_transact(struct tt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	unsigned int seq = nlh->nlmsg_seq;
	ssize_t len;
	int ret;

	memset(&nl->err, 0, sizeof(nl->err));
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	do {
		len = recv_from_kernel(nl);
		if (len < 0)
			return len;
		ret = tt_nl_run_replies(nl, len, seq, cb, data);
	} while (ret > MNL_CB_STOP);

	if (ret < 0)
		return -errno_or_eio();
	return 0;
}

/* What nlctrl told about a family: its id and the id of one group. */
struct family_info {
	const char *group;
	uint16_t family_id;
	uint32_t version;
	uint32_t group_id;
};

static int group_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = attr;
	else if (type == CTRL_ATTR_MCAST_GRP_ID &&
		 mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* CTRL_ATTR_MCAST_GROUPS holds one nest per group: name and id. */
static void find_group(const struct nlattr *groups, struct family_info *info)
{
	const struct nlattr *group;

	mnl_attr_for_each_nested(group, groups) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = {};

		if (mnl_attr_parse_nested(group, group_attr_cb, tb) < 0)
			continue;
		if (tb[CTRL_ATTR_MCAST_GRP_NAME] &&
		    tb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    info->group))
			info->group_id =
				mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			info->family_id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			info->version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (info->group &&
		    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			find_group(attr, info);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			      data);
}

/*
 * Ask nlctrl about @family, by name when it is not resolved yet, else by
 * its id; -ENOENT means it is not registered.
 */
static int query_family(struct tt_nl *nl, const char *family,
			struct family_info *info)
{
	struct nlmsghdr *nlh;
	int ret;

	nlh = put_request(nl, GENL_ID_CTRL, 1, CTRL_CMD_GETFAMILY, 0);
	if (family)
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	else
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, nl->family_id);

	ret = tt_nl_transact(nl, nlh, family_cb, info);
	if (ret)
		return ret;
	return info->family_id ? 0 : -EPROTO;
}

/**
 * tt_nl_open - open a generic netlink socket and resolve a family
 * @nl: filled in; on failure only @nl->err stays meaningful
 * @family: name of the genl family
 * @version: family version to put in each request
 *
 * Return: 0 on success, a negative errno otherwise: -ENOENT when no
 * family of that name is registered (its module is not loaded).
 */
int tt_nl_open(struct tt_nl *nl, const char *family, uint8_t version)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct family_info info = {};
	int one = 1;
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->buf_len = TT_NL_BUF_LEN;
	nl->buf = malloc(nl->buf_len);
	if (!nl->buf)
		return -ENOMEM;

	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		ret = -errno;
		goto err_free_buf;
	}

	/*
	 * Extended ACKs carry the kernel's reason for a refusal, which the
	 * user must see. Capped ACKs spare echoing our request back. Kernels
	 * before 4.12 lack both; errors then fall back to strerror(), so a
	 * failure here is not fatal.
	 */
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one,
				    sizeof(one));
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one,
				    sizeof(one));

	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err_close_sock;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Only the kernel may send to us; see recv_from_kernel(). */
	if (connect(mnl_socket_get_fd(nl->sock), (struct sockaddr *)&kernel,
		    sizeof(kernel)) < 0) {
		ret = -errno;
		goto err_close_sock;
	}
	nl->seq = time(NULL);

	ret = query_family(nl, family, &info);
	if (ret)
		goto err_close_sock;
	nl->family_id = info.family_id;
	nl->family_version = version;
	nl->kernel_family_version = info.version;
	return 0;

err_close_sock:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
err_free_buf:
	free(nl->buf);
	nl->buf = NULL;
	return ret;
}

/**
 * tt_nl_close - release what tt_nl_open() took
 * @nl: socket; safe to call after a failed tt_nl_open()
 */
void tt_nl_close(struct tt_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
	free(nl->buf);
	nl->buf = NULL;
}

/**
 * tt_nl_subscribe - join one multicast group of the family
 * @nl: socket from tt_nl_open(); use it for nothing but notifications
 *	afterwards, since they would mix with the replies of a request
 * @group: name of the group
 *
 * nlctrl's "notify" group is joined too, so that tt_nl_receive() can
 * say when the family goes away (its module is unloaded).
 *
 * Return: 0 on success, a negative errno otherwise: -ENOENT when the
 * family has no such group, -EPERM when the group needs a capability the
 * caller lacks.
 */
int tt_nl_subscribe(struct tt_nl *nl, const char *group)
{
	struct family_info info = { .group = group };
	struct family_info ctrl = { .group = "notify" };
	int ret;

	ret = query_family(nl, NULL, &info);
	if (ret)
		return ret;
	if (!info.group_id)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &info.group_id, sizeof(info.group_id)) < 0)
		return -errno;

	ret = query_family(nl, "nlctrl", &ctrl);
	if (ret)
		return ret;
	if (!ctrl.group_id)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &ctrl.group_id, sizeof(ctrl.group_id)) < 0)
		return -errno;
	return 0;
}

static int family_id_cb(const struct nlattr *attr, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

/* nlctrl's word that our family was unregistered: its module is gone. */
static bool family_removed(const struct tt_nl *nl, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	uint16_t id = 0;

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl) ||
	    genl->cmd != CTRL_CMD_DELFAMILY)
		return false;
	mnl_attr_parse(nlh, sizeof(*genl), family_id_cb, &id);
	return id == nl->family_id;
}

/* Notifications of other families, or not genl at all, are not ours. */
static int notification_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct transaction *t = arg;

	if (family_removed(t->nl, nlh)) {
		errno = ENODEV;
		return MNL_CB_ERROR;
	}
	if (nlh->nlmsg_type != t->nl->family_id ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return MNL_CB_OK;
	return t->cb(nlh, t->data);
}

/**
 * tt_nl_run_notifications - hand the messages of one notification datagram
 *	to a callback
 * @nl: socket; the datagram is in @nl->buf
 * @len: bytes of the datagram
 * @cb: called for each message of the family
 * @data: passed to @cb
 *
 * Return: 0 on success, a negative errno otherwise: -ENODEV when the
 * family was unregistered.
 */
int tt_nl_run_notifications(struct tt_nl *nl, size_t len, mnl_cb_t cb,
			    void *data)
{
	struct transaction t = { .nl = nl, .cb = cb, .data = data };

	if (!datagram_ok(nl->buf, len))
		return -EBADMSG;
	errno = 0;
	/* Sequence number and port id 0: multicast carries neither. */
	if (mnl_cb_run(nl->buf, len, 0, 0, notification_cb, &t) < 0)
		return -errno_or_eio();
	return 0;
}

/**
 * tt_nl_receive - wait for notifications and hand each to a callback
 * @nl: socket from tt_nl_subscribe()
 * @cb: called for each message of the family; its return value stops
 *	the batch as with mnl_cb_run()
 * @data: passed to @cb
 *
 * Blocks until one datagram arrives; a datagram may hold several messages.
 *
 * Return: 0 on success, a negative errno otherwise: -ENOBUFS when the
 * socket's queue overflowed and notifications were lost, -ENODEV when
 * the family was unregistered.
 */
int tt_nl_receive(struct tt_nl *nl, mnl_cb_t cb, void *data)
{
	ssize_t len;

	len = recv_from_kernel(nl);
	if (len < 0)
		return len;
	clock_gettime(CLOCK_REALTIME, &nl->rx_time);
	return tt_nl_run_notifications(nl, len, cb, data);
}

/**
 * tt_nl_module_version - what MODULE_VERSION() of tapbridge.ko says
 * @buf: the version, one line, no newline
 * @len: size of @buf
 *
 * Return: 0 on success, -ENOENT when the module is not loaded, -ENODATA
 * when it is loaded but has no version (or it cannot be read).
 */
int tt_nl_module_version(char *buf, size_t len)
{
	FILE *f;

	if (access("/sys/module/tapbridge", F_OK))
		return -ENOENT;
	f = fopen("/sys/module/tapbridge/version", "r");
	if (!f)
		return -ENODATA;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -ENODATA;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/**
 * tt_nl_clock - the time, for rates and their stamps
 * @mono: CLOCK_MONOTONIC, to measure intervals with
 * @real: CLOCK_REALTIME, to print
 *
 * In nl.c so that tests/fake_nl.c can run a clock of its own.
 */
void tt_nl_clock(struct timespec *mono, struct timespec *real)
{
	clock_gettime(CLOCK_MONOTONIC, mono);
	clock_gettime(CLOCK_REALTIME, real);
}

/**
 * tt_nl_wait - sleep between two samples of stats -i
 * @seconds: how long
 *
 * Return: 0, or -EINTR when a signal (SIGINT, SIGTERM) cut it short.
 */
int tt_nl_wait(double seconds)
{
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (time_t)seconds) * 1e9),
	};

	return nanosleep(&ts, NULL) ? -errno : 0;
}
