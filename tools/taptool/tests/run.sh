#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of taptool: grammar, messages, exit codes, output formats and
# memory hygiene. They need no tapbridge module: on a host without it,
# every command that gets past the grammar must stop at the family lookup
# with the "not loaded" line, which also proves it was not refused
# client-side. The VM selftests cover real kernel replies.
#
# Prints KTAP; exits 1 if any test failed.
#
#   TAPTOOL=path OUTPUT_TEST=path tests/run.sh   (defaults: the built ones)

set -u

DIR=$(cd "$(dirname "$0")" && pwd)
TAPTOOL=${TAPTOOL:-$DIR/../taptool}
OUTPUT_TEST=${OUTPUT_TEST:-$DIR/output_test}

NOT_LOADED='Error: the tapbridge kernel module is not loaded (modprobe tapbridge)'
HINT='Try "taptool help".'
NO_IF=nosuch0tt		# an interface name no host has

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

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
	"taptool add NAME port-a IF port-b IF mode aggregate mirror IF"
	"taptool add NAME port-a IF port-b IF mode split mirror-ab IF mirror-ba IF"
	"taptool set NAME mode aggregate mirror IF"
	"taptool set NAME mode split mirror-ab IF mirror-ba IF"
	"taptool del NAME"
	"taptool show [NAME]"
	"taptool stats [NAME]"
	"taptool help [COMMAND]"
)

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
	for line in -j,\ --json -p,\ --pretty -h,\ --help -V,\ --version; do
		grep -qF -- "  $line " <<<"$out" ||
			reasons+=("help does not list option \"$line\"")
	done
}

test_help_options_print_the_same_text()
{
	local help

	run help
	help=$out
	expect_run 0 "$help" "" -h
	expect_run 0 "$help" "" --help
	expect_run 0 "$help" "" -j --help
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
	local add

	add="Usage:"$'\n'"  ${SYNOPSIS[0]}"$'\n'"  ${SYNOPSIS[1]}"
	expect_run 0 "$add" "" add help
	expect_run 0 "$add" "" help add
	expect_run 0 "Usage:"$'\n'"  ${SYNOPSIS[5]}" "" show help
	expect_run 0 "Usage:"$'\n'"  ${SYNOPSIS[4]}" "" del help
	usage_error 'unknown command "frob"' help frob
}

test_version()
{
	run -V
	expect "-V exit code" 0 "$rc"
	[[ $out =~ ^taptool\ [0-9]+\.[0-9]+$ ]] ||
		reasons+=("-V printed \"$out\"")
	expect_run 0 "$out" "" --version
}

# ---- grammar errors: exit 2, one message, the hint ------------------------

test_unknown_command()
{
	usage_error 'unknown command "frob"' frob
	usage_error 'unknown command "list"' -j list
}

test_unknown_option()
{
	usage_error 'unknown option "-x"' -x show
	usage_error 'unknown option "--jsonx"' --jsonx show
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
	usage_error 'unknown mode "mirror" (aggregate or split)' \
		add t0 port-a lo port-b lo mode mirror mirror lo
	usage_error 'unknown mode "Split" (aggregate or split)' \
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
}

# ---- interface names: exit 1, resolved before any kernel call -------------

test_unknown_interface()
{
	fails_with "interface \"$NO_IF\" does not exist" \
		add t0 port-a lo port-b "$NO_IF" mode aggregate mirror lo
	fails_with "interface \"$NO_IF\" does not exist" \
		set t0 mode split mirror-ab lo mirror-ba "$NO_IF"
}

test_grammar_is_checked_before_interfaces()
{
	usage_error 'unknown keyword "bogus" for "add"' \
		add t0 port-a "$NO_IF" bogus
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
	reaches_kernel set t0
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

# ---- output formats, through output.c with fixed instances ----------------

# output_test prints tap0 (aggregate, ports lo/lo, mirror detached) and
# tap1 (split, port-b an index with no device, mirror-ba detached), with
# counters counting up from 1, 11, 0 and 2^64 - 8.
output()
{
	"$OUTPUT_TEST" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(<"$TMP/out")
	expect "output_test $* exit code" 0 "$rc"
	expect "output_test $* stderr" "" "$(<"$TMP/err")"
}

test_format_show_text()
{
	output show
	expect "show text" "\
tap0: mode aggregate port-a lo port-b lo mirror -
tap1: mode split port-a lo port-b if2147483647 mirror-ab lo mirror-ba -" "$out"
}

test_format_stats_text()
{
	output stats
	expect "stats text" "\
tap0:
  a->b: rx 1 pkts 2 bytes  fwd 3 pkts 4 bytes  fwd-drops 5  mirror 6 pkts 7 bytes  mirror-drops 8
  b->a: rx 11 pkts 12 bytes  fwd 13 pkts 14 bytes  fwd-drops 15  mirror 16 pkts 17 bytes  mirror-drops 18
tap1:
  a->b: rx 0 pkts 1 bytes  fwd 2 pkts 3 bytes  fwd-drops 4  mirror 5 pkts 6 bytes  mirror-drops 7
  b->a: rx 18446744073709551608 pkts 18446744073709551609 bytes  fwd 18446744073709551610 pkts 18446744073709551611 bytes  fwd-drops 18446744073709551612  mirror 18446744073709551613 pkts 18446744073709551614 bytes  mirror-drops 18446744073709551615" "$out"
}

test_format_show_json()
{
	output show json
	expect "show json" \
'[{"ifname":"tap0","ifindex":7,"mode":"aggregate","port_a":"lo","port_b":"lo","mirror":null},{"ifname":"tap1","ifindex":8,"mode":"split","port_a":"lo","port_b":"if2147483647","mirror_ab":"lo","mirror_ba":null}]' \
		"$out"
}

test_format_stats_json()
{
	local plain pretty

	output stats json
	plain=$out
	expect "stats json" \
'[{"ifname":"tap0","ifindex":7,"mode":"aggregate","port_a":"lo","port_b":"lo","mirror":null,"a_to_b":{"rx_packets":1,"rx_bytes":2,"fwd_packets":3,"fwd_bytes":4,"fwd_drops":5,"mirror_packets":6,"mirror_bytes":7,"mirror_drops":8},"b_to_a":{"rx_packets":11,"rx_bytes":12,"fwd_packets":13,"fwd_bytes":14,"fwd_drops":15,"mirror_packets":16,"mirror_bytes":17,"mirror_drops":18}},{"ifname":"tap1","ifindex":8,"mode":"split","port_a":"lo","port_b":"if2147483647","mirror_ab":"lo","mirror_ba":null,"a_to_b":{"rx_packets":0,"rx_bytes":1,"fwd_packets":2,"fwd_bytes":3,"fwd_drops":4,"mirror_packets":5,"mirror_bytes":6,"mirror_drops":7},"b_to_a":{"rx_packets":18446744073709551608,"rx_bytes":18446744073709551609,"fwd_packets":18446744073709551610,"fwd_bytes":18446744073709551611,"fwd_drops":18446744073709551612,"mirror_packets":18446744073709551613,"mirror_bytes":18446744073709551614,"mirror_drops":18446744073709551615}}]' \
		"$plain"

	# -p: the same document, indented over many lines.
	output stats json pretty
	pretty=$out
	[ "$(wc -l <<<"$pretty")" -gt 50 ] ||
		reasons+=("pretty JSON is not indented: $pretty")
	python3 - "$plain" "$pretty" <<'EOF' || reasons+=("pretty JSON differs from plain JSON")
import json, sys
plain, pretty = (json.loads(s) for s in sys.argv[1:3])
sys.exit(plain != pretty or plain[1]["b_to_a"]["mirror_drops"] != 2**64 - 1)
EOF
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
	if ! command -v valgrind >/dev/null; then
		skip_reason="valgrind not installed"
		return
	fi
	vg_check 0 "$TAPTOOL" help
	vg_check 2 "$TAPTOOL"
	vg_check 2 "$TAPTOOL" add t0 port-a lo mode split mirror lo
	vg_check 1 "$TAPTOOL" add t0 port-a lo port-b "$NO_IF"
	need_no_module && { skip_reason=; return; }
	vg_check 1 "$TAPTOOL" add t0 port-a lo port-b lo mode aggregate mirror lo
	vg_check 1 "$TAPTOOL" -j -p show
	vg_check 1 "$TAPTOOL" stats t0
}

test_valgrind_output()
{
	if ! command -v valgrind >/dev/null; then
		skip_reason="valgrind not installed"
		return
	fi
	vg_check 0 "$OUTPUT_TEST" stats
	vg_check 0 "$OUTPUT_TEST" show json
	vg_check 0 "$OUTPUT_TEST" stats json pretty
}

# ---------------------------------------------------------------------------

TESTS=(
	help_lists_every_command
	help_options_print_the_same_text
	no_arguments_print_usage_on_stderr
	command_help
	version
	unknown_command
	unknown_option
	missing_instance_name
	missing_value
	unknown_keyword
	unknown_mode
	mirror_keyword_of_the_other_mode
	keyword_given_twice
	instance_name_too_long
	unexpected_argument
	unknown_interface
	grammar_is_checked_before_interfaces
	semantics_are_left_to_the_kernel
	not_loaded_add_set_del
	not_loaded_show_stats
	not_loaded_json
	format_show_text
	format_stats_text
	format_show_json
	format_stats_json
	valgrind_taptool
	valgrind_output
)

echo "TAP version 13"
for bin in "$TAPTOOL" "$OUTPUT_TEST"; do
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
