#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Damaged frames: "rx-all on" switches both ports to receive-all and
# keep-FCS (ethtool's rx-all and rx-fcs), so that frames with a bad FCS
# are forwarded and mirrored too. It is refused, naming the port, when a
# port's driver cannot do it (veth cannot), and nothing is left behind; it
# is undone by "rx-all off" and on release.
#
#   $FAR                        $TAP                        $FAR
#   xa ---------- pa --[ tap0 ]-- pb ---------- xb
#   y1 ---------- m1 ----+
#   xqa --------- qa, qb ----------------------- xqb,  m2 ---- y2
#
# With two e1000 NICs in the VM (driver e1000), they are moved into $TAP
# for the positive cases: e1000 and veth (refused, naming the veth), two
# e1000 (accepted). Without them those cases are skipped.

source "$(dirname "$0")/lib_features.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

veth_pairs "$TAP" "$FAR" pa:xa pb:xb m1:y1 qa:xqa qb:xqb m2:y2 || {
	echo "1..0 # SKIP cannot create veth pairs"
	exit $ksft_skip
}

links_state()
{
	ip -n "$TAP" -d -o link show
}

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m1"

##############################################################################
# veth has neither: refused, naming the port

before=$(links_state)
err=$(tt "$TAP" set tap0 rx-all on 2>&1)
check_eq "exit status" "$?" 1
check_eq "error" "$err" "Error: port-a pa: driver has no rx-all and rx-fcs support"
check_eq "show" "$(tt "$TAP" show tap0)" "tap0: mode aggregate port-a pa port-b pb mirror m1"
check_eq "show -j rx_all" "$(show_field "$TAP" tap0 .rx_all)" false
check_eq "links" "$(links_state)" "$before"
log_test "set tap0 rx-all on with veth ports: refused naming port-a pa, nothing changed"

err=$(tt "$TAP" set tap0 rx-all on link-propagation on 2>&1)
check_eq "exit status" "$?" 1
check_eq "error" "$err" "Error: port-a pa: driver has no rx-all and rx-fcs support"
check_eq "show -j" "$(show_field "$TAP" tap0 '[.rx_all, .link_propagation] | tostring')" \
	"[false,false]"
log_test "a refused rx-all takes the other options of the request down with it"

err=$(tt "$TAP" add tap1 port-a qa port-b qb mode aggregate mirror m2 rx-all on 2>&1)
check_eq "exit status" "$?" 1
check_eq "error" "$err" "Error: port-a qa: driver has no rx-all and rx-fcs support"
link_exists "$TAP" tap1
check_fail $? "tap1 exists"
check_eq "links" "$(links_state)" "$before"
log_test "add tap1 ... rx-all on with veth ports: refused naming port-a qa, nothing left behind"

out=$(tt "$TAP" set tap0 rx-all off 2>&1)
check_eq "set tap0 rx-all off" "$?|$out" "0|"
log_test "rx-all off is always taken"

##############################################################################
# e1000: receive-all and keep-FCS

NICS=()
for dev in /sys/class/net/*; do
	driver=$(readlink "$dev/device/driver" 2> /dev/null) || continue
	[ "$(basename "$driver")" == e1000 ] && NICS+=("$(basename "$dev")")
done

if ((${#NICS[@]} < 2)); then
	for desc in "rx-all with an e1000 port A and a veth port B" \
		    "rx-all on two e1000 ports" "rx-all undone by rx-all off" \
		    "rx-all undone on release"; do
		log_test_skip "$desc" "no e1000 NICs"
	done
	ktap_finish
fi

E0=${NICS[0]}
E1=${NICS[1]}
# In $TAP they have no address and no IPv6: nothing of the host's own
# reaches their wire (the two NICs share one, through a QEMU hub).
ip link set dev "$E0" netns "$TAP" && ip link set dev "$E1" netns "$TAP"
check_err $? "cannot move $E0 and $E1 into the test netns"
log_test "move the e1000 NICs $E0 and $E1 into \$TAP"

# rx_all_is STATE IF...: ethtool -k shows rx-fcs and rx-all as STATE.
rx_all_is()
{
	local state=$1 ifname; shift

	for ifname in "$@"; do
		check_eq "$ifname" "$(in_ns "$TAP" ethtool -k "$ifname" |
			awk '$1 == "rx-fcs:" || $1 == "rx-all:" { print $1, $2 }' | paste -sd ' ')" \
			"rx-fcs: $state rx-all: $state"
	done
}

rx_all_is off "$E0" "$E1"
log_test "before: rx-fcs and rx-all off on $E0 and $E1"

tt "$TAP" add tap2 port-a "$E0" port-b qa mode aggregate mirror m2
check_err $? "taptool add tap2 failed"
err=$(tt "$TAP" set tap2 rx-all on 2>&1)
check_eq "exit status" "$?" 1
check_eq "error" "$err" "Error: port-b qa: driver has no rx-all and rx-fcs support"
rx_all_is off "$E0"
tt "$TAP" del tap2
check_err $? "taptool del tap2 failed"
log_test "rx-all with an e1000 port A and a veth port B: refused naming port-b qa"

tt "$TAP" add tap2 port-a "$E0" port-b "$E1" mode aggregate mirror m2
check_err $? "taptool add tap2 failed"
out=$(tt "$TAP" set tap2 rx-all on 2>&1)
check_eq "set tap2 rx-all on" "$?|$out" "0|"
rx_all_is on "$E0" "$E1"
check_eq "show" "$(tt "$TAP" show tap2)" \
	"tap2: mode aggregate port-a $E0 port-b $E1 mirror m2 rx-all on"
log_test "rx-all on two e1000 ports: accepted, rx-fcs and rx-all on, show says so"

out=$(tt "$TAP" set tap2 rx-all off 2>&1)
check_eq "set tap2 rx-all off" "$?|$out" "0|"
rx_all_is off "$E0" "$E1"
check_eq "show -j rx_all" "$(show_field "$TAP" tap2 .rx_all)" false
log_test "rx-all undone by rx-all off"

out=$(tt "$TAP" set tap2 rx-all on 2>&1)
check_eq "set tap2 rx-all on" "$?|$out" "0|"
tt "$TAP" del tap2
check_err $? "taptool del tap2 failed"
rx_all_is off "$E0" "$E1"
log_test "rx-all undone on release"

tt "$TAP" add tap2 port-a "$E0" port-b "$E1" mode aggregate mirror m2 rx-all on
check_err $? "taptool add tap2 ... rx-all on failed"
rx_all_is on "$E0" "$E1"
tt "$TAP" del tap2
check_err $? "taptool del tap2 failed"
rx_all_is off "$E0" "$E1"
log_test "add ... rx-all on: on at once, off after del"

ktap_finish
