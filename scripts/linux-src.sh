#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of Debian's linux-source-6.12 tree, unpacked once into the
# cache (shared with selftests/vm/kernel.sh).

set -euo pipefail

cache=${TBR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tapbridge}
tarball=/usr/src/linux-source-6.12.tar.xz

if [ ! -f "$tarball" ]; then
	echo "linux-src.sh: $tarball missing (apt-get install linux-source-6.12)" >&2
	exit 1
fi
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
src=$cache/src/linux-source-$srcver
if [ ! -f "$src/.tbr-unpacked" ]; then
	echo "linux-src.sh: unpacking $tarball" >&2
	mkdir -p "$cache/src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.tbr-unpacked"
	mv "$src.tmp" "$src"
fi
echo "$src"
