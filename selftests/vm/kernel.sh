#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the tapbridge test kernel and print its build directory.
#
# The kernel comes from Debian's linux-source-6.12 package: tinyconfig plus
# selftests/vm/kernel.config. The result is cached outside the clone, keyed
# by the source package version and the fragment's hash, so every clone and
# CI run on this machine reuses it.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${TBR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tapbridge}
tarball=/usr/src/linux-source-6.12.tar.xz
fragment=$here/kernel.config

if [ ! -f "$tarball" ]; then
	echo "kernel.sh: $tarball missing (apt-get install linux-source-6.12)" >&2
	exit 1
fi

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$(sha256sum <"$fragment" | cut -c1-12)
out=$cache/kernel-$srcver-$key

if [ -f "$out/.tbr-done" ]; then
	echo "$out"
	exit 0
fi

# One build at a time: a second caller waits, then finds it done.
mkdir -p "$cache"
exec 9>"$cache/.kernel.lock"
flock 9
if [ -f "$out/.tbr-done" ]; then
	echo "$out"
	exit 0
fi

src=$("$here/../../scripts/linux-src.sh")

echo "kernel.sh: building test kernel in $out (about 10-15 min on 2 cores)" >&2
rm -rf "$out"
mkdir -p "$out"
make -C "$src" O="$out" tinyconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" >&2
make -C "$src" O="$out" olddefconfig >&2

# Every option of the fragment must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}
		grep -q "^$opt=" "$out/.config" && { echo "kernel.sh: $opt still set" >&2; missing=1; } ;;
	CONFIG_*) grep -qx "$line" "$out/.config" || { echo "kernel.sh: $line not in .config" >&2; missing=1; } ;;
	esac
done < "$fragment"
[ "$missing" -eq 0 ] || exit 1

make -C "$src" O="$out" -j"$(nproc)" bzImage modules >&2
make -C "$src" O="$out" modules_prepare >&2
touch "$out/.tbr-done"
echo "$out"
