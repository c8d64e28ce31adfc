#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every tapbridge test inside the test VM, from the repo root, with
# tapbridge.ko loaded and taptool on PATH:
#
#   selftests/run_all.sh [--stress]
#
#   1. KUnit: insmod kmod/tapbridge_kunit.ko runs the suites tapbridge_*;
#      their results are read from debugfs, then the module is removed.
#   2. Every selftests/tapbridge_*.sh, tapbridge_rmmod.sh last (it unloads
#      tapbridge.ko and loads it again). tapbridge_autoload.sh, first,
#      replaces it with the packaged module for its run and loads the
#      build's tapbridge.ko again when it ends.
#   3. With --stress, after those: every selftests/stress_*.sh (traffic
#      while devices come and go, fault injection; `make stress` runs
#      them on the debug kernel).
#   4. The kernel log of each of those steps, scanned for splats; and
#      where kmemleak is there (the debug kernel), a kmemleak scan after
#      each step: any unreferenced object fails that step.
#
# Prints one KTAP stream, each suite's results nested in it, and last a
# line "# totals: pass=P fail=F skip=S" counting every test case of every
# suite. Exits 1 if any case failed, 0 otherwise.
#
# Environment: TBR_MODULE_DIR (default kmod) holds tapbridge_kunit.ko and
# tapbridge.ko; TBR_TEST_TIMEOUT (default 600) bounds each script, in
# seconds; TBR_TESTS limits the run to the scripts named (space separated,
# e.g. "tapbridge_forward.sh"), without KUnit if it lacks "kunit".

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
moddir=${TBR_MODULE_DIR:-$top/kmod}
timeout=${TBR_TEST_TIMEOUT:-600}
patterns=$top/selftests/vm/splat-patterns

PASS=0
FAIL=0
SKIP=0
SUITE_NO=0
SPLAT_SUITES=()
SPLAT_HITS=()
LEAK_HITS=()
KMEMLEAK=/sys/kernel/debug/kmemleak

stress=0
if [ "${1:-}" == --stress ]; then
	stress=1
fi

cd "$top" || exit 1
mountpoint -q /sys/kernel/debug 2> /dev/null ||
	mount -t debugfs none /sys/kernel/debug 2> /dev/null
# The test kernel has GRE, ERSPAN and IPv6 tunnels built in, and each new
# netns would get their fallback devices (gre0, gretap0, erspan0, sit0,
# ip6tnl0, ip6gre0): the tests expect a new netns to hold lo alone.
sysctl -qw net.core.fb_tunnels_only_for_init_net=2 2> /dev/null

# count OUTPUT INDENT: add the test cases at nesting INDENT (a string of
# spaces) of a KTAP output to the totals; print "pass fail skip" of it.
count()
{
	local output=$1 indent=$2
	local line p=0 f=0 s=0

	while IFS= read -r line; do
		[[ $line == "$indent"* ]] || continue
		line=${line#"$indent"}
		if [[ $line =~ ^not\ ok\ [0-9]+ ]]; then
			f=$((f + 1))
		elif [[ $line =~ ^ok\ [0-9]+.*\#\ *[Ss][Kk][Ii][Pp] ]]; then
			s=$((s + 1))
		elif [[ $line =~ ^ok\ [0-9]+ ]]; then
			p=$((p + 1))
		fi
	done <<< "$output"
	echo "$p $f $s"
}

# suite_result NAME PASS FAIL SKIP [DIRECTIVE]: the suite's own line.
suite_result()
{
	local name=$1 p=$2 f=$3 s=$4 directive=${5:-}

	SUITE_NO=$((SUITE_NO + 1))
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	SKIP=$((SKIP + s))
	if ((f)); then
		echo "not ok $SUITE_NO $name${directive:+ # $directive}"
	elif ((p == 0 && s > 0)) || [ -n "$directive" ]; then
		echo "ok $SUITE_NO $name # SKIP ${directive:-}"
	else
		echo "ok $SUITE_NO $name"
	fi
}

indent()
{
	sed 's/^/  /'
}

# Kernel log lines since the mark that look like a splat.
kmsg_mark()
{
	echo "tapbridge-selftests: $1" > /dev/kmsg
}

splats_since()
{
	[ -f "$patterns" ] || return 0
	dmesg | awk -v m="tapbridge-selftests: $1" 'seen; index($0, m) { seen = 1 }' |
		grep -E -f "$patterns"
}

# What kmemleak finds unreferenced now; then forget it, so that the next
# step is blamed only for its own. It reports only objects older than 5 s
# (MSECS_MIN_AGE): the scan waits until all of the step's are.
kmemleak_scan()
{
	sleep 6
	echo scan > "$KMEMLEAK"
	cat "$KMEMLEAK"
	echo clear > "$KMEMLEAK"
}

# Run a step between two kernel log marks; remember what it logged, and
# what it leaked.
scan_step()
{
	local name=$1 hits leaks=

	hits=$(splats_since "start $name")
	[ -w "$KMEMLEAK" ] && leaks=$(kmemleak_scan)
	SPLAT_SUITES+=("$name")
	SPLAT_HITS+=("$hits")
	LEAK_HITS+=("$leaks")
}

wanted()
{
	[ -z "${TBR_TESTS:-}" ] || [[ " $TBR_TESTS " == *" $1 "* ]]
}

##############################################################################
# The plan: KUnit suites are known once the KUnit module has run.

scripts=()
for script in "$here"/tapbridge_*.sh; do
	name=$(basename "$script")
	[ "$name" == tapbridge_rmmod.sh ] && continue
	wanted "$name" && scripts+=("$name")
done
wanted tapbridge_rmmod.sh && [ -x "$here/tapbridge_rmmod.sh" ] &&
	scripts+=(tapbridge_rmmod.sh)
if ((stress)); then
	for script in "$here"/stress_*.sh; do
		[ -x "$script" ] || continue
		name=$(basename "$script")
		wanted "$name" && scripts+=("$name")
	done
fi

kunit_dir=$(mktemp -d /tmp/tapbridge-kunit.XXXXXX)
trap 'rm -rf "$kunit_dir"' EXIT
kunit_error=
kunit_suites=()
if wanted kunit; then
	kmsg_mark "start kunit"
	if [ ! -f "$moddir/tapbridge_kunit.ko" ]; then
		kunit_error="$moddir/tapbridge_kunit.ko not built"
	elif ! err=$(insmod "$moddir/tapbridge_kunit.ko" 2>&1); then
		kunit_error="insmod tapbridge_kunit.ko failed: $err"
	else
		# The suites ran in insmod; their results go with the module.
		for dir in /sys/kernel/debug/kunit/tapbridge*/; do
			[ -f "$dir/results" ] || continue
			suite=$(basename "$dir")
			kunit_suites+=("$suite")
			cat "$dir/results" > "$kunit_dir/$suite"
		done
		rmmod tapbridge_kunit 2> /dev/null
		((${#kunit_suites[@]})) ||
			kunit_error="no tapbridge KUnit suite in /sys/kernel/debug/kunit"
	fi
	scan_step kunit
fi

kunit_entries=${#kunit_suites[@]}
[ -n "$kunit_error" ] && kunit_entries=1

echo "KTAP version 1"
echo "1..$((kunit_entries + ${#scripts[@]} + 1))"

##############################################################################
# KUnit: each suite's debugfs results hold the suite's KTAP, indented four
# spaces inside a one-test wrapper; its test cases are the "ok"/"not ok"
# lines at that indentation (parameterised cases nest deeper).

if [ -n "$kunit_error" ]; then
	echo "# $kunit_error"
	if [[ $kunit_error == *"not built" ]]; then
		suite_result kunit 0 0 1 "$kunit_error"
	else
		suite_result kunit 0 1 0
	fi
fi
for suite in "${kunit_suites[@]}"; do
	body=$(grep '^    ' "$kunit_dir/$suite" | sed 's/^    //')
	sed 's/^/  /' <<< "$body"
	read -r p f s <<< "$(count "$body" "")"
	suite_result "$suite" "$p" "$f" "$s"
done

##############################################################################
# Selftests

for name in "${scripts[@]}"; do
	kmsg_mark "start $name"
	start=$(date +%s)
	output=$(timeout -k 10 "$timeout" "$here/$name" 2>&1)
	rc=$?
	elapsed=$(($(date +%s) - start))
	scan_step "$name"

	indent <<< "$output"
	read -r p f s <<< "$(count "$output" "")"
	directive=
	if ((rc == 124 || rc == 137)); then
		echo "  # timed out after ${timeout}s"
		f=$((f + 1))
		directive="TIMEOUT ${timeout}s"
	elif ((rc != 0 && rc != 1 && rc != 4)) || ((rc == 1 && f == 0)) ||
	     ((rc == 4 && p + s == 0)); then
		# A script that ended without saying why must not pass or skip.
		echo "  # $name exited with status $rc"
		if ((rc == 4)); then
			s=$((s + 1))
		else
			f=$((f + 1))
		fi
	fi
	echo "  # $name took ${elapsed}s"
	suite_result "$name" "$p" "$f" "$s" "$directive"
done

##############################################################################
# The kernel log of every step

# log_case N HITS DESCRIPTION: one case of the kernel_log suite, failed
# when HITS (what the kernel reported) is not empty.
log_case()
{
	if [ -n "$2" ]; then
		head -n 40 <<< "$2" | sed 's/^/  # /'
		echo "  not ok $1 $3"
		f=$((f + 1))
	else
		echo "  ok $1 $3"
		p=$((p + 1))
	fi
}

ncases=${#SPLAT_SUITES[@]}
[ -w "$KMEMLEAK" ] && ncases=$((ncases * 2))
echo "  KTAP version 1"
echo "  1..$ncases"
p=0
f=0
n=0
for i in "${!SPLAT_SUITES[@]}"; do
	log_case $((++n)) "${SPLAT_HITS[i]}" "no kernel splat during ${SPLAT_SUITES[i]}"
	[ -w "$KMEMLEAK" ] || continue
	log_case $((++n)) "${LEAK_HITS[i]}" "kmemleak: no unreferenced object after ${SPLAT_SUITES[i]}"
done
suite_result kernel_log "$p" "$f" 0

echo "# totals: pass=$PASS fail=$FAIL skip=$SKIP"
((FAIL == 0))
