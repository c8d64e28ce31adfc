#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every way an instance, a port or a mirror can go away:
#
#   ip link del of port A, of port B   the instance is deleted, the other
#   a port moved to another netns      port released and working again
#   ip link del of a mirror            the instance stays and forwards;
#   a mirror moved to another netns    copies count as mirror drops, show
#                                      prints the mirror as absent
#   ip link del of the instance        both ports released and working
#   deleting the instance's netns      nothing left anywhere
#
# (taptool del is in tapbridge_enslave.sh, rmmod in tapbridge_rmmod.sh.)
#
# Each case builds its own instance tap<N> from veths whose far ends are in
# $FAR:
#
#   xa<N> ---- pa<N> --[tap<N>]-- pb<N> ---- xb<N>
#                        |    |
#   ym<N> ---- m<N> -----+    +----- n<N> ---- yn<N>   (n<N>: split mode only)
#
# Port A carries 10.<N>.1.0/24 and port B 10.<N>.2.0/24 from the start
# (.1 on the port, .2 on the far end), and both are up before they are
# enslaved, so a released port (which gets its own admin state back) can
# be shown to carry UDP right away.

source "$(dirname "$0")/lib.sh"

tbr_require
setup_ns TAP FAR OTHER || exit $ksft_skip

SOME=ipv4-udp,arp,vlan-8021q,stp-bpdu

# build N MODE: instance tap<N> in $TAP, in aggregate or split mode.
build()
{
	local n=$1 mode=$2 mirrors

	{
		echo "link add name pa$n type veth peer name xa$n netns $FAR"
		echo "link add name pb$n type veth peer name xb$n netns $FAR"
		echo "link add name m$n type veth peer name ym$n netns $FAR"
		echo "addr add 10.$n.1.1/24 dev pa$n"
		echo "addr add 10.$n.2.1/24 dev pb$n"
		echo "link set dev pa$n up"
		echo "link set dev pb$n up"
		echo "link set dev m$n up"
		if [ "$mode" == split ]; then
			echo "link add name n$n type veth peer name yn$n netns $FAR"
			echo "link set dev n$n up"
		fi
	} | ip_batch "$TAP" &&
	{
		echo "addr add 10.$n.1.2/24 dev xa$n"
		echo "addr add 10.$n.2.2/24 dev xb$n"
		echo "link set dev xa$n up"
		echo "link set dev xb$n up"
		echo "link set dev ym$n up"
		[ "$mode" == split ] && echo "link set dev yn$n up"
	} | ip_batch "$FAR" || return 1

	if [ "$mode" == split ]; then
		mirrors="mirror-ab m$n mirror-ba n$n"
	else
		mirrors="mirror m$n"
	fi
	# shellcheck disable=SC2086 # the words of mirrors
	tt "$TAP" add "tap$n" port-a "pa$n" port-b "pb$n" mode "$mode" $mirrors
	check_err $? "taptool add tap$n failed"
	log_test "case $n: add tap$n ($mode)"
}

# instance_gone N DESC: tap<N> is no link and no instance any more.
instance_gone()
{
	local n=$1 desc=$2

	link_exists "$TAP" "tap$n"
	check_fail $? "tap$n still exists"
	[[ $'\n'$(tt "$TAP" show)$'\n' != *$'\n'"tap$n: "* ]]
	check_err $? "taptool show still lists tap$n"
	log_test "case $n: $desc deletes tap$n"
}

# released NS PORT DESC: PORT in NS has no master and its promiscuity is
# back to 0.
released()
{
	local ns=$1 port=$2 desc=$3

	check_eq "$port master" "$(link_field "$ns" "$port" master)" none
	check_eq "$port promiscuity" "$(link_field "$ns" "$port" promiscuity)" 0
	log_test "$desc: $port released (no master, promiscuity 0)"
}

# works NS PORT ADDR FAR_ADDR DESC: UDP between the port and its far end.
works()
{
	local ns=$1 port=$2 addr=$3 far_addr=$4 desc=$5

	udp_works "$FAR" "$far_addr" "$ns" "$addr"
	check_err $? "no UDP between $port ($addr) and its far end ($far_addr)"
	log_test "$desc: $port carries UDP as a plain interface"
}

##############################################################################
# 1, 2: a port is deleted

build 1 aggregate
ip -n "$TAP" link del dev pa1
instance_gone 1 "ip link del of port A"
released "$TAP" pb1 "case 1"
works "$TAP" pb1 10.1.2.1 10.1.2.2 "case 1"

# What was port B and the mirror serve again, in a new instance.
ip -n "$TAP" link add name pa1 type veth peer name xa1 netns "$FAR"
tt "$TAP" add tap1 port-a pa1 port-b pb1 mode aggregate mirror m1
check_err $? "cannot make a new instance of the same devices"
tt "$TAP" del tap1
log_test "case 1: the former port B and mirror can be enslaved again"

build 2 split
ip -n "$TAP" link del dev pb2
instance_gone 2 "ip link del of port B"
released "$TAP" pa2 "case 2"
works "$TAP" pa2 10.2.1.1 10.2.1.2 "case 2"

##############################################################################
# 3: a port moves to another netns

build 3 aggregate
ip -n "$TAP" link set dev pa3 netns "$OTHER"
instance_gone 3 "moving port A to another netns"
released "$TAP" pb3 "case 3"
works "$TAP" pb3 10.3.2.1 10.3.2.2 "case 3"
released "$OTHER" pa3 "case 3, in the other netns"
# A move drops the addresses.
ip -n "$OTHER" addr add 10.3.1.1/24 dev pa3
ip -n "$OTHER" link set dev pa3 up
works "$OTHER" pa3 10.3.1.1 10.3.1.2 "case 3, in the other netns"

##############################################################################
# 4, 5: a mirror is deleted

# mirror_lost N MIRROR_GONE: the show output of tap<N> once MIRROR_GONE
# (mirror, mirror-ab or mirror-ba) is gone.
mirror_lost_show()
{
	local n=$1 what=$2 json text

	text=$(tt "$TAP" show "tap$n")
	json=$(tt "$TAP" -j show "tap$n" | jq -c ".[0].${what//-/_}")
	[[ "$text " == *" $what - "* ]]
	check_err $? "taptool show tap$n: $text"
	check_eq "taptool -j show tap$n .${what//-/_}" "$json" null
	log_test "case $n: show prints $what as absent"
}

build 4 aggregate
ip -n "$TAP" link del dev m4
link_exists "$TAP" tap4
check_err $? "tap4 is gone"
log_test "case 4: ip link del of the mirror leaves tap4 in place"
mirror_lost_show 4 mirror
frames_check "case 4: no mirror, a->b" --send "$FAR:xa4" --frames "$SOME" \
	--expect "$FAR:xb4" --absent "$FAR:xa4" \
	--stats "$TAP" --counters tap4:a_to_b:fwd,mirror-drop
frames_check "case 4: no mirror, b->a" --send "$FAR:xb4" --frames "$SOME" \
	--expect "$FAR:xa4" --absent "$FAR:xb4" \
	--stats "$TAP" --counters tap4:b_to_a:fwd,mirror-drop

# A new mirror ends the drops.
ip -n "$TAP" link add name m4 type veth peer name ym4 netns "$FAR"
ip -n "$TAP" link set dev m4 up
ip -n "$FAR" link set dev ym4 up
tt "$TAP" set tap4 mode aggregate mirror m4
check_err $? "taptool set failed"
log_test "case 4: set a new mirror"
frames_check "case 4: new mirror, a->b" --send "$FAR:xa4" --frames "$SOME" \
	--expect "$FAR:xb4,$FAR:ym4" --absent "$FAR:xa4" \
	--stats "$TAP" --counters tap4:a_to_b:fwd,mirror

build 5 split
ip -n "$TAP" link del dev m5
link_exists "$TAP" tap5
check_err $? "tap5 is gone"
log_test "case 5: ip link del of mirror-ab leaves tap5 in place"
mirror_lost_show 5 mirror-ab
frames_check "case 5: no mirror-ab, a->b" --send "$FAR:xa5" --frames "$SOME" \
	--expect "$FAR:xb5" --absent "$FAR:xa5,$FAR:yn5" \
	--stats "$TAP" --counters tap5:a_to_b:fwd,mirror-drop
frames_check "case 5: mirror-ba still there, b->a" --send "$FAR:xb5" --frames "$SOME" \
	--expect "$FAR:xa5,$FAR:yn5" --absent "$FAR:xb5" \
	--stats "$TAP" --counters tap5:b_to_a:fwd,mirror

##############################################################################
# 6: a mirror moves to another netns

build 6 aggregate
ip -n "$TAP" link set dev m6 netns "$OTHER"
link_exists "$TAP" tap6
check_err $? "tap6 is gone"
log_test "case 6: moving the mirror to another netns leaves tap6 in place"
mirror_lost_show 6 mirror
ip -n "$OTHER" link set dev m6 up
frames_check "case 6: mirror moved away, a->b" --send "$FAR:xa6" --frames "$SOME" \
	--expect "$FAR:xb6" --absent "$FAR:xa6,$FAR:ym6" \
	--stats "$TAP" --counters tap6:a_to_b:fwd,mirror-drop

##############################################################################
# 7: ip link del of the instance

build 7 split
ip -n "$TAP" link del dev tap7
instance_gone 7 "ip link del tap7"
released "$TAP" pa7 "case 7"
released "$TAP" pb7 "case 7"
works "$TAP" pa7 10.7.1.1 10.7.1.2 "case 7"
works "$TAP" pb7 10.7.2.1 10.7.2.2 "case 7"

##############################################################################
# 8: the instance's netns is deleted

setup_ns DOOMED
refcnt_before=$(cat /sys/module/tapbridge/refcnt)
ip_batch "$DOOMED" <<EOF
link add name pa8 type veth peer name xa8 netns $FAR
link add name pb8 type veth peer name xb8 netns $FAR
link add name m8 type veth peer name ym8 netns $FAR
link set dev m8 up
EOF
tt "$DOOMED" add tap8 port-a pa8 port-b pb8 mode aggregate mirror m8
check_err $? "taptool add tap8 failed"
log_test "case 8: add tap8 in its own netns"

ip netns del "$DOOMED"
# The far ends go with their veths once the netns is gone.
for _ in $(seq 30); do
	out=$(ip -n "$FAR" -o link show)
	[[ $out != *xa8@* && $out != *xb8@* && $out != *ym8@* ]] && break
	sleep 1
done
[[ $out != *xa8@* && $out != *xb8@* && $out != *ym8@* ]]
check_err $? "the veths of the deleted netns are still there"
check_eq "tapbridge refcnt" "$(cat /sys/module/tapbridge/refcnt)" "$refcnt_before"
for ns in "" "$TAP" "$FAR" "$OTHER"; do
	out=$(ip ${ns:+-n "$ns"} -o link show type tapbridge)
	[[ $out != *tap8* ]]
	check_err $? "tap8 turned up in netns ${ns:-init}: $out"
done
log_test "case 8: deleting the instance's netns leaves nothing behind"

# The other instances of $TAP did not notice.
frames_check "case 8: tap4 still forwards, a->b" --send "$FAR:xa4" --frames "$SOME" \
	--expect "$FAR:xb4,$FAR:ym4" --absent "$FAR:xa4" \
	--stats "$TAP" --counters tap4:a_to_b:fwd,mirror

ktap_finish
