#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every request the kernel must refuse is refused with its own error
# message, and leaves nothing behind: after each refusal the links of the
# netns (which exist, their master, promiscuity, admin state) are exactly
# as before, and a refused "set" leaves the instance's configuration as it
# was. At the end, tap0 still forwards and mirrors as configured.
#
#   $TAP: tap0 = port A pa, port B pb, mirror m1 (veths to $FAR: xa xb y1)
#         d1..d4 dummies, free       d5 dummy in bridge br0
#         v1 === v2, v3 === v4 veth pairs inside $TAP
#         tun0 (not Ethernet), lo
#
# Most requests go through taptool, as a user would send them. A few
# cannot: taptool's grammar does not let them through, or it resolves
# interface names itself. Those go through genl.py as raw requests.

source "$(dirname "$0")/lib.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

# d3 is up and promiscuous already; the others are down. A refused request
# that touched any of them would show.
ip_batch "$TAP" <<EOF || exit $ksft_skip
link add name pa type veth peer name xa netns $FAR
link add name pb type veth peer name xb netns $FAR
link add name m1 type veth peer name y1 netns $FAR
link set dev pa up
link set dev pb up
link set dev m1 up
link add name d1 type dummy
link add name d2 type dummy
link add name d3 type dummy
link add name d4 type dummy
link add name d5 type dummy
link add name br0 type bridge
link set dev d5 master br0
link add name v1 type veth peer name v2
link add name v3 type veth peer name v4
link set dev d3 up promisc on
link add name d6 type dummy
link add link d6 name d6.5 type vlan id 5
link add name d7 type dummy
link add link d7 name vl100 type vlan id 100
link add link d7 name vl200 type vlan id 200
link add name v5 type veth peer name v6
link add name v7 type veth peer name v8
link add name brj type bridge
link set dev v6 master brj
link set dev v8 master brj
link add name v9 type veth peer name v10
link add name brm type bridge
link set dev v10 master brm
EOF
ip_batch "$FAR" <<EOF || exit $ksft_skip
link set dev xa up
link set dev xb up
link set dev y1 up
EOF

HAVE_TUN=0
if tbr_have_tun && ip -n "$TAP" tuntap add dev tun0 mode tun; then
	HAVE_TUN=1
fi

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m1"

# State of every link of $TAP, one line each. The bridge details are left
# out: their timers run.
links_state()
{
	local line

	while IFS= read -r line; do
		line=${line%% bridge forward_delay *}
		echo "${line%% bridge_slave *}"
	done < <(ip -n "$TAP" -d -o link show)
}

# The links as they were before the current request: each refusal is
# compared with the state the one before it left.
STATE=

# unchanged: no link of $TAP changed since the last call.
unchanged()
{
	local after

	after=$(links_state)
	if [ "$STATE" != "$after" ]; then
		check_err 1 "links changed: $(diff <(echo "$STATE") <(echo "$after") | grep '^[<>]')"
	fi
	STATE=$after
}

# refused DESC STATUS STDERR CMD...: CMD fails with exit STATUS and prints
# exactly STDERR, and no link of $TAP changed.
refused()
{
	local desc=$1 want_rc=$2 want_err=$3; shift 3
	local err rc

	err=$("$@" 2>&1 > /dev/null)
	rc=$?
	check_eq "exit status" "$rc" "$want_rc"
	check_eq "error" "$err" "$want_err"
	unchanged
	log_test "$desc"
}

# refused_genl DESC STDERR COMMAND ATTR=VALUE...: a raw request, refused
# with exactly STDERR, and no link of $TAP changed.
refused_genl()
{
	local desc=$1 want_err=$2; shift 2
	local rc

	genl_req "$TAP" "$@"
	rc=$?
	check_eq "exit status" "$rc" 1
	check_eq "error" "$GENL_OUT" "$want_err"
	unchanged
	log_test "$desc"
}

taptool_in()
{
	tt "$TAP" "$@"
}

STATE=$(links_state)
# The ifindex of each dummy, for the raw requests.
while read -r idx name _; do
	name=${name%:}
	case $name in
	d[1-4]) eval "IDX_$name=${idx%:}" ;;
	esac
done < <(ip -n "$TAP" -o link show)

##############################################################################
# add: what the request must carry

refused "add without port-a" 1 "Error: missing attribute port-a" \
	taptool_in add tap1 port-b d2 mode aggregate mirror d3
refused "add without port-b" 1 "Error: missing attribute port-b" \
	taptool_in add tap1 port-a d1 mode aggregate mirror d3
refused "add without mode" 1 "Error: missing attribute mode" \
	taptool_in add tap1 port-a d1 port-b d2 mirror d3
refused "add aggregate without mirror" 1 "Error: aggregate mode needs a mirror, or capture on" \
	taptool_in add tap1 port-a d1 port-b d2 mode aggregate
refused "add split without mirror-ba" 1 \
	"Error: split mode needs both mirror-ab and mirror-ba" \
	taptool_in add tap1 port-a d1 port-b d2 mode split mirror-ab d3
refused "add split without mirror-ab" 1 \
	"Error: split mode needs both mirror-ab and mirror-ba" \
	taptool_in add tap1 port-a d1 port-b d2 mode split mirror-ba d3
refused "add split without mirrors" 1 \
	"Error: split mode needs both mirror-ab and mirror-ba" \
	taptool_in add tap1 port-a d1 port-b d2 mode split

refused_genl "raw create without name" "Error: missing attribute name" \
	create port-a=2 port-b=3 mode=1 mirror=4
refused_genl "raw create aggregate with mirror-ab" \
	"Error: aggregate mode takes one mirror, not mirror-ab or mirror-ba" \
	create name=tap1 "port-a=$IDX_d1" \
	"port-b=$IDX_d2" mode=1 \
	"mirror=$IDX_d3" "mirror-ab=$IDX_d4"
refused_genl "raw create split with mirror" \
	"Error: split mode takes mirror-ab and mirror-ba, not mirror" \
	create name=tap1 "port-a=$IDX_d1" \
	"port-b=$IDX_d2" mode=2 \
	"mirror=$IDX_d3" "mirror-ab=$IDX_d3" \
	"mirror-ba=$IDX_d4"
refused_genl "raw create with unknown mode 4" "Error: integer out of range" \
	create name=tap1 port-a=2 port-b=3 mode=4 mirror=4
refused_genl "raw create with mode custom" \
	"Error: mode custom is not set directly: it is what mirror add and mirror del make" \
	create name=tap1 "port-a=$IDX_d1" "port-b=$IDX_d2" mode=3 "mirror=$IDX_d3"

##############################################################################
# add: the name

refused "add with the name of an instance" 1 "Error: name tap0 is already in use" \
	taptool_in add tap0 port-a d1 port-b d2 mode aggregate mirror d4
refused "add with the name of another link" 1 "Error: name d4 is already in use" \
	taptool_in add d4 port-a d1 port-b d2 mode aggregate mirror d3
refused "add with an invalid name" 1 'Error: "bad/name" is not a valid interface name' \
	taptool_in add bad/name port-a d1 port-b d2 mode aggregate mirror d3

##############################################################################
# add: ports

refused "port A equal to port B" 1 \
	"Error: port-a and port-b must be two different devices" \
	taptool_in add tap1 port-a d1 port-b d1 mode aggregate mirror d3
refused "port that does not exist (taptool)" 1 \
	'Error: interface "nosuch0" does not exist' \
	taptool_in add tap1 port-a nosuch0 port-b d2 mode aggregate mirror d3
refused_genl "port-a ifindex that does not exist" \
	"Error: port-a: no device with ifindex 99999" \
	create name=tap1 port-a=99999 "port-b=$IDX_d2" \
	mode=1 "mirror=$IDX_d3"
refused_genl "port-b ifindex that does not exist" \
	"Error: port-b: no device with ifindex 99999" \
	create name=tap1 "port-a=$IDX_d1" port-b=99999 \
	mode=1 "mirror=$IDX_d3"
refused "loopback port" 1 "Error: port-a lo is a loopback device" \
	taptool_in add tap1 port-a lo port-b d2 mode aggregate mirror d3
if ((HAVE_TUN)); then
	refused "port that is not Ethernet" 1 "Error: port-b tun0 is not an Ethernet device" \
		taptool_in add tap1 port-a d1 port-b tun0 mode aggregate mirror d3
else
	log_test_skip "port that is not Ethernet" "cannot create a tun device"
fi
refused "port with a master" 1 "Error: port-a d5 already has a master, br0" \
	taptool_in add tap1 port-a d5 port-b d2 mode aggregate mirror d3
refused "port that is an instance" 1 "Error: port-b tap0 is a tapbridge instance itself" \
	taptool_in add tap1 port-a d1 port-b tap0 mode aggregate mirror d3
refused "port A of another instance" 1 "Error: port-a pa is already port A of tap0" \
	taptool_in add tap1 port-a pa port-b d2 mode aggregate mirror d3
refused "port B of another instance" 1 "Error: port-b pb is already port B of tap0" \
	taptool_in add tap1 port-a d1 port-b pb mode aggregate mirror d3
refused "port that is an instance's mirror" 1 \
	"Error: port-a m1 is already a mirror of tap0" \
	taptool_in add tap1 port-a m1 port-b d2 mode aggregate mirror d3
refused "ports that are the two ends of one veth" 1 \
	"Error: port-a v1 and port-b v2 are peers: frames would loop" \
	taptool_in add tap1 port-a v1 port-b v2 mode aggregate mirror d3
refused "ports whose peers are in one bridge" 1 \
	"Error: port-a v5 reaches port B v7: frames would loop" \
	taptool_in add tap1 port-a v5 port-b v7 mode aggregate mirror d3
refused "port with a VLAN device on it" 1 \
	"Error: port-b d6 has upper devices: they would see its frames first" \
	taptool_in add tap1 port-a d1 port-b d6 mode aggregate mirror d6.5

##############################################################################
# add: mirrors

refused "mirror that is port A of the same instance" 1 \
	"Error: mirror cannot be port A of the same instance" \
	taptool_in add tap1 port-a d1 port-b d2 mode aggregate mirror d1
refused "mirror-ba that is port B of the same instance" 1 \
	"Error: mirror-ba cannot be port B of the same instance" \
	taptool_in add tap1 port-a d1 port-b d2 mode split mirror-ab d3 mirror-ba d2
refused "mirror that is a port of another instance" 1 \
	"Error: mirror pa is already port A of tap0" \
	taptool_in add tap1 port-a d1 port-b d2 mode aggregate mirror pa
refused "mirror-ab that is a port of another instance" 1 \
	"Error: mirror-ab pb is already port B of tap0" \
	taptool_in add tap1 port-a d1 port-b d2 mode split mirror-ab pb mirror-ba d3
refused_genl "mirror ifindex that does not exist" \
	"Error: mirror: no device with ifindex 99999" \
	create name=tap1 "port-a=$IDX_d1" \
	"port-b=$IDX_d2" mode=1 mirror=99999
refused "loopback mirror" 1 "Error: mirror lo is a loopback device" \
	taptool_in add tap1 port-a d1 port-b d2 mode aggregate mirror lo
if ((HAVE_TUN)); then
	refused "mirror that is not Ethernet" 1 "Error: mirror-ba tun0 is not an Ethernet device" \
		taptool_in add tap1 port-a d1 port-b d2 mode split mirror-ab d3 mirror-ba tun0
else
	log_test_skip "mirror that is not Ethernet" "cannot create a tun device"
fi
refused "mirror with a master" 1 "Error: mirror d5 already has a master, br0" \
	taptool_in add tap1 port-a d1 port-b d2 mode aggregate mirror d5
refused "mirror that is an instance" 1 "Error: mirror tap0 is a tapbridge instance itself" \
	taptool_in add tap1 port-a d1 port-b d2 mode aggregate mirror tap0
refused "mirror that is the peer of a port" 1 \
	"Error: mirror v4 is the peer of port B: copies would loop" \
	taptool_in add tap1 port-a d1 port-b v3 mode aggregate mirror v4
refused "mirror that is a bridge holding the peer of a port" 1 \
	"Error: mirror brm reaches port B v9: frames would loop" \
	taptool_in add tap1 port-a d1 port-b v9 mode aggregate mirror brm
refused "mirror that is a VLAN device beside a VLAN port" 1 \
	"Error: mirror vl200 reaches port A via d7: frames would loop" \
	taptool_in add tap1 port-a vl100 port-b d2 mode aggregate mirror vl200
refused "mirror with a VLAN device on it" 1 \
	"Error: mirror d6 has upper devices: they would see its frames first" \
	taptool_in add tap1 port-a d1 port-b d2 mode aggregate mirror d6
refused "a VLAN device on a port" 2 \
	"Error: pa is port A of tap0: a port takes no upper device." \
	ip -n "$TAP" link add link pa name pa.100 type vlan id 100
refused "a VLAN device on a mirror" 2 \
	"Error: m1 is a mirror of tap0: a mirror takes no upper device." \
	ip -n "$TAP" link add link m1 name m1.7 type vlan id 7

##############################################################################
# set: the instance keeps its configuration

show_before=$(tt "$TAP" -j show tap0)

refused_set()
{
	local desc=$1 want_err=$2; shift 2

	refused "$desc" 1 "$want_err" taptool_in set "$@"
}

refused_set "set of an instance that does not exist" \
	"Error: no tapbridge instance nosuch" nosuch mode aggregate mirror d3
refused_set "set of a link that is not an instance" \
	"Error: lo is not a tapbridge instance" lo mode aggregate mirror d3
refused_set "set of a mirror without mode" "Error: mirrors are given with a mode" tap0 mirror d3
refused_set "set aggregate without mirror" "Error: aggregate mode needs a mirror, or capture on" \
	tap0 mode aggregate
refused_set "set split without mirror-ba" \
	"Error: split mode needs both mirror-ab and mirror-ba" tap0 mode split mirror-ab d3
refused_set "set mirror to its own port A" \
	"Error: mirror cannot be port A of the same instance" tap0 mode aggregate mirror pa
refused_set "set mirror-ab to its own port B" \
	"Error: mirror-ab cannot be port B of the same instance" \
	tap0 mode split mirror-ab pb mirror-ba d3
refused_set "set loopback mirror" "Error: mirror lo is a loopback device" \
	tap0 mode aggregate mirror lo
refused_set "set mirror with a master" "Error: mirror-ba d5 already has a master, br0" \
	tap0 mode split mirror-ab d3 mirror-ba d5
refused_set "set mirror that is an instance" \
	"Error: mirror tap0 is a tapbridge instance itself" tap0 mode aggregate mirror tap0

show_after=$(tt "$TAP" -j show tap0)
check_eq "taptool -j show tap0" "$show_after" "$show_before"
log_test "refused sets left tap0's configuration as it was"

##############################################################################
# del, show, stats, and requests from outside taptool

refused "del of an instance that does not exist" 1 "Error: no tapbridge instance nosuch" \
	taptool_in del nosuch
refused "del of a link that is not an instance" 1 "Error: d1 is not a tapbridge instance" \
	taptool_in del d1
refused "show of an instance that does not exist" 1 "Error: no tapbridge instance nosuch" \
	taptool_in show nosuch
refused "stats of an instance that does not exist" 1 "Error: no tapbridge instance nosuch" \
	taptool_in stats nosuch
refused_genl "raw delete without ifindex or name" \
	"Error: missing attribute ifindex or name of the instance" delete
refused_genl "raw delete by the ifindex of a link that is not an instance" \
	"Error: lo is not a tapbridge instance" delete ifindex=1
refused_genl "raw get of an ifindex that does not exist" \
	"Error: no device with ifindex 99999" get ifindex=99999
refused_genl "raw get whose ifindex and name disagree" \
	"Error: ifindex $IDX_d1 is d1, not tap0" get "ifindex=$IDX_d1" name=tap0
refused_genl "raw set whose ifindex and name disagree" \
	"Error: ifindex $IDX_d1 is d1, not tap0" set "ifindex=$IDX_d1" name=tap0
refused_genl "raw mirror-add carrying a counter" \
	"Error: mirror counters are read-only: they come in replies, not requests" \
	mirror-add name=tap0 "mirror.ifindex=$IDX_d3" mirror.tx-packets=5
refused_genl "raw mirror-del carrying a counter" \
	"Error: mirror counters are read-only: they come in replies, not requests" \
	mirror-del name=tap0 "mirror.ifindex=$IDX_d3" mirror.rx-drops=1
refused_genl "raw dump with an attribute a dump does not take" \
	"Error: Unknown attribute type" --dump get "port-a=$IDX_d1"
refused_genl "raw dump of an instance that does not exist" \
	"Error: no tapbridge instance nosuch" --dump get name=nosuch

genl_req "$TAP" --dump get name=tap0
check_eq "exit status" "$?" 0
check_eq "names in the dump" "$(grep '^name=' <<< "$GENL_OUT")" "name=tap0"
log_test "raw dump filtered by name lists just that instance"

refused "ip link add type tapbridge" 2 \
	"Error: tapbridge instances are created with taptool (generic netlink family tapbridge)." \
	ip -n "$TAP" link add name tap1 type tapbridge
# The kernel's own refusal: it gives its reason from Linux 6.12 on.
netns_refusal="Error: The interface netns is immutable."
printf '%s\n' 6.12 "$(uname -r)" | sort -VC ||
	netns_refusal="RTNETLINK answers: Invalid argument"
refused "moving an instance to another netns" 2 "$netns_refusal" \
	ip -n "$TAP" link set dev tap0 netns "$FAR"
refused "an instance as a bridge port" 2 \
	"Error: Device does not allow enslaving to a bridge." \
	ip -n "$TAP" link set dev tap0 master br0

if command -v setpriv > /dev/null; then
	refused "add without CAP_NET_ADMIN" 1 \
		"Error: Operation not permitted (CAP_NET_ADMIN needed)" \
		ip netns exec "$TAP" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all \
		taptool add tap1 port-a d1 port-b d2 mode aggregate mirror d3
	refused "show without CAP_NET_ADMIN" 1 \
		"Error: Operation not permitted (CAP_NET_ADMIN needed)" \
		ip netns exec "$TAP" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all taptool show
else
	log_test_skip "requests without CAP_NET_ADMIN" "setpriv not found"
fi

##############################################################################
# After all that, tap0 still works as configured.

frames_check "tap0 after the refusals a->b" --send "$FAR:xa" \
	--frames ipv4-udp,arp,vlan-8021q --expect "$FAR:xb,$FAR:y1" \
	--absent "$FAR:xa" --stats "$TAP" --counters tap0:a_to_b:fwd,mirror

ktap_finish
