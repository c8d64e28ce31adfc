# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the packaging tests (sourced). Each test script prints KTAP
# lines and ends with `# totals: pass=P fail=F skip=S`.

set -u

pkg_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$pkg_here/../.." && pwd)
# Everything the tests make, and the logs of the commands they run.
pkgdir=${TBR_PKG_DIR:-$top/build/pkg}
logdir=$pkgdir/log
cache=${TBR_CACHE:-$HOME/.cache/tapbridge}
version=$("$top/scripts/version.sh")

mkdir -p "$logdir"

PASS=0
FAIL=0
SKIP=0
NTEST=0

ok() {
	NTEST=$((NTEST + 1))
	PASS=$((PASS + 1))
	echo "ok $NTEST $*"
}

not_ok() {
	NTEST=$((NTEST + 1))
	FAIL=$((FAIL + 1))
	echo "not ok $NTEST $*"
}

skip() {
	NTEST=$((NTEST + 1))
	SKIP=$((SKIP + 1))
	echo "ok $NTEST $1 # SKIP ${2:-}"
}

# check DESCRIPTION CMD...: one test, passing when CMD exits 0.
check() {
	local desc=$1

	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

diag() {
	sed 's/^/#   /'
}

# logged NAME CMD...: CMD's output to $logdir/NAME.log; on failure, its
# tail as diagnostics.
logged() {
	local name=$1

	shift
	if "$@" >"$logdir/$name.log" 2>&1; then
		return 0
	fi
	tail -n 15 "$logdir/$name.log" | diag
	echo "#   (full log: ${logdir#"$top"/}/$name.log)"
	return 1
}

totals() {
	echo "# totals: pass=$PASS fail=$FAIL skip=$SKIP"
	[ "$FAIL" -eq 0 ]
}

# mounts_under DIR: mount points at or below DIR, deepest first.
mounts_under() {
	local dir

	dir=$(realpath -m "$1")
	awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts |
		sort -r
}

# remove_tree DIR: unmount whatever is still mounted below DIR (a test
# that died in a chroot), then delete it. Never deletes through a mount.
remove_tree() {
	local m

	for m in $(mounts_under "$1"); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	if [ -n "$(mounts_under "$1")" ]; then
		echo "refusing to delete $1: something is still mounted below it" >&2
		return 1
	fi
	rm -rf --one-file-system "$1"
}

# in_root ROOT CMD...: CMD chrooted into ROOT, with /proc mounted there
# for its duration (maintainer scripts and dkms read it). The root's /dev
# is debootstrap's own device nodes.
in_root() {
	local root=$1 rc

	shift
	mount -t proc proc "$root/proc" || return
	chroot "$root" "$@"
	rc=$?
	umount "$root/proc" || umount -l "$root/proc"
	return "$rc"
}
