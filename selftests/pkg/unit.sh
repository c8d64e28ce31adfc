#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The systemd unit tapbridge@.service, on the host:
#
#   selftests/pkg/unit.sh
#
# - make install-tools puts it, with taptool and the man pages (and
#   install-module-doc tapbridge(4)), under
#   DESTDIR, and `systemd-analyze verify --root=DESTDIR` of an instance
#   says nothing at all (a typo in the unit is a warning there, not an
#   exit status, so any output fails), with the man pages its
#   Documentation= names found;
# - it is what an operator relies on: a oneshot that stays active, runs
#   exactly "taptool up %i" and "taptool down %i" (the commands
#   selftests/tapbridge_config.sh runs in the VM), is wanted by and ordered
#   before network-pre.target, and enables no instance by itself.
#
# The VM has no systemd to start it; tapbridge_config.sh runs the unit's
# commands, read from this same file.

. "$(dirname "$0")/lib.sh"

unit=$top/systemd/tapbridge@.service
dest=$pkgdir/unit-root

# key SECTION KEY: the values of KEY in [SECTION], one a line.
key() {
	awk -v s="[$1]" -v k="$2" '/^\[/ { in_s = ($0 == s); next }
		in_s && index($0, k "=") == 1 { print substr($0, length(k) + 2) }' "$unit"
}

rm -rf "$dest"
if logged unit-install make -C "$top" install-tools install-module-doc DESTDIR="$dest" PREFIX=/usr \
		UNITDIR=/usr/lib/systemd/system; then
	check "make install-tools installs tapbridge@.service" \
		cmp -s "$unit" "$dest/usr/lib/systemd/system/tapbridge@.service"
	out=$(MANPATH=$dest/usr/share/man systemd-analyze verify --root="$dest" \
		tapbridge@tap0.service 2>&1)
	rc=$?
	check "systemd-analyze verify tapbridge@tap0.service: exit $rc, no message" \
		test "$rc" -eq 0 -a -z "$out"
	[ -z "$out" ] || diag <<<"$out"
	# The same check must fail on a broken unit.
	sed -i 's/^Type=oneshot$/Type=oneshoot/' "$dest/usr/lib/systemd/system/tapbridge@.service"
	out=$(MANPATH=$dest/usr/share/man systemd-analyze verify --root="$dest" \
		tapbridge@tap0.service 2>&1)
	check "systemd-analyze verify speaks up on a unit with a typo" test -n "$out"
else
	not_ok "make install-tools DESTDIR=... installs tapbridge@.service"
fi

want="Type=oneshot|RemainAfterExit=yes|ExecStart=taptool up %i|ExecStop=taptool down %i"
got="Type=$(key Service Type)|RemainAfterExit=$(key Service RemainAfterExit)"
got+="|ExecStart=$(key Service ExecStart)|ExecStop=$(key Service ExecStop)"
check "a oneshot that stays active and runs taptool up and down ($got)" test "$got" = "$want"
# names_pre_target VALUE...: each VALUE names network-pre.target.
names_pre_target() {
	local v

	for v in "$@"; do
		grep -qw network-pre.target <<<"$v" || return 1
	done
}
before=$(key Unit Before)
wants=$(key Unit Wants)
check "ordered before, and wanting, network-pre.target (Before=$before, Wants=$wants)" \
	names_pre_target "$before" "$wants"
check "no DefaultInstance: enabling the template enables no instance" \
	test -z "$(key Install DefaultInstance)"

totals
