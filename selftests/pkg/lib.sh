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
