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

source "$(dirname "$0")/lib_features.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

veth_pairs "$TAP" "$FAR" pa:xa pb:xb m1:y1 m2:y2 || exit $ksft_skip

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
