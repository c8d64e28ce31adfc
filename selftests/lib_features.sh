#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the feature selftests (mirror lists, copies, wire fidelity,
# link propagation, events, rx-all, capture), on top of lib.sh: the
# features.py helper process, veth topologies, waiting for the kernel, and
# taptool monitors in the background.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

##############################################################################
# features.py, one helper process per script, as frames.py in lib.sh

FEAT_PID=

__feat_stop()
{
	[ -n "$FEAT_PID" ] || return 0
	exec {FEAT_IN}>&-
	wait "$FEAT_PID" 2> /dev/null
	FEAT_PID=
}

__feat_start()
{
	[ -n "$FEAT_PID" ] && return 0
	coproc FEAT_CO { exec $PYTHON "$TBR_SELFTESTS/features.py" serve 2>&1; }
	FEAT_PID=$FEAT_CO_PID
	local fd=${FEAT_CO[1]}
	exec {FEAT_IN}>&"$fd" {FEAT_OUT}<&"${FEAT_CO[0]}"
	exec {fd}>&-
	defer __feat_stop
}

# feat_cmd LINE_HANDLER ARGS...: one features.py command; LINE_HANDLER
# gets each line it prints. Returns its status.
feat_cmd()
{
	local handler=$1; shift
	local line

	__feat_start
	{ printf '%q ' "$@"; echo; } >&"$FEAT_IN"
	while IFS= read -r -t 600 -u "$FEAT_OUT" line; do
		if [[ $line == "END "* ]]; then
			return "${line#END }"
		fi
		$handler "$line"
	done
	echo "# features.py helper died or timed out"
	FEAT_PID=
	return 3
}

# A result line (PASS<TAB>desc or FAIL<TAB>desc<TAB>why) as KTAP.
__feat_ktap_line()
{
	local status name why

	IFS=$'\t' read -r status name why <<< "$1"
	case $status in
	PASS)	ktap_test_pass "$name"
		FEAT_RESULTS=$((FEAT_RESULTS + 1)) ;;
	FAIL)	ktap_test_fail "$name" "$why"
		FEAT_RESULTS=$((FEAT_RESULTS + 1)) ;;
	*)	echo "$1" ;;
	esac
}

# feat_check DESC COMMAND ARGS...: a features.py command whose result
# lines become KTAP lines; a command that printed none fails DESC.
feat_check()
{
	local desc=$1; shift
	local rc

	FEAT_RESULTS=0
	feat_cmd __feat_ktap_line "$@"
	rc=$?
	if ((rc != 0 && rc != 1)) || ((FEAT_RESULTS == 0)); then
		ktap_test_fail "$desc" "features.py $1 exit status $rc"
	fi
}

# feat_run DESC ARGS...: features.py run, results labelled DESC.
feat_run()
{
	local desc=$1; shift

	feat_check "$desc" run --label "$desc" "$@"
}

__feat_print_line()
{
	echo "$1"
}

# feat_udp NS_A ADDR_A NS_B ADDR_B [--timeout S]: one datagram each way.
feat_udp()
{
	feat_cmd __feat_print_line udp "$@"
}

##############################################################################
# Topology

# in_ns NS CMD...: CMD in netns NS (nsenter, like tt in lib.sh: ip netns
# exec would remount /sys, which costs time and is not needed).
in_ns()
{
	local ns=$1; shift

	nsenter --net="/run/netns/$ns" "$@"
}

# veth_pairs NEAR_NS FAR_NS NEAR:FAR...: one veth pair per argument, NEAR
# in NEAR_NS and FAR in FAR_NS, both ends up.
veth_pairs()
{
	local near=$1 far=$2; shift 2
	local pair

	for pair in "$@"; do
		echo "link add name ${pair%:*} type veth peer name ${pair#*:} netns $far"
		echo "link set dev ${pair%:*} up"
	done | ip_batch "$near" &&
	for pair in "$@"; do
		echo "link set dev ${pair#*:} up"
	done | ip_batch "$far"
}

##############################################################################
# State of links and instances

# link_has_flag NS IF FLAG: FLAG (UP, LOWER_UP, ...) is in the link's flags.
link_has_flag()
{
	link_json "$1" "$2" | jq -e --arg f "$3" '.[0].flags | index($f) != null' > /dev/null
}

# link_state NS IF: "up" (admin up with carrier), "no-carrier" (admin up,
# no carrier) or "down" (admin down).
link_state()
{
	local flags

	flags=$(link_json "$1" "$2" | jq -r '.[0].flags | join(",")') || return 1
	case ",$flags," in
	*,UP,*LOWER_UP,*|*,LOWER_UP,*UP,*)	echo up ;;
	*,UP,*)					echo no-carrier ;;
	*)					echo down ;;
	esac
}

# wait_link_state NS IF STATE SECONDS: poll until the link is in STATE;
# false when it is not by then.
wait_link_state()
{
	local ns=$1 ifname=$2 state=$3 seconds=$4
	local end=$((SECONDS + seconds))

	while [ "$(link_state "$ns" "$ifname")" != "$state" ]; do
		((SECONDS >= end)) && return 1
		sleep 0.2
	done
}

# show_json NS NAME: the "taptool -j show NAME" object of an instance.
show_json()
{
	tt "$1" -j show "$2" | jq -c '.[0]'
}

# show_field NS NAME JQ-FILTER: one value of it.
show_field()
{
	tt "$1" -j show "$2" | jq -r ".[0] | $3"
}

# now_ms: a clock in milliseconds, for the timing of link propagation.
now_ms()
{
	local t

	t=$(date +%s%N)
	echo $((t / 1000000))
}

##############################################################################
# Events

# monitor_start NS FILE [-j]: "taptool [-j] monitor" in NS in the
# background, its output (stdout and stderr) in FILE; its pid in MON_PID.
monitor_start()
{
	local ns=$1 file=$2 json=${3:-}

	# shellcheck disable=SC2086 # -j or nothing
	in_ns "$ns" taptool $json monitor > "$file" 2>&1 &
	MON_PID=$!
	defer kill "$MON_PID"
}

# wait_lines FILE N SECONDS: until FILE has at least N lines.
wait_lines()
{
	local file=$1 n=$2 seconds=$3
	local end=$((SECONDS + seconds))

	while (($(wc -l < "$file") < n)); do
		((SECONDS >= end)) && return 1
		sleep 0.2
	done
}
