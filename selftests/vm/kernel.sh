#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) a tapbridge test kernel and print its build directory:
#
#   kernel.sh           the test kernel: tinyconfig + kernel.config
#   kernel.sh --debug   the debug kernel of `make stress`: the same, with
#                       debug.config (KASAN, kmemleak, fault injection)
#                       merged on top
#   kernel.sh --bench   the bench kernel of `make bench`: the same, with
#                       bench.config merged on top, which turns the
#                       checkers of kernel.config off (lockdep, PROVE_RCU,
#                       DEBUG_OBJECTS, reference trackers)
#
# The kernel comes from Debian's linux-source-6.12 package. The result is
# cached outside the clone, keyed by the source package version and the
# hash of the fragments, so every clone and CI run on this machine reuses
# it.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${TBR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tapbridge}
tarball=/usr/src/linux-source-6.12.tar.xz
fragments=("$here/kernel.config")
what="test kernel"
minutes=10-15
# Options that must not be in the kernel, fragments or not: what the
# bench kernel leaves out, checked on the final .config (a select or a
# default could bring one back where no fragment names it).
forbidden=
case "${1:-}" in
"") ;;
--debug)
	fragments+=("$here/debug.config")
	what="debug test kernel"
	minutes=15-25
	;;
--bench)
	fragments+=("$here/bench.config")
	what="bench kernel"
	forbidden='LOCKDEP|PROVE_[A-Z_]+|DEBUG_LOCK_ALLOC|DEBUG_OBJECTS[A-Z_]*'
	forbidden+='|[A-Z_]*REF(CNT)?_TRACKER|KASAN|DEBUG_KMEMLEAK|DEBUG_LIST'
	forbidden+='|DEBUG_ATOMIC_SLEEP|DEBUG_(SPINLOCK|MUTEXES|RWSEMS)|DEBUG_NET'
	forbidden+='|KFENCE|UBSAN|KCSAN|DEBUG_PAGEALLOC|SLUB_DEBUG_ON'
	;;
*)
	echo "usage: $0 [--debug|--bench]" >&2
	exit 2
	;;
esac

if [ ! -f "$tarball" ]; then
	echo "kernel.sh: $tarball missing (apt-get install linux-source-6.12)" >&2
	exit 1
fi

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
# With kernel.config alone this is the hash of that file, as it always was.
key=$(cat "${fragments[@]}" | sha256sum | cut -c1-12)
out=$cache/kernel-$srcver-$key

if [ -f "$out/.tbr-done" ]; then
	echo "$out"
	exit 0
fi

# One build of each kernel at a time: a second caller for the same kernel
# waits, then finds it done; builds of different kernels do not wait for
# each other.
mkdir -p "$cache"
exec 9>"$cache/.kernel-$srcver-$key.lock"
flock 9
if [ -f "$out/.tbr-done" ]; then
	echo "$out"
	exit 0
fi

src=$("$here/../../scripts/linux-src.sh")

echo "kernel.sh: building the $what in $out (about $minutes min on 2 cores)" >&2
rm -rf "$out"
mkdir -p "$out"
make -C "$src" O="$out" tinyconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >&2
make -C "$src" O="$out" olddefconfig >&2

# Every option of the fragments must have survived olddefconfig, with the
# value of the last fragment that sets it.
declare -A want=()
while IFS= read -r line; do
	[[ $line == CONFIG_* ]] && want[${line%%=*}]=$line
done < <(cat "${fragments[@]}")
missing=0
for opt in "${!want[@]}"; do
	line=${want[$opt]}
	case "$line" in
	CONFIG_*=n) grep -q "^$opt=" "$out/.config" && { echo "kernel.sh: $opt still set" >&2; missing=1; } ;;
	*) grep -qx "$line" "$out/.config" || { echo "kernel.sh: $line not in .config" >&2; missing=1; } ;;
	esac
done
if [ -n "$forbidden" ] &&
   grep -E "^CONFIG_($forbidden)=" "$out/.config" >&2; then
	echo "kernel.sh: the $what must not have the options above" >&2
	missing=1
fi
[ "$missing" -eq 0 ] || exit 1

make -C "$src" O="$out" -j"$(nproc)" bzImage modules >&2
make -C "$src" O="$out" modules_prepare >&2
touch "$out/.tbr-done"
echo "$out"
