// SPDX-License-Identifier: GPL-2.0
/*
 * taptool output. The text and JSON formats are asserted by the selftests
 * and read by scripts: change them only together with those.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "names.h"
#include "output.h"
#include "parse.h"

/* The spec's default hold-down (uapi/tapbridge.yaml, hold-down). */
#define HOLD_DOWN_DEFAULT_MS	1000

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Plain JSON: one document per line, "/" left as is. */
#define JSON_PLAIN	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* One counter: its attribute type, which indexes the counter array. */
struct counter_field {
	int attr;
	const char *json_key;
};

/* A direction's counters, in the order JSON prints them. */
static const struct counter_field stats_fields[] = {
	{ TAPBRIDGE_A_STATS_RX_PACKETS,		"rx_packets" },
	{ TAPBRIDGE_A_STATS_RX_BYTES,		"rx_bytes" },
	{ TAPBRIDGE_A_STATS_FWD_PACKETS,	"fwd_packets" },
	{ TAPBRIDGE_A_STATS_FWD_BYTES,		"fwd_bytes" },
	{ TAPBRIDGE_A_STATS_FWD_DROPS,		"fwd_drops" },
	{ TAPBRIDGE_A_STATS_FWD_OVERSIZE,	"fwd_oversize" },
	{ TAPBRIDGE_A_STATS_MIRROR_PACKETS,	"mirror_packets" },
	{ TAPBRIDGE_A_STATS_MIRROR_BYTES,	"mirror_bytes" },
	{ TAPBRIDGE_A_STATS_MIRROR_DROPS,	"mirror_drops" },
};

/* A mirror's counters, in the order JSON prints them. */
static const struct counter_field mirror_stats_fields[] = {
	{ TAPBRIDGE_A_MIRROR_TX_PACKETS,	"tx_packets" },
	{ TAPBRIDGE_A_MIRROR_TX_BYTES,		"tx_bytes" },
	{ TAPBRIDGE_A_MIRROR_TX_DROPS,		"tx_drops" },
	{ TAPBRIDGE_A_MIRROR_SLICED,		"sliced" },
	{ TAPBRIDGE_A_MIRROR_OVERSIZE,		"oversize" },
	{ TAPBRIDGE_A_MIRROR_RX_DROPS,		"rx_drops" },
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

static bool seen_before(const char *const *texts, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(texts[i], s))
			return true;
	return false;
}

/**
 * tt_print_warnings - print what the kernel warned about a request it did
 * @texts: the reply's warning attributes, in the order they came
 * @n: entries in @texts
 * @extack: the extack message of the ACK, NULL or empty if none
 *
 * The kernel may put one warning both in the reply and in the extack
 * message: each distinct text is printed once, as a "Warning: " line, in
 * the order it arrived (the reply comes before the ACK).
 */
void tt_print_warnings(const char *const *texts, size_t n, const char *extack)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!seen_before(texts, i, texts[i]))
			tt_warning("%s", texts[i]);
	if (extack && *extack && !seen_before(texts, n, extack))
		tt_warning("%s", extack);
}

static const char *mode_name(uint32_t mode)
{
	return tt_word_of(tt_mode_words, mode);
}

/* The spec's default for a mirror whose direction is not said: both. */
static const char *direction_name(uint32_t direction)
{
	return tt_word_of(tt_direction_words,
			  direction ?: TAPBRIDGE_DIRECTION_BOTH);
}

/* The spec's default for tags whose TPID is not said: 802.1Q. */
static const char *tpid_name(uint32_t tpid)
{
	return tt_word_of(tt_tpid_words, tpid ?: TAPBRIDGE_TPID_8021Q);
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

/* The mirror list entry of a preset's mirror, NULL if there is none. */
static const struct tt_mirror *find_mirror(const struct tt_instance *inst,
					   uint32_t ifindex)
{
	size_t i;

	if (!ifindex)
		return NULL;
	for (i = 0; i < inst->n_mirrors; i++)
		if (inst->mirrors[i].ifindex == ifindex)
			return &inst->mirrors[i];
	return NULL;
}

static void print_text_link(const char *keyword, uint32_t ifindex)
{
	char buf[IF_NAMESIZE];

	printf(" %s %s", keyword, text_or_dash(link_name(ifindex, buf)));
}

/*
 * A mirror's options, each only when it differs from the default, in the
 * words and order of "set NAME mirror add", so that a line can be typed
 * back; show prints them on stdout, save into a config file.
 */
static void print_mirror_options(FILE *out, const struct tt_mirror *m)
{
	if (m->snaplen)
		fprintf(out, " snaplen %" PRIu32, m->snaplen);
	if (m->tag_ab)
		fprintf(out, " tag-ab %u", m->tag_ab);
	if (m->tag_ba)
		fprintf(out, " tag-ba %u", m->tag_ba);
	if (m->tpid && m->tpid != TAPBRIDGE_TPID_8021Q)
		fprintf(out, " tpid %s", text_or_dash(tpid_name(m->tpid)));
	if (m->rx_pass)
		fputs(" rx-pass on", out);
}

/*
 * A preset's mirror keyword, then that mirror's options if it has any, so
 * each option stands after the mirror it belongs to. A split whose two
 * mirrors are one device prints its options once.
 */
static void print_text_preset(const struct tt_instance *inst)
{
	const struct tt_mirror *ab, *ba;

	switch (inst->mode) {
	case TAPBRIDGE_MODE_AGGREGATE:
		print_text_link("mirror", inst->mirror);
		ab = find_mirror(inst, inst->mirror);
		if (ab)
			print_mirror_options(stdout, ab);
		break;
	case TAPBRIDGE_MODE_SPLIT:
		ab = find_mirror(inst, inst->mirror_ab);
		ba = find_mirror(inst, inst->mirror_ba);
		print_text_link("mirror-ab", inst->mirror_ab);
		if (ab)
			print_mirror_options(stdout, ab);
		print_text_link("mirror-ba", inst->mirror_ba);
		if (ba && ba != ab)
			print_mirror_options(stdout, ba);
		break;
	}
}

static void print_text_mirror_list(const struct tt_instance *inst)
{
	const struct tt_mirror *m;
	size_t i;

	/* By index: with no mirrors, @inst->mirrors is NULL, and NULL + 0 is UB. */
	for (i = 0; i < inst->n_mirrors; i++) {
		m = &inst->mirrors[i];
		print_text_link("mirror", m->ifindex);
		printf(" dir %s", text_or_dash(direction_name(m->direction)));
		print_mirror_options(stdout, m);
	}
}

static bool port_waiting(const struct tt_instance *inst, int port)
{
	return inst->port_state[port] == TAPBRIDGE_PORT_STATE_WAITING;
}

/* A port's device, or the name its slot waits for, marked so. */
static void print_text_port(const struct tt_instance *inst, int port)
{
	const char *word = port ? "port-b" : "port-a";

	if (port_waiting(inst, port))
		printf(" %s %s (waiting)", word,
		       text_or_dash(inst->port_name[port]));
	else
		print_text_link(word, port ? inst->port_b : inst->port_a);
}

static void print_text_config(const struct tt_instance *inst)
{
	size_t i;

	printf("%s: mode %s", text_or_dash(inst->name),
	       text_or_dash(mode_name(inst->mode)));
	print_text_port(inst, 0);
	print_text_port(inst, 1);

	if (inst->mode == TAPBRIDGE_MODE_CUSTOM)
		print_text_mirror_list(inst);
	else
		print_text_preset(inst);

	/*
	 * As add takes them back: the hold-down is printed with link
	 * propagation on, and on its own when it is not the spec's default.
	 */
	if (inst->link_propagation)
		fputs(" link-propagation on", stdout);
	if (inst->link_propagation || inst->hold_down_ms != HOLD_DOWN_DEFAULT_MS)
		printf(" hold-down %" PRIu32, inst->hold_down_ms);
	if (inst->rx_all)
		fputs(" rx-all on", stdout);
	if (inst->port_loss == TAPBRIDGE_PORT_LOSS_WAIT)
		fputs(" port-loss wait", stdout);
	if (inst->capture)
		fputs(" capture on", stdout);
	if (inst->wire_tstamp)
		fputs(" wire-tstamp on", stdout);
	putchar('\n');

	for (i = 0; i < inst->n_warnings; i++)
		printf("    warning: %s\n", inst->warnings[i]);
}

/*
 * The configuration file "taptool save" writes and "taptool up" reads:
 * the words of add, one keyword a line ("mirror IF [MIRROR-OPTIONS]" of a
 * custom list on one line), every instance option written out so that the
 * file says all there is. Devices by name: a config file outlives
 * ifindexes.
 */
static const char *config_link(uint32_t ifindex, char buf[IF_NAMESIZE])
{
	return ifindex ? if_indextoname(ifindex, buf) : NULL;
}

/* A preset's mirrors carry no options (mirror add makes a list custom). */
static bool preset_is_plain(const struct tt_instance *inst)
{
	const struct tt_mirror *m;
	size_t i;

	if (inst->mode != TAPBRIDGE_MODE_AGGREGATE &&
	    inst->mode != TAPBRIDGE_MODE_SPLIT)
		return false;
	for (i = 0; i < inst->n_mirrors; i++) {
		m = &inst->mirrors[i];
		if (m->snaplen || m->tag_ab || m->tag_ba || m->rx_pass ||
		    (m->tpid && m->tpid != TAPBRIDGE_TPID_8021Q))
			return false;
	}
	return true;
}

/*
 * A port for a config file: its device's name, or the name its slot waits
 * for (the file is what brings the instance back with that device).
 */
static const char *config_port(const struct tt_instance *inst, int port,
			       char *buf)
{
	if (inst->port_state[port] == TAPBRIDGE_PORT_STATE_WAITING &&
	    inst->port_name[port][0])
		return inst->port_name[port];
	return config_link(port ? inst->port_b : inst->port_a, buf);
}

/**
 * tt_config_gone - what a config file of @inst could not name
 * @inst: the instance as the kernel described it
 *
 * Return: the keyword of the first port or mirror that has no name in
 * our netns (it is gone, or the kernel did not say), NULL if every device
 * has one; then tt_print_config() can write the file.
 */
const char *tt_config_gone(const struct tt_instance *inst)
{
	char buf[IF_NAMESIZE];
	size_t i;

	if (!config_port(inst, 0, buf))
		return "port-a";
	if (!config_port(inst, 1, buf))
		return "port-b";
	if (!mode_name(inst->mode))
		return "mode";
	if (preset_is_plain(inst) && inst->mode == TAPBRIDGE_MODE_AGGREGATE)
		return config_link(inst->mirror, buf) ? NULL : "mirror";
	if (preset_is_plain(inst))
		return !config_link(inst->mirror_ab, buf) ? "mirror-ab" :
		       !config_link(inst->mirror_ba, buf) ? "mirror-ba" : NULL;
	if (!inst->n_mirrors)
		return "mirror";
	for (i = 0; i < inst->n_mirrors; i++)
		if (!config_link(inst->mirrors[i].ifindex, buf))
			return "mirror";
	return NULL;
}

/**
 * tt_print_config - write @inst as a configuration file
 * @out: the file
 * @inst: an instance tt_config_gone() found complete
 *
 * A preset is written as such; a custom list (or, should a kernel report
 * one, a preset whose mirrors have options) as "mode custom" and one
 * "mirror IF dir D [MIRROR-OPTIONS]" line per entry, in the list's order,
 * the options in the words and order of show.
 */
void tt_print_config(FILE *out, const struct tt_instance *inst)
{
	char buf[IF_NAMESIZE];
	const struct tt_mirror *m;
	size_t i;

	fprintf(out, "# tapbridge instance %s, written by \"taptool save\".\n"
		"# \"taptool up %s\" creates it again; see taptool(8).\n",
		inst->name, inst->name);
	fprintf(out, "port-a %s\n", config_port(inst, 0, buf));
	fprintf(out, "port-b %s\n", config_port(inst, 1, buf));
	if (preset_is_plain(inst) && inst->mode == TAPBRIDGE_MODE_AGGREGATE) {
		fprintf(out, "mode aggregate\nmirror %s\n",
			config_link(inst->mirror, buf));
	} else if (preset_is_plain(inst)) {
		fprintf(out, "mode split\nmirror-ab %s\n",
			config_link(inst->mirror_ab, buf));
		fprintf(out, "mirror-ba %s\n", config_link(inst->mirror_ba, buf));
	} else {
		fputs("mode custom\n", out);
		for (i = 0; i < inst->n_mirrors; i++) {
			m = &inst->mirrors[i];
			fprintf(out, "mirror %s dir %s", config_link(m->ifindex, buf),
				direction_name(m->direction));
			print_mirror_options(out, m);
			fputc('\n', out);
		}
	}
	fprintf(out, "link-propagation %s\nhold-down %" PRIu32 "\nrx-all %s\n",
		inst->link_propagation ? "on" : "off", inst->hold_down_ms,
		inst->rx_all ? "on" : "off");
	fprintf(out, "port-loss %s\n",
		inst->port_loss == TAPBRIDGE_PORT_LOSS_WAIT ? "wait" : "delete");
	/* Written when on only: files saved before they existed stay alike. */
	if (inst->capture)
		fputs("capture on\n", out);
	if (inst->wire_tstamp)
		fputs("wire-tstamp on\n", out);
}

static void print_text_direction(const char *label,
				 const struct tt_direction_stats *s)
{
	const uint64_t *c = s->counter;

	printf("  %s: rx %" PRIu64 " pkts %" PRIu64 " bytes"
	       "  fwd %" PRIu64 " pkts %" PRIu64 " bytes"
	       "  fwd-drops %" PRIu64 " oversize %" PRIu64
	       "  mirror %" PRIu64 " pkts %" PRIu64 " bytes"
	       "  mirror-drops %" PRIu64 "\n", label,
	       c[TAPBRIDGE_A_STATS_RX_PACKETS], c[TAPBRIDGE_A_STATS_RX_BYTES],
	       c[TAPBRIDGE_A_STATS_FWD_PACKETS], c[TAPBRIDGE_A_STATS_FWD_BYTES],
	       c[TAPBRIDGE_A_STATS_FWD_DROPS],
	       c[TAPBRIDGE_A_STATS_FWD_OVERSIZE],
	       c[TAPBRIDGE_A_STATS_MIRROR_PACKETS],
	       c[TAPBRIDGE_A_STATS_MIRROR_BYTES],
	       c[TAPBRIDGE_A_STATS_MIRROR_DROPS]);
}

static void print_text_mirror_stats(const struct tt_mirror *m)
{
	const uint64_t *c = m->counter;
	char buf[IF_NAMESIZE];

	printf("  mirror %s: tx %" PRIu64 " pkts %" PRIu64 " bytes"
	       "  tx-drops %" PRIu64 "  sliced %" PRIu64
	       "  oversize %" PRIu64 "  rx-drops %" PRIu64 "\n",
	       text_or_dash(link_name(m->ifindex, buf)),
	       c[TAPBRIDGE_A_MIRROR_TX_PACKETS], c[TAPBRIDGE_A_MIRROR_TX_BYTES],
	       c[TAPBRIDGE_A_MIRROR_TX_DROPS], c[TAPBRIDGE_A_MIRROR_SLICED],
	       c[TAPBRIDGE_A_MIRROR_OVERSIZE], c[TAPBRIDGE_A_MIRROR_RX_DROPS]);
}

static void print_text_stats(const struct tt_instance *inst)
{
	size_t i;

	printf("%s:\n", text_or_dash(inst->name));
	print_text_direction("a->b", &inst->a_to_b);
	print_text_direction("b->a", &inst->b_to_a);
	for (i = 0; i < inst->n_mirrors; i++)
		print_text_mirror_stats(&inst->mirrors[i]);
	if (inst->propagation_actions)
		printf("  propagation-actions %" PRIu64 "\n",
		       inst->propagation_actions);
	for (i = 0; i < 2; i++)
		if (inst->port_losses[i] || inst->port_returns[i])
			printf("  port-%c: losses %" PRIu64 " returns %" PRIu64 "\n",
			       i ? 'b' : 'a', inst->port_losses[i],
			       inst->port_returns[i]);
	if (inst->stats_resets)
		printf("  stats-resets %" PRIu64 "\n", inst->stats_resets);
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

/*
 * Length of the valid UTF-8 sequence at @s, 0 if there is none: overlong
 * forms, surrogates and code points above U+10FFFF are not valid.
 */
static size_t utf8_sequence(const unsigned char *s)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * A JSON string of @s. Interface names and the kernel's messages are
 * bytes, not text: a byte that is not part of valid UTF-8 is written as
 * the four characters \xNN, so that the output always parses and the
 * name can still be told apart.
 */
static struct json_object *string_json(const char *s)
{
	const unsigned char *in = (const unsigned char *)s;
	struct json_object *obj;
	size_t len, n;
	char *text, *out;

	for (n = 0; in[n] && (len = utf8_sequence(in + n)); n += len)
		;
	if (!in[n])
		return json_object_new_string(s);

	text = malloc(4 * strlen(s) + 1);
	if (!text)
		return NULL;
	for (out = text; *in; ) {
		len = utf8_sequence(in);
		if (!len) {
			out += sprintf(out, "\\x%02x", *in++);
			continue;
		}
		memcpy(out, in, len);
		out += len;
		in += len;
	}
	*out = '\0';
	obj = json_object_new_string(text);
	free(text);
	return obj;
}

static int put_string(struct json_object *obj, const char *key, const char *s)
{
	if (!s || !*s)
		return put_null(obj, key);
	return put(obj, key, string_json(s));
}

static int put_u64(struct json_object *obj, const char *key, uint64_t value)
{
	return put(obj, key, json_object_new_uint64(value));
}

/* An index, VLAN ID or length whose 0 means "none": null then. */
static int put_nonzero(struct json_object *obj, const char *key,
		       uint64_t value)
{
	return value ? put_u64(obj, key, value) : put_null(obj, key);
}

static int put_bool(struct json_object *obj, const char *key, bool value)
{
	return put(obj, key, json_object_new_boolean(value));
}

/* The name of @ifindex in our netns, NULL when it has none. */
static const char *json_link_name(uint32_t ifindex, char buf[IF_NAMESIZE])
{
	return ifindex ? if_indextoname(ifindex, buf) : NULL;
}

/*
 * A device another object names (a port, a preset mirror, the device of
 * an event): {"ifname": ..., "ifindex": ...}, null when there is none.
 */
static int put_device(struct json_object *obj, const char *key,
		      const char *ifname, uint32_t ifindex)
{
	struct json_object *dev;

	if (!ifindex && (!ifname || !*ifname))
		return put_null(obj, key);
	dev = json_object_new_object();
	if (!dev)
		return -ENOMEM;
	if (put_string(dev, "ifname", ifname) ||
	    put_nonzero(dev, "ifindex", ifindex)) {
		json_object_put(dev);
		return -ENOMEM;
	}
	return put(obj, key, dev);
}

static int put_link(struct json_object *obj, const char *key, uint32_t ifindex)
{
	char buf[IF_NAMESIZE];

	return put_device(obj, key, json_link_name(ifindex, buf), ifindex);
}

/* @counters is indexed by attribute type; @fields says which go, in order. */
static int put_counters(struct json_object *obj,
			const struct counter_field *fields, size_t n,
			const uint64_t *counters)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < n; i++)
		ret = put_u64(obj, fields[i].json_key,
			      counters[fields[i].attr]);
	return ret;
}

static struct json_object *direction_json(const struct tt_direction_stats *s)
{
	struct json_object *obj = json_object_new_object();

	if (obj && put_counters(obj, stats_fields, ARRAY_SIZE(stats_fields),
				 s->counter)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static struct json_object *mirror_json(const struct tt_mirror *m)
{
	struct json_object *obj = json_object_new_object();
	char buf[IF_NAMESIZE];

	if (!obj)
		return NULL;
	if (put_string(obj, "ifname", json_link_name(m->ifindex, buf)) ||
	    put_nonzero(obj, "ifindex", m->ifindex) ||
	    put_string(obj, "dir", direction_name(m->direction)) ||
	    put_nonzero(obj, "snaplen", m->snaplen) ||
	    put_nonzero(obj, "tag_ab", m->tag_ab) ||
	    put_nonzero(obj, "tag_ba", m->tag_ba) ||
	    put_string(obj, "tpid", tpid_name(m->tpid)) ||
	    put_bool(obj, "rx_pass", m->rx_pass) ||
	    put_counters(obj, mirror_stats_fields,
			 ARRAY_SIZE(mirror_stats_fields), m->counter))
		goto err_put_obj;
	return obj;

err_put_obj:
	json_object_put(obj);
	return NULL;
}

static struct json_object *mirror_list_json(const struct tt_instance *inst)
{
	struct json_object *array = json_object_new_array();
	struct json_object *obj;
	size_t i;

	for (i = 0; array && i < inst->n_mirrors; i++) {
		obj = mirror_json(&inst->mirrors[i]);
		if (!obj || json_object_array_add(array, obj)) {
			json_object_put(obj);
			json_object_put(array);
			return NULL;
		}
	}
	return array;
}

static struct json_object *string_list_json(const char *const *texts,
					    size_t n)
{
	struct json_object *array = json_object_new_array();
	struct json_object *s;
	size_t i;

	for (i = 0; array && i < n; i++) {
		s = string_json(texts[i]);
		if (!s || json_object_array_add(array, s)) {
			json_object_put(s);
			json_object_put(array);
			return NULL;
		}
	}
	return array;
}

/*
 * The preset keys are there in every mode: the mode's own mirrors, null
 * for the keys of other modes (and for a mirror that is detached). A
 * custom list has no preset mirror: "mirrors" says it all.
 */
static int put_preset_mirrors(struct json_object *obj,
			      const struct tt_instance *inst)
{
	bool aggregate = inst->mode == TAPBRIDGE_MODE_AGGREGATE;
	bool split = inst->mode == TAPBRIDGE_MODE_SPLIT;

	return put_link(obj, "mirror", aggregate ? inst->mirror : 0) ?:
	       put_link(obj, "mirror_ab", split ? inst->mirror_ab : 0) ?:
	       put_link(obj, "mirror_ba", split ? inst->mirror_ba : 0);
}

/*
 * "<port>_state" (attached or waiting), "<port>_name" (its device's, or
 * the waited name) and its losses and returns.
 */
static int put_port_state(struct json_object *obj, const char *port,
			  const struct tt_instance *inst, int i)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_state", port);
	if (put_string(obj, key, tt_word_of(tt_port_state_words,
					    inst->port_state[i])))
		return -1;
	snprintf(key, sizeof(key), "%s_name", port);
	if (put_string(obj, key, inst->port_name[i]))
		return -1;
	snprintf(key, sizeof(key), "%s_losses", port);
	if (put_u64(obj, key, inst->port_losses[i]))
		return -1;
	snprintf(key, sizeof(key), "%s_returns", port);
	return put_u64(obj, key, inst->port_returns[i]);
}

/*
 * One instance, the same object for show and stats: every key is always
 * there, so that a reader needs no case for a mode or a command.
 */
static struct json_object *instance_json(const struct tt_instance *inst)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	if (put_u64(obj, "schema_version", TT_JSON_VERSION) ||
	    put_string(obj, "ifname", inst->name) ||
	    put_nonzero(obj, "ifindex", inst->ifindex) ||
	    put_string(obj, "mode", mode_name(inst->mode)) ||
	    put_link(obj, "port_a", inst->port_a) ||
	    put_link(obj, "port_b", inst->port_b) ||
	    put_preset_mirrors(obj, inst) ||
	    put(obj, "mirrors", mirror_list_json(inst)) ||
	    put_bool(obj, "link_propagation", inst->link_propagation) ||
	    put_u64(obj, "hold_down_ms", inst->hold_down_ms) ||
	    put_bool(obj, "rx_all", inst->rx_all) ||
	    put_bool(obj, "capture", inst->capture) ||
	    put_bool(obj, "wire_tstamp", inst->wire_tstamp) ||
	    put_u64(obj, "propagation_actions", inst->propagation_actions) ||
	    put_u64(obj, "stats_resets", inst->stats_resets) ||
	    put_string(obj, "port_loss",
		       tt_word_of(tt_port_loss_words,
				  inst->port_loss ?: TAPBRIDGE_PORT_LOSS_DELETE)) ||
	    put_port_state(obj, "port_a", inst, 0) ||
	    put_port_state(obj, "port_b", inst, 1) ||
	    put(obj, "warnings",
		string_list_json(inst->warnings, inst->n_warnings)) ||
	    put(obj, "a_to_b", direction_json(&inst->a_to_b)) ||
	    put(obj, "b_to_a", direction_json(&inst->b_to_a))) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
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
 * @inst: the instance; nothing of it is kept after the call
 *
 * Text is printed at once: one line per instance and one more per warning
 * (show), or a block (stats).
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

	obj = instance_json(inst);
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

/*
 * The text name of an event's instance or device: the name it carries,
 * else "if<N>" as for links, else "-". Never if_indextoname(): by the time
 * the event is read the index may be gone or taken by another device.
 */
static const char *event_dev_name(const char *name, uint32_t ifindex,
				  char buf[IF_NAMESIZE])
{
	if (name && *name)
		return name;
	if (!ifindex)
		return "-";
	snprintf(buf, IF_NAMESIZE, "if%" PRIu32, ifindex);
	return buf;
}

/*
 * RFC 3339 in local time, to the microsecond, as "ip -ts monitor" prints
 * it but with the offset: 2026-12-03T09:12:31.123456+01:00. Empty for a
 * time not known.
 */
static int print_json(struct json_object *obj, bool pretty);

static void format_time(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	long off;
	size_t n;

	buf[0] = '\0';
	if (!ts->tv_sec || !localtime_r(&ts->tv_sec, &tm))
		return;
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf + n, len - n, ".%06ld%c%02ld:%02ld", ts->tv_nsec / 1000,
		 off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

static void print_text_event(const struct tt_event *ev)
{
	char name_buf[IF_NAMESIZE], dev_buf[IF_NAMESIZE], time_buf[64];
	const char *name = event_dev_name(ev->name, ev->ifindex, name_buf);
	const char *dev = event_dev_name(ev->dev_name, ev->dev_ifindex,
					 dev_buf);

	format_time(&ev->time, time_buf, sizeof(time_buf));
	if (time_buf[0])
		printf("[%s] ", time_buf);
	printf("%s: ", name);
	switch (ev->type) {
	case TAPBRIDGE_EVENT_TYPE_CREATED:
	case TAPBRIDGE_EVENT_TYPE_CHANGED:
	case TAPBRIDGE_EVENT_TYPE_DELETED:
		puts(tt_word_of(tt_event_words, ev->type));
		break;
	case TAPBRIDGE_EVENT_TYPE_CARRIER_UP:
		printf("carrier up on %s\n", dev);
		break;
	case TAPBRIDGE_EVENT_TYPE_CARRIER_DOWN:
		printf("carrier down on %s\n", dev);
		break;
	case TAPBRIDGE_EVENT_TYPE_PROPAGATION_DOWN:
		printf("link propagation took %s down\n", dev);
		break;
	case TAPBRIDGE_EVENT_TYPE_PROPAGATION_UP:
		printf("link propagation brought %s up\n", dev);
		break;
	case TAPBRIDGE_EVENT_TYPE_PORT_LOST:
		printf("port %s lost\n", dev);
		break;
	case TAPBRIDGE_EVENT_TYPE_MIRROR_LOST:
		printf("mirror %s lost\n", dev);
		break;
	case TAPBRIDGE_EVENT_TYPE_PORT_RETURNED:
		printf("port %s returned\n", dev);
		break;
	case TAPBRIDGE_EVENT_TYPE_PORT_REFUSED:
		printf("port %s refused\n", dev);
		break;
	case TAPBRIDGE_EVENT_TYPE_STATS_RESET:
		printf("counters reset\n");
		break;
	default:
		/* A type from a newer kernel: say that something happened. */
		printf("event %" PRIu32 "\n", ev->type);
		break;
	}
}

static int print_json_event(const struct tt_event *ev)
{
	struct json_object *obj = json_object_new_object();
	char type_buf[16], time_buf[64];
	const char *s;
	int ret = -ENOMEM;

	if (!obj)
		return -ENOMEM;
	/* A type from a newer kernel: its number, still as a string. */
	snprintf(type_buf, sizeof(type_buf), "%" PRIu32, ev->type);
	s = tt_word_of(tt_event_words, ev->type) ?: type_buf;
	format_time(&ev->time, time_buf, sizeof(time_buf));

	/* The device's name is the event's: it may be gone by now. */
	if (!put_u64(obj, "schema_version", TT_JSON_VERSION) &&
	    !put_string(obj, "time", time_buf) &&
	    !put_string(obj, "event", s) &&
	    !put_string(obj, "ifname", ev->name) &&
	    !put_nonzero(obj, "ifindex", ev->ifindex) &&
	    !put_device(obj, "dev", ev->dev_name, ev->dev_ifindex))
		ret = print_json(obj, false);
	json_object_put(obj);
	return ret;
}

/**
 * tt_print_event - print one event as one line
 * @ev: the event
 * @json: one JSON object instead of text
 *
 * The line is flushed at once: whoever reads a pipe from "taptool monitor"
 * must see each event when it happens, not when a buffer fills.
 *
 * Return: 0 on success, -ENOMEM, or -EIO when stdout took no more.
 */
int tt_print_event(const struct tt_event *ev, bool json)
{
	int ret = 0;

	if (json)
		ret = print_json_event(ev);
	else
		print_text_event(ev);
	if (fflush(stdout) == EOF || ferror(stdout))
		return -EIO;
	return ret;
}

/* One JSON document on a line of its own, indented with -p. */
static int print_json(struct json_object *obj, bool pretty)
{
	const char *s;

	s = json_object_to_json_string_ext(obj, pretty ?
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE : JSON_PLAIN);
	if (!s)
		return -ENOMEM;
	puts(s);
	return 0;
}

/**
 * tt_print_result - the JSON result of add, set, del or reset-stats (-j)
 * @command: "add", "set", "del" or "reset-stats"
 * @name: the instance's name as given
 * @reply: what the replies said: warnings, the ifindex
 * @pretty: indent
 *
 * Return: 0 on success, -ENOMEM.
 */
int tt_print_result(const char *command, const char *name,
		    const struct tt_reply *reply, bool pretty)
{
	struct json_object *obj = json_object_new_object();
	int ret = -ENOMEM;

	if (!obj)
		return -ENOMEM;
	if (!put_u64(obj, "schema_version", TT_JSON_VERSION) &&
	    !put_string(obj, "command", command) &&
	    !put_string(obj, "ifname", name) &&
	    !put_nonzero(obj, "ifindex", reply->ifindex) &&
	    !put(obj, "warnings",
		 string_list_json((const char *const *)reply->warnings,
				  reply->n_warnings)))
		ret = print_json(obj, pretty);
	json_object_put(obj);
	return ret;
}

/**
 * tt_print_version - the JSON of -j -V
 * @taptool: taptool's version
 * @module_loaded: tapbridge.ko is loaded
 * @module: its version, NULL if it has none
 * @family: the family's version as registered, -1 if not registered
 * @family_spoken: the family version taptool was built for
 * @pretty: indent
 *
 * Return: 0 on success, -ENOMEM.
 */
int tt_print_version(const char *taptool, bool module_loaded,
		     const char *module, int family, int family_spoken,
		     bool pretty)
{
	struct json_object *obj = json_object_new_object();
	int ret = -ENOMEM;

	if (!obj)
		return -ENOMEM;
	if (!put_u64(obj, "schema_version", TT_JSON_VERSION) &&
	    !put_string(obj, "taptool", taptool) &&
	    !put_bool(obj, "module_loaded", module_loaded) &&
	    !put_string(obj, "module_version", module) &&
	    !(family >= 0 ? put_u64(obj, "family_version", family) :
			    put_null(obj, "family_version")) &&
	    !put_u64(obj, "family_version_spoken", family_spoken))
		ret = print_json(obj, pretty);
	json_object_put(obj);
	return ret;
}

/**
 * tt_sample_take - keep the counters of an instance, for tt_print_rates()
 * @s: filled in
 * @inst: the instance as parsed
 */
void tt_sample_take(struct tt_sample *s, const struct tt_instance *inst)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", inst->name);
	s->ifindex = inst->ifindex;
	s->a_to_b = inst->a_to_b;
	s->b_to_a = inst->b_to_a;
	for (i = 0; i < inst->n_mirrors && i < TAPBRIDGE_MIRROR_MAX; i++) {
		s->mirror_ifindex[i] = inst->mirrors[i].ifindex;
		memcpy(s->mirror[i], inst->mirrors[i].counter,
		       sizeof(s->mirror[i]));
	}
	s->n_mirrors = i;
	s->stats_resets = inst->stats_resets;
}

/*
 * Per second over @seconds; a counter that went back (a reset between the
 * samples, which tt_print_rates() takes care of, or a bug) is 0.
 */
static double rate(uint64_t before, uint64_t after, double seconds)
{
	return after >= before ? (double)(after - before) / seconds : 0;
}

/*
 * A rate for text: as is, to two decimals with the zeros trimmed ("4",
 * "2.5"), or with -h in K, M, G, T (powers of 1000, as ip -h prints
 * rates): "1.5K".
 */
static const char *rate_text(double r, bool human, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int unit = -1;
	char *end;

	if (human) {
		while (r >= 1000 && unit < 3) {
			r /= 1000;
			unit++;
		}
	}
	if (unit >= 0) {
		snprintf(buf, len, "%.1f%c", r, units[unit]);
		return buf;
	}
	snprintf(buf, len, "%.2f", r);
	end = buf + strlen(buf) - 1;
	while (*end == '0')
		*end-- = '\0';
	if (*end == '.')
		*end = '\0';
	return buf;
}

/*
 * The entry of @before that is @after's entry @i: the one in the same
 * place if it is the same device, else the same device elsewhere (the
 * list changed); a detached entry only in its place.
 */
static const uint64_t *mirror_before(const struct tt_sample *before,
				     const struct tt_sample *after, size_t i)
{
	size_t j;

	if (i < before->n_mirrors &&
	    before->mirror_ifindex[i] == after->mirror_ifindex[i])
		return before->mirror[i];
	for (j = 0; j < before->n_mirrors; j++)
		if (before->mirror_ifindex[j] == after->mirror_ifindex[i] &&
		    (after->mirror_ifindex[i] || i == j))
			return before->mirror[j];
	return NULL;
}

static void print_text_direction_rates(const char *label, const uint64_t *b,
				       const uint64_t *a, double seconds,
				       bool human)
{
	char r[9][32];
	int i;

	for (i = 0; i < 9; i++)
		rate_text(rate(b[stats_fields[i].attr], a[stats_fields[i].attr],
			       seconds), human, r[i], sizeof(r[i]));
	/* stats_fields: rx, fwd (packets, bytes), drops, oversize, mirror. */
	printf("  %s: rx %s pkt/s %s B/s  fwd %s pkt/s %s B/s  fwd-drops %s/s oversize %s/s  mirror %s pkt/s %s B/s  mirror-drops %s/s\n",
	       label, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]);
}

/* The rates of @fields, added to @obj (a new object if NULL). */
static struct json_object *rates_json(struct json_object *obj,
				      const struct counter_field *fields,
				      size_t n, const uint64_t *b,
				      const uint64_t *a, double seconds)
{
	bool own = !obj;
	size_t i;

	if (own)
		obj = json_object_new_object();
	for (i = 0; obj && i < n; i++) {
		if (put(obj, fields[i].json_key,
			json_object_new_double(rate(b[fields[i].attr],
						    a[fields[i].attr],
						    seconds)))) {
			if (own)
				json_object_put(obj);
			return NULL;
		}
	}
	return obj;
}

static int print_json_rates(const struct tt_sample *before,
			    const struct tt_sample *after, double seconds,
			    const struct timespec *time)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *mirrors = json_object_new_array();
	struct json_object *m;
	char time_buf[64], buf[IF_NAMESIZE];
	const uint64_t *mb;
	int ret = -ENOMEM;
	size_t i;

	if (!obj || !mirrors)
		goto out_put;
	for (i = 0; i < after->n_mirrors; i++) {
		mb = mirror_before(before, after, i);
		if (!mb)
			continue;
		m = json_object_new_object();
		if (!m || put_string(m, "ifname",
				     json_link_name(after->mirror_ifindex[i], buf)) ||
		    put_nonzero(m, "ifindex", after->mirror_ifindex[i]) ||
		    !rates_json(m, mirror_stats_fields,
				ARRAY_SIZE(mirror_stats_fields), mb,
				after->mirror[i], seconds) ||
		    json_object_array_add(mirrors, m)) {
			json_object_put(m);
			goto out_put;
		}
	}
	format_time(time, time_buf, sizeof(time_buf));
	if (!put_u64(obj, "schema_version", TT_JSON_VERSION) &&
	    !put_string(obj, "time", time_buf) &&
	    !put(obj, "interval_s", json_object_new_double(seconds)) &&
	    !put_string(obj, "ifname", after->name) &&
	    !put_nonzero(obj, "ifindex", after->ifindex) &&
	    !put(obj, "a_to_b", rates_json(NULL, stats_fields,
					   ARRAY_SIZE(stats_fields),
					   before->a_to_b.counter,
					   after->a_to_b.counter, seconds)) &&
	    !put(obj, "b_to_a", rates_json(NULL, stats_fields,
					   ARRAY_SIZE(stats_fields),
					   before->b_to_a.counter,
					   after->b_to_a.counter, seconds)) &&
	    !put(obj, "mirrors", mirrors)) {
		mirrors = NULL;
		ret = print_json(obj, false);
	}
out_put:
	json_object_put(mirrors);
	json_object_put(obj);
	return ret;
}

/**
 * tt_print_rates - the rates of one instance between two samples
 * @before: the earlier sample
 * @after: the later one, of the same instance
 * @seconds: time between them
 * @time: when @after was taken (CLOCK_REALTIME)
 * @json: one JSON object on one line instead of text
 * @human: text in K, M, G
 *
 * Return: 0 on success, -ENOMEM, or -EIO when stdout took no more.
 */
int tt_print_rates(const struct tt_sample *before,
		   const struct tt_sample *after, double seconds,
		   const struct timespec *time, bool json, bool human)
{
	char time_buf[64], buf[IF_NAMESIZE], r[6][32];
	const uint64_t *mb, *ma;
	struct tt_sample zero;
	size_t i;
	int j, ret = 0;

	/* Counters reset in between start from 0: rate from there. */
	if (before->stats_resets != after->stats_resets) {
		zero = *before;
		memset(&zero.a_to_b, 0, sizeof(zero.a_to_b));
		memset(&zero.b_to_a, 0, sizeof(zero.b_to_a));
		memset(zero.mirror, 0, sizeof(zero.mirror));
		before = &zero;
	}
	if (json) {
		ret = print_json_rates(before, after, seconds, time);
		goto flush;
	}
	format_time(time, time_buf, sizeof(time_buf));
	printf("[%s] %s: rates over %s s\n", time_buf,
	       text_or_dash(after->name), rate_text(seconds, false, buf,
						    sizeof(buf)));
	print_text_direction_rates("a->b", before->a_to_b.counter,
				   after->a_to_b.counter, seconds, human);
	print_text_direction_rates("b->a", before->b_to_a.counter,
				   after->b_to_a.counter, seconds, human);
	for (i = 0; i < after->n_mirrors; i++) {
		mb = mirror_before(before, after, i);
		ma = after->mirror[i];
		if (!mb)
			continue;
		for (j = 0; j < 6; j++)
			rate_text(rate(mb[mirror_stats_fields[j].attr],
				       ma[mirror_stats_fields[j].attr], seconds),
				  human, r[j], sizeof(r[j]));
		printf("  mirror %s: tx %s pkt/s %s B/s  tx-drops %s/s  sliced %s/s  oversize %s/s  rx-drops %s/s\n",
		       text_or_dash(link_name(after->mirror_ifindex[i], buf)),
		       r[0], r[1], r[2], r[3], r[4], r[5]);
	}
flush:
	if (fflush(stdout) == EOF || ferror(stdout))
		return -EIO;
	return ret;
}
