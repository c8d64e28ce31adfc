#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mirror lists: up to 8 mirrors per instance, each with its own directions,
# edited live with "taptool set NAME mirror add|del" (mode custom); the
# presets (mode aggregate, mode split) replace the list; a 9th mirror is
# refused. Each mirror gets exactly one byte-identical copy of each frame
# of its directions and nothing else, and its counters say so. A mirror
# that goes away leaves an entry without a device whose copies count as
# drops. Mirrors are transmit-only: what they receive is dropped and
# counted, unless rx-pass lets it through to the host.
#
#   $FAR                         $TAP                            $FAR
#   xa ---------- pa (port A) --[ tap0 ]-- (port B) pb ---------- xb
#                                  |
#   y1..y9 ------ m1..m9 ----------+  (mirrors, as configured)
#
# Frames are sent on xa or xb and captured on every other far end.

source "$(dirname "$0")/lib_features.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

MIRRORS="m1 m2 m3 m4 m5 m6 m7 m8 m9"
pairs="pa:xa pb:xb"
for m in $MIRRORS; do
	pairs+=" $m:y${m#m}"
done
# shellcheck disable=SC2086 # a list of pairs
veth_pairs "$TAP" "$FAR" $pairs &&
	ip -n "$TAP" link add name br0 type bridge || {
	echo "1..0 # SKIP cannot create veth pairs"
	exit $ksft_skip
}

SOME=ipv4-udp,arp,vlan-8021q,qinq-8021ad,stp-bpdu,min-size-60,mtu-1514

# The far ends that exist.
FAR_ENDS="xa xb y1 y2 y3 y4 y5 y6 y7 y8 y9"

# far_ends_except IF...: the far ends (as $FAR:IF, comma separated) of
# every link but the ones named.
far_ends_except()
{
	local ifname out=

	for ifname in $FAR_ENDS; do
		[[ " $* " == *" $ifname "* ]] && continue
		out+=${out:+,}$FAR:$ifname
	done
	echo "$out"
}

# mirror_run DESC DIRECTION FRAMES "MIRROR..." [ARGS...]: send FRAMES in
# DIRECTION (a_to_b from xa, b_to_a from xb); the other port's far end and
# the far end of each MIRROR get one identical copy each, no other far
# end gets anything, and the counters moved by exactly that.
mirror_run()
{
	local desc=$1 dir=$2 frames=$3 mirrors=$4; shift 4
	local send=xa wire=xb m copies=() seen="xa xb"

	if [ "$dir" == b_to_a ]; then
		send=xb wire=xa
	fi
	for m in $mirrors; do
		copies+=(--copy "$FAR:y${m#m}=$m")
		seen+=" y${m#m}"
	done
	# shellcheck disable=SC2086 # a list of names
	feat_run "$desc" --send "$FAR:$send" --frames "$frames" \
		--wire "$FAR:$wire" "${copies[@]}" \
		--absent "$FAR:$send,$(far_ends_except $seen)" \
		--stats "$TAP" --dir "tap0:$dir" "$@"
}

# show_is DESC WANT: "taptool show tap0" prints exactly WANT.
show_is()
{
	check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" "$2"
	log_test "$1"
}

# can_join_bridge IF...: each device is free again: no rx handler left, so
# it can be a bridge port (and leaves the bridge again).
can_join_bridge()
{
	local ifname err

	for ifname in "$@"; do
		err=$(ip -n "$TAP" link set dev "$ifname" master br0 2>&1)
		check_err $? "$ifname cannot join br0: $err"
		ip -n "$TAP" link set dev "$ifname" nomaster
	done
}

##############################################################################
# Eight mirrors, each with its directions

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m1"

for spec in m2:a-b m3:b-a m4:both m5:a-b m6:b-a m7:both m8:a-b; do
	out=$(tt "$TAP" set tap0 mirror add "${spec%:*}" dir "${spec#*:}" 2>&1)
	check_eq "taptool set tap0 mirror add ${spec%:*} dir ${spec#*:}" "$?|$out" "0|"
done
log_test "mirror add m2..m8, each with its direction: exit 0, no output"

EIGHT="tap0: mode custom port-a pa port-b pb mirror m1 dir both mirror m2 dir a-b"
EIGHT+=" mirror m3 dir b-a mirror m4 dir both mirror m5 dir a-b mirror m6 dir b-a"
EIGHT+=" mirror m7 dir both mirror m8 dir a-b"
show_is "show: mode custom, the 8 mirrors in the order added" "$EIGHT"

json=$(show_json "$TAP" tap0)
check_eq "mode, preset keys" "$(jq -c '[.mode, .mirror, .mirror_ab, .mirror_ba]' <<< "$json")" \
	'["custom",null,null,null]'
check_eq "mirrors" "$(jq -c '[.mirrors[] | [.ifname, .dir, .snaplen, .tag_ab, .tag_ba, .tpid, .rx_pass]]' <<< "$json")" \
	'[["m1","both",null,null,null,"802.1q",false],["m2","a-b",null,null,null,"802.1q",false],["m3","b-a",null,null,null,"802.1q",false],["m4","both",null,null,null,"802.1q",false],["m5","a-b",null,null,null,"802.1q",false],["m6","b-a",null,null,null,"802.1q",false],["m7","both",null,null,null,"802.1q",false],["m8","a-b",null,null,null,"802.1q",false]]'
check_eq "mirror ifindexes" "$(jq -c '[.mirrors[].ifindex]' <<< "$json")" \
	"[$(for m in m1 m2 m3 m4 m5 m6 m7 m8; do link_ifindex "$TAP" $m; done | paste -sd,)]"
log_test "show -j: mode custom, no preset mirror, the 8 mirrors with ifindex, dir and default options"

err=$(tt "$TAP" set tap0 mirror add m9 2>&1)
check_eq "exit status" "$?" 1
check_eq "error" "$err" "Error: tap0 can have at most 8 mirrors"
check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" "$EIGHT"
can_join_bridge m9
log_test "a 9th mirror is refused with its message; the list and m9 are untouched"

mirror_run "8 mirrors a->b" a_to_b all "m1 m2 m4 m5 m7 m8"
mirror_run "8 mirrors b->a" b_to_a all "m1 m3 m4 m6 m7"

##############################################################################
# Live edits

out=$(tt "$TAP" set tap0 mirror add m2 dir b-a 2>&1)
check_eq "mirror add m2 dir b-a" "$?|$out" "0|"
out=$(tt "$TAP" set tap0 mirror del m4 2>&1)
check_eq "mirror del m4" "$?|$out" "0|"
log_test "mirror add m2 dir b-a (a new direction), mirror del m4"

show_is "show: m2 now b-a, m4 gone, the order kept" \
	"tap0: mode custom port-a pa port-b pb mirror m1 dir both mirror m2 dir b-a mirror m3 dir b-a mirror m5 dir a-b mirror m6 dir b-a mirror m7 dir both mirror m8 dir a-b"

err=$(tt "$TAP" set tap0 mirror del m9 2>&1)
check_eq "exit status" "$?" 1
check_eq "error" "$err" "Error: ifindex $(link_ifindex "$TAP" m9) is no mirror of tap0"
log_test "mirror del of a device that is no mirror is refused with its message"

can_join_bridge m4
log_test "m4 is given back by mirror del: it can join a bridge"

mirror_run "after the edits a->b" a_to_b "$SOME" "m1 m5 m7 m8"
mirror_run "after the edits b->a" b_to_a "$SOME" "m1 m2 m3 m6 m7"

##############################################################################
# Presets replace the list

out=$(tt "$TAP" set tap0 mode split mirror-ab m1 mirror-ba m2 2>&1)
check_eq "set tap0 mode split mirror-ab m1 mirror-ba m2" "$?|$out" "0|"
log_test "set tap0 mode split mirror-ab m1 mirror-ba m2"
show_is "show: the split preset replaced the list" \
	"tap0: mode split port-a pa port-b pb mirror-ab m1 mirror-ba m2"
check_eq "show -j" "$(show_field "$TAP" tap0 '[.mode, .mirror_ab.ifname, .mirror_ba.ifname, [.mirrors[] | [.ifname, .dir]]] | tostring')" \
	'["split","m1","m2",[["m1","a-b"],["m2","b-a"]]]'
log_test "show -j: mode split, mirror_ab m1 (a-b), mirror_ba m2 (b-a)"
can_join_bridge m3 m5 m6 m7 m8
log_test "the mirrors the preset dropped are given back (m3 m5 m6 m7 m8 can join a bridge)"

mirror_run "split preset a->b" a_to_b "$SOME" "m1"
mirror_run "split preset b->a" b_to_a "$SOME" "m2"

out=$(tt "$TAP" set tap0 mode aggregate mirror m3 2>&1)
check_eq "set tap0 mode aggregate mirror m3" "$?|$out" "0|"
show_is "set tap0 mode aggregate mirror m3: show says so" \
	"tap0: mode aggregate port-a pa port-b pb mirror m3"
can_join_bridge m1 m2
log_test "the split mirrors m1 and m2 are given back"
mirror_run "aggregate preset a->b" a_to_b "$SOME" "m3"

##############################################################################
# A mirror that goes away in custom mode

out=$(tt "$TAP" set tap0 mirror add m5 dir a-b 2>&1)
check_eq "mirror add m5 dir a-b" "$?|$out" "0|"
ip -n "$TAP" link del dev m5
check_err $? "ip link del m5 failed"
FAR_ENDS=${FAR_ENDS/ y5/}
log_test "mirror add m5 dir a-b, then ip link del m5"

show_is "show: the lost mirror stays in the list as 'mirror - dir a-b'" \
	"tap0: mode custom port-a pa port-b pb mirror m3 dir both mirror - dir a-b"
check_eq "show -j mirrors" "$(show_field "$TAP" tap0 '[.mirrors[] | [.ifname, .ifindex, .dir]] | tostring')" \
	'[["m3",'"$(link_ifindex "$TAP" m3)"',"both"],[null,null,"a-b"]]'
log_test "show -j: the lost mirror has ifname and ifindex null"

mirror_run "mirror m5 lost a->b" a_to_b "$SOME" "m3" --lost -
mirror_run "mirror m5 lost b->a" b_to_a "$SOME" "m3"

stats=$(tt "$TAP" stats tap0)
n=$(tr , '\n' <<< "$SOME" | wc -l)
line=$(grep '^  mirror -:' <<< "$stats")
check_eq "stats line of the lost mirror" "$line" \
	"  mirror -: tx 0 pkts 0 bytes  tx-drops $n  sliced 0  oversize 0  rx-drops 0"
log_test "stats: the lost mirror's copies are its tx-drops"

out=$(tt "$TAP" set tap0 mirror add m6 2>&1)
check_eq "mirror add m6" "$?|$out" "0|"
show_is "the next edit of the list drops the lost mirror's entry" \
	"tap0: mode custom port-a pa port-b pb mirror m3 dir both mirror m6 dir both"

##############################################################################
# Mirrors are transmit-only

feat_run "frames sent into mirror m3" --send "$FAR:y3" --frames "$SOME" \
	--absent "$FAR:y3,$FAR:xa,$FAR:xb,$FAR:y6" --stats "$TAP" --fwd none \
	--rx-drops tap0:m3

ip -n "$TAP" addr add 10.9.0.1/24 dev m3 &&
	ip -n "$FAR" addr add 10.9.0.2/24 dev y3
check_err $? "cannot add addresses"
drops_before=$(tt "$TAP" -j stats tap0 | jq '.[0].mirrors[0].rx_drops')
feat_udp "$FAR" 10.9.0.2 "$TAP" 10.9.0.1 --timeout 2 > /dev/null
check_fail $? "UDP to the address of mirror m3 got an answer"
check_eq "neighbours on m3" "$(ip -n "$TAP" neigh show dev m3)" ""
drops_after=$(tt "$TAP" -j stats tap0 | jq '.[0].mirrors[0].rx_drops')
((drops_after > drops_before))
check_err $? "rx_drops of m3 did not grow: $drops_before -> $drops_after"
log_test "the host does not answer on a mirror: no UDP reply, no ARP entry, rx_drops grew"

out=$(tt "$TAP" set tap0 mirror add m3 rx-pass on 2>&1)
check_eq "mirror add m3 rx-pass on" "$?|$out" "0|"
show_is "show: mirror m3 dir both rx-pass on" \
	"tap0: mode custom port-a pa port-b pb mirror m3 dir both rx-pass on mirror m6 dir both"

# The refused exchange above left $FAR resolving 10.9.0.1: its last ARP
# probes, dropped on m3, could fail the entry under the next datagram and
# drop that too. Start the neighbour afresh.
ip -n "$FAR" neigh flush dev y3
drops_before=$(tt "$TAP" -j stats tap0 | jq '.[0].mirrors[0].rx_drops')
feat_udp "$FAR" 10.9.0.2 "$TAP" 10.9.0.1
check_err $? "no UDP over mirror m3 with rx-pass on"
drops_after=$(tt "$TAP" -j stats tap0 | jq '.[0].mirrors[0].rx_drops')
check_eq "rx_drops of m3" "$drops_after" "$drops_before"
log_test "with rx-pass on the host answers on the mirror, and nothing is dropped"

ktap_finish
