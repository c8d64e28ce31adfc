#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Network namespace isolation: an instance lives in one netns and sees
# only that netns. A request names devices and instances of its own netns
# only, by ifindex or by name, even where the same ifindex or name exists
# in another; a dump lists the instances of its netns and no other; frames
# and counters of one netns's TAP never reach another's; a device moved
# to another netns leaves the instance that used it, and is free there.
#
#   $N1: tap0 = pa pb, mirror m1 (veth peers in $F1); qa, mv free veths
#   $N2: tap0 = pa pb, mirror m1 (veth peers in $F2); only2 = ra rb, mirror
#        m3; d00..d19 dummies first, so that $N2 has ifindexes $N1 has not
#
# Requests go through taptool where it can say them, and through genl.py
# (raw ifindexes, a socket opened in one netns and used from another).

source "$(dirname "$0")/lib_features.sh"

tbr_require
setup_ns N1 N2 F1 F2 || exit $ksft_skip

for i in $(seq -w 0 19); do
	echo "link add name d$i type dummy"
done | ip_batch "$N2" &&
	veth_pairs "$N1" "$F1" pa:xa pb:xb m1:y1 qa:xqa mv:ymv &&
	veth_pairs "$N2" "$F2" pa:xa pb:xb m1:y1 ra:xra rb:xrb m3:y3 qa:xqa || {
	echo "1..0 # SKIP cannot create the links"
	exit $ksft_skip
}

tt "$N1" add tap0 port-a pa port-b pb mode aggregate mirror m1 &&
	tt "$N2" add tap0 port-a pa port-b pb mode aggregate mirror m1 &&
	tt "$N2" add only2 port-a ra port-b rb mode aggregate mirror m3
check_err $? "taptool add failed"
log_test "add tap0 in \$N1, tap0 and only2 in \$N2"

TAP0_1=$(link_ifindex "$N1" tap0)
TAP0_2=$(link_ifindex "$N2" tap0)
ONLY2=$(link_ifindex "$N2" only2)
# An ifindex of $N2 that no device of $N1 has.
FREE_IN_N1=
for dev in only2 ra rb m3 qa d19 d18; do
	index=$(link_ifindex "$N2" "$dev")
	if ! ip -n "$N1" link show | grep -q "^$index:"; then
		FREE_IN_N1+=" $dev:$index"
	fi
done
ktap_print_msg "ifindexes: tap0 $TAP0_1 in N1, $TAP0_2 in N2; only2 $ONLY2; of N2 only:$FREE_IN_N1"

# A snapshot of a netns: its instances and every link.
state()
{
	tt "$1" -j show
	ip -n "$1" -d -o link show
}

##############################################################################
# Dumps

names()
{
	tt "$1" -j show | jq -c '[.[] | [.ifname, .port_a.ifname, .port_b.ifname]]'
}

check_eq "dump in N1" "$(names "$N1")" '[["tap0","pa","pb"]]'
log_test "a dump in \$N1 lists its tap0 only"
check_eq "dump in N2" "$(names "$N2")" '[["tap0","pa","pb"],["only2","ra","rb"]]'
log_test "a dump in \$N2 lists its tap0 and only2 only"

ifindexes()
{
	tt "$1" -j show | jq -c '[.[].ifindex]'
}
check_eq "ifindexes in N1" "$(ifindexes "$N1")" "[$TAP0_1]"
log_test "the dump in \$N1 carries \$N1's ifindex of tap0"

##############################################################################
# Naming an instance of another netns

BEFORE_N2=$(state "$N2")

# refused NS DESC WANT CMD ATTR...: a raw request in NS, refused with WANT.
refused()
{
	local ns=$1 desc=$2 want=$3; shift 3

	genl_req "$ns" "$@"
	check_eq "exit status" "$?" 1
	check_eq "error" "$GENL_OUT" "Error: $want"
	log_test "$desc"
}

refused "$N1" "\$N1: get only2 (a name of \$N2) finds nothing" \
	"no tapbridge instance only2" get name=only2
refused "$N1" "\$N1: delete only2 finds nothing" \
	"no tapbridge instance only2" delete name=only2
refused "$N1" "\$N1: set only2 finds nothing" \
	"no tapbridge instance only2" set name=only2 hold-down=100

for item in $FREE_IN_N1; do
	dev=${item%:*} index=${item#*:}
	refused "$N1" "\$N1: get ifindex $index (\$N2's $dev) finds nothing" \
		"no device with ifindex $index" get ifindex="$index"
	refused "$N1" "\$N1: delete ifindex $index (\$N2's $dev) finds nothing" \
		"no device with ifindex $index" delete ifindex="$index"
done

check_eq "N2 after N1's requests" "$(state "$N2")" "$BEFORE_N2"
log_test "\$N2 unchanged by \$N1's requests"

# The same name in both: each netns's request reaches its own tap0.
genl_req "$N1" get name=tap0
out=$GENL_OUT
check_eq "N1 get tap0 ifindex" "$(grep '^ifindex=' <<< "$out")" "ifindex=$TAP0_1"
check_eq "N1 get tap0 port-a" "$(grep '^port-a=' <<< "$out")" "port-a=$(link_ifindex "$N1" pa)"
log_test "\$N1: get tap0 answers with \$N1's tap0 and its ports"

# An ifindex both netns have: in $N2 it is not an instance.
index=$TAP0_1
dev2=$(ip -n "$N2" -o link show | awk -F': ' -v i="$index" '$1 == i { print $2 }')
dev2=${dev2%%@*}
if [ -n "$dev2" ] && [ "$index" != "$TAP0_2" ] && [ "$index" != "$ONLY2" ]; then
	refused "$N2" "\$N2: delete ifindex $index (tap0 in \$N1, $dev2 in \$N2) is refused" \
		"$dev2 is not a tapbridge instance" delete ifindex="$index"
	link_exists "$N1" tap0
	check_err $? "tap0 in N1 is gone"
	log_test "\$N1's tap0 survives \$N2's delete of its ifindex"
else
	log_test_skip "an ifindex both netns have" "ifindex $index is an instance in \$N2 too"
fi

# A socket opened in $N1 stays in $N1, whichever netns its user is in.
COLLECTED=
frames_cmd __collect_line genl --netns "$N1" get name=only2
check_eq "get only2 on N1's socket" "$COLLECTED" "Error: no tapbridge instance only2"
log_test "a socket opened in \$N1, used from the init netns, sees \$N1 only"

##############################################################################
# Naming devices of another netns as ports and mirrors

qa1=$(link_ifindex "$N1" qa)
mv1=$(link_ifindex "$N1" mv)
for item in $FREE_IN_N1; do
	dev=${item%:*} index=${item#*:}
	refused "$N1" "\$N1: create with port-a ifindex $index (\$N2's $dev) refused" \
		"port-a: no device with ifindex $index" \
		create name=t1 port-a="$index" port-b="$qa1" mode=1 mirror="$mv1"
	refused "$N1" "\$N1: create with mirror ifindex $index (\$N2's $dev) refused" \
		"mirror: no device with ifindex $index" \
		create name=t1 port-a="$qa1" port-b="$mv1" mode=1 mirror="$index"
	refused "$N1" "\$N1: set tap0 mirror ifindex $index (\$N2's $dev) refused" \
		"mirror: no device with ifindex $index" \
		set name=tap0 mode=1 mirror="$index"
	break
done
check_eq "N2 after N1's requests" "$(state "$N2")" "$BEFORE_N2"
log_test "\$N2 unchanged by \$N1's create and set"

# qa exists in both, with other ifindexes: a create in $N1 by $N1's
# ifindex of qa enslaves $N1's qa and leaves $N2's alone, whatever
# device of $N2 has that ifindex.
tt "$N1" add t1 port-a qa port-b mv mode aggregate mirror m1 > /dev/null 2>&1
check_eq "add t1 in N1 with m1 (already tap0's)" "$?" 1
genl_req "$N1" create name=t1 port-a="$qa1" port-b="$mv1" mode=1 \
	mirror="$(link_ifindex "$N1" m1)"
check_eq "error" "$GENL_OUT" "Error: mirror m1 is already a mirror of tap0"
log_test "\$N1: m1 is \$N1's tap0's mirror; \$N2's m1 (of \$N2's tap0) is not consulted"

##############################################################################
# Frames and counters stay in their netns

STATS_N2=$(tt "$N2" -j stats)
frames_check "\$N1 a->b" --send "$F1:xa" --expect "$F1:xb,$F1:y1" \
	--absent "$F1:xa,$F2:xa,$F2:xb,$F2:y1,$F2:xqa" --stats "$N1" \
	--counters tap0:a_to_b:fwd,mirror
check_eq "N2 counters" "$(tt "$N2" -j stats)" "$STATS_N2"
log_test "\$N2's counters did not move"

tt "$N1" set tap0 mirror add qa
check_err $? "N1: mirror add qa failed"
check_eq "N1 qa is a mirror" "$(tt "$N1" -j show tap0 | jq -c '[.[0].mirrors[].ifname]')" '["m1","qa"]'
check_eq "N2 after N1's mirror add qa" "$(state "$N2")" "$BEFORE_N2"
log_test "\$N1: mirror add qa takes \$N1's qa; \$N2's qa is untouched"

##############################################################################
# A mirror moved to another netns

tt "$N1" set tap0 mirror add mv
check_err $? "N1: mirror add mv failed"
ip -n "$N1" link set dev mv netns "$N2" &&
	ip -n "$N2" link set dev mv up
check_err $? "cannot move mv to N2"
check_eq "N1 mirror list" "$(tt "$N1" -j show tap0 | jq -c '[.[0].mirrors[].ifname]')" \
	'["m1","qa",null]'
log_test "mirror mv moved to \$N2: \$N1's tap0 lists it without a device"

mv2=$(link_ifindex "$N2" mv)
if ! ip -n "$N1" link show | grep -q "^$mv2:"; then
	refused "$N1" "\$N1: mirror ifindex $mv2 (mv, now in \$N2) refused" \
		"mirror: no device with ifindex $mv2" set name=tap0 mode=1 mirror="$mv2"
fi
tt "$N2" set only2 mirror add mv
check_err $? "N2: mirror add mv failed"
check_eq "N2 only2 mirrors" "$(tt "$N2" -j show only2 | jq -c '[.[0].mirrors[].ifname]')" '["m3","mv"]'
log_test "mv in \$N2 is free of \$N1's tap0: only2 takes it as a mirror"

# Copies to mv go out of its veth to ymv, still in $F1: the device is
# $N2's now, the cable is where it was. (features.py counts two mirrors;
# one Python helper at a time: bash keeps a single coprocess.)
__frames_stop
feat_run "\$N2 only2 a->b" --send "$F2:xra" --frames ipv4-udp,vlan-8021q,arp \
	--wire "$F2:xrb" --copy "$F2:y3=m3" --copy "$F1:ymv=mv" \
	--absent "$F2:xra,$F1:y1,$F2:y1,$F1:xb" --stats "$N2" --dir only2:a_to_b

ktap_finish
