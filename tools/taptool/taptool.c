// SPDX-License-Identifier: GPL-2.0
/*
 * taptool - create, change, delete, show and watch tapbridge instances.
 *
 * Work is split with the kernel on purpose. taptool checks the grammar of
 * the command line: known keywords, a value after each, a value of the
 * right form (a word of the keyword's list, an unsigned integer that fits
 * the attribute), mirror keywords that belong to the mode given. It turns
 * interface names into indexes, since only the caller's netns knows them.
 * Everything else (a port or mirror left out, a device that cannot serve,
 * a name in use, a number out of range) is the kernel's to refuse, with an
 * extack message that taptool prints as is. So each rule lives in one
 * place, every client gets the same answer, and the selftests reach each
 * kernel refusal through taptool.
 *
 * Exit codes: 0 success; 1 the request failed (the kernel refused it, an
 * interface does not exist, the module is not loaded); 2 the command line
 * does not follow the grammar.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/tapbridge.h>

#include "nl.h"
#include "output.h"
#include "parse.h"

#ifndef TT_VERSION
#define TT_VERSION	"0.1"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Where the usage text wraps a keyword list. */
#define USAGE_WIDTH	80

enum {
	TT_EXIT_OK = 0,
	TT_EXIT_FAILURE = 1,
	TT_EXIT_USAGE = 2,
};

struct options {
	bool json;
	bool pretty;
};

/* One word a keyword takes, and what is sent for it. */
struct choice {
	const char *word;
	uint32_t value;
};

/**
 * struct value_type - what a keyword takes
 * @choices: the words it takes, ending with an empty entry; NULL for a
 *	number or an interface name
 * @metavar: how the usage text names a number or an interface name
 * @noun: what an unknown word is called in the error message, which then
 *	reads 'unknown NOUN "WORD" (A or B)'; NULL for '"KEYWORD" takes A or
 *	B, not "WORD"'
 * @is_link: an interface name, sent as its index
 */
struct value_type {
	const struct choice *choices;
	const char *metavar;
	const char *noun;
	bool is_link;
};

static const struct choice mode_choices[] = {
	{ "aggregate",	TAPBRIDGE_MODE_AGGREGATE },
	{ "split",	TAPBRIDGE_MODE_SPLIT },
	{ }
};

static const struct choice direction_choices[] = {
	{ "a-b",	TAPBRIDGE_DIRECTION_A_B },
	{ "b-a",	TAPBRIDGE_DIRECTION_B_A },
	{ "both",	TAPBRIDGE_DIRECTION_BOTH },
	{ }
};

static const struct choice tpid_choices[] = {
	{ "802.1q",	TAPBRIDGE_TPID_8021Q },
	{ "802.1ad",	TAPBRIDGE_TPID_8021AD },
	{ }
};

static const struct choice on_off_choices[] = {
	{ "on",		1 },
	{ "off",	0 },
	{ }
};

static const struct value_type link_value = { .metavar = "IF", .is_link = true };
static const struct value_type mode_value = {
	.choices = mode_choices, .noun = "mode"
};
static const struct value_type direction_value = {
	.choices = direction_choices, .noun = "direction"
};
static const struct value_type tpid_value = {
	.choices = tpid_choices, .noun = "tpid"
};
static const struct value_type on_off_value = { .choices = on_off_choices };
static const struct value_type ms_value = { .metavar = "MS" };
static const struct value_type bytes_value = { .metavar = "N" };
static const struct value_type vid_value = { .metavar = "VID" };

/*
 * Keywords of add and set (instance attributes) and of "set NAME mirror
 * add" (attributes of the one mirrors nest), each the name of one request
 * attribute. The order is the order of the usage text.
 */
enum keyword {
	KW_PORT_A,
	KW_PORT_B,
	KW_MODE,
	KW_MIRROR,
	KW_MIRROR_AB,
	KW_MIRROR_BA,
	KW_LINK_PROPAGATION,
	KW_HOLD_DOWN,
	KW_RX_ALL,
	/* the IF of "mirror add|del IF": typed without a keyword */
	KW_MIRROR_DEVICE,
	KW_DIR,
	KW_SNAPLEN,
	KW_TAG_AB,
	KW_TAG_BA,
	KW_TPID,
	KW_RX_PASS,
	KW_COUNT
};

#define KW_BIT(kw)		(1u << (kw))
#define PRESET_KEYWORDS		(KW_BIT(KW_MODE) | KW_BIT(KW_MIRROR) | \
				 KW_BIT(KW_MIRROR_AB) | KW_BIT(KW_MIRROR_BA))
#define INSTANCE_OPTIONS	(KW_BIT(KW_LINK_PROPAGATION) | \
				 KW_BIT(KW_HOLD_DOWN) | KW_BIT(KW_RX_ALL))
#define ADD_KEYWORDS		(KW_BIT(KW_PORT_A) | KW_BIT(KW_PORT_B) | \
				 PRESET_KEYWORDS | INSTANCE_OPTIONS)
#define SET_KEYWORDS		(PRESET_KEYWORDS | INSTANCE_OPTIONS)
#define MIRROR_OPTIONS		(KW_BIT(KW_DIR) | KW_BIT(KW_SNAPLEN) | \
				 KW_BIT(KW_TAG_AB) | KW_BIT(KW_TAG_BA) | \
				 KW_BIT(KW_TPID) | KW_BIT(KW_RX_PASS))
#define MIRROR_KEYWORDS		(KW_BIT(KW_MIRROR_DEVICE) | MIRROR_OPTIONS)

/**
 * struct keyword_info - one keyword
 * @word: how it is typed
 * @attr: the attribute it fills, of the instance set or the mirror set
 * @size: bytes of that attribute, 1, 2 or 4: a number must fit
 * @type: what it takes
 */
static const struct keyword_info {
	const char *word;
	uint16_t attr;
	uint8_t size;
	const struct value_type *type;
} keywords[KW_COUNT] = {
	[KW_PORT_A]	= { "port-a",	 TAPBRIDGE_A_INSTANCE_PORT_A,	 4, &link_value },
	[KW_PORT_B]	= { "port-b",	 TAPBRIDGE_A_INSTANCE_PORT_B,	 4, &link_value },
	[KW_MODE]	= { "mode",	 TAPBRIDGE_A_INSTANCE_MODE,	 4, &mode_value },
	[KW_MIRROR]	= { "mirror",	 TAPBRIDGE_A_INSTANCE_MIRROR,	 4, &link_value },
	[KW_MIRROR_AB]	= { "mirror-ab", TAPBRIDGE_A_INSTANCE_MIRROR_AB, 4, &link_value },
	[KW_MIRROR_BA]	= { "mirror-ba", TAPBRIDGE_A_INSTANCE_MIRROR_BA, 4, &link_value },
	[KW_LINK_PROPAGATION] = {
		"link-propagation", TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION, 1,
		&on_off_value },
	[KW_HOLD_DOWN]	= { "hold-down", TAPBRIDGE_A_INSTANCE_HOLD_DOWN, 4, &ms_value },
	[KW_RX_ALL]	= { "rx-all",	 TAPBRIDGE_A_INSTANCE_RX_ALL,	 1, &on_off_value },
	[KW_MIRROR_DEVICE] = { "mirror", TAPBRIDGE_A_MIRROR_IFINDEX,	 4, &link_value },
	[KW_DIR]	= { "dir",	 TAPBRIDGE_A_MIRROR_DIRECTION,	 4, &direction_value },
	[KW_SNAPLEN]	= { "snaplen",	 TAPBRIDGE_A_MIRROR_SNAPLEN,	 4, &bytes_value },
	[KW_TAG_AB]	= { "tag-ab",	 TAPBRIDGE_A_MIRROR_TAG_VID_AB,	 2, &vid_value },
	[KW_TAG_BA]	= { "tag-ba",	 TAPBRIDGE_A_MIRROR_TAG_VID_BA,	 2, &vid_value },
	[KW_TPID]	= { "tpid",	 TAPBRIDGE_A_MIRROR_TAG_TPID,	 4, &tpid_value },
	[KW_RX_PASS]	= { "rx-pass",	 TAPBRIDGE_A_MIRROR_RX_PASS,	 1, &on_off_value },
};

/* Keyword lists the synopsis lines name; the usage text spells them out. */
enum keyword_list {
	LIST_INSTANCE_OPTIONS,
	LIST_MIRROR_OPTIONS,
	LIST_COUNT
};

static const struct {
	const char *name;
	unsigned int keywords;
} keyword_lists[LIST_COUNT] = {
	[LIST_INSTANCE_OPTIONS]	= { "INSTANCE-OPTIONS",	INSTANCE_OPTIONS },
	[LIST_MIRROR_OPTIONS]	= { "MIRROR-OPTIONS",	MIRROR_OPTIONS },
};

/* Spelling of the instance attributes, for a kernel that names one missing. */
static const char *const instance_attr_names[TAPBRIDGE_A_INSTANCE_MAX + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX]			= "ifindex",
	[TAPBRIDGE_A_INSTANCE_NAME]			= "name",
	[TAPBRIDGE_A_INSTANCE_PORT_A]			= "port-a",
	[TAPBRIDGE_A_INSTANCE_PORT_B]			= "port-b",
	[TAPBRIDGE_A_INSTANCE_MODE]			= "mode",
	[TAPBRIDGE_A_INSTANCE_MIRROR]			= "mirror",
	[TAPBRIDGE_A_INSTANCE_MIRROR_AB]		= "mirror-ab",
	[TAPBRIDGE_A_INSTANCE_MIRROR_BA]		= "mirror-ba",
	[TAPBRIDGE_A_INSTANCE_STATS_AB]			= "stats-ab",
	[TAPBRIDGE_A_INSTANCE_STATS_BA]			= "stats-ba",
	[TAPBRIDGE_A_INSTANCE_MIRRORS]			= "mirrors",
	[TAPBRIDGE_A_INSTANCE_LINK_PROPAGATION]		= "link-propagation",
	[TAPBRIDGE_A_INSTANCE_HOLD_DOWN]		= "hold-down",
	[TAPBRIDGE_A_INSTANCE_RX_ALL]			= "rx-all",
	[TAPBRIDGE_A_INSTANCE_WARNING]			= "warning",
	[TAPBRIDGE_A_INSTANCE_PROPAGATION_ACTIONS]	= "propagation-actions",
};

/**
 * struct request - the request of an add, set or mirror command
 * @name: instance name, sent as is for the kernel to resolve
 * @word: the value typed after each keyword, NULL when left out
 * @value: what is sent for each keyword given: an ifindex, the value of a
 *	word, or the number typed
 */
struct request {
	const char *name;
	const char *word[KW_COUNT];
	uint32_t value[KW_COUNT];
};

/**
 * struct command - one subcommand: how it is written and what runs it
 * @name: the word after the options
 * @synopsis: its argument lines, NULL-terminated; the usage text is built
 *	from these, so it cannot drift from what is dispatched
 * @lists: bits of enum keyword_list: the keyword lists @synopsis names
 * @run: handler, given the words after @name; returns an exit code
 */
struct command {
	const char *name;
	const char *synopsis[6];
	unsigned int lists;
	int (*run)(const struct options *opts, int argc, char **argv);
};

static const struct command *find_command(const char *name);
static void print_usage(FILE *out);
static void print_command_usage(FILE *out, const struct command *cmd);

/* A command line off the grammar: say what is wrong and where to look. */
static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tt_error("%s", msg);
	fputs("Try \"taptool help\".\n", stderr);
	return TT_EXIT_USAGE;
}

/*
 * Only the length is checked: it is the one rule the attribute policy
 * would otherwise enforce with a message naming no keyword. Whether the
 * name is an instance is the kernel's to say.
 */
static int check_instance_name(const char *name)
{
	size_t len = strlen(name);

	if (!len || len > TAPBRIDGE_IFNAME_MAX_LEN)
		return usage_error("\"%s\" is not a valid instance name (1 to %d characters)",
				   name, TAPBRIDGE_IFNAME_MAX_LEN);
	return TT_EXIT_OK;
}

/*
 * The words of a choice list: "a, b or c" in messages (@sep NULL), or
 * joined by @sep in the usage text ("a|b|c").
 */
static void join_choices(const struct choice *c, const char *sep, char *buf,
			 size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; c->word && used < len; c++) {
		const char *before = "";

		if (used)
			before = sep ? sep : c[1].word ? ", " : " or ";
		used += snprintf(buf + used, len - used, "%s%s", before,
				 c->word);
	}
}

/*
 * Unsigned decimal only: strtoul() alone would take "-1", " 1" and "0x10".
 * A number the attribute cannot hold is refused here, since it could not
 * be sent as typed; any range narrower than that is the kernel's.
 */
static int parse_number(enum keyword kw, const char *word, uint32_t *value)
{
	unsigned long long max = (1ULL << (8 * keywords[kw].size)) - 1;
	unsigned long long n;
	char *end;

	if (*word < '0' || *word > '9')
		goto err_not_a_number;
	errno = 0;
	n = strtoull(word, &end, 10);
	if (*end)
		goto err_not_a_number;
	if (errno == ERANGE || n > max)
		return usage_error("\"%s\" takes an unsigned integer up to %llu, not \"%s\"",
				   keywords[kw].word, max, word);
	*value = n;
	return TT_EXIT_OK;

err_not_a_number:
	return usage_error("\"%s\" takes an unsigned integer, not \"%s\"",
			   keywords[kw].word, word);
}

static int parse_choice(enum keyword kw, const char *word, uint32_t *value)
{
	const struct value_type *type = keywords[kw].type;
	const struct choice *c;
	char list[128];

	for (c = type->choices; c->word; c++) {
		if (!strcmp(word, c->word)) {
			*value = c->value;
			return TT_EXIT_OK;
		}
	}
	join_choices(type->choices, NULL, list, sizeof(list));
	if (type->noun)
		return usage_error("unknown %s \"%s\" (%s)", type->noun, word,
				   list);
	return usage_error("\"%s\" takes %s, not \"%s\"", keywords[kw].word,
			   list, word);
}

/* Interface names are resolved later, once the whole line is known good. */
static int parse_value(enum keyword kw, const char *word, uint32_t *value)
{
	const struct value_type *type = keywords[kw].type;

	if (type->is_link)
		return TT_EXIT_OK;
	if (type->choices)
		return parse_choice(kw, word, value);
	return parse_number(kw, word, value);
}

static int find_keyword(const char *word, unsigned int allowed)
{
	int kw;

	for (kw = 0; kw < KW_COUNT; kw++)
		if ((allowed & KW_BIT(kw)) && !strcmp(word, keywords[kw].word))
			return kw;
	return -1;
}

/*
 * Keyword/value pairs in any order, each keyword once. A keyword left out
 * is not an error here; the kernel names what it needs. The shape of the
 * line is checked first, then each value in the order typed.
 */
static int parse_keywords(const char *cmd, unsigned int allowed, int argc,
			  char **argv, struct request *req)
{
	int i, kw, ret;

	for (i = 0; i < argc; i += 2) {
		kw = find_keyword(argv[i], allowed);
		if (kw < 0)
			return usage_error("unknown keyword \"%s\" for \"%s\"",
					   argv[i], cmd);
		if (req->word[kw])
			return usage_error("\"%s\" is given twice",
					   keywords[kw].word);
		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value",
					   keywords[kw].word);
		req->word[kw] = argv[i + 1];
	}

	for (i = 0; i < argc; i += 2) {
		kw = find_keyword(argv[i], allowed);
		ret = parse_value(kw, argv[i + 1], &req->value[kw]);
		if (ret)
			return ret;
	}
	return TT_EXIT_OK;
}

/*
 * The grammar of add and set: NAME, then keyword/value pairs. A mirror
 * keyword that does not belong to the mode given is an error: the grammar
 * ties "mirror" to aggregate and "mirror-ab"/"mirror-ba" to split.
 */
static int parse_config(const char *cmd, unsigned int allowed, int argc,
			char **argv, struct request *req)
{
	int ret;

	ret = parse_keywords(cmd, allowed, argc, argv, req);
	if (ret || !req->word[KW_MODE])
		return ret;
	if (req->value[KW_MODE] == TAPBRIDGE_MODE_AGGREGATE &&
	    (req->word[KW_MIRROR_AB] || req->word[KW_MIRROR_BA]))
		return usage_error("mode aggregate takes \"mirror\", not \"%s\"",
				   req->word[KW_MIRROR_AB] ? "mirror-ab" :
							     "mirror-ba");
	if (req->value[KW_MODE] == TAPBRIDGE_MODE_SPLIT && req->word[KW_MIRROR])
		return usage_error("mode split takes \"mirror-ab\" and \"mirror-ba\", not \"mirror\"");
	return TT_EXIT_OK;
}

/* Interface names mean something only in our netns: resolve them here. */
static int resolve_links(struct request *req)
{
	int kw;

	for (kw = 0; kw < KW_COUNT; kw++) {
		if (!keywords[kw].type->is_link || !req->word[kw])
			continue;
		req->value[kw] = if_nametoindex(req->word[kw]);
		if (req->value[kw])
			continue;
		if (errno == ENODEV)
			tt_error("interface \"%s\" does not exist", req->word[kw]);
		else
			tt_error("interface \"%s\": %s", req->word[kw],
				 strerror(errno));
		return TT_EXIT_FAILURE;
	}
	return TT_EXIT_OK;
}

/*
 * Say how a request ended. On success, what the kernel warned about: the
 * reply's warnings (@warnings, may be NULL) and the extack message. On
 * failure the kernel's extack message wins; without one, a missing
 * attribute is named, and a bare EPERM (genl's admin-perm check gives no
 * message) says which capability is missing.
 */
static int report(const struct tt_nl *nl, int ret,
		  const struct tt_warnings *warnings)
{
	const struct tt_nl_error *err = &nl->err;

	if (!ret) {
		tt_print_warnings(warnings ? (const char *const *)warnings->text :
					     NULL,
				  warnings ? warnings->n : 0, err->msg);
		return TT_EXIT_OK;
	}

	if (err->code && err->msg[0])
		tt_error("%s", err->msg);
	else if (err->code && err->has_miss_type && !err->miss_in_nest &&
		 err->miss_type < ARRAY_SIZE(instance_attr_names) &&
		 instance_attr_names[err->miss_type])
		tt_error("missing attribute \"%s\"",
			 instance_attr_names[err->miss_type]);
	else if (ret == -EPERM)
		tt_error("Operation not permitted (CAP_NET_ADMIN needed)");
	else
		tt_error("%s", strerror(-ret));
	return TT_EXIT_FAILURE;
}

static int open_family(struct tt_nl *nl)
{
	int ret;

	ret = tt_nl_open(nl, TAPBRIDGE_FAMILY_NAME, TAPBRIDGE_FAMILY_VERSION);
	if (ret == -ENOENT) {
		tt_error("the tapbridge kernel module is not loaded (modprobe tapbridge)");
		return TT_EXIT_FAILURE;
	}
	return report(nl, ret, NULL);
}

/* Each keyword of @mask that was given, as the attribute it names. */
static void put_keywords(struct nlmsghdr *nlh, const struct request *req,
			 unsigned int mask)
{
	int kw;

	for (kw = 0; kw < KW_COUNT; kw++) {
		if (!(mask & KW_BIT(kw)) || !req->word[kw])
			continue;
		switch (keywords[kw].size) {
		case 1:
			mnl_attr_put_u8(nlh, keywords[kw].attr, req->value[kw]);
			break;
		case 2:
			mnl_attr_put_u16(nlh, keywords[kw].attr, req->value[kw]);
			break;
		default:
			mnl_attr_put_u32(nlh, keywords[kw].attr, req->value[kw]);
			break;
		}
	}
}

static int warnings_cb(const struct nlmsghdr *nlh, void *data)
{
	int ret = tt_collect_warnings(nlh, data);

	if (ret) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/*
 * Send a request that changes something: the name, then the keywords of
 * @mask, at the top level or in one mirrors nest (@nest). Its reply may
 * carry warnings.
 */
static int send_request(uint8_t cmd, const struct request *req,
			unsigned int mask, bool nest)
{
	struct tt_warnings warnings = {};
	struct nlattr *mirror;
	struct nlmsghdr *nlh;
	struct tt_nl nl;
	int ret;

	ret = open_family(&nl);
	if (ret)
		return ret;

	nlh = tt_nl_request(&nl, cmd, 0);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_NAME, req->name);
	if (nest) {
		mirror = mnl_attr_nest_start(nlh, TAPBRIDGE_A_INSTANCE_MIRRORS);
		put_keywords(nlh, req, mask);
		mnl_attr_nest_end(nlh, mirror);
	} else {
		put_keywords(nlh, req, mask);
	}

	ret = tt_nl_transact(&nl, nlh, warnings_cb, &warnings);
	ret = report(&nl, ret, &warnings);
	tt_warnings_release(&warnings);
	tt_nl_close(&nl);
	return ret;
}

/* NAME, the first word of add and set. */
static int parse_name(const char *cmd, int argc, char **argv,
		      struct request *req)
{
	memset(req, 0, sizeof(*req));
	if (argc < 1)
		return usage_error("\"%s\" needs an instance name", cmd);
	req->name = argv[0];
	return check_instance_name(req->name);
}

static int cmd_add(const struct options *opts, int argc, char **argv)
{
	struct request req;
	int ret;

	(void)opts;
	ret = parse_name("add", argc, argv, &req) ?:
	      parse_config("add", ADD_KEYWORDS, argc - 1, argv + 1, &req) ?:
	      resolve_links(&req);
	if (ret)
		return ret;
	return send_request(TAPBRIDGE_CMD_CREATE, &req, ADD_KEYWORDS, false);
}

/* set NAME mirror add IF [MIRROR-OPTIONS] */
static int run_mirror_add(struct request *req, int argc, char **argv)
{
	int ret;

	if (argc < 1)
		return usage_error("\"mirror add\" needs an interface");
	req->word[KW_MIRROR_DEVICE] = argv[0];
	ret = parse_keywords("mirror add", MIRROR_OPTIONS, argc - 1, argv + 1,
			     req) ?:
	      resolve_links(req);
	if (ret)
		return ret;
	return send_request(TAPBRIDGE_CMD_MIRROR_ADD, req, MIRROR_KEYWORDS,
			    true);
}

/* set NAME mirror del IF */
static int run_mirror_del(struct request *req, int argc, char **argv)
{
	int ret;

	if (argc < 1)
		return usage_error("\"mirror del\" needs an interface");
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	req->word[KW_MIRROR_DEVICE] = argv[0];
	ret = resolve_links(req);
	if (ret)
		return ret;
	return send_request(TAPBRIDGE_CMD_MIRROR_DEL, req,
			    KW_BIT(KW_MIRROR_DEVICE), true);
}

/*
 * "set NAME mirror add|del" edits the mirror list; any other "set NAME
 * mirror IF" is the aggregate preset's keyword, as it always was. So an
 * interface named "add" or "del" can be the preset mirror only with
 * "mode aggregate" first.
 */
static int cmd_set(const struct options *opts, int argc, char **argv)
{
	struct request req;
	int ret;

	(void)opts;
	ret = parse_name("set", argc, argv, &req);
	if (ret)
		return ret;
	if (argc >= 3 && !strcmp(argv[1], "mirror")) {
		if (!strcmp(argv[2], "add"))
			return run_mirror_add(&req, argc - 3, argv + 3);
		if (!strcmp(argv[2], "del"))
			return run_mirror_del(&req, argc - 3, argv + 3);
	}

	if (argc < 2)
		return usage_error("\"set\" needs a mode or an option to change");
	ret = parse_config("set", SET_KEYWORDS, argc - 1, argv + 1, &req) ?:
	      resolve_links(&req);
	if (ret)
		return ret;
	return send_request(TAPBRIDGE_CMD_SET, &req, SET_KEYWORDS, false);
}

static int cmd_del(const struct options *opts, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct tt_nl nl;
	int ret;

	(void)opts;
	if (argc < 1)
		return usage_error("\"del\" needs an instance name");
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	ret = check_instance_name(argv[0]);
	if (ret)
		return ret;

	ret = open_family(&nl);
	if (ret)
		return ret;
	nlh = tt_nl_request(&nl, TAPBRIDGE_CMD_DELETE, 0);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_NAME, argv[0]);
	ret = report(&nl, tt_nl_transact(&nl, nlh, NULL, NULL), NULL);
	tt_nl_close(&nl);
	return ret;
}

/* One instance of a GET reply or dump, handed to the printer. */
static int instance_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tt_printer *printer = data;
	struct tt_instance inst;
	int ret;

	ret = tt_parse_instance(nlh, &inst);
	if (!ret)
		ret = tt_printer_add(printer, &inst);
	tt_instance_release(&inst);
	if (ret) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* show and stats: GET of one instance by name, or a dump of the netns. */
static int run_get(const struct options *opts, enum tt_view view, int argc,
		   char **argv)
{
	struct tt_printer printer;
	struct nlmsghdr *nlh;
	struct tt_nl nl;
	int ret;

	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	if (argc == 1) {
		ret = check_instance_name(argv[0]);
		if (ret)
			return ret;
	}

	ret = open_family(&nl);
	if (ret)
		return ret;
	if (tt_printer_init(&printer, view, opts->json, opts->pretty)) {
		tt_error("%s", strerror(ENOMEM));
		ret = TT_EXIT_FAILURE;
		goto release_printer;
	}

	nlh = tt_nl_request(&nl, TAPBRIDGE_CMD_GET, argc ? 0 : NLM_F_DUMP);
	if (argc)
		mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_NAME, argv[0]);
	ret = tt_nl_transact(&nl, nlh, instance_cb, &printer);
	if (!ret)
		ret = tt_printer_flush(&printer);
	ret = report(&nl, ret, NULL);

release_printer:
	tt_printer_release(&printer);
	tt_nl_close(&nl);
	return ret;
}

static int cmd_show(const struct options *opts, int argc, char **argv)
{
	return run_get(opts, TT_VIEW_SHOW, argc, argv);
}

static int cmd_stats(const struct options *opts, int argc, char **argv)
{
	return run_get(opts, TT_VIEW_STATS, argc, argv);
}

/**
 * struct monitor - what the events callback needs
 * @json: one JSON object per event instead of text
 * @write_failed: stdout took no more; the monitor stops
 */
struct monitor {
	bool json;
	bool write_failed;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *mon = data;
	struct tt_event ev;
	int ret;

	ret = tt_parse_event(nlh, &ev);
	if (ret == -ENOENT)
		return MNL_CB_OK;
	if (!ret)
		ret = tt_print_event(&ev, mon->json);
	if (ret) {
		mon->write_failed = ret == -EIO;
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/*
 * monitor: one line per event until killed. -p is ignored: a JSON object
 * per line is what lets a reader take events one by one.
 */
static int cmd_monitor(const struct options *opts, int argc, char **argv)
{
	struct monitor mon = { .json = opts->json };
	struct tt_nl nl;
	int ret;

	if (argc > 0)
		return usage_error("unexpected argument \"%s\"", argv[0]);

	ret = open_family(&nl);
	if (ret)
		return ret;
	ret = tt_nl_subscribe(&nl, TAPBRIDGE_MCGRP_EVENTS);
	if (ret == -ENOENT) {
		tt_error("the tapbridge kernel module has no \"%s\" group",
			 TAPBRIDGE_MCGRP_EVENTS);
		ret = TT_EXIT_FAILURE;
		goto close_nl;
	}
	ret = report(&nl, ret, NULL);
	if (ret)
		goto close_nl;

	for (;;) {
		ret = tt_nl_receive(&nl, event_cb, &mon);
		if (ret == -ENOBUFS) {
			/* Say so, and go on with the events still to come. */
			tt_warning("events were lost: the receive queue overflowed");
			continue;
		}
		if (ret && ret != -EINTR)
			break;
	}
	/* A write error is left to finish_output(): stdout's flag says it. */
	ret = mon.write_failed ? TT_EXIT_FAILURE : report(&nl, ret, NULL);
close_nl:
	tt_nl_close(&nl);
	return ret;
}

static int cmd_help(const struct options *opts, int argc, char **argv)
{
	const struct command *cmd;

	(void)opts;
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	if (!argc) {
		print_usage(stdout);
		return TT_EXIT_OK;
	}
	cmd = find_command(argv[0]);
	if (!cmd)
		return usage_error("unknown command \"%s\"", argv[0]);
	print_command_usage(stdout, cmd);
	return TT_EXIT_OK;
}

#define LIST_BIT(list)	(1u << (list))

static const struct command commands[] = {
	{ "add", {
		"NAME port-a IF port-b IF mode aggregate mirror IF [INSTANCE-OPTIONS]",
		"NAME port-a IF port-b IF mode split mirror-ab IF mirror-ba IF [INSTANCE-OPTIONS]",
	  }, LIST_BIT(LIST_INSTANCE_OPTIONS), cmd_add },
	{ "set", {
		"NAME mode aggregate mirror IF [INSTANCE-OPTIONS]",
		"NAME mode split mirror-ab IF mirror-ba IF [INSTANCE-OPTIONS]",
		"NAME INSTANCE-OPTIONS",
		"NAME mirror add IF [MIRROR-OPTIONS]",
		"NAME mirror del IF",
	  }, LIST_BIT(LIST_INSTANCE_OPTIONS) | LIST_BIT(LIST_MIRROR_OPTIONS),
	  cmd_set },
	{ "del",	{ "NAME" },		0, cmd_del },
	{ "show",	{ "[NAME]" },		0, cmd_show },
	{ "stats",	{ "[NAME]" },		0, cmd_stats },
	{ "monitor",	{ "" },			0, cmd_monitor },
	{ "help",	{ "[COMMAND]" },	0, cmd_help },
};

enum option_id {
	OPT_JSON,
	OPT_PRETTY,
	OPT_VERSION,
	OPT_HELP,
};

static const struct {
	const char *short_name;
	const char *long_name;
	enum option_id id;
	const char *help;
} options_table[] = {
	{ "-j", "--json",	OPT_JSON,	"show, stats and monitor print JSON" },
	{ "-p", "--pretty",	OPT_PRETTY,	"indent the JSON of show and stats" },
	{ "-V", "--version",	OPT_VERSION,	"print the version and exit" },
	{ "-h", "--help",	OPT_HELP,	"print this help and exit" },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/*
 * "NAME := [kw VALUE] [kw VALUE] ...", from the keyword table, wrapped
 * before USAGE_WIDTH with the continuation under the first bracket.
 */
static void print_keyword_list(FILE *out, enum keyword_list list)
{
	int indent, col, kw;
	char item[160], value[128];

	indent = col = fprintf(out, "%s :=", keyword_lists[list].name) + 1;
	for (kw = 0; kw < KW_COUNT; kw++) {
		const struct value_type *type = keywords[kw].type;

		if (!(keyword_lists[list].keywords & KW_BIT(kw)))
			continue;
		if (type->choices)
			join_choices(type->choices, "|", value, sizeof(value));
		else
			snprintf(value, sizeof(value), "%s", type->metavar);
		snprintf(item, sizeof(item), "[%s %s]", keywords[kw].word,
			 value);
		if (col > indent && col + 1 + (int)strlen(item) >= USAGE_WIDTH)
			col = fprintf(out, "\n%*s", indent - 1, "") - 1;
		col += fprintf(out, " %s", item);
	}
	fputc('\n', out);
}

static void print_keyword_lists(FILE *out, unsigned int lists)
{
	int list;

	for (list = 0; list < LIST_COUNT; list++)
		if (lists & LIST_BIT(list))
			print_keyword_list(out, list);
}

static void print_synopsis(FILE *out, const struct command *cmd)
{
	const char *const *line;

	for (line = cmd->synopsis; *line; line++)
		fprintf(out, "  taptool %s%s%s\n", cmd->name, **line ? " " : "",
			*line);
}

/* "taptool help COMMAND" and "taptool COMMAND help". */
static void print_command_usage(FILE *out, const struct command *cmd)
{
	fputs("Usage:\n", out);
	print_synopsis(out, cmd);
	if (cmd->lists) {
		fputc('\n', out);
		print_keyword_lists(out, cmd->lists);
	}
}

static void print_usage(FILE *out)
{
	unsigned int lists = 0;
	size_t i;

	fputs("Usage: taptool [OPTIONS] COMMAND\n\nCommands:\n", out);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		print_synopsis(out, &commands[i]);
		lists |= commands[i].lists;
	}
	fputc('\n', out);
	print_keyword_lists(out, lists);
	fputs("\nIF is an interface name, MS a time in milliseconds, N a length in bytes,\n"
	      "VID a VLAN ID. \"taptool COMMAND help\" prints the lines of COMMAND.\n"
	      "\nOptions, before COMMAND:\n", out);
	for (i = 0; i < ARRAY_SIZE(options_table); i++)
		fprintf(out, "  %s, %-10s %s\n", options_table[i].short_name,
			options_table[i].long_name, options_table[i].help);
}

static int find_option(const char *arg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(options_table); i++)
		if (!strcmp(arg, options_table[i].short_name) ||
		    !strcmp(arg, options_table[i].long_name))
			return options_table[i].id;
	return -1;
}

/* A write error (full disk, closed pipe) must not look like success. */
static int finish_output(int ret)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		tt_error("cannot write to standard output");
		return TT_EXIT_FAILURE;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct options opts = {};
	const struct command *cmd;
	int ret;

	for (argc--, argv++; argc && argv[0][0] == '-'; argc--, argv++) {
		switch (find_option(argv[0])) {
		case OPT_JSON:
			opts.json = true;
			break;
		case OPT_PRETTY:
			opts.pretty = true;
			break;
		case OPT_VERSION:
			printf("taptool %s\n", TT_VERSION);
			return finish_output(TT_EXIT_OK);
		case OPT_HELP:
			print_usage(stdout);
			return finish_output(TT_EXIT_OK);
		default:
			return usage_error("unknown option \"%s\"", argv[0]);
		}
	}

	if (!argc) {
		print_usage(stderr);
		return TT_EXIT_USAGE;
	}
	cmd = find_command(argv[0]);
	if (!cmd)
		return usage_error("unknown command \"%s\"", argv[0]);
	argc--;
	argv++;

	/* iproute2's habit: "help" after any command prints its lines. */
	if (cmd->run != cmd_help && argc && !strcmp(argv[0], "help")) {
		print_command_usage(stdout, cmd);
		ret = TT_EXIT_OK;
	} else {
		ret = cmd->run(&opts, argc, argv);
	}
	return finish_output(ret);
}
