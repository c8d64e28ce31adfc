#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Link failure propagation, as a hardware TAP does it: when one port loses
# its carrier, the other port is taken (admin) down, so the device behind it
# sees its link fail too; when the carrier returns and stays up for the
# hold-down time, the other port is brought back. Off by default, per
# instance. It acts only on ports it took down itself, never latches both
# ports down, does not flap with a flapping link, and undoes itself when
# turned off or when the instance is released. Every action is counted.
#
#   $FAR                         $TAP                           $FAR
#   xa ---------- pa (port A) --[ tap0 ]-- (port B) pb ---------- xb
#                                  |
#   y1 ---------- m1 (mirror) -----+
#
# A port loses its carrier when the far end of its veth goes down
# ("ip link set xa down"). Timing in the emulated test VM is coarse: the
# hold-down times are seconds, and each check says how late it ran.

source "$(dirname "$0")/lib_features.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

veth_pairs "$TAP" "$FAR" pa:xa pb:xb m1:y1 || {
	echo "1..0 # SKIP cannot create veth pairs"
	exit $ksft_skip
}

far()
{
	ip -n "$FAR" link set dev "$@"
}

actions()
{
	show_field "$TAP" tap0 .propagation_actions
}

# state_is IF STATE [NS]: check one link's state (up, no-carrier, down).
state_is()
{
	check_eq "$1" "$(link_state "${3:-$TAP}" "$1")" "$2"
}

# since MS: milliseconds since MS (a now_ms value).
since()
{
	echo $(($(now_ms) - $1))
}

##############################################################################
# Off by default

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
check_eq "show -j" "$(show_field "$TAP" tap0 '[.link_propagation, .hold_down_ms, .propagation_actions] | tostring')" \
	"[false,1000,0]"
check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" \
	"tap0: mode aggregate port-a pa port-b pb mirror m1"
log_test "a new instance has link propagation off (hold-down 1000 ms, 0 actions)"

far xa down
sleep 2
state_is pa no-carrier
state_is pb up
check_eq "propagation_actions" "$(actions)" 0
log_test "off: pa loses its carrier, pb stays up"
far xa up
wait_link_state "$TAP" pa up 10
check_err $? "pa has no carrier again"

##############################################################################
# On: B goes down, and comes back only after the hold-down time

out=$(tt "$TAP" set tap0 link-propagation on hold-down 4000 2>&1)
check_eq "set tap0 link-propagation on hold-down 4000" "$?|$out" "0|"
check_eq "taptool show tap0" "$(tt "$TAP" show tap0)" \
	"tap0: mode aggregate port-a pa port-b pb mirror m1 link-propagation on hold-down 4000"
state_is pb up
log_test "set link-propagation on hold-down 4000: show says so, both ports up"

far xa down
wait_link_state "$TAP" pb down 10
check_err $? "pb is not down: $(link_state "$TAP" pb)"
state_is xb no-carrier "$FAR"
check_eq "propagation_actions" "$(actions)" 1
log_test "pa loses its carrier: pb taken down, xb behind it loses its carrier, 1 action"

far xa up
t0=$(now_ms)
sleep 1
state=$(link_state "$TAP" pb)
late=$(since "$t0")
# Up after the hold-down proves nothing: a loaded VM checked too late.
if [ "$state" != down ] && ((late >= 4000)); then
	log_test_skip "carrier back on pa: pb still down before the hold-down (4000 ms)" \
		"the check ran ${late} ms after the carrier returned: too late to tell"
else
	check_eq pb "$state" down
	log_test "carrier back on pa: pb still down after ${late} ms (hold-down 4000)"
fi

wait_link_state "$TAP" pb up 12
check_err $? "pb did not come back: $(link_state "$TAP" pb)"
took=$(since "$t0")
((took >= 3500))
check_err $? "pb came back ${took} ms after the carrier, hold-down is 4000"
state_is xb up "$FAR"
check_eq "propagation_actions" "$(actions)" 2
log_test "pb brought back after the hold-down (seen up ${took} ms after the carrier), 2 actions"

##############################################################################
# A flapping carrier keeps B down until it is stable

out=$(tt "$TAP" set tap0 hold-down 5000 2>&1)
check_eq "set tap0 hold-down 5000" "$?|$out" "0|"
far xa down
wait_link_state "$TAP" pb down 10
check_err $? "pb is not down"
far xa up
t0=$(now_ms)
sleep 3
far xa down
far xa up
far xa down
far xa up
t1=$(now_ms)
log_test "hold-down 5000; pa flaps: down, up, then down/up twice $((t1 - t0)) ms later"

# Without the flaps pb would come back 5000 ms after t0.
sleep 2.5
early=$(since "$t0")
state=$(link_state "$TAP" pb)
late=$(since "$t1")
if ((early <= 5000)) || { [ "$state" != down ] && ((late >= 5000)); }; then
	log_test_skip "pb still down after the first return of the carrier, within the hold-down of the last" \
		"checked from ${early} ms after the first up to ${late} ms after the last: cannot tell"
else
	check_eq pb "$state" down
	log_test "pb still down ${early} ms after the first return of the carrier, ${late} ms after the last"
fi

wait_link_state "$TAP" pb up 14
check_err $? "pb did not come back"
took=$(since "$t1")
((took >= 4500))
check_err $? "pb came back ${took} ms after the last flap, hold-down is 5000"
check_eq "propagation_actions" "$(actions)" 4
log_test "pb back ${took} ms after the carrier became stable; the flaps cost no actions (4)"

##############################################################################
# Turning it off, and releasing the instance, bring B back

far xa down
wait_link_state "$TAP" pb down 10
check_err $? "pb is not down"
out=$(tt "$TAP" set tap0 link-propagation off 2>&1)
check_eq "set tap0 link-propagation off" "$?|$out" "0|"
state_is pb up
check_eq "show -j" "$(show_field "$TAP" tap0 '[.link_propagation, .propagation_actions] | tostring')" \
	"[false,6]"
log_test "link-propagation off while pb is down by it: pb up at once (6 actions)"
stats=$(tt "$TAP" stats tap0)
check_eq "stats" "$(grep propagation <<< "$stats")" "  propagation-actions 6"
log_test "taptool stats prints propagation-actions 6"

out=$(tt "$TAP" set tap0 link-propagation on 2>&1)
check_eq "set tap0 link-propagation on" "$?|$out" "0|"
wait_link_state "$TAP" pb down 10
check_err $? "pb is not down: $(link_state "$TAP" pb)"
check_eq "hold-down" "$(show_field "$TAP" tap0 .hold_down_ms)" 5000
log_test "link-propagation on while pa has no carrier: pb taken down at once, hold-down kept"

tt "$TAP" del tap0
check_err $? "taptool del failed"
state_is pb up
state_is pa no-carrier
log_test "taptool del while pb is down by link propagation: pb released up"
far xa up

##############################################################################
# A port the admin put down stays down

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1 \
	link-propagation on hold-down 1000
check_err $? "taptool add failed"
check_eq "show -j" "$(show_field "$TAP" tap0 '[.link_propagation, .hold_down_ms] | tostring')" \
	"[true,1000]"
log_test "add tap0 ... link-propagation on hold-down 1000"

ip -n "$TAP" link set dev pb down
wait_link_state "$TAP" pa down 10
check_err $? "pa is not down: $(link_state "$TAP" pa)"
check_eq "propagation_actions" "$(actions)" 1
log_test "admin puts pb down: pb has no link, so pa is taken down (1 action)"

sleep 2.5
state_is pb down
state_is pa down
log_test "2.5 s later (hold-down 1000): both still down, pb by the admin"

out=$(tt "$TAP" set tap0 link-propagation off 2>&1)
check_eq "set tap0 link-propagation off" "$?|$out" "0|"
state_is pa up
state_is pb down
check_eq "propagation_actions" "$(actions)" 2
log_test "link-propagation off: pa brought back, pb left down as the admin put it"

out=$(tt "$TAP" set tap0 link-propagation on 2>&1)
check_eq "set tap0 link-propagation on" "$?|$out" "0|"
wait_link_state "$TAP" pa down 10
check_err $? "pa is not down: $(link_state "$TAP" pa)"
tt "$TAP" del tap0
check_err $? "taptool del failed"
state_is pa up
state_is pb down
log_test "on again takes pa down; taptool del brings pa back and leaves pb down"
ip -n "$TAP" link set dev pb up

##############################################################################
# Both ports lose their carrier: no latch

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1 \
	link-propagation on hold-down 1000
check_err $? "taptool add failed"
wait_link_state "$TAP" pb up 10
check_err $? "pb is not up"

for order in "xa xb" "xb xa"; do
	first=${order% *} second=${order#* }
	if [ "$first" == xa ]; then
		port=pa other=pb
	else
		port=pb other=pa
	fi
	before=$(actions)
	far "$first" down
	wait_link_state "$TAP" "$other" down 10
	check_err $? "$other is not down"
	far "$second" down
	sleep 2
	state_is "$port" no-carrier
	state_is "$other" down
	check_eq "propagation actions" "$(($(actions) - before))" 1
	log_test "$first down, then $second: only $other is down by propagation ($port is up without carrier)"

	far "$first" up
	far "$second" up
	wait_link_state "$TAP" "$other" up 12 && wait_link_state "$TAP" "$port" up 5
	check_err $? "pa $(link_state "$TAP" pa), pb $(link_state "$TAP" pb)"
	state_is xa up "$FAR"
	state_is xb up "$FAR"
	check_eq "propagation actions" "$(($(actions) - before))" 2
	log_test "$first and $second back: both ports and both far ends up, 2 actions"
done

##############################################################################
# A port that propagation took down moves to another netns: the move closed
# it, and the release must not bring it up there.

setup_ns OTHER || exit $ksft_skip
far xb down
wait_link_state "$TAP" pa down 10
check_err $? "pa is not down"
log_test "xb down: pa down by propagation"

ip -n "$TAP" link set dev pa netns "$OTHER"
check_err $? "cannot move pa"
tt "$TAP" show tap0 > /dev/null 2>&1
check_fail $? "tap0 is still there"
state_is pa down "$OTHER"
check_eq "pa master" "$(link_field "$OTHER" pa master)" none
log_test "pa moved to another netns: tap0 gone, pa down there as the move left it"
far xb up

ktap_finish
