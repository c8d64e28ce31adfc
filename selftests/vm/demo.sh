#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: a TAP between two hosts, shown end to end. Runs inside the
# test VM (selftests/vm/run.sh), with tapbridge.ko loaded and taptool on
# PATH.
#
#   host-a (192.0.2.1) ---- ta [ tap0 ] tb ---- host-b (192.0.2.2)
#                                 |
#                                 tm ---- sensor (tcpdump)
#
# host-a, host-b and sensor are network namespaces, each linked by a veth
# pair to the VM's root namespace, where tap0 joins ta and tb and copies
# every frame, both directions, to tm. host-a pings host-b and sends it
# 4 MiB over TCP; the sensor records what it sees.
#
# Fails if the ping or the transfer fails, or the sensor missed frames in
# either direction.

set -u

pcap=/tmp/tapbridge-demo.pcap
tcpdump_log=/tmp/tapbridge-demo.tcpdump
size=$((4 * 1024 * 1024))

step() {
	printf '\n== %s\n' "$*"
}

die() {
	echo "demo: FAILED: $*"
	exit 1
}

# Keep the capture to the demo's own traffic: no IPv6 autoconfiguration
# chatter anywhere.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

step "Three network namespaces, each joined to the VM by a veth pair"
for ns in host-a host-b sensor; do
	ip netns add "$ns" || die "ip netns add $ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
ip link add ta type veth peer name eth0 netns host-a || die "veth host-a"
ip link add tb type veth peer name eth0 netns host-b || die "veth host-b"
ip link add tm type veth peer name eth0 netns sensor || die "veth sensor"
ip -n host-a addr add 192.0.2.1/24 dev eth0
ip -n host-b addr add 192.0.2.2/24 dev eth0
for ns in host-a host-b sensor; do
	ip -n "$ns" link set eth0 up
done
for dev in ta tb tm; do
	ip link set "$dev" up
done
mac_a=$(ip -n host-a -br link show eth0 | awk '{ print $3 }')
mac_b=$(ip -n host-b -br link show eth0 | awk '{ print $3 }')
echo "host-a eth0 $mac_a 192.0.2.1  <->  ta"
echo "host-b eth0 $mac_b 192.0.2.2  <->  tb"
echo "sensor eth0                         <->  tm"

step "taptool add tap0 port-a ta port-b tb mode aggregate mirror tm"
taptool add tap0 port-a ta port-b tb mode aggregate mirror tm || die "taptool add"
ip link set tap0 up
ip -br link show master tap0

step "Sensor: tcpdump on its eth0, writing $pcap"
ip netns exec sensor tcpdump -i eth0 -n -s 128 -U -w "$pcap" 2>"$tcpdump_log" &
tcpdump_pid=$!
for _ in $(seq 50); do
	grep -q "listening on" "$tcpdump_log" && break
	sleep 0.2
done
grep -q "listening on" "$tcpdump_log" || die "tcpdump did not start: $(cat "$tcpdump_log")"
echo "tcpdump is listening"

step "host-a pings host-b"
ping_ok=1
ip netns exec host-a ping -c 5 -i 0.2 -W 2 192.0.2.2 || ping_ok=0

step "host-a sends $size bytes to host-b over TCP"
# host-b counts what it receives and answers with the count.
ip netns exec host-b python3 -c '
import socket
srv = socket.create_server(("192.0.2.2", 5001))
srv.settimeout(60)
conn, _ = srv.accept()
total = 0
while True:
    data = conn.recv(65536)
    if not data:
        break
    total += len(data)
conn.sendall(str(total).encode())
conn.close()
' &
server_pid=$!
received=$(ip netns exec host-a python3 -c '
import socket, sys, time
size = int(sys.argv[1])
for _ in range(50):        # until the server listens
    try:
        s = socket.create_connection(("192.0.2.2", 5001), timeout=60)
        break
    except ConnectionRefusedError:
        time.sleep(0.2)
s.sendall(bytes(range(256)) * (size // 256))
s.shutdown(socket.SHUT_WR)
print(s.recv(64).decode())
' "$size")
wait "$server_pid"
tcp_ok=0
if [ "$received" = "$size" ]; then
	tcp_ok=1
	echo "host-b received $received bytes"
else
	echo "host-b received '${received}' bytes, expected $size"
fi

sleep 1
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid"

step "What the sensor saw"
count() {
	tcpdump -r "$pcap" -n "$@" 2>/dev/null | wc -l
}
ab=$(count ether src "$mac_a")
ba=$(count ether src "$mac_b")
ab_icmp=$(count ether src "$mac_a" and icmp and 'icmp[icmptype] == icmp-echo')
ba_icmp=$(count ether src "$mac_b" and icmp and 'icmp[icmptype] == icmp-echoreply')
ab_tcp=$(count ether src "$mac_a" and tcp)
ba_tcp=$(count ether src "$mac_b" and tcp)
printf '%-22s %6s frames: %2s ICMP echo requests, %5s TCP segments\n' \
	"host-a -> host-b (a->b)" "$ab" "$ab_icmp" "$ab_tcp"
printf '%-22s %6s frames: %2s ICMP echo replies,  %5s TCP segments\n' \
	"host-b -> host-a (b->a)" "$ba" "$ba_icmp" "$ba_tcp"
echo "(TCP segments are counted as the kernel handed them over: with"
echo " segmentation offload one frame may carry many wire segments)"

step "taptool show"
taptool show
step "taptool stats"
taptool stats

echo
[ "$ping_ok" -eq 1 ] || die "ping from host-a to host-b failed"
[ "$tcp_ok" -eq 1 ] || die "TCP transfer from host-a to host-b failed"
[ "$ab_icmp" -eq 5 ] || die "sensor saw $ab_icmp of 5 echo requests (a->b)"
[ "$ba_icmp" -eq 5 ] || die "sensor saw $ba_icmp of 5 echo replies (b->a)"
if [ "$ab_tcp" -eq 0 ] || [ "$ba_tcp" -eq 0 ]; then
	die "sensor missed the TCP transfer in one direction"
fi
echo "demo: OK: traffic flowed through tap0 and the sensor saw both directions"
