// SPDX-License-Identifier: GPL-2.0
/*
 * taptool output. The text and JSON formats are asserted by the selftests
 * and read by scripts: change them only together with those.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include <json-c/json.h>

#include "output.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A direction's counters, in the order both formats print them. */
static const struct {
	int attr;
	const char *json_key;
} stats_fields[] = {
	{ TAPBRIDGE_A_STATS_RX_PACKETS,		"rx_packets" },
	{ TAPBRIDGE_A_STATS_RX_BYTES,		"rx_bytes" },
	{ TAPBRIDGE_A_STATS_FWD_PACKETS,	"fwd_packets" },
	{ TAPBRIDGE_A_STATS_FWD_BYTES,		"fwd_bytes" },
	{ TAPBRIDGE_A_STATS_FWD_DROPS,		"fwd_drops" },
	{ TAPBRIDGE_A_STATS_MIRROR_PACKETS,	"mirror_packets" },
	{ TAPBRIDGE_A_STATS_MIRROR_BYTES,	"mirror_bytes" },
	{ TAPBRIDGE_A_STATS_MIRROR_DROPS,	"mirror_drops" },
};

static void vprint_line(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/**
 * tt_error - print one "Error: ..." line on stderr
 * @fmt: printf format of the message, without a trailing newline
 */
void tt_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line("Error: ", fmt, ap);
	va_end(ap);
}

/**
 * tt_warning - print one "Warning: ..." line on stderr
 * @fmt: printf format of the message, without a trailing newline
 */
void tt_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line("Warning: ", fmt, ap);
	va_end(ap);
}

static const char *mode_name(uint32_t mode)
{
	switch (mode) {
	case TAPBRIDGE_MODE_AGGREGATE:
		return "aggregate";
	case TAPBRIDGE_MODE_SPLIT:
		return "split";
	default:
		return NULL;
	}
}

/*
 * Name of a port or mirror in our netns, NULL when there is none (0). An
 * index with no name here (a race with its removal) prints as iproute2
 * prints such links, "if<N>", rather than pretending there is no device.
 */
static const char *link_name(uint32_t ifindex, char buf[IF_NAMESIZE])
{
	if (!ifindex)
		return NULL;
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%" PRIu32, ifindex);
	return buf;
}

static const char *text_or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void print_text_link(const char *keyword, uint32_t ifindex)
{
	char buf[IF_NAMESIZE];

	printf(" %s %s", keyword, text_or_dash(link_name(ifindex, buf)));
}

static void print_text_config(const struct tt_instance *inst)
{
	printf("%s: mode %s", text_or_dash(inst->name),
	       text_or_dash(mode_name(inst->mode)));
	print_text_link("port-a", inst->port_a);
	print_text_link("port-b", inst->port_b);

	switch (inst->mode) {
	case TAPBRIDGE_MODE_AGGREGATE:
		print_text_link("mirror", inst->mirror);
		break;
	case TAPBRIDGE_MODE_SPLIT:
		print_text_link("mirror-ab", inst->mirror_ab);
		print_text_link("mirror-ba", inst->mirror_ba);
		break;
	}
	putchar('\n');
}

static void print_text_direction(const char *label,
				 const struct tt_direction_stats *s)
{
	const uint64_t *c = s->counter;

	printf("  %s: rx %" PRIu64 " pkts %" PRIu64 " bytes"
	       "  fwd %" PRIu64 " pkts %" PRIu64 " bytes"
	       "  fwd-drops %" PRIu64
	       "  mirror %" PRIu64 " pkts %" PRIu64 " bytes"
	       "  mirror-drops %" PRIu64 "\n", label,
	       c[TAPBRIDGE_A_STATS_RX_PACKETS], c[TAPBRIDGE_A_STATS_RX_BYTES],
	       c[TAPBRIDGE_A_STATS_FWD_PACKETS], c[TAPBRIDGE_A_STATS_FWD_BYTES],
	       c[TAPBRIDGE_A_STATS_FWD_DROPS],
	       c[TAPBRIDGE_A_STATS_MIRROR_PACKETS],
	       c[TAPBRIDGE_A_STATS_MIRROR_BYTES],
	       c[TAPBRIDGE_A_STATS_MIRROR_DROPS]);
}

static void print_text_stats(const struct tt_instance *inst)
{
	printf("%s:\n", text_or_dash(inst->name));
	print_text_direction("a->b", &inst->a_to_b);
	print_text_direction("b->a", &inst->b_to_a);
}

/*
 * json-c answers an allocation failure with NULL, while a NULL member is
 * how JSON null is added: absent values go through put_null() explicitly
 * so that put() can treat NULL as out of memory. put() owns @val.
 */
static int put(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val || json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

static int put_null(struct json_object *obj, const char *key)
{
	return json_object_object_add(obj, key, NULL) ? -ENOMEM : 0;
}

static int put_string(struct json_object *obj, const char *key, const char *s)
{
	if (!s || !*s)
		return put_null(obj, key);
	return put(obj, key, json_object_new_string(s));
}

static int put_link(struct json_object *obj, const char *key, uint32_t ifindex)
{
	char buf[IF_NAMESIZE];

	return put_string(obj, key, link_name(ifindex, buf));
}

static struct json_object *direction_json(const struct tt_direction_stats *s)
{
	struct json_object *obj = json_object_new_object();
	size_t i;

	if (!obj)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(stats_fields); i++) {
		uint64_t value = s->counter[stats_fields[i].attr];

		if (put(obj, stats_fields[i].json_key,
			json_object_new_uint64(value))) {
			json_object_put(obj);
			return NULL;
		}
	}
	return obj;
}

static int put_mirrors(struct json_object *obj, const struct tt_instance *inst)
{
	switch (inst->mode) {
	case TAPBRIDGE_MODE_AGGREGATE:
		return put_link(obj, "mirror", inst->mirror);
	case TAPBRIDGE_MODE_SPLIT:
		return put_link(obj, "mirror_ab", inst->mirror_ab) ?:
		       put_link(obj, "mirror_ba", inst->mirror_ba);
	default:
		return 0;
	}
}

static struct json_object *instance_json(const struct tt_printer *p,
					 const struct tt_instance *inst)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	if (put_string(obj, "ifname", inst->name) ||
	    put(obj, "ifindex", json_object_new_int64(inst->ifindex)) ||
	    put_string(obj, "mode", mode_name(inst->mode)) ||
	    put_link(obj, "port_a", inst->port_a) ||
	    put_link(obj, "port_b", inst->port_b) ||
	    put_mirrors(obj, inst))
		goto err_put_obj;

	if (p->view == TT_VIEW_STATS &&
	    (put(obj, "a_to_b", direction_json(&inst->a_to_b)) ||
	     put(obj, "b_to_a", direction_json(&inst->b_to_a))))
		goto err_put_obj;
	return obj;

err_put_obj:
	json_object_put(obj);
	return NULL;
}

/**
 * tt_printer_init - get ready to print the instances of one command
 * @p: printer to set up; release it with tt_printer_release()
 * @view: what is printed of each instance
 * @json: print JSON instead of text
 * @pretty: indent the JSON
 *
 * Return: 0 on success, -ENOMEM.
 */
int tt_printer_init(struct tt_printer *p, enum tt_view view, bool json,
		    bool pretty)
{
	p->view = view;
	p->json = json;
	p->pretty = pretty;
	p->instances = NULL;
	if (json) {
		p->instances = json_object_new_array();
		if (!p->instances)
			return -ENOMEM;
	}
	return 0;
}

/**
 * tt_printer_add - print one instance, or keep it for the JSON array
 * @p: printer from tt_printer_init()
 * @inst: the instance
 *
 * Text is printed at once, one instance per line (show) or block (stats).
 *
 * Return: 0 on success, -ENOMEM.
 */
int tt_printer_add(struct tt_printer *p, const struct tt_instance *inst)
{
	struct json_object *obj;

	if (!p->json) {
		if (p->view == TT_VIEW_STATS)
			print_text_stats(inst);
		else
			print_text_config(inst);
		return 0;
	}

	obj = instance_json(p, inst);
	if (!obj || json_object_array_add(p->instances, obj)) {
		json_object_put(obj);
		return -ENOMEM;
	}
	return 0;
}

/**
 * tt_printer_flush - print the JSON array of all instances added
 * @p: printer from tt_printer_init(); nothing happens for text
 *
 * Return: 0 on success, -ENOMEM.
 */
int tt_printer_flush(struct tt_printer *p)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *s;

	if (!p->json)
		return 0;
	flags |= p->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			     JSON_C_TO_STRING_PLAIN;
	s = json_object_to_json_string_ext(p->instances, flags);
	if (!s)
		return -ENOMEM;
	puts(s);
	return 0;
}

/**
 * tt_printer_release - free what the printer holds
 * @p: printer from tt_printer_init(), even one that failed
 */
void tt_printer_release(struct tt_printer *p)
{
	json_object_put(p->instances);
	p->instances = NULL;
}
