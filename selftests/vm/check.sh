#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What `make check` runs (and, in parts, `make lint` and `make vm-run`):
#
#   check.sh           deps, test kernel, lint (W=1 build, sparse,
#                      checkpatch), ynl-regen --check, taptool and its host
#                      tests, the packaging tests (selftests/pkg), then
#                      selftests/run_all.sh in one VM boot
#   check.sh --lint    deps, test kernel, lint only
#   check.sh --build   deps, test kernel, module against it, taptool: what
#                      a VM run needs; no tests
#   check.sh --stress  deps, debug kernel (kernel.sh --debug), then in one
#                      boot of it with panic_on_warn: run_all.sh --stress
#                      (the selftests, then the stress tests; with
#                      TBR_STRESS_SUITE=none the stress tests only,
#                      TBR_STRESS_CYCLES lifecycle cycles), from a copy
#                      of the checkout under /var/tmp
#
# Each host check is one test here; taptool's host tests and the VM's
# selftests report `# totals: pass=P fail=F skip=S`, which are added in.
# The last line of output is `N passed, N failed, N skipped`; the exit
# status is non-zero if anything failed. Full logs are in build/log/.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
logdir=$top/build/log
mode=${1:---check}

# shellcheck source=selftests/vm/tally.sh
. "$here/tally.sh"

mkdir -p "$logdir"
cd "$top" || exit 1

finish() {
	if [ "$mode" != --build ]; then
		# The tier's totals, for .ci/run to add up, then the summary.
		echo "# totals: pass=$pass fail=$fail skip=$skip"
		echo "$pass passed, $fail failed, $skip skipped"
	fi
	[ "$fail" -eq 0 ]
	exit
}

# run LOGNAME CMD...: output to build/log/LOGNAME.log.
run() {
	local name=$1

	shift
	"$@" >"$logdir/$name.log" 2>&1
}

# Diagnostic lines, indented under the test they explain.
indent() {
	sed 's/^/#   /'
}

show_log_tail() {
	tail -n "${2:-30}" "$logdir/$1.log" | indent
	info "full log: build/log/$1.log"
}

# --- Dependencies and the test kernel --------------------------------------

# A checkout the VM cannot see fails now, not after the kernel build.
if [ "$mode" != --lint ] && ! "$here/run.sh" --preflight; then
	not_ok "the test VM can share the checkout"
	finish
fi

if ! "$top/scripts/deps.sh"; then
	not_ok "install build and test dependencies"
	finish
fi

# kernel.sh says on stderr when it builds; show that on our stdout (fd 3:
# the command substitution captures only the path), log the rest.
exec 3>&1
kernel=()
[ "$mode" = --stress ] && kernel=(--debug)
if ! kdir=$("$here/kernel.sh" "${kernel[@]}" 2> >(tee "$logdir/kernel.log" |
				   grep --line-buffered '^kernel.sh:' |
				   sed 's/^/# /' >&3)) || [ ! -d "$kdir" ]; then
	not_ok "build the test kernel${kernel:+ (${kernel[*]})}"
	show_log_tail kernel
	finish
fi
src=$("$top/scripts/linux-src.sh")

# --- Lint --------------------------------------------------------------------

# Generated files: warnings there are reported but do not fail the lint.
generated='kmod/netlink-gen\.[ch]'

# Lines of a kbuild log that are neither progress nor directory changes.
kbuild_noise() {
	grep -vE '^  [A-Z_]+ +(\[M\] +)?[^ ]+$|^make(\[[0-9]+\])?: (Entering|Leaving) directory'
}

# lint_result NAME DESCRIPTION LOGNAME: pass when the log has no warning
# outside generated files.
lint_result() {
	local desc=$1 name=$2 out bad

	out=$(kbuild_noise <"$logdir/$name.log" | sed "s,$lintdir/,,g")
	bad=$(grep -E '(warning|error):|^WARNING:|^ERROR:' <<<"$out" | grep -vE "$generated")
	if [ -n "$out" ] && [ -z "$bad" ]; then
		info "allowed in generated code:"
		head -n 20 <<<"$out" | indent
	fi
	if [ -n "$bad" ]; then
		not_ok "$desc"
		head -n 30 <<<"$out" | indent
		info "full log: build/log/$name.log"
	else
		ok "$desc"
	fi
}

lint() {
	local files=() f

	# The lint build runs on a fresh copy of the sources, so that every
	# file is compiled (warnings only show when a file is compiled) and
	# the module in kmod/, which a VM run may be loading, is left alone.
	lintdir=$top/build/lint
	rm -rf "$lintdir"
	mkdir -p "$lintdir"
	rsync -a --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' --exclude '*.mod*' \
		Kbuild kmod uapi "$lintdir/"
	if ! run lint-w1 make -C "$kdir" M="$lintdir" W=1 modules; then
		not_ok "module builds with W=1"
		kbuild_noise <"$logdir/lint-w1.log" | sed "s,$lintdir/,,g" |
			head -n 40 | indent
		info "full log: build/log/lint-w1.log"
		return 1
	fi
	lint_result "module builds with W=1 without warnings" lint-w1
	# C=2: run sparse on every file, build or not.
	run lint-sparse make -C "$kdir" M="$lintdir" W=1 C=2 CHECK=sparse modules
	lint_result "sparse reports nothing on kmod/" lint-sparse

	for f in kmod/*.c kmod/*.h; do
		[[ $f =~ $generated|\.mod\.c$ ]] || files+=("$f")
	done
	run checkpatch perl "$src/scripts/checkpatch.pl" --strict --no-tree \
		--terse --show-types --no-summary -f "${files[@]}"
	if grep -qE ': (ERROR|WARNING|CHECK):' "$logdir/checkpatch.log"; then
		not_ok "checkpatch.pl --strict on kmod/"
		head -n 30 "$logdir/checkpatch.log" | indent
		info "full log: build/log/checkpatch.log"
	else
		ok "checkpatch.pl --strict on kmod/"
	fi
}

# Builds in kmod/ itself, where `make vm-run` from another shell may be
# building too: one at a time.
build_module() {
	if run module flock "$top/build/.module.lock" \
		make -C "$kdir" M="$top" W=1 modules; then
		return 0
	fi
	not_ok "build kmod/tapbridge.ko for the test kernel"
	show_log_tail module
	return 1
}

build_taptool() {
	if run taptool make -C tools/taptool; then
		return 0
	fi
	not_ok "build taptool"
	show_log_tail taptool
	return 1
}

# The selftests and the stress tests on the debug kernel. They run from
# a copy of the checkout under /var/tmp, which virtme-ng hides behind a
# tmpfs: the run also shows that a checkout there works.
stress_copy=
trap '[ -z "$stress_copy" ] || rm -rf "$stress_copy"' EXIT
stress() {
	local copy out rc guest

	copy=$(mktemp -d /var/tmp/tapbridge-stress.XXXXXX)
	stress_copy=$copy
	rsync -a --exclude /build --exclude /.git --exclude '*.o' --exclude '*.ko' \
		--exclude '.*.cmd' --exclude '*.mod*' ./ "$copy/"
	if ! run stress-module make -C "$kdir" M="$copy" W=1 modules; then
		not_ok "build kmod/tapbridge.ko for the debug kernel"
		show_log_tail stress-module
		return 1
	fi
	if ! run stress-taptool make -C "$copy/tools/taptool"; then
		not_ok "build taptool"
		show_log_tail stress-taptool
		return 1
	fi

	# What runs in the guest: the whole suite (TBR_STRESS_SUITE=all, the
	# default) or only the stress tests (none), 200 cycles of each
	# lifecycle kind (TBR_STRESS_CYCLES) and 100000 fuzz messages
	# (TBR_FUZZ_COUNT).
	guest="TBR_TEST_TIMEOUT=1800 TBR_FUZZ_COUNT=${TBR_FUZZ_COUNT:-100000}"
	guest+=" TBR_STRESS_CYCLES=${TBR_STRESS_CYCLES:-200}"
	case ${TBR_STRESS_SUITE:-all} in
	all) ;;
	none) guest+=" TBR_TESTS='$(cd selftests && echo stress_*.sh)'" ;;
	*)
		not_ok "TBR_STRESS_SUITE is all or none, not '$TBR_STRESS_SUITE'"
		return 1
		;;
	esac
	info "on the debug kernel, from $copy (console: build/log/vm-stress.log, output: build/log/vm-stress-out.txt):" \
	     "$guest bash selftests/run_all.sh --stress"
	out=$logdir/vm-stress.out
	TBR_VM_LOG=$logdir/vm-stress.log KDIR=$kdir \
		TBR_VM_TIMEOUT=${TBR_VM_TIMEOUT:-5400} "$copy/selftests/vm/run.sh" \
		--check --debug "$guest bash selftests/run_all.sh --stress" |
		tee "$out"
	rc=${PIPESTATUS[0]}
	add_run_totals "$out" "selftests and stress tests on the debug kernel" "$rc"
	grep -qE '^# totals:' "$out" || return 1
	ok "the VM ran the tests from a checkout under /var/tmp"
}

case "$mode" in
--build)
	build_module && build_taptool
	finish
	;;
--stress)
	stress
	finish
	;;
--lint)
	lint
	finish
	;;
--check)
	;;
*)
	echo "usage: $0 [--build|--lint|--stress]" >&2
	exit 2
	;;
esac

info "lint (logs: build/log/lint-*.log, checkpatch.log)"
lint

if run ynl-regen "$top/scripts/ynl-regen.sh" --check; then
	ok "generated netlink code matches uapi/tapbridge.yaml"
else
	not_ok "generated netlink code matches uapi/tapbridge.yaml"
	show_log_tail ynl-regen 10
fi

# --- Host tests ----------------------------------------------------------------

module_built=0
build_module && module_built=1
taptool_built=0
build_taptool && taptool_built=1

if [ "$taptool_built" -eq 1 ]; then
	info "taptool host tests (log: build/log/taptool-test.log)"
	run taptool-test make -C tools/taptool test
	rc=$?
	grep -E '^not ok ' "$logdir/taptool-test.log" | indent
	add_run_totals "$logdir/taptool-test.log" "taptool host tests" "$rc"
fi

if [ "$module_built" -eq 1 ]; then
	info "packaging tests (log: build/log/pkg.log)"
	run pkg "$top/selftests/pkg/run_all.sh"
	rc=$?
	grep -E '^ *not ok ' "$logdir/pkg.log" | indent
	add_run_totals "$logdir/pkg.log" "packaging tests" "$rc"
fi

# --- Selftests in the VM -------------------------------------------------------

if [ ! -f selftests/run_all.sh ]; then
	not_ok "selftests in the VM # selftests/run_all.sh is missing"
elif [ "$module_built" -eq 0 ] || [ "$taptool_built" -eq 0 ]; then
	not_ok "selftests in the VM # not run: the build failed"
else
	info "selftests in the VM (console: build/log/vm-check.log, output: build/log/vm-check-out.txt)"
	out=$logdir/vm-check.out
	TBR_VM_LOG=$logdir/vm-check.log KDIR=$kdir \
		"$here/run.sh" --check bash selftests/run_all.sh | tee "$out"
	rc=${PIPESTATUS[0]}
	# A splat, a module that would not unload or a dead guest fails the
	# run even when every test passed.
	add_run_totals "$out" "selftests in the VM" "$rc"
fi

finish
