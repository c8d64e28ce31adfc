#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The datapath: for both modes and both directions, every frame kind of the
# corpus sent into one port comes out of the other byte for byte and
# exactly once, exactly one identical copy reaches each mirror that should
# get it and none reaches any other, and the counters equal what was sent.
#
#   $FAR                          $TAP                            $FAR
#
#   xa ----------- pa (port A) --[ tap0 ]-- (port B) pb ----------- xb
#                                  |    |
#   y1 ----------- m1 ----mirror---+    +---mirror--- m2 ---------- y2
#
#   xqa ---------- qa --[ tap1 ]-- qb ---------- xqb   (must stay silent)
#                         |
#   yq ----------- mq ----+
#
# Frames are sent on the far end of one port's veth (xa or xb) and captured
# on the far ends of all the others. Both netns have IPv6 off and no link
# has an address, so no frame but the test's own crosses a port.

source "$(dirname "$0")/lib.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

PAIRS="pa:xa pb:xb m1:y1 m2:y2 qa:xqa qb:xqb mq:yq"

tap_links()
{
	for pair in $PAIRS; do
		echo "link add name ${pair%:*} type veth peer name ${pair#*:} netns $FAR"
		echo "link set dev ${pair%:*} up"
	done
}

far_links()
{
	for pair in $PAIRS; do
		echo "link set dev ${pair#*:} up"
	done
}

if ! tap_links | ip_batch "$TAP" || ! far_links | ip_batch "$FAR"; then
	echo "1..0 # SKIP cannot create veth pairs"
	exit $ksft_skip
fi

CAPTURE_ALL="$FAR:xa,$FAR:xb,$FAR:y1,$FAR:y2,$FAR:xqa,$FAR:xqb,$FAR:yq"

# Every far end but the ones given: where no copy may arrive.
absent_except()
{
	local spec out=""

	for spec in ${CAPTURE_ALL//,/ }; do
		[[ " $* " == *" ${spec#*:} "* ]] && continue
		out+=${out:+,}$spec
	done
	echo "$out"
}

# direction_test DESC SEND_IF "EXPECT_IF..." DIR FWD MIRROR [FRAMES [TAP_IF]]:
# send the frames on $FAR:SEND_IF; want one identical copy at each
# EXPECT_IF and none at any other far end (the sender's own included).
# tap0's counters of DIR must grow by what was sent (FWD: fwd or
# fwd-drop, MIRROR: mirror or mirror-drop); no other counter of tap0 or
# tap1 may change. With TAP_IF, a packet socket also listens on that port
# of tap0, as tcpdump would: it must see each frame once, and the TAP must
# forward frames that the socket holds a reference to as well.
direction_test()
{
	local desc=$1 send=$2 expect_ifs=$3 dir=$4 fwd=$5 mirror=$6
	local frames=${7:-all} tap_if=${8:-}
	local expect="" ifname

	for ifname in $expect_ifs; do
		expect+=${expect:+,}$FAR:$ifname
	done
	[ -n "$tap_if" ] && expect+=",$TAP:$tap_if"
	# shellcheck disable=SC2086 # a list of names
	frames_check "$desc" --send "$FAR:$send" --frames "$frames" \
		--expect "$expect" --absent "$(absent_except $expect_ifs)" \
		--stats "$TAP" --counters "tap0:$dir:$fwd,$mirror"
}

tt "$TAP" add tap1 port-a qa port-b qb mode aggregate mirror mq
check_err $? "taptool add tap1 failed"
log_test "add second instance tap1 (aggregate)"

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add tap0 failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m1"

# The whole corpus, both modes, both directions; in aggregate mode with a
# packet socket on the ingress port.
direction_test "aggregate a->b" xa "xb y1" a_to_b fwd mirror all pa
direction_test "aggregate b->a" xb "xa y1" b_to_a fwd mirror all pb

tt "$TAP" set tap0 mode split mirror-ab m1 mirror-ba m2
check_err $? "taptool set failed"
log_test "set tap0 mode split mirror-ab m1 mirror-ba m2"

direction_test "split a->b" xa "xb y1" a_to_b fwd mirror
direction_test "split b->a" xb "xa y2" b_to_a fwd mirror

# A changed mirror set takes effect at once, for new frames only: a few
# frame kinds are enough here.
SOME=ipv4-udp,vlan-8021q,qinq-8021ad,stp-bpdu,mtu-1514

tt "$TAP" set tap0 mode split mirror-ab m2 mirror-ba m1
check_err $? "taptool set failed"
log_test "set tap0 mode split mirror-ab m2 mirror-ba m1 (swapped)"

direction_test "swapped split a->b" xa "xb y2" a_to_b fwd mirror "$SOME"
direction_test "swapped split b->a" xb "xa y1" b_to_a fwd mirror "$SOME"

tt "$TAP" set tap0 mode aggregate mirror m2
check_err $? "taptool set failed"
log_test "set tap0 mode aggregate mirror m2"

direction_test "aggregate to m2 a->b" xa "xb y2" a_to_b fwd mirror "$SOME"
direction_test "aggregate to m2 b->a" xb "xa y2" b_to_a fwd mirror "$SOME"

# A mirror that is down takes no copies: they are counted as mirror drops,
# and forwarding goes on untouched.
ip -n "$TAP" link set dev m2 down
direction_test "mirror down a->b" xa "xb" a_to_b fwd mirror-drop "$SOME"
ip -n "$TAP" link set dev m2 up

# An egress port whose link is down takes no frames: forward drops, while
# the mirror still gets its copies.
ip -n "$FAR" link set dev xb down
CAPTURE_ALL=${CAPTURE_ALL/$FAR:xb,/}
direction_test "egress link down a->b" xa "y2" a_to_b fwd-drop mirror "$SOME"
ip -n "$FAR" link set dev xb up
CAPTURE_ALL="$FAR:xb,$CAPTURE_ALL"

# Back up: forwarding resumes.
direction_test "egress link back up a->b" xa "xb y2" a_to_b fwd mirror "$SOME"

# The instance device's own link counters sum both directions.
stats=$(tt "$TAP" -j stats tap0)
link=$(ip -n "$TAP" -s -j link show dev tap0)
diff=$(jq -n -r --argjson s "$stats" --argjson l "$link" '
	($s[0]) as $t | ($l[0].stats64) as $k
	| [ [$k.rx.packets, $t.a_to_b.rx_packets + $t.b_to_a.rx_packets, "rx packets"],
	    [$k.rx.bytes, $t.a_to_b.rx_bytes + $t.b_to_a.rx_bytes, "rx bytes"],
	    [$k.tx.packets, $t.a_to_b.fwd_packets + $t.b_to_a.fwd_packets, "tx packets"],
	    [$k.tx.bytes, $t.a_to_b.fwd_bytes + $t.b_to_a.fwd_bytes, "tx bytes"] ]
	| map(select(.[0] != .[1]) | "\(.[2]): link \(.[0]), taptool \(.[1])")
	| join("; ")' 2>&1)
[ -z "$diff" ]
check_err $? "$diff"
log_test "ip -s link show tap0 sums the counters of both directions"

ktap_finish
