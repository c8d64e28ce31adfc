# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by check.sh and kernels.sh: numbered KTAP-style test lines and
# the pass/fail/skip counts behind their closing `N passed, N failed, N
# skipped` line.

pass=0
fail=0
skip=0
ntest=0

info() {
	echo "# $*"
}

ok() {
	ntest=$((ntest + 1))
	pass=$((pass + 1))
	echo "ok $ntest $*"
}

not_ok() {
	ntest=$((ntest + 1))
	fail=$((fail + 1))
	echo "not ok $ntest $*"
}

# skipped DESCRIPTION REASON
skipped() {
	ntest=$((ntest + 1))
	skip=$((skip + 1))
	echo "ok $ntest $1 # SKIP $2"
}

# Add the counts of the last `# totals: pass=P fail=F skip=S` line of file
# $1 (reported as $2); fail when there is none.
add_totals() {
	local line p f s

	line=$(grep -E '^# totals: pass=[0-9]+ fail=[0-9]+ skip=[0-9]+' "$1" | tail -n 1)
	[ -n "$line" ] || return 1
	read -r p f s < <(sed -E 's/.*pass=([0-9]+) fail=([0-9]+) skip=([0-9]+).*/\1 \2 \3/' <<<"$line")
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	info "${2}: pass=$p fail=$f skip=$s"
	[ "$f" -eq 0 ]
}

# add_run_totals FILE WHAT RC: add the totals of FILE (see add_totals),
# the output of a run of WHAT that exited RC. A run that reports no
# failure but exits non-zero (a splat, a module that would not unload, a
# dead guest) fails once more, as does a run with no totals line. Returns
# 1 on any failure.
add_run_totals() {
	local file=$1 what=$2 rc=$3

	if add_totals "$file" "$what"; then
		[ "$rc" -eq 0 ] && return 0
		not_ok "$what: the run is clean (exit $rc; see the lines above)"
		return 1
	fi
	grep -qE '^# totals:' "$file" ||
		not_ok "$what: the run reports its totals (exit $rc)"
	return 1
}
