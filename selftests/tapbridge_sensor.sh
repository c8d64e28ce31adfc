#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A sensor on the TAP's own host: the instance device as a capture device
# (capture on), and mirror copies stamped with the time their frame
# arrived on its port (wire-tstamp on).
#
# - capture on, aggregate mode without a mirror: tcpdump -i tap0 has every
#   frame of both directions once; -Q in exactly the a->b frames, -Q out
#   exactly the b->a frames, byte for byte against tcpdump on the ports;
#   each stamped with its arrival on its port (no earlier than the port's
#   tcpdump saw it, earlier than it left by the other port). The host's
#   stack gets none of them (a frame to tap0's own address and MAC, while
#   tcpdump listens, is not received by IP); ip -s link counts them.
# - capture off needs a mirror in aggregate mode; a VLAN device on a
#   capture device is refused.
# - wire-tstamp: a sensor on the far end y1 of mirror m1 (a veth in the
#   same netns: a veth into another netns clears the stamp) sees each copy
#   with the capture device's stamp of its frame, exactly; without the
#   option, a later one. With fq on m1, copies go without it, and fq drops
#   none. The mean and maximum of sensor stamp - port stamp are printed.
#
#   $A                   $TAP                          $B
#   xa ---- pa (port A) --[ tap0 ]-- (port B) pb ---- xb
#                            |   \__ tcpdump -i tap0 [-Q in|out]
#                            +-- m1 (mirror) ---- y1 (tcpdump, $TAP too)

source "$(dirname "$0")/lib_features.sh"

tbr_require
if ! command -v tcpdump > /dev/null || ! command -v tshark > /dev/null; then
	echo "1..0 # SKIP tcpdump or tshark not found"
	exit $ksft_skip
fi
setup_ns TAP A B || exit $ksft_skip
# Only the test's frames on the wire: no IPv6 of the endpoints.
for ns in "$A" "$B"; do
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || exit $ksft_skip
done
veth_pairs "$TAP" "$A" pa:xa && veth_pairs "$TAP" "$B" pb:xb &&
	echo "link add name m1 type veth peer name y1
link set dev m1 up
link set dev y1 up" | ip_batch "$TAP" &&
	in_ns "$TAP" sysctl -qw net.ipv6.conf.y1.disable_ipv6=1 || {
	echo "1..0 # SKIP cannot create the links"
	exit $ksft_skip
}

# dump_start NAME IF [DIRECTION]: tcpdump on IF in $TAP, nanosecond
# stamps, into $TBR_TMP/NAME.pcap; returns once it listens.
declare -A DUMP_PID
dump_start()
{
	local name=$1 ifname=$2 dir=${3:+-Q $3}
	local end=$((SECONDS + 60))

	# nsenter itself, so that the pid is tcpdump's (a background
	# function would be a subshell).
	# shellcheck disable=SC2086 # -Q DIR or nothing
	nsenter --net="/run/netns/$TAP" tcpdump -i "$ifname" $dir -n -s 0 -U -B 16384 \
		--time-stamp-precision=nano -w "$TBR_TMP/$name.pcap" \
		2> "$TBR_TMP/$name.err" &
	DUMP_PID[$name]=$!
	defer kill "${DUMP_PID[$name]}"
	until grep -q "listening on" "$TBR_TMP/$name.err"; do
		if ((SECONDS >= end)) || ! kill -0 "${DUMP_PID[$name]}" 2> /dev/null; then
			sed 's/^/# /' "$TBR_TMP/$name.err"
			return 1
		fi
		sleep 0.2
	done
}

# dump_stop NAME...: stop them (SIGTERM: tcpdump closes its file and
# prints its counts); each must have dropped nothing.
dump_stop()
{
	local name rc=0

	for name in "$@"; do
		kill "${DUMP_PID[$name]}"
	done
	for name in "$@"; do
		wait "${DUMP_PID[$name]}"
		if ! grep -q "^0 packets dropped by kernel" "$TBR_TMP/$name.err"; then
			sed 's/^/# /' "$TBR_TMP/$name.err"
			rc=1
		fi
	done
	return $rc
}

# sensor_check DESC ARGS...: sensor.py, its result lines as KTAP.
sensor_check()
{
	local desc=$1; shift
	local line rc out

	FEAT_RESULTS=0
	out=$($PYTHON "$TBR_SELFTESTS/sensor.py" "$@")
	rc=$?
	while IFS= read -r line; do
		__feat_ktap_line "$line"
	done <<< "$out"
	if ((rc != 0 && rc != 1)) || ((FEAT_RESULTS == 0)); then
		ktap_test_fail "$desc" "sensor.py exit status $rc"
	fi
}

# frames_of SUMMARY: frames a features.py run sent.
frames_of()
{
	jq -r .frames "$1"
}

# tap0_rx: received packets of tap0 as ip -s link shows them.
tap0_rx()
{
	ip -n "$TAP" -s -j link show dev tap0 | jq '.[0].stats64.rx.packets'
}

# ip_in: IP datagrams the host's stack in $TAP received (InReceives).
ip_in()
{
	in_ns "$TAP" awk '/^Ip: [0-9]/ { print $4 }' /proc/net/snmp
}

##############################################################################
# capture on: the instance device is the sensor's port

out=$(tt "$TAP" add tap0 port-a pa port-b pb mode aggregate 2>&1)
check_eq "add without mirror or capture" "$?|$out" \
	"1|Error: aggregate mode needs a mirror, or capture on"
log_test "add tap0 mode aggregate without a mirror is refused without capture"

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate capture on
check_err $? "taptool add failed"
check_eq "show" "$(show_field "$TAP" tap0 '"\(.capture) \(.wire_tstamp) \(.mirrors | length)"')" \
	"true false 0"
check_eq "show text" "$(tt "$TAP" show tap0)" \
	"tap0: mode aggregate port-a pa port-b pb mirror - capture on"
log_test "add tap0 port-a pa port-b pb mode aggregate capture on: no mirror"

out=$(tt "$TAP" set tap0 capture off 2>&1)
check_eq "capture off" "$?|$out" \
	"1|Error: tap0 has no mirror: aggregate mode needs capture on"
log_test "capture off is refused while aggregate mode has no mirror"

out=$(ip -n "$TAP" link add link tap0 name tap0.5 type vlan id 5 2>&1)
check_eq "vlan on tap0" "$?|$out" \
	"2|Error: tap0 is a capture device: it takes no upper device."
log_test "a VLAN device on the capture device is refused"

# tap0 has an address: a frame to it that reached the stack would count.
ip -n "$TAP" addr add 10.9.0.1/24 dev tap0
ip -n "$TAP" link set dev tap0 up
TAP0_MAC=$(link_json "$TAP" tap0 | jq -r '.[0].address')

dump_start all tap0 && dump_start in tap0 in && dump_start out tap0 out &&
	dump_start a-in pa in && dump_start a-out pa out &&
	dump_start b-in pb in && dump_start b-out pb out
check_err $? "tcpdump did not start"
log_test "tcpdump -i tap0 (without -Q, -Q in, -Q out) and on both ports of each direction"

rx_before=$(tap0_rx)
ip_before=$(ip_in)
feat_run "capture a->b" --send "$A:xa" --frames all --wire "$B:xb" \
	--absent "$A:xa" --stats "$TAP" --dir tap0:a_to_b \
	--summary "$TBR_TMP/ab.json"
feat_run "capture b->a" --send "$B:xb" --frames all --wire "$A:xa" \
	--absent "$B:xb" --stats "$TAP" --dir tap0:b_to_a \
	--summary "$TBR_TMP/ba.json"
# One more a->b frame, an ICMP echo request to tap0's MAC and address.
in_ns "$A" $PYTHON -c '
import socket, struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return (~(s + (s >> 16))) & 0xffff
icmp = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"tapbridge"
icmp = icmp[:2] + struct.pack("!H", csum(icmp + b"\0")) + icmp[4:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                 socket.inet_aton("10.9.0.2"), socket.inet_aton("10.9.0.1"))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("xa", 0))
s.send(mac + bytes.fromhex("02000000aa01") + b"\x08\x00" + ip + icmp)
' "$TAP0_MAC"
check_err $? "cannot send the echo request"
sleep 1

dump_stop all in out a-in a-out b-in b-out
check_err $? "a tcpdump dropped frames"
log_test "tcpdump on tap0 (-Q in, -Q out, both) and on the ports dropped nothing"

n_ab=$(( $(frames_of "$TBR_TMP/ab.json") + 1 ))
n_ba=$(frames_of "$TBR_TMP/ba.json")
sensor_check "capture" capture --frames "$n_ab,$n_ba" \
	--all "$TBR_TMP/all.pcap" --in "$TBR_TMP/in.pcap" --out "$TBR_TMP/out.pcap" \
	--a-in "$TBR_TMP/a-in.pcap" --a-out "$TBR_TMP/a-out.pcap" \
	--b-in "$TBR_TMP/b-in.pcap" --b-out "$TBR_TMP/b-out.pcap"

# tshark reads the capture device's files the same.
check_eq "tshark -r all in out" \
	"$(for f in all in out; do tshark -r "$TBR_TMP/$f.pcap" 2> /dev/null | wc -l; done | xargs)" \
	"$((n_ab + n_ba)) $n_ab $n_ba"
log_test "tshark reads $((n_ab + n_ba)) frames on tap0, $n_ab -Q in, $n_ba -Q out"

check_eq "tap0 rx packets gained" "$(($(tap0_rx) - rx_before))" "$((n_ab + n_ba))"
check_eq "IP datagrams the host received" "$(($(ip_in) - ip_before))" 0
log_test "ip -s link counts the $((n_ab + n_ba)) frames on tap0; IP received none, not even the echo to tap0"

##############################################################################
# wire-tstamp: copies carry the receive time

# stamp_run LABEL WANT: the corpus both ways, tcpdump on the ports, tap0
# and y1; y1's stamps must be WANT (same, later) against tap0's.
stamp_run()
{
	local label=$1 want=$2

	dump_start tap tap0 && dump_start pa pa in && dump_start pb pb in &&
		dump_start y1 y1 in
	check_err $? "tcpdump did not start"
	feat_run "$label a->b" --send "$A:xa" --frames all --wire "$B:xb" \
		--copy "$TAP:y1=m1" --absent "$A:xa" --stats "$TAP" --dir tap0:a_to_b
	feat_run "$label b->a" --send "$B:xb" --frames all --wire "$A:xa" \
		--copy "$TAP:y1=m1" --absent "$B:xb" --stats "$TAP" --dir tap0:b_to_a
	sleep 1
	dump_stop tap pa pb y1
	check_err $? "a tcpdump dropped frames"
	log_test "$label: tcpdump on tap0, pa, pb and y1 dropped nothing"
	sensor_check "$label" tstamp --label "$label" --want "$want" \
		--port "$TBR_TMP/pa.pcap,$TBR_TMP/pb.pcap" --tap "$TBR_TMP/tap.pcap" \
		--sensor "$TBR_TMP/y1.pcap"
}

out=$(tt "$TAP" set tap0 mode aggregate mirror m1 2>&1)
check_eq "set mirror m1" "$?|$out" "0|"
log_test "set tap0 mode aggregate mirror m1"
stamp_run "wire-tstamp off" later

out=$(tt "$TAP" set tap0 wire-tstamp on 2>&1)
check_eq "set wire-tstamp on" "$?|$out|$(show_field "$TAP" tap0 .wire_tstamp)" "0||true"
log_test "set tap0 wire-tstamp on"
stamp_run "wire-tstamp on" same

# fq would take the stamp for a departure time beyond its horizon.
in_ns "$TAP" tc qdisc replace dev m1 root fq
check_err $? "cannot set fq on m1"
log_test "fq on m1"
stamp_run "wire-tstamp on, fq on m1" later
check_eq "fq drops on m1" "$(in_ns "$TAP" tc -s -j qdisc show dev m1 |
	jq '[.[] | select(.kind == "fq") | .drops] | add')" 0
log_test "fq on m1 dropped no copy: a mirror with a qdisc gets no stamp"

ktap_finish
