#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the tapbridge selftests, after the manner of
# tools/testing/selftests/net/lib.sh: per-run namespace names, deferred
# cleanup, check_err/log_test, KTAP output, kselftest exit codes.
#
# A test script sources this file, calls tbr_require, builds its topology
# with setup_ns and ip_batch, and reports each check with log_test, or
# frames_check for traffic through a TAP (see frames.py). It ends
# with "ktap_finish", which prints the totals and exits 0 (all passed),
# 1 (something failed) or 4 (everything skipped).
#
# The scripts run inside the test VM (selftests/run_all.sh) with
# tapbridge.ko loaded and taptool on PATH, or by hand on any machine
# where that holds.

# shellcheck disable=SC2034 # constants and results for the sourcing scripts
ksft_pass=0
ksft_fail=1
ksft_xfail=2
ksft_skip=4

TBR_SELFTESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TBR_ROOT=$(cd "$TBR_SELFTESTS/.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
# Compiled helpers go to /tmp, not into the source tree.
export PYTHONPYCACHEPREFIX=${PYTHONPYCACHEPREFIX:-/tmp/tapbridge-selftest-pycache}

# Per-check state: RET is the kselftest status of the check being built,
# RETMSG says why it failed (the first reason wins).
RET=0
RETMSG=

KTAP_TESTNO=0
KTAP_CNT_PASS=0
KTAP_CNT_FAIL=0
KTAP_CNT_SKIP=0

DEFER_LIST=()

TBR_TMP=$(mktemp -d /tmp/tapbridge-selftest.XXXXXX)

##############################################################################
# KTAP

ktap_print_header()
{
	echo "KTAP version 1"
}

ktap_print_msg()
{
	local line

	while IFS= read -r line; do
		echo "# $line"
	done <<< "$*"
}

# KTAP forbids '#' in a description: it starts the directive.
__ktap_desc()
{
	local desc=$1

	echo "${desc//#/_}"
}

ktap_test_pass()
{
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1))
	echo "ok $KTAP_TESTNO $(__ktap_desc "$1")"
}

ktap_test_skip()
{
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1))
	echo "ok $KTAP_TESTNO $(__ktap_desc "$1") # SKIP ${2:-}"
}

ktap_test_fail()
{
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1))
	[ -n "${2:-}" ] && ktap_print_msg "$2"
	echo "not ok $KTAP_TESTNO $(__ktap_desc "$1")"
}

# Print the totals and exit with the kselftest code of the whole script.
ktap_finish()
{
	echo "# Totals: pass:$KTAP_CNT_PASS fail:$KTAP_CNT_FAIL xfail:0 xpass:0 skip:$KTAP_CNT_SKIP error:0"
	if ((KTAP_CNT_FAIL)); then
		exit $ksft_fail
	elif ((KTAP_CNT_PASS == 0 && KTAP_CNT_SKIP > 0)); then
		exit $ksft_skip
	fi
	exit $ksft_pass
}

##############################################################################
# Checks, as in net/lib.sh: a check is a series of check_err/check_fail
# calls, then one log_test that turns RET into a KTAP line.

check_err()
{
	local err=$1
	local msg=$2

	if ((RET == ksft_pass && err != 0)); then
		RET=$ksft_fail
		RETMSG=$msg
	fi
}

check_fail()
{
	local err=$1
	local msg=$2

	if ((RET == ksft_pass && err == 0)); then
		RET=$ksft_fail
		RETMSG=$msg
	fi
}

# check_eq WHAT GOT WANT
check_eq()
{
	local what=$1
	local got=$2
	local want=$3

	[ "$got" == "$want" ]
	check_err $? "$what: got '$got', want '$want'"
}

log_test()
{
	local name=$1

	case $RET in
	"$ksft_pass")	ktap_test_pass "$name" ;;
	"$ksft_skip")	ktap_test_skip "$name" "$RETMSG" ;;
	*)		ktap_test_fail "$name" "$RETMSG" ;;
	esac
	RET=$ksft_pass
	RETMSG=
}

log_test_skip()
{
	RET=$ksft_skip RETMSG=$2 log_test "$1"
	RET=$ksft_pass
}

##############################################################################
# Cleanup: defer CMD... runs CMD at exit, last deferred first.

defer()
{
	local cmd

	printf -v cmd '%q ' "$@"
	DEFER_LIST+=("$cmd")
}

__run_deferred()
{
	local i

	for ((i = ${#DEFER_LIST[@]} - 1; i >= 0; i--)); do
		eval "${DEFER_LIST[i]}" &> /dev/null
	done
	DEFER_LIST=()
	rm -rf "$TBR_TMP"
}
trap __run_deferred EXIT
# A timeout's SIGTERM must clean up too.
trap 'exit $ksft_fail' TERM INT

##############################################################################
# Namespaces and links

cleanup_ns()
{
	local ns

	for ns in "$@"; do
		ip netns pids "$ns" 2> /dev/null | xargs -r kill 2> /dev/null
		ip netns del "$ns" &> /dev/null
	done
}

# setup_ns VAR...: create one netns per VAR, named VAR-XXXXXX for this run,
# store the name in VAR and delete the netns at exit. IPv6 is off for every
# link made in it: no DAD, router or MLD traffic reaches a port, so the
# counters see only the frames a test sends.
setup_ns()
{
	local var name

	for var in "$@"; do
		name=$(echo "${var}" | tr 'A-Z_' 'a-z-')-$(mktemp -u XXXXXX)
		if ! ip netns add "$name"; then
			echo "# cannot create netns $name"
			return $ksft_skip
		fi
		defer cleanup_ns "$name"
		eval "$var=$name"
		ip -n "$name" link set dev lo up
		nsenter --net="/run/netns/$name" sysctl -qw \
			net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
}

# ip_batch NS: the ip commands on stdin, one a line, in one ip process
# (each process start costs about a second in the emulated test VM).
ip_batch()
{
	ip -n "$1" -batch -
}

# link_field NS IF FIELD: one word after FIELD in "ip -d link show", e.g.
# master or promiscuity; "none" when FIELD is not there.
link_field()
{
	local out

	out=$(ip -n "$1" -d -o link show dev "$2" 2> /dev/null) || return 1
	if [[ $out =~ \ $3\ ([^ ]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo none
	fi
}

# tt NS ARGS...: taptool in a netns. nsenter, unlike ip netns exec, does
# not remount /sys, which taptool does not need.
tt()
{
	local ns=$1; shift

	nsenter --net="/run/netns/$ns" taptool "$@"
}

link_json()
{
	ip -n "$1" -d -j link show dev "$2" 2> /dev/null
}

link_exists()
{
	ip -n "$1" link show dev "$2" &> /dev/null
}

link_is_up()
{
	link_json "$1" "$2" | jq -e '.[0].flags | index("UP") != null' > /dev/null
}

link_ifindex()
{
	link_json "$1" "$2" | jq -r '.[0].ifindex'
}

##############################################################################
# Traffic
#
# frames.py runs as one helper process per script (frames.py serve):
# starting Python costs seconds in the emulated test VM.

FRAMES_PID=

__frames_stop()
{
	[ -n "$FRAMES_PID" ] || return 0
	exec {FRAMES_IN}>&-
	wait "$FRAMES_PID" 2> /dev/null
	FRAMES_PID=
}

__frames_start()
{
	[ -n "$FRAMES_PID" ] && return 0
	coproc FRAMES_CO { exec $PYTHON "$TBR_SELFTESTS/frames.py" serve 2>&1; }
	FRAMES_PID=$FRAMES_CO_PID
	# Own copies of both ends: bash drops FRAMES_CO when the helper
	# ends, and closing FRAMES_IN is how the helper is stopped.
	local fd=${FRAMES_CO[1]}
	exec {FRAMES_IN}>&"$fd" {FRAMES_OUT}<&"${FRAMES_CO[0]}"
	exec {fd}>&-
	defer __frames_stop
}

# frames_cmd LINE_HANDLER ARGS...: send one frames.py command to the
# helper; call LINE_HANDLER on each line it prints. Returns its status.
frames_cmd()
{
	local handler=$1; shift
	local line

	__frames_start
	{ printf '%q ' "$@"; echo; } >&"$FRAMES_IN"
	while IFS= read -r -t 300 -u "$FRAMES_OUT" line; do
		if [[ $line == "END "* ]]; then
			return "${line#END }"
		fi
		$handler "$line"
	done
	echo "# frames.py helper died or timed out"
	FRAMES_PID=
	return 3
}

__print_line()
{
	echo "$1"
}

# A result line of frames.py: PASS<TAB>desc or FAIL<TAB>desc<TAB>why.
__ktap_line()
{
	local status name why

	IFS=$'\t' read -r status name why <<< "$1"
	case $status in
	PASS)	ktap_test_pass "$name"
		FRAMES_RESULTS=$((FRAMES_RESULTS + 1)) ;;
	FAIL)	ktap_test_fail "$name" "$why"
		FRAMES_RESULTS=$((FRAMES_RESULTS + 1)) ;;
	*)	echo "$1" ;;
	esac
}

# frames_check DESC FRAMES.PY-RUN-ARGS...: send the corpus, report one KTAP
# line per frame kind (and per counter check). The JSON summary (frames,
# bytes) is left in $TBR_TMP/summary.json.
frames_check()
{
	local desc=$1; shift
	local rc

	rm -f "$TBR_TMP/summary.json"
	FRAMES_RESULTS=0
	frames_cmd __ktap_line run --label "$desc" \
		--summary "$TBR_TMP/summary.json" "$@"
	rc=$?
	if ((rc != 0 && rc != 1)) || ((FRAMES_RESULTS == 0)) ||
	   [ ! -s "$TBR_TMP/summary.json" ]; then
		ktap_test_fail "$desc: frames.py run" "exit status $rc"
	fi
}

summary_get()
{
	jq -r ".$1" "$TBR_TMP/summary.json" 2> /dev/null
}

# udp_works NS_A ADDR_A NS_B ADDR_B: one datagram each way.
udp_works()
{
	frames_cmd __print_line udp "$@"
}

__collect_line()
{
	COLLECTED+=${COLLECTED:+$'\n'}$1
}

# genl_req NS COMMAND ATTR=VALUE...: one raw tapbridge request (genl.py);
# its output ("Error: ..." on failure) is left in GENL_OUT.
genl_req()
{
	local ns=$1; shift
	local rc

	COLLECTED=
	frames_cmd __collect_line genl --netns "$ns" "$@"
	rc=$?
	GENL_OUT=$COLLECTED
	return $rc
}

##############################################################################
# Preconditions

# tbr_require: skip the whole script unless it can run.
tbr_require()
{
	local tool

	ktap_print_header
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP must run as root"
		exit $ksft_skip
	fi
	for tool in ip jq nsenter taptool "$PYTHON"; do
		if ! command -v "$tool" > /dev/null; then
			echo "1..0 # SKIP $tool not found"
			exit $ksft_skip
		fi
	done
	if [ ! -d /sys/module/tapbridge ]; then
		echo "1..0 # SKIP tapbridge module not loaded"
		exit $ksft_skip
	fi
}

# tbr_have_tun: whether tun devices can be created. A stock kernel has
# tun as a module, and /dev/net/tun appears only once it is loaded.
tbr_have_tun()
{
	[ -c /dev/net/tun ] || modprobe -q tun 2> /dev/null
	[ -c /dev/net/tun ]
}

# tbr_require_reload: as tbr_require, for a script that unloads the module
# and loads it again: sets MODULE to the tapbridge.ko to load, and skips
# when there is none or when tapbridge_kunit holds the module.
tbr_require_reload()
{
	tbr_require
	MODULE=${TBR_MODULE_DIR:-$TBR_ROOT/kmod}/tapbridge.ko
	if [ ! -f "$MODULE" ]; then
		echo "1..0 # SKIP $MODULE not found (needed to load the module again)"
		exit $ksft_skip
	fi
	if [ -d /sys/module/tapbridge_kunit ]; then
		echo "1..0 # SKIP tapbridge_kunit is loaded and holds tapbridge"
		exit $ksft_skip
	fi
}
