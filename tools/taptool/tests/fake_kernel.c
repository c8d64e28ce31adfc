// SPDX-License-Identifier: GPL-2.0
/*
 * A small model of the tapbridge family for taptool_fake: with
 * TT_FAKE_STATE=FILE, create, set, mirror-add, mirror-del, delete,
 * reset-stats and get act on instances kept in FILE, as the kernel acts on its own (presets
 * replace the list, mirror-add of a mirror replaces its options and
 * makes the mode custom, get replies with what the kernel sends). So
 * run.sh can add an instance, show it, and give the line back to add.
 *
 * Counters: every get counts one "tick" of traffic; after T ticks,
 * counter attribute A of direction a->b is T * A, of b->a T * 10 * A, and
 * counter A of mirror entry M is T * (A + 100 * M). So the rates between
 * two gets are those numbers per tick, for run.sh to check. reset-stats
 * counts the ticks from 0 again, and counts itself in stats-resets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/tapbridge.h>

#include "../nl.h"
#include "fake_kernel.h"

#define MAX_INSTANCES	8

struct fake_mirror {
	unsigned int ifindex, dir, snaplen, tag_ab, tag_ba, tpid, rx_pass;
};

struct fake_instance {
	char name[TAPBRIDGE_IFNAME_MAX_LEN + 1];
	unsigned int ifindex, mode, port_a, port_b, lp, hold, rx_all;
	unsigned int n_mirrors;
	/* reset-stats: how often, and the ticks the counters start from. */
	unsigned int resets, reset_ticks;
	struct fake_mirror m[TAPBRIDGE_MIRROR_MAX];
};

struct fake_state {
	unsigned int ticks, next_ifindex, n;
	struct fake_instance inst[MAX_INSTANCES];
};

static int load(const char *path, struct fake_state *st)
{
	struct fake_instance *in;
	struct fake_mirror *m;
	unsigned int i, j;
	FILE *f;

	memset(st, 0, sizeof(*st));
	st->next_ifindex = 100;
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%u %u %u", &st->ticks, &st->next_ifindex, &st->n) != 3 ||
	    st->n > MAX_INSTANCES)
		goto err_close;
	for (i = 0; i < st->n; i++) {
		in = &st->inst[i];
		if (fscanf(f, "%15s %u %u %u %u %u %u %u %u %u %u", in->name,
			   &in->ifindex, &in->mode, &in->port_a, &in->port_b,
			   &in->lp, &in->hold, &in->rx_all, &in->n_mirrors,
			   &in->resets, &in->reset_ticks) != 11 ||
		    in->n_mirrors > TAPBRIDGE_MIRROR_MAX)
			goto err_close;
		for (j = 0; j < in->n_mirrors; j++) {
			m = &in->m[j];
			if (fscanf(f, "%u %u %u %u %u %u %u", &m->ifindex,
				   &m->dir, &m->snaplen, &m->tag_ab,
				   &m->tag_ba, &m->tpid, &m->rx_pass) != 7)
				goto err_close;
		}
	}
	fclose(f);
	return 0;

err_close:
	fclose(f);
	return -EIO;
}

static int save(const char *path, const struct fake_state *st)
{
	const struct fake_instance *in;
	const struct fake_mirror *m;
	unsigned int i, j;
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%u %u %u\n", st->ticks, st->next_ifindex, st->n);
	for (i = 0; i < st->n; i++) {
		in = &st->inst[i];
		fprintf(f, "%s %u %u %u %u %u %u %u %u %u %u\n", in->name,
			in->ifindex, in->mode, in->port_a, in->port_b, in->lp,
			in->hold, in->rx_all, in->n_mirrors, in->resets,
			in->reset_ticks);
		for (j = 0; j < in->n_mirrors; j++) {
			m = &in->m[j];
			fprintf(f, " %u %u %u %u %u %u %u\n", m->ifindex, m->dir,
				m->snaplen, m->tag_ab, m->tag_ba, m->tpid,
				m->rx_pass);
		}
	}
	return fclose(f) ? -EIO : 0;
}

/* What a request said: top-level attributes, and the one mirrors nest. */
struct request {
	const struct nlattr *tb[TAPBRIDGE_A_INSTANCE_MAX + 1];
	const struct nlattr *mtb[TAPBRIDGE_A_MIRROR_MAX + 1];
};

static int req_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= TAPBRIDGE_A_INSTANCE_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int mirror_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= TAPBRIDGE_A_MIRROR_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

/* A value of any width, as taptool sends the attribute. */
static unsigned int get(const struct nlattr *attr, unsigned int def)
{
	if (!attr)
		return def;
	switch (mnl_attr_get_payload_len(attr)) {
	case 1:
		return mnl_attr_get_u8(attr);
	case 2:
		return mnl_attr_get_u16(attr);
	default:
		return mnl_attr_get_u32(attr);
	}
}

static struct fake_instance *find(struct fake_state *st,
				  const struct nlattr *name)
{
	unsigned int i;

	for (i = 0; name && i < st->n; i++)
		if (!strcmp(st->inst[i].name, mnl_attr_get_str(name)))
			return &st->inst[i];
	return NULL;
}

/* mode aggregate or split with its mirrors: the list becomes the preset. */
static int preset(struct fake_instance *in, const struct request *r)
{
	struct fake_mirror one = { .tpid = TAPBRIDGE_TPID_8021Q };

	in->mode = get(r->tb[TAPBRIDGE_A_INSTANCE_MODE], 0);
	in->n_mirrors = 0;
	if (in->mode == TAPBRIDGE_MODE_AGGREGATE) {
		one.ifindex = get(r->tb[TAPBRIDGE_A_INSTANCE_MIRROR], 0);
		one.dir = TAPBRIDGE_DIRECTION_BOTH;
		in->m[in->n_mirrors++] = one;
		return one.ifindex ? 0 : -EINVAL;
	}
	if (in->mode != TAPBRIDGE_MODE_SPLIT)
		return -EINVAL;
	one.ifindex = get(r->tb[TAPBRIDGE_A_INSTANCE_MIRROR_AB], 0);
	one.dir = TAPBRIDGE_DIRECTION_A_B;
	in->m[in->n_mirrors++] = one;
	one.ifindex = get(r->tb[TAPBRIDGE_A_INSTANCE_MIRROR_BA], 0);
	one.dir = TAPBRIDGE_DIRECTION_B_A;
	in->m[in->n_mirrors++] = one;
	return in->m[0].ifindex && one.ifindex ? 0 : -EINVAL;
}

static void options(struct fake_instance *in, const struct request *r)
{
	in->lp = get(r->tb[TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION], in->lp);
	in->hold = get(r->tb[TAPBRIDGE_A_INSTANCE_HOLD_DOWN], in->hold);
	in->rx_all = get(r->tb[TAPBRIDGE_A_INSTANCE_RX_ALL], in->rx_all);
}

static int mirror_add(struct fake_instance *in, const struct request *r)
{
	struct fake_mirror m = {
		.ifindex = get(r->mtb[TAPBRIDGE_A_MIRROR_IFINDEX], 0),
		.dir = get(r->mtb[TAPBRIDGE_A_MIRROR_DIRECTION],
			   TAPBRIDGE_DIRECTION_BOTH),
		.snaplen = get(r->mtb[TAPBRIDGE_A_MIRROR_SNAPLEN], 0),
		.tag_ab = get(r->mtb[TAPBRIDGE_A_MIRROR_TAG_VID_AB], 0),
		.tag_ba = get(r->mtb[TAPBRIDGE_A_MIRROR_TAG_VID_BA], 0),
		.tpid = get(r->mtb[TAPBRIDGE_A_MIRROR_TAG_TPID],
			    TAPBRIDGE_TPID_8021Q),
		.rx_pass = get(r->mtb[TAPBRIDGE_A_MIRROR_RX_PASS], 0),
	};
	unsigned int i;

	in->mode = TAPBRIDGE_MODE_CUSTOM;
	for (i = 0; i < in->n_mirrors; i++) {
		if (in->m[i].ifindex == m.ifindex) {
			in->m[i] = m;
			return 0;
		}
	}
	if (in->n_mirrors == TAPBRIDGE_MIRROR_MAX)
		return -ENOSPC;
	in->m[in->n_mirrors++] = m;
	return 0;
}

static int mirror_del(struct fake_instance *in, const struct request *r)
{
	unsigned int ifindex = get(r->mtb[TAPBRIDGE_A_MIRROR_IFINDEX], 0), i;

	for (i = 0; i < in->n_mirrors; i++) {
		if (in->m[i].ifindex == ifindex) {
			memmove(&in->m[i], &in->m[i + 1],
				(in->n_mirrors - i - 1) * sizeof(in->m[0]));
			in->n_mirrors--;
			in->mode = TAPBRIDGE_MODE_CUSTOM;
			return 0;
		}
	}
	return -ENOENT;
}

static void put_u64(struct nlmsghdr *nlh, uint16_t pad, uint16_t type,
		    uint64_t value)
{
	mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, value);
}

/* One instance as the kernel's get reply carries it. */
static void put_instance(struct nlmsghdr *nlh, const struct fake_instance *in,
			 unsigned int ticks)
{
	const struct fake_mirror *m;
	struct nlattr *nest;
	unsigned int i, a;
	uint16_t dir;

	/* The counters grow with every get, from 0 at the last reset. */
	ticks -= in->reset_ticks;
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_IFINDEX, in->ifindex);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_NAME, in->name);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_MODE, in->mode);
	mnl_attr_put_u8(nlh, TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION, in->lp);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_HOLD_DOWN, in->hold);
	mnl_attr_put_u8(nlh, TAPBRIDGE_A_INSTANCE_RX_ALL, in->rx_all);
	put_u64(nlh, TAPBRIDGE_A_INSTANCE_PAD,
		TAPBRIDGE_A_INSTANCE_PROPAGATION_ACTIONS, 0);
	put_u64(nlh, TAPBRIDGE_A_INSTANCE_PAD,
		TAPBRIDGE_A_INSTANCE_STATS_RESETS, in->resets);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_PORT_A, in->port_a);
	mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_PORT_B, in->port_b);
	if (in->mode == TAPBRIDGE_MODE_AGGREGATE)
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_MIRROR,
				 in->m[0].ifindex);
	if (in->mode == TAPBRIDGE_MODE_SPLIT) {
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_MIRROR_AB,
				 in->m[0].ifindex);
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_INSTANCE_MIRROR_BA,
				 in->m[1].ifindex);
	}
	for (i = 0; i < in->n_mirrors; i++) {
		m = &in->m[i];
		nest = mnl_attr_nest_start(nlh, TAPBRIDGE_A_INSTANCE_MIRRORS);
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_MIRROR_IFINDEX, m->ifindex);
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_MIRROR_DIRECTION, m->dir);
		if (m->snaplen)
			mnl_attr_put_u32(nlh, TAPBRIDGE_A_MIRROR_SNAPLEN,
					 m->snaplen);
		if (m->tag_ab)
			mnl_attr_put_u16(nlh, TAPBRIDGE_A_MIRROR_TAG_VID_AB,
					 m->tag_ab);
		if (m->tag_ba)
			mnl_attr_put_u16(nlh, TAPBRIDGE_A_MIRROR_TAG_VID_BA,
					 m->tag_ba);
		mnl_attr_put_u32(nlh, TAPBRIDGE_A_MIRROR_TAG_TPID, m->tpid);
		mnl_attr_put_u8(nlh, TAPBRIDGE_A_MIRROR_RX_PASS, m->rx_pass);
		for (a = TAPBRIDGE_A_MIRROR_TX_PACKETS;
		     a <= TAPBRIDGE_A_MIRROR_RX_DROPS; a++)
			put_u64(nlh, TAPBRIDGE_A_MIRROR_PAD, a,
				(uint64_t)ticks * (a + 100 * i));
		mnl_attr_nest_end(nlh, nest);
	}
	for (dir = TAPBRIDGE_A_INSTANCE_STATS_AB;
	     dir <= TAPBRIDGE_A_INSTANCE_STATS_BA; dir++) {
		nest = mnl_attr_nest_start(nlh, dir);
		for (a = TAPBRIDGE_A_STATS_RX_PACKETS; a <= TAPBRIDGE_A_STATS_MAX;
		     a++)
			put_u64(nlh, TAPBRIDGE_A_STATS_PAD, a, (uint64_t)ticks *
				a * (dir == TAPBRIDGE_A_INSTANCE_STATS_AB ? 1 : 10));
		mnl_attr_nest_end(nlh, nest);
	}
}

/* Each instance asked for, one reply message each. */
static int get_reply(struct fake_state *st, const struct request *r,
		     bool dump, mnl_cb_t cb, void *data)
{
	static char buf[8192];
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	unsigned int i;

	if (!dump && !find(st, r->tb[TAPBRIDGE_A_INSTANCE_NAME]))
		return -ENODEV;
	st->ticks++;
	for (i = 0; i < st->n; i++) {
		if (!dump && strcmp(st->inst[i].name,
				    mnl_attr_get_str(r->tb[TAPBRIDGE_A_INSTANCE_NAME])))
			continue;
		nlh = mnl_nlmsg_put_header(buf);
		genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
		genl->cmd = TAPBRIDGE_CMD_GET;
		genl->version = TAPBRIDGE_FAMILY_VERSION;
		put_instance(nlh, &st->inst[i], st->ticks);
		if (cb && cb(nlh, data) < MNL_CB_OK)
			return -(errno ? errno : EIO);
	}
	return 0;
}

static int act(struct fake_state *st, uint8_t cmd, const struct request *r,
	       bool dump, mnl_cb_t cb, void *data)
{
	struct fake_instance *in = find(st, r->tb[TAPBRIDGE_A_INSTANCE_NAME]);
	struct fake_instance fresh = { .hold = 1000 };
	int ret;

	switch (cmd) {
	case TAPBRIDGE_CMD_CREATE:
		if (in)
			return -EEXIST;
		if (!r->tb[TAPBRIDGE_A_INSTANCE_NAME] || st->n == MAX_INSTANCES)
			return -EINVAL;
		snprintf(fresh.name, sizeof(fresh.name), "%s",
			 mnl_attr_get_str(r->tb[TAPBRIDGE_A_INSTANCE_NAME]));
		fresh.ifindex = st->next_ifindex++;
		fresh.port_a = get(r->tb[TAPBRIDGE_A_INSTANCE_PORT_A], 0);
		fresh.port_b = get(r->tb[TAPBRIDGE_A_INSTANCE_PORT_B], 0);
		options(&fresh, r);
		ret = preset(&fresh, r);
		if (ret)
			return ret;
		st->inst[st->n++] = fresh;
		return 0;
	case TAPBRIDGE_CMD_GET:
		return get_reply(st, r, dump, cb, data);
	}
	if (!in)
		return -ENODEV;
	switch (cmd) {
	case TAPBRIDGE_CMD_DELETE:
		memmove(in, in + 1, (st->inst + --st->n - in) * sizeof(*in));
		return 0;
	case TAPBRIDGE_CMD_SET:
		options(in, r);
		return r->tb[TAPBRIDGE_A_INSTANCE_MODE] ? preset(in, r) : 0;
	case TAPBRIDGE_CMD_MIRROR_ADD:
		return mirror_add(in, r);
	case TAPBRIDGE_CMD_MIRROR_DEL:
		return mirror_del(in, r);
	case TAPBRIDGE_CMD_RESET_STATS:
		in->resets++;
		in->reset_ticks = st->ticks;
		return 0;
	}
	return -EOPNOTSUPP;
}

/**
 * fake_kernel - act on a request as the model of the family
 * @req: the request
 * @cb: called with each reply message (get)
 * @data: for @cb
 *
 * Return: 1 when TT_FAKE_STATE is not set (no model), else 0 or the
 * negative errno the model refused the request with.
 */
int fake_kernel(const struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(req);
	const char *path = getenv("TT_FAKE_STATE");
	struct request r = {};
	struct fake_state st;
	int ret;

	if (!path)
		return 1;
	mnl_attr_parse(req, sizeof(*genl), req_attr_cb, r.tb);
	if (r.tb[TAPBRIDGE_A_INSTANCE_MIRRORS])
		mnl_attr_parse_nested(r.tb[TAPBRIDGE_A_INSTANCE_MIRRORS],
				      mirror_attr_cb, r.mtb);
	ret = load(path, &st);
	if (!ret)
		ret = act(&st, genl->cmd, &r, req->nlmsg_flags & NLM_F_DUMP, cb,
			  data);
	if (!ret)
		ret = save(path, &st);
	return ret;
}
