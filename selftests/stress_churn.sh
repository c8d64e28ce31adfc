#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No frame lost on the wire path while the configuration churns: frames
# cross the TAP both ways, numbered, at most a window of them in flight,
# while a thread of stress.py changes the mode, which mirror gets which
# direction, snaplen, direction tags and their TPID, rx-pass and link
# propagation as fast as it can. Every configuration gives each frame one
# copy, so over the whole run, per direction: every frame arrived once at
# the other end, received = forwarded + forward drops (with no drop),
# copies expected (one a frame) = copies sent + mirror drops, and the
# copies sent are the copies that arrived at the mirrors' far ends.
#
#   $TAP:  pa --[tap0]-- pb, mirrors m1, m2
#   $FAR:  xa            xb,         y1, y2
#
# TBR_STRESS_FRAMES (default 20000) frames each way; TBR_STRESS_SEED
# repeats a run (the seed is printed).

source "$(dirname "$0")/lib.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

ip_batch "$TAP" <<-EOF || exit $ksft_skip
link add name pa type veth peer name xa netns $FAR
link add name pb type veth peer name xb netns $FAR
link add name m1 type veth peer name y1 netns $FAR
link add name m2 type veth peer name y2 netns $FAR
link set dev pa up
link set dev pb up
link set dev m1 up
link set dev m2 up
EOF
ip_batch "$FAR" <<-EOF || exit $ksft_skip
link set dev xa up
link set dev xb up
link set dev y1 up
link set dev y2 up
EOF

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1
check_err $? "taptool add failed"
log_test "add tap0 between pa and pb, mirror m1"

args=(--tap "$TAP" --far "$FAR" --frames "${TBR_STRESS_FRAMES:-20000}")
[ -n "${TBR_STRESS_SEED:-}" ] && args+=(--seed "$TBR_STRESS_SEED")
FRAMES_RESULTS=0
while IFS= read -r line; do
	__ktap_line "$line"
done < <($PYTHON "$TBR_SELFTESTS/stress.py" churn "${args[@]}" 2>&1)
((FRAMES_RESULTS)) || ktap_test_fail "stress.py churn printed no result"

ktap_finish
