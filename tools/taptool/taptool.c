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
 * The grammar follows iproute2: commands and keywords may be shortened to
 * any prefix that names one of them, options come before the command
 * (single-dash long forms and prefixes, as in "ip -json"), "help", "-h" or
 * "--help" after a command prints that command's lines, and "--" ends the
 * options.
 *
 * "up NAME" reads the same words from a config file, NAME.conf, and
 * "save NAME" writes one: see read_config().
 *
 * Exit codes: 0 success; 1 the request failed (the kernel refused it, an
 * interface does not exist, the module is not loaded, a file cannot be
 * read or written); 2 the command line or a config file does not follow
 * the grammar.
 */
#define _GNU_SOURCE	/* setns() */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/tapbridge.h>

#include "attrs.h"
#include "names.h"
#include "nl.h"
#include "output.h"
#include "parse.h"
#include "taptool.h"

#ifndef TT_VERSION
#error "TT_VERSION is defined by the Makefile, the one place the version is kept"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Where the usage text wraps a keyword list. */
#define USAGE_WIDTH	80

/* Words of one line of a batch file. */
#define BATCH_MAX_WORDS	256

/*
 * Where up, down and save find NAME.conf unless -C says otherwise. The
 * packages and "make install" install the unit that runs "taptool up"
 * with this default.
 */
#ifndef TT_CONFIG_DIR
#define TT_CONFIG_DIR	"/etc/tapbridge"
#endif

/*
 * Words of a config file: the most an add can take (every keyword of an
 * instance, and every mirror with all its options) is far below.
 */
#define CONFIG_MAX_WORDS	512
/* Bytes of a config file: a file this long is not one save wrote. */
#define CONFIG_MAX_BYTES	(64 * 1024)

enum {
	TT_EXIT_OK = 0,
	TT_EXIT_FAILURE = 1,
	TT_EXIT_USAGE = 2,
};

/**
 * struct options - the global options, and what one command line adds
 * @json: print JSON
 * @pretty: indent the JSON
 * @human: rates and counters of stats in K, M, G
 * @force: a batch goes on after a failed line
 * @netns: network namespace to run in, NULL for ours
 * @batch: file of commands, "-" for stdin, NULL for none
 * @config_dir: where up, down and save find NAME.conf
 * @literal: the command's words followed "--": a name may start with "-"
 */
struct options {
	bool json;
	bool pretty;
	bool human;
	bool force;
	const char *netns;
	const char *batch;
	const char *config_dir;
	bool literal;
};

/**
 * struct value_type - what a keyword takes
 * @words: the words it takes (names.h); NULL for a number or an interface
 *	name
 * @metavar: how the usage text names a number or an interface name
 * @noun: what an unknown word is called in the error message, which then
 *	reads 'unknown NOUN "WORD" (A or B)'; NULL for '"KEYWORD" takes A or
 *	B, not "WORD"'
 * @is_link: an interface name, sent as its index
 */
struct value_type {
	const struct tt_word *words;
	const char *metavar;
	const char *noun;
	bool is_link;
};

static const struct value_type link_value = { .metavar = "IF", .is_link = true };
static const struct value_type mode_value = {
	.words = tt_mode_words, .noun = "mode"
};
static const struct value_type direction_value = {
	.words = tt_direction_words, .noun = "direction"
};
static const struct value_type tpid_value = {
	.words = tt_tpid_words, .noun = "tpid"
};
static const struct value_type on_off_value = { .words = tt_on_off_words };
static const struct value_type ms_value = { .metavar = "MS" };
static const struct value_type port_loss_value = {
	.words = tt_port_loss_words, .noun = "port-loss"
};
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
	KW_PORT_LOSS,
	KW_CAPTURE,
	KW_WIRE_TSTAMP,
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
				 KW_BIT(KW_HOLD_DOWN) | KW_BIT(KW_RX_ALL) | \
				 KW_BIT(KW_PORT_LOSS) | KW_BIT(KW_CAPTURE) | \
				 KW_BIT(KW_WIRE_TSTAMP))
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
	[KW_PORT_LOSS]	= { "port-loss", TAPBRIDGE_A_INSTANCE_PORT_LOSS, 4, &port_loss_value },
	[KW_CAPTURE]	= { "capture",	 TAPBRIDGE_A_INSTANCE_CAPTURE,	 1, &on_off_value },
	[KW_WIRE_TSTAMP] = {
		"wire-tstamp", TAPBRIDGE_A_INSTANCE_WIRE_TSTAMP, 1,
		&on_off_value },
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

/**
 * struct keyword_values - what was typed after each keyword of a request
 *	or of one mirror entry
 * @word: the value typed after each keyword, NULL when left out
 * @value: what is sent for each keyword given: an ifindex, the value of a
 *	word, or the number typed
 */
struct keyword_values {
	const char *word[KW_COUNT];
	uint32_t value[KW_COUNT];
};

/**
 * struct request - the request of an add, set or mirror command
 * @name: instance name, sent as is for the kernel to resolve
 * @kv: the instance keywords (and, for mirror add and del, the mirror's)
 * @list: the "mirror IF [MIRROR-OPTIONS]" entries of add, in the order
 *	typed; with mode aggregate, the one mirror
 * @n_list: entries in @list
 */
struct request {
	const char *name;
	struct keyword_values kv;
	struct keyword_values list[TAPBRIDGE_MIRROR_MAX];
	unsigned int n_list;
};

/**
 * struct command - one subcommand: how it is written and what runs it
 * @name: the word after the options
 * @aliases: other words for it, NULL-terminated
 * @synopsis: its argument lines, NULL-terminated; the usage text is built
 *	from these, so it cannot drift from what is dispatched
 * @lists: bits of enum keyword_list: the keyword lists @synopsis names
 * @run: handler, given the words after @name; returns an exit code
 */
struct command {
	const char *name;
	const char *aliases[3];
	const char *synopsis[7];
	unsigned int lists;
	int (*run)(const struct options *opts, int argc, char **argv);
};

static int find_command(const char *word, const struct command **cmd);
static int split_words(char *line, char **words, int max, int *n);
static void print_usage(FILE *out);
static void print_command_usage(FILE *out, const struct command *cmd);

/**
 * struct grammar_message - the last message of the grammar, while a config
 *	file is read
 * @keep: keep messages here instead of printing them: read_config() tries
 *	the file's words line by line, and says which line a message is about
 * @code: the exit code that came with @text
 * @text: the message
 */
static struct grammar_message {
	bool keep;
	int code;
	char text[512];
} grammar_message;

/* Print the grammar's message @text, or keep it for read_config(). */
static int grammar_error(int code, const char *text)
{
	struct grammar_message *m = &grammar_message;

	snprintf(m->text, sizeof(m->text), "%s", text);
	m->code = code;
	if (m->keep)
		return code;
	tt_error("%s", m->text);
	if (code == TT_EXIT_USAGE)
		fputs("Try \"taptool help\".\n", stderr);
	return code;
}

/* A command line off the grammar: say what is wrong and where to look. */
static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char text[sizeof(grammar_message.text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return grammar_error(TT_EXIT_USAGE, text);
}

/*
 * A word that starts with "-" is an option everywhere else in the tool,
 * so as a name it is a typo far more often than a name: it must follow
 * "--" to be taken as one.
 */
static int check_not_option(const struct options *opts, const char *what,
			    const char *name)
{
	if (name[0] == '-' && !opts->literal)
		return usage_error("\"%s\" is not a valid %s name: it starts with \"-\" (put \"--\" before the arguments to mean it)",
				   name, what);
	return TT_EXIT_OK;
}

/*
 * Only the length is checked: it is the one rule the attribute policy
 * would otherwise enforce with a message naming no keyword. Whether the
 * name is an instance is the kernel's to say.
 */
static int check_instance_name(const struct options *opts, const char *name)
{
	size_t len = strlen(name);

	if (!len || len > TAPBRIDGE_IFNAME_MAX_LEN)
		return usage_error("\"%s\" is not a valid instance name (1 to %d characters)",
				   name, TAPBRIDGE_IFNAME_MAX_LEN);
	return check_not_option(opts, "instance", name);
}

/*
 * The words of a table: "a, b or c" in messages (@sep NULL), or joined by
 * @sep in the usage text ("a|b|c").
 */
static void join_words(const struct tt_word *w, const char *sep, char *buf,
		       size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; w->word && used < len; w++) {
		const char *before = "";

		if (used)
			before = sep ? sep : w[1].word ? ", " : " or ";
		used += snprintf(buf + used, len - used, "%s%s", before,
				 w->word);
	}
}

/*
 * iproute2's habit: a word may be shortened to any prefix that names one
 * entry. A word typed in full wins over the longer names it begins
 * ("mirror" is not ambiguous with "mirror-ab").
 *
 * Return: the index in @names of the entry matched, -1 for none, -2 for
 * more than one (then @candidates has a bit per entry that matched).
 */
static int match_prefix(const char *word, const char *const *names,
			size_t n, unsigned int allowed,
			unsigned int *candidates)
{
	size_t len = strlen(word), i;
	int found = -1;

	*candidates = 0;
	if (!len)
		return -1;
	for (i = 0; i < n; i++) {
		if (!(allowed & (1u << i)) || !names[i])
			continue;
		if (!strcmp(word, names[i]))
			return i;
		if (!strncmp(word, names[i], len)) {
			*candidates |= 1u << i;
			found = found == -1 ? (int)i : -2;
		}
	}
	return found;
}

/* "a, b or c" of the entries of @candidates, for an ambiguous prefix. */
static void join_candidates(const char *const *names, size_t n,
			    unsigned int candidates, char *buf, size_t len)
{
	size_t used = 0, i;
	unsigned int left = candidates;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		if (!(candidates & (1u << i)))
			continue;
		left &= ~(1u << i);
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? (left ? ", " : " or ") : "", names[i]);
	}
}

static const char *const *keyword_words(void)
{
	static const char *words[KW_COUNT];
	int kw;

	for (kw = 0; kw < KW_COUNT; kw++)
		words[kw] = keywords[kw].word;
	return words;
}

/* A keyword of @allowed, typed in full or as a prefix of one. */
static int find_keyword(const char *cmd, const char *word,
			unsigned int allowed, enum keyword *kw)
{
	const char *const *words = keyword_words();
	unsigned int candidates;
	char list[256];
	int found;

	found = match_prefix(word, words, KW_COUNT, allowed, &candidates);
	if (found >= 0) {
		*kw = found;
		return TT_EXIT_OK;
	}
	if (found == -2) {
		join_candidates(words, KW_COUNT, candidates, list, sizeof(list));
		return usage_error("ambiguous keyword \"%s\" for \"%s\": %s",
				   word, cmd, list);
	}
	if (word[0] == '-')
		return usage_error("unknown keyword \"%s\" for \"%s\" (options go before the command)",
				   word, cmd);
	return usage_error("unknown keyword \"%s\" for \"%s\"", word, cmd);
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

static int parse_word(enum keyword kw, const char *word, uint32_t *value)
{
	const struct value_type *type = keywords[kw].type;
	char list[128];

	if (tt_value_of(type->words, word, value))
		return TT_EXIT_OK;
	join_words(type->words, NULL, list, sizeof(list));
	if (type->noun)
		return usage_error("unknown %s \"%s\" (%s)", type->noun, word,
				   list);
	return usage_error("\"%s\" takes %s, not \"%s\"", keywords[kw].word,
			   list, word);
}

/* Interface names are resolved later, once the whole line is known good. */
static int parse_value(const struct options *opts, enum keyword kw,
		       const char *word, uint32_t *value)
{
	const struct value_type *type = keywords[kw].type;

	if (type->is_link)
		return check_not_option(opts, "interface", word);
	if (type->words)
		return parse_word(kw, word, value);
	return parse_number(kw, word, value);
}

/*
 * Keyword/value pairs in any order, each keyword once. A keyword left out
 * is not an error here; the kernel names what it needs. The shape of the
 * line is checked first, then each value in the order typed.
 */
static int parse_keywords(const struct options *opts, const char *cmd,
			  unsigned int allowed, int argc, char **argv,
			  struct keyword_values *kv)
{
	enum keyword kw;
	int i, ret;

	for (i = 0; i < argc; i += 2) {
		ret = find_keyword(cmd, argv[i], allowed, &kw);
		if (ret)
			return ret;
		if (kv->word[kw])
			return usage_error("\"%s\" is given twice",
					   keywords[kw].word);
		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value",
					   keywords[kw].word);
		kv->word[kw] = argv[i + 1];
	}

	for (i = 0; i < argc; i += 2) {
		find_keyword(cmd, argv[i], allowed, &kw);
		ret = parse_value(opts, kw, argv[i + 1], &kv->value[kw]);
		if (ret)
			return ret;
	}
	return TT_EXIT_OK;
}

/*
 * Where the value after keyword @kw of a config line goes: the instance's
 * keywords, or the mirror entry the last "mirror IF" opened. NULL for a
 * mirror option before any "mirror".
 */
static struct keyword_values *config_target(struct request *req,
					    enum keyword kw)
{
	if (!(KW_BIT(kw) & MIRROR_OPTIONS))
		return &req->kv;
	return req->n_list ? &req->list[req->n_list - 1] : NULL;
}

/*
 * add and set: NAME, then keyword/value pairs. "mirror IF" opens a mirror
 * entry; the mirror options after it (add only) belong to that entry, as
 * "show" prints a custom list. Each entry's options are given once.
 */
static int parse_config_pairs(const struct options *opts, const char *cmd,
			      unsigned int allowed, int argc, char **argv,
			      struct request *req)
{
	struct keyword_values *into;
	enum keyword kw;
	int i, ret;

	for (i = 0; i < argc; i += 2) {
		ret = find_keyword(cmd, argv[i], allowed, &kw);
		if (ret)
			return ret;
		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value",
					   keywords[kw].word);
		if (kw == KW_MIRROR) {
			if (req->n_list == TAPBRIDGE_MIRROR_MAX)
				return usage_error("at most %d mirrors can be given",
						   TAPBRIDGE_MIRROR_MAX);
			into = &req->list[req->n_list++];
			into->word[KW_MIRROR_DEVICE] = argv[i + 1];
			continue;
		}
		into = config_target(req, kw);
		if (!into)
			return usage_error("\"%s\" must follow the \"mirror IF\" it belongs to",
					   keywords[kw].word);
		if (into->word[kw])
			return usage_error("\"%s\" is given twice",
					   keywords[kw].word);
		into->word[kw] = argv[i + 1];
	}

	/* The values, in the order typed: the same walk again. */
	req->n_list = 0;
	for (i = 0; i < argc; i += 2) {
		find_keyword(cmd, argv[i], allowed, &kw);
		if (kw == KW_MIRROR) {
			into = &req->list[req->n_list++];
			kw = KW_MIRROR_DEVICE;
		} else {
			into = config_target(req, kw);
		}
		ret = parse_value(opts, kw, argv[i + 1], &into->value[kw]);
		if (ret)
			return ret;
	}
	return TT_EXIT_OK;
}

/* The first mirror option given to entry @kv, or NULL. */
static const char *first_mirror_option(const struct keyword_values *kv)
{
	int kw;

	for (kw = 0; kw < KW_COUNT; kw++)
		if ((KW_BIT(kw) & MIRROR_OPTIONS) && kv->word[kw])
			return keywords[kw].word;
	return NULL;
}

/*
 * The grammar ties "mirror" to aggregate, "mirror-ab"/"mirror-ba" to
 * split, and a list of "mirror IF [MIRROR-OPTIONS]" entries to custom
 * (add only: set edits a list with "mirror add" and "mirror del").
 */
static int parse_config(const struct options *opts, const char *cmd,
			unsigned int allowed, int argc, char **argv,
			struct request *req)
{
	struct keyword_values *kv = &req->kv;
	const char *option;
	unsigned int i;
	uint32_t mode;
	int ret;

	ret = parse_config_pairs(opts, cmd, allowed, argc, argv, req);
	if (ret)
		return ret;
	mode = kv->word[KW_MODE] ? kv->value[KW_MODE] : 0;

	if (mode == TAPBRIDGE_MODE_CUSTOM) {
		if (!(allowed & MIRROR_OPTIONS))
			return usage_error("mode custom is made with \"set NAME mirror add\" and \"mirror del\"");
		if (kv->word[KW_MIRROR_AB] || kv->word[KW_MIRROR_BA])
			return usage_error("mode custom takes \"mirror IF [MIRROR-OPTIONS]\" entries, not \"%s\"",
					   kv->word[KW_MIRROR_AB] ? "mirror-ab" :
								    "mirror-ba");
		if (!req->n_list)
			return usage_error("mode custom needs a \"mirror IF\"");
		return TT_EXIT_OK;
	}

	for (i = 0; i < req->n_list; i++) {
		option = first_mirror_option(&req->list[i]);
		if (option)
			return usage_error("\"%s\" after \"mirror\" needs mode custom",
					   option);
	}
	if (req->n_list > 1)
		return usage_error("\"mirror\" is given twice");
	if (req->n_list) {
		kv->word[KW_MIRROR] = req->list[0].word[KW_MIRROR_DEVICE];
		req->n_list = 0;
	}

	if (mode == TAPBRIDGE_MODE_AGGREGATE &&
	    (kv->word[KW_MIRROR_AB] || kv->word[KW_MIRROR_BA]))
		return usage_error("mode aggregate takes \"mirror\", not \"%s\"",
				   kv->word[KW_MIRROR_AB] ? "mirror-ab" :
							    "mirror-ba");
	if (mode == TAPBRIDGE_MODE_SPLIT && kv->word[KW_MIRROR])
		return usage_error("mode split takes \"mirror-ab\" and \"mirror-ba\", not \"mirror\"");
	return TT_EXIT_OK;
}

/* Interface names mean something only in our netns: resolve them here. */
static int resolve_links(struct keyword_values *kv)
{
	char text[sizeof(grammar_message.text)];
	int kw;

	for (kw = 0; kw < KW_COUNT; kw++) {
		if (!keywords[kw].type->is_link || !kv->word[kw])
			continue;
		kv->value[kw] = if_nametoindex(kv->word[kw]);
		if (kv->value[kw])
			continue;
		if (errno == ENODEV)
			snprintf(text, sizeof(text),
				 "interface \"%s\" does not exist", kv->word[kw]);
		else
			snprintf(text, sizeof(text), "interface \"%s\": %s",
				 kv->word[kw], strerror(errno));
		return grammar_error(TT_EXIT_FAILURE, text);
	}
	return TT_EXIT_OK;
}

static int resolve_request(struct request *req)
{
	unsigned int i;
	int ret;

	ret = resolve_links(&req->kv);
	for (i = 0; !ret && i < req->n_list; i++)
		ret = resolve_links(&req->list[i]);
	return ret;
}

/* Spelling of the instance attributes, for a kernel that names one missing. */
static const char *const instance_attr_names[TAPBRIDGE_A_INSTANCE_MAX + 1] = {
	TT_INSTANCE_ATTRS(TT_INSTANCE_NAME)
};

/*
 * Say why a request failed: the kernel's extack message wins; without
 * one, a missing attribute is named, and a bare EPERM (genl's admin-perm
 * check gives no message) says which capability is missing.
 */
static int report_error(const struct tt_nl *nl, int ret)
{
	const struct tt_nl_error *err = &nl->err;

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

/* A request that ended well may still carry the kernel's warning. */
static int report(const struct tt_nl *nl, int ret)
{
	if (!ret) {
		tt_print_warnings(NULL, 0, nl->err.msg);
		return TT_EXIT_OK;
	}
	return report_error(nl, ret);
}

static int open_family(struct tt_nl *nl)
{
	int ret;

	ret = tt_nl_open(nl, TAPBRIDGE_FAMILY_NAME, TAPBRIDGE_FAMILY_VERSION);
	if (ret == -ENOENT) {
		tt_error("the tapbridge kernel module is not loaded (modprobe tapbridge)");
		return TT_EXIT_FAILURE;
	}
	return ret ? report_error(nl, ret) : TT_EXIT_OK;
}

/* Each keyword of @mask that was given, as the attribute it names. */
static void put_keywords(struct nlmsghdr *nlh, const struct keyword_values *kv,
			 unsigned int mask)
{
	int kw;

	for (kw = 0; kw < KW_COUNT; kw++) {
		if (!(mask & KW_BIT(kw)) || !kv->word[kw])
			continue;
		switch (keywords[kw].size) {
		case 1:
			mnl_attr_put_u8(nlh, keywords[kw].attr, kv->value[kw]);
			break;
		case 2:
			mnl_attr_put_u16(nlh, keywords[kw].attr, kv->value[kw]);
			break;
		default:
			mnl_attr_put_u32(nlh, keywords[kw].attr, kv->value[kw]);
			break;
		}
	}
}

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	int ret = tt_parse_reply(nlh, data);

	if (ret) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/*
 * One request that changes something: the name, then the keywords of
 * @mask, at the top level or in one mirrors nest (@nest). The reply's
 * warnings and the extack message of its ACK go into @reply.
 */
static int transact_change(struct tt_nl *nl, uint8_t cmd, const char *name,
			   const struct keyword_values *kv, unsigned int mask,
			   bool nest, struct tt_reply *reply)
{
	struct nlattr *mirror;
	struct nlmsghdr *nlh;
	int ret;

	nlh = tt_nl_request(nl, cmd, 0);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_NAME, name);
	if (nest) {
		mirror = mnl_attr_nest_start(nlh, TAPBRIDGE_A_INSTANCE_MIRRORS);
		put_keywords(nlh, kv, mask);
		mnl_attr_nest_end(nlh, mirror);
	} else {
		put_keywords(nlh, kv, mask);
	}

	ret = tt_nl_transact(nl, nlh, reply_cb, reply);
	if (!ret && nl->err.msg[0] && tt_reply_add_warning(reply, nl->err.msg))
		ret = -ENOMEM;
	return ret;
}

/*
 * How a change ended. Text: the warnings, each once, on stderr. JSON
 * (-j): one result object on stdout, the warnings in it.
 */
static int report_change(const struct options *opts, const struct tt_nl *nl,
			 int ret, const char *cmd, const char *name,
			 const struct tt_reply *reply)
{
	if (ret)
		return report_error(nl, ret);
	if (!opts->json) {
		tt_print_warnings((const char *const *)reply->warnings,
				  reply->n_warnings, NULL);
		return TT_EXIT_OK;
	}
	if (tt_print_result(cmd, name, reply, opts->pretty)) {
		tt_error("%s", strerror(ENOMEM));
		return TT_EXIT_FAILURE;
	}
	return TT_EXIT_OK;
}

/* One change request, from opening the family to its report. */
static int send_change(const struct options *opts, const char *cmd_word,
		       uint8_t cmd, const struct request *req,
		       unsigned int mask, bool nest)
{
	struct tt_reply reply = {};
	struct tt_nl nl;
	int ret;

	ret = open_family(&nl);
	if (ret)
		return ret;
	ret = transact_change(&nl, cmd, req->name, &req->kv, mask, nest,
			      &reply);
	ret = report_change(opts, &nl, ret, cmd_word, req->name, &reply);
	tt_reply_release(&reply);
	tt_nl_close(&nl);
	return ret;
}

/*
 * NAME, the first word of add and set. "NAME:" is taken too, so that a
 * line of "show" can follow "add" as it is printed: ":" cannot be part of
 * an interface name.
 */
static int parse_name(const struct options *opts, const char *cmd, int argc,
		      char **argv, struct request *req)
{
	static char name[TAPBRIDGE_IFNAME_MAX_LEN + 2];
	size_t len;

	memset(req, 0, sizeof(*req));
	if (argc < 1)
		return usage_error("\"%s\" needs an instance name", cmd);
	req->name = argv[0];
	len = strlen(argv[0]);
	if (len > 1 && len < sizeof(name) && argv[0][len - 1] == ':') {
		memcpy(name, argv[0], len - 1);
		name[len - 1] = '\0';
		req->name = name;
	}
	return check_instance_name(opts, req->name);
}

/*
 * add of a custom list. The create request takes a preset only, so the
 * instance is created as aggregate on the first entry's device, then each
 * entry is added with its options (the first one's replace the preset's,
 * and the mode becomes custom). If an entry is refused, the instance is
 * deleted again: nothing is left half made.
 */
static int add_custom(const struct options *opts, const char *cmd_word,
		      struct request *req)
{
	struct tt_reply reply = {};
	struct keyword_values create = req->kv;
	struct tt_nl nl;
	unsigned int i;
	int ret, undo;

	create.word[KW_MODE] = "aggregate";
	create.value[KW_MODE] = TAPBRIDGE_MODE_AGGREGATE;
	create.word[KW_MIRROR] = req->list[0].word[KW_MIRROR_DEVICE];
	create.value[KW_MIRROR] = req->list[0].value[KW_MIRROR_DEVICE];

	ret = open_family(&nl);
	if (ret)
		return ret;
	ret = transact_change(&nl, TAPBRIDGE_CMD_CREATE, req->name, &create,
			      ADD_KEYWORDS, false, &reply);
	for (i = 0; !ret && i < req->n_list; i++)
		ret = transact_change(&nl, TAPBRIDGE_CMD_MIRROR_ADD, req->name,
				      &req->list[i], MIRROR_KEYWORDS, true,
				      &reply);
	if (ret && i) {
		/* Created, then an entry was refused: report that one. */
		ret = report_error(&nl, ret);
		undo = transact_change(&nl, TAPBRIDGE_CMD_DELETE, req->name,
				       &create, 0, false, &reply);
		if (undo)
			tt_error("\"%s\" could not be deleted again: %s",
				 req->name, strerror(-undo));
		goto release;
	}
	ret = report_change(opts, &nl, ret, cmd_word, req->name, &reply);
release:
	tt_reply_release(&reply);
	tt_nl_close(&nl);
	return ret;
}

/* The create of add and up: one request, or a custom list's several. */
static int create_instance(const struct options *opts, const char *cmd_word,
			   struct request *req)
{
	if (req->n_list)
		return add_custom(opts, cmd_word, req);
	return send_change(opts, cmd_word, TAPBRIDGE_CMD_CREATE, req,
			   ADD_KEYWORDS, false);
}

static int cmd_add(const struct options *opts, int argc, char **argv)
{
	struct request req;
	int ret;

	ret = parse_name(opts, "add", argc, argv, &req) ?:
	      parse_config(opts, "add", ADD_KEYWORDS | MIRROR_OPTIONS,
			   argc - 1, argv + 1, &req) ?:
	      resolve_request(&req);
	if (ret)
		return ret;
	return create_instance(opts, "add", &req);
}

/* set NAME mirror add IF [MIRROR-OPTIONS] */
static int run_mirror_add(const struct options *opts, struct request *req,
			  int argc, char **argv)
{
	int ret;

	if (argc < 1)
		return usage_error("\"mirror add\" needs an interface");
	req->kv.word[KW_MIRROR_DEVICE] = argv[0];
	ret = check_not_option(opts, "interface", argv[0]) ?:
	      parse_keywords(opts, "mirror add", MIRROR_OPTIONS, argc - 1,
			     argv + 1, &req->kv) ?:
	      resolve_links(&req->kv);
	if (ret)
		return ret;
	return send_change(opts, "set", TAPBRIDGE_CMD_MIRROR_ADD, req,
			   MIRROR_KEYWORDS, true);
}

/* set NAME mirror del IF */
static int run_mirror_del(const struct options *opts, struct request *req,
			  int argc, char **argv)
{
	int ret;

	if (argc < 1)
		return usage_error("\"mirror del\" needs an interface");
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	req->kv.word[KW_MIRROR_DEVICE] = argv[0];
	ret = check_not_option(opts, "interface", argv[0]) ?:
	      resolve_links(&req->kv);
	if (ret)
		return ret;
	return send_change(opts, "set", TAPBRIDGE_CMD_MIRROR_DEL, req,
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
	unsigned int candidates;
	struct request req;
	int ret;

	ret = parse_name(opts, "set", argc, argv, &req);
	if (ret)
		return ret;
	if (argc >= 3 && match_prefix(argv[1], keyword_words(), KW_COUNT,
				      SET_KEYWORDS, &candidates) == KW_MIRROR) {
		if (!strcmp(argv[2], "add"))
			return run_mirror_add(opts, &req, argc - 3, argv + 3);
		if (!strcmp(argv[2], "del"))
			return run_mirror_del(opts, &req, argc - 3, argv + 3);
	}

	if (argc < 2)
		return usage_error("\"set\" needs a mode or an option to change");
	ret = parse_config(opts, "set", SET_KEYWORDS, argc - 1, argv + 1,
			   &req) ?:
	      resolve_request(&req);
	if (ret)
		return ret;
	return send_change(opts, "set", TAPBRIDGE_CMD_SET, &req, SET_KEYWORDS,
			   false);
}

/* A command whose only argument is an instance name: del, reset-stats. */
static int send_on_name(const struct options *opts, const char *cmd_word,
			uint8_t cmd, int argc, char **argv)
{
	struct request req = {};
	int ret;

	if (argc < 1)
		return usage_error("\"%s\" needs an instance name", cmd_word);
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	ret = check_instance_name(opts, argv[0]);
	if (ret)
		return ret;
	req.name = argv[0];
	return send_change(opts, cmd_word, cmd, &req, 0, false);
}

static int cmd_del(const struct options *opts, int argc, char **argv)
{
	return send_on_name(opts, "del", TAPBRIDGE_CMD_DELETE, argc, argv);
}

static int cmd_reset_stats(const struct options *opts, int argc, char **argv)
{
	return send_on_name(opts, "reset-stats", TAPBRIDGE_CMD_RESET_STATS,
			    argc, argv);
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
		ret = check_instance_name(opts, argv[0]);
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

/**
 * struct samples - the counters of every instance one GET returned
 * @s: one sample per instance, in the order of the reply
 * @n: entries in @s
 * @cap: entries allocated
 */
struct samples {
	struct tt_sample *s;
	size_t n;
	size_t cap;
};

static int sample_cb(const struct nlmsghdr *nlh, void *data)
{
	struct samples *all = data;
	struct tt_instance inst;
	struct tt_sample *s;
	int ret;

	ret = tt_parse_instance(nlh, &inst);
	if (!ret && all->n == all->cap) {
		s = realloc(all->s, (all->cap * 2 + 4) * sizeof(*s));
		if (s) {
			all->s = s;
			all->cap = all->cap * 2 + 4;
		} else {
			ret = -ENOMEM;
		}
	}
	if (!ret)
		tt_sample_take(&all->s[all->n++], &inst);
	tt_instance_release(&inst);
	if (ret) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int take_samples(struct tt_nl *nl, const char *name,
			struct samples *all)
{
	struct nlmsghdr *nlh;

	all->n = 0;
	nlh = tt_nl_request(nl, TAPBRIDGE_CMD_GET, name ? 0 : NLM_F_DUMP);
	if (name)
		mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_NAME, name);
	return tt_nl_transact(nl, nlh, sample_cb, all);
}

/* SIGINT and SIGTERM end stats -i: tt_nl_wait() returns -EINTR. */
static void stop_handler(int sig)
{
	(void)sig;
}

static double elapsed(const struct timespec *from, const struct timespec *to)
{
	return (to->tv_sec - from->tv_sec) + (to->tv_nsec - from->tv_nsec) / 1e9;
}

/*
 * stats -i SECONDS [NAME]: every SECONDS, the rates of each instance
 * since the last sample, until SIGINT or SIGTERM (exit 0). An instance
 * that is new since the last sample is printed from the next one on.
 */
static int run_rates(const struct options *opts, double seconds,
		     const char *name)
{
	struct samples before = {}, after = {}, swap;
	struct sigaction sa = { .sa_handler = stop_handler };
	struct timespec t0, t1, real;
	struct tt_nl nl;
	size_t i, j;
	int ret;

	ret = open_family(&nl);
	if (ret)
		return ret;
	/* No SA_RESTART: the signal must cut the sleep short. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	tt_nl_clock(&t0, &real);
	ret = take_samples(&nl, name, &before);
	while (!ret) {
		ret = tt_nl_wait(seconds);
		if (ret)
			break;
		ret = take_samples(&nl, name, &after);
		if (ret)
			break;
		tt_nl_clock(&t1, &real);
		for (i = 0; !ret && i < after.n; i++)
			for (j = 0; !ret && j < before.n; j++)
				if (before.s[j].ifindex == after.s[i].ifindex)
					ret = tt_print_rates(&before.s[j],
							     &after.s[i],
							     elapsed(&t0, &t1),
							     &real, opts->json,
							     opts->human);
		swap = before;
		before = after;
		after = swap;
		t0 = t1;
	}
	if (ret == -EINTR)
		ret = TT_EXIT_OK;
	else if (ret == -EIO)
		ret = TT_EXIT_FAILURE;	/* stdout: finish_output() says it */
	else
		ret = report(&nl, ret);
	free(before.s);
	free(after.s);
	tt_nl_close(&nl);
	return ret;
}

/* stats [-i SECONDS] [NAME] */
static int cmd_stats(const struct options *opts, int argc, char **argv)
{
	double seconds;
	char *end;
	int ret;

	if (!argc || strcmp(argv[0], "-i") || opts->literal)
		return run_get(opts, TT_VIEW_STATS, argc, argv);
	if (argc < 2)
		return usage_error("\"-i\" needs a number of seconds");
	errno = 0;
	seconds = strtod(argv[1], &end);
	if (*end || end == argv[1] || errno || !(seconds >= 0.01) ||
	    seconds > 86400)
		return usage_error("\"-i\" takes seconds from 0.01 to 86400, not \"%s\"",
				   argv[1]);
	if (argc > 3)
		return usage_error("unexpected argument \"%s\"", argv[3]);
	if (argc == 3) {
		ret = check_instance_name(opts, argv[2]);
		if (ret)
			return ret;
	}
	return run_rates(opts, seconds, argc == 3 ? argv[2] : NULL);
}

/**
 * struct monitor - what the events callback needs
 * @nl: the socket, which knows when the events arrived
 * @name: print the events of this instance only, NULL for all
 * @json: one JSON object per event instead of text
 * @write_failed: stdout took no more; the monitor stops
 */
struct monitor {
	const struct tt_nl *nl;
	const char *name;
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
	if (!ret && mon->name && (!ev.name || strcmp(ev.name, mon->name)))
		return MNL_CB_OK;
	ev.time = mon->nl->rx_time;
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
 * monitor [NAME]: one line per event until killed, or until the module
 * goes. -p is ignored: a JSON object per line is what lets a reader take
 * events one by one.
 */
static int cmd_monitor(const struct options *opts, int argc, char **argv)
{
	struct tt_nl nl;
	struct monitor mon = { .nl = &nl, .json = opts->json };
	int ret;

	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	if (argc) {
		ret = check_instance_name(opts, argv[0]);
		if (ret)
			return ret;
		mon.name = argv[0];
	}

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
	if (ret) {
		ret = report_error(&nl, ret);
		goto close_nl;
	}

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
	if (ret == -ENODEV) {
		tt_error("the tapbridge kernel module was unloaded");
		ret = TT_EXIT_FAILURE;
		goto close_nl;
	}
	/* A write error is left to finish_output(): stdout's flag says it. */
	ret = mon.write_failed ? TT_EXIT_FAILURE : report(&nl, ret);
close_nl:
	tt_nl_close(&nl);
	return ret;
}

/*
 * NAME of up, down and save: an instance name that is also the name of its
 * config file, NAME.conf, so no "/" (no interface name has one).
 */
static int check_config_name(const struct options *opts, const char *cmd,
			     int argc, char **argv)
{
	if (argc < 1)
		return usage_error("\"%s\" needs an instance name", cmd);
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	if (strchr(argv[0], '/') || !strcmp(argv[0], ".") ||
	    !strcmp(argv[0], ".."))
		return usage_error("\"%s\" is not a valid instance name",
				   argv[0]);
	return check_instance_name(opts, argv[0]);
}

static int config_path(const struct options *opts, const char *name,
		       char *path, size_t len)
{
	if ((size_t)snprintf(path, len, "%s/%s.conf", opts->config_dir,
			     name) < len)
		return TT_EXIT_OK;
	tt_error("the config directory \"%s\" has too long a name",
		 opts->config_dir);
	return TT_EXIT_FAILURE;
}

/**
 * struct config_file - the words of a config file, and the line of each
 * @path: the file, for messages
 * @text: the file's text, which @words point into
 * @words: every word of the file, in order
 * @line: the line of each word
 * @n: entries in @words
 * @odd_end: words up to the end of the first line that has an odd number
 *	of them (a keyword without its value), 0 if every line is pairs
 */
struct config_file {
	char path[PATH_MAX];
	char *text;
	char *words[CONFIG_MAX_WORDS];
	unsigned int line[CONFIG_MAX_WORDS];
	int n;
	int odd_end;
};

/* The file's text, whole: a file of up to CONFIG_MAX_BYTES with no NUL. */
static int load_config_text(struct config_file *cf)
{
	size_t len;
	FILE *in;
	int ret = TT_EXIT_FAILURE;

	in = fopen(cf->path, "r");
	if (!in) {
		tt_error("cannot open \"%s\": %s", cf->path, strerror(errno));
		return TT_EXIT_FAILURE;
	}
	cf->text = malloc(CONFIG_MAX_BYTES + 1);
	if (!cf->text) {
		tt_error("%s", strerror(ENOMEM));
		goto close;
	}
	len = fread(cf->text, 1, CONFIG_MAX_BYTES + 1, in);
	if (ferror(in)) {
		tt_error("cannot read \"%s\": %s", cf->path, strerror(errno));
	} else if (len > CONFIG_MAX_BYTES) {
		tt_error("%s: longer than %d bytes: not a config file",
			 cf->path, CONFIG_MAX_BYTES);
		ret = TT_EXIT_USAGE;
	} else if (memchr(cf->text, '\0', len)) {
		tt_error("%s: a NUL byte: not a config file", cf->path);
		ret = TT_EXIT_USAGE;
	} else {
		cf->text[len] = '\0';
		ret = TT_EXIT_OK;
	}
close:
	fclose(in);
	return ret;
}

/* The words of each line, as a batch line splits them ("#" comments). */
static int split_config(struct config_file *cf)
{
	unsigned int lineno = 0;
	char *line, *next;
	int n, i, ret;

	for (line = cf->text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		ret = split_words(line, cf->words + cf->n,
				  CONFIG_MAX_WORDS - cf->n, &n);
		if (ret == -E2BIG) {
			tt_error("%s:%u: more than %d words in the file",
				 cf->path, lineno, CONFIG_MAX_WORDS);
			return TT_EXIT_USAGE;
		}
		if (ret) {
			tt_error("%s:%u: a quote is not closed", cf->path,
				 lineno);
			return TT_EXIT_USAGE;
		}
		for (i = 0; i < n; i++)
			cf->line[cf->n + i] = lineno;
		cf->n += n;
		if (n % 2 && !cf->odd_end)
			cf->odd_end = cf->n;
	}
	return TT_EXIT_OK;
}

/* The first @n words of the file, as "add NAME" takes them. */
static int parse_config_words(const struct options *opts,
			      struct config_file *cf, int n,
			      struct request *req)
{
	const char *name = req->name;

	memset(req, 0, sizeof(*req));
	req->name = name;
	return parse_config(opts, "up", ADD_KEYWORDS | MIRROR_OPTIONS, n,
			    cf->words, req) ?:
	       resolve_request(req);
}

/*
 * The line a message is about: the end of the first line at which the
 * words read so far give that same message. A message about one word
 * ("snaplen" takes a number) first appears on its line; one about two
 * keywords (mode split with "mirror") on the line of the later one.
 */
static unsigned int config_error_line(const struct options *opts,
				      struct config_file *cf, int end,
				      const struct grammar_message *want)
{
	struct request req = {};
	int i;

	for (i = 0; i < end - 1; i++) {
		if (cf->line[i + 1] == cf->line[i])
			continue;
		if (parse_config_words(opts, cf, i + 1, &req) &&
		    !strcmp(grammar_message.text, want->text))
			break;
	}
	return cf->line[i];
}

/**
 * read_config - the request a config file describes
 * @opts: the options (the config directory)
 * @cf: filled in; free @cf->text when the request has been sent
 * @req: its name set; filled in as add fills it
 *
 * NAME.conf holds the words that follow "add NAME", one keyword and its
 * value a line (a mirror of a custom list with its options on one line),
 * "#" starting a comment. The whole file is parsed, and each interface
 * resolved, before anything is sent: a bad file is refused whole, with
 * the line and the reason, and nothing changes.
 *
 * Return: an exit code.
 */
static int read_config(const struct options *opts, struct config_file *cf,
		       struct request *req)
{
	struct grammar_message failed;
	int ret, end;

	ret = config_path(opts, req->name, cf->path, sizeof(cf->path)) ?:
	      load_config_text(cf) ?:
	      split_config(cf);
	if (ret)
		return ret;
	if (!cf->n) {
		tt_error("%s: no configuration in the file", cf->path);
		return TT_EXIT_USAGE;
	}

	/* A line without its value fails whatever follows: stop there. */
	end = cf->odd_end ?: cf->n;
	grammar_message.keep = true;
	ret = parse_config_words(opts, cf, end, req);
	if (ret) {
		failed = grammar_message;
		failed.keep = false;
		ret = failed.code;
		tt_error("%s:%u: %s", cf->path,
			 config_error_line(opts, cf, end, &failed), failed.text);
	}
	grammar_message.keep = false;
	return ret;
}

/* up NAME: the instance NAME.conf describes, created as add creates it. */
static int cmd_up(const struct options *opts, int argc, char **argv)
{
	struct config_file *cf;
	struct request req = {};
	int ret;

	ret = check_config_name(opts, "up", argc, argv);
	if (ret)
		return ret;
	cf = calloc(1, sizeof(*cf));
	if (!cf) {
		tt_error("%s", strerror(ENOMEM));
		return TT_EXIT_FAILURE;
	}
	req.name = argv[0];
	ret = read_config(opts, cf, &req) ?:
	      create_instance(opts, "up", &req);
	free(cf->text);
	free(cf);
	return ret;
}

/*
 * down NAME: delete the instance, as del does. The file is not read: what
 * up made is the instance, whatever the file says now.
 */
static int cmd_down(const struct options *opts, int argc, char **argv)
{
	struct request req = {};
	int ret;

	ret = check_config_name(opts, "down", argc, argv);
	if (ret)
		return ret;
	req.name = argv[0];
	return send_change(opts, "down", TAPBRIDGE_CMD_DELETE, &req, 0, false);
}

/**
 * struct saved - what the GET reply of save wrote
 * @out: the new config file
 * @gone: the keyword of a device the file could not name, else NULL
 * @found: the reply had the instance
 */
struct saved {
	FILE *out;
	const char *gone;
	bool found;
};

static int save_cb(const struct nlmsghdr *nlh, void *data)
{
	struct saved *saved = data;
	struct tt_instance inst;
	int ret;

	ret = tt_parse_instance(nlh, &inst);
	if (!ret) {
		saved->found = true;
		saved->gone = tt_config_gone(&inst);
		if (!saved->gone)
			tt_print_config(saved->out, &inst);
	}
	tt_instance_release(&inst);
	if (ret) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* The config directory, made if it is not there (one level, 0755). */
static int make_config_dir(const char *dir)
{
	if (!mkdir(dir, 0755) || errno == EEXIST)
		return TT_EXIT_OK;
	tt_error("cannot make \"%s\": %s", dir, strerror(errno));
	return TT_EXIT_FAILURE;
}

/*
 * The new file is written next to the old one and renamed over it: a
 * crash or a full disk leaves the old file or the new, never half of one.
 */
static int commit_config(FILE *out, const char *tmp, const char *path)
{
	int ret = fflush(out) || ferror(out) || fsync(fileno(out)) ||
		  fchmod(fileno(out), 0644);

	if (fclose(out) || ret || rename(tmp, path)) {
		tt_error("cannot write \"%s\": %s", path, strerror(errno));
		unlink(tmp);
		return TT_EXIT_FAILURE;
	}
	return TT_EXIT_OK;
}

/* save NAME: the live instance, written to NAME.conf for up. */
static int cmd_save(const struct options *opts, int argc, char **argv)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	struct tt_reply reply = {};
	struct saved saved = {};
	struct nlmsghdr *nlh;
	struct tt_nl nl;
	int ret, fd;

	ret = check_config_name(opts, "save", argc, argv) ?:
	      config_path(opts, argv[0], path, sizeof(path)) ?:
	      open_family(&nl);
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s/.%s.conf.XXXXXX", opts->config_dir,
		 argv[0]);
	ret = make_config_dir(opts->config_dir);
	if (ret)
		goto close_nl;
	fd = mkstemp(tmp);
	saved.out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!saved.out) {
		tt_error("cannot write in \"%s\": %s", opts->config_dir,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		ret = TT_EXIT_FAILURE;
		goto unlink_tmp;
	}

	nlh = tt_nl_request(&nl, TAPBRIDGE_CMD_GET, 0);
	mnl_attr_put_strz(nlh, TAPBRIDGE_A_INSTANCE_NAME, argv[0]);
	ret = tt_nl_transact(&nl, nlh, save_cb, &saved);
	if (!ret && (!saved.found || saved.gone)) {
		tt_error("\"%s\": %s is gone: nothing was saved", argv[0],
			 saved.gone ?: "the instance");
		ret = TT_EXIT_FAILURE;
		goto close_out;
	}
	if (ret) {
		ret = report_error(&nl, ret);
		goto close_out;
	}
	ret = commit_config(saved.out, tmp, path) ?:
	      report_change(opts, &nl, 0, "save", argv[0], &reply);
	goto close_nl;

close_out:
	fclose(saved.out);
unlink_tmp:
	unlink(tmp);
close_nl:
	tt_nl_close(&nl);
	return ret;
}

static int cmd_help(const struct options *opts, int argc, char **argv)
{
	const struct command *cmd;
	int ret;

	(void)opts;
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	if (!argc) {
		print_usage(stdout);
		return TT_EXIT_OK;
	}
	ret = find_command(argv[0], &cmd);
	if (ret)
		return ret;
	print_command_usage(stdout, cmd);
	return TT_EXIT_OK;
}

#define LIST_BIT(list)	(1u << (list))

static const struct command commands[] = {
	{ "add", {}, {
		"NAME port-a IF port-b IF mode aggregate [mirror IF] [INSTANCE-OPTIONS]",
		"NAME port-a IF port-b IF mode split mirror-ab IF mirror-ba IF [INSTANCE-OPTIONS]",
		"NAME port-a IF port-b IF mode custom mirror IF [MIRROR-OPTIONS] [mirror IF [MIRROR-OPTIONS]]... [INSTANCE-OPTIONS]",
	  }, LIST_BIT(LIST_INSTANCE_OPTIONS) | LIST_BIT(LIST_MIRROR_OPTIONS),
	  cmd_add },
	{ "set", {}, {
		"NAME mode aggregate [mirror IF] [INSTANCE-OPTIONS]",
		"NAME mode split mirror-ab IF mirror-ba IF [INSTANCE-OPTIONS]",
		"NAME INSTANCE-OPTIONS",
		"NAME mirror add IF [MIRROR-OPTIONS]",
		"NAME mirror del IF",
	  }, LIST_BIT(LIST_INSTANCE_OPTIONS) | LIST_BIT(LIST_MIRROR_OPTIONS),
	  cmd_set },
	{ "del",	{ "delete" },		{ "NAME" },	0, cmd_del },
	{ "show",	{ "list", "ls" },	{ "[NAME]" },	0, cmd_show },
	{ "stats",	{},			{ "[-i SECONDS] [NAME]" }, 0, cmd_stats },
	{ "reset-stats", {},			{ "NAME" },	0, cmd_reset_stats },
	{ "monitor",	{},			{ "[NAME]" },	0, cmd_monitor },
	{ "up",		{},			{ "NAME" },	0, cmd_up },
	{ "down",	{},			{ "NAME" },	0, cmd_down },
	{ "save",	{},			{ "NAME" },	0, cmd_save },
	{ "help",	{},			{ "[COMMAND]" }, 0, cmd_help },
};

/*
 * A command by its name, an alias, or a prefix of either that names one
 * command ("sh", "st", "mo").
 */
static int find_command(const char *word, const struct command **cmd)
{
	size_t len = strlen(word), i;
	unsigned int candidates = 0;
	const char *const *alias;
	const char *names[ARRAY_SIZE(commands)];
	char list[128];

	*cmd = NULL;
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		names[i] = commands[i].name;
		if (!strcmp(word, commands[i].name)) {
			*cmd = &commands[i];
			return TT_EXIT_OK;
		}
		if (len && !strncmp(word, commands[i].name, len))
			candidates |= 1u << i;
		for (alias = commands[i].aliases; *alias; alias++) {
			if (!strcmp(word, *alias)) {
				*cmd = &commands[i];
				return TT_EXIT_OK;
			}
			if (len && !strncmp(word, *alias, len))
				candidates |= 1u << i;
		}
	}
	if (candidates && !(candidates & (candidates - 1))) {
		*cmd = &commands[__builtin_ctz(candidates)];
		return TT_EXIT_OK;
	}
	if (candidates) {
		join_candidates(names, ARRAY_SIZE(commands), candidates, list,
				sizeof(list));
		return usage_error("ambiguous command \"%s\": %s", word, list);
	}
	return usage_error("unknown command \"%s\"", word);
}

enum option_id {
	OPT_JSON,
	OPT_PRETTY,
	OPT_HUMAN,
	OPT_NETNS,
	OPT_BATCH,
	OPT_FORCE,
	OPT_CONFIG_DIR,
	OPT_VERSION,
	OPT_HELP,
	OPT_COUNT
};

/**
 * struct option_info - one global option
 * @short_name: its one-letter form, NULL for none
 * @name: its long form after the dash: "-json", "--json" and any prefix
 *	of "-json" that names only it are taken
 * @arg: how the usage text names its argument, NULL for none
 * @help: what it does
 */
static const struct option_info {
	const char *short_name;
	const char *name;
	const char *arg;
	const char *help;
} options_table[OPT_COUNT] = {
	[OPT_JSON]	= { "-j", "json", NULL,
			    "print JSON (changes: their result)" },
	[OPT_PRETTY]	= { "-p", "pretty", NULL, "indent the JSON" },
	[OPT_HUMAN]	= { "-h", "human", NULL,
			    "counters and rates in K, M, G (-h is not help)" },
	[OPT_NETNS]	= { "-n", "netns", "NETNS",
			    "run in /run/netns/NETNS (or the netns file NETNS)" },
	[OPT_BATCH]	= { "-b", "batch", "FILE",
			    "run the commands of FILE, one a line (- is stdin)" },
	[OPT_FORCE]	= { NULL, "force", NULL,
			    "with -batch: go on after a line that failed" },
	[OPT_CONFIG_DIR] = { "-C", "config-dir", "DIR",
			     "up, down, save: NAME.conf in DIR (" TT_CONFIG_DIR ")" },
	[OPT_VERSION]	= { "-V", "version", NULL,
			    "print the versions of taptool, module and family" },
	[OPT_HELP]	= { NULL, "help", NULL, "print this help" },
};

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
		if (type->words)
			join_words(type->words, "|", value, sizeof(value));
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
	const struct option_info *o;
	unsigned int lists = 0;
	char name[32];
	size_t i;

	fputs("Usage: taptool [OPTIONS] COMMAND\n\nCommands:\n", out);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		print_synopsis(out, &commands[i]);
		lists |= commands[i].lists;
	}
	fputc('\n', out);
	print_keyword_lists(out, lists);
	fputs("\nIF is an interface name, MS a time in milliseconds, N a length in bytes,\n"
	      "VID a VLAN ID. Commands and keywords may be shortened to a prefix that\n"
	      "names one; \"list\" and \"ls\" are show, \"delete\" is del. \"taptool COMMAND\n"
	      "help\" (or -h, --help) prints the lines of COMMAND. A name that starts\n"
	      "with \"-\" must follow \"--\". up reads NAME.conf, the words of add NAME,\n"
	      "one keyword a line; save writes it.\n"
	      "\nOptions, before COMMAND (also as -json, -pretty, ..., and prefixes):\n",
	      out);
	for (o = options_table; o < options_table + OPT_COUNT; o++) {
		snprintf(name, sizeof(name), "--%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-2s%s %-17s %s\n",
			o->short_name ? o->short_name : "",
			o->short_name ? "," : " ", name, o->help);
	}
}

/*
 * A global option: its short form, "--" and its long form, or "-" and a
 * prefix of its long form ("-js" for -json) that names only it. "-jp" is
 * iproute2's spelling of -j -p.
 */
static int find_option(const char *arg)
{
	const char *long_word = arg + 1 + (arg[1] == '-');
	int id, found = -1;

	for (id = 0; id < OPT_COUNT; id++) {
		if (options_table[id].short_name &&
		    !strcmp(arg, options_table[id].short_name))
			return id;
		if (!strcmp(long_word, options_table[id].name))
			return id;
	}
	if (arg[1] == '-' || !arg[1])
		return -1;
	for (id = 0; id < OPT_COUNT; id++) {
		if (strncmp(long_word, options_table[id].name,
			    strlen(long_word)))
			continue;
		if (found >= 0)
			return -2;
		found = id;
	}
	return found;
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

/*
 * -V: taptool's version, the module's (what MODULE_VERSION put in sysfs)
 * and the version of the family the kernel registered.
 */
static int print_version(const struct options *opts)
{
	char module[64];
	const char *module_version = NULL;
	struct tt_nl nl;
	int ret, family_version = -1;

	ret = tt_nl_module_version(module, sizeof(module));
	if (!ret)
		module_version = module;
	if (ret != -ENOENT && !tt_nl_open(&nl, TAPBRIDGE_FAMILY_NAME,
					  TAPBRIDGE_FAMILY_VERSION)) {
		family_version = nl.kernel_family_version;
		tt_nl_close(&nl);
	}

	if (opts->json)
		return tt_print_version(TT_VERSION, ret != -ENOENT,
					module_version, family_version,
					TAPBRIDGE_FAMILY_VERSION,
					opts->pretty) ? TT_EXIT_FAILURE :
							TT_EXIT_OK;
	printf("taptool %s\n", TT_VERSION);
	if (ret == -ENOENT)
		puts("tapbridge module: not loaded");
	else
		printf("tapbridge module: %s\n",
		       module_version ? module_version : "loaded, no version");
	if (family_version >= 0)
		printf("tapbridge family: version %d (taptool speaks %d)\n",
		       family_version, TAPBRIDGE_FAMILY_VERSION);
	else if (ret != -ENOENT)
		puts("tapbridge family: not registered");
	return TT_EXIT_OK;
}

static bool is_help_word(const char *word)
{
	return !strcmp(word, "help") || !strcmp(word, "-h") ||
	       !strcmp(word, "--help") || !strcmp(word, "-help");
}

/*
 * One command line after the options: "help", -h or --help anywhere but
 * after "--" prints its lines, and "--" first lets names start with "-".
 */
static int run_command(const struct options *global, int argc, char **argv)
{
	struct options opts = *global;
	const struct command *cmd;
	int ret, i;

	ret = find_command(argv[0], &cmd);
	if (ret)
		return ret;
	argc--;
	argv++;

	if (argc && !strcmp(argv[0], "--")) {
		opts.literal = true;
		argc--;
		argv++;
	} else if (cmd->run != cmd_help) {
		for (i = 0; i < argc; i++) {
			if ((i == 0 || argv[i][0] == '-') &&
			    is_help_word(argv[i])) {
				print_command_usage(stdout, cmd);
				return TT_EXIT_OK;
			}
		}
	}
	return cmd->run(&opts, argc, argv);
}

/*
 * The words of one batch line, split in place: blanks separate words,
 * "..." and '...' keep blanks in one, a backslash takes the next
 * character as it is, and "#" at the start of a word begins a comment.
 */
static int split_words(char *line, char **words, int max, int *n)
{
	char *in = line, *out, quote;

	*n = 0;
	for (;;) {
		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			return 0;
		if (*n == max)
			return -E2BIG;
		words[(*n)++] = out = in;
		for (quote = 0; *in; in++) {
			if (!quote && strchr(" \t\n\r", *in))
				break;
			if ((*in == '"' || *in == '\'') && (!quote || quote == *in)) {
				quote = quote ? 0 : *in;
				continue;
			}
			if (*in == '\\' && quote != '\'' && in[1])
				in++;
			*out++ = *in;
		}
		if (quote)
			return -EINVAL;
		if (*in)
			in++;
		*out = '\0';
	}
}

/*
 * -batch FILE: each line a command, with the global options of the
 * command line. The first line that fails stops the batch, which exits
 * with that line's code; with -force every line runs and the batch exits
 * with the worst code of them.
 */
static int run_batch(const struct options *opts)
{
	bool is_stdin = !strcmp(opts->batch, "-");
	char *words[BATCH_MAX_WORDS];
	unsigned int lineno = 0;
	int n, ret, worst = 0;
	size_t cap = 0;
	char *line = NULL;
	FILE *in;

	in = is_stdin ? stdin : fopen(opts->batch, "r");
	if (!in) {
		tt_error("cannot open \"%s\": %s", opts->batch, strerror(errno));
		return TT_EXIT_FAILURE;
	}
	while (getline(&line, &cap, in) != -1) {
		lineno++;
		ret = split_words(line, words, BATCH_MAX_WORDS, &n);
		if (ret == -E2BIG)
			ret = usage_error("more than %d words", BATCH_MAX_WORDS);
		else if (ret)
			ret = usage_error("a quote is not closed");
		else if (!n)
			continue;
		else
			ret = run_command(opts, n, words);
		fflush(stdout);
		if (!ret)
			continue;
		fprintf(stderr, "Command failed %s:%u\n", opts->batch, lineno);
		if (ret > worst)
			worst = ret;
		if (!opts->force)
			break;
	}
	if (ferror(in)) {
		tt_error("cannot read \"%s\": %s", opts->batch, strerror(errno));
		worst = TT_EXIT_FAILURE;
	}
	free(line);
	if (!is_stdin)
		fclose(in);
	return worst;
}

/* -n NETNS: as "ip -n", a name under /run/netns; a path is taken too. */
static int enter_netns(const char *netns)
{
	char path[PATH_MAX];
	int fd;

	if (strchr(netns, '/'))
		snprintf(path, sizeof(path), "%s", netns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		tt_error("cannot open network namespace \"%s\": %s", netns,
			 strerror(errno));
		return TT_EXIT_FAILURE;
	}
	if (setns(fd, CLONE_NEWNET)) {
		tt_error("cannot enter network namespace \"%s\": %s", netns,
			 strerror(errno));
		close(fd);
		return TT_EXIT_FAILURE;
	}
	close(fd);
	return TT_EXIT_OK;
}

/*
 * The global options, up to the command or "--". Return: -1 to go on
 * with the command, else the exit code (help, version, a usage error).
 */
static int parse_options(int *argc, char ***argv, struct options *opts,
			 bool *version)
{
	char *arg;
	int id;

	for (; *argc && (*argv)[0][0] == '-'; (*argc)--, (*argv)++) {
		arg = (*argv)[0];
		if (!strcmp(arg, "--")) {
			(*argc)--;
			(*argv)++;
			break;
		}
		if (!strcmp(arg, "-jp")) {
			opts->json = opts->pretty = true;
			continue;
		}
		id = find_option(arg);
		if (id == -2)
			return usage_error("ambiguous option \"%s\"", arg);
		if (id < 0)
			return usage_error("unknown option \"%s\"", arg);
		if (options_table[id].arg && *argc < 2)
			return usage_error("option \"%s\" needs %s", arg,
					   options_table[id].arg);
		switch (id) {
		case OPT_JSON:
			opts->json = true;
			break;
		case OPT_PRETTY:
			opts->pretty = true;
			break;
		case OPT_HUMAN:
			opts->human = true;
			break;
		case OPT_FORCE:
			opts->force = true;
			break;
		case OPT_NETNS:
			opts->netns = (*argv)[1];
			(*argc)--;
			(*argv)++;
			break;
		case OPT_BATCH:
			opts->batch = (*argv)[1];
			(*argc)--;
			(*argv)++;
			break;
		case OPT_CONFIG_DIR:
			opts->config_dir = (*argv)[1];
			(*argc)--;
			(*argv)++;
			break;
		case OPT_VERSION:
			*version = true;
			break;
		case OPT_HELP:
			print_usage(stdout);
			return TT_EXIT_OK;
		}
	}
	return -1;
}

/**
 * tt_main - taptool's main(), callable by a test harness
 * @argc: as main()'s
 * @argv: as main()'s; the words may be modified
 *
 * Return: the exit code.
 */
int tt_main(int argc, char **argv)
{
	struct options opts = { .config_dir = TT_CONFIG_DIR };
	bool version = false;
	int ret;

	argc--;
	argv++;
	ret = parse_options(&argc, &argv, &opts, &version);
	if (ret >= 0)
		return finish_output(ret);
	if (opts.netns && enter_netns(opts.netns))
		return TT_EXIT_FAILURE;
	if (version)
		return finish_output(print_version(&opts));
	if (opts.batch) {
		if (argc)
			return usage_error("-batch takes its commands from \"%s\", not \"%s\"",
					   opts.batch, argv[0]);
		return finish_output(run_batch(&opts));
	}
	if (!argc) {
		print_usage(stderr);
		return TT_EXIT_USAGE;
	}
	return finish_output(run_command(&opts, argc, argv));
}
