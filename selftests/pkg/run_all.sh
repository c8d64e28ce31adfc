#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every packaging test, as one KTAP stream:
#
#   selftests/pkg/run_all.sh
#
#   1. man.sh: the manual pages and the completion against taptool's tables;
#   2. unit.sh: tapbridge@.service, installed and verified by systemd-analyze;
#   3. deb.sh: make deb, lintian, install into a clean Debian root, purge;
#   4. dkms.sh: dkms build and install against every kernel found, from
#      the source tree the package installed (build/pkg/deb-src) when
#      deb.sh got that far, else from scripts/dkms-src.sh.
#
# Each script's own KTAP is printed as it runs, indented under one
# "ok"/"not ok" line; the last line is "# totals: pass=P fail=F skip=S"
# over every case of every script (selftests/vm/check.sh adds it in).
# Exits 1 if any case failed. Needs root (dkms, chroot, mounts).

set -u

here=$(cd "$(dirname "$0")" && pwd)
pkgdir=${TBR_PKG_DIR:-$(cd "$here/../.." && pwd)/build/pkg}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

n=0 pass=0 fail=0 skip=0

# run_script NAME [VAR=VALUE...]: selftests/pkg/NAME in its own bash,
# its output streamed indented and kept in $out for its totals.
run_script() {
	local name=$1 counts start

	shift
	n=$((n + 1))
	start=$(date +%s)
	env "$@" bash "$here/$name" 2>&1 </dev/null | tee "$out" | sed -u 's/^/    /'
	counts=$(sed -nE 's/^# totals: pass=([0-9]+) fail=([0-9]+) skip=([0-9]+)$/\1 \2 \3/p' "$out" |
		 tail -n 1)
	if [ -z "$counts" ]; then
		fail=$((fail + 1))
		echo "not ok $n $name # reported no totals"
		return
	fi
	set -- $counts
	pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
	echo "# $name: $(($(date +%s) - start)) s"
	if [ "$2" -eq 0 ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
	fi
}

echo "TAP version 13"
echo "1..4"
run_script man.sh
run_script unit.sh
run_script deb.sh
if [ -f "$pkgdir/deb-src/dkms.conf" ]; then
	run_script dkms.sh TBR_PKG_DKMS_SRC="$pkgdir/deb-src"
else
	run_script dkms.sh
fi
echo "# totals: pass=$pass fail=$fail skip=$skip"
[ "$fail" -eq 0 ]
