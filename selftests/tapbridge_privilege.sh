#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Privilege: every command of the family needs CAP_NET_ADMIN in the initial
# user namespace, and so does joining the events group. Refused, each with
# EPERM and each request checked on its own (genl_probe.py): an
# unprivileged user (nobody, no capabilities), a process that opened its
# socket as root and then gave root up, and root inside a user namespace
# (unshare -Ur), also with a network namespace of its own (unshare -Urn).
# The refused requests change nothing; the same requests sent by root then
# succeed, so the probe can tell the two apart.
#
#   $TAP: tap0 = port A pa, port B pb, mirror m1   (veth peers in $FAR)
#         qa, qb free veths (for a create), m2 a free mirror

source "$(dirname "$0")/lib_features.sh"

tbr_require
if ! command -v setpriv > /dev/null; then
	echo "1..0 # SKIP setpriv not found"
	exit $ksft_skip
fi
setup_ns TAP FAR || exit $ksft_skip

veth_pairs "$TAP" "$FAR" pa:xa pb:xb qa:xqa qb:xqb m1:y1 m2:y2 || {
	echo "1..0 # SKIP cannot create the links"
	exit $ksft_skip
}
tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m1"

PROBE=$TBR_SELFTESTS/genl_probe.py
ARGS=(commands tap0 "$(link_ifindex "$TAP" qa)" "$(link_ifindex "$TAP" qb)"
      "$(link_ifindex "$TAP" m1)" "$(link_ifindex "$TAP" m2)")
REQUESTS="get dump set mirror-add mirror-del create delete event cmd-0"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all
	--bounding-set=-all)
# The probe runs as nobody: its bytecode cache must be somewhere it may
# write, or nowhere.
export PYTHONDONTWRITEBYTECODE=1

# A snapshot of everything a request could change.
state()
{
	tt "$TAP" -j show
	ip -n "$TAP" -d -o link show | sed 's/ bridge.*//'
}

# probe_refused WHO CMD...: CMD runs genl_probe.py; every request must be
# answered EPERM (event and command 0 are no ops: EOPNOTSUPP, which genl
# checks first), and nothing may change.
probe_refused()
{
	local who=$1; shift
	local before after out req got

	before=$(state)
	out=$("$@" 2>&1)
	after=$(state)
	for req in $REQUESTS; do
		got=$(awk -F'\t' -v r="$req" '$1 == r { print $2 }' <<< "$out")
		case $req in
		event|cmd-0)	check_eq "$req" "$got" EOPNOTSUPP ;;
		*)		check_eq "$req" "$got" EPERM ;;
		esac
		log_test "$who: $req refused (${got:-no answer})"
	done
	[ "$before" == "$after" ]
	check_err $? "state changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -5)"
	log_test "$who: nothing changed"
}

# subscribe_refused WHO CMD...: joining the events group is refused.
subscribe_refused()
{
	local who=$1; shift
	local out

	out=$("$@" 2>&1)
	check_eq "setsockopt NETLINK_ADD_MEMBERSHIP" \
		"$(awk -F'\t' '$1 == "subscribe-setsockopt" { print $2 }' <<< "$out")" EPERM
	if grep -q '^subscribe-bind' <<< "$out"; then
		check_eq "bind with the group" \
			"$(awk -F'\t' '$1 == "subscribe-bind" { print $2 }' <<< "$out")" EPERM
	fi
	log_test "$who: subscribing to the events group refused"
}

##############################################################################
# nobody, no capabilities

probe_refused "nobody" in_ns "$TAP" "${NOBODY[@]}" "$PYTHON" "$PROBE" "${ARGS[@]}"
subscribe_refused "nobody" in_ns "$TAP" "${NOBODY[@]}" "$PYTHON" "$PROBE" subscribe

# The socket is opened with CAP_NET_ADMIN; the process then drops to
# nobody and sends on it.
probe_refused "root socket used by nobody" \
	"$PYTHON" "$PROBE" --netns "$TAP" --drop-to 65534 "${ARGS[@]}"
subscribe_refused "root socket used by nobody" \
	"$PYTHON" "$PROBE" --netns "$TAP" --drop-to 65534 subscribe

# Only CAP_NET_ADMIN counts: every other capability is not enough.
ALL_BUT=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin)
probe_refused "root without CAP_NET_ADMIN" \
	in_ns "$TAP" "${ALL_BUT[@]}" "$PYTHON" "$PROBE" "${ARGS[@]}"

##############################################################################
# root in a user namespace

if in_ns "$TAP" unshare -Ur true 2> /dev/null; then
	probe_refused "root in a user namespace" \
		in_ns "$TAP" unshare -Ur "$PYTHON" "$PROBE" "${ARGS[@]}"
	subscribe_refused "root in a user namespace" \
		in_ns "$TAP" unshare -Ur "$PYTHON" "$PROBE" subscribe
	# In a netns of its own it has CAP_NET_ADMIN over that netns, which
	# is not the initial user namespace's: still refused. (The events
	# group of that netns is its own to join: genl checks groups against
	# the netns's owner, and only that netns's instances report there.)
	probe_refused "root in a user namespace with its own netns" \
		in_ns "$TAP" unshare -Urn "$PYTHON" "$PROBE" "${ARGS[@]}"
else
	log_test_skip "root in a user namespace" "unshare -Ur fails: no CONFIG_USER_NS"
fi

##############################################################################
# The same requests as root succeed

out=$(in_ns "$TAP" "$PYTHON" "$PROBE" "${ARGS[@]}" 2>&1)
for req in $REQUESTS; do
	got=$(awk -F'\t' -v r="$req" '$1 == r { print $2 " " $3 }' <<< "$out")
	case $req in
	event|cmd-0)	check_eq "$req" "$got" "EOPNOTSUPP " ;;
	*)		check_eq "$req" "$got" "0 " ;;
	esac
	log_test "root: $req answered ${got:-nothing}"
done
check_eq "instances after root's requests" "$(tt "$TAP" -j show | jq -c '[.[].ifname]')" '["probe0"]'
log_test "root's requests took effect: tap0 deleted, probe0 created"

out=$(in_ns "$TAP" "$PYTHON" "$PROBE" subscribe 2>&1)
check_eq "setsockopt NETLINK_ADD_MEMBERSHIP" \
	"$(awk -F'\t' '$1 == "subscribe-setsockopt" { print $2 }' <<< "$out")" 0
log_test "root: subscribing to the events group succeeds"

ktap_finish
