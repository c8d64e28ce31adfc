// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for taptool's reply parser: each input is a datagram
 * as the kernel would send it, run through the code taptool runs on a
 * real one: nl.c's checks and libmnl's walk (tt_nl_run_replies(),
 * tt_nl_run_notifications()), then parse.c and output.c on each message,
 * as an instance (text and JSON), an event and a change's reply.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "../nl.h"
#include "../parse.h"

#define BUF_LEN	32768

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

static int message_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tt_printer text, json;
	struct tt_instance inst;
	struct tt_reply reply = {};
	struct tt_event ev;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return MNL_CB_OK;
	if (!tt_printer_init(&text, TT_VIEW_STATS, false, false) &&
	    !tt_printer_init(&json, TT_VIEW_SHOW, true, true)) {
		if (!tt_parse_instance(nlh, &inst)) {
			tt_printer_add(&text, &inst);
			tt_printer_add(&json, &inst);
			tt_printer_flush(&json);
		}
		tt_instance_release(&inst);
	}
	tt_printer_release(&text);
	tt_printer_release(&json);
	if (!tt_parse_event(nlh, &ev)) {
		tt_print_event(&ev, false);
		tt_print_event(&ev, true);
	}
	tt_parse_reply(nlh, &reply);
	tt_reply_release(&reply);
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[BUF_LEN];
	struct tt_nl nl = { .buf = buf, .buf_len = BUF_LEN, .family_id = 0x42 };

	if (size > BUF_LEN)
		return 0;
	memcpy(buf, data, size);
	tt_nl_run_replies(&nl, size, 0, message_cb, NULL);
	memcpy(buf, data, size);
	tt_nl_run_notifications(&nl, size, message_cb, NULL);
	clearerr(stdout);
	return 0;
}
