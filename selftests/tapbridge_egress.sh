#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Frames leave a port or a mirror as a fresh transmit would, whatever the
# receive side left on them:
#
# - No receive timestamp. With any timestamping socket open on the host
#   the core stamps every received frame; an fq qdisc on the egress reads
#   a stamp as the frame's departure time, finds it far beyond its
#   horizon, and drops the frame. fq on port B and on the mirror, with a
#   timestamping socket open: every frame arrives, and fq counts no drop.
# - A GSO frame (a local sender's UDP GSO through a veth) stands for
#   several wire frames: it fits the egress only when each segment does.
#   Too big for port B, it is dropped and counted as oversize; too big for
#   a mirror, the copy likewise. It passes once the MTU allows.
#
#   $A                    $TAP                       $B
#   xa ----- pa (port A) --[ tap0 ]-- (port B) pb ----- xb
#   10.1.0.1                  |                        10.1.0.2
#                             +-- m1 (mirror) ---- y1 ($FAR)

source "$(dirname "$0")/lib_features.sh"

tbr_require
setup_ns TAP A B FAR || exit $ksft_skip
if ! in_ns "$TAP" tc qdisc add dev lo root fq 2> /dev/null; then
	echo "1..0 # SKIP no fq qdisc (CONFIG_NET_SCH_FQ)"
	exit $ksft_skip
fi
in_ns "$TAP" tc qdisc del dev lo root

veth_pairs "$TAP" "$A" pa:xa && veth_pairs "$TAP" "$B" pb:xb &&
	veth_pairs "$TAP" "$FAR" m1:y1 &&
	ip -n "$A" addr add 10.1.0.1/24 dev xa &&
	ip -n "$B" addr add 10.1.0.2/24 dev xb || {
	echo "1..0 # SKIP cannot create the links"
	exit $ksft_skip
}
# No ARP across the TAP: the counters see only the test's frames.
ip -n "$A" neigh add 10.1.0.2 lladdr "$(link_json "$B" xb | jq -r '.[0].address')" dev xa
ip -n "$B" neigh add 10.1.0.1 lladdr "$(link_json "$A" xa | jq -r '.[0].address')" dev xb

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m1"

##############################################################################
# Receive timestamps

# A socket with SO_TIMESTAMPNS: the core stamps every frame from now on.
$PYTHON -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 35, 1)  # SO_TIMESTAMPNS
print("open", flush=True)
time.sleep(3600)
' > "$TBR_TMP/stamp.out" &
defer kill $!
for ((i = 0; i < 100; i++)); do
	grep -q open "$TBR_TMP/stamp.out" && break
	sleep 0.1
done
check_eq "timestamping socket" "$(cat "$TBR_TMP/stamp.out")" open
in_ns "$TAP" tc qdisc replace dev pb root fq &&
	in_ns "$TAP" tc qdisc replace dev m1 root fq
check_err $? "cannot set fq on pb and m1"
log_test "a timestamping socket is open; fq on port B and on the mirror"

feat_run "a->b through fq" --send "$A:xa" --frames ipv4-udp,arp,vlan-8021q,mtu-1514 \
	--wire "$B:xb" --copy "$FAR:y1=m1" --absent "$A:xa" --stats "$TAP" \
	--dir tap0:a_to_b

# fq_drops DEV: the frames fq dropped on DEV, horizon drops included.
fq_drops()
{
	in_ns "$TAP" tc -s -j qdisc show dev "$1" |
		jq '[.[] | select(.kind == "fq") | .drops] | add'
}
check_eq "fq drops on pb" "$(fq_drops pb)" 0
check_eq "fq drops on m1" "$(fq_drops m1)" 0
log_test "fq dropped nothing: forwarded frames and copies carry no receive timestamp"

in_ns "$TAP" tc qdisc del dev pb root
in_ns "$TAP" tc qdisc del dev m1 root

##############################################################################
# GSO frames and the egress MTU

# gso_send: one UDP GSO datagram from xa to xb, four 1400-byte segments
# (1442-byte frames on the wire).
gso_send()
{
	in_ns "$A" $PYTHON -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(17, 103, 1400)  # SOL_UDP, UDP_SEGMENT
s.sendto(b"g" * 5600, ("10.1.0.2", 9))
'
}

# counter JQ: one counter of "taptool -j stats tap0".
counter()
{
	tt "$TAP" -j stats tap0 | jq -r ".[0] | $1"
}

rx_xb()
{
	ip -n "$B" -s -j link show dev xb | jq '.[0].stats64.rx.packets'
}

# counters: a->b received, forwarded, oversize; received on xb; a->b
# copies sent; the mirror's oversize copies. (A datagram that reaches xb
# draws an ICMP error back, b->a: the copies are counted by direction.)
counters()
{
	echo "$(counter '.a_to_b | "\(.rx_packets) \(.fwd_packets) \(.fwd_oversize)"')" \
		"$(rx_xb)" "$(counter '.a_to_b.mirror_packets')" \
		"$(counter '.mirrors[0].oversize')"
}

# gso_case DESC RX FWD OVERSIZE XB COPIES M1_OVERSIZE: send one GSO
# datagram and check what each of the counters gained.
gso_case()
{
	local desc=$1; shift
	local before after gained=() i

	read -r -a before <<< "$(counters)"
	gso_send
	check_err $? "cannot send the GSO datagram"
	sleep 0.5
	read -r -a after <<< "$(counters)"
	for ((i = 0; i < 6; i++)); do
		gained+=($((after[i] - before[i])))
	done
	check_eq "rx fwd oversize xb-rx copies m1-oversize gained" "${gained[*]}" "$*"
	log_test "$desc"
}

ip -n "$TAP" link set dev pb mtu 1400
ip -n "$TAP" link set dev m1 mtu 1400
gso_case "GSO datagram, segments too big for pb and m1: one frame in, dropped as oversize on both" \
	1 0 1 0 0 1
ip -n "$TAP" link set dev m1 mtu 1500
gso_case "m1 back at 1500: the copy goes out, pb still drops it" 1 0 1 0 1 0
ip -n "$TAP" link set dev pb mtu 1500
gso_case "pb back at 1500: the frame is forwarded whole, and copied" 1 1 0 1 1 0

ktap_finish
