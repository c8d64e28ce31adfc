// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of the tapbridge family's messages. Attributes are validated
 * for their type before use; attributes a newer kernel added are skipped,
 * not refused, so an older taptool keeps working.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "attrs.h"
#include "parse.h"

static const enum mnl_attr_data_type
instance_attr_types[TAPBRIDGE_A_INSTANCE_MAX + 1] = {
	TT_INSTANCE_ATTRS(TT_INSTANCE_TYPE)
};

static const enum mnl_attr_data_type
mirror_attr_types[TAPBRIDGE_A_MIRROR_MAX + 1] = {
	TT_MIRROR_ATTRS(TT_MIRROR_TYPE)
};

static const enum mnl_attr_data_type
event_attr_types[TAPBRIDGE_A_EVENT_MAX + 1] = {
	TT_EVENT_ATTRS(TT_EVENT_TYPE)
};

static const enum mnl_attr_data_type
stats_attr_types[TAPBRIDGE_A_STATS_MAX + 1] = {
	TT_STATS_ATTRS(TT_STATS_TYPE)
};

/* The attribute table of one attribute set, for check_attr(). */
struct attr_set {
	const enum mnl_attr_data_type *types;
	uint16_t max;
};

/*
 * Whether @attr is one to use: known to @set and of its type. Unknown
 * types are skipped (-ENOENT); a known one that fails validation makes the
 * message bad (-EBADMSG), since its value cannot be trusted.
 */
static int check_attr(const struct nlattr *attr, const struct attr_set *set)
{
	uint16_t type = mnl_attr_get_type(attr);

	if (type > set->max)
		return -ENOENT;
	if (mnl_attr_validate(attr, set->types[type]) < 0)
		return -EBADMSG;
	return 0;
}

/* Keeps the last of each attribute type: for attributes sent once. */
struct table {
	const struct attr_set *set;
	const struct nlattr **tb;
};

static int table_attr_cb(const struct nlattr *attr, void *data)
{
	const struct table *t = data;
	int ret = check_attr(attr, t->set);

	if (ret == -EBADMSG) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!ret)
		t->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int parse_message(const struct nlmsghdr *nlh, const struct attr_set *set,
			 const struct nlattr **tb)
{
	struct table t = { .set = set, .tb = tb };

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), table_attr_cb,
			   &t) < MNL_CB_OK)
		return -EBADMSG;
	return 0;
}

static int parse_nest(const struct nlattr *nest, const struct attr_set *set,
		      const struct nlattr **tb)
{
	struct table t = { .set = set, .tb = tb };

	if (mnl_attr_parse_nested(nest, table_attr_cb, &t) < MNL_CB_OK)
		return -EBADMSG;
	return 0;
}

static const struct attr_set instance_set = {
	instance_attr_types, TAPBRIDGE_A_INSTANCE_MAX
};
static const struct attr_set mirror_set = {
	mirror_attr_types, TAPBRIDGE_A_MIRROR_MAX
};
static const struct attr_set event_set = {
	event_attr_types, TAPBRIDGE_A_EVENT_MAX
};

static uint32_t get_u32(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u32(attr) : 0;
}

static uint64_t get_u64(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u64(attr) : 0;
}

/* A name attribute into @buf (IF_NAMESIZE), empty when absent. */
static void get_name(const struct nlattr *attr, char *buf)
{
	if (attr)
		snprintf(buf, IF_NAMESIZE, "%s", mnl_attr_get_str(attr));
	else
		buf[0] = '\0';
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct tt_direction_stats *stats = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == TAPBRIDGE_A_STATS_PAD ||
	    mnl_attr_type_valid(attr, TAPBRIDGE_A_STATS_MAX) < 0)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, stats_attr_types[type]) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	stats->counter[type] = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int parse_stats(const struct nlattr *nest, struct tt_direction_stats *s)
{
	if (!nest)
		return 0;
	if (mnl_attr_parse_nested(nest, stats_attr_cb, s) < MNL_CB_OK)
		return -EBADMSG;
	return 0;
}

static int parse_mirror(const struct nlattr *nest, struct tt_mirror *m)
{
	const struct nlattr *tb[TAPBRIDGE_A_MIRROR_MAX + 1] = {};
	int type, ret;

	ret = parse_nest(nest, &mirror_set, tb);
	if (ret)
		return ret;

	m->ifindex = get_u32(tb[TAPBRIDGE_A_MIRROR_IFINDEX]);
	m->direction = get_u32(tb[TAPBRIDGE_A_MIRROR_DIRECTION]);
	m->snaplen = get_u32(tb[TAPBRIDGE_A_MIRROR_SNAPLEN]);
	if (tb[TAPBRIDGE_A_MIRROR_TAG_VID_AB])
		m->tag_ab = mnl_attr_get_u16(tb[TAPBRIDGE_A_MIRROR_TAG_VID_AB]);
	if (tb[TAPBRIDGE_A_MIRROR_TAG_VID_BA])
		m->tag_ba = mnl_attr_get_u16(tb[TAPBRIDGE_A_MIRROR_TAG_VID_BA]);
	m->tpid = get_u32(tb[TAPBRIDGE_A_MIRROR_TAG_TPID]);
	if (tb[TAPBRIDGE_A_MIRROR_RX_PASS])
		m->rx_pass = mnl_attr_get_u8(tb[TAPBRIDGE_A_MIRROR_RX_PASS]);

	for (type = TAPBRIDGE_A_MIRROR_TX_PACKETS;
	     type <= TAPBRIDGE_A_MIRROR_RX_DROPS; type++)
		if (tb[type])
			m->counter[type] = mnl_attr_get_u64(tb[type]);
	return 0;
}

/*
 * The mirror list and the warnings are multi-attrs: count them, then fill
 * arrays that tt_instance_release() frees. Every attribute was validated
 * by parse_message() already.
 */
static int parse_lists(const struct nlmsghdr *nlh, struct tt_instance *inst)
{
	size_t n_mirrors = 0, n_warnings = 0;
	struct tt_mirror *mirrors = NULL;
	const char **warnings = NULL;
	const struct nlattr *attr;
	int ret;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == TAPBRIDGE_A_INSTANCE_MIRRORS)
			n_mirrors++;
		else if (mnl_attr_get_type(attr) == TAPBRIDGE_A_INSTANCE_WARNING)
			n_warnings++;
	}
	if (n_mirrors) {
		mirrors = calloc(n_mirrors, sizeof(*mirrors));
		if (!mirrors)
			return -ENOMEM;
	}
	if (n_warnings) {
		warnings = calloc(n_warnings, sizeof(*warnings));
		if (!warnings) {
			free(mirrors);
			return -ENOMEM;
		}
	}
	/* Owned by @inst from here on, even if a mirror fails to parse. */
	inst->mirrors = mirrors;
	inst->warnings = warnings;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case TAPBRIDGE_A_INSTANCE_MIRRORS:
			ret = parse_mirror(attr, &mirrors[inst->n_mirrors++]);
			if (ret)
				return ret;
			break;
		case TAPBRIDGE_A_INSTANCE_WARNING:
			warnings[inst->n_warnings++] = mnl_attr_get_str(attr);
			break;
		}
	}
	return 0;
}

/**
 * tt_parse_instance - read one instance of a GET reply or dump
 * @nlh: the message; @inst points into it, so it must outlive @inst
 * @inst: filled in; release it with tt_instance_release(), even on error
 *
 * Return: 0 on success, -EBADMSG for a malformed message, -ENOMEM.
 */
int tt_parse_instance(const struct nlmsghdr *nlh, struct tt_instance *inst)
{
	const struct nlattr *tb[TAPBRIDGE_A_INSTANCE_MAX + 1] = {};
	int ret;

	memset(inst, 0, sizeof(*inst));
	ret = parse_message(nlh, &instance_set, tb);
	if (ret)
		return ret;

	inst->ifindex = get_u32(tb[TAPBRIDGE_A_INSTANCE_IFINDEX]);
	inst->mode = get_u32(tb[TAPBRIDGE_A_INSTANCE_MODE]);
	inst->port_a = get_u32(tb[TAPBRIDGE_A_INSTANCE_PORT_A]);
	inst->port_b = get_u32(tb[TAPBRIDGE_A_INSTANCE_PORT_B]);
	inst->mirror = get_u32(tb[TAPBRIDGE_A_INSTANCE_MIRROR]);
	inst->mirror_ab = get_u32(tb[TAPBRIDGE_A_INSTANCE_MIRROR_AB]);
	inst->mirror_ba = get_u32(tb[TAPBRIDGE_A_INSTANCE_MIRROR_BA]);
	inst->hold_down_ms = get_u32(tb[TAPBRIDGE_A_INSTANCE_HOLD_DOWN]);
	if (tb[TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION])
		inst->link_propagation =
			mnl_attr_get_u8(tb[TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION]);
	if (tb[TAPBRIDGE_A_INSTANCE_RX_ALL])
		inst->rx_all = mnl_attr_get_u8(tb[TAPBRIDGE_A_INSTANCE_RX_ALL]);
	if (tb[TAPBRIDGE_A_INSTANCE_CAPTURE])
		inst->capture = mnl_attr_get_u8(tb[TAPBRIDGE_A_INSTANCE_CAPTURE]);
	if (tb[TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP])
		inst->wire_tstamp =
			mnl_attr_get_u8(tb[TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP]);
	if (tb[TAPBRIDGE_A_INSTANCE_PROPAGATION_ACTIONS])
		inst->propagation_actions =
			mnl_attr_get_u64(tb[TAPBRIDGE_A_INSTANCE_PROPAGATION_ACTIONS]);
	inst->port_loss = get_u32(tb[TAPBRIDGE_A_INSTANCE_PORT_LOSS]);
	inst->port_state[0] = get_u32(tb[TAPBRIDGE_A_INSTANCE_PORT_A_STATE]);
	inst->port_state[1] = get_u32(tb[TAPBRIDGE_A_INSTANCE_PORT_B_STATE]);
	get_name(tb[TAPBRIDGE_A_INSTANCE_PORT_A_NAME], inst->port_name[0]);
	get_name(tb[TAPBRIDGE_A_INSTANCE_PORT_B_NAME], inst->port_name[1]);
	inst->port_losses[0] = get_u64(tb[TAPBRIDGE_A_INSTANCE_PORT_A_LOSSES]);
	inst->port_returns[0] = get_u64(tb[TAPBRIDGE_A_INSTANCE_PORT_A_RETURNS]);
	inst->port_losses[1] = get_u64(tb[TAPBRIDGE_A_INSTANCE_PORT_B_LOSSES]);
	inst->port_returns[1] = get_u64(tb[TAPBRIDGE_A_INSTANCE_PORT_B_RETURNS]);
	inst->stats_resets = get_u64(tb[TAPBRIDGE_A_INSTANCE_STATS_RESETS]);
	if (tb[TAPBRIDGE_A_INSTANCE_NAME])
		snprintf(inst->name, sizeof(inst->name), "%s",
			 mnl_attr_get_str(tb[TAPBRIDGE_A_INSTANCE_NAME]));
	else if (!inst->ifindex || !if_indextoname(inst->ifindex, inst->name))
		inst->name[0] = '\0';

	ret = parse_stats(tb[TAPBRIDGE_A_INSTANCE_STATS_AB], &inst->a_to_b);
	if (ret)
		return ret;
	ret = parse_stats(tb[TAPBRIDGE_A_INSTANCE_STATS_BA], &inst->b_to_a);
	if (ret)
		return ret;
	return parse_lists(nlh, inst);
}

/**
 * tt_instance_release - free the lists tt_parse_instance() allocated
 * @inst: the instance
 */
void tt_instance_release(struct tt_instance *inst)
{
	free((void *)inst->mirrors);
	inst->mirrors = NULL;
	inst->n_mirrors = 0;
	free((void *)inst->warnings);
	inst->warnings = NULL;
	inst->n_warnings = 0;
}

/**
 * tt_parse_event - read one message of the "events" group
 * @nlh: the message; @ev points into it, so it must outlive @ev
 * @ev: filled in
 *
 * Return: 0 on success, -ENOENT when the message is not an event (another
 * command of the family), -EBADMSG for a malformed one.
 */
int tt_parse_event(const struct nlmsghdr *nlh, struct tt_event *ev)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TAPBRIDGE_A_EVENT_MAX + 1] = {};
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (genl->cmd != TAPBRIDGE_CMD_EVENT)
		return -ENOENT;
	ret = parse_message(nlh, &event_set, tb);
	if (ret)
		return ret;

	ev->type = get_u32(tb[TAPBRIDGE_A_EVENT_TYPE]);
	ev->ifindex = get_u32(tb[TAPBRIDGE_A_EVENT_IFINDEX]);
	ev->dev_ifindex = get_u32(tb[TAPBRIDGE_A_EVENT_DEV_IFINDEX]);
	if (tb[TAPBRIDGE_A_EVENT_NAME])
		ev->name = mnl_attr_get_str(tb[TAPBRIDGE_A_EVENT_NAME]);
	if (tb[TAPBRIDGE_A_EVENT_DEV_NAME])
		ev->dev_name = mnl_attr_get_str(tb[TAPBRIDGE_A_EVENT_DEV_NAME]);
	return 0;
}

/**
 * tt_reply_add_warning - keep a warning text, unless it is kept already
 * @reply: the texts so far; free them with tt_reply_release()
 * @text: copied
 *
 * The kernel may put one warning both in the reply and in the extack
 * message, and each request of a sequence repeats the instance's
 * warnings: each distinct text is kept once, where it first came.
 *
 * Return: 0 on success, -ENOMEM.
 */
int tt_reply_add_warning(struct tt_reply *reply, const char *text)
{
	char **warnings, *copy;
	size_t i;

	for (i = 0; i < reply->n_warnings; i++)
		if (!strcmp(reply->warnings[i], text))
			return 0;
	/*
	 * A new array rather than realloc(): gcc 12's -fanalyzer loses track
	 * of a pointer stored into a buffer realloc() kept in place, and
	 * reports a leak that is not there. Replies carry a few warnings.
	 */
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	warnings = malloc((reply->n_warnings + 1) * sizeof(*warnings));
	if (!warnings) {
		free(copy);
		return -ENOMEM;
	}
	if (reply->n_warnings)
		memcpy(warnings, reply->warnings,
		       reply->n_warnings * sizeof(*warnings));
	warnings[reply->n_warnings++] = copy;
	free(reply->warnings);
	reply->warnings = warnings;
	return 0;
}

/**
 * tt_parse_reply - read the reply of a create, set or mirror-add
 * @nlh: the reply; the buffer is reused for the ACK, hence the copies
 * @reply: warnings are added, the ifindex set if the reply has it
 *
 * Return: 0 on success, -EBADMSG for a malformed reply, -ENOMEM.
 */
int tt_parse_reply(const struct nlmsghdr *nlh, struct tt_reply *reply)
{
	const struct nlattr *attr;
	int ret;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		ret = check_attr(attr, &instance_set);
		if (ret == -EBADMSG)
			return ret;
		if (ret)
			continue;
		switch (mnl_attr_get_type(attr)) {
		case TAPBRIDGE_A_INSTANCE_IFINDEX:
			reply->ifindex = mnl_attr_get_u32(attr);
			break;
		case TAPBRIDGE_A_INSTANCE_WARNING:
			ret = tt_reply_add_warning(reply,
						   mnl_attr_get_str(attr));
			if (ret)
				return ret;
			break;
		}
	}
	return 0;
}

/**
 * tt_reply_release - free what tt_parse_reply() copied
 * @reply: the reply
 */
void tt_reply_release(struct tt_reply *reply)
{
	size_t i;

	for (i = 0; i < reply->n_warnings; i++)
		free(reply->warnings[i]);
	free(reply->warnings);
	reply->warnings = NULL;
	reply->n_warnings = 0;
}
