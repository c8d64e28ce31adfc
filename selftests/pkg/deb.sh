#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, built and installed as an operator would:
#
#   selftests/pkg/deb.sh
#
# 1. `make deb` builds tapbridge-dkms and taptool, at the version of
#    debian/changelog; lintian finds no error and no warning (and every
#    override in debian/ carries a comment that gives its reason).
# 2. Both are installed with dpkg into a clean Debian 12 root
#    (selftests/pkg/debroot.sh: debootstrap --variant=minbase, cached)
#    that has only their dependencies: the postinst registers the source
#    with DKMS. With TBR_PKG_POSTINST_BUILD=1 the root also has a Debian
#    6.12 kernel's headers, and the postinst must build and install the
#    module for it there (a minute or two more; selftests/pkg/dkms.sh
#    builds the same installed source against every kernel anyway). The
#    installed /usr/src tree is the checkout's module source; the
#    installed taptool prints its version and usage, and says the module
#    is missing (the host cannot load modules); the systemd unit is
#    installed and no instance of it enabled.
# 3. Purging both removes what DKMS has of tapbridge, and the files.
#
# For the tests that follow, the installed source tree is copied to
# build/pkg/deb-src (selftests/pkg/dkms.sh builds it against every kernel)
# and the installed taptool to build/pkg/installed/ (the autoload test in
# the VM runs it).

. "$(dirname "$0")/lib.sh"

debdir=$top/build/deb
root=$pkgdir/root
# The Debian kernel whose headers go into the root, for the postinst to
# build against.
headers=
[ "${TBR_PKG_POSTINST_BUILD:-0}" = 1 ] && headers=linux-headers-6.12-amd64
trap 'remove_tree "$root"; remove_tree "$root.rw"' EXIT

start=$(date +%s)
if ! logged make-deb make -C "$top" deb; then
	not_ok "make deb"
	totals
	exit
fi
debs=("$debdir/tapbridge-dkms_${version}_all.deb" "$debdir"/taptool_"${version}"_*.deb)
if [ -f "${debs[0]}" ] && [ -f "${debs[1]}" ]; then
	ok "make deb builds tapbridge-dkms and taptool $version in $(($(date +%s) - start)) s"
else
	not_ok "make deb builds tapbridge-dkms and taptool $version"
	ls "$debdir" | diag
	totals
	exit
fi
for deb in "${debs[@]}"; do
	echo "# ${deb##*/}: $(stat -c %s "$deb") bytes, installed $(dpkg-deb -f "$deb" Installed-Size) KiB"
done

# --- lintian -------------------------------------------------------------------

changes=$(ls "$debdir"/tapbridge_"${version}"_*.changes)
# Info and pedantic tags are shown, only errors and warnings fail.
lintian --fail-on error,warning --info --display-info --pedantic \
	--show-overrides "$changes" >"$logdir/lintian.log" 2>&1
rc=$?
grep -v '^running with root privileges' "$logdir/lintian.log" >"$logdir/lintian.tags"
check "lintian: no error or warning ($(grep -c '^[EW]:' "$logdir/lintian.tags") E/W tags, $(grep -c '^[IPXO]:' "$logdir/lintian.tags") other, exit $rc)" \
	test "$rc" -eq 0
grep -E '^[A-Z]:' "$logdir/lintian.tags" | head -n 20 | diag

# An override without a reason hides a problem: each must follow a comment.
bare=$(awk 'FNR == 1 { c = 0 } /^#/ { c = 1; next } /^[ \t]*$/ { next }
	    { if (!c) print FILENAME ": " $0; c = 0 }' \
	$(find "$top/debian" -name '*lintian-overrides') /dev/null)
check "every lintian override in debian/ has a comment that gives its reason" test -z "$bare"
[ -z "$bare" ] || diag <<<"$bare"

# --- Install into a clean root -----------------------------------------------------

# The packages' own dependencies, as dpkg will check them, and the headers.
deps=$(for deb in "${debs[@]}"; do dpkg-deb -f "$deb" Depends; done |
       tr ',' '\n' | sed -E 's/\(.*\)//; s/\|.*//; s/ //g' | grep -vE '^(tapbridge-dkms|taptool)?$' |
       sort -u)
start=$(date +%s)
# shellcheck disable=SC2086 # one package name a word
if ! logged debroot "$pkg_here/debroot.sh" "$root" $deps $headers; then
	not_ok "a clean Debian 12 root with the dependencies ($(tr "\n" " " <<<"$deps" | sed "s/ $//")${headers:+ $headers})"
	totals
	exit
fi
ok "a clean Debian 12 root with the dependencies ($(tr "\n" " " <<<"$deps" | sed "s/ $//")${headers:+ $headers}) in $(($(date +%s) - start)) s"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
start=$(date +%s)
if logged dpkg-install in_root "$root" sh -c 'dpkg -i /tmp/debs/*.deb'; then
	ok "dpkg -i tapbridge-dkms taptool in the clean root ($(($(date +%s) - start)) s)"
else
	not_ok "dpkg -i tapbridge-dkms taptool in the clean root"
fi
status=$(chroot "$root" dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n' tapbridge-dkms taptool 2>&1)
check "dpkg: both installed at $version" test "$status" = "tapbridge-dkms $version ii 
taptool $version ii "
[ "$status" = "tapbridge-dkms $version ii 
taptool $version ii " ] || diag <<<"$status"

# The postinst: DKMS has the source, and with headers, built the module.
dkms_status=$(in_root "$root" dkms status tapbridge 2>&1)
if [ -z "$headers" ]; then
	check "postinst: DKMS has tapbridge/$version added ($dkms_status)" \
		test "$dkms_status" = "tapbridge/$version: added"
else
	krel=$(basename "$(ls -d "$root"/usr/src/linux-headers-*-amd64 | tail -n 1)")
	krel=${krel#linux-headers-}
	ko=$(find "$root/lib/modules/$krel" -name 'tapbridge.ko*' 2>/dev/null | head -n 1)
	if [ -n "$ko" ] && grep -q "tapbridge/$version, $krel, x86_64: installed" <<<"$dkms_status" &&
	   [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$krel" ]; then
		ok "postinst: DKMS built and installed tapbridge for $krel (${ko#"$root"/})"
	else
		not_ok "postinst: DKMS built and installed tapbridge for $krel"
		diag <<<"$dkms_status"
		grep -iE 'error|fail' "$logdir/dpkg-install.log" | head -n 10 | diag
	fi
fi

# The source tree installed is the checkout's module source.
src=$root/usr/src/tapbridge-$version
want=$(cd "$top" && { git ls-files Kbuild kmod uapi/linux 2>/dev/null ||
			find Kbuild kmod uapi/linux -type f; } | LC_ALL=C sort)
got=$(cd "$src" && find . -type f ! -name dkms.conf | sed 's,^\./,,' | LC_ALL=C sort)
differ=()
for f in $want; do
	cmp -s "$top/$f" "$src/$f" || differ+=("$f")
done
if [ "$want" = "$got" ] && [ "${#differ[@]}" -eq 0 ] &&
   sed "s/#MODULE_VERSION#/$version/" "$top/dkms.conf" | cmp -s - "$src/dkms.conf"; then
	ok "/usr/src/tapbridge-$version holds the checkout's $(wc -l <<<"$want") module files and its dkms.conf"
else
	not_ok "/usr/src/tapbridge-$version holds the checkout's module files and dkms.conf"
	diff <(echo "$want") <(echo "$got") | diag
	[ "${#differ[@]}" -eq 0 ] || echo "#   differ: ${differ[*]}"
fi
rm -rf "$pkgdir/deb-src" "$pkgdir/installed"
cp -a "$src" "$pkgdir/deb-src"
install -D "$root/usr/sbin/taptool" "$pkgdir/installed/usr/sbin/taptool"

# The installed taptool, run from the root's files.
got=$(chroot "$root" taptool -V 2>&1 | head -n 1)
check "installed taptool -V: $got" test "$got" = "taptool $version"
out=$(chroot "$root" taptool help 2>&1)
rc=$?
missing=()
while read -r cmd; do
	grep -qE "^  taptool $cmd( |\$)" <<<"$out" || missing+=("$cmd")
done < <(grep -oE '^  taptool [a-z-]+' <<<"$("$top/tools/taptool/taptool" help 2>/dev/null || true)" |
	 awk '{ print $2 }' | sort -u)
check "installed taptool help: exit $rc, every command${missing:+ (missing: ${missing[*]})}" \
	test "$rc" -eq 0 -a "${#missing[@]}" -eq 0 -a -n "$out"
out=$(chroot "$root" taptool show 2>&1)
rc=$?
check "installed taptool show without the module: exit $rc, \"$out\"" \
	test "$rc" -eq 1 -a "$out" = "Error: the tapbridge kernel module is not loaded (modprobe tapbridge)"
missing=()
for f in usr/share/man/man8/taptool.8.gz usr/share/man/man4/tapbridge.4.gz \
	 usr/share/bash-completion/completions/taptool; do
	[ -s "$root/$f" ] || missing+=("$f")
done
check "the packages install both manual pages and the completion${missing:+ (missing: ${missing[*]})}" \
	test "${#missing[@]}" -eq 0
# The unit comes with taptool, and enables no instance of itself.
enabled=$(find "$root/etc/systemd/system" -name 'tapbridge@*' 2>/dev/null)
if cmp -s "$top/systemd/tapbridge@.service" "$root/lib/systemd/system/tapbridge@.service" &&
   [ -z "$enabled" ]; then
	ok "taptool installs lib/systemd/system/tapbridge@.service and enables no instance"
else
	not_ok "taptool installs lib/systemd/system/tapbridge@.service and enables no instance"
	echo "#   enabled: ${enabled:-none}"
fi

# --- Purge -------------------------------------------------------------------------

if logged dpkg-purge in_root "$root" dpkg --purge tapbridge-dkms taptool &&
   [ -z "$(find "$root/lib/modules" -name "tapbridge.ko*" 2>/dev/null)" ] &&
   [ ! -e "$src" ] && [ ! -e "$root/var/lib/dkms/tapbridge" ] &&
   [ ! -e "$root/usr/sbin/taptool" ]; then
	ok "dpkg --purge removes the module DKMS built, the source and taptool"
else
	not_ok "dpkg --purge removes the module DKMS built, the source and taptool"
	find "$root/lib/modules" -name "tapbridge.ko*" 2>/dev/null | diag
fi

totals
