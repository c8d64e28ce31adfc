#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz the tapbridge generic netlink family (genl_fuzz.py): random and
# mutated messages, wrong types and lengths, deep and broken nesting, huge
# and zero values, interleaved with valid requests that create, change and
# delete instances on real ports while frames cross them. The kernel must
# answer every message once and log no splat (run_all.sh scans the kernel
# log). Afterwards every instance the fuzzer left can be listed and
# deleted, its ports and mirrors are plain interfaces again, and a new
# instance forwards and mirrors the frame corpus, counted exactly.
#
#   $A: xa --- pa \                    / pb --- xb :$B
#                  [ fz0..fz3, tap0 ] 
#   $FAR: xqa - qa /   |  |  |  |    \ qb - xqb
#   $FAR: y1..y4 ---- m1 m2 m3 m4 (mirrors)
#
# TBR_FUZZ_SEED repeats a run (the seed is printed in the result line);
# TBR_FUZZ_COUNT sets the number of messages (default 20000; make stress
# sends 100000).

source "$(dirname "$0")/lib_features.sh"

tbr_require
setup_ns TAP A B FAR || exit $ksft_skip

SEED=${TBR_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
COUNT=${TBR_FUZZ_COUNT:-20000}
PORTS="pa pb qa qb"
MIRRORS="m1 m2 m3 m4"

veth_pairs "$TAP" "$A" pa:xa && veth_pairs "$TAP" "$B" pb:xb &&
	veth_pairs "$TAP" "$FAR" qa:xqa qb:xqb m1:y1 m2:y2 m3:y3 m4:y4 &&
	ip -n "$TAP" link add name d1 type dummy || {
	echo "1..0 # SKIP cannot create the links"
	exit $ksft_skip
}

ktap_print_msg "seed $SEED, $COUNT messages (TBR_FUZZ_SEED=$SEED repeats this run)"

# The fuzzer prints PASS/FAIL lines, as frames.py does.
fuzz_line()
{
	local status name why

	IFS=$'\t' read -r status name why <<< "$1"
	case $status in
	PASS)	ktap_test_pass "$name" ;;
	FAIL)	ktap_test_fail "$name" "$why" ;;
	*)	echo "$1" ;;
	esac
}

start=$SECONDS
FUZZ_LINES=0
while IFS= read -r line; do
	fuzz_line "$line"
	FUZZ_LINES=$((FUZZ_LINES + 1))
done < <("$PYTHON" "$TBR_SELFTESTS/genl_fuzz.py" --netns "$TAP" \
	--seed "$SEED" --count "$COUNT" --ports pa:pb,qa:qb \
	--mirrors "${MIRRORS// /,}" \
	--traffic "$A:xa,$B:xb,$FAR:xqa,$FAR:xqb,$FAR:y1" \
	--label "fuzz" 2>&1; echo "# genl_fuzz.py exit status $?")
ktap_print_msg "fuzzing took $((SECONDS - start)) s"
((FUZZ_LINES > 2))
check_err $? "genl_fuzz.py printed no result"
log_test "genl_fuzz.py ran"

##############################################################################
# Afterwards: what the fuzzer left is listed and deleted

show=$(tt "$TAP" -j show 2> "$TBR_TMP/err")
check_eq "taptool -j show exit status" "$?" 0
jq -e 'type == "array"' <<< "$show" > /dev/null
check_err $? "taptool -j show is not a JSON array: $show $(cat "$TBR_TMP/err")"
left=$(jq -r '.[].ifname' <<< "$show" 2> /dev/null)
log_test "taptool -j show lists the instances left: ${left//$'\n'/ }"

for inst in $left; do
	tt "$TAP" del "$inst"
	check_err $? "taptool del $inst failed"
done
check_eq "instances after del" "$(tt "$TAP" -j show | jq length)" 0
log_test "every instance left deletes"

for dev in $PORTS $MIRRORS; do
	check_eq "$dev master" "$(link_field "$TAP" "$dev" master)" none
	check_eq "$dev promiscuity" "$(link_field "$TAP" "$dev" promiscuity)" 0
	link_has_flag "$TAP" "$dev" UP
	check_err $? "$dev is not up"
done
log_test "ports and mirrors are plain interfaces again: no master, not promiscuous, up"

##############################################################################
# A new instance on the same devices works

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add tap0 failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m1"

frames_check "after fuzzing a->b" --send "$A:xa" --expect "$B:xb,$FAR:y1" \
	--absent "$A:xa,$FAR:y2,$FAR:y3,$FAR:y4" --stats "$TAP" \
	--counters tap0:a_to_b:fwd,mirror
frames_check "after fuzzing b->a" --send "$B:xb" --expect "$A:xa,$FAR:y1" \
	--absent "$B:xb,$FAR:y2" --stats "$TAP" --counters tap0:b_to_a:fwd,mirror

ktap_finish
