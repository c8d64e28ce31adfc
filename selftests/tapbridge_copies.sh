#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What each mirror makes of its copies: frame slicing (snaplen 64..65535,
# counted as the wire counts, a tag in metadata included) and direction
# tags (tag-ab, tag-ba, tpid 802.1q or 802.1ad) pushed as the outer tag,
# a tag the frame had following it. The wire frames stay untouched, also
# for real TCP traffic whose checksums the ports leave to the hardware.
# Out-of-range options are refused by the kernel's policy.
#
#   $A                  $TAP                      $B
#   xa ---- pa (port A) --[ tap0 ]-- (port B) pb ---- xb
#                           |
#   $FAR: y1..y4 ---- m1..m4 (mirrors)
#
#   m1  both  snaplen 64
#   m2  a-b   snaplen 128, tag-ab 10, tag-ba 20 (802.1Q)
#   m3  both  tag-ab 100, tag-ba 200, tpid 802.1ad
#   m4  both  whole frames, untagged

source "$(dirname "$0")/lib_features.sh"

tbr_require
if ! command -v ethtool > /dev/null; then
	echo "1..0 # SKIP ethtool not found"
	exit $ksft_skip
fi
setup_ns TAP A B FAR || exit $ksft_skip

veth_pairs "$TAP" "$A" pa:xa && veth_pairs "$TAP" "$B" pb:xb &&
	veth_pairs "$TAP" "$FAR" m1:y1 m2:y2 m3:y3 m4:y4 || {
	echo "1..0 # SKIP cannot create veth pairs"
	exit $ksft_skip
}

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
for args in "m1 snaplen 64" "m2 dir a-b snaplen 128 tag-ab 10 tag-ba 20" \
	    "m3 tag-ab 100 tag-ba 200 tpid 802.1ad" "m4"; do
	# shellcheck disable=SC2086 # the words of args
	out=$(tt "$TAP" set tap0 mirror add $args 2>&1)
	check_eq "mirror add $args" "$?|$out" "0|"
done
log_test "add tap0; mirror add m1 (snaplen 64), m2 (a-b, snaplen 128, tags 10/20), m3 (tags 100/200 802.1ad), m4"

LIST="tap0: mode custom port-a pa port-b pb mirror m1 dir both snaplen 64"
LIST+=" mirror m2 dir a-b snaplen 128 tag-ab 10 tag-ba 20"
LIST+=" mirror m3 dir both tag-ab 100 tag-ba 200 tpid 802.1ad mirror m4 dir both"
check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" "$LIST"
check_eq "show -j" "$(show_field "$TAP" tap0 '[.mirrors[] | [.ifname, .dir, .snaplen, .tag_ab, .tag_ba, .tpid]] | tostring')" \
	'[["m1","both",64,null,null,"802.1q"],["m2","a-b",128,10,20,"802.1q"],["m3","both",null,100,200,"802.1ad"],["m4","both",null,null,null,"802.1q"]]'
log_test "show and show -j list each mirror's options"

# The whole corpus each way: every frame kind, tagged ones included, and
# lengths from 42 to 1518 bytes on both sides of each snaplen.
feat_run "a->b" --send "$A:xa" --frames all --wire "$B:xb" \
	--copy "$FAR:y1=m1@snap=64" --copy "$FAR:y2=m2@tag=8100/10+snap=128" \
	--copy "$FAR:y3=m3@tag=88a8/100" --copy "$FAR:y4=m4" \
	--absent "$A:xa" --stats "$TAP" --dir tap0:a_to_b
feat_run "b->a" --send "$B:xb" --frames all --wire "$A:xa" \
	--copy "$FAR:y1=m1@snap=64" --copy "$FAR:y3=m3@tag=88a8/200" \
	--copy "$FAR:y4=m4" --absent "$B:xb,$FAR:y2" --stats "$TAP" \
	--dir tap0:b_to_a

##############################################################################
# Ranges: the kernel's policy refuses what is out of range

for args in "snaplen 10" "snaplen 63" "snaplen 65536" "snaplen 70000" \
	    "tag-ab 0" "tag-ba 4095"; do
	# shellcheck disable=SC2086 # the words of args
	err=$(tt "$TAP" set tap0 mirror add m4 $args 2>&1)
	check_eq "exit status" "$?" 1
	check_eq "error" "$err" "Error: integer out of range"
	log_test "mirror add m4 $args is refused by the kernel's policy"
done
check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" "$LIST"
log_test "the refused requests changed nothing"

out=$(tt "$TAP" set tap0 mirror add m4 snaplen 65535 tag-ab 4094 tag-ba 1 2>&1)
check_eq "mirror add m4 snaplen 65535 tag-ab 4094 tag-ba 1" "$?|$out" "0|"
check_eq "m4 in show -j" "$(show_field "$TAP" tap0 '.mirrors[3] | [.ifname, .snaplen, .tag_ab, .tag_ba] | tostring')" \
	'["m4",65535,4094,1]'
log_test "the limits themselves are taken: snaplen 65535, tags 4094 and 1"

feat_run "limits a->b" --send "$A:xa" --frames ipv4-udp,qinq-8021ad,mtu-vlan-1518 \
	--wire "$B:xb" --copy "$FAR:y1=m1@snap=64" \
	--copy "$FAR:y2=m2@tag=8100/10+snap=128" --copy "$FAR:y3=m3@tag=88a8/100" \
	--copy "$FAR:y4=m4@tag=8100/4094+snap=65535" --absent "$A:xa" \
	--stats "$TAP" --dir tap0:a_to_b

# Adding a mirror again changes only the options given.
out=$(tt "$TAP" set tap0 mirror add m3 dir a-b 2>&1)
check_eq "mirror add m3 dir a-b" "$?|$out" "0|"
check_eq "m3 in show -j" "$(show_field "$TAP" tap0 '.mirrors[2] | [.ifname, .dir, .tag_ab, .tag_ba, .tpid] | tostring')" \
	'["m3","a-b",100,200,"802.1ad"]'
log_test "mirror add m3 dir a-b changes the direction and keeps the tags"

# A preset keeps the options of the mirrors it keeps.
out=$(tt "$TAP" set tap0 mode split mirror-ab m1 mirror-ba m3 2>&1)
check_eq "set tap0 mode split mirror-ab m1 mirror-ba m3" "$?|$out" "0|"
check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" \
	"tap0: mode split port-a pa port-b pb mirror-ab m1 snaplen 64 mirror-ba m3 tag-ab 100 tag-ba 200 tpid 802.1ad"
log_test "set mode split mirror-ab m1 mirror-ba m3: both keep their options"
feat_run "split b->a" --send "$B:xb" --frames all --wire "$A:xa" \
	--copy "$FAR:y3=m3@tag=88a8/200" --absent "$B:xb,$FAR:y1,$FAR:y2,$FAR:y4" \
	--stats "$TAP" --dir tap0:b_to_a
feat_run "split a->b" --send "$A:xa" --frames all --wire "$B:xb" \
	--copy "$FAR:y1=m1@snap=64" --absent "$A:xa,$FAR:y2,$FAR:y3,$FAR:y4" \
	--stats "$TAP" --dir tap0:a_to_b

##############################################################################
# TCP: the ports get checksums left to the hardware (CHECKSUM_PARTIAL), and
# from a sender with TSO super-frames (GSO), as a port facing a VM or a
# container does. Cut copies must resolve the checksum in the copy only;
# the wire keeps its frames byte for byte; no copy is lost.

out=$(tt "$TAP" set tap0 mode aggregate mirror m1 2>&1) &&
	out+=$(tt "$TAP" set tap0 mirror add m2 snaplen 128 tag-ab 10 tag-ba 20 2>&1)
check_eq "set tap0 mode aggregate mirror m1; mirror add m2 snaplen 128 tag-ab 10 tag-ba 20" "$?|$out" "0|"
log_test "mirrors for TCP: m1 cut to 64 bytes, m2 tagged and cut to 128 bytes"

ip -n "$A" addr add 10.1.0.1/24 dev xa &&
	ip -n "$B" addr add 10.1.0.2/24 dev xb &&
	ip -n "$A" neigh add 10.1.0.2 lladdr "$(link_json "$B" xb | jq -r '.[0].address')" dev xa nud permanent &&
	ip -n "$B" neigh add 10.1.0.1 lladdr "$(link_json "$A" xa | jq -r '.[0].address')" dev xb nud permanent
check_err $? "cannot set up addresses"
log_test "addresses and static neighbours: only TCP crosses the TAP"

# tcp_run DESC JQ-CHECKS: one TCP connection of 100 KB each way, then
# JQ-CHECKS ([got, want, what] triples over the counter deltas d(PATH) and
# the connection $c) must all hold.
tcp_run()
{
	local desc=$1 checks=$2 before after diff

	before=$(tt "$TAP" -j stats tap0)
	feat_check "$desc" tcp --client "$A:xa:10.1.0.1" \
		--server "$B:xb:10.1.0.2" --count 1 --size 100000 \
		--json "$TBR_TMP/tcp.json" --label "$desc"
	after=$(tt "$TAP" -j stats tap0)
	diff=$(jq -n -r --argjson b "$before" --argjson a "$after" \
		--slurpfile t "$TBR_TMP/tcp.json" '
		($t[0].connections[0]) as $c | ($b[0]) as $b | ($a[0]) as $a
		| def d(f): (($a | f) - ($b | f));
		  [ [d(.a_to_b.rx_packets), $c.ab_frames, "a->b rx packets"],
		    [d(.a_to_b.rx_bytes), $c.ab_bytes, "a->b rx bytes"],
		    [d(.b_to_a.rx_packets), $c.ba_frames, "b->a rx packets"],
		    [d(.b_to_a.rx_bytes), $c.ba_bytes, "b->a rx bytes"],
		    [d(.a_to_b.fwd_packets), $c.ab_frames, "a->b fwd packets"],
		    [d(.b_to_a.fwd_packets), $c.ba_frames, "b->a fwd packets"],
		    [d(.mirrors[0].tx_drops), 0, "m1 tx drops"],
		    [d(.mirrors[1].tx_drops), 0, "m2 tx drops"],
		    [d(.mirrors[0].tx_bytes), 64 * d(.mirrors[0].tx_packets), "m1 tx bytes (64 per copy)"],
		    [d(.mirrors[0].sliced), d(.mirrors[0].tx_packets), "m1 sliced"]
		  ] + ('"$checks"')
		| map(select(.[0] != .[1]) | "\(.[2]): \(.[0]), want \(.[1])") | join("; ")' 2>&1)
	check_eq "counters against the frames seen on the wire" "$diff" ""
	log_test "$desc: counters match the wire, every copy of m1 cut to 64 bytes, none lost"
}

# Wire-sized frames: one copy per frame on each mirror.
in_ns "$A" ethtool -K xa tso off gso off &&
	in_ns "$B" ethtool -K xb tso off gso off
check_err $? "ethtool -K tso off gso off failed"
log_test "the endpoints send wire-sized frames (TSO and GSO off)"
# shellcheck disable=SC2016 # jq, not the shell, expands the checks
tcp_run "TCP, wire-sized frames" '
	[ [d(.mirrors[0].tx_packets), $c.ab_frames + $c.ba_frames, "m1 tx packets"],
	  [d(.mirrors[1].tx_packets), $c.ab_frames + $c.ba_frames, "m2 tx packets"] ]'

# Super-frames: each stands for several wire frames; however they are cut,
# no copy may be lost.
in_ns "$A" ethtool -K xa tso on gso on &&
	in_ns "$B" ethtool -K xb tso on gso on
check_err $? "ethtool -K tso on gso on failed"
log_test "the endpoints send TSO super-frames"
# shellcheck disable=SC2016 # jq, not the shell, expands the checks
tcp_run "TCP, TSO super-frames" '
	[ [d(.mirrors[0].tx_packets) >= $c.ab_frames + $c.ba_frames, true, "m1 tx packets >= frames"],
	  [d(.mirrors[1].tx_packets) >= $c.ab_frames + $c.ba_frames, true, "m2 tx packets >= frames"] ]'

ktap_finish
