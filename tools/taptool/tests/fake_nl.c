// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for nl.c with no kernel behind it, linked into taptool_fake
 * so that run.sh can check on any host what taptool sends and how it
 * reports what comes back.
 *
 * Each request is written as one line to $TT_FAKE_LOG, attributes by
 * their spec names in the order sent, e.g.
 *	mirror-add name="t0" mirrors={ifindex=u32:1 snaplen=u32:10}
 *
 * What comes back is set by the environment:
 *	TT_FAKE_ERRNO=N		requests fail with errno N ...
 *	TT_FAKE_FAIL_AT=K	... only the K-th request of the process does
 *	TT_FAKE_EXTACK=MSG	... with this extack message (also on success)
 *	TT_FAKE_WARNINGS=A|B	the reply of a request carries these warnings
 *	TT_FAKE_SUBSCRIBE_ERRNO=N joining the events group fails with N
 *	TT_FAKE_MODULE_VERSION=V tapbridge.ko is loaded, of version V (empty:
 *				none); unset, the module is not loaded
 *	TT_FAKE_FAMILY_VERSION=N the family registered with version N
 *	TT_FAKE_EVENTS=E;E;...	what monitor receives, each E
 *				"TYPE,IFINDEX,NAME,DEV_IFINDEX,DEV_NAME" (empty
 *				fields left out), "ENOBUFS", or "DELFAMILY" (the
 *				module is unloaded); then the socket fails
 *				with ECONNRESET
 *	TT_FAKE_TIME=S		events arrive at S, S + 1, ... seconds
 *	TT_FAKE_WAITS=N		stats -i is interrupted after N intervals (3)
 *	TT_FAKE_STATE=FILE	requests act on the instances kept in FILE
 *				(tests/fake_kernel.c), and get replies with them
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/tapbridge.h>

#include "../attrs.h"
#include "../nl.h"
#include "fake_kernel.h"

#define FAKE_FAMILY_ID	0x42
#define FAKE_BUF_LEN	8192

static const char *const cmd_names[] = {
	TT_CMDS(TT_CMD_NAME)
};

/* The request log names attributes as the spec does; PAD never shows. */
static const char *const instance_names[TAPBRIDGE_A_INSTANCE_MAX + 1] = {
	TT_INSTANCE_ATTRS(TT_INSTANCE_NAME)
};

static const char *const mirror_names[TAPBRIDGE_A_MIRROR_MAX + 1] = {
	TT_MIRROR_ATTRS(TT_MIRROR_NAME)
};

static int env_errno(const char *name)
{
	const char *s = getenv(name);

	return s ? atoi(s) : 0;
}

static void log_attrs(FILE *log, const struct nlattr *first, size_t len,
		      const char *const *names, size_t n_names, bool top);

/*
 * One attribute as NAME=TYPE:VALUE, the type told by its length; the
 * instance name as a string, the mirrors nest in braces.
 */
static void log_attr(FILE *log, const struct nlattr *attr,
		     const char *const *names, size_t n_names, bool top)
{
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);
	const char *payload = mnl_attr_get_payload(attr);

	if (type < n_names && names[type])
		fprintf(log, " %s=", names[type]);
	else
		fprintf(log, " %u=", type);

	if (top && type == TAPBRIDGE_A_INSTANCE_MIRRORS) {
		fputc('{', log);
		log_attrs(log, mnl_attr_get_payload(attr), len, mirror_names,
			  TAPBRIDGE_A_MIRROR_MAX + 1, false);
		fputs(" }", log);
	} else if (top && type == TAPBRIDGE_A_INSTANCE_NAME && len &&
		   !payload[len - 1]) {
		fprintf(log, "\"%s\"", payload);
	} else if (len == 1) {
		fprintf(log, "u8:%u", mnl_attr_get_u8(attr));
	} else if (len == 2) {
		fprintf(log, "u16:%u", mnl_attr_get_u16(attr));
	} else if (len == 4) {
		fprintf(log, "u32:%u", mnl_attr_get_u32(attr));
	} else {
		fprintf(log, "len:%u", len);
	}
}

static void log_attrs(FILE *log, const struct nlattr *first, size_t len,
		      const char *const *names, size_t n_names, bool top)
{
	const struct nlattr *attr = first;
	int left = len;

	while (mnl_attr_ok(attr, left)) {
		log_attr(log, attr, names, n_names, top);
		left -= MNL_ALIGN(attr->nla_len);
		attr = (const struct nlattr *)((const char *)attr +
					      MNL_ALIGN(attr->nla_len));
	}
}

static void log_line(const char *fmt, const char *arg,
		     const struct nlmsghdr *nlh)
{
	const char *path = getenv("TT_FAKE_LOG");
	FILE *log;

	if (!path)
		return;
	log = fopen(path, "a");
	if (!log)
		return;
	fprintf(log, fmt, arg);
	if (nlh)
		log_attrs(log, mnl_nlmsg_get_payload_offset(nlh,
					sizeof(struct genlmsghdr)),
			  mnl_nlmsg_get_payload_len(nlh) -
			  sizeof(struct genlmsghdr),
			  instance_names, TAPBRIDGE_A_INSTANCE_MAX + 1, true);
	fputc('\n', log);
	fclose(log);
}

int tt_nl_open(struct tt_nl *nl, const char *family, uint8_t version)
{
	memset(nl, 0, sizeof(*nl));
	if (strcmp(family, TAPBRIDGE_FAMILY_NAME))
		return -ENOENT;
	nl->buf_len = FAKE_BUF_LEN;
	nl->buf = malloc(nl->buf_len);
	if (!nl->buf)
		return -ENOMEM;
	nl->family_id = FAKE_FAMILY_ID;
	nl->family_version = version;
	nl->kernel_family_version = getenv("TT_FAKE_FAMILY_VERSION") ?
		atoi(getenv("TT_FAKE_FAMILY_VERSION")) : TAPBRIDGE_FAMILY_VERSION;
	return 0;
}

void tt_nl_close(struct tt_nl *nl)
{
	free(nl->buf);
	nl->buf = NULL;
}

struct nlmsghdr *tt_nl_request(struct tt_nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(nl->buf, 0, nl->buf_len);
	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = nl->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = nl->family_version;
	return nlh;
}

/* The reply of a "do" request: one message with the warnings asked for. */
static int reply(struct tt_nl *nl, uint8_t cmd, mnl_cb_t cb, void *data)
{
	const char *warnings = getenv("TT_FAKE_WARNINGS");
	char *copy, *text, *save;
	struct nlmsghdr *nlh;
	int ret;

	if (!cb || !warnings)
		return 0;
	nlh = tt_nl_request(nl, cmd, 0);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_IFINDEX, 7);
	copy = strdup(warnings);
	if (!copy)
		return -ENOMEM;
	for (text = strtok_r(copy, "|", &save); text;
	     text = strtok_r(NULL, "|", &save))
		mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_WARNING, text);
	free(copy);
	ret = cb(nlh, data);
	return ret < MNL_CB_OK ? -(errno ? errno : EIO) : 0;
}

int tt_nl_transact(struct tt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const char *extack = getenv("TT_FAKE_EXTACK");
	int err = env_errno("TT_FAKE_ERRNO");
	int fail_at = env_errno("TT_FAKE_FAIL_AT");
	static int requests;
	char fmt[64];
	int ret;

	if (fail_at && ++requests != fail_at)
		err = 0;
	snprintf(fmt, sizeof(fmt), "%s%%s",
		 genl->cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) &&
		 cmd_names[genl->cmd] ? cmd_names[genl->cmd] : "?");
	log_line(fmt, nlh->nlmsg_flags & NLM_F_DUMP ? " dump" : "", nlh);

	memset(&nl->err, 0, sizeof(nl->err));
	if (extack)
		snprintf(nl->err.msg, sizeof(nl->err.msg), "%s", extack);
	if (!err) {
		ret = fake_kernel(nlh, cb, data);
		if (ret <= 0)
			err = -ret;
		if (err && !extack)
			nl->err.msg[0] = '\0';
	}
	if (err) {
		nl->err.code = err;
		return -err;
	}
	ret = reply(nl, genl->cmd, cb, data);
	return ret;
}

int tt_nl_subscribe(struct tt_nl *nl, const char *group)
{
	int err = env_errno("TT_FAKE_SUBSCRIBE_ERRNO");

	(void)nl;
	log_line("subscribe %s", group, NULL);
	return -err;
}

/* Fields of one TT_FAKE_EVENTS entry, empty ones left out. */
static void put_event(struct nlmsghdr *nlh, char *spec)
{
	static const uint16_t types[] = {
		TAPBRIDGE_A_EVENT_TYPE, TAPBRIDGE_A_EVENT_IFINDEX,
		TAPBRIDGE_A_EVENT_NAME, TAPBRIDGE_A_EVENT_DEV_IFINDEX,
		TAPBRIDGE_A_EVENT_DEV_NAME,
	};
	char *field = spec, *next;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]) && field; i++) {
		next = strchr(field, ',');
		if (next)
			*next++ = '\0';
		if (*field) {
			if (types[i] == TAPBRIDGE_A_EVENT_NAME ||
			    types[i] == TAPBRIDGE_A_EVENT_DEV_NAME)
				mnl_attr_put_strz(nlh, types[i], field);
			else
				mnl_attr_put_u32(nlh, types[i], atoi(field));
		}
		field = next;
	}
}

int tt_nl_receive(struct tt_nl *nl, mnl_cb_t cb, void *data)
{
	static unsigned int next;
	const char *events = getenv("TT_FAKE_EVENTS");
	char *copy, *spec, *save;
	struct nlmsghdr *nlh;
	unsigned int i;
	int ret = -ECONNRESET;

	if (!events)
		return ret;
	copy = strdup(events);
	if (!copy)
		return -ENOMEM;
	for (i = 0, spec = strtok_r(copy, ";", &save); spec && i < next;
	     i++, spec = strtok_r(NULL, ";", &save))
		;
	if (spec) {
		next++;
		if (getenv("TT_FAKE_TIME")) {
			nl->rx_time.tv_sec = atol(getenv("TT_FAKE_TIME")) + i;
			nl->rx_time.tv_nsec = 123456789;
		}
		if (!strcmp(spec, "ENOBUFS")) {
			ret = -ENOBUFS;
		} else if (!strcmp(spec, "DELFAMILY")) {
			ret = -ENODEV;
		} else {
			nlh = tt_nl_request(nl, TAPBRIDGE_CMD_EVENT, 0);
			put_event(nlh, spec);
			errno = 0;
			ret = cb(nlh, data) < MNL_CB_OK ?
			      -(errno ? errno : EIO) : 0;
		}
	}
	free(copy);
	return ret;
}

/* TT_FAKE_MODULE_VERSION: unset, not loaded; empty, no version. */
int tt_nl_module_version(char *buf, size_t len)
{
	const char *v = getenv("TT_FAKE_MODULE_VERSION");

	if (!v)
		return -ENOENT;
	if (!*v)
		return -ENODATA;
	snprintf(buf, len, "%s", v);
	return 0;
}

/*
 * The fake's clock starts at TT_FAKE_TIME (default 1700000000) and moves
 * only when stats -i waits, by exactly the time asked: rates are then
 * the fake kernel's counter steps divided by the interval. The wait
 * after TT_FAKE_WAITS (default 3) is cut short, as by SIGINT.
 */
static double fake_clock;

void tt_nl_clock(struct timespec *mono, struct timespec *real)
{
	const char *base = getenv("TT_FAKE_TIME");
	double now = (base ? atof(base) : 1700000000) + fake_clock;

	mono->tv_sec = (time_t)fake_clock;
	mono->tv_nsec = (long)((fake_clock - mono->tv_sec) * 1e9);
	real->tv_sec = (time_t)now;
	real->tv_nsec = (long)((now - real->tv_sec) * 1e9);
}

int tt_nl_wait(double seconds)
{
	static int waits;
	int limit = getenv("TT_FAKE_WAITS") ? atoi(getenv("TT_FAKE_WAITS")) : 3;

	if (++waits > limit)
		return -EINTR;
	fake_clock += seconds;
	return 0;
}
