// SPDX-License-Identifier: GPL-2.0
/*
 * taptool - create, change, delete and show tapbridge instances.
 *
 * Work is split with the kernel on purpose. taptool checks the grammar of
 * the command line: known keywords, a value after each, a valid mode word,
 * mirror keywords that belong to the mode given. It turns interface names
 * into indexes, since only the caller's netns knows them. Everything else
 * (a port or mirror left out, a device that cannot serve, a name in use)
 * is the kernel's to refuse, with an extack message that taptool prints
 * as is. So each rule lives in one place, every client gets the same
 * answer, and the selftests reach each kernel refusal through taptool.
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
#include <string.h>

#include <linux/genetlink.h>
#include <linux/tapbridge.h>

#include "nl.h"
#include "output.h"

#ifndef TT_VERSION
#define TT_VERSION	"0.1"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum {
	TT_EXIT_OK = 0,
	TT_EXIT_FAILURE = 1,
	TT_EXIT_USAGE = 2,
};

struct options {
	bool json;
	bool pretty;
};

/**
 * struct command - one subcommand: how it is written and what runs it
 * @name: the word after the options
 * @synopsis: its argument lines, NULL-terminated; the usage text is built
 *	from these, so it cannot drift from what is dispatched
 * @run: handler, given the words after @name; returns an exit code
 */
struct command {
	const char *name;
	const char *synopsis[3];
	int (*run)(const struct options *opts, int argc, char **argv);
};

/* Keywords of add and set, each the name of one request attribute. */
enum keyword {
	KW_PORT_A,
	KW_PORT_B,
	KW_MODE,
	KW_MIRROR,
	KW_MIRROR_AB,
	KW_MIRROR_BA,
	KW_COUNT
};

#define KW_BIT(kw)	(1u << (kw))
#define ADD_KEYWORDS	(KW_BIT(KW_COUNT) - 1)
#define SET_KEYWORDS	(KW_BIT(KW_MODE) | KW_BIT(KW_MIRROR) | \
			 KW_BIT(KW_MIRROR_AB) | KW_BIT(KW_MIRROR_BA))

static const struct {
	const char *word;
	uint16_t attr;
	bool is_link;	/* the value is an interface name */
} keywords[KW_COUNT] = {
	[KW_PORT_A]	= { "port-a",	 TAPBRIDGE_A_INSTANCE_PORT_A,	 true },
	[KW_PORT_B]	= { "port-b",	 TAPBRIDGE_A_INSTANCE_PORT_B,	 true },
	[KW_MODE]	= { "mode",	 TAPBRIDGE_A_INSTANCE_MODE,	 false },
	[KW_MIRROR]	= { "mirror",	 TAPBRIDGE_A_INSTANCE_MIRROR,	 true },
	[KW_MIRROR_AB]	= { "mirror-ab", TAPBRIDGE_A_INSTANCE_MIRROR_AB, true },
	[KW_MIRROR_BA]	= { "mirror-ba", TAPBRIDGE_A_INSTANCE_MIRROR_BA, true },
};

/* Spelling of the instance attributes, for a kernel that names one missing. */
static const char *const instance_attr_names[TAPBRIDGE_A_INSTANCE_MAX + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX]		= "ifindex",
	[TAPBRIDGE_A_INSTANCE_NAME]		= "name",
	[TAPBRIDGE_A_INSTANCE_PORT_A]		= "port-a",
	[TAPBRIDGE_A_INSTANCE_PORT_B]		= "port-b",
	[TAPBRIDGE_A_INSTANCE_MODE]		= "mode",
	[TAPBRIDGE_A_INSTANCE_MIRROR]		= "mirror",
	[TAPBRIDGE_A_INSTANCE_MIRROR_AB]	= "mirror-ab",
	[TAPBRIDGE_A_INSTANCE_MIRROR_BA]	= "mirror-ba",
	[TAPBRIDGE_A_INSTANCE_STATS_AB]		= "stats-ab",
	[TAPBRIDGE_A_INSTANCE_STATS_BA]		= "stats-ba",
};

/**
 * struct config - the request of an add or set command
 * @name: instance name, sent as is for the kernel to resolve
 * @word: the value typed after each keyword, NULL when left out
 * @value: what is sent for each keyword given: an ifindex or the mode
 */
struct config {
	const char *name;
	const char *word[KW_COUNT];
	uint32_t value[KW_COUNT];
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

static int parse_mode(const char *word, uint32_t *mode)
{
	if (!strcmp(word, "aggregate"))
		*mode = TAPBRIDGE_MODE_AGGREGATE;
	else if (!strcmp(word, "split"))
		*mode = TAPBRIDGE_MODE_SPLIT;
	else
		return usage_error("unknown mode \"%s\" (aggregate or split)", word);
	return TT_EXIT_OK;
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
 * The grammar of add and set: NAME, then keyword/value pairs in any order.
 * A keyword left out is not an error here; the kernel names what it needs.
 * A mirror keyword that does not belong to the mode given is: the grammar
 * ties "mirror" to aggregate and "mirror-ab"/"mirror-ba" to split.
 */
static int parse_config(const char *cmd, unsigned int allowed, int argc,
			char **argv, struct config *cfg)
{
	int i, kw, ret;

	memset(cfg, 0, sizeof(*cfg));
	if (argc < 1)
		return usage_error("\"%s\" needs an instance name", cmd);
	cfg->name = argv[0];
	ret = check_instance_name(cfg->name);
	if (ret)
		return ret;

	for (i = 1; i < argc; i++) {
		kw = find_keyword(argv[i], allowed);
		if (kw < 0)
			return usage_error("unknown keyword \"%s\" for \"%s\"",
					   argv[i], cmd);
		if (cfg->word[kw])
			return usage_error("\"%s\" is given twice",
					   keywords[kw].word);
		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value",
					   keywords[kw].word);
		cfg->word[kw] = argv[++i];
	}

	if (!cfg->word[KW_MODE])
		return TT_EXIT_OK;
	ret = parse_mode(cfg->word[KW_MODE], &cfg->value[KW_MODE]);
	if (ret)
		return ret;
	if (cfg->value[KW_MODE] == TAPBRIDGE_MODE_AGGREGATE &&
	    (cfg->word[KW_MIRROR_AB] || cfg->word[KW_MIRROR_BA]))
		return usage_error("mode aggregate takes \"mirror\", not \"%s\"",
				   cfg->word[KW_MIRROR_AB] ? "mirror-ab" :
							     "mirror-ba");
	if (cfg->value[KW_MODE] == TAPBRIDGE_MODE_SPLIT && cfg->word[KW_MIRROR])
		return usage_error("mode split takes \"mirror-ab\" and \"mirror-ba\", not \"mirror\"");
	return TT_EXIT_OK;
}

/* Interface names mean something only in our netns: resolve them here. */
static int resolve_links(struct config *cfg)
{
	int kw;

	for (kw = 0; kw < KW_COUNT; kw++) {
		if (!keywords[kw].is_link || !cfg->word[kw])
			continue;
		cfg->value[kw] = if_nametoindex(cfg->word[kw]);
		if (cfg->value[kw])
			continue;
		if (errno == ENODEV)
			tt_error("interface \"%s\" does not exist", cfg->word[kw]);
		else
			tt_error("interface \"%s\": %s", cfg->word[kw],
				 strerror(errno));
		return TT_EXIT_FAILURE;
	}
	return TT_EXIT_OK;
}

/*
 * Say how a request ended. The kernel's extack message wins; without one,
 * a missing attribute is named, and a bare EPERM (genl's admin-perm check
 * gives no message) says which capability is missing.
 */
static int report(const struct tt_nl *nl, int ret)
{
	const struct tt_nl_error *err = &nl->err;

	if (!ret) {
		if (err->msg[0])
			tt_warning("%s", err->msg);
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
	return report(nl, ret);
}

/* add and set: one request carrying the name and every keyword given. */
static int send_config(uint8_t cmd, const struct config *cfg)
{
	struct nlmsghdr *nlh;
	struct tt_nl nl;
	int kw, ret;

	ret = open_family(&nl);
	if (ret)
		return ret;

	nlh = tt_nl_request(&nl, cmd, 0);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_NAME, cfg->name);
	for (kw = 0; kw < KW_COUNT; kw++)
		if (cfg->word[kw])
			mnl_attr_put_u32(nlh, keywords[kw].attr, cfg->value[kw]);

	ret = report(&nl, tt_nl_transact(&nl, nlh, NULL, NULL));
	tt_nl_close(&nl);
	return ret;
}

static int run_config(const char *name, uint8_t cmd, unsigned int allowed,
		      int argc, char **argv)
{
	struct config cfg;
	int ret;

	ret = parse_config(name, allowed, argc, argv, &cfg);
	if (ret)
		return ret;
	ret = resolve_links(&cfg);
	if (ret)
		return ret;
	return send_config(cmd, &cfg);
}

static int cmd_add(const struct options *opts, int argc, char **argv)
{
	(void)opts;
	return run_config("add", TAPBRIDGE_CMD_CREATE, ADD_KEYWORDS, argc, argv);
}

static int cmd_set(const struct options *opts, int argc, char **argv)
{
	(void)opts;
	return run_config("set", TAPBRIDGE_CMD_SET, SET_KEYWORDS, argc, argv);
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
	ret = report(&nl, tt_nl_transact(&nl, nlh, NULL, NULL));
	tt_nl_close(&nl);
	return ret;
}

static const enum mnl_attr_data_type
instance_attr_types[TAPBRIDGE_A_INSTANCE_MAX + 1] = {
	[TAPBRIDGE_A_INSTANCE_IFINDEX]		= MNL_TYPE_U32,
	[TAPBRIDGE_A_INSTANCE_NAME]		= MNL_TYPE_NUL_STRING,
	[TAPBRIDGE_A_INSTANCE_PORT_A]		= MNL_TYPE_U32,
	[TAPBRIDGE_A_INSTANCE_PORT_B]		= MNL_TYPE_U32,
	[TAPBRIDGE_A_INSTANCE_MODE]		= MNL_TYPE_U32,
	[TAPBRIDGE_A_INSTANCE_MIRROR]		= MNL_TYPE_U32,
	[TAPBRIDGE_A_INSTANCE_MIRROR_AB]	= MNL_TYPE_U32,
	[TAPBRIDGE_A_INSTANCE_MIRROR_BA]	= MNL_TYPE_U32,
	[TAPBRIDGE_A_INSTANCE_STATS_AB]		= MNL_TYPE_NESTED,
	[TAPBRIDGE_A_INSTANCE_STATS_BA]		= MNL_TYPE_NESTED,
};

static int instance_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* Attributes added by a newer kernel are skipped, not refused. */
	if (mnl_attr_type_valid(attr, TAPBRIDGE_A_INSTANCE_MAX) < 0)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, instance_attr_types[type]) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct tt_direction_stats *stats = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == TAPBRIDGE_A_STATS_PAD ||
	    mnl_attr_type_valid(attr, TAPBRIDGE_A_STATS_MAX) < 0)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	stats->counter[type] = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static uint32_t attr_u32(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u32(attr) : 0;
}

static int parse_stats(const struct nlattr *nest, struct tt_direction_stats *s)
{
	if (!nest)
		return MNL_CB_OK;
	return mnl_attr_parse_nested(nest, stats_attr_cb, s);
}

/* One instance of a GET reply or dump, handed to the printer. */
static int instance_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TAPBRIDGE_A_INSTANCE_MAX + 1] = {};
	struct tt_printer *printer = data;
	struct tt_instance inst = {};
	int ret;

	ret = mnl_attr_parse(nlh, sizeof(struct genlmsghdr), instance_attr_cb,
			     tb);
	if (ret < MNL_CB_OK)
		return ret;

	inst.ifindex = attr_u32(tb[TAPBRIDGE_A_INSTANCE_IFINDEX]);
	inst.mode = attr_u32(tb[TAPBRIDGE_A_INSTANCE_MODE]);
	inst.port_a = attr_u32(tb[TAPBRIDGE_A_INSTANCE_PORT_A]);
	inst.port_b = attr_u32(tb[TAPBRIDGE_A_INSTANCE_PORT_B]);
	inst.mirror = attr_u32(tb[TAPBRIDGE_A_INSTANCE_MIRROR]);
	inst.mirror_ab = attr_u32(tb[TAPBRIDGE_A_INSTANCE_MIRROR_AB]);
	inst.mirror_ba = attr_u32(tb[TAPBRIDGE_A_INSTANCE_MIRROR_BA]);
	if (tb[TAPBRIDGE_A_INSTANCE_NAME])
		snprintf(inst.name, sizeof(inst.name), "%s",
			 mnl_attr_get_str(tb[TAPBRIDGE_A_INSTANCE_NAME]));
	else if (!inst.ifindex || !if_indextoname(inst.ifindex, inst.name))
		inst.name[0] = '\0';

	ret = parse_stats(tb[TAPBRIDGE_A_INSTANCE_STATS_AB], &inst.a_to_b);
	if (ret < MNL_CB_OK)
		return ret;
	ret = parse_stats(tb[TAPBRIDGE_A_INSTANCE_STATS_BA], &inst.b_to_a);
	if (ret < MNL_CB_OK)
		return ret;

	if (tt_printer_add(printer, &inst)) {
		errno = ENOMEM;
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
	ret = report(&nl, ret);

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
	fputs("Usage:\n", stdout);
	print_command_usage(stdout, cmd);
	return TT_EXIT_OK;
}

static const struct command commands[] = {
	{ "add", {
		"NAME port-a IF port-b IF mode aggregate mirror IF",
		"NAME port-a IF port-b IF mode split mirror-ab IF mirror-ba IF",
	  }, cmd_add },
	{ "set", {
		"NAME mode aggregate mirror IF",
		"NAME mode split mirror-ab IF mirror-ba IF",
	  }, cmd_set },
	{ "del",	{ "NAME" },		cmd_del },
	{ "show",	{ "[NAME]" },		cmd_show },
	{ "stats",	{ "[NAME]" },		cmd_stats },
	{ "help",	{ "[COMMAND]" },	cmd_help },
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
	{ "-j", "--json",	OPT_JSON,	"show and stats print JSON" },
	{ "-p", "--pretty",	OPT_PRETTY,	"indent the JSON" },
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

static void print_command_usage(FILE *out, const struct command *cmd)
{
	const char *const *line;

	for (line = cmd->synopsis; *line; line++)
		fprintf(out, "  taptool %s %s\n", cmd->name, *line);
}

static void print_usage(FILE *out)
{
	size_t i;

	fputs("Usage: taptool [OPTIONS] COMMAND\n\nCommands:\n", out);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		print_command_usage(out, &commands[i]);
	fputs("\nIF is an interface name. \"taptool COMMAND help\" prints the lines of COMMAND.\n"
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
		fputs("Usage:\n", stdout);
		print_command_usage(stdout, cmd);
		ret = TT_EXIT_OK;
	} else {
		ret = cmd->run(&opts, argc, argv);
	}
	return finish_output(ret);
}
