#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Config files and the boot-time unit: what systemd/tapbridge@.service runs
# ("taptool up %i", "taptool down %i", read from the unit itself), on
# config files written here, and "taptool save".
#
# - up of a file an operator wrote (comments, blank lines, the words of
#   add) makes the instance it says, and frames cross it and reach the
#   mirrors, counted exactly; down deletes it and frees the ports;
# - save writes a file that up makes again identically (show, text and
#   JSON, and the file save writes next), for every mode and every option
#   a veth can take (rx-all needs a NIC: tapbridge_rxall.sh; taptool's
#   host tests cover its words);
# - a bad file (a line off the grammar, an interface that does not exist)
#   is refused with FILE:LINE and the reason, and a custom list the
#   kernel refuses part way is undone: -j show is the same before and
#   after, and the ports are free.
#
# The VM runs no systemd: the unit's commands run here as the unit would
# run them, with -C pointing them at this test's directory instead of
# /etc/tapbridge (the one word added).
#
#   $A: xa ---- pa --[ tap0 ]-- pb ---- xb :$B        (qa, qb: tap1's)
#   $FAR: y1 y2 y3 ---- m1 m2 m3 (mirrors)

source "$(dirname "$0")/lib_features.sh"

UNIT=$TBR_ROOT/systemd/tapbridge@.service
CONF=$TBR_TMP/etc-tapbridge

tbr_require
setup_ns TAP A B FAR || exit $ksft_skip
veth_pairs "$TAP" "$A" pa:xa && veth_pairs "$TAP" "$B" pb:xb &&
	veth_pairs "$TAP" "$FAR" qa:xqa qb:xqb m1:y1 m2:y2 m3:y3 || {
	echo "1..0 # SKIP cannot create the links"
	exit $ksft_skip
}
mkdir -p "$CONF"

# unit_run KEY NAME: the unit's KEY= command (ExecStart, ExecStop) for
# instance NAME, run in $TAP; its stderr in $TBR_TMP/stderr.
unit_run()
{
	local line words

	line=$(sed -n "s/^$1=//p" "$UNIT")
	read -ra words <<< "${line//%i/$2}"
	if [ "${words[0]}" != taptool ]; then
		echo "# $1 of the unit is not a taptool command: $line"
		return 127
	fi
	in_ns "$TAP" taptool -C "$CONF" "${words[@]:1}" 2> "$TBR_TMP/stderr"
}

# config_json NAME: -j show of NAME, without what a new instance changes.
config_json()
{
	tt "$TAP" -j show "$1" | jq -c '.[0] | del(.ifindex, .a_to_b, .b_to_a,
		.mirrors[].tx_packets, .mirrors[].tx_bytes, .mirrors[].tx_drops,
		.mirrors[].sliced, .mirrors[].oversize, .mirrors[].rx_drops)'
}

ports_free()
{
	local dev

	for dev in "$@"; do
		[ "$(link_field "$TAP" "$dev" master)" = none ] || return 1
	done
}

##############################################################################
# up, traffic, save, down, up again

cat > "$CONF/tap0.conf" << 'EOF'
# tap0: the cable between xa and xb; one sensor port per direction.
port-a pa
port-b pb

mode split       # a "breakout" TAP
mirror-ab m1
mirror-ba m2
link-propagation on
hold-down 200
EOF

unit_run ExecStart tap0
check_err $? "ExecStart failed: $(< "$TBR_TMP/stderr")"
check_eq "show" "$(tt "$TAP" show tap0)" \
	"tap0: mode split port-a pa port-b pb mirror-ab m1 mirror-ba m2 link-propagation on hold-down 200"
log_test "ExecStart (taptool up tap0) makes the instance tap0.conf describes"

frames_check "tap0 from its config a->b" --send "$A:xa" --expect "$B:xb,$FAR:y1" \
	--absent "$A:xa,$FAR:y2,$FAR:y3" --stats "$TAP" --counters tap0:a_to_b:fwd,mirror
frames_check "tap0 from its config b->a" --send "$B:xb" --expect "$A:xa,$FAR:y2" \
	--absent "$B:xb,$FAR:y1,$FAR:y3" --stats "$TAP" --counters tap0:b_to_a:fwd,mirror

show=$(tt "$TAP" show tap0)
json=$(config_json tap0)
tt "$TAP" -C "$CONF" save tap0
check_err $? "save failed"
check_eq "saved file" "$(grep -v '^#' "$CONF/tap0.conf")" "port-a pa
port-b pb
mode split
mirror-ab m1
mirror-ba m2
link-propagation on
hold-down 200
rx-all off
port-loss delete"
log_test "save tap0 writes the live instance in the words of add"

unit_run ExecStop tap0
check_err $? "ExecStop failed: $(< "$TBR_TMP/stderr")"
link_exists "$TAP" tap0
check_fail $? "tap0 is still there"
ports_free pa pb
check_err $? "pa or pb still has a master"
log_test "ExecStop (taptool down tap0) deletes tap0 and frees its ports"

unit_run ExecStart tap0
check_err $? "ExecStart of the saved file failed: $(< "$TBR_TMP/stderr")"
check_eq "show" "$(tt "$TAP" show tap0)" "$show"
check_eq "-j show" "$(config_json tap0)" "$json"
log_test "up of the saved file makes tap0 again, identical"

frames_check "tap0 from its saved config a->b" --send "$A:xa" \
	--expect "$B:xb,$FAR:y1" --absent "$A:xa,$FAR:y2,$FAR:y3" --stats "$TAP" \
	--counters tap0:a_to_b:fwd,mirror

##############################################################################
# A bad file changes nothing

before=$(tt "$TAP" -j show)

# bad_file DESC STATUS MESSAGE TEXT: up of tap1.conf holding TEXT fails
# with STATUS and "Error: FILE:MESSAGE", and -j show is as before.
bad_file()
{
	local desc=$1 want_rc=$2 want_err=$3 rc

	printf '%s\n' "$4" > "$CONF/tap1.conf"
	unit_run ExecStart tap1
	rc=$?
	check_eq "exit status" "$rc" "$want_rc"
	check_eq "stderr" "$(< "$TBR_TMP/stderr")" "Error: $CONF/tap1.conf:$want_err"
	check_eq "-j show" "$(tt "$TAP" -j show)" "$before"
	ports_free qa qb
	check_err $? "qa or qb still has a master"
	log_test "$desc"
}

bad_file "a line off the grammar is refused at its line, nothing changes" 2 \
	'4: "snaplen" takes an unsigned integer, not "all"' "port-a qa
port-b qb
mode custom
mirror m3 dir both snaplen all"
bad_file "an interface that does not exist is refused at its line, nothing changes" 1 \
	'3: interface "nosuch0" does not exist' "port-a qa
port-b qb
mirror nosuch0
mode aggregate"
bad_file "a value missing at the end of a line is refused, nothing changes" 2 \
	'3: "hold-down" needs a value' "port-a qa
port-b qb
hold-down
200
mode aggregate mirror m3"

# Good words, but the kernel refuses the second entry of the list: pa is
# tap0's port. The instance made for the first entry is deleted again.
printf '%s\n' "port-a qa" "port-b qb" "mode custom" "mirror m3 dir a-b" \
	"mirror pa" > "$CONF/tap1.conf"
unit_run ExecStart tap1
check_eq "exit status" "$?" 1
check_eq "stderr" "$(< "$TBR_TMP/stderr")" "Error: mirror pa is already port A of tap0"
check_eq "-j show" "$(tt "$TAP" -j show)" "$before"
link_exists "$TAP" tap1
check_fail $? "tap1 is left over"
ports_free qa qb
check_err $? "qa or qb still has a master"
log_test "a list the kernel refuses part way is undone: nothing changes"

frames_check "tap0 after the refusals a->b" --send "$A:xa" --expect "$B:xb,$FAR:y1" \
	--absent "$A:xa,$FAR:y2,$FAR:y3" --stats "$TAP" --counters tap0:a_to_b:fwd,mirror

##############################################################################
# save and up: every mode and option, round trip

# The mirrors are tap0's: it goes first.
unit_run ExecStop tap0
check_err $? "ExecStop failed: $(< "$TBR_TMP/stderr")"
log_test "ExecStop (taptool down tap0) once more"

ROUND_TRIPS=(
	"mode aggregate mirror m3"
	"mode aggregate mirror m3 link-propagation on hold-down 0"
	"mode split mirror-ab m1 mirror-ba m2 hold-down 5000"
	"mode custom mirror m3 dir a-b snaplen 128 tag-ab 10 tag-ba 20 tpid 802.1ad rx-pass on mirror m1 dir b-a snaplen 64 mirror m2 tag-ab 4094 link-propagation on hold-down 600000"
	"mode custom mirror m2 tpid 802.1q rx-pass off"
)
for config in "${ROUND_TRIPS[@]}"; do
	# One keyword a line; a mirror of a list with its options.
	sed -E 's/ (port-b|mode|mirror|mirror-ab|mirror-ba|link-propagation|hold-down) /\n\1 /g' \
		<<< "port-a qa port-b qb $config" > "$CONF/tap1.conf"
	unit_run ExecStart tap1
	check_err $? "up of \"$config\": $(< "$TBR_TMP/stderr")"
	show=$(tt "$TAP" show tap1)
	json=$(config_json tap1)
	tt "$TAP" -C "$CONF" save tap1
	check_err $? "save failed"
	saved=$(< "$CONF/tap1.conf")
	unit_run ExecStop tap1
	check_err $? "down failed: $(< "$TBR_TMP/stderr")"
	unit_run ExecStart tap1
	check_err $? "up of the saved file failed: $(< "$TBR_TMP/stderr")"
	check_eq "show" "$(tt "$TAP" show tap1)" "$show"
	check_eq "-j show" "$(config_json tap1)" "$json"
	tt "$TAP" -C "$CONF" save tap1
	check_eq "the file saved again" "$(< "$CONF/tap1.conf")" "$saved"
	unit_run ExecStop tap1
	check_err $? "down failed: $(< "$TBR_TMP/stderr")"
	log_test "save, down, up: $config"
done

ktap_finish
