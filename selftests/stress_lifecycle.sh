#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Devices come and go while traffic crosses the TAP both ways: at least 200
# cycles (TBR_STRESS_CYCLES) of each of: delete port A, delete port B,
# delete the mirror, delete the instance (genl and rtnetlink in turn), move
# a port (A and B in turn) to another netns and delete it there, move the
# mirror away and delete it, delete the instance's netns, rmmod with live
# instances in two netns (then insmod), and change the mode and mirror list
# as fast as a loop can. stress.py drives the cycles over netlink from one
# process; stress.py traffic sends frames from the far ends all along.
#
#   $TAP:  pa --[tap0 aggregate]-- pb, mirror m1 (m2 for the mirror churn)
#   $FAR:  xa                      xb,        y1   y2   (the traffic)
#   $OTHER: where ports and mirrors are moved to; tap0 of the rmmod cycles
#
# Afterwards: no report (run_all.sh scans the kernel log and kmemleak),
# the last instance's former ports are deleted at once, the tap netns dies
# (its far ends go), and the module unloads, loads and forwards again.

source "$(dirname "$0")/lib.sh"

tbr_require_reload
CYCLES=${TBR_STRESS_CYCLES:-200}
setup_ns TAP OTHER FAR AGAIN || exit $ksft_skip

state=$TBR_TMP/traffic.json
$PYTHON "$TBR_SELFTESTS/stress.py" traffic --far "$FAR" --state "$state" &
traffic=$!
defer kill "$traffic"

ktap_print_msg "$CYCLES cycles of each kind"
FRAMES_RESULTS=0
while IFS= read -r line; do
	__ktap_line "$line"
done < <($PYTHON "$TBR_SELFTESTS/stress.py" lifecycle --tap "$TAP" \
	--other "$OTHER" --far "$FAR" --module "$MODULE" --cycles "$CYCLES" \
	--state "$state" 2>&1)
((FRAMES_RESULTS)) || ktap_test_fail "stress.py lifecycle printed no result"

kill "$traffic"
wait "$traffic"
check_err $? "the traffic sender failed"
check_err "$(jq '[.sent_a, .sent_b] | min == 0' "$state" | grep -c true)" \
	"the traffic sender sent nothing: $(cat "$state")"
log_test "traffic both ways all along: $(jq -r '"\(.sent_a) and \(.sent_b) frames sent, \(.a_to_b) a->b and \(.b_to_a) b->a arrived, \(.copies) copies"' "$state")"

# A netdev reference left behind would make the deletion of the device
# wait for it ("unregister_netdevice: waiting for"), and the netns with it.
tt "$TAP" del tap0
check_err $? "taptool del tap0 failed"
for dev in pa pb m1; do
	timeout 10 ip -n "$TAP" link del "$dev"
	check_err $? "ip link del $dev did not finish in 10 s"
done
log_test "the last instance's former ports and mirror are deleted at once"

# The netns goes in the kernel's cleanup work, after the netns of the
# netns-del cycles, each slow under emulation: a generous bound.
ip netns del "$TAP"
end=$((SECONDS + 180))
while [ -n "$(ip -n "$FAR" -o link show | grep -v ': lo:')" ] && ((SECONDS < end)); do
	sleep 0.5
done
left=$(ip -n "$FAR" -o link show | grep -v ': lo:' | cut -d: -f2 | tr -d ' ' | tr '\n' ' ')
check_eq "links left in the far netns (${left:-none})" "${left:-none}" none
log_test "the tap netns dies: its veth pairs go with it"

err=$(rmmod tapbridge 2>&1)
check_err $? "rmmod failed: $err"
err=$(insmod "$MODULE" 2>&1)
check_err $? "insmod $MODULE failed: $err"
log_test "the module unloads and loads again"

ip_batch "$AGAIN" <<-EOF
link add name pa type veth peer name xa netns $FAR
link add name pb type veth peer name xb netns $FAR
link add name m1 type veth peer name y1 netns $FAR
link set dev pa up
link set dev pb up
link set dev m1 up
EOF
ip_batch "$FAR" <<-EOF
link set dev xa up
link set dev xb up
link set dev y1 up
EOF
tt "$AGAIN" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
log_test "after reloading: a new instance"

frames_check "after reloading a->b" --send "$FAR:xa" --frames ipv4-udp,arp \
	--expect "$FAR:xb,$FAR:y1" --absent "$FAR:xa" \
	--stats "$AGAIN" --counters tap0:a_to_b:fwd,mirror
frames_check "after reloading b->a" --send "$FAR:xb" --frames ipv4-udp,arp \
	--expect "$FAR:xa,$FAR:y1" --absent "$FAR:xb" \
	--stats "$AGAIN" --counters tap0:b_to_a:fwd,mirror

ktap_finish
