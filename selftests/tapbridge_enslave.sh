#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Ports while enslaved and after release. An enslaved port shows
# "master tap0" in ip -d link, is promiscuous once more than before, is up,
# hands every frame to the TAP instead of the host stack, and cannot be
# moved to another master. "taptool del" hands both ports back as they
# were: no master, the promiscuity and admin state they had, and working
# as plain interfaces again.
#
#   $FAR                  $TAP                        $FAR
#   xa 192.0.2.2 ----- pa 192.0.2.1 --[tap0]-- pb 198.51.100.1 ----- xb 198.51.100.2
#                                        |
#   y1 ---------------------------- m1 --+
#
# pa starts promiscuous (count 1) and up; pb starts down, count 0.

source "$(dirname "$0")/lib.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

ip_batch "$TAP" <<EOF || exit $ksft_skip
link add name pa type veth peer name xa netns $FAR
link add name pb type veth peer name xb netns $FAR
link add name m1 type veth peer name y1 netns $FAR
link add name br0 type bridge
addr add 192.0.2.1/24 dev pa
addr add 198.51.100.1/24 dev pb
link set dev pa up promisc on
link set dev m1 up
EOF
ip_batch "$FAR" <<EOF || exit $ksft_skip
addr add 192.0.2.2/24 dev xa
addr add 198.51.100.2/24 dev xb
link set dev xa up
link set dev xb up
link set dev y1 up
EOF

udp_works "$FAR" 192.0.2.2 "$TAP" 192.0.2.1
check_err $? "no UDP over pa"
log_test "before: pa carries UDP as a plain interface"

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m1"

##############################################################################
# Enslaved

out=$(ip -n "$TAP" -d link show dev pa)
[[ $out == *" master tap0 "* ]]
check_err $? "no 'master tap0' in: $out"
out=$(ip -n "$TAP" -d link show dev pb)
[[ $out == *" master tap0 "* ]]
check_err $? "no 'master tap0' in: $out"
log_test "ip -d link show of both ports says master tap0"

out=$(ip -n "$TAP" -d link show dev tap0)
[[ $out == *$'\n'"    tapbridge "* ]]
check_err $? "no link kind tapbridge in: $out"
log_test "ip -d link show tap0 gives the kind tapbridge"

check_eq "pa promiscuity" "$(link_field "$TAP" pa promiscuity)" 2
check_eq "pb promiscuity" "$(link_field "$TAP" pb promiscuity)" 1
log_test "enslaving adds one to each port's promiscuity (pa 1 -> 2, pb 0 -> 1)"

link_is_up "$TAP" pb
check_err $? "pb is down"
log_test "enslaving brings port B up"

for cmd in "master br0" "nomaster"; do
	# shellcheck disable=SC2086 # the words of cmd
	err=$(ip -n "$TAP" link set dev pa $cmd 2>&1)
	check_eq "exit status" "$?" 2
	check_eq "error" "$err" "RTNETLINK answers: Operation not supported"
	check_eq "master" "$(link_field "$TAP" pa master)" tap0
	log_test "ip link set dev pa $cmd is refused while pa is enslaved"
done

# The host stack of an enslaved port sees nothing: the frames of the
# exchange (ARP first) go to the TAP and out of port B.
udp_works "$FAR" 192.0.2.2 "$TAP" 192.0.2.1 --timeout 2 > /dev/null
check_fail $? "UDP reached pa's host stack while pa is a port"
log_test "while enslaved: pa's host stack gets no frames"

##############################################################################
# Released by taptool del

tt "$TAP" del tap0
check_err $? "taptool del failed"
link_exists "$TAP" tap0
check_fail $? "tap0 still exists"
check_eq "taptool show" "$(tt "$TAP" show)" ""
log_test "taptool del tap0 deletes the instance"

check_eq "pa master" "$(link_field "$TAP" pa master)" none
check_eq "pb master" "$(link_field "$TAP" pb master)" none
log_test "after del: neither port has a master"

check_eq "pa promiscuity" "$(link_field "$TAP" pa promiscuity)" 1
check_eq "pb promiscuity" "$(link_field "$TAP" pb promiscuity)" 0
log_test "after del: promiscuity back to pa 1, pb 0"

link_is_up "$TAP" pb
check_fail $? "pb is still up"
link_is_up "$TAP" pa
check_err $? "pa went down"
log_test "after del: pb down again as it was, pa still up"

udp_works "$FAR" 192.0.2.2 "$TAP" 192.0.2.1
check_err $? "no UDP over pa"
log_test "after del: pa carries UDP as a plain interface"

ip -n "$TAP" link set dev pb up
udp_works "$FAR" 198.51.100.2 "$TAP" 198.51.100.1
check_err $? "no UDP over pb"
log_test "after del: pb carries UDP as a plain interface"

ip -n "$TAP" link set dev pa master br0
check_err $? "cannot enslave pa to br0"
check_eq "pa master" "$(link_field "$TAP" pa master)" br0
ip -n "$TAP" link set dev pa nomaster
log_test "after del: pa can join a bridge"

ktap_finish
