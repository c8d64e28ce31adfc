#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of a program that runs virtme-ng:
#
#	vng=$(selftests/vm/vng.sh) && "$vng" --help
#
# Debian 12 has no virtme-ng package. When no `vng` is on PATH, fetch Debian
# 13's virtme-ng .deb (architecture all, pure Python) from the mirror the
# system already uses for bookworm and unpack it into the cache. apt runs
# with private sources, lists and cache directories, so the system's apt
# configuration and state are left untouched. Nothing is installed.

set -euo pipefail

cache=${TBR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tapbridge}
suite=trixie

if command -v vng >/dev/null 2>&1; then
	command -v vng
	exit 0
fi

print_cached() {
	local root

	# Newest unpacked version wins.
	root=$(find "$cache" -maxdepth 2 -path "$cache/vng-*/.tbr-done" 2>/dev/null |
	       sed 's,/\.tbr-done$,,' | sort -V | tail -n 1)
	[ -n "$root" ] || return 1
	echo "$root/tbr-vng"
}

print_cached && exit 0

mkdir -p "$cache"
exec 9>"$cache/.vng.lock"
flock 9
print_cached && exit 0

# shellcheck source=selftests/vm/debian.sh
. "$(dirname "$0")/debian.sh"
read -r uri key < <(debian_mirror bookworm) || true
if [ -z "${uri:-}" ]; then
	echo "vng.sh: no Debian bookworm entry found in the apt sources" >&2
	exit 1
fi

work=$cache/vng-apt
rm -rf "$work"
mkdir -p "$work/download"
debian_apt_init "$work" "deb [signed-by=$key] $uri $suite main"
log=$work/apt.log
echo "vng.sh: fetching virtme-ng from $suite (the Debian mirror of the apt sources)" >&2
if ! { debian_apt update &&
       (cd "$work/download" && debian_apt download virtme-ng); } \
	>"$log" 2>&1 </dev/null; then
	cat "$log" >&2
	echo "vng.sh: could not download virtme-ng" >&2
	exit 1
fi

deb=$(echo "$work"/download/virtme-ng_*_all.deb)
version=$(dpkg-deb -f "$deb" Version)
root=$cache/vng-$version
rm -rf "$root"
dpkg-deb -x "$deb" "$root"
# vng runs virtme-run and other helpers from PATH.
cat >"$root/tbr-vng" <<END
#!/bin/sh
export PYTHONPATH=$root/usr/lib/python3/dist-packages\${PYTHONPATH:+:\$PYTHONPATH}
export PATH=$root/usr/bin:\$PATH
exec /usr/bin/python3 $root/usr/bin/vng "\$@"
END
chmod +x "$root/tbr-vng"
touch "$root/.tbr-done"
rm -rf "$work"
print_cached
