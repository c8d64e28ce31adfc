#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod tapbridge with live instances in two netns: every instance goes,
# and says so to the events group before the family goes; every port is
# released and works again, taptool says the module is not loaded (and a
# running monitor says it was unloaded); then the module is loaded again
# and works. run_all.sh runs this last.
#
#   $ONE: xa1 ---- pa1 --[tap0 aggregate]-- pb1 ---- xb1, mirror m1 ---- y1
#   $TWO: xa2 ---- pa2 --[tap0 split]------ pb2 ---- xb2, mirrors m2, n2
#   (far ends in $FAR)
#
# pa1 is promiscuous before it is enslaved, so "released" means back to
# promiscuity 1, not 0.

source "$(dirname "$0")/lib_features.sh"

tbr_require_reload
setup_ns ONE TWO FAR || exit $ksft_skip

for n in 1 2; do
	ns=ONE
	[ $n == 2 ] && ns=TWO
	ip_batch "${!ns}" <<-EOF || exit $ksft_skip
	link add name pa$n type veth peer name xa$n netns $FAR
	link add name pb$n type veth peer name xb$n netns $FAR
	link add name m$n type veth peer name y$n netns $FAR
	link add name n$n type veth peer name z$n netns $FAR
	addr add 10.$n.1.1/24 dev pa$n
	addr add 10.$n.2.1/24 dev pb$n
	link set dev pa$n up
	link set dev pb$n up
	link set dev m$n up
	link set dev n$n up
	EOF
	ip_batch "$FAR" <<-EOF || exit $ksft_skip
	addr add 10.$n.1.2/24 dev xa$n
	addr add 10.$n.2.2/24 dev xb$n
	link set dev xa$n up
	link set dev xb$n up
	link set dev y$n up
	link set dev z$n up
	EOF
done
ip -n "$ONE" link set dev pa1 promisc on

tt "$ONE" add tap0 port-a pa1 port-b pb1 mode aggregate mirror m1 &&
tt "$TWO" add tap0 port-a pa2 port-b pb2 mode split mirror-ab m2 mirror-ba n2
check_err $? "taptool add failed"
log_test "add an instance in each of two netns"

frames_check "before rmmod a->b" --send "$FAR:xa2" --frames ipv4-udp,arp \
	--expect "$FAR:xb2,$FAR:y2" --absent "$FAR:z2" \
	--stats "$TWO" --counters tap0:a_to_b:fwd,mirror

# A monitor that runs while the module goes hears the instance deleted
# (before the family goes), then says the module is gone and exits 1.
MON=$TBR_TMP/monitor.txt
nsenter --net="/run/netns/$ONE" taptool monitor > "$MON" 2>&1 &
MON_PID=$!
for ((try = 0; try < 60; try++)); do
	tt "$ONE" set tap0 hold-down $((1000 + try))
	sleep 0.5
	grep -q "tap0: changed" "$MON" && break
done
grep -q "tap0: changed" "$MON"
check_err $? "the monitor in \$ONE printed no event: $(cat "$MON")"
log_test "a monitor listens in \$ONE"

err=$(rmmod tapbridge 2>&1)
check_err $? "rmmod failed: $err"
[ ! -d /sys/module/tapbridge ]
check_err $? "/sys/module/tapbridge is still there"
log_test "rmmod tapbridge with two live instances"

for ((i = 0; i < 50; i++)); do
	kill -0 "$MON_PID" 2> /dev/null || break
	sleep 0.2
done
if kill -0 "$MON_PID" 2> /dev/null; then
	kill "$MON_PID"
	check_err 1 "taptool monitor still runs 10 s after rmmod"
fi
wait "$MON_PID"
check_eq "taptool monitor exit status" "$?" 1
check_eq "deleted events of tap0 in \$ONE" "$(grep -c '\] tap0: deleted$' "$MON")" 1
# Event lines ("[time] tap0: deleted") come first; then the message.
check_eq "taptool monitor's last words" "$(grep -v '^\[' "$MON")" \
	"Error: the tapbridge kernel module was unloaded"
log_test "taptool monitor hears tap0 deleted, then says the module was unloaded and exits 1"

for ns in "$ONE" "$TWO"; do
	out=$(ip -n "$ns" -d -o link show)
	[[ $out != *" tapbridge "* && $out != *": tap0:"* ]]
	check_err $? "a tapbridge link is left in $ns: $out"
done
log_test "after rmmod: no tapbridge link in either netns"

check_eq "pa1 promiscuity" "$(link_field "$ONE" pa1 promiscuity)" 1
for port in "$ONE pa1" "$ONE pb1" "$TWO pa2" "$TWO pb2"; do
	# shellcheck disable=SC2086 # netns and port
	check_eq "${port#* } master" "$(link_field $port master)" none
done
check_eq "pb1 promiscuity" "$(link_field "$ONE" pb1 promiscuity)" 0
check_eq "pa2 promiscuity" "$(link_field "$TWO" pa2 promiscuity)" 0
check_eq "pb2 promiscuity" "$(link_field "$TWO" pb2 promiscuity)" 0
log_test "after rmmod: every port released (no master, promiscuity as before)"

for n in 1 2; do
	ns=ONE
	[ $n == 2 ] && ns=TWO
	for side in 1 2; do
		port=pa$n
		[ $side == 2 ] && port=pb$n
		udp_works "$FAR" "10.$n.$side.2" "${!ns}" "10.$n.$side.1"
		check_err $? "no UDP over $port"
		log_test "after rmmod: $port carries UDP as a plain interface"
	done
done

err=$(tt "$ONE" show 2>&1)
check_eq "exit status" "$?" 1
check_eq "taptool show" "$err" \
	"Error: the tapbridge kernel module is not loaded (modprobe tapbridge)"
log_test "taptool says the module is not loaded"

err=$(insmod "$MODULE" 2>&1)
check_err $? "insmod $MODULE failed: $err"
log_test "insmod tapbridge.ko again"

# The UDP exchanges leave neighbour entries whose probes (a unicast ARP
# request some seconds later, and its reply) would cross the new instance
# and throw its counters off: forget them, and the addresses.
ip_batch "$ONE" <<EOF
addr flush dev pa1
addr flush dev pb1
neigh flush dev pa1
neigh flush dev pb1
EOF
ip_batch "$FAR" <<EOF
addr flush dev xa1
addr flush dev xb1
neigh flush dev xa1
neigh flush dev xb1
EOF

output=$(tt "$ONE" show)
check_err $? "taptool show failed"
check_eq "taptool show" "$output" ""
tt "$ONE" add tap0 port-a pa1 port-b pb1 mode aggregate mirror m1
check_err $? "taptool add failed"
log_test "after insmod: the same devices make a new instance"

frames_check "after insmod a->b" --send "$FAR:xa1" --frames ipv4-udp,arp \
	--expect "$FAR:xb1,$FAR:y1" --absent "$FAR:xa1" \
	--stats "$ONE" --counters tap0:a_to_b:fwd,mirror

ktap_finish
