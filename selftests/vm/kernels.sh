#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What `make check-kernels` runs: tapbridge on Debian's own kernels.
#
#   kernels.sh [KERNEL...]       every KERNEL (default: all, see below)
#   kernels.sh --fetch KERNEL    fetch and unpack it; print its directory
#
# KERNEL names a Debian kernel series; the newest package of it is used:
#
#   bookworm-6.1    Debian 12's stock kernel, linux-image-6.1.0-N-amd64
#   bookworm-6.12   Debian 12's 6.12, linux-image-6.12.N+deb12-amd64
#   trixie-6.12     Debian 13's stock kernel
#   backports       the newest kernel in trixie-backports
#
# For each one: linux-image (or linux-binary + linux-modules), linux-headers
# and linux-kbuild are downloaded with a private apt setup (debian.sh) and
# unpacked into ~/.cache/tapbridge/kernels/RELEASE_VERSION, never
# installed. The module is built against the headers with W=1, then with
# sparse. Debian builds trixie's kernels with gcc-14, and their kbuild
# helpers need trixie's glibc: those builds run in a minimal trixie chroot
# (debootstrap, cached in ~/.cache/tapbridge/trixie-build). Then the kernel
# boots under virtme-ng with its own modules (veth, 9p, e1000 load from
# the unpacked tree) and runs selftests/run_all.sh, as `make check` does on
# the test kernel: same KTAP, splat scans and rmmod. Stock kernels have no
# KUnit, which run_all.sh reports as skipped.
#
# The last line is `N passed, N failed, N skipped` over every kernel, after
# a `# totals: pass=P fail=F skip=S` line with the same numbers; the exit
# status is non-zero if anything failed. Logs: build/log/kernels-*.
#
# Every kernel is built against; by default the two ends of the range are
# booted: bookworm-6.1 (the oldest: the whole compat layer) with every
# kselftest, and backports (the newest) with the tests of what differs
# there from 6.12 ($newest_tests). Both 6.12 kernels are the release of
# the test kernel, which `make check` boots with lockdep. A boot with the
# whole suite costs 15 to 20 minutes under TCG on two cores; CI's budget
# has room for about one and a half.
#
# Environment:
#   TBR_KERNELS_BUILD_ONLY  kernels built against but not booted
#                           (default: bookworm-6.12 trixie-6.12; empty:
#                           boot them all)
#   TBR_KERNELS_TESTS       TBR_TESTS for every booted kernel (default:
#                           all, and $newest_tests on backports; empty:
#                           all everywhere)

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${TBR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tapbridge}
logdir=$top/build/log
all_kernels=(bookworm-6.1 bookworm-6.12 trixie-6.12 backports)
build_only=${TBR_KERNELS_BUILD_ONLY-bookworm-6.12 trixie-6.12}
# On the newest kernel: feature updates under the netdev ops lock (enslave,
# ethtool -K while enslaved, rx-all and its rollback), netns_immutable and
# the extack texts (refuse), IFF_NO_ADDRCONF (passive), the receive
# timestamp (egress), events and the family's unload (rmmod).
newest_tests="tapbridge_enslave.sh tapbridge_wire.sh tapbridge_rxall.sh"
newest_tests+=" tapbridge_refuse.sh tapbridge_passive.sh tapbridge_egress.sh"
newest_tests+=" tapbridge_events.sh tapbridge_forward.sh tapbridge_rmmod.sh"

# shellcheck source=selftests/vm/debian.sh
. "$here/debian.sh"

# shellcheck source=selftests/vm/tally.sh
. "$here/tally.sh"

# Show the end of log $1, indented under the test it explains.
show_log() {
	grep -vE '^  [A-Z_]+ +(\[M\] +)?[^ ]+$|^make(\[[0-9]+\])?: (Entering|Leaving) directory' "$1" |
		tail -n "${2:-20}" | sed 's/^/#   /'
	info "full log: ${1#"$top"/}"
}

# --- Packages ---------------------------------------------------------------

# The private apt: the system's bookworm suites as they are, and trixie
# and trixie-backports from the mirror of its bookworm entry.
apt_setup() {
	local uri key suite lines=()

	[ -n "${apt_ready:-}" ] && return 0
	while read -r uri suite key; do
		[[ $suite == bookworm* ]] &&
			lines+=("deb [signed-by=$key] $uri $suite main")
	done < <(debian_sources)
	read -r uri key < <(debian_mirror bookworm) || true
	if [ -z "${uri:-}" ]; then
		echo "kernels.sh: no Debian bookworm entry found in the apt sources" >&2
		return 1
	fi
	for suite in trixie trixie-backports; do
		lines+=("deb [signed-by=$key] $uri $suite main")
	done
	mkdir -p "$cache/kernels"
	debian_apt_init "$cache/kernels/apt" "${lines[@]}"
	if ! debian_apt update >"$cache/kernels/apt/update.log" 2>&1 </dev/null; then
		tail -n 20 "$cache/kernels/apt/update.log" >&2
		echo "kernels.sh: apt-get update failed" >&2
		return 1
	fi
	apt_ready=1
}

# The image package of the newest kernel of series $1.
image_package() {
	local re

	case "$1" in
	bookworm-6.1) re='6\.1\.0-[0-9]+-amd64' ;;
	bookworm-6.12) re='6\.12\.[0-9]+\+deb12-amd64' ;;
	trixie-6.12) re='6\.12\.[0-9]+\+deb13-amd64' ;;
	backports) re='[0-9.]+\+deb13-amd64' ;;
	*) echo "kernels.sh: unknown kernel $1 (known: ${all_kernels[*]})" >&2
	   return 1 ;;
	esac
	# Signed and unsigned images hold the same kernel; either will do.
	apt-cache "${debian_apt_opts[@]}" pkgnames linux-image- |
		grep -E "^linux-image-$re(-unsigned)?\$" |
		sed -E 's/^linux-image-(.*)$/\1 &/; s/^(.*)-unsigned /\1 /' |
		sort -V -k1,1 | tail -n 1 | cut -d' ' -f2
}

# The linux-* packages that package $1 depends on, by name: headers
# common, kbuild, and from Linux 7.3 on, the image's binary and modules.
kernel_deps() {
	apt-cache "${debian_apt_opts[@]}" show --no-all-versions "$1" |
		sed -n 's/^Depends: //p' | tr ',|' '\n' |
		sed -E 's/^ *([^ ]+).*/\1/' |
		grep -E '^linux-(headers|kbuild|binary|modules|base)-[0-9]'
}

# Fetch and unpack the kernel of series $1; print its directory.
fetch() {
	local image release version dir tmp pkgs deb

	apt_setup || return 1
	image=$(image_package "$1") || return 1
	if [ -z "$image" ]; then
		echo "kernels.sh: no package for $1 in the Debian archive" >&2
		return 1
	fi
	release=${image#linux-image-}
	release=${release%-unsigned}
	version=$(apt-cache "${debian_apt_opts[@]}" show --no-all-versions "$image" |
		  sed -n 's/^Version: //p')
	dir=$cache/kernels/${release}_$version
	if [ -f "$dir/.tbr-done" ]; then
		echo "$dir"
		return 0
	fi

	exec 9>"$cache/kernels/.fetch.lock"
	flock 9
	if [ ! -f "$dir/.tbr-done" ]; then
		echo "kernels.sh: fetching $image $version" >&2
		rm -rf "$dir"
		tmp=$dir/debs
		mkdir -p "$tmp"
		mapfile -t pkgs < <({
			echo "$image"
			echo "linux-headers-$release"
			kernel_deps "$image"
			kernel_deps "linux-headers-$release"
		} | sort -u)
		if ! (cd "$tmp" && debian_apt download "${pkgs[@]}") \
			>"$dir/fetch.log" 2>&1 </dev/null; then
			tail -n 20 "$dir/fetch.log" >&2
			echo "kernels.sh: could not download ${pkgs[*]}" >&2
			return 1
		fi
		for deb in "$tmp"/*.deb; do
			dpkg-deb -x "$deb" "$dir/root" || return 1
		done
		rm -rf "$tmp"
		unpacked "$dir" "$release" || return 1
		echo "$release" >"$dir/release"
		touch "$dir/.tbr-done"
	fi
	flock -u 9
	echo "$dir"
}

# Make the unpacked tree $1 of release $2 usable from where it is.
unpacked() {
	local root=$1/root release=$2 hdr

	# virtme-ng looks for the modules in ROOT/lib/modules; merged-/usr
	# packages (trixie) have them in ROOT/usr/lib/modules.
	[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
	# Debian ships no modules.dep.
	depmod -b "$root" "$release" || return 1
	# The headers' Makefile includes the common headers by absolute path.
	hdr=$root/usr/src/linux-headers-$release
	sed -i "s,/usr/src/,$root/usr/src/,g" "$hdr/Makefile"
}

kernel_image() {
	local root=$1/root release=$2 f

	for f in "$root/boot/vmlinuz-$release" "$root/usr/lib/modules/$release/vmlinuz"; do
		[ -f "$f" ] && echo "$f" && return 0
	done
	return 1
}

# --- Building ---------------------------------------------------------------

# A trixie root with Debian 13's compiler, for trixie's kernels.
trixie_root() {
	local root=$cache/trixie-build uri key

	[ -f "$root/.tbr-done" ] && echo "$root" && return 0
	exec 8>"$cache/.trixie-build.lock"
	flock 8
	if [ ! -f "$root/.tbr-done" ]; then
		read -r uri key < <(debian_mirror bookworm) || return 1
		echo "kernels.sh: debootstrap trixie into $root (about 2 min)" >&2
		rm -rf "$root"
		if ! debootstrap --variant=minbase --keyring="$key" \
			--include=gcc-14,make,libelf1t64,libssl3t64,zlib1g,pahole,sparse \
			trixie "$root" "$uri" >"$cache/trixie-build.log" 2>&1 </dev/null; then
			tail -n 20 "$cache/trixie-build.log" >&2
			echo "kernels.sh: debootstrap failed (log: $cache/trixie-build.log)" >&2
			return 1
		fi
		touch "$root/.tbr-done"
	fi
	flock -u 8
	echo "$root"
}

# in_root ROOT CMD...: run CMD in chroot ROOT (or here if ROOT is /), with
# the repo and the kernel cache at their own paths.
in_root() {
	local root=$1

	shift
	if [ "$root" = / ]; then
		"$@"
		return
	fi
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m bash -c '
		set -e
		root=$1
		shift
		for d in "$TBR_TOP" "$TBR_KERNELS" /dev /proc; do
			mkdir -p "$root$d"
			mount --rbind "$d" "$root$d"
		done
		exec chroot "$root" "$@"' in_root "$root" "$@"
}

# The root whose compiler built kernel headers $1: the host or trixie's.
build_root() {
	local gcc

	gcc=$(sed -nE 's/^CC = .*(gcc-[0-9]+).*/\1/p' "$1/.kernelvariables")
	if [ -z "$gcc" ] || command -v "x86_64-linux-gnu-$gcc" >/dev/null; then
		echo /
	else
		trixie_root
	fi
}

# Build the module against kernel $2 (release $3) in $1: W=1, then sparse.
build() {
	local out=$1 dir=$2 release=$3 hdr root log

	hdr=$dir/root/usr/src/linux-headers-$release
	if ! root=$(build_root "$hdr"); then
		not_ok "$release: module builds with W=1 # no compiler for it"
		return 1
	fi
	rm -rf "$out"
	mkdir -p "$out"
	rsync -a --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' --exclude '*.mod*' \
		"$top/Kbuild" "$top/kmod" "$top/uapi" "$out/"
	export TBR_TOP=$top TBR_KERNELS=$cache/kernels

	log=$logdir/kernels-$release-w1.log
	if ! in_root "$root" make -C "$hdr" M="$out" W=1 modules >"$log" 2>&1; then
		not_ok "$release: module builds with W=1"
		show_log "$log"
		return 1
	fi
	if warnings "$log" "$out"; then
		ok "$release: module builds with W=1 without warnings"
	else
		not_ok "$release: module builds with W=1 without warnings"
	fi

	# C=2: sparse on every file, built or not.
	log=$logdir/kernels-$release-sparse.log
	in_root "$root" make -C "$hdr" M="$out" W=1 C=2 CHECK=sparse modules >"$log" 2>&1
	if grep -q 'is not available or not up to date' "$log"; then
		# Debian's sparse (0.6.4) cannot parse __typeof_unqual__.
		skipped "$release: sparse reports nothing on kmod/" \
			"this kernel's kbuild refuses Debian's sparse"
	elif warnings "$log" "$out"; then
		ok "$release: sparse reports nothing on kmod/"
	else
		not_ok "$release: sparse reports nothing on kmod/"
	fi
	return 0
}

# Pass when build log $1 (of a build in $2) has no warning or error.
warnings() {
	local bad

	bad=$(grep -E '(warning|error):|^WARNING:|^ERROR:' "$1" | sed "s,$2/,,g")
	[ -z "$bad" ] && return 0
	head -n 30 <<<"$bad" | sed 's/^/#   /'
	info "full log: ${1#"$top"/}"
	return 1
}

# --- Booting ------------------------------------------------------------------

# Boot kernel $4 (release $3, unpacked in $2) with the module built in $1.
boot() {
	local out=$1 dir=$2 release=$3 tests kimg hdr log rc start

	if [ "$4" = backports ]; then
		tests=${TBR_KERNELS_TESTS-$newest_tests}
	else
		tests=${TBR_KERNELS_TESTS-}
	fi

	hdr=$dir/root/usr/src/linux-headers-$release
	if ! kimg=$(kernel_image "$dir" "$release"); then
		not_ok "$release: selftests in the VM # no kernel image in $dir"
		return
	fi
	log=$logdir/kernels-$release-vm
	info "$release: selftests in the VM (console: ${log#"$top"/}.log, output: ${log#"$top"/}-out.txt)"
	start=$(date +%s)
	# The guest gets no environment from here: TBR_TESTS goes in the command.
	KDIR=$hdr TBR_VM_KIMG=$kimg TBR_VM_RELEASE=$release TBR_MODULE_DIR=$out/kmod \
		TBR_VM_LOG=$log.log \
		"$here/run.sh" --check "TBR_TESTS='$tests' bash selftests/run_all.sh" \
		</dev/null | tee "$log.out"
	rc=${PIPESTATUS[0]}
	info "$release: VM run took $(($(date +%s) - start))s"
	add_run_totals "$log.out" "$release: selftests in the VM" "$rc"
}

# --- Main ---------------------------------------------------------------------

if [ "${1:-}" = --fetch ]; then
	[ "$#" -eq 2 ] || { echo "usage: $0 --fetch KERNEL" >&2; exit 2; }
	fetch "$2"
	exit
fi

kernels=("$@")
[ "${#kernels[@]}" -gt 0 ] || kernels=("${all_kernels[@]}")
mkdir -p "$logdir"
cd "$top" || exit 1

if ! "$top/scripts/deps.sh" || ! make -s -C tools/taptool >"$logdir/taptool.log" 2>&1; then
	not_ok "dependencies and taptool"
	kernels=()
fi

for kernel in "${kernels[@]}"; do
	if ! dir=$(fetch "$kernel" 2>"$logdir/kernels-$kernel-fetch.log"); then
		not_ok "$kernel: fetch its Debian packages"
		show_log "$logdir/kernels-$kernel-fetch.log"
		continue
	fi
	release=$(cat "$dir/release")
	info "$kernel: $release ($(basename "$dir" | cut -d_ -f2))"
	out=$top/build/kernels/$release
	build "$out" "$dir" "$release" || continue
	if [[ " $build_only " == *" $kernel "* ]]; then
		info "$kernel: built against, not booted (TBR_KERNELS_BUILD_ONLY)"
		continue
	fi
	boot "$out" "$dir" "$release" "$kernel"
done

echo "# totals: pass=$pass fail=$fail skip=$skip"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
