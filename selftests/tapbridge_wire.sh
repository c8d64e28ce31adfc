#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Wire fidelity: GRO is off on the ports while they are enslaved, also when
# ethtool turns it back on (release restores the newest wish); MTU
# mismatches between the ports, and mirrors smaller than the ports, are
# reported as warnings when configured and in show; a
# frame too big for its egress is dropped and counted, never truncated,
# while the mirrors still get it where it fits (and a copy too big for a
# mirror is dropped and counted there). The instance device's own link
# counters add up to the directions' counters.
#
#   $A                   $TAP                     $B
#   xa ---- pa (port A) --[ tap0 ]-- (port B) pb ---- xb
#   mtu 9000  mtu 9000       |         mtu 1500       mtu 9000
#                            |
#   $FAR: ybig ---- mbig ----+---- msmall ---- ysmall
#         mtu 9000  mtu 9000       mtu 1500    mtu 1500

source "$(dirname "$0")/lib_features.sh"

tbr_require
if ! command -v ethtool > /dev/null; then
	echo "1..0 # SKIP ethtool not found"
	exit $ksft_skip
fi
setup_ns TAP A B FAR || exit $ksft_skip

veth_pairs "$TAP" "$A" pa:xa && veth_pairs "$TAP" "$B" pb:xb &&
	veth_pairs "$TAP" "$FAR" mbig:ybig msmall:ysmall &&
	ip_batch "$TAP" <<-EOF &&
	link set dev pa mtu 9000
	link set dev mbig mtu 9000
	EOF
	ip -n "$A" link set dev xa mtu 9000 &&
	ip -n "$B" link set dev xb mtu 9000 &&
	ip -n "$FAR" link set dev ybig mtu 9000 || {
	echo "1..0 # SKIP cannot create the links"
	exit $ksft_skip
}

# offload NS IF FEATURE: on or off, as ethtool -k shows it.
offload()
{
	in_ns "$1" ethtool -k "$2" | awk -v f="$3:" '$1 == f { print $2 }'
}

WARN_PORTS="MTUs of port-a (9000) and port-b (1500) differ: larger frames are dropped"
WARN_SMALL="mirror msmall MTU 1500 < ports' 9000: larger copies are dropped"

##############################################################################
# GRO, and the warnings of a new instance

in_ns "$TAP" ethtool -K pa gro on
check_err $? "ethtool -K pa gro on failed"
check_eq "pa generic-receive-offload" "$(offload "$TAP" pa generic-receive-offload)" on
check_eq "pb generic-receive-offload" "$(offload "$TAP" pb generic-receive-offload)" off
log_test "before: GRO on on pa (ethtool -K), off on pb"

out=$(tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror mbig 2> "$TBR_TMP/err")
check_eq "exit status" "$?" 0
check_eq "stdout" "$out" ""
check_eq "stderr" "$(cat "$TBR_TMP/err")" "Warning: $WARN_PORTS"
log_test "add with port MTUs 9000 and 1500: exit 0 and the warning on stderr"

check_eq "pa generic-receive-offload" "$(offload "$TAP" pa generic-receive-offload)" off
check_eq "pb generic-receive-offload" "$(offload "$TAP" pb generic-receive-offload)" off
log_test "while enslaved: GRO off on both ports"

in_ns "$TAP" ethtool -K pb gro on 2> /dev/null
check_eq "pb generic-receive-offload" "$(offload "$TAP" pb generic-receive-offload)" off
log_test "ethtool -K pb gro on while enslaved: GRO stays off"

check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" \
	"tap0: mode aggregate port-a pa port-b pb mirror mbig"$'\n'"    warning: $WARN_PORTS"
check_eq "show -j warnings" "$(show_field "$TAP" tap0 '.warnings | tostring')" \
	"$(jq -cn --arg w "$WARN_PORTS" '[$w]')"
log_test "show prints the warning under the instance, show -j in warnings"

out=$(tt "$TAP" set tap0 mirror add msmall 2> "$TBR_TMP/err")
check_eq "exit status" "$?" 0
check_eq "stdout" "$out" ""
check_eq "stderr" "$(cat "$TBR_TMP/err")" "Warning: $WARN_PORTS"$'\n'"Warning: $WARN_SMALL"
log_test "mirror add msmall (MTU 1500): exit 0, both warnings on stderr"

check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" \
	"tap0: mode custom port-a pa port-b pb mirror mbig dir both mirror msmall dir both"$'\n'"    warning: $WARN_PORTS"$'\n'"    warning: $WARN_SMALL"
check_eq "show -j warnings" "$(show_field "$TAP" tap0 '.warnings | tostring')" \
	"$(jq -cn --arg a "$WARN_PORTS" --arg b "$WARN_SMALL" '[$a, $b]')"
log_test "show and show -j carry both warnings"

##############################################################################
# Frames too big for the egress or a mirror: dropped and counted

feat_run "a->b up to 1500-byte MTUs" --send "$A:xa" \
	--frames mtu-1514,mtu-vlan-1518,ipv4-udp --wire "$B:xb" \
	--copy "$FAR:ybig=mbig" --copy "$FAR:ysmall=msmall" --absent "$A:xa" \
	--stats "$TAP" --dir tap0:a_to_b
feat_run "a->b too big for pb and msmall" --send "$A:xa" \
	--frames big-1515,big-2000,jumbo-9014 --fwd oversize \
	--copy "$FAR:ybig=mbig" --lost msmall:oversize \
	--absent "$A:xa,$B:xb,$FAR:ysmall" --stats "$TAP" --dir tap0:a_to_b

ip -n "$TAP" link set dev pb mtu 9000
check_err $? "cannot change pb's MTU"
check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" \
	"tap0: mode custom port-a pa port-b pb mirror mbig dir both mirror msmall dir both"$'\n'"    warning: $WARN_SMALL"
log_test "ip link set pb mtu 9000: show drops the port warning, keeps the mirror's"

feat_run "a->b with pb at 9000" --send "$A:xa" --frames big-2000,jumbo-9014 \
	--wire "$B:xb" --copy "$FAR:ybig=mbig" --lost msmall:oversize \
	--absent "$A:xa,$FAR:ysmall" --stats "$TAP" --dir tap0:a_to_b

out=$(tt "$TAP" set tap0 mirror add msmall snaplen 1514 2>&1)
check_eq "mirror add msmall snaplen 1514" "$?|$out" "0|"
check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" \
	"tap0: mode custom port-a pa port-b pb mirror mbig dir both mirror msmall dir both snaplen 1514"
check_eq "show -j warnings" "$(show_field "$TAP" tap0 '.warnings | tostring')" "[]"
log_test "mirror add msmall snaplen 1514: copies fit, no warning left"

feat_run "a->b msmall cuts to 1514" --send "$A:xa" --frames big-2000,jumbo-9014,mtu-1514 \
	--wire "$B:xb" --copy "$FAR:ybig=mbig" --copy "$FAR:ysmall=msmall@snap=1514" \
	--absent "$A:xa" --stats "$TAP" --dir tap0:a_to_b

##############################################################################
# ip -s link show tap0: the sums of both directions

feat_run "b->a" --send "$B:xb" --frames ipv4-udp,arp,vlan-8021q,mtu-1514 \
	--wire "$A:xa" --copy "$FAR:ybig=mbig" --copy "$FAR:ysmall=msmall@snap=1514" \
	--absent "$B:xb" --stats "$TAP" --dir tap0:b_to_a

# Frames sent on the instance device itself go nowhere: its own drops.
ip -n "$TAP" link set dev tap0 up
feat_run "sent on tap0 itself" --send "$TAP:tap0" --frames ipv4-udp,arp,stp-bpdu \
	--fwd none --absent "$A:xa,$B:xb,$FAR:ybig,$FAR:ysmall" --stats "$TAP"

stats=$(tt "$TAP" -j stats tap0)
link=$(ip -n "$TAP" -s -j link show dev tap0)
diff=$(jq -n -r --argjson s "$stats" --argjson l "$link" '
	($s[0]) as $t | ($l[0].stats64) as $k
	| [ [$k.rx.packets, $t.a_to_b.rx_packets + $t.b_to_a.rx_packets, "rx packets"],
	    [$k.rx.bytes, $t.a_to_b.rx_bytes + $t.b_to_a.rx_bytes, "rx bytes"],
	    [$k.tx.packets, $t.a_to_b.fwd_packets + $t.b_to_a.fwd_packets, "tx packets"],
	    [$k.tx.bytes, $t.a_to_b.fwd_bytes + $t.b_to_a.fwd_bytes, "tx bytes"],
	    [$k.tx.dropped, $t.a_to_b.fwd_drops + $t.b_to_a.fwd_drops + 3, "tx dropped"] ]
	| map(select(.[0] != .[1]) | "\(.[2]): link \(.[0]), taptool \(.[1])")
	| join("; ")' 2>&1)
check_eq "ip -s link show tap0 against taptool stats" "$diff" ""
check_eq "fwd drops" "$(jq '.[0].a_to_b.fwd_drops' <<< "$stats")" 3
log_test "ip -s link: rx = rx of both directions, tx = forwarded, tx_dropped = forward drops + the 3 sent on tap0"

# taptool stats (text) says what taptool -j stats says, mirror by mirror.
text=$(tt "$TAP" stats tap0 | grep '^  mirror ')
want=$(jq -r '.[0].mirrors[] | "  mirror \(.ifname): tx \(.tx_packets) pkts \(.tx_bytes) bytes  tx-drops \(.tx_drops)  sliced \(.sliced)  oversize \(.oversize)  rx-drops \(.rx_drops)"' <<< "$stats")
check_eq "taptool stats" "$text" "$want"
check_eq "msmall oversize, tx-drops, sliced" \
	"$(jq -c '.[0].mirrors[1] | [.oversize, .tx_drops, .sliced]' <<< "$stats")" "[5,5,2]"
log_test "stats: each mirror's line carries its -j counters (msmall: 5 oversize, 5 tx-drops, 2 sliced)"

##############################################################################
# Release

tt "$TAP" del tap0
check_err $? "taptool del failed"
check_eq "pa generic-receive-offload" "$(offload "$TAP" pa generic-receive-offload)" on
check_eq "pb generic-receive-offload" "$(offload "$TAP" pb generic-receive-offload)" on
check_eq "pa mtu" "$(link_json "$TAP" pa | jq '.[0].mtu')" 9000
log_test "after del: GRO on on both, as last asked for (pb while enslaved)"

ktap_finish
