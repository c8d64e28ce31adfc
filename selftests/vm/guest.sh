#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (started by selftests/vm/run.sh), as root, from
# the repo root:
#
#   guest.sh RESULT_DIR
#
# RESULT_DIR is shared read-write with the host and holds `cmd` (the shell
# command to run) and `module-dir` (where tapbridge.ko is). This script
# loads tapbridge.ko, puts taptool on PATH, runs the command, then unloads
# the module. The kernel log is checked for splats (selftests/vm/splat-
# patterns) at three points: after boot, after the command, and after
# rmmod, so a report says which phase produced it; rmmod with instances
# still present must be clean too.
#
# Exit status: the command's, or 1 if it succeeded but the kernel logged a
# splat or the module would not unload. RESULT_DIR/status gets the same
# number once everything is done, so the host can tell a finished run
# from a guest that died; RESULT_DIR/started, written first, tells a guest
# that died while booting from one that died in the tests. The command's
# output also goes to RESULT_DIR/output, apart from the console, whose
# kernel messages can cut into it.

set -u

resdir=$1
: >"$resdir/started"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
patterns=$here/splat-patterns
moddir=$(cat "$resdir/module-dir")

say() {
	echo "vm: $*"
}

mark() {
	echo "tapbridge-vm: $1" >/dev/kmsg
}

# Print the kernel log lines since marker $1 that look like a splat, and
# fail if there is one.
scan_since() {
	local marker="tapbridge-vm: $1" phase=$2 hits

	hits=$(dmesg | awk -v m="$marker" 'seen; index($0, m) { seen = 1 }' |
	       grep -E -f "$patterns")
	[ -z "$hits" ] && return 0
	say "kernel splat $phase:"
	printf '%s\n' "$hits" | head -n 40 | sed 's/^/vm:   /'
	return 1
}

status=0
splat=0

cd "$top" || exit 1
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

mark boot-done
# Everything logged before the marker came from boot.
if dmesg | grep -E -f "$patterns" >/dev/null; then
	dmesg | grep -E -f "$patterns" | head -n 40 | sed 's/^/vm:   /'
	say "kernel splat during boot (before tapbridge was loaded)"
	splat=1
fi

# With kmemleak (the debug kernel), what boot left unreferenced is the
# kernel's, not tapbridge's: note it, then forget it, so that later scans
# (here and in selftests/run_all.sh) report only what came after.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	say "kmemleak: $(grep -c '^unreferenced object' "$kmemleak") unreferenced objects after boot, cleared"
	echo clear >"$kmemleak"
fi

if ! out=$(insmod "$moddir/tapbridge.ko" 2>&1); then
	say "insmod $moddir/tapbridge.ko failed: $out"
	dmesg | tail -n 20 | sed 's/^/vm:   /'
	echo 1 >"$resdir/status"
	exit 1
fi

export PATH=$top/tools/taptool:$PATH
export TBR_MODULE_DIR=$moddir
mark command-start
bash -c "$(cat "$resdir/cmd")" </dev/null 2>&1 | tee "$resdir/output"
status=${PIPESTATUS[0]}
mark command-done
scan_since command-start "while the command ran" || splat=1

for mod in tapbridge_kunit tapbridge; do
	[ -d "/sys/module/$mod" ] || continue
	if ! out=$(rmmod "$mod" 2>&1); then
		say "rmmod $mod failed: $out"
		splat=1
	fi
done
# Let deferred work (RCU callbacks, netdev teardown) run and report.
# kmemleak reports only objects older than 5 s: wait that long before its
# scan.
if [ -w "$kmemleak" ]; then
	sleep 6
else
	sleep 2
fi
scan_since command-done "while unloading tapbridge" || splat=1

if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	if [ -s "$kmemleak" ]; then
		say "kmemleak reports leaks:"
		head -n 40 "$kmemleak" | sed 's/^/vm:   /'
		splat=1
	fi
fi

dmesg >"$resdir/dmesg.txt"
if [ "$status" -eq 0 ] && [ "$splat" -ne 0 ]; then
	status=1
fi
echo "$status" >"$resdir/status"
exit "$status"
