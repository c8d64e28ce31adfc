#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of taptool: grammar, messages, exit codes, output formats and
# memory hygiene. They need no tapbridge module: on a host without it,
# every command that gets past the grammar must stop at the family lookup
# with the "not loaded" line, which also proves it was not refused
# client-side. taptool_fake (taptool linked with tests/fake_nl.c) shows
# what each line sends and how replies, warnings and events are reported;
# output_test pins the formats by parsing and printing messages built as
# the kernel builds them. The VM selftests cover real kernel replies.
#
# Prints KTAP; exits 1 if any test failed.
#
#   TAPTOOL=path OUTPUT_TEST=path TAPTOOL_FAKE=path tests/run.sh
#   (defaults: the built ones; TT_SANITIZED=1 when they are the ASan/UBSan
#   builds, which valgrind cannot run)

set -u

DIR=$(cd "$(dirname "$0")" && pwd)
TAPTOOL=${TAPTOOL:-$DIR/../taptool}
OUTPUT_TEST=${OUTPUT_TEST:-$DIR/output_test}
TAPTOOL_FAKE=${TAPTOOL_FAKE:-$DIR/taptool_fake}

NOT_LOADED='Error: the tapbridge kernel module is not loaded (modprobe tapbridge)'
HINT='Try "taptool help".'
NO_IF=nosuch0tt		# an interface name no host has

# Event times are printed in local time: pin it.
export TZ=UTC

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/json"

# keep_json FILE: a copy of FILE, if it is JSON output, for the schema
# test at the end (json_outputs_match_the_schema).
json_n=0
keep_json()
{
	local first

	# A text line of monitor starts with "[2026-...": not JSON.
	first=$(tr -d ' \t\n' <"$1" | head -c 2)
	[[ $first == "{"* || $first == "[{" || $first == "[]" ]] || return 0
	json_n=$((json_n + 1))
	cp "$1" "$TMP/json/$json_n.json"
}

# ---- KTAP plumbing --------------------------------------------------------

num=0 pass=0 fail=0 skip=0
reasons=()
skip_reason=

# expect WHAT WANT GOT: record a failure unless WANT and GOT are equal.
expect()
{
	[ "$2" == "$3" ] && return 0
	reasons+=("$1:" "  expected: ${2//$'\n'/\\n}" "  got:      ${3//$'\n'/\\n}")
	return 1
}

# run ARGS...: run taptool, leaving stdout, stderr and exit code in
# $out, $err and $rc.
run()
{
	"$TAPTOOL" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	keep_json "$TMP/out"
	out=$(<"$TMP/out")
	err=$(<"$TMP/err")
}

# expect_run RC STDOUT STDERR ARGS...: taptool ARGS gives exactly these.
expect_run()
{
	local want_rc=$1 want_out=$2 want_err=$3

	shift 3
	run "$@"
	expect "taptool $* exit code" "$want_rc" "$rc"
	expect "taptool $* stdout" "$want_out" "$out"
	expect "taptool $* stderr" "$want_err" "$err"
}

# usage_error MESSAGE ARGS...: a grammar error, exit 2, message plus hint.
usage_error()
{
	expect_run 2 "" "Error: $1"$'\n'"$HINT" "${@:2}"
}

# fails_with MESSAGE ARGS...: a runtime error, exit 1, exactly one line.
fails_with()
{
	expect_run 1 "" "Error: $1" "${@:2}"
}

# reaches_kernel ARGS...: got past the grammar to the family lookup.
reaches_kernel()
{
	fails_with "${NOT_LOADED#Error: }" "$@"
}

need_no_module()
{
	[ -d /sys/module/tapbridge ] &&
		skip_reason="tapbridge is loaded here; the VM selftests cover this"
}

run_test()
{
	local name=$1

	num=$((num + 1))
	reasons=()
	skip_reason=
	"test_$name"
	if [ -n "$skip_reason" ]; then
		echo "ok $num $name # SKIP $skip_reason"
		skip=$((skip + 1))
	elif [ ${#reasons[@]} -gt 0 ]; then
		# A reason may span lines (valgrind's report): keep each a comment.
		printf '%s\n' "${reasons[@]}" | sed 's/^/# /'
		echo "not ok $num $name"
		fail=$((fail + 1))
	else
		echo "ok $num $name"
		pass=$((pass + 1))
	fi
}

# ---- usage text -----------------------------------------------------------

SYNOPSIS=(
	"taptool add NAME port-a IF port-b IF mode aggregate [mirror IF] [INSTANCE-OPTIONS]"
	"taptool add NAME port-a IF port-b IF mode split mirror-ab IF mirror-ba IF [INSTANCE-OPTIONS]"
	"taptool add NAME port-a IF port-b IF mode custom mirror IF [MIRROR-OPTIONS] [mirror IF [MIRROR-OPTIONS]]... [INSTANCE-OPTIONS]"
	"taptool set NAME mode aggregate [mirror IF] [INSTANCE-OPTIONS]"
	"taptool set NAME mode split mirror-ab IF mirror-ba IF [INSTANCE-OPTIONS]"
	"taptool set NAME INSTANCE-OPTIONS"
	"taptool set NAME mirror add IF [MIRROR-OPTIONS]"
	"taptool set NAME mirror del IF"
	"taptool del NAME"
	"taptool show [NAME]"
	"taptool stats [-i SECONDS] [NAME]"
	"taptool reset-stats NAME"
	"taptool monitor [NAME]"
	"taptool up NAME"
	"taptool down NAME"
	"taptool save NAME"
	"taptool help [COMMAND]"
)

# The keyword lists the synopsis names, as help spells them out.
INSTANCE_OPTIONS="\
INSTANCE-OPTIONS := [link-propagation on|off] [hold-down MS] [rx-all on|off]
                    [port-loss delete|wait] [capture on|off]
                    [wire-tstamp on|off]"
MIRROR_OPTIONS="\
MIRROR-OPTIONS := [dir a-b|b-a|both] [snaplen N] [tag-ab VID] [tag-ba VID]
                  [tpid 802.1q|802.1ad] [rx-pass on|off]"

test_help_lists_every_command()
{
	local line

	run help
	expect "help exit code" 0 "$rc"
	expect "help stderr" "" "$err"
	for line in "${SYNOPSIS[@]}"; do
		grep -qxF "  $line" <<<"$out" ||
			reasons+=("help does not list \"$line\"")
	done
	for line in -j,\ --json -p,\ --pretty -h,\ --human -V,\ --version \
		"    --help" "-n, --netns NETNS" "-b, --batch FILE" "    --force" \
		"-C, --config-dir DIR"; do
		grep -qF -- "  $line " <<<"$out" ||
			reasons+=("help does not list option \"$line\"")
	done
	# Every command, in the order of the table, and nothing else.
	expect "help command lines" "$(printf '  %s\n' "${SYNOPSIS[@]}")" \
		"$(grep '^  taptool ' <<<"$out")"
}

test_help_spells_out_keyword_lists()
{
	run help
	[[ $out == *$'\n\n'"$INSTANCE_OPTIONS"$'\n'"$MIRROR_OPTIONS"$'\n\n'* ]] ||
		reasons+=("help does not spell out the keyword lists:" "$out")
	# Wrapped before 80 columns, as the rest of the prose is.
	[ -z "$(awk 'length > 79 && !/^  taptool /' <<<"$out")" ] ||
		reasons+=("help has long lines: $(awk 'length > 79' <<<"$out")")
}

# -h is iproute2's -human; help is --help, -help or a prefix of -help.
test_help_options_print_the_same_text()
{
	local help

	run help
	help=$out
	expect_run 0 "$help" "" --help
	expect_run 0 "$help" "" -help
	expect_run 0 "$help" "" -he
	expect_run 0 "$help" "" -j --help
	expect_run 2 "" "$help" -h
}

test_no_arguments_print_usage_on_stderr()
{
	local help

	run help
	help=$out
	expect_run 2 "" "$help"
}

test_command_help()
{
	local add set

	add="Usage:"$(printf '\n  %s' "${SYNOPSIS[@]:0:3}")
	add+=$'\n\n'"$INSTANCE_OPTIONS"$'\n'"$MIRROR_OPTIONS"
	expect_run 0 "$add" "" add help
	expect_run 0 "$add" "" help add
	set="Usage:"$(printf '\n  %s' "${SYNOPSIS[@]:3:5}")
	set+=$'\n\n'"$INSTANCE_OPTIONS"$'\n'"$MIRROR_OPTIONS"
	expect_run 0 "$set" "" set help
	expect_run 0 "$set" "" help set
	expect_run 0 "$set" "" help se
	expect_run 0 "Usage:"$'\n'"  ${SYNOPSIS[9]}" "" show help
	expect_run 0 "Usage:"$'\n'"  ${SYNOPSIS[9]}" "" help ls
	expect_run 0 "Usage:"$'\n'"  ${SYNOPSIS[8]}" "" del help
	expect_run 0 "Usage:"$'\n'"  ${SYNOPSIS[12]}" "" monitor help
	usage_error 'unknown command "frob"' help frob
}

# COMMAND -h, --help and help print COMMAND's lines and send nothing:
# before, "add -h" created an instance named "-h".
test_command_help_sends_nothing()
{
	local add show words

	add=$("$TAPTOOL" help add)
	show=$("$TAPTOOL" help show)
	for words in "add -h" "add --help" "add -help" "add help" \
		     "add t0 port-a lo -h" "add t0 port-a lo port-b --help" \
		     "set t0 mirror add lo -h"; do
		# shellcheck disable=SC2086 # the words are the arguments
		fake $words
		expect "taptool $words" "0|$([[ $words == set* ]] &&
			"$TAPTOOL" help set || echo "$add")||" \
			"$rc|$out|$err|$sent"
	done
	for words in "show -h" "sh --help" "ls help" "list -h"; do
		# shellcheck disable=SC2086
		fake $words
		expect "taptool $words" "0|$show||" "$rc|$out|$err|$sent"
	done
}

# The version is debian/changelog's (scripts/version.sh), the one place it
# is kept.
test_version()
{
	local version

	version=$("$DIR/../../../scripts/version.sh")
	run -V
	expect "-V exit code" 0 "$rc"
	expect "-V first line" "taptool $version" "${out%%$'\n'*}"
	expect_run 0 "$out" "" --version
	expect_run 0 "$out" "" -version
	fake -V
	expect "-V, no module" "0|taptool $version"$'\n'"tapbridge module: not loaded|" \
		"$rc|$out|$err"
	TT_FAKE_MODULE_VERSION=1.2 TT_FAKE_FAMILY_VERSION=3 fake -V
	expect "-V, module 1.2, family 3" "0|taptool $version
tapbridge module: 1.2
tapbridge family: version 3 (taptool speaks 1)|" "$rc|$out|$err"
	TT_FAKE_MODULE_VERSION= fake -V
	expect "-V, module without a version" "0|taptool $version
tapbridge module: loaded, no version
tapbridge family: version 1 (taptool speaks 1)|" "$rc|$out|$err"
	TT_FAKE_MODULE_VERSION=1.2 fake -j -V
	expect "-j -V" "0|{\"schema_version\":1,\"taptool\":\"$version\",\"module_loaded\":true,\"module_version\":\"1.2\",\"family_version\":1,\"family_version_spoken\":1}|" \
		"$rc|$out|$err"
	fake -j -V
	expect "-j -V, no module" "0|{\"schema_version\":1,\"taptool\":\"$version\",\"module_loaded\":false,\"module_version\":null,\"family_version\":null,\"family_version_spoken\":1}|" \
		"$rc|$out|$err"
}

# ---- grammar errors: exit 2, one message, the hint ------------------------

test_unknown_command()
{
	usage_error 'unknown command "frob"' frob
	usage_error 'unknown command "lists"' -j lists
	usage_error 'unknown command "-j"' -- -j show
}

test_ambiguous_command()
{
	usage_error 'ambiguous command "s": set, show, stats or save' s t0
	usage_error 'ambiguous command "s": set, show, stats or save' -j s
}

test_unknown_option()
{
	usage_error 'unknown option "-x"' -x show
	usage_error 'unknown option "--jsonx"' --jsonx show
	usage_error 'unknown option "--j"' --j show
	usage_error 'unknown option "-jsonx"' -jsonx show
	usage_error 'option "-n" needs NETNS' -n
	usage_error 'option "-batch" needs FILE' -batch
}

# Prefixes of commands and keywords, and the aliases, send what the words
# in full send.
test_prefixes_and_aliases()
{
	sends 'get dump' sh
	sends 'get dump' ls
	sends 'get dump' list
	sends 'get dump' l
	sends 'get name="t0"' st t0
	sends 'delete name="t0"' delete t0
	sends 'delete name="t0"' de t0
	usage_error 'ambiguous command "d": del or down' d t0
	sends 'delete name="t0"' do t0
	sends 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:1 mirror=u32:1' \
		a t0 port-a lo port-b lo mo aggregate mirror lo
	sends 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:2 mirror-ab=u32:1 mirror-ba=u32:1 rx-all=u8:1' \
		a t0 port-a lo port-b lo mo split mirror-a lo mirror-b lo rx-a on
	sends 'set name="t0" link-propagation=u8:1 hold-down=u32:5' \
		se t0 l on h 5
	sends 'mirror-add name="t0" mirrors={ ifindex=u32:1 direction=u32:1 snaplen=u32:64 rx-pass=u8:1 }' \
		se t0 mirror add lo d a-b s 64 r on
	sends 'mirror-del name="t0" mirrors={ ifindex=u32:1 }' set t0 mirror del lo
	fake mo x
	expect "mo is monitor" "1|subscribe events" "$rc|$sent"
}

test_ambiguous_keyword()
{
	usage_error 'ambiguous keyword "po" for "add": port-a, port-b or port-loss' \
		add t0 po lo
	usage_error 'ambiguous keyword "mi" for "add": mirror, mirror-ab or mirror-ba' \
		add t0 port-a lo mi lo
	usage_error 'ambiguous keyword "m" for "set": mode, mirror, mirror-ab or mirror-ba' \
		set t0 m lo
	usage_error 'ambiguous keyword "t" for "mirror add": tag-ab, tag-ba or tpid' \
		set t0 mirror add lo t 5
	usage_error 'unknown keyword "-j" for "add" (options go before the command)' \
		add t0 port-a lo -j on
}

# A name that starts with "-" is an option mistyped, unless after "--".
test_names_starting_with_a_dash()
{
	local inst='is not a valid instance name: it starts with "-" (put "--" before the arguments to mean it)'
	local iface='is not a valid interface name: it starts with "-" (put "--" before the arguments to mean it)'

	usage_error "\"-x\" $inst" add -x port-a lo
	usage_error "\"-j\" $inst" show -j
	usage_error "\"-x\" $inst" del -x
	usage_error "\"-x\" $inst" set -x rx-all on
	usage_error "\"-x\" $inst" stats -x
	usage_error "\"-lo\" $iface" add t0 port-a -lo
	usage_error "\"-lo\" $iface" set t0 mirror add -lo
	usage_error "\"-lo\" $iface" set t0 mirror del -lo
	usage_error "\"-lo\" $iface" set t0 mode aggregate mirror -lo
	sends 'delete name="-x"' del -- -x
	sends 'get name="-h"' show -- -h
	fails_with 'interface "-lo" does not exist' add -- t0 port-a -lo
}

# "--" ends the options: what follows is the command.
test_double_dash_ends_options()
{
	sends 'get dump' -- show
	fake -j -- show
	expect "-j -- show" "0|[]|" "$rc|$out|$err"
}

# iproute2's spellings of the options, and prefixes of them.
test_option_spellings()
{
	local spelling

	for spelling in -j -json -js --json; do
		fake $spelling show
		expect "$spelling show" "0|[]|" "$rc|$out|$err"
	done
	for spelling in "-jp" "-json -pretty" "-j -p" "--json --pretty" "-pr -j"; do
		# shellcheck disable=SC2086
		fake $spelling show
		expect "$spelling show" "0|["$'\n'"]|" "$rc|$out|$err"
	done
}

# -j on add, set and del prints the result, warnings in it, on stdout.
test_json_result_of_changes()
{
	local w1="mirror m0: MTU 1400 is below port-a's 1500" w2="port-b pb: MTU 9000"

	TT_FAKE_WARNINGS="$w1|$w2" TT_FAKE_EXTACK=$w1 \
		fake -j add t0 port-a lo port-b lo mode aggregate mirror lo
	expect "-j add" "0|{\"schema_version\":1,\"command\":\"add\",\"ifname\":\"t0\",\"ifindex\":7,\"warnings\":[\"$w1\",\"$w2\"]}|" \
		"$rc|$out|$err"
	TT_FAKE_EXTACK=$w2 fake -j set t0 rx-all on
	expect "-j set" "0|{\"schema_version\":1,\"command\":\"set\",\"ifname\":\"t0\",\"ifindex\":null,\"warnings\":[\"$w2\"]}|" \
		"$rc|$out|$err"
	fake -json set t0 mirror add lo
	expect "-json set mirror add" "0|{\"schema_version\":1,\"command\":\"set\",\"ifname\":\"t0\",\"ifindex\":null,\"warnings\":[]}|" \
		"$rc|$out|$err"
	fake -j del t0
	expect "-j del" "0|{\"schema_version\":1,\"command\":\"del\",\"ifname\":\"t0\",\"ifindex\":null,\"warnings\":[]}|" \
		"$rc|$out|$err"
	fake -jp del t0
	expect "-jp del" "0|{
  \"schema_version\": 1,
  \"command\": \"del\",
  \"ifname\": \"t0\",
  \"ifindex\": null,
  \"warnings\": [
  ]
}|" "$rc|$out|$err"
	# A refusal is still an error on stderr, with nothing on stdout.
	TT_FAKE_ERRNO=17 TT_FAKE_EXTACK='tap0: name in use' fake -j del t0
	expect "-j del refused" "1||Error: tap0: name in use" "$rc|$out|$err"
}

# add of a custom list: create on the first entry's device, then each
# entry with its options; the instance goes again if an entry is refused.
test_add_custom_list()
{
	sends 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:1 mirror=u32:1 rx-all=u8:1
mirror-add name="t0" mirrors={ ifindex=u32:1 direction=u32:3 }
mirror-add name="t0" mirrors={ ifindex=u32:1 direction=u32:1 snaplen=u32:64 tag-vid-ab=u16:1 tag-vid-ba=u16:4094 tag-tpid=u32:2 rx-pass=u8:1 }' \
		add t0 mode custom port-a lo port-b lo mirror lo dir both \
		mirror lo dir a-b snaplen 64 tag-ab 1 tag-ba 4094 tpid 802.1ad \
		rx-pass on rx-all on
	TT_FAKE_ERRNO=22 TT_FAKE_EXTACK='mirror lo: already a mirror' \
		TT_FAKE_FAIL_AT=3 fake add t0 mode custom port-a lo port-b lo \
		mirror lo mirror lo dir a-b
	expect "custom add, second entry refused" "1||Error: mirror lo: already a mirror" \
		"$rc|$out|$err"
	expect "custom add undone" 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:1 mirror=u32:1
mirror-add name="t0" mirrors={ ifindex=u32:1 }
mirror-add name="t0" mirrors={ ifindex=u32:1 direction=u32:1 }
delete name="t0"' "$sent"
	TT_FAKE_ERRNO=19 TT_FAKE_FAIL_AT=1 fake add t0 mode custom port-a lo \
		port-b lo mirror lo
	expect "custom add, create refused: nothing to undo" \
		"1|Error: No such device|"'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:1 mirror=u32:1' \
		"$rc|$err|$sent"
	usage_error 'mode custom needs a "mirror IF"' add t0 mode custom port-a lo
	usage_error 'mode custom takes "mirror IF [MIRROR-OPTIONS]" entries, not "mirror-ab"' \
		add t0 mode custom mirror lo mirror-ab lo
	usage_error '"dir" must follow the "mirror IF" it belongs to' \
		add t0 dir a-b mode custom mirror lo
	usage_error '"dir" is given twice' \
		add t0 mode custom mirror lo dir a-b dir b-a
	usage_error '"snaplen" after "mirror" needs mode custom' \
		add t0 mode aggregate mirror lo snaplen 64
	usage_error '"mirror" is given twice' add t0 mirror lo mirror lo
	usage_error 'at most 8 mirrors can be given' add t0 mode custom \
		$(for i in 1 2 3 4 5 6 7 8 9; do echo mirror lo; done)
	usage_error 'mode custom is made with "set NAME mirror add" and "mirror del"' \
		set t0 mode custom
}

# A line of show, given to add as it is printed, "NAME:" included.
test_add_takes_the_name_as_show_prints_it()
{
	sends 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:1 mirror=u32:1' \
		add t0: mode aggregate port-a lo port-b lo mirror lo
}

test_missing_instance_name()
{
	usage_error '"add" needs an instance name' add
	usage_error '"set" needs an instance name' set
	usage_error '"del" needs an instance name' del
}

test_missing_value()
{
	usage_error '"port-b" needs a value' add t0 port-a lo port-b
	usage_error '"mode" needs a value' set t0 mode
	usage_error '"mirror-ba" needs a value' \
		set t0 mode split mirror-ab lo mirror-ba
}

test_unknown_keyword()
{
	usage_error 'unknown keyword "colour" for "add"' \
		add t0 port-a lo colour red
	# Ports are fixed for the life of an instance.
	usage_error 'unknown keyword "port-a" for "set"' set t0 port-a lo
}

test_unknown_mode()
{
	usage_error 'unknown mode "mirror" (aggregate, split or custom)' \
		add t0 port-a lo port-b lo mode mirror mirror lo
	usage_error 'unknown mode "Split" (aggregate, split or custom)' \
		set t0 mode Split
}

test_mirror_keyword_of_the_other_mode()
{
	usage_error 'mode aggregate takes "mirror", not "mirror-ab"' \
		add t0 port-a lo port-b lo mode aggregate mirror-ab lo
	usage_error 'mode aggregate takes "mirror", not "mirror-ba"' \
		set t0 mode aggregate mirror-ba lo
	usage_error 'mode split takes "mirror-ab" and "mirror-ba", not "mirror"' \
		add t0 port-a lo port-b lo mode split mirror lo
}

test_keyword_given_twice()
{
	usage_error '"port-a" is given twice' \
		add t0 port-a lo port-b lo port-a lo mode aggregate mirror lo
}

test_instance_name_too_long()
{
	local msg='"abcdefghijklmnop" is not a valid instance name (1 to 15 characters)'

	usage_error "$msg" add abcdefghijklmnop port-a lo
	usage_error "$msg" del abcdefghijklmnop
	usage_error "$msg" show abcdefghijklmnop
	usage_error '"" is not a valid instance name (1 to 15 characters)' \
		stats ""
}

test_unexpected_argument()
{
	usage_error 'unexpected argument "t1"' del t0 t1
	usage_error 'unexpected argument "t1"' show t0 t1
	usage_error 'unexpected argument "t1"' -j stats t0 t1
	usage_error 'unexpected argument "set"' help add set
	usage_error 'unexpected argument "t1"' monitor t0 t1
	usage_error 'unexpected argument "lo"' -j monitor t0 lo
}

test_set_needs_something_to_change()
{
	usage_error '"set" needs a mode or an option to change' set t0
	usage_error '"set" needs a mode or an option to change' -j set t0
}

test_on_off_values()
{
	usage_error '"link-propagation" takes on or off, not "maybe"' \
		add t0 port-a lo port-b lo mode aggregate mirror lo \
		link-propagation maybe
	usage_error '"rx-all" takes on or off, not "1"' set t0 rx-all 1
	usage_error '"rx-pass" takes on or off, not "On"' \
		set t0 mirror add lo rx-pass On
}

test_number_values()
{
	local word

	for word in abc -1 +1 " 1" "1 " 0x10 1.5 ""; do
		usage_error "\"hold-down\" takes an unsigned integer, not \"$word\"" \
			set t0 hold-down "$word"
	done
	usage_error '"snaplen" takes an unsigned integer, not "12k"' \
		set t0 mirror add lo snaplen 12k
	usage_error '"tag-ba" takes an unsigned integer, not "ten"' \
		set t0 mirror add lo tag-ba ten
}

# Only what the attribute cannot hold is refused here: it could not be
# sent as typed.
test_number_wider_than_its_attribute()
{
	usage_error '"hold-down" takes an unsigned integer up to 4294967295, not "4294967296"' \
		add t0 hold-down 4294967296
	usage_error '"snaplen" takes an unsigned integer up to 4294967295, not "99999999999999999999999"' \
		set t0 mirror add lo snaplen 99999999999999999999999
	usage_error '"tag-ab" takes an unsigned integer up to 65535, not "65536"' \
		set t0 mirror add lo tag-ab 65536
	usage_error '"tag-ba" takes an unsigned integer up to 65535, not "100000"' \
		set t0 mirror add lo tag-ba 100000
}

test_unknown_direction_and_tpid()
{
	usage_error 'unknown direction "ab" (a-b, b-a or both)' \
		set t0 mirror add lo dir ab
	usage_error 'unknown direction "a->b" (a-b, b-a or both)' \
		set t0 mirror add lo dir 'a->b'
	usage_error 'unknown tpid "8021q" (802.1q or 802.1ad)' \
		set t0 mirror add lo tpid 8021q
	usage_error 'unknown tpid "0x88a8" (802.1q or 802.1ad)' \
		set t0 mirror add lo tpid 0x88a8
}

test_mirror_add_grammar()
{
	usage_error '"mirror add" needs an interface' set t0 mirror add
	usage_error 'unknown keyword "mode" for "mirror add"' \
		set t0 mirror add lo mode split
	usage_error 'unknown keyword "lo" for "mirror add"' \
		set t0 mirror add lo lo
	usage_error '"snaplen" is given twice' \
		set t0 mirror add lo snaplen 64 dir both snaplen 128
	usage_error '"dir" needs a value' set t0 mirror add lo snaplen 64 dir
	usage_error '"abcdefghijklmnop" is not a valid instance name (1 to 15 characters)' \
		set abcdefghijklmnop mirror add lo
}

test_mirror_del_grammar()
{
	usage_error '"mirror del" needs an interface' set t0 mirror del
	usage_error 'unexpected argument "dir"' set t0 mirror del lo dir both
	usage_error '"" is not a valid instance name (1 to 15 characters)' \
		set "" mirror del lo
}

# Mirror options belong to "mirror add", instance options to add and set.
test_keywords_of_other_commands()
{
	usage_error 'unknown keyword "snaplen" for "set"' set t0 snaplen 128
	usage_error '"dir" after "mirror" needs mode custom' \
		add t0 port-a lo port-b lo mode aggregate mirror lo dir both
	usage_error 'unknown keyword "link-propagation" for "mirror add"' \
		set t0 mirror add lo link-propagation on
	usage_error 'unknown keyword "hold-down" for "mirror add"' \
		set t0 mirror add lo hold-down 5
	usage_error 'unknown keyword "add" for "set"' \
		set t0 mode aggregate add lo
}

# The shape of the line first, then each value in the order typed.
test_values_are_checked_in_order()
{
	usage_error '"rx-all" takes on or off, not "yes"' \
		set t0 rx-all yes hold-down x
	usage_error '"hold-down" takes an unsigned integer, not "x"' \
		set t0 hold-down x rx-all yes
	usage_error 'unknown keyword "colour" for "set"' \
		set t0 hold-down x colour red
	usage_error '"tpid" needs a value' set t0 mirror add lo dir up tpid
}

# ---- interface names: exit 1, resolved before any kernel call -------------

test_unknown_interface()
{
	fails_with "interface \"$NO_IF\" does not exist" \
		add t0 port-a lo port-b "$NO_IF" mode aggregate mirror lo
	fails_with "interface \"$NO_IF\" does not exist" \
		set t0 mode split mirror-ab lo mirror-ba "$NO_IF"
	fails_with "interface \"$NO_IF\" does not exist" \
		set t0 mirror add "$NO_IF" dir a-b snaplen 128
	fails_with "interface \"$NO_IF\" does not exist" \
		set t0 mirror del "$NO_IF"
}

test_grammar_is_checked_before_interfaces()
{
	usage_error 'unknown keyword "bogus" for "add"' \
		add t0 port-a "$NO_IF" bogus
	usage_error 'unknown direction "up" (a-b, b-a or both)' \
		set t0 mirror add "$NO_IF" dir up
	usage_error '"link-propagation" takes on or off, not "yes"' \
		set t0 mode aggregate mirror "$NO_IF" link-propagation yes
}

# ---- what reaches the kernel: here, the family lookup ---------------------

# Semantic rules are the kernel's: these must be sent, not refused here,
# so the user sees the kernel's own message.
test_semantics_are_left_to_the_kernel()
{
	need_no_module && return
	reaches_kernel add t0 port-a lo port-b lo mode aggregate
	reaches_kernel add t0 port-a lo port-b lo mode split mirror-ab lo
	reaches_kernel add t0 port-a lo port-b lo mirror lo
	reaches_kernel add t0
	reaches_kernel set t0 mode split mirror-ba lo
	reaches_kernel set t0 mirror lo
	reaches_kernel set t0 hold-down 200
	reaches_kernel add t0 port-a lo port-b lo mode aggregate mirror lo \
		link-propagation off hold-down 5000
}

# Ranges are the kernel's: what was typed is sent, so that its policy
# message is what the user reads.
test_ranges_are_left_to_the_kernel()
{
	need_no_module && return
	reaches_kernel set t0 mirror add lo snaplen 10
	reaches_kernel set t0 mirror add lo snaplen 0
	reaches_kernel set t0 mirror add lo snaplen 4294967295
	reaches_kernel set t0 mirror add lo tag-ab 5000
	reaches_kernel set t0 mirror add lo tag-ba 0 tag-ab 65535
	reaches_kernel set t0 mirror add lo tpid 802.1ad
	reaches_kernel set t0 hold-down 600001
	reaches_kernel set t0 hold-down 007
}

test_not_loaded_add_set_del()
{
	need_no_module && return
	reaches_kernel add t0 port-a lo port-b lo mode aggregate mirror lo
	reaches_kernel add t0 mode split port-b lo mirror-ba lo port-a lo \
		mirror-ab lo
	reaches_kernel set t0 mode aggregate mirror lo
	reaches_kernel del t0
}

test_not_loaded_instance_options()
{
	need_no_module && return
	reaches_kernel add t0 port-a lo port-b lo mode aggregate mirror lo \
		link-propagation on hold-down 200 rx-all on
	reaches_kernel add t0 port-a lo port-b lo mode split mirror-ab lo \
		mirror-ba lo rx-all off hold-down 0 link-propagation on
	reaches_kernel set t0 mode split mirror-ab lo mirror-ba lo rx-all off
	reaches_kernel set t0 link-propagation on
	reaches_kernel set t0 rx-all on hold-down 1000
}

test_not_loaded_mirror_add_del()
{
	need_no_module && return
	reaches_kernel set t0 mirror add lo
	reaches_kernel set t0 mirror add lo dir both snaplen 128 tag-ab 10 \
		tag-ba 20 tpid 802.1q rx-pass on
	reaches_kernel set t0 mirror add lo rx-pass off tpid 802.1ad dir b-a
	reaches_kernel set t0 mirror del lo
}

test_not_loaded_show_stats()
{
	need_no_module && return
	reaches_kernel show
	reaches_kernel show t0
	reaches_kernel stats
	reaches_kernel stats t0
}

test_not_loaded_json()
{
	need_no_module && return
	reaches_kernel -j show
	reaches_kernel -j -p stats t0
	reaches_kernel --json --pretty show
}

test_not_loaded_monitor()
{
	need_no_module && return
	reaches_kernel monitor
	reaches_kernel -j monitor
	reaches_kernel -j -p monitor
}

# ---- what is sent, and how replies are reported: taptool_fake ------------

# taptool_fake is taptool with tests/fake_nl.c for a kernel: it logs each
# request, attributes by spec name in the order sent ("lo" is ifindex 1),
# and replies as TT_FAKE_* say.

# fake ARGS...: run taptool_fake, leaving $out, $err, $rc and the requests
# it sent in $sent.
fake()
{
	: >"$TMP/sent"
	TT_FAKE_LOG="$TMP/sent" "$TAPTOOL_FAKE" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	keep_json "$TMP/out"
	out=$(<"$TMP/out")
	err=$(<"$TMP/err")
	sent=$(<"$TMP/sent")
}

# sends REQUEST ARGS...: taptool ARGS succeeds quietly, sending REQUEST.
sends()
{
	local want=$1

	shift
	fake "$@"
	expect "taptool $* exit code" 0 "$rc"
	expect "taptool $* stdout" "" "$out"
	expect "taptool $* stderr" "" "$err"
	expect "taptool $* request" "$want" "$sent"
}

# The lines of the first release send what they always sent.
test_sends_the_first_syntax_unchanged()
{
	sends 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:1 mirror=u32:1' \
		add t0 port-a lo port-b lo mode aggregate mirror lo
	sends 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:2 mirror-ab=u32:1 mirror-ba=u32:1' \
		add t0 mode split mirror-ba lo port-b lo mirror-ab lo port-a lo
	sends 'set name="t0" mode=u32:1 mirror=u32:1' \
		set t0 mode aggregate mirror lo
	sends 'set name="t0" mode=u32:2 mirror-ab=u32:1 mirror-ba=u32:1' \
		set t0 mode split mirror-ab lo mirror-ba lo
	# "mirror IF" without a mode is still the preset keyword.
	sends 'set name="t0" mirror=u32:1' set t0 mirror lo
	sends 'delete name="t0"' del t0
}

test_sends_instance_options()
{
	sends 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:1 mirror=u32:1 link-propagation=u8:1 hold-down=u32:200 rx-all=u8:1' \
		add t0 port-a lo port-b lo mode aggregate mirror lo \
		link-propagation on hold-down 200 rx-all on
	sends 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:2 mirror-ab=u32:1 mirror-ba=u32:1 link-propagation=u8:0 rx-all=u8:0' \
		add t0 port-a lo port-b lo mode split mirror-ab lo \
		mirror-ba lo rx-all off link-propagation off
	sends 'set name="t0" hold-down=u32:200' set t0 hold-down 200
	sends 'set name="t0" link-propagation=u8:1 rx-all=u8:0' \
		set t0 rx-all off link-propagation on
	sends 'set name="t0" mode=u32:1 mirror=u32:1 hold-down=u32:0' \
		set t0 hold-down 0 mode aggregate mirror lo
}

test_sends_mirror_add_del()
{
	sends 'mirror-add name="t0" mirrors={ ifindex=u32:1 }' \
		set t0 mirror add lo
	sends 'mirror-add name="t0" mirrors={ ifindex=u32:1 direction=u32:1 snaplen=u32:128 tag-vid-ab=u16:10 tag-vid-ba=u16:20 tag-tpid=u32:2 rx-pass=u8:1 }' \
		set t0 mirror add lo rx-pass on tpid 802.1ad tag-ba 20 \
		tag-ab 10 snaplen 128 dir a-b
	sends 'mirror-add name="t0" mirrors={ ifindex=u32:1 direction=u32:2 tag-tpid=u32:1 rx-pass=u8:0 }' \
		set t0 mirror add lo dir b-a tpid 802.1q rx-pass off
	sends 'mirror-add name="t0" mirrors={ ifindex=u32:1 direction=u32:3 }' \
		set t0 mirror add lo dir both
	sends 'mirror-del name="t0" mirrors={ ifindex=u32:1 }' \
		set t0 mirror del lo
}

# Out of the kernel's range, but what was typed: sent as is.
test_sends_what_was_typed()
{
	sends 'mirror-add name="t0" mirrors={ ifindex=u32:1 snaplen=u32:10 }' \
		set t0 mirror add lo snaplen 10
	sends 'mirror-add name="t0" mirrors={ ifindex=u32:1 tag-vid-ab=u16:5000 tag-vid-ba=u16:0 }' \
		set t0 mirror add lo tag-ab 5000 tag-ba 0
	sends 'mirror-add name="t0" mirrors={ ifindex=u32:1 snaplen=u32:4294967295 tag-vid-ab=u16:65535 }' \
		set t0 mirror add lo snaplen 4294967295 tag-ab 65535
	sends 'set name="t0" hold-down=u32:600001' set t0 hold-down 600001
	sends 'set name="t0" hold-down=u32:7' set t0 hold-down 007
}

# reset-stats NAME: its request, its usage errors, its -j result, and
# the model's counters from 0 again, counted in stats-resets.
test_reset_stats()
{
	local state=$TMP/state

	sends 'reset-stats name="t0"' reset-stats t0
	sends 'reset-stats name="t0"' r t0
	usage_error '"reset-stats" needs an instance name' reset-stats
	usage_error 'unexpected argument "t1"' reset-stats t0 t1
	fake -j reset-stats t0
	expect "-j reset-stats" "0|{\"schema_version\":1,\"command\":\"reset-stats\",\"ifname\":\"t0\",\"ifindex\":null,\"warnings\":[]}|" \
		"$rc|$out|$err"

	rm -f "$state"
	TT_FAKE_STATE=$state fake add t0 port-a lo port-b lo mode aggregate mirror lo
	TT_FAKE_STATE=$state fake -j stats t0
	TT_FAKE_STATE=$state fake -j stats t0
	# a->b's rx-packets (attribute 2) grows by 2 a tick.
	expect "two ticks before the reset" "0|4|0" \
		"$rc|$(jq '.[0].a_to_b.rx_packets' <<<"$out")|$(jq '.[0].stats_resets' <<<"$out")"
	TT_FAKE_STATE=$state fake reset-stats t0
	expect "reset-stats" "0||" "$rc|$out|$err"
	TT_FAKE_STATE=$state fake stats t0
	expect "one tick after the reset" "0|  a->b: rx 2 pkts 3 bytes|  stats-resets 1" \
		"$rc|$(grep -F 'a->b' <<<"$out" | sed 's/  fwd .*//')|$(grep -F stats-resets <<<"$out")"
}

test_sends_show_stats()
{
	sends 'get dump' show
	sends 'get name="t0"' stats t0
	fake -j show
	expect "-j show of no instances" "0|[]|" "$rc|$out|$err"
}

# A warning reaches the user once, whether the reply, the extack message
# or both carry it; the command still succeeds.
test_reports_warnings()
{
	local w1="mirror m0: MTU 1400 is below port-a's 1500"
	local w2="mirror m1: MTU 1400 is below port-a's 1500"

	TT_FAKE_WARNINGS="$w1|$w2|$w1" TT_FAKE_EXTACK=$w1 \
		fake add t0 port-a lo port-b lo mode aggregate mirror lo
	expect "add warnings exit code" 0 "$rc"
	expect "add warnings stdout" "" "$out"
	expect "add warnings" "Warning: $w1"$'\n'"Warning: $w2" "$err"

	TT_FAKE_WARNINGS=$w2 TT_FAKE_EXTACK=$w1 fake set t0 rx-all on
	expect "set warnings exit code" 0 "$rc"
	expect "set warnings" "Warning: $w2"$'\n'"Warning: $w1" "$err"

	TT_FAKE_WARNINGS=$w1 fake set t0 mirror add lo snaplen 64
	expect "mirror add warning exit code" 0 "$rc"
	expect "mirror add warning" "Warning: $w1" "$err"

	# No reply, so the extack message alone.
	TT_FAKE_EXTACK=$w2 fake set t0 mirror del lo
	expect "mirror del warning exit code" 0 "$rc"
	expect "mirror del warning" "Warning: $w2" "$err"
}

test_reports_kernel_errors()
{
	local msg='Mirror snaplen must be between 64 and 65535'

	TT_FAKE_ERRNO=34 TT_FAKE_EXTACK=$msg fake set t0 mirror add lo snaplen 10
	expect "refused mirror add" "1|Error: $msg" "$rc|$err"
	TT_FAKE_ERRNO=1 fake set t0 mirror del lo
	expect "mirror del without CAP_NET_ADMIN" \
		"1|Error: Operation not permitted (CAP_NET_ADMIN needed)" \
		"$rc|$err"
}

test_monitor_prints_each_event()
{
	local events='1,7,tap0;5,7,tap0,5,pa;ENOBUFS;6,7,tap0,6,pb'
	local t='2023-11-14T22:13:2'

	TT_FAKE_TIME=1700000000 TT_FAKE_EVENTS=$events fake monitor
	expect "monitor exit code" 1 "$rc"
	expect "monitor request" "subscribe events" "$sent"
	expect "monitor stdout" "\
[${t}0.123456+00:00] tap0: created
[${t}1.123456+00:00] tap0: carrier down on pa
[${t}3.123456+00:00] tap0: link propagation took pb down" "$out"
	# A queue overflow is said and the monitor goes on; the fake then
	# ends the socket.
	expect "monitor stderr" "\
Warning: events were lost: the receive queue overflowed
Error: Connection reset by peer" "$err"

	TT_FAKE_TIME=1700000000 TT_FAKE_EVENTS=$events fake -j -p monitor
	expect "monitor -j stdout" "\
{\"schema_version\":1,\"time\":\"${t}0.123456+00:00\",\"event\":\"created\",\"ifname\":\"tap0\",\"ifindex\":7,\"dev\":null}
{\"schema_version\":1,\"time\":\"${t}1.123456+00:00\",\"event\":\"carrier-down\",\"ifname\":\"tap0\",\"ifindex\":7,\"dev\":{\"ifname\":\"pa\",\"ifindex\":5}}
{\"schema_version\":1,\"time\":\"${t}3.123456+00:00\",\"event\":\"propagation-down\",\"ifname\":\"tap0\",\"ifindex\":7,\"dev\":{\"ifname\":\"pb\",\"ifindex\":6}}" "$out"
}

# monitor NAME prints the events of that instance only.
test_monitor_one_instance()
{
	TT_FAKE_EVENTS='1,7,tap0;1,8,tap1;5,8,tap1,5,pa;3,7,tap0' fake monitor tap1
	expect "monitor tap1" "1|tap1: created
tap1: carrier down on pa|Error: Connection reset by peer" "$rc|$out|$err"
	usage_error '"abcdefghijklmnop" is not a valid instance name (1 to 15 characters)' \
		monitor abcdefghijklmnop
}

# When nlctrl says the family is gone, monitor says so and fails.
test_monitor_module_unloaded()
{
	TT_FAKE_EVENTS='1,7,tap0;DELFAMILY;1,8,tap1' fake -j monitor
	expect "monitor, module unloaded" \
		"1|{\"schema_version\":1,\"time\":null,\"event\":\"created\",\"ifname\":\"tap0\",\"ifindex\":7,\"dev\":null}|Error: the tapbridge kernel module was unloaded" \
		"$rc|$out|$err"
}

test_monitor_refusals()
{
	TT_FAKE_SUBSCRIBE_ERRNO=1 fake monitor
	expect "monitor without CAP_NET_ADMIN" \
		"1||Error: Operation not permitted (CAP_NET_ADMIN needed)" \
		"$rc|$out|$err"
	TT_FAKE_SUBSCRIBE_ERRNO=2 fake -j monitor
	expect "monitor of a module without the group" \
		"1||Error: the tapbridge kernel module has no \"events\" group" \
		"$rc|$out|$err"
	# stdout closed: said, not a silent exit.
	TT_FAKE_EVENTS='1,7,tap0' "$TAPTOOL_FAKE" monitor >&- 2>"$TMP/err"
	expect "monitor with stdout closed" \
		"1|Error: cannot write to standard output" "$?|$(<"$TMP/err")"
}

# ---- round trip: a show line given to add makes the same instance -------

# Every mode and option the selftests use, alone and together, on the
# model of the family (tests/fake_kernel.c): add it, show it, delete it,
# add the show line as printed, and show must print the same, in text and
# in JSON (but for the new ifindex).
ROUND_TRIPS=(
	"mode aggregate mirror lo"
	"mode split mirror-ab lo mirror-ba lo"
	"mode aggregate mirror lo link-propagation on"
	"mode aggregate mirror lo link-propagation on hold-down 200"
	"mode aggregate mirror lo link-propagation on hold-down 0"
	"mode split mirror-ab lo mirror-ba lo rx-all on"
	"mode aggregate mirror lo link-propagation off hold-down 5000 rx-all on"
	"mode split mirror-ab lo mirror-ba lo link-propagation on hold-down 600000 rx-all on"
	"mode custom mirror lo"
	"mode custom mirror lo dir a-b"
	"mode custom mirror lo dir b-a"
	"mode custom mirror lo dir both snaplen 64"
	"mode custom mirror lo snaplen 65535"
	"mode custom mirror lo tag-ab 1"
	"mode custom mirror lo tag-ba 4094"
	"mode custom mirror lo tag-ab 101 tag-ba 102 tpid 802.1ad"
	"mode custom mirror lo tag-ab 10 tpid 802.1q"
	"mode custom mirror lo rx-pass on"
	"mode custom mirror lo rx-pass off"
	"mode custom mirror lo dir a-b snaplen 128 tag-ab 10 tag-ba 20 tpid 802.1ad rx-pass on link-propagation on hold-down 250 rx-all on"
)

# config_json STATE: the -j show of the model's instance without what a
# new instance changes (its ifindex, the counters).
config_json()
{
	TT_FAKE_STATE=$1 fake -j show
	jq -c '.[0] | del(.ifindex, .a_to_b, .b_to_a, .mirrors[].tx_packets,
		.mirrors[].tx_bytes, .mirrors[].tx_drops, .mirrors[].sliced,
		.mirrors[].oversize, .mirrors[].rx_drops)' <<<"$out"
}

test_show_line_given_to_add_makes_the_same_instance()
{
	local config line json state=$TMP/state

	for config in "${ROUND_TRIPS[@]}"; do
		rm -f "$state"
		# shellcheck disable=SC2086 # the words are the arguments
		TT_FAKE_STATE=$state fake add t0 port-a lo port-b lo $config
		expect "add t0 $config" "0|" "$rc|$err"
		TT_FAKE_STATE=$state fake show
		line=$out
		json=$(config_json "$state")
		TT_FAKE_STATE=$state fake del t0
		# shellcheck disable=SC2086
		TT_FAKE_STATE=$state fake add $line
		expect "add $line" "0|" "$rc|$err"
		TT_FAKE_STATE=$state fake show
		expect "show after add of \"$line\"" "$line" "$out"
		expect "-j show after add of \"$line\"" "$json" \
			"$(config_json "$state")"
	done
	round_trip_of_a_list
}

# list_netns NS DEV...: netns NS with the veth pair DEV0, DEV1 for each
# DEV, for lists whose entries need devices of their own.
list_netns()
{
	local ns=$1 dev

	shift
	if ! ip netns add "$ns" 2>/dev/null; then
		reasons+=("cannot create a network namespace for the list")
		return 1
	fi
	for dev in "$@"; do
		ip -n "$ns" link add "${dev}0" type veth peer name "${dev}1" ||
			reasons+=("cannot create veths in $ns")
	done
}

# A list of several entries made by mirror add, in its order, on veths
# of a netns of its own: the entries need devices of their own.
round_trip_of_a_list()
{
	local ns=tt-list-$$ state=$TMP/state line want

	list_netns "$ns" a b c || return
	rm -f "$state"
	TT_FAKE_STATE=$state fake -n "$ns" add t0 port-a a0 port-b a1 \
		mode split mirror-ab b0 mirror-ba b1
	TT_FAKE_STATE=$state fake -n "$ns" set t0 mirror add c0 dir b-a snaplen 100
	TT_FAKE_STATE=$state fake -n "$ns" set t0 mirror add b0 dir a-b tag-ab 7
	TT_FAKE_STATE=$state fake -n "$ns" set t0 mirror add c1 rx-pass on
	TT_FAKE_STATE=$state fake -n "$ns" show
	line=$out
	want="t0: mode custom port-a a0 port-b a1 mirror b0 dir a-b tag-ab 7"
	want+=" mirror b1 dir b-a mirror c0 dir b-a snaplen 100 mirror c1 dir both rx-pass on"
	expect "show of a list made by mirror add" "$want" "$line"
	TT_FAKE_STATE=$state fake -n "$ns" del t0
	# shellcheck disable=SC2086 # the words are the arguments
	TT_FAKE_STATE=$state fake -n "$ns" add $line
	TT_FAKE_STATE=$state fake -n "$ns" show
	expect "show after add of \"$line\"" "$line" "$out"
	ip netns del "$ns"
}

# ---- config files: up, down, save ----------------------------------------

# conf TEXT: $TMP/conf/t0.conf holds TEXT (printf's %b: \n and \0 work).
conf()
{
	rm -rf "$TMP/conf"
	mkdir "$TMP/conf"
	printf '%b' "$1" >"$TMP/conf/t0.conf"
}

# pairs_to_lines WORDS...: one "keyword value" a line, "mirror IF" of a
# custom list starting a line its options follow.
pairs_to_lines()
{
	local custom= out=

	[[ " $* " == *" mode custom "* ]] && custom=1
	while [ $# -ge 2 ]; do
		if [ -n "$custom" ] && { [ "$1" != mirror ] &&
			[[ " dir snaplen tag-ab tag-ba tpid rx-pass " == *" $1 "* ]]; }; then
			out+=" $1 $2"
		else
			out+=$'\n'"$1 $2"
		fi
		shift 2
	done
	printf '%s\n' "${out#$'\n'}"
}

# up sends what add sends for the same words, whatever lines they are on.
test_up_sends_what_add_sends()
{
	local config add_sent

	for config in "${ROUND_TRIPS[@]}"; do
		# shellcheck disable=SC2086 # the words are the arguments
		fake add t0 port-a lo port-b lo $config
		add_sent=$sent
		# shellcheck disable=SC2086
		conf "# t0, as an operator writes it\n\nport-a lo   # the A side\n$(pairs_to_lines port-b lo $config)\n"
		fake -C "$TMP/conf" up t0
		expect "up of \"$config\"" "0|||$add_sent" "$rc|$out|$err|$sent"
		# The same words on one line, quoted and prefixed, as add takes them.
		conf "port-a 'lo' port-b \"lo\" $config"
		fake -C "$TMP/conf" up t0
		expect "up of \"$config\" on one line" "0|$add_sent" "$rc|$sent"
	done
	sends 'delete name="t0"' -C "$TMP/none" down t0
	conf "po lo\npo lo\n"
	fake -C "$TMP/conf" up t0
	expect "a prefix of two keywords" \
		"2|Error: $TMP/conf/t0.conf:1: ambiguous keyword \"po\" for \"up\": port-a, port-b or port-loss|" \
		"$rc|$err|$sent"
	# What the kernel needs is the kernel's to say, as for add.
	conf "port-a lo"
	sends 'create name="t0" port-a=u32:1' -C "$TMP/conf/" up t0
}

# bad_conf RC MESSAGE TEXT [NAME]: up of a file with TEXT fails with RC
# and "Error: FILE:MESSAGE", having sent nothing.
bad_conf()
{
	conf "$3"
	fake -C "$TMP/conf" up "${4:-t0}"
	expect "up of \"${3//$'\n'/\\n}\"" "$1||Error: $TMP/conf/t0.conf:$2|" \
		"$rc|$out|$err|$sent"
}

# A bad file is refused whole, at its line, before anything is sent.
test_up_refuses_a_bad_file()
{
	local head="port-a lo\nport-b lo\n"

	bad_conf 2 '3: unknown keyword "mirrors" for "up"' "$head""mirrors lo\nmode aggregate\n"
	bad_conf 2 '3: "hold-down" needs a value' "$head""hold-down\n200\nmode aggregate mirror lo\n"
	bad_conf 2 '4: "snaplen" takes an unsigned integer, not "x"' \
		"$head""mode custom\nmirror lo snaplen x\n"
	bad_conf 2 '4: unknown mode "agregate" (aggregate, split or custom)' \
		"$head# comment\nmode agregate\nmirror lo\n"
	bad_conf 2 '4: mode split takes "mirror-ab" and "mirror-ba", not "mirror"' \
		"$head""mode split\nmirror lo\nmirror-ab lo\n"
	bad_conf 2 '3: mode custom needs a "mirror IF"' "$head""mode custom\nrx-all on\n"
	bad_conf 2 '3: "dir" must follow the "mirror IF" it belongs to' \
		"$head""dir a-b\nmode custom\nmirror lo\n"
	bad_conf 2 '2: "port-a" is given twice' "port-a lo\nport-a lo\nmode aggregate mirror lo\n"
	bad_conf 2 '5: "rx-all" takes on or off, not "yes"' \
		"$head""mode aggregate\nmirror lo\nrx-all yes\n"
	bad_conf 2 '3: "snaplen" after "mirror" needs mode custom' \
		"$head""mode aggregate mirror lo snaplen 64\n"
	bad_conf 2 '2: a quote is not closed' "port-a lo\nport-b 'lo\n"
	bad_conf 2 '2: "-lo" is not a valid interface name: it starts with "-" (put "--" before the arguments to mean it)' \
		"port-a lo\nport-b -lo\n"
	# The grammar of the whole file first, then the interfaces, in order.
	bad_conf 2 '4: unknown keyword "x" for "up"' \
		"port-a $NO_IF\nport-b lo\nmode aggregate mirror lo\nx y\n"
	bad_conf 1 "2: interface \"$NO_IF\" does not exist" \
		"port-a lo\nport-b $NO_IF\nmode aggregate\nmirror ${NO_IF}b\n"
	bad_conf 2 ' no configuration in the file' "# nothing but\n\n   # comments\n"
	bad_conf 2 ' a NUL byte: not a config file' "port-a lo\0\nport-b lo\n"
	bad_conf 2 " longer than 65536 bytes: not a config file" \
		"$(printf '# %.0s' $(seq 1 33000))"
	bad_conf 2 "1: more than 512 words in the file" "$(printf 'port-a lo %.0s' $(seq 1 257))"
	conf ""
	fake -C "$TMP/conf" up t1
	expect "up of a file that is not there" \
		"1|Error: cannot open \"$TMP/conf/t1.conf\": No such file or directory|" \
		"$rc|$err|$sent"
	usage_error '"a/b" is not a valid instance name' -C "$TMP/conf" up a/b
	usage_error '".." is not a valid instance name' -C "$TMP/conf" save ..
	usage_error '"up" needs an instance name' up
	usage_error 'unexpected argument "t1"' up t0 t1
	usage_error '"down" needs an instance name' down
	usage_error 'option "-C" needs DIR' -C
}

# A custom list is several requests: one refused undoes the instance.
test_up_undoes_a_list_refused_part_way()
{
	local state=$TMP/state

	rm -f "$state"
	conf "port-a lo\nport-b lo\nmode custom\nmirror lo dir a-b\nmirror lo dir b-a snaplen 64\n"
	TT_FAKE_STATE=$state TT_FAKE_ERRNO=22 TT_FAKE_EXTACK='mirror lo: refused' \
		TT_FAKE_FAIL_AT=3 fake -C "$TMP/conf" up t0
	expect "up, second entry refused" "1|Error: mirror lo: refused" "$rc|$err"
	expect "up undone" "delete name=\"t0\"" "${sent##*$'\n'}"
	TT_FAKE_STATE=$state fake show
	expect "nothing left after the refused up" "0||" "$rc|$out|$err"
}

# save writes what up makes again: the same show, the same JSON, the
# same file; -j of up, down and save each print a result.
test_save_and_up_round_trip()
{
	local config line json file state=$TMP/state

	for config in "${ROUND_TRIPS[@]}"; do
		rm -rf "$state" "$TMP/conf"
		# shellcheck disable=SC2086 # the words are the arguments
		TT_FAKE_STATE=$state fake add t0 port-a lo port-b lo $config
		TT_FAKE_STATE=$state fake show
		line=$out
		json=$(config_json "$state")
		TT_FAKE_STATE=$state fake -C "$TMP/conf" save t0
		expect "save after add $config" "0|||" "$rc|$out|$err|$(ls -A "$TMP/conf" | grep -v '^t0.conf$')"
		file=$(<"$TMP/conf/t0.conf")
		TT_FAKE_STATE=$state fake -j -C "$TMP/conf" down t0
		expect "-j down" '0|{"schema_version":1,"command":"down","ifname":"t0","ifindex":null,"warnings":[]}|' \
			"$rc|$out|$err"
		TT_FAKE_STATE=$state fake -C "$TMP/conf" up t0
		expect "up of the saved \"$config\"" "0|" "$rc|$err"
		TT_FAKE_STATE=$state fake show
		expect "show after up of the saved \"$config\"" "$line" "$out"
		expect "-j show after up of the saved \"$config\"" "$json" \
			"$(config_json "$state")"
		TT_FAKE_STATE=$state fake -j -C "$TMP/conf" save t0
		expect "-j save" '0|{"schema_version":1,"command":"save","ifname":"t0","ifindex":null,"warnings":[]}|' \
			"$rc|$out|$err"
		expect "save after up of the saved \"$config\"" "$file" "$(<"$TMP/conf/t0.conf")"
		expect "$config: mode 0644" 644 "$(stat -c %a "$TMP/conf/t0.conf")"
	done
	save_of_a_list
}

# A list of several entries, in order, on veths of a netns of its own.
save_of_a_list()
{
	local ns=tt-save-$$ state=$TMP/state line want

	list_netns "$ns" a b || return
	rm -rf "$state" "$TMP/conf"
	TT_FAKE_STATE=$state fake -n "$ns" add t0 port-a a0 port-b a1 mode custom \
		mirror b1 dir b-a snaplen 100 mirror b0 tag-ab 7 tag-ba 8 tpid 802.1ad \
		mirror a0 rx-pass on link-propagation on hold-down 10 rx-all on
	TT_FAKE_STATE=$state fake -n "$ns" show
	line=$out
	TT_FAKE_STATE=$state fake -n "$ns" -C "$TMP/conf" save t0
	want='port-a a0
port-b a1
mode custom
mirror b1 dir b-a snaplen 100
mirror b0 dir both tag-ab 7 tag-ba 8 tpid 802.1ad
mirror a0 dir both rx-pass on
link-propagation on
hold-down 10
rx-all on
port-loss delete'
	expect "save of a list" "0|$want" "$rc|$(grep -v '^#' "$TMP/conf/t0.conf")"
	TT_FAKE_STATE=$state fake -n "$ns" -C "$TMP/conf" down t0
	TT_FAKE_STATE=$state fake -n "$ns" -C "$TMP/conf" up t0
	TT_FAKE_STATE=$state fake -n "$ns" show
	expect "show after up of the saved list" "0|$line" "$rc|$out"
	# A device that is gone cannot be named: nothing is written.
	ip -n "$ns" link del b0
	cp "$TMP/conf/t0.conf" "$TMP/saved"
	TT_FAKE_STATE=$state fake -n "$ns" -C "$TMP/conf" save t0
	expect "save with a mirror gone" \
		'1|Error: "t0": mirror is gone: nothing was saved|t0.conf' \
		"$rc|$err|$(ls -A "$TMP/conf")"
	expect "the old file is left as it was" "$(<"$TMP/saved")" "$(<"$TMP/conf/t0.conf")"
	ip netns del "$ns"
}

test_save_refusals()
{
	local state=$TMP/state

	rm -rf "$state" "$TMP/conf"
	TT_FAKE_STATE=$state fake -C "$TMP/conf" save t0
	expect "save of no instance" "1|Error: No such device|" \
		"$rc|$err|$(ls -A "$TMP/conf")"
	TT_FAKE_STATE=$state fake -C "$TMP/no/such" save t0
	expect "save into a directory whose parent is not there" \
		"1|Error: cannot make \"$TMP/no/such\": No such file or directory" "$rc|$err"
	reaches_kernel -C "$TMP/conf" save t0
	reaches_kernel down t0
}

# ---- stats -i: rates from known counter steps ------------------------------

# On the model (tests/fake_kernel.c), each get is one tick: a->b counter
# attribute A grows by A a tick, b->a by 10 A, mirror entry M's counter A
# by A + 100 M. The fake clock moves by exactly the interval.
test_stats_interval_rates()
{
	local state=$TMP/state t='[2023-11-14T22:13:2'

	rm -f "$state"
	TT_FAKE_STATE=$state fake add t0 port-a lo port-b lo mode aggregate mirror lo
	TT_FAKE_STATE=$state fake add t1 port-a lo port-b lo mode split \
		mirror-ab lo mirror-ba lo
	TT_FAKE_STATE=$state TT_FAKE_WAITS=2 fake stats -i 2
	expect "stats -i 2: two intervals, then SIGINT" "0|$(cat <<EOF
${t}2.000000+00:00] t0: rates over 2 s
  a->b: rx 1 pkt/s 1.5 B/s  fwd 2 pkt/s 2.5 B/s  fwd-drops 3/s oversize 5/s  mirror 3.5 pkt/s 4 B/s  mirror-drops 4.5/s
  b->a: rx 10 pkt/s 15 B/s  fwd 20 pkt/s 25 B/s  fwd-drops 30/s oversize 50/s  mirror 35 pkt/s 40 B/s  mirror-drops 45/s
  mirror lo: tx 4.5 pkt/s 5 B/s  tx-drops 5.5/s  sliced 6/s  oversize 6.5/s  rx-drops 7/s
${t}2.000000+00:00] t1: rates over 2 s
  a->b: rx 1 pkt/s 1.5 B/s  fwd 2 pkt/s 2.5 B/s  fwd-drops 3/s oversize 5/s  mirror 3.5 pkt/s 4 B/s  mirror-drops 4.5/s
  b->a: rx 10 pkt/s 15 B/s  fwd 20 pkt/s 25 B/s  fwd-drops 30/s oversize 50/s  mirror 35 pkt/s 40 B/s  mirror-drops 45/s
  mirror lo: tx 4.5 pkt/s 5 B/s  tx-drops 5.5/s  sliced 6/s  oversize 6.5/s  rx-drops 7/s
  mirror lo: tx 54.5 pkt/s 55 B/s  tx-drops 55.5/s  sliced 56/s  oversize 56.5/s  rx-drops 57/s
${t}4.000000+00:00] t0: rates over 2 s
  a->b: rx 1 pkt/s 1.5 B/s  fwd 2 pkt/s 2.5 B/s  fwd-drops 3/s oversize 5/s  mirror 3.5 pkt/s 4 B/s  mirror-drops 4.5/s
  b->a: rx 10 pkt/s 15 B/s  fwd 20 pkt/s 25 B/s  fwd-drops 30/s oversize 50/s  mirror 35 pkt/s 40 B/s  mirror-drops 45/s
  mirror lo: tx 4.5 pkt/s 5 B/s  tx-drops 5.5/s  sliced 6/s  oversize 6.5/s  rx-drops 7/s
${t}4.000000+00:00] t1: rates over 2 s
  a->b: rx 1 pkt/s 1.5 B/s  fwd 2 pkt/s 2.5 B/s  fwd-drops 3/s oversize 5/s  mirror 3.5 pkt/s 4 B/s  mirror-drops 4.5/s
  b->a: rx 10 pkt/s 15 B/s  fwd 20 pkt/s 25 B/s  fwd-drops 30/s oversize 50/s  mirror 35 pkt/s 40 B/s  mirror-drops 45/s
  mirror lo: tx 4.5 pkt/s 5 B/s  tx-drops 5.5/s  sliced 6/s  oversize 6.5/s  rx-drops 7/s
  mirror lo: tx 54.5 pkt/s 55 B/s  tx-drops 55.5/s  sliced 56/s  oversize 56.5/s  rx-drops 57/s
EOF
)|" "$rc|$out|$err"
	expect "stats -i 2: a dump per sample" \
		"get dump"$'\n'"get dump"$'\n'"get dump" "$sent"

	# JSON: one object a line, per instance and interval; -h does not
	# change it.
	TT_FAKE_STATE=$state TT_FAKE_WAITS=1 fake -j -h stats -i 0.5 t0
	expect "-j stats -i 0.5 t0" "0|$(json_lines <<'EOF'
{"schema_version":1,"time":"2023-11-14T22:13:20.500000+00:00","interval_s":0.5,
"ifname":"t0","ifindex":100,"a_to_b":{"rx_packets":4.0,"rx_bytes":6.0,
"fwd_packets":8.0,"fwd_bytes":10.0,"fwd_drops":12.0,"fwd_oversize":20.0,
"mirror_packets":14.0,"mirror_bytes":16.0,"mirror_drops":18.0},
"b_to_a":{"rx_packets":40.0,"rx_bytes":60.0,"fwd_packets":80.0,
"fwd_bytes":100.0,"fwd_drops":120.0,"fwd_oversize":200.0,
"mirror_packets":140.0,"mirror_bytes":160.0,"mirror_drops":180.0},
"mirrors":[{"ifname":"lo","ifindex":1,"tx_packets":18.0,"tx_bytes":20.0,
"tx_drops":22.0,"sliced":24.0,"oversize":26.0,"rx_drops":28.0}]}
EOF
)|" "$rc|$out|$err"

	# -h: K, M, G in powers of 1000.
	TT_FAKE_STATE=$state TT_FAKE_WAITS=1 fake -h stats -i 0.01 t1
	expect "-h stats -i 0.01 t1" "0|$(cat <<'EOF'
  a->b: rx 200 pkt/s 300 B/s  fwd 400 pkt/s 500 B/s  fwd-drops 600/s oversize 1.0K/s  mirror 700 pkt/s 800 B/s  mirror-drops 900/s
  b->a: rx 2.0K pkt/s 3.0K B/s  fwd 4.0K pkt/s 5.0K B/s  fwd-drops 6.0K/s oversize 10.0K/s  mirror 7.0K pkt/s 8.0K B/s  mirror-drops 9.0K/s
  mirror lo: tx 900 pkt/s 1.0K B/s  tx-drops 1.1K/s  sliced 1.2K/s  oversize 1.3K/s  rx-drops 1.4K/s
  mirror lo: tx 10.9K pkt/s 11.0K B/s  tx-drops 11.1K/s  sliced 11.2K/s  oversize 11.3K/s  rx-drops 11.4K/s
EOF
)|" "$rc|$(tail -n +2 <<<"$out")|$err"

	TT_FAKE_STATE=$state TT_FAKE_WAITS=1 fake stats -i 1 nosuch
	expect "stats -i of no such instance" "1||Error: No such device" "$rc|$out|$err"
	usage_error '"-i" needs a number of seconds' stats -i
	usage_error '"-i" takes seconds from 0.01 to 86400, not "0"' stats -i 0
	usage_error '"-i" takes seconds from 0.01 to 86400, not "1s"' stats -i 1s
	usage_error '"-i" takes seconds from 0.01 to 86400, not "nan"' stats -i nan
	usage_error 'unexpected argument "t1"' stats -i 1 t0 t1
}

# ---- -n NETNS and -batch FILE ---------------------------------------------

# -n enters the netns before any name is resolved: an interface of ours
# is unknown there, its own "lo" is known.
test_netns()
{
	local ns=tt-test-$$ ours

	fails_with 'cannot open network namespace "nosuch-tt": No such file or directory' \
		-n nosuch-tt show
	fails_with 'cannot open network namespace "/nonexistent/ns": No such file or directory' \
		-netns /nonexistent/ns show
	if ! ip netns add "$ns" 2>/dev/null; then
		skip_reason="cannot create a network namespace here"
		return
	fi
	ours=$(ip -o link show | awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2; exit }')
	sends 'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:1 mirror=u32:1' \
		-n "$ns" add t0 port-a lo port-b lo mode aggregate mirror lo
	if [ -n "$ours" ]; then
		fake -n "$ns" add t0 port-a lo port-b "$ours"
		expect "-n: $ours is not in $ns" \
			"1|Error: interface \"$ours\" does not exist|" "$rc|$err|$sent"
	fi
	sends 'get dump' -n "/run/netns/$ns" show
	ip netns del "$ns"
}

# batch LINES ARGS...: taptool_fake ARGS with LINES as the batch file.
batch()
{
	printf '%s\n' "$1" >"$TMP/batch"
	shift
	fake "$@"
}

test_batch()
{
	local lines

	lines=$(printf '%s\n' "# a comment, then an empty line" "" \
		"add t0 port-a lo port-b lo mode aggregate mirror lo" \
		"  set t0 hold-down 200   # trailing comment" \
		"set t0 mirror add 'lo' dir \"a-b\"" "del t0")
	batch "$lines" -b "$TMP/batch"
	expect "batch" "0|||"'create name="t0" port-a=u32:1 port-b=u32:1 mode=u32:1 mirror=u32:1
set name="t0" hold-down=u32:200
mirror-add name="t0" mirrors={ ifindex=u32:1 direction=u32:1 }
delete name="t0"' "$rc|$out|$err|$sent"

	# The first failure stops the batch, with its line number.
	lines=$(printf '%s\n' "del t0" "set t0 bogus 1" "del t1")
	batch "$lines" -batch "$TMP/batch"
	expect "batch stops at a usage error" "2|Error: unknown keyword \"bogus\" for \"set\"
$HINT
Command failed $TMP/batch:2|delete name=\"t0\"" "$rc|$err|$sent"
	TT_FAKE_ERRNO=2 TT_FAKE_FAIL_AT=1 batch "$lines" -b "$TMP/batch"
	expect "batch stops at a refusal" "1|Error: No such file or directory
Command failed $TMP/batch:1|delete name=\"t0\"" "$rc|$err|$sent"

	# -force goes on, and exits with the worst code.
	TT_FAKE_ERRNO=2 TT_FAKE_FAIL_AT=1 batch "$lines" -force -b "$TMP/batch"
	expect "batch -force" "2|Error: No such file or directory
Command failed $TMP/batch:1
Error: unknown keyword \"bogus\" for \"set\"
$HINT
Command failed $TMP/batch:2|delete name=\"t0\"
delete name=\"t1\"" "$rc|$err|$sent"

	# stdin, and the global options apply to each line.
	printf '%s\n' "show" "del t0" >"$TMP/batch"
	: >"$TMP/sent"
	TT_FAKE_LOG="$TMP/sent" "$TAPTOOL_FAKE" -j -b - <"$TMP/batch" \
		>"$TMP/out" 2>"$TMP/err"
	expect "batch from stdin, -j" "0|[]
{\"schema_version\":1,\"command\":\"del\",\"ifname\":\"t0\",\"ifindex\":null,\"warnings\":[]}||get dump
delete name=\"t0\"" "$?|$(<"$TMP/out")|$(<"$TMP/err")|$(<"$TMP/sent")"

	batch "set t0 mirror add 'lo" -b "$TMP/batch"
	expect "batch: open quote" "2|Error: a quote is not closed
$HINT
Command failed $TMP/batch:1" "$rc|$err"
	fails_with 'cannot open "/nonexistent/batch": No such file or directory' \
		-b /nonexistent/batch
	usage_error '-batch takes its commands from "f", not "show"' -b f show
}

# ---- output formats, through output.c with fixed instances ----------------

# output_test builds each instance as the kernel sends it, parses it and
# prints it: tap0 (aggregate, ports lo/lo, mirror detached, defaults),
# tap1 (split, port-b an index with no device, mirror-ab with options,
# mirror-ba detached), tap2 (aggregate, mirror options, link propagation,
# rx-all, warnings), tap3 (custom list: defaults, every option, a detached
# entry). Direction counters count up in attribute order (fwd-oversize is
# the last) from 1, 11, 0, 2^64 - 9, 21, 31, 41 and 51; mirror counters
# from 100, 200, 300, 310 and 320.
output()
{
	"$OUTPUT_TEST" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	keep_json "$TMP/out"
	out=$(<"$TMP/out")
	expect "output_test $* exit code" 0 "$rc"
	expect "output_test $* stderr" "" "$(<"$TMP/err")"
}

test_format_show_text()
{
	output show
	expect "show text" "\
tap0: mode aggregate port-a lo port-b lo mirror -
tap1: mode split port-a lo port-b if2147483647 mirror-ab lo snaplen 256 tag-ba 30 mirror-ba -
tap2: mode aggregate port-a lo port-b lo mirror lo snaplen 128 tag-ab 10 tag-ba 20 tpid 802.1ad rx-pass on link-propagation on hold-down 200 rx-all on
    warning: mirror lo: MTU 1400 is below port-a's 1500, longer copies are dropped
    warning: port-b lo: MTU 9000 is above port-a's 1500
tap3: mode custom port-a lo port-b eth9 (waiting) mirror lo dir both mirror if2147483647 dir a-b snaplen 64 tag-ab 1 tag-ba 4094 tpid 802.1ad rx-pass on mirror - dir both link-propagation on hold-down 0 port-loss wait capture on wire-tstamp on" "$out"
}

test_format_stats_text()
{
	output stats
	expect "stats text" "\
tap0:
  a->b: rx 1 pkts 2 bytes  fwd 3 pkts 4 bytes  fwd-drops 5 oversize 9  mirror 6 pkts 7 bytes  mirror-drops 8
  b->a: rx 11 pkts 12 bytes  fwd 13 pkts 14 bytes  fwd-drops 15 oversize 19  mirror 16 pkts 17 bytes  mirror-drops 18
tap1:
  a->b: rx 0 pkts 1 bytes  fwd 2 pkts 3 bytes  fwd-drops 4 oversize 8  mirror 5 pkts 6 bytes  mirror-drops 7
  b->a: rx 18446744073709551607 pkts 18446744073709551608 bytes  fwd 18446744073709551609 pkts 18446744073709551610 bytes  fwd-drops 18446744073709551611 oversize 18446744073709551615  mirror 18446744073709551612 pkts 18446744073709551613 bytes  mirror-drops 18446744073709551614
  mirror lo: tx 100 pkts 101 bytes  tx-drops 102  sliced 103  oversize 104  rx-drops 105
tap2:
  a->b: rx 21 pkts 22 bytes  fwd 23 pkts 24 bytes  fwd-drops 25 oversize 29  mirror 26 pkts 27 bytes  mirror-drops 28
  b->a: rx 31 pkts 32 bytes  fwd 33 pkts 34 bytes  fwd-drops 35 oversize 39  mirror 36 pkts 37 bytes  mirror-drops 38
  mirror lo: tx 200 pkts 201 bytes  tx-drops 202  sliced 203  oversize 204  rx-drops 205
tap3:
  a->b: rx 41 pkts 42 bytes  fwd 43 pkts 44 bytes  fwd-drops 45 oversize 49  mirror 46 pkts 47 bytes  mirror-drops 48
  b->a: rx 51 pkts 52 bytes  fwd 53 pkts 54 bytes  fwd-drops 55 oversize 59  mirror 56 pkts 57 bytes  mirror-drops 58
  mirror lo: tx 300 pkts 301 bytes  tx-drops 302  sliced 303  oversize 304  rx-drops 305
  mirror if2147483647: tx 310 pkts 311 bytes  tx-drops 312  sliced 313  oversize 314  rx-drops 315
  mirror -: tx 320 pkts 321 bytes  tx-drops 322  sliced 323  oversize 324  rx-drops 325
  propagation-actions 3
  port-a: losses 2 returns 2
  port-b: losses 1 returns 0
  stats-resets 4" "$out"
}

# json_lines: the lines of stdin joined, for JSON too long for one line.
json_lines()
{
	tr -d '\n'
}

# Each instance's JSON ("lo" is ifindex 1 in every netns), the same for
# show and stats: MIRROR_COUNTERS stands where a mirror's counters go.
LO='{"ifname":"lo","ifindex":1}'
SHOW_JSON=()
SHOW_JSON[0]=$(json_lines <<EOF
{"schema_version":1,"ifname":"tap0","ifindex":7,"mode":"aggregate",
"port_a":$LO,"port_b":$LO,"mirror":null,"mirror_ab":null,"mirror_ba":null,
"mirrors":[],"link_propagation":false,"hold_down_ms":1000,
"rx_all":false,"capture":false,"wire_tstamp":false,"propagation_actions":0,"stats_resets":0,"port_loss":"delete","port_a_state":null,"port_a_name":null,
"port_a_losses":0,"port_a_returns":0,"port_b_state":null,"port_b_name":null,
"port_b_losses":0,"port_b_returns":0,"warnings":[]
EOF
)
SHOW_JSON[1]=$(json_lines <<EOF
{"schema_version":1,"ifname":"tap1","ifindex":8,"mode":"split",
"port_a":$LO,"port_b":{"ifname":null,"ifindex":2147483647},
"mirror":null,"mirror_ab":$LO,"mirror_ba":null,
"mirrors":[{"ifname":"lo","ifindex":1,"dir":"a-b","snaplen":256,
"tag_ab":null,"tag_ba":30,"tpid":"802.1q","rx_pass":false MIRROR_COUNTERS}],
"link_propagation":false,"hold_down_ms":1000,"rx_all":false,
"capture":false,"wire_tstamp":false,"propagation_actions":0,"stats_resets":0,"port_loss":"delete","port_a_state":null,"port_a_name":null,
"port_a_losses":0,"port_a_returns":0,"port_b_state":null,"port_b_name":null,
"port_b_losses":0,"port_b_returns":0,"warnings":[]
EOF
)
SHOW_JSON[2]=$(json_lines <<EOF
{"schema_version":1,"ifname":"tap2","ifindex":9,"mode":"aggregate",
"port_a":$LO,"port_b":$LO,"mirror":$LO,"mirror_ab":null,"mirror_ba":null,
"mirrors":[{"ifname":"lo","ifindex":1,"dir":"both",
"snaplen":128,"tag_ab":10,"tag_ba":20,"tpid":"802.1ad",
"rx_pass":true MIRROR_COUNTERS}],
"link_propagation":true,"hold_down_ms":200,"rx_all":true,
"capture":false,"wire_tstamp":false,"propagation_actions":0,"stats_resets":0,"port_loss":"delete","port_a_state":null,"port_a_name":null,
"port_a_losses":0,"port_a_returns":0,"port_b_state":null,"port_b_name":null,
"port_b_losses":0,"port_b_returns":0,"warnings":["mirror lo: MTU 1400 is below port-a's
 1500, longer copies are dropped","port-b lo: MTU 9000 is above port-a's
 1500"]
EOF
)
SHOW_JSON[3]=$(json_lines <<EOF
{"schema_version":1,"ifname":"tap3","ifindex":10,"mode":"custom",
"port_a":$LO,"port_b":null,"mirror":null,"mirror_ab":null,"mirror_ba":null,
"mirrors":[{"ifname":"lo","ifindex":1,"dir":"both","snaplen":null,
"tag_ab":null,"tag_ba":null,"tpid":"802.1q","rx_pass":false MIRROR_COUNTERS},
{"ifname":null,"ifindex":2147483647,"dir":"a-b","snaplen":64,
"tag_ab":1,"tag_ba":4094,"tpid":"802.1ad","rx_pass":true MIRROR_COUNTERS},
{"ifname":null,"ifindex":null,"dir":"both","snaplen":null,"tag_ab":null,
"tag_ba":null,"tpid":"802.1q","rx_pass":false MIRROR_COUNTERS}],
"link_propagation":true,"hold_down_ms":0,"rx_all":false,
"capture":true,"wire_tstamp":true,"propagation_actions":3,"stats_resets":4,"port_loss":"wait","port_a_state":"attached",
"port_a_name":"lo","port_a_losses":2,"port_a_returns":2,
"port_b_state":"waiting","port_b_name":"eth9","port_b_losses":1,
"port_b_returns":0,"warnings":[]
EOF
)

# show_json N [FIRST...]: instance N's JSON, with the counters of its
# mirrors counting up from each FIRST, without the directions and the
# closing brace.
show_json()
{
	local json=${SHOW_JSON[$1]} first

	shift
	for first in "$@"; do
		json=${json/ MIRROR_COUNTERS/$(mirror_counters "$first")}
	done
	printf '%s' "$json"
}

# mirror_counters FIRST: a mirror's counters.
mirror_counters()
{
	local f=$1

	printf ',"tx_packets":%s,"tx_bytes":%s,"tx_drops":%s,"sliced":%s,"oversize":%s,"rx_drops":%s' \
		"$f" "$((f + 1))" "$((f + 2))" "$((f + 3))" "$((f + 4))" \
		"$((f + 5))"
}

# directions_json A B: both directions, counting up from A and from B in
# attribute order (fwd-oversize last).
directions_json()
{
	local fmt='{"rx_packets":%s,"rx_bytes":%s,"fwd_packets":%s,"fwd_bytes":%s,"fwd_drops":%s,"fwd_oversize":%s,"mirror_packets":%s,"mirror_bytes":%s,"mirror_drops":%s}'
	local a=$1 b=$2

	# shellcheck disable=SC2059
	printf ',"a_to_b":'"$fmt"',"b_to_a":'"$fmt" \
		"$a" "$((a + 1))" "$((a + 2))" "$((a + 3))" "$((a + 4))" \
		"$((a + 8))" "$((a + 5))" "$((a + 6))" "$((a + 7))" \
		"$b" "$((b + 1))" "$((b + 2))" "$((b + 3))" "$((b + 4))" \
		"$((b + 8))" "$((b + 5))" "$((b + 6))" "$((b + 7))"
}

# The JSON of the four instances, show and stats alike.
instances_json()
{
	local want

	want="[$(show_json 0)$(directions_json 1 11)},"
	# b->a counts up to 2^64 - 1, beyond bash arithmetic.
	want+="$(show_json 1 100)$(directions_json 0 0 | sed 's/"b_to_a":.*//')"
	want+=$(json_lines <<'EOF'
"b_to_a":{"rx_packets":18446744073709551607,"rx_bytes":18446744073709551608,
"fwd_packets":18446744073709551609,"fwd_bytes":18446744073709551610,
"fwd_drops":18446744073709551611,"fwd_oversize":18446744073709551615,
"mirror_packets":18446744073709551612,"mirror_bytes":18446744073709551613,
"mirror_drops":18446744073709551614}},
EOF
)
	want+="$(show_json 2 200)$(directions_json 21 31)},"
	want+="$(show_json 3 300 310 320)$(directions_json 41 51)}]"
	printf '%s' "$want"
}

test_format_show_json()
{
	output show json
	expect "show json" "$(instances_json)" "$out"
}

test_format_stats_json()
{
	local plain pretty

	output stats json
	plain=$out
	expect "stats json" "$(instances_json)" "$plain"

	# -p: the same document, indented over many lines.
	output stats json pretty
	pretty=$out
	[ "$(wc -l <<<"$pretty")" -gt 100 ] ||
		reasons+=("pretty JSON is not indented: $pretty")
	python3 - "$plain" "$pretty" <<'EOF' || reasons+=("pretty JSON differs from plain JSON")
import json, sys
plain, pretty = (json.loads(s) for s in sys.argv[1:3])
sys.exit(plain != pretty or plain[1]["b_to_a"]["fwd_oversize"] != 2**64 - 1)
EOF
}

test_format_monitor_text()
{
	output events
	expect "monitor text" "$(cat <<'EOF'
[2023-11-14T22:13:20.500000+00:00] tap0: created
[2023-11-14T22:13:21.500000+00:00] tap0: changed
[2023-11-14T22:13:22.500000+00:00] tap0: carrier down on pa
[2023-11-14T22:13:23.500000+00:00] tap0: link propagation took pb down
[2023-11-14T22:13:24.500000+00:00] tap0: carrier up on pa
[2023-11-14T22:13:25.500000+00:00] tap0: link propagation brought pb up
[2023-11-14T22:13:26.500000+00:00] tap0: mirror m0 lost
[2023-11-14T22:13:27.500000+00:00] tap0: port pa lost
[2023-11-14T22:13:28.500000+00:00] tap0: port pa returned
[2023-11-14T22:13:29.500000+00:00] tap0: port pa refused
[2023-11-14T22:13:30.500000+00:00] tap0: counters reset
[2023-11-14T22:13:31.500000+00:00] tap0: deleted
[2023-11-14T22:13:32.500000+00:00] if8: carrier down on if9
[2023-11-14T22:13:33.500000+00:00] tap1: event 42
EOF
)" "$out"
	# The time is local, with its offset.
	TZ=America/St_Johns output events
	expect "monitor text, TZ=America/St_Johns" \
		"[2023-11-14T18:43:20.500000-03:30] tap0: created" "${out%%$'\n'*}"
}

test_format_monitor_json()
{
	output events json
	expect "monitor json" "$(cat <<'EOF'
{"schema_version":1,"time":"2023-11-14T22:13:20.500000+00:00","event":"created","ifname":"tap0","ifindex":7,"dev":null}
{"schema_version":1,"time":"2023-11-14T22:13:21.500000+00:00","event":"changed","ifname":"tap0","ifindex":7,"dev":null}
{"schema_version":1,"time":"2023-11-14T22:13:22.500000+00:00","event":"carrier-down","ifname":"tap0","ifindex":7,"dev":{"ifname":"pa","ifindex":5}}
{"schema_version":1,"time":"2023-11-14T22:13:23.500000+00:00","event":"propagation-down","ifname":"tap0","ifindex":7,"dev":{"ifname":"pb","ifindex":6}}
{"schema_version":1,"time":"2023-11-14T22:13:24.500000+00:00","event":"carrier-up","ifname":"tap0","ifindex":7,"dev":{"ifname":"pa","ifindex":5}}
{"schema_version":1,"time":"2023-11-14T22:13:25.500000+00:00","event":"propagation-up","ifname":"tap0","ifindex":7,"dev":{"ifname":"pb","ifindex":6}}
{"schema_version":1,"time":"2023-11-14T22:13:26.500000+00:00","event":"mirror-lost","ifname":"tap0","ifindex":7,"dev":{"ifname":"m0","ifindex":4000}}
{"schema_version":1,"time":"2023-11-14T22:13:27.500000+00:00","event":"port-lost","ifname":"tap0","ifindex":7,"dev":{"ifname":"pa","ifindex":4001}}
{"schema_version":1,"time":"2023-11-14T22:13:28.500000+00:00","event":"port-returned","ifname":"tap0","ifindex":7,"dev":{"ifname":"pa","ifindex":12}}
{"schema_version":1,"time":"2023-11-14T22:13:29.500000+00:00","event":"port-refused","ifname":"tap0","ifindex":7,"dev":{"ifname":"pa","ifindex":13}}
{"schema_version":1,"time":"2023-11-14T22:13:30.500000+00:00","event":"stats-reset","ifname":"tap0","ifindex":7,"dev":null}
{"schema_version":1,"time":"2023-11-14T22:13:31.500000+00:00","event":"deleted","ifname":"tap0","ifindex":7,"dev":null}
{"schema_version":1,"time":"2023-11-14T22:13:32.500000+00:00","event":"carrier-down","ifname":null,"ifindex":8,"dev":{"ifname":null,"ifindex":9}}
{"schema_version":1,"time":"2023-11-14T22:13:33.500000+00:00","event":"42","ifname":"tap1","ifindex":8,"dev":null}
EOF
)" "$out"
}

# A reader of a pipe gets each event line while the writer still runs:
# output_test prints the first event, then waits for its stdin to close.
test_monitor_lines_are_flushed()
{
	local mode want line from to pid

	for mode in text json; do
		want="[2023-11-14T22:13:20.500000+00:00] tap0: created"
		[ "$mode" == json ] &&
			want='{"schema_version":1,"time":"2023-11-14T22:13:20.500000+00:00","event":"created","ifname":"tap0","ifindex":7,"dev":null}'
		coproc OT { "$OUTPUT_TEST" events "$mode" wait 2>&1; }
		# bash unsets these once the coprocess is gone.
		from=${OT[0]} to=${OT[1]} pid=$OT_PID
		line=
		read -r -t 10 line <&"$from"
		expect "first $mode event, read while output_test waits" \
			"$want" "$line"
		exec {to}>&-
		cat <&"$from" >/dev/null
		exec {from}<&-
		wait "$pid"
		expect "output_test events $mode wait exit code" 0 "$?"
	done
}

# Each distinct warning once: the reply's in order, then the extack
# message unless it repeats one of them.
test_format_warnings()
{
	"$OUTPUT_TEST" warnings >"$TMP/out" 2>"$TMP/err"
	expect "output_test warnings exit code" 0 "$?"
	expect "output_test warnings stdout" "" "$(<"$TMP/out")"
	expect "warnings" "\
-- extack repeats one
Warning: mirror m0: MTU 1400 is below port-a's 1500
Warning: mirror m1: MTU 1400 is below port-a's 1500
-- extack of its own
Warning: mirror m0: MTU 1400 is below port-a's 1500
Warning: mirror m1: MTU 1400 is below port-a's 1500
Warning: port-b pb: MTU 9000 is above port-a's 1500
-- extack alone
Warning: mirror m0: MTU 1400 is below port-a's 1500
-- nothing" "$(<"$TMP/err")"
}

# Bytes that are not UTF-8 are escaped as \xNN: the JSON always parses,
# and valid multi-byte characters stay as they are.
test_format_bytes_that_are_not_utf8()
{
	output bytes json
	python3 - "$out" <<'EOF' || reasons+=("JSON of names that are not UTF-8: $out")
import json, sys
lines = sys.argv[1].splitlines()
inst, ev = json.loads(lines[0])[0], json.loads(lines[1])
got = (inst["ifname"], inst["warnings"], ev["ifname"], ev["dev"]["ifname"])
want = ("t\\xff\\xc3", ["mirror \\xe2\\x82: MTU \u20ac below"],
        "t\u00e9\\x80", "m\\xed\\xa0\\x80\\xc0\\xaf")
sys.exit(got != want)
EOF
	# Text prints the bytes as they are, as ip does.
	output bytes
	expect "text of names that are not UTF-8" \
		"$(printf 't\377\303: mode aggregate')" "$(head -c 19 <<<"$out")"
}

# Every JSON document the tests above printed matches the schema
# (taptool.schema.json), and there were plenty of them.
test_json_outputs_match_the_schema()
{
	local report

	report=$(python3 "$DIR/check_json.py" --min 30 "$TMP"/json/*.json 2>&1)
	[ $? -eq 0 ] || reasons+=("$report")
	echo "# $(tail -n 1 <<<"$report")"
}

# ---- memory: every path frees what it took --------------------------------

# vg_check RC PROGRAM ARGS...: clean under valgrind, and still exits RC.
vg_check()
{
	local want_rc=$1

	shift
	valgrind -q --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=all --errors-for-leak-kinds=all \
		"$@" >/dev/null 2>"$TMP/vg"
	rc=$?
	if [ "$rc" -eq 99 ]; then
		reasons+=("valgrind: ${*##*/}:" "$(head -20 "$TMP/vg")")
	else
		expect "valgrind: ${*##*/} exit code" "$want_rc" "$rc"
	fi
}

test_valgrind_taptool()
{
	if [ -n "${TT_SANITIZED:-}" ]; then
		skip_reason="ASan/UBSan build: valgrind cannot run it"
		return
	fi
	if ! command -v valgrind >/dev/null; then
		skip_reason="valgrind not installed"
		return
	fi
	vg_check 0 "$TAPTOOL" help
	vg_check 0 "$TAPTOOL" set help
	vg_check 2 "$TAPTOOL"
	vg_check 2 "$TAPTOOL" add t0 port-a lo mode split mirror lo
	vg_check 2 "$TAPTOOL" set t0
	vg_check 2 "$TAPTOOL" set t0 mirror add lo tag-ab 65536
	vg_check 2 "$TAPTOOL" set t0 mirror add lo dir up
	vg_check 1 "$TAPTOOL" add t0 port-a lo port-b "$NO_IF"
	vg_check 1 "$TAPTOOL" set t0 mirror add "$NO_IF"
	need_no_module && { skip_reason=; return; }
	vg_check 1 "$TAPTOOL" add t0 port-a lo port-b lo mode aggregate mirror lo
	vg_check 1 "$TAPTOOL" set t0 mirror add lo snaplen 128 rx-pass on
	vg_check 1 "$TAPTOOL" set t0 mirror del lo
	vg_check 1 "$TAPTOOL" -j -p show
	vg_check 1 "$TAPTOOL" stats t0
	vg_check 1 "$TAPTOOL" -j monitor
}

test_valgrind_output()
{
	if [ -n "${TT_SANITIZED:-}" ]; then
		skip_reason="ASan/UBSan build: valgrind cannot run it"
		return
	fi
	if ! command -v valgrind >/dev/null; then
		skip_reason="valgrind not installed"
		return
	fi
	vg_check 0 "$OUTPUT_TEST" show
	vg_check 0 "$OUTPUT_TEST" stats
	vg_check 0 "$OUTPUT_TEST" show json
	vg_check 0 "$OUTPUT_TEST" stats json pretty
	vg_check 0 "$OUTPUT_TEST" events
	vg_check 0 "$OUTPUT_TEST" events json
	vg_check 0 "$OUTPUT_TEST" warnings
}

# The paths only the fake reaches: replies, warnings, events.
test_valgrind_taptool_fake()
{
	if [ -n "${TT_SANITIZED:-}" ]; then
		skip_reason="ASan/UBSan build: valgrind cannot run it"
		return
	fi
	if ! command -v valgrind >/dev/null; then
		skip_reason="valgrind not installed"
		return
	fi
	TT_FAKE_WARNINGS='a|b|a' TT_FAKE_EXTACK=c \
		vg_check 0 "$TAPTOOL_FAKE" set t0 mirror add lo snaplen 64
	TT_FAKE_WARNINGS='a' vg_check 0 "$TAPTOOL_FAKE" \
		add t0 port-a lo port-b lo mode aggregate mirror lo
	TT_FAKE_ERRNO=22 TT_FAKE_EXTACK=c \
		vg_check 1 "$TAPTOOL_FAKE" set t0 hold-down 1
	TT_FAKE_EVENTS='1,7,tap0;ENOBUFS;5,7,tap0,5,pa;42' \
		vg_check 1 "$TAPTOOL_FAKE" -j monitor
	TT_FAKE_EVENTS='1,7,tap0;9,7,,4,' vg_check 1 "$TAPTOOL_FAKE" monitor
	TT_FAKE_SUBSCRIBE_ERRNO=1 vg_check 1 "$TAPTOOL_FAKE" monitor
	TT_FAKE_WARNINGS='a|b' TT_FAKE_ERRNO=22 TT_FAKE_FAIL_AT=3 \
		vg_check 1 "$TAPTOOL_FAKE" -j add t0 mode custom port-a lo \
		port-b lo mirror lo mirror lo dir a-b
	printf '%s\n' "show" "set t0 bogus" "del 'x" "-j" >"$TMP/batch"
	vg_check 2 "$TAPTOOL_FAKE" -force -b "$TMP/batch"
	TT_FAKE_MODULE_VERSION=1 vg_check 0 "$TAPTOOL_FAKE" -j -V
}

# ---------------------------------------------------------------------------

TESTS=(
	help_lists_every_command
	help_spells_out_keyword_lists
	help_options_print_the_same_text
	no_arguments_print_usage_on_stderr
	command_help
	command_help_sends_nothing
	version
	unknown_command
	ambiguous_command
	unknown_option
	prefixes_and_aliases
	ambiguous_keyword
	names_starting_with_a_dash
	double_dash_ends_options
	option_spellings
	json_result_of_changes
	add_custom_list
	add_takes_the_name_as_show_prints_it
	show_line_given_to_add_makes_the_same_instance
	up_sends_what_add_sends
	up_refuses_a_bad_file
	up_undoes_a_list_refused_part_way
	save_and_up_round_trip
	save_refusals
	stats_interval_rates
	netns
	batch
	missing_instance_name
	missing_value
	unknown_keyword
	unknown_mode
	mirror_keyword_of_the_other_mode
	keyword_given_twice
	instance_name_too_long
	unexpected_argument
	set_needs_something_to_change
	on_off_values
	number_values
	number_wider_than_its_attribute
	unknown_direction_and_tpid
	mirror_add_grammar
	mirror_del_grammar
	keywords_of_other_commands
	values_are_checked_in_order
	unknown_interface
	grammar_is_checked_before_interfaces
	semantics_are_left_to_the_kernel
	ranges_are_left_to_the_kernel
	not_loaded_add_set_del
	not_loaded_instance_options
	not_loaded_mirror_add_del
	not_loaded_show_stats
	not_loaded_json
	not_loaded_monitor
	sends_the_first_syntax_unchanged
	sends_instance_options
	sends_mirror_add_del
	sends_what_was_typed
	sends_show_stats
	reset_stats
	reports_warnings
	reports_kernel_errors
	monitor_prints_each_event
	monitor_one_instance
	monitor_module_unloaded
	monitor_refusals
	format_show_text
	format_stats_text
	format_show_json
	format_stats_json
	format_monitor_text
	format_monitor_json
	monitor_lines_are_flushed
	format_warnings
	format_bytes_that_are_not_utf8
	json_outputs_match_the_schema
	valgrind_taptool
	valgrind_output
	valgrind_taptool_fake
)

echo "TAP version 13"
for bin in "$TAPTOOL" "$OUTPUT_TEST" "$TAPTOOL_FAKE"; do
	if [ ! -x "$bin" ]; then
		echo "1..0 # SKIP $bin not built (make -C tools/taptool)"
		echo "# totals: pass=0 fail=0 skip=0"
		exit 4
	fi
done
echo "1..${#TESTS[@]}"
for t in "${TESTS[@]}"; do
	run_test "$t"
done
echo "# totals: pass=$pass fail=$fail skip=$skip"
[ "$fail" -eq 0 ]
