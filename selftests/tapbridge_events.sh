#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Events: "taptool monitor" (text) and "taptool -j monitor" (one JSON
# object a line) print, in order, what happens to the instances of their
# netns: created, changed, carrier down/up on a port, link propagation
# taking a port down and bringing it back, a mirror lost, a port lost,
# deleted. A monitor in another netns sees none of it; subscribing needs
# CAP_NET_ADMIN.
#
#   $FAR                         $TAP                           $FAR
#   xa ---------- pa (port A) --[ tap0 ]-- (port B) pb ---------- xb
#                                  |
#   y1..y3 ------ m1..m3 ----------+   (mirrors)
#   xqa, xqb ---- qa, qb: tap1 (created and deleted at the end)
#
# Each netns also holds an instance on dummy devices (sync0 in $TAP, sync1
# in $FAR) that the monitors are synchronised on: "set sync0" until the
# monitor prints its event, so that no event of the test is sent before
# the monitors listen.

source "$(dirname "$0")/lib_features.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

dummies()
{
	ip_batch "$1" <<-EOF
	link add name d1 type dummy
	link add name d2 type dummy
	link add name d3 type dummy
	EOF
}

# shellcheck disable=SC2153 # TAP comes from setup_ns
veth_pairs "$TAP" "$FAR" pa:xa pb:xb m1:y1 m2:y2 m3:y3 qa:xqa qb:xqb &&
	dummies "$TAP" && dummies "$FAR" || {
	echo "1..0 # SKIP cannot create the links"
	exit $ksft_skip
}

tt "$TAP" add sync0 port-a d1 port-b d2 mode aggregate mirror d3 &&
	tt "$FAR" add sync1 port-a d1 port-b d2 mode aggregate mirror d3
check_err $? "cannot add the sync instances"
log_test "add sync0 in \$TAP and sync1 in \$FAR (dummy ports)"

TEXT=$TBR_TMP/monitor.txt
JSON=$TBR_TMP/monitor.json
OTHER=$TBR_TMP/monitor-far.txt
ONE=$TBR_TMP/monitor-tap1.txt
monitor_start "$TAP" "$TEXT"
monitor_start "$TAP" "$JSON" -j
monitor_start "$FAR" "$OTHER"
# "monitor tap1" prints no sync event to wait for: it starts with the
# others, which the sync below waits for.
in_ns "$TAP" taptool monitor tap1 > "$ONE" 2>&1 &
defer kill $!

# sync NS INSTANCE FILE...: "set INSTANCE" until every FILE has an event
# of INSTANCE.
sync_monitors()
{
	local ns=$1 inst=$2; shift 2
	local try file ok

	for ((try = 0; try < 60; try++)); do
		tt "$ns" set "$inst" hold-down $((1000 + try)) || return 1
		sleep 0.5
		ok=1
		for file in "$@"; do
			grep -q "$inst" "$file" || ok=0
		done
		((ok)) && return 0
	done
	return 1
}

sync_monitors "$TAP" sync0 "$TEXT" "$JSON" && sync_monitors "$FAR" sync1 "$OTHER"
check_err $? "the monitors printed no event of the sync instances"
log_test "three monitors listen: text and JSON in \$TAP, text in \$FAR"

# lines FILE: FILE without the sync instances' events, and without the
# time of each event (checked on its own below).
lines()
{
	grep -v -e sync0 -e sync1 "$1" |
		sed -E 's/^\[[^]]*\] //; s/"time":"[^"]*",//'
}

# expect_events DESC EVENT...: wait until the text monitor has printed the
# events of the test so far and these EVENTs, then check that it printed
# exactly these EVENTs since the last call.
WANT=()
expect_events()
{
	local desc=$1; shift
	local first=$((${#WANT[@]} + 1)) end=$((SECONDS + 20))

	WANT+=("$@")
	while (($(lines "$TEXT" | wc -l) < ${#WANT[@]} && SECONDS < end)); do
		sleep 0.2
	done
	check_eq "monitor output" "$(lines "$TEXT" | sed -n "$first,\$p")" \
		"$(printf '%s\n' "$@")"
	log_test "$desc"
}

##############################################################################
# Configuration

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
TAP0=$(link_ifindex "$TAP" tap0)
PA=$(link_ifindex "$TAP" pa)
PB=$(link_ifindex "$TAP" pb)
M3=$(link_ifindex "$TAP" m3)
expect_events "taptool add: created" "tap0: created"

tt "$TAP" set tap0 link-propagation on hold-down 500
check_err $? "taptool set failed"
expect_events "set link-propagation on: changed" "tap0: changed"

tt "$TAP" set tap0 mirror add m2 dir a-b &&
	tt "$TAP" set tap0 mirror del m2
check_err $? "taptool set failed"
expect_events "mirror add, mirror del: changed, changed" "tap0: changed" "tap0: changed"

##############################################################################
# Carrier and link propagation

ip -n "$FAR" link set dev xa down
expect_events "xa down: carrier down on pa, link propagation took pb down" \
	"tap0: carrier down on pa" "tap0: link propagation took pb down"

ip -n "$FAR" link set dev xa up
expect_events "xa up: carrier up on pa, then after the hold-down pb brought up and its carrier" \
	"tap0: carrier up on pa" "tap0: link propagation brought pb up" \
	"tap0: carrier up on pb"

tt "$TAP" set tap0 link-propagation off
check_err $? "taptool set failed"
ip -n "$FAR" link set dev xb down
expect_events "propagation off, xb down: changed, carrier down on pb, no action" \
	"tap0: changed" "tap0: carrier down on pb"
ip -n "$FAR" link set dev xb up
expect_events "xb up: carrier up on pb" "tap0: carrier up on pb"

##############################################################################
# Losing a mirror, losing a port

tt "$TAP" set tap0 mirror add m3
check_err $? "taptool set failed"
ip -n "$TAP" link del dev m3
expect_events "mirror add m3, ip link del m3: changed, mirror m3 lost" \
	"tap0: changed" "tap0: mirror m3 lost"

ip -n "$TAP" link del dev pa
expect_events "ip link del pa: carrier down on pa, port pa lost, deleted" \
	"tap0: carrier down on pa" "tap0: port pa lost" "tap0: deleted"

tt "$TAP" add tap1 port-a qa port-b qb mode split mirror-ab m1 mirror-ba m2
check_err $? "taptool add tap1 failed"
TAP1=$(link_ifindex "$TAP" tap1)
tt "$TAP" del tap1
check_err $? "taptool del tap1 failed"
expect_events "add tap1, del tap1: created, deleted" "tap1: created" "tap1: deleted"

check_eq "monitor output" "$(lines "$TEXT")" "$(printf '%s\n' "${WANT[@]}")"
log_test "taptool monitor: these ${#WANT[@]} events in this order, no other"

##############################################################################
# The JSON monitor saw the same, and the other netns nothing

ev()
{
	local event=$1 ifname=$2 ifindex=$3 dev=${4:-} dev_ifindex=${5:-}

	jq -cn --arg e "$event" --arg n "$ifname" --argjson i "$ifindex" \
		--arg d "$dev" --arg di "$dev_ifindex" \
		'{schema_version: 1, event: $e, ifname: $n, ifindex: $i,
		  dev: (if $d == "" then null
			else {ifname: $d, ifindex: ($di | tonumber)} end)}'
}

want=$(
	ev created tap0 "$TAP0"
	for _ in 1 2 3; do ev changed tap0 "$TAP0"; done
	ev carrier-down tap0 "$TAP0" pa "$PA"
	ev propagation-down tap0 "$TAP0" pb "$PB"
	ev carrier-up tap0 "$TAP0" pa "$PA"
	ev propagation-up tap0 "$TAP0" pb "$PB"
	ev carrier-up tap0 "$TAP0" pb "$PB"
	ev changed tap0 "$TAP0"
	ev carrier-down tap0 "$TAP0" pb "$PB"
	ev carrier-up tap0 "$TAP0" pb "$PB"
	ev changed tap0 "$TAP0"
	ev mirror-lost tap0 "$TAP0" m3 "$M3"
	ev carrier-down tap0 "$TAP0" pa "$PA"
	ev port-lost tap0 "$TAP0" pa "$PA"
	ev deleted tap0 "$TAP0"
	ev created tap1 "$TAP1"
	ev deleted tap1 "$TAP1"
)
wait_lines "$JSON" "$(($(grep -c sync0 "$JSON") + $(wc -l <<< "$want")))" 10
check_eq "monitor -j output" "$(lines "$JSON")" "$want"
log_test "taptool -j monitor: the same events, one JSON object a line, with ifindexes"

check_eq "monitor in \$FAR" "$(lines "$OTHER")" ""
log_test "the monitor in the other netns printed none of them"

check_eq "monitor tap1" "$(lines "$ONE")" "tap1: created"$'\n'"tap1: deleted"
log_test "taptool monitor tap1: the events of tap1 only"

TIME='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}'
check_eq "text events without a time" \
	"$(grep -cvE "^\[$TIME\] " "$TEXT")" 0
check_eq "JSON events without a time" \
	"$(grep -cvE "^\{\"schema_version\":1,\"time\":\"$TIME\"," "$JSON")" 0
log_test "every event carries its time, in text and in JSON"
python3 "$TBR_ROOT/tools/taptool/tests/check_json.py" --min 10 "$JSON" > "$TBR_TMP/schema.out"
check_err $? "$(cat "$TBR_TMP/schema.out")"
log_test "taptool -j monitor output matches taptool.schema.json"

##############################################################################
# Subscribing needs CAP_NET_ADMIN

if command -v setpriv > /dev/null; then
	for json in "" "-j"; do
		# shellcheck disable=SC2086 # -j or nothing
		err=$(timeout 30 nsenter --net="/run/netns/$TAP" setpriv --reuid=65534 \
			--regid=65534 --clear-groups --inh-caps=-all \
			taptool $json monitor 2>&1)
		check_eq "exit status" "$?" 1
		check_eq "output" "$err" "Error: Operation not permitted (CAP_NET_ADMIN needed)"
		log_test "taptool ${json:+$json }monitor without CAP_NET_ADMIN is refused with its message"
	done
else
	log_test_skip "monitor without CAP_NET_ADMIN" "setpriv not found"
fi

ktap_finish
