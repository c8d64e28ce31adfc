/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing for taptool, on top of libmnl.
 *
 * One socket, one request in flight: each request is sent and its replies
 * (a single answer, an ACK, or a whole dump) are read to the end before the
 * next one is built, so one buffer serves both directions. A socket that
 * joined a multicast group only reads its notifications.
 */
#ifndef _TT_NL_H
#define _TT_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libmnl/libmnl.h>

/* Kernel extack messages are short; formatted ones stay under 80 bytes. */
#define TT_NL_MSG_LEN	256

/**
 * struct tt_nl_error - what the kernel said about the last request
 * @code: positive errno the kernel answered with, 0 if it did not refuse
 * @msg: the extack message (NLMSGERR_ATTR_MSG), empty when none was given;
 *	on success the kernel may still send one, as a warning
 * @miss_type: attribute type the kernel found missing (NLMSGERR_ATTR_MISS_TYPE)
 * @has_miss_type: @miss_type is valid
 * @miss_in_nest: the missing attribute belongs in a nest, not at the top level
 */
struct tt_nl_error {
	int code;
	char msg[TT_NL_MSG_LEN];
	uint32_t miss_type;
	bool has_miss_type;
	bool miss_in_nest;
};

/**
 * struct tt_nl - a generic netlink socket talking to one family
 * @sock: the libmnl socket
 * @portid: our netlink port id, to match replies
 * @seq: sequence number of the request in flight
 * @family_id: the family's dynamic id, resolved through nlctrl
 * @family_version: version put in each request's genl header
 * @kernel_family_version: the version the kernel registered the family with
 * @buf: request and reply buffer
 * @buf_len: size of @buf; large enough for a whole dump skb
 * @err: the kernel's verdict on the last request
 * @rx_time: when tt_nl_receive() got its last datagram (CLOCK_REALTIME)
 */
struct tt_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family_id;
	uint8_t family_version;
	uint32_t kernel_family_version;
	void *buf;
	size_t buf_len;
	struct tt_nl_error err;
	struct timespec rx_time;
};

int tt_nl_open(struct tt_nl *nl, const char *family, uint8_t version);
void tt_nl_close(struct tt_nl *nl);
struct nlmsghdr *tt_nl_request(struct tt_nl *nl, uint8_t cmd, uint16_t flags);
int tt_nl_transact(struct tt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data);
int tt_nl_run_replies(struct tt_nl *nl, size_t len, unsigned int seq,
		      mnl_cb_t cb, void *data);
int tt_nl_run_notifications(struct tt_nl *nl, size_t len, mnl_cb_t cb,
			    void *data);
int tt_nl_subscribe(struct tt_nl *nl, const char *group);
int tt_nl_receive(struct tt_nl *nl, mnl_cb_t cb, void *data);
int tt_nl_module_version(char *buf, size_t len);
void tt_nl_clock(struct timespec *mono, struct timespec *real);
int tt_nl_wait(double seconds);

#endif /* _TT_NL_H */
