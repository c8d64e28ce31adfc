#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The TAP as a sensor uses it: tshark captures on the far end of a mirror
# while TCP connections cross the TAP, then reads its capture. In aggregate
# mode the mirror carries every frame of every connection, both ways, from
# SYN to both FINs; in split mode mirror-ab carries exactly the A->B frames
# and mirror-ba exactly the B->A frames. The frames the endpoints sent are
# the truth: each side's interface is captured too, and what one side sent
# must arrive at the other byte for byte.
#
#   $CLIENT                 $TAP                      $SERVER
#   xa 10.1.0.1 ---- pa --[ tap0 ]-- pb ---- xb 10.1.0.2
#                           |  |  |
#   $SENSOR: y0, y1, y2 -- m0 m1 m2 (mirrors; tshark on y0, y1, y2)
#
# The endpoints send wire-sized frames (no TSO/GSO), as a NIC puts them on
# a wire; the ports have GRO on before they are enslaved, as a distribution
# may leave them.

source "$(dirname "$0")/lib_features.sh"

tbr_require
for tool in tshark ethtool; do
	if ! command -v $tool > /dev/null; then
		echo "1..0 # SKIP $tool not found"
		exit $ksft_skip
	fi
done
setup_ns TAP CLIENT SERVER SENSOR || exit $ksft_skip

veth_pairs "$TAP" "$CLIENT" pa:xa && veth_pairs "$TAP" "$SERVER" pb:xb &&
	veth_pairs "$TAP" "$SENSOR" m0:y0 m1:y1 m2:y2 &&
	ip -n "$CLIENT" addr add 10.1.0.1/24 dev xa &&
	ip -n "$SERVER" addr add 10.1.0.2/24 dev xb &&
	in_ns "$CLIENT" ethtool -K xa tso off gso off &&
	in_ns "$SERVER" ethtool -K xb tso off gso off &&
	in_ns "$TAP" ethtool -K pa gro on &&
	in_ns "$TAP" ethtool -K pb gro on || {
	echo "1..0 # SKIP cannot set up the links"
	exit $ksft_skip
}

# capture_start: one tshark in $SENSOR captures on y0, y1 and y2 into
# $CAPTURE for the whole test; returns once it captures ("Capture started"
# comes when dumpcap has opened the interfaces).
CAPTURE=$TBR_TMP/sensor.pcapng
capture_start()
{
	local end=$((SECONDS + 240))

	ip netns exec "$SENSOR" tshark -i y0 -i y1 -i y2 -w "$CAPTURE" \
		> /dev/null 2> "$TBR_TMP/tshark.err" &
	TSHARK_PID=$!
	defer kill "$TSHARK_PID"
	until grep -q "Capture started" "$TBR_TMP/tshark.err"; do
		if ((SECONDS >= end)) || ! kill -0 "$TSHARK_PID" 2> /dev/null; then
			echo "# tshark did not start:"
			sed 's/^/#   /' "$TBR_TMP/tshark.err"
			return 1
		fi
		sleep 0.5
	done
}

# capture_stop: stop tshark (SIGINT: it closes the file), read the capture:
# a line of fields per frame, then the TCP conversations of each mirror
# (-z conv,tcp filtered on its interface).
capture_stop()
{
	kill -INT "$TSHARK_PID" && wait "$TSHARK_PID" &&
	tshark -r "$CAPTURE" -T fields -e frame.interface_name -e tcp.stream \
		-e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
		-e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.fin -e frame.len \
		-z 'conv,tcp,frame.interface_name=="y0"' \
		-z 'conv,tcp,frame.interface_name=="y1"' \
		-z 'conv,tcp,frame.interface_name=="y2"' \
		> "$TBR_TMP/tshark.txt" 2> "$TBR_TMP/tshark-r.err"
}

# transfers LABEL JSON: three TCP connections across the TAP, 200 KB from
# the client, 20 KB back; the frames on both sides are left in JSON.
transfers()
{
	feat_check "$1: TCP connections" tcp --client "$CLIENT:xa:10.1.0.1" \
		--server "$SERVER:xb:10.1.0.2" --count 3 --size 200000 \
		--reply 20000 --json "$2" --label "$1"
}

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m0
check_err $? "taptool add failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m0"

capture_start
check_err $? "tshark did not start"
log_test "tshark -i y0 -i y1 -i y2 -w FILE captures in \$SENSOR"

# Aggregate: one mirror gets every connection whole. Split: each mirror
# gets its direction of every connection, whole.
transfers aggregate "$TBR_TMP/aggregate.json"
out=$(tt "$TAP" set tap0 mode split mirror-ab m1 mirror-ba m2 2>&1)
check_eq "set tap0 mode split mirror-ab m1 mirror-ba m2" "$?|$out" "0|"
log_test "set tap0 mode split mirror-ab m1 mirror-ba m2"
transfers split "$TBR_TMP/split.json"

capture_stop
check_err $? "tshark failed: $(cat "$TBR_TMP/tshark.err" "$TBR_TMP/tshark-r.err")"
log_test "tshark stops and reads its capture"

feat_check "aggregate: tshark" conv --truth "$TBR_TMP/aggregate.json" \
	--tshark "$TBR_TMP/tshark.txt" --iface y0 --want both \
	--label "aggregate, mirror m0"
feat_check "split: tshark y1" conv --truth "$TBR_TMP/split.json" \
	--tshark "$TBR_TMP/tshark.txt" --iface y1 --want a-b \
	--label "split, mirror-ab m1"
feat_check "split: tshark y2" conv --truth "$TBR_TMP/split.json" \
	--tshark "$TBR_TMP/tshark.txt" --iface y2 --want b-a \
	--label "split, mirror-ba m2"

ktap_finish
