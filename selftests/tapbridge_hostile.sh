#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile frames from the wire: runts, frames over the ports' MTU, broken
# VLAN headers, 64 stacked tags (hostile.py), sent with send(2) and through
# a PACKET_TX_RING with PACKET_QDISC_BYPASS, whose frames reach the port as
# page fragments; and GSO super-frames of a TCP sender with TSO on port A's
# far end. Each is forwarded and copied, dropped and counted, or never
# reaches the TAP, as README.rst says, and the counters of "taptool -j
# stats" move by exactly that. None of it may crash or warn (run_all.sh
# scans the kernel log).
#
#   $A: xa (MTU 2100) ---- pa (port A) --[ tap0 ]-- (port B) pb ---- xb :$B
#                                           |  \
#   $FAR:                        y1 ---- m1    m2 (snaplen 128) ---- y2
#
# The ports, m1 and m2 have MTU 1500; xa sends up to 2100 bytes, so frames
# of 1515 to 1518 bytes get through veth (which takes MTU + 18) to a port
# whose MTU they exceed.

source "$(dirname "$0")/lib_features.sh"

tbr_require
setup_ns TAP A B FAR || exit $ksft_skip

veth_pairs "$TAP" "$A" pa:xa && veth_pairs "$TAP" "$B" pb:xb &&
	veth_pairs "$TAP" "$FAR" m1:y1 m2:y2 &&
	ip -n "$A" link set dev xa mtu 2100 || {
	echo "1..0 # SKIP cannot create the links"
	exit $ksft_skip
}

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1 &&
	tt "$TAP" set tap0 mirror add m2 snaplen 128
check_err $? "cannot create tap0"
log_test "add tap0 port-a pa port-b pb mirror m1, mirror m2 snaplen 128"

# run_hostile LABEL ARGS...: hostile.py, its PASS/FAIL lines as KTAP; a
# run that ended without them fails.
run_hostile()
{
	local label=$1; shift
	local out rc line

	out=$("$PYTHON" "$TBR_SELFTESTS/hostile.py" --label "$label" "$@" 2>&1)
	rc=$?
	FEAT_RESULTS=0
	while IFS= read -r line; do
		__feat_ktap_line "$line"
	done <<< "$out"
	if ((rc != 0 && rc != 1)) || ((FEAT_RESULTS == 0)); then
		ktap_test_fail "$label: hostile.py" "exit status $rc"
	fi
}

HOSTILE=(--send "$A:xa" --wire "$B:xb" --mirror "$FAR:y1" --sliced "$FAR:y2:128"
	 --stats "$TAP" --instance tap0 --mirror-dev m1 --sliced-dev m2 --mtu 1500)
run_hostile "send" "${HOSTILE[@]}"
run_hostile "tx-ring" --ring "${HOSTILE[@]}"

##############################################################################
# GSO frames: TCP with TSO through the TAP. Every frame of the connection
# is captured where it is sent and where it arrives (features.py tcp), so
# the counters can be compared with what crossed. Static neighbours: no ARP
# crosses uncounted.

ip -n "$A" addr add 10.77.0.1/24 dev xa &&
	ip -n "$B" addr add 10.77.0.2/24 dev xb &&
	ip -n "$A" neigh add 10.77.0.2 lladdr "$(link_json "$B" xb | jq -r '.[0].address')" \
		dev xa nud permanent &&
	ip -n "$B" neigh add 10.77.0.1 lladdr "$(link_json "$A" xa | jq -r '.[0].address')" \
		dev xb nud permanent
check_err $? "cannot address xa and xb"
ip -n "$A" link set dev xa mtu 1500
check_err $? "cannot set xa's MTU back to 1500"
check_eq "xa tcp-segmentation-offload" \
	"$(in_ns "$A" ethtool -k xa 2> /dev/null | awk '$1 == "tcp-segmentation-offload:" { print $2 }')" on
log_test "xa and xb addressed, xa's MTU 1500 with TSO on"

before=$(tt "$TAP" -j stats tap0)
feat_check "TCP with TSO" tcp --client "$A:xa:10.77.0.1" --server "$B:xb:10.77.0.2" \
	--count 2 --size 200000 --reply 1000 --json "$TBR_TMP/tcp.json"
after=$(tt "$TAP" -j stats tap0)

# The counters moved by the frames and bytes each side sent, super-frames
# counted as one frame of their whole length, and m1 got a copy of each.
diff=$(jq -n -r --argjson b "$before" --argjson a "$after" \
	--slurpfile t "$TBR_TMP/tcp.json" '
	($t[0].connections) as $c
	| {ab_frames: ($c | map(.ab_frames) | add), ab_bytes: ($c | map(.ab_bytes) | add),
	   ba_frames: ($c | map(.ba_frames) | add), ba_bytes: ($c | map(.ba_bytes) | add)} as $w
	| def d(dir; k): $a[0][dir][k] - $b[0][dir][k];
	  def m(i; k): $a[0].mirrors[i][k] - $b[0].mirrors[i][k];
	[ [d("a_to_b"; "rx_packets"), $w.ab_frames, "a_to_b rx_packets"],
	  [d("a_to_b"; "rx_bytes"), $w.ab_bytes, "a_to_b rx_bytes"],
	  [d("a_to_b"; "fwd_packets"), $w.ab_frames, "a_to_b fwd_packets"],
	  [d("a_to_b"; "fwd_bytes"), $w.ab_bytes, "a_to_b fwd_bytes"],
	  [d("a_to_b"; "fwd_drops"), 0, "a_to_b fwd_drops"],
	  [d("b_to_a"; "rx_packets"), $w.ba_frames, "b_to_a rx_packets"],
	  [d("b_to_a"; "rx_bytes"), $w.ba_bytes, "b_to_a rx_bytes"],
	  [d("b_to_a"; "fwd_packets"), $w.ba_frames, "b_to_a fwd_packets"],
	  [d("b_to_a"; "fwd_drops"), 0, "b_to_a fwd_drops"],
	  [m(0; "tx_packets"), $w.ab_frames + $w.ba_frames, "m1 tx_packets"],
	  [m(0; "tx_bytes"), $w.ab_bytes + $w.ba_bytes, "m1 tx_bytes"],
	  [m(0; "tx_drops"), 0, "m1 tx_drops"],
	  [m(1; "tx_drops"), 0, "m2 tx_drops"] ]
	| map(select(.[0] != .[1]) | "\(.[2]) \(.[0]), want \(.[1])") | join("; ")' 2>&1)
check_eq "counters against the frames that crossed" "$diff" ""
log_test "TCP with TSO: counters match the frames each side sent, m1 copied each"

# They were GSO frames: on average longer than the MTU allows a frame.
ab=$(jq -r '[.connections[] | .ab_bytes / .ab_frames] | min' "$TBR_TMP/tcp.json")
jq -e -n --argjson ab "$ab" '$ab > 1514' > /dev/null
check_err $? "A->B frames average $ab bytes: no GSO super-frames crossed"
# m2 cut every segment of them to 128 bytes: more copies than frames.
sliced=$(jq -n -r --argjson b "$before" --argjson a "$after" \
	'$a[0].mirrors[1].sliced - $b[0].mirrors[1].sliced')
frames_ab=$(jq '[.connections[].ab_frames] | add' "$TBR_TMP/tcp.json")
((sliced > frames_ab))
check_err $? "m2 sliced $sliced copies of $frames_ab A->B frames: the super-frames were not segmented"
log_test "GSO frames crossed (A->B average $ab bytes); m2 cut $sliced segment copies"

ktap_finish
