#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault injection (fault.py): each allocation of create, set, mirror-add,
# mirror-del, get and delete fails in turn, through fail-nth. A request
# whose fault point failed must fail and leave the configuration and every
# port and mirror as they were, or succeed and leave them as the clean
# request does. Enslaving is create's first half: its faults are create's.
# The events group is subscribed, so events' allocations are fault points
# too. run_all.sh's kmemleak scan after this script finds what a failed
# path leaked.
#
#   $TAP:  pa, pb (ports), m1, m2, m3 (mirrors); peers in $FAR
#
# Needs CONFIG_FAULT_INJECTION (/proc/thread-self/fail-nth): the debug
# kernel of `make stress`; skipped elsewhere. TBR_FAULT_CASES limits the
# run to the cases named (as fault.py prints them, comma separated).

source "$(dirname "$0")/lib_features.sh"

tbr_require
if [ ! -e /proc/thread-self/fail-nth ] ||
	[ ! -d /sys/kernel/debug/failslab ] ||
	[ ! -d /sys/kernel/debug/fail_page_alloc ]; then
	echo "1..0 # SKIP no fail-nth, failslab or fail_page_alloc (not the debug kernel)"
	exit $ksft_skip
fi
# The module's own attribute (kmod/fault.c): with fail-nth on, a module
# built without it would leave its kernel calls untested, and pass.
if [ ! -d /sys/kernel/debug/fail_tapbridge ]; then
	echo "1..1"
	echo "not ok 1 no /sys/kernel/debug/fail_tapbridge: module built without CONFIG_FAULT_INJECTION"
	exit $ksft_fail
fi
setup_ns TAP FAR || exit $ksft_skip

# fail-nth fails only what the fault attributes let through: make that
# sleeping allocations and order-0 pages too, and quietly (a stack dump
# per fault would read as a splat). ip netns exec mounts a sysfs of its
# own, without debugfs: this is done here, and undone at the end.
fault_write()
{
	echo "$2" > "/sys/kernel/debug/$1"
}

fault_attr()
{
	defer fault_write "$1" "$(cat "/sys/kernel/debug/$1")"
	fault_write "$1" "$2"
}
for attr in failslab fail_page_alloc; do
	fault_attr $attr/ignore-gfp-wait N
	fault_attr $attr/verbose 0
done
fault_attr fail_tapbridge/verbose 0
fault_attr fail_page_alloc/ignore-gfp-highmem N
fault_attr fail_page_alloc/min-order 0

veth_pairs "$TAP" "$FAR" pa:xa pb:xb m1:y1 m2:y2 m3:y3 || exit $ksft_skip

args=(--ports pa:pb --mirrors m1,m2,m3)
if [ -n "${TBR_FAULT_CASES:-}" ]; then
	IFS=, read -ra names <<< "$TBR_FAULT_CASES"
	for name in "${names[@]}"; do
		args+=(--case "$name")
	done
fi

start=$SECONDS
FRAMES_RESULTS=0
while IFS= read -r line; do
	__ktap_line "$line"
done < <(ip netns exec "$TAP" "$PYTHON" "$TBR_SELFTESTS/fault.py" "${args[@]}" 2>&1
	 echo "# fault.py exit status $?")
ktap_print_msg "fault injection took $((SECONDS - start)) s"
((FRAMES_RESULTS)) || ktap_test_fail "fault.py printed no result"

# The devices are plain again and a new instance forwards.
for dev in pa pb m1 m2 m3; do
	check_eq "$dev master" "$(link_field "$TAP" "$dev" master)" none
	check_eq "$dev promiscuity" "$(link_field "$TAP" "$dev" promiscuity)" 0
done
log_test "ports and mirrors are plain interfaces again"

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add tap0 failed"
log_test "add tap0 port-a pa port-b pb mode aggregate mirror m1 after the faults"
frames_check "after the faults a->b" --send "$FAR:xa" --expect "$FAR:xb,$FAR:y1" \
	--absent "$FAR:y2,$FAR:y3" --stats "$TAP" --counters tap0:a_to_b:fwd,mirror

ktap_finish
