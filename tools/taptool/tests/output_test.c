// SPDX-License-Identifier: GPL-2.0
/*
 * Prints fixed instances and events through taptool's parse.c and
 * output.c, so that run.sh can pin the show, stats and monitor formats on
 * a host whose kernel has no tapbridge family. Each instance and event is
 * built as the kernel sends it (PAD attributes before u64s, multi-attrs,
 * an attribute from a newer kernel) and parsed back before printing. The
 * selftests in the VM assert the same formats against real kernel replies.
 *
 * usage: output_test show|stats [json] [pretty]
 *        output_test events [json] [wait]
 *        output_test warnings
 *        output_test bytes [json]
 *        output_test corpus DIR
 *
 * "corpus" writes each message it builds to a file of DIR, as seeds for
 * the reply parser's fuzzer (tests/fuzz_reply.c).
 *
 * "wait" prints the first event, then reads stdin to its end before the
 * rest: a reader of the pipe must get that first line while we wait.
 *
 * Ports and mirrors that must resolve use "lo", present in every netns;
 * one index that resolves to nothing shows how such a race is printed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "../parse.h"

#define UNKNOWN_IFINDEX	2147483647u

/* Message buffer: each message is built, parsed and printed in turn. */
static char buf[8192];
static unsigned int lo;
static const char *corpus_dir;

/* With "corpus", the message goes to a file too. */
static void save_message(const struct nlmsghdr *nlh)
{
	static unsigned int n;
	char path[4096];
	FILE *f;

	if (!corpus_dir)
		return;
	snprintf(path, sizeof(path), "%s/msg-%02u", corpus_dir, n++);
	f = fopen(path, "w");
	if (f) {
		fwrite(nlh, 1, nlh->nlmsg_len, f);
		fclose(f);
	}
}

static struct nlmsghdr *put_message(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	/* The id tests/fuzz_reply.c gives the family. */
	nlh->nlmsg_type = 0x42;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TAPBRIDGE_FAMILY_VERSION;
	return nlh;
}

/* As nla_put_u64_64bit() does on x86: a PAD attribute first. */
static void put_u64(struct nlmsghdr *nlh, uint16_t pad, uint16_t type,
		    uint64_t value)
{
	mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, value);
}

/* Counters of one direction: @first, @first + 1, ... in attribute order. */
static void put_stats(struct nlmsghdr *nlh, uint16_t type, uint64_t first)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	int attr;

	for (attr = TAPBRIDGE_A_STATS_RX_PACKETS; attr <= TAPBRIDGE_A_STATS_MAX;
	     attr++)
		put_u64(nlh, TAPBRIDGE_A_STATS_PAD, attr,
			first + attr - TAPBRIDGE_A_STATS_RX_PACKETS);
	mnl_attr_nest_end(nlh, nest);
}

/**
 * struct mirror_spec - one mirrors entry to build; 0 leaves an attribute out
 * @ifindex: mirror device
 * @direction: enum tapbridge_direction
 * @snaplen: snaplen
 * @tag_ab: tag-vid-ab
 * @tag_ba: tag-vid-ba
 * @tpid: enum tapbridge_tpid
 * @rx_pass: rx-pass + 1, so that 1 sends an explicit off
 * @first: the counters count up from this
 */
struct mirror_spec {
	uint32_t ifindex;
	uint32_t direction;
	uint32_t snaplen;
	uint16_t tag_ab;
	uint16_t tag_ba;
	uint32_t tpid;
	uint8_t rx_pass;
	uint64_t first;
};

static void put_mirror(struct nlmsghdr *nlh, const struct mirror_spec *m)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh,
						   TAPBRIDGE_A_INSTANCE_MIRRORS);
	int attr;

	if (m->ifindex)
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_MIRROR_IFINDEX, m->ifindex);
	if (m->direction)
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_MIRROR_DIRECTION,
				 m->direction);
	if (m->snaplen)
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_MIRROR_SNAPLEN, m->snaplen);
	if (m->tag_ab)
		mnl_attr_put_u16(nlh, TAPBRIDGE_A_MIRROR_TAG_VID_AB, m->tag_ab);
	if (m->tag_ba)
		mnl_attr_put_u16(nlh, TAPBRIDGE_A_MIRROR_TAG_VID_BA, m->tag_ba);
	if (m->tpid)
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_MIRROR_TAG_TPID, m->tpid);
	if (m->rx_pass)
		mnl_attr_put_u8(nlh, TAPBRIDGE_A_MIRROR_RX_PASS,
				m->rx_pass - 1);
	for (attr = TAPBRIDGE_A_MIRROR_TX_PACKETS;
	     attr <= TAPBRIDGE_A_MIRROR_RX_DROPS; attr++)
		put_u64(nlh, TAPBRIDGE_A_MIRROR_PAD, attr,
			m->first + attr - TAPBRIDGE_A_MIRROR_TX_PACKETS);
	/* From a newer kernel: skipped. */
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_MIRROR_MAX + 1, 0xdead);
	mnl_attr_nest_end(nlh, nest);
}

static struct nlmsghdr *put_instance(const char *name, uint32_t ifindex,
				     uint32_t mode, uint32_t port_a,
				     uint32_t port_b)
{
	struct nlmsghdr *nlh = put_message(TAPBRIDGE_CMD_GET);

	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_IFINDEX, ifindex);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_NAME, name);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_PORT_A, port_a);
	if (port_b)
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_PORT_B, port_b);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_MODE, mode);
	return nlh;
}

/*
 * port-loss wait; port A attached, port B waiting for eth9; the counters
 * were reset 4 times.
 */
static void put_port_loss(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_PORT_LOSS,
			 TAPBRIDGE_PORT_LOSS_WAIT);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_PORT_A_STATE,
			 TAPBRIDGE_PORT_STATE_ATTACHED);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_PORT_A_NAME, "lo");
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_PORT_B_STATE,
			 TAPBRIDGE_PORT_STATE_WAITING);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_PORT_B_NAME, "eth9");
	put_u64(nlh, TAPBRIDGE_A_INSTANCE_PAD,
		TAPBRIDGE_A_INSTANCE_PORT_A_LOSSES, 2);
	put_u64(nlh, TAPBRIDGE_A_INSTANCE_PAD,
		TAPBRIDGE_A_INSTANCE_PORT_A_RETURNS, 2);
	put_u64(nlh, TAPBRIDGE_A_INSTANCE_PAD,
		TAPBRIDGE_A_INSTANCE_PORT_B_LOSSES, 1);
	put_u64(nlh, TAPBRIDGE_A_INSTANCE_PAD,
		TAPBRIDGE_A_INSTANCE_PORT_B_RETURNS, 0);
	put_u64(nlh, TAPBRIDGE_A_INSTANCE_PAD,
		TAPBRIDGE_A_INSTANCE_STATS_RESETS, 4);
}

static void put_options(struct nlmsghdr *nlh, bool link_propagation,
			uint32_t hold_down, bool rx_all, uint64_t actions)
{
	mnl_attr_put_u8(nlh, TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION,
			link_propagation);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_HOLD_DOWN, hold_down);
	mnl_attr_put_u8(nlh, TAPBRIDGE_A_INSTANCE_RX_ALL, rx_all);
	put_u64(nlh, TAPBRIDGE_A_INSTANCE_PAD,
		TAPBRIDGE_A_INSTANCE_PROPAGATION_ACTIONS, actions);
}

static int print_instance(struct tt_printer *p, const struct nlmsghdr *nlh)
{
	struct tt_instance inst;
	int ret;

	save_message(nlh);
	ret = tt_parse_instance(nlh, &inst);
	if (!ret)
		ret = tt_printer_add(p, &inst);
	tt_instance_release(&inst);
	return ret;
}

/*
 * tap0: aggregate, mirror detached, every option at its default.
 * tap1: split, port B an index with no device, mirror-ab with options,
 *	mirror-ba detached; counters that must survive as u64.
 * tap2: aggregate with mirror options, link propagation, rx-all, warnings.
 * tap3: custom list: defaults, every option, a detached entry that says
 *	no direction; an attribute from a newer kernel; port-loss wait with
 *	port B waiting.
 */
static int print_instances(struct tt_printer *p)
{
	const struct mirror_spec tap1_ab = {
		.ifindex = lo, .direction = TAPBRIDGE_DIRECTION_A_B,
		.snaplen = 256, .tag_ba = 30, .first = 100,
	};
	const struct mirror_spec tap2_mirror = {
		.ifindex = lo, .direction = TAPBRIDGE_DIRECTION_BOTH,
		.snaplen = 128, .tag_ab = 10, .tag_ba = 20,
		.tpid = TAPBRIDGE_TPID_8021AD, .rx_pass = 2, .first = 200,
	};
	const struct mirror_spec tap3_mirrors[] = {
		{ .ifindex = lo, .direction = TAPBRIDGE_DIRECTION_BOTH,
		  .tpid = TAPBRIDGE_TPID_8021Q, .rx_pass = 1, .first = 300 },
		{ .ifindex = UNKNOWN_IFINDEX,
		  .direction = TAPBRIDGE_DIRECTION_A_B, .snaplen = 64,
		  .tag_ab = 1, .tag_ba = 4094, .tpid = TAPBRIDGE_TPID_8021AD,
		  .rx_pass = 2, .first = 310 },
		{ .first = 320 },
	};
	struct nlmsghdr *nlh;
	size_t i;

	nlh = put_instance("tap0", 7, TAPBRIDGE_MODE_AGGREGATE, lo, lo);
	put_options(nlh, false, 1000, false, 0);
	put_stats(nlh, TAPBRIDGE_A_INSTANCE_STATS_AB, 1);
	put_stats(nlh, TAPBRIDGE_A_INSTANCE_STATS_BA, 11);
	if (print_instance(p, nlh))
		return -1;

	nlh = put_instance("tap1", 8, TAPBRIDGE_MODE_SPLIT, lo,
			   UNKNOWN_IFINDEX);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_MIRROR_AB, lo);
	put_mirror(nlh, &tap1_ab);
	put_options(nlh, false, 1000, false, 0);
	put_stats(nlh, TAPBRIDGE_A_INSTANCE_STATS_AB, 0);
	/* The last counter is 2^64 - 1. */
	put_stats(nlh, TAPBRIDGE_A_INSTANCE_STATS_BA,
		  UINT64_MAX - TAPBRIDGE_A_STATS_MAX +
		  TAPBRIDGE_A_STATS_RX_PACKETS);
	if (print_instance(p, nlh))
		return -1;

	nlh = put_instance("tap2", 9, TAPBRIDGE_MODE_AGGREGATE, lo, lo);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_MIRROR, lo);
	put_mirror(nlh, &tap2_mirror);
	put_options(nlh, true, 200, true, 0);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_WARNING,
			  "mirror lo: MTU 1400 is below port-a's 1500, longer copies are dropped");
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_WARNING,
			  "port-b lo: MTU 9000 is above port-a's 1500");
	put_stats(nlh, TAPBRIDGE_A_INSTANCE_STATS_AB, 21);
	put_stats(nlh, TAPBRIDGE_A_INSTANCE_STATS_BA, 31);
	if (print_instance(p, nlh))
		return -1;

	nlh = put_instance("tap3", 10, TAPBRIDGE_MODE_CUSTOM, lo, 0);
	for (i = 0; i < sizeof(tap3_mirrors) / sizeof(tap3_mirrors[0]); i++)
		put_mirror(nlh, &tap3_mirrors[i]);
	put_options(nlh, true, 0, false, 3);
	mnl_attr_put_u8(nlh, TAPBRIDGE_A_INSTANCE_CAPTURE, 1);
	mnl_attr_put_u8(nlh, TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP, 1);
	put_port_loss(nlh);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_MAX + 1, 0xdead);
	put_stats(nlh, TAPBRIDGE_A_INSTANCE_STATS_AB, 41);
	put_stats(nlh, TAPBRIDGE_A_INSTANCE_STATS_BA, 51);
	return print_instance(p, nlh) ? -1 : 0;
}

static int run_instances(enum tt_view view, bool json, bool pretty)
{
	struct tt_printer printer;
	int ret = 1;

	if (!tt_printer_init(&printer, view, json, pretty) &&
	    !print_instances(&printer) && !tt_printer_flush(&printer))
		ret = 0;
	tt_printer_release(&printer);
	return ret;
}

/**
 * struct event_spec - one event to build; 0 and NULL leave an attribute out
 * @type: enum tapbridge_event_type
 * @ifindex: of the instance
 * @name: of the instance
 * @dev_ifindex: of the device concerned
 * @dev_name: of the device concerned
 */
struct event_spec {
	uint32_t type;
	uint32_t ifindex;
	const char *name;
	uint32_t dev_ifindex;
	const char *dev_name;
};

#define EVENT(t, i, n, ...)	{ .type = TAPBRIDGE_EVENT_TYPE_##t, \
				  .ifindex = (i), .name = (n), __VA_ARGS__ }
#define DEV(i, n)		.dev_ifindex = (i), .dev_name = (n)

static const struct event_spec events[] = {
	EVENT(CREATED, 7, "tap0"),
	EVENT(CHANGED, 7, "tap0"),
	EVENT(CARRIER_DOWN, 7, "tap0", DEV(5, "pa")),
	EVENT(PROPAGATION_DOWN, 7, "tap0", DEV(6, "pb")),
	EVENT(CARRIER_UP, 7, "tap0", DEV(5, "pa")),
	EVENT(PROPAGATION_UP, 7, "tap0", DEV(6, "pb")),
	/* gone from every netns: the names come from the event only */
	EVENT(MIRROR_LOST, 7, "tap0", DEV(4000, "m0")),
	EVENT(PORT_LOST, 7, "tap0", DEV(4001, "pa")),
	EVENT(PORT_RETURNED, 7, "tap0", DEV(12, "pa")),
	EVENT(PORT_REFUSED, 7, "tap0", DEV(13, "pa")),
	EVENT(STATS_RESET, 7, "tap0"),
	EVENT(DELETED, 7, "tap0"),
	/* names left out: indexes stand in */
	EVENT(CARRIER_DOWN, 8, NULL, DEV(9, NULL)),
	/* from a newer kernel */
	{ .type = 42, .ifindex = 8, .name = "tap1" },
};

/* Events arrive a second apart from 2023-11-14T22:13:20.5 UTC on. */
static int print_event(const struct event_spec *spec, size_t i, bool json)
{
	struct nlmsghdr *nlh = put_message(TAPBRIDGE_CMD_EVENT);
	struct tt_event ev;

	mnl_attr_put_u32(nlh, TAPBRIDGE_A_EVENT_TYPE, spec->type);
	if (spec->ifindex)
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_EVENT_IFINDEX, spec->ifindex);
	if (spec->name)
		mnl_attr_put_strz(nlh, TAPBRIDGE_A_EVENT_NAME, spec->name);
	if (spec->dev_ifindex)
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_EVENT_DEV_IFINDEX,
				 spec->dev_ifindex);
	if (spec->dev_name)
		mnl_attr_put_strz(nlh, TAPBRIDGE_A_EVENT_DEV_NAME,
				  spec->dev_name);
	save_message(nlh);
	if (tt_parse_event(nlh, &ev))
		return -1;
	ev.time.tv_sec = 1700000000 + i;
	ev.time.tv_nsec = 500000000;
	return tt_print_event(&ev, json) ? -1 : 0;
}

static int run_events(bool json, bool wait)
{
	struct tt_event ev;
	char c;
	size_t i;

	/* Another command of the family is not an event. */
	put_instance("tap0", 7, TAPBRIDGE_MODE_AGGREGATE, lo, lo);
	if (tt_parse_event((struct nlmsghdr *)buf, &ev) != -ENOENT)
		return 1;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (print_event(&events[i], i, json))
			return 1;
		while (wait && read(STDIN_FILENO, &c, 1) > 0)
			;
		wait = false;
	}
	return 0;
}

/*
 * A reply with warnings, one twice, then the ACK's extack message: the
 * same as one of them, then another, then alone.
 */
static int run_warnings(void)
{
	static const char *const texts[] = {
		"mirror m0: MTU 1400 is below port-a's 1500",
		"mirror m1: MTU 1400 is below port-a's 1500",
		"mirror m0: MTU 1400 is below port-a's 1500",
	};
	struct tt_reply w = {};
	struct nlmsghdr *nlh;
	size_t i;
	int ret;

	nlh = put_message(TAPBRIDGE_CMD_SET);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_IFINDEX, 7);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_WARNING, texts[i]);
	ret = tt_parse_reply(nlh, &w);
	if (!ret) {
		fputs("-- extack repeats one\n", stderr);
		tt_print_warnings((const char *const *)w.warnings,
				  w.n_warnings, texts[1]);
		fputs("-- extack of its own\n", stderr);
		tt_print_warnings((const char *const *)w.warnings,
				  w.n_warnings,
				  "port-b pb: MTU 9000 is above port-a's 1500");
		fputs("-- extack alone\n", stderr);
		tt_print_warnings(NULL, 0, texts[0]);
		fputs("-- nothing\n", stderr);
		tt_print_warnings(NULL, 0, "");
	}
	tt_reply_release(&w);
	return ret ? 1 : 0;
}

/*
 * Names and messages that are not valid UTF-8 (a lone continuation byte,
 * a truncated sequence, an overlong form, a surrogate) next to valid
 * multi-byte ones: the JSON must still parse.
 */
static int run_bytes(bool json)
{
	static const struct event_spec ev = {
		.type = TAPBRIDGE_EVENT_TYPE_MIRROR_LOST, .ifindex = 7,
		.name = "t\xc3\xa9\x80", .dev_ifindex = 5,
		.dev_name = "m\xed\xa0\x80\xc0\xaf",
	};
	struct tt_printer printer;
	struct nlmsghdr *nlh;
	int ret = 1;

	if (tt_printer_init(&printer, TT_VIEW_SHOW, json, false))
		return 1;
	nlh = put_instance("t\xff\xc3", 7, TAPBRIDGE_MODE_AGGREGATE, lo, lo);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_WARNING,
			  "mirror \xe2\x82: MTU \xe2\x82\xac below");
	if (!print_instance(&printer, nlh) && !tt_printer_flush(&printer) &&
	    !print_event(&ev, 0, json))
		ret = 0;
	tt_printer_release(&printer);
	return ret;
}

int main(int argc, char **argv)
{
	bool json = false, pretty = false, wait = false;
	int i;

	lo = if_nametoindex("lo");
	if (argc < 2 || !lo)
		return 2;
	for (i = 2; i < argc; i++) {
		json |= !strcmp(argv[i], "json");
		pretty |= !strcmp(argv[i], "pretty");
		wait |= !strcmp(argv[i], "wait");
	}

	if (!strcmp(argv[1], "show"))
		return run_instances(TT_VIEW_SHOW, json, pretty);
	if (!strcmp(argv[1], "stats"))
		return run_instances(TT_VIEW_STATS, json, pretty);
	if (!strcmp(argv[1], "events"))
		return run_events(json, wait);
	if (!strcmp(argv[1], "warnings"))
		return run_warnings();
	if (!strcmp(argv[1], "bytes"))
		return run_bytes(json);
	if (!strcmp(argv[1], "corpus") && argc == 3) {
		corpus_dir = argv[2];
		return run_instances(TT_VIEW_SHOW, true, false) ||
		       run_events(true, false) || run_bytes(true);
	}
	return 2;
}
