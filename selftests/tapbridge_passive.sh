#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A TAP adds no frame to the link it taps. The host's own IPv6 would:
# duplicate address detection, MLD reports and router solicitations on a
# port it brings up. While enslaved a port has no IPv6 address and
# configures none: captures at the far ends of both ports see nothing,
# through the enslave, carrier flaps on both sides and pa's release (the
# far ends are silent themselves). Afterwards each port is as it was: pa
# down, pb up with its link-local address back (and, a plain interface
# again, announcing it).
#
#   $A                      $TAP (IPv6 on)                     $B
#   xa -------- pa (port A, down) --[ tap0 ]-- (port B, up) pb -------- xb
#   tcpdump                             |                            tcpdump
#                                       +-- m1 ---- y1 ($FAR)

source "$(dirname "$0")/lib_features.sh"

tbr_require
if ! command -v tcpdump > /dev/null; then
	echo "1..0 # SKIP tcpdump not found"
	exit $ksft_skip
fi
setup_ns TAP A B FAR || exit $ksft_skip

# setup_ns turned IPv6 off; the host side of this test needs it on. No
# router solicitations: they would go on for seconds after pb comes up.
in_ns "$TAP" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
	net.ipv6.conf.default.disable_ipv6=0 \
	net.ipv6.conf.default.router_solicitations=0

ip_batch "$TAP" <<EOF || { echo "1..0 # SKIP cannot create the links"; exit $ksft_skip; }
link add name pa type veth peer name xa netns $A
link add name pb type veth peer name xb netns $B
link add name m1 type veth peer name y1 netns $FAR
link set dev pb up
link set dev m1 up
EOF
ip -n "$A" link set dev xa up
ip -n "$B" link set dev xb up
ip -n "$FAR" link set dev y1 up

# ll_addr NS IF: the link-local address of IF, if any.
ll_addr()
{
	ip -n "$1" -6 -j addr show dev "$2" scope link |
		jq -r '.[0].addr_info[0].local // empty'
}

# ll_ready NS IF: IF has a link-local address that is no longer tentative.
ll_ready()
{
	[ -n "$(ll_addr "$1" "$2")" ] &&
		! ip -n "$1" -6 addr show dev "$2" | grep -q tentative
}

for ((i = 0; i < 100; i++)); do
	ll_ready "$TAP" pb && break
	sleep 0.1
done
ll_ready "$TAP" pb
check_err $? "pb has no link-local address"
# Its own MLD reports (sent twice, a second apart) are done by now.
sleep 3
log_test "before: pb up with link-local $(ll_addr "$TAP" pb), pa down"

# capture NS IF: tcpdump on IF in NS; its pid in CAPTURE_PIDS.
CAPTURE_PIDS=()
capture()
{
	# nsenter itself, not the in_ns function: a function in the
	# background is a subshell, and $! would be the subshell's pid.
	nsenter --net="/run/netns/$1" tcpdump -i "$2" -nn -U \
		-w "$TBR_TMP/$2.pcap" 2> "$TBR_TMP/$2.err" &
	CAPTURE_PIDS+=($!)
	defer kill "$!"
	for ((i = 0; i < 100; i++)); do
		grep -q "listening on" "$TBR_TMP/$2.err" && return 0
		sleep 0.1
	done
	return 1
}

capture "$A" xa && capture "$B" xb
check_err $? "tcpdump did not start: $(cat "$TBR_TMP"/*.err)"
log_test "tcpdump listens on xa and xb"

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
# Long enough for DAD (a random delay of up to a second) and MLD reports.
sleep 3
check_eq "pa link-local" "$(ll_addr "$TAP" pa)" ""
check_eq "pb link-local" "$(ll_addr "$TAP" pb)" ""
check_eq "pa state" "$(link_state "$TAP" pa)" up
check_eq "pb state" "$(link_state "$TAP" pb)" up
log_test "enslaved: both ports up, neither has an IPv6 address"

for far in "$A xa pa" "$B xb pb"; do
	read -r ns dev port <<< "$far"
	ip -n "$ns" link set dev "$dev" down
	wait_link_state "$TAP" "$port" no-carrier 10
	check_err $? "$port did not lose its carrier"
	ip -n "$ns" link set dev "$dev" up
	wait_link_state "$TAP" "$port" up 10
	check_err $? "$port did not get its carrier back"
done
sleep 2
log_test "carrier flaps on pa and pb"

# capture_stop N: stop capture N (0: xa, 1: xb). Background jobs of a
# script ignore SIGINT: SIGTERM it is (-U wrote each frame as it came).
capture_stop()
{
	kill "${CAPTURE_PIDS[$1]}"
	wait "${CAPTURE_PIDS[$1]}"
}

# pb gets its IPv6 back on release and, a plain interface again, sends
# its DAD and MLD at once: xb's capture ends before the release. pa goes
# down on release, and xa's capture covers it.
capture_stop 1
tt "$TAP" del tap0
check_err $? "taptool del failed"
sleep 2
capture_stop 0
for dev in xa xb; do
	frames=$(tcpdump -nn -r "$TBR_TMP/$dev.pcap" 2> /dev/null)
	check_eq "frames captured on $dev" "$(grep -c . <<< "$frames")" 0
	[ -n "$frames" ] && ktap_print_msg "$frames"
done
log_test "through enslave and flaps (and pa's release): not one frame at either far end"

check_eq "pa state" "$(link_state "$TAP" pa)" down
for ((i = 0; i < 50; i++)); do
	[ -n "$(ll_addr "$TAP" pb)" ] && break
	sleep 0.1
done
check_eq "pb state" "$(link_state "$TAP" pb)" up
[ -n "$(ll_addr "$TAP" pb)" ]
check_err $? "pb has no link-local address after release"
log_test "released: pa down as before, pb up with a link-local address again"

ktap_finish
