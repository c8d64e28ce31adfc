#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the tapbridge test kernel under virtme-ng and run a shell command in
# it, with tapbridge.ko loaded, taptool on PATH and the repo root as cwd
# (see guest.sh for what happens around the command):
#
#   selftests/vm/run.sh [--check] [--debug|--bench] CMD...
#   selftests/vm/run.sh --preflight   (only: can the VM share the checkout?)
#
# The words of CMD are joined with spaces and run by bash in the guest. The
# exit status is CMD's, or non-zero if the kernel logged a splat, the
# module did not unload, or the guest died or timed out (124). Through
# `make vm-run` any failure becomes make's exit status 2.
#
# stdout gets CMD's output (stdout and stderr) and the runner's own `vm:`
# lines. With --check, only the KTAP lines that matter go to stdout (top
# level `ok`/`not ok`, `# totals:`, bail outs) while everything goes to the
# log. The log (default build/log/vm.log) also holds the guest console:
# boot messages and the whole kernel log; LOG-out.txt (vm-out.txt) holds
# CMD's output alone.
#
# --debug boots the debug kernel (kernel.sh --debug: KASAN, kmemleak) with
# panic_on_warn=1, so the first WARN, KASAN or lockdep report stops the
# guest where it happened.
#
# --bench boots the bench kernel (kernel.sh --bench: no lockdep, no
# reference trackers), for `make bench` (selftests/bench/run.sh), which
# also sets TBR_VM_CPUS=1 and TBR_VM_ICOUNT=1.
#
# Environment:
#   KDIR            test kernel build dir (default: selftests/vm/kernel.sh,
#                   with --debug: kernel.sh --debug, with --bench:
#                   kernel.sh --bench)
#   TBR_VM_KIMG     kernel image to boot (default: KDIR/arch/x86/boot/bzImage)
#   TBR_VM_RELEASE  its release (default: KDIR/include/config/kernel.release)
#   TBR_MODULE_DIR  directory holding tapbridge.ko (default: kmod)
#   TBR_VM_LOG      log file (default: build/log/vm.log)
#   TBR_VM_TIMEOUT  seconds before the VM is killed (default: 2400)
#   TBR_VM_MEMORY   guest memory (default: 2G)
#   TBR_VM_CPUS     guest vCPUs (default: 2)
#   TBR_VM_KVM      1: use KVM (default: CPU emulation, see below)
#   TBR_VM_APPEND   more kernel command line words
#   TBR_VM_BOOT_RETRIES boots tried again when the kernel dies before the
#                   tests start (default: 1, see below)
#   TBR_VM_QEMU_OPTS extra QEMU options (default: two e1000 NICs, see below)
#   TBR_VM_ICOUNT   1: QEMU -icount shift=0,sleep=off, added to the options
#                   above (guest time counts instructions; see below)

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

# virtme-ng's init mounts tmpfs over /var/tmp, /var/log, /var/cache and
# /run in the guest, hiding a checkout there. The checkout is therefore
# shared as a directory of its own, at the same path (the init creates the
# mount point inside the tmpfs): the module, taptool and the scripts are
# where they are on the host. virtme-ng passes the path on unquoted and
# accepts only these characters in it. `run.sh --preflight` makes just
# this check, before anything is built.
if [[ ! $top =~ ^[a-zA-Z0-9_+/.-]+$ ]]; then
	echo "run.sh: the test VM cannot share '$top': virtme-ng takes only" \
	     "letters, digits and _+/.- in a path; clone the repository into such a path" >&2
	exit 1
fi
if [ "${1:-}" = --preflight ]; then
	exit 0
fi

check=0
debug=0
bench=0
while [ "$#" -gt 0 ]; do
	case "$1" in
	--check) check=1 ;;
	--debug) debug=1 ;;
	--bench) bench=1 ;;
	*) break ;;
	esac
	shift
done
if [ "$#" -eq 0 ] || [ $((debug + bench)) -gt 1 ]; then
	echo "usage: $0 [--check] [--debug|--bench] CMD..." >&2
	exit 2
fi

# Runs from several shells at once must not share a log: the first one
# takes build/log/vm.log, the others get one named after their pid.
log=${TBR_VM_LOG:-$top/build/log/vm.log}
mkdir -p "$(dirname "$log")"
exec 8>>"$log.lock"
if ! flock -n 8; then
	log=${log%.log}-$$.log
fi
moddir=${TBR_MODULE_DIR:-$top/kmod}
moddir=$(cd "$moddir" && pwd)
timeout=${TBR_VM_TIMEOUT:-2400}

if [ "$debug" -eq 1 ]; then
	kdir=${KDIR:-$("$here/kernel.sh" --debug)}
elif [ "$bench" -eq 1 ]; then
	kdir=${KDIR:-$("$here/kernel.sh" --bench)}
else
	kdir=${KDIR:-$("$here/kernel.sh")}
fi
vng=$("$here/vng.sh")

# A module built for another kernel would only fail at insmod, after a
# minute of booting; catch it here.
release=${TBR_VM_RELEASE:-$(cat "$kdir/include/config/kernel.release")}
if [ ! -f "$moddir/tapbridge.ko" ]; then
	echo "run.sh: $moddir/tapbridge.ko missing; build it with 'make vm-run' or 'make KDIR=$kdir'" >&2
	exit 1
fi
vermagic=$(modinfo -F vermagic "$moddir/tapbridge.ko")
if [ "${vermagic%% *}" != "$release" ]; then
	echo "run.sh: $moddir/tapbridge.ko is built for ${vermagic%% *}, the test kernel is $release;" \
	     "rebuild it with 'make vm-run' or 'make KDIR=$kdir'" >&2
	exit 1
fi

# The result directory is the guest's only writable view of the host;
# shared after the checkout, so that it is mounted on top of it.
mkdir -p "$top/build/vm"
resdir=$(mktemp -d "$top/build/vm/run.XXXXXX")
trap 'rm -rf "$resdir"' EXIT
printf '%s\n' "$*" >"$resdir/cmd"
echo "$moddir" >"$resdir/module-dir"

vng_args=(
	--run "${TBR_VM_KIMG:-$kdir/arch/x86/boot/bzImage}"
	# Without virtiofsd vng tries a daemon that is not there, waits,
	# then falls back to 9p anyway.
	--force-9p
	# vng boots a kernel given by path only with the root named.
	--append root=/dev/root
	# Room for the splats of a whole run.
	--append log_buf_len=4M
	--cpus "${TBR_VM_CPUS:-2}"
	--memory "${TBR_VM_MEMORY:-2G}"
	--user root
	--cwd "$top"
	--rwdir="$top=$top"
	--rwdir="$resdir=$resdir"
	# Boot console and kernel log to stderr, hence to the log.
	--verbose
	--exec "$here/guest.sh $resdir"
)

if [ "$debug" -eq 1 ]; then
	vng_args+=(--append panic_on_warn=1)
fi
for arg in ${TBR_VM_APPEND:-}; do
	vng_args+=(--append "$arg")
done

# qemu emulates the CPU (TCG) unless TBR_VM_KVM=1: slow but it works. On
# the CI host /dev/kvm exists but qemu aborts on it ("failed to set MSR"),
# and vng would pick it on its own.
if [ "${TBR_VM_KVM:-0}" != 1 ]; then
	vng_args+=(--disable-kvm)
fi

# Two e1000 NICs, each alone on a QEMU hub (no peer, so no loop when both
# are ports of one TAP): a driver with rx-all and rx-fcs for the rx-all
# tests. TBR_VM_QEMU_OPTS replaces them.
e1000="-netdev hubport,id=tbre0,hubid=90 -device e1000,netdev=tbre0,romfile="
e1000+=" -netdev hubport,id=tbre1,hubid=91 -device e1000,netdev=tbre1,romfile="
qemu_opts=${TBR_VM_QEMU_OPTS-$e1000}
# With -icount shift=0 the guest clock advances one nanosecond per
# instruction executed, whatever the host is doing, and sleep=off skips
# idle time instead of waiting for it in real time: a guest's timings
# become instruction counts that repeat from boot to boot. It needs
# TCG (not KVM), and QEMU then runs every vCPU in one thread.
if [ "${TBR_VM_ICOUNT:-0}" = 1 ]; then
	if [ "${TBR_VM_KVM:-0}" = 1 ]; then
		echo "run.sh: TBR_VM_ICOUNT=1 needs CPU emulation, not TBR_VM_KVM=1" >&2
		exit 2
	fi
	qemu_opts+="${qemu_opts:+ }-icount shift=0,sleep=off"
fi
if [ -n "$qemu_opts" ]; then
	vng_args+=("--qemu-opts=$qemu_opts")
fi

filter() {
	if [ "$check" -eq 1 ]; then
		grep --line-buffered -E '^(ok |not ok |# totals:|Bail out!|vm: )' || true
	else
		cat
	fi
}

: >"$log"
kind=
[ "$debug" -eq 1 ] && kind="debug kernel, panic_on_warn; "
[ "$bench" -eq 1 ] && kind="bench kernel; "
[ "${TBR_VM_ICOUNT:-0}" = 1 ] && kind+="icount; "
echo "vm: booting $release (${kind}log: ${log#"$top"/})"

# One boot of the VM; sets codes and elapsed.
boot() {
	local start

	start=$(date +%s)
	set +e
	# vng 1.35 dies in termios handling if stdin is a terminal it cannot
	# use, and CI has no stdin at all: always give it /dev/null. The
	# console (stderr) and CMD's output both go to the log.
	# shellcheck disable=SC2094 # both only append
	timeout -k 30 "$timeout" "$vng" "${vng_args[@]}" </dev/null 2>>"$log" |
		tee -a "$log" | filter
	codes=("${PIPESTATUS[@]}")
	set -e
	elapsed=$(( $(date +%s) - start ))
}

# Under TCG a kernel can die in its first seconds, before tapbridge or any
# test is there: an Oops on an int3 in code that the boot was patching
# (static keys) while the other vCPU ran it, seen once with 7.3 and
# QEMU 7.2. Such a boot is tried again, up to TBR_VM_BOOT_RETRIES times;
# its console stays in LOG-bootN.log. A guest that reached guest.sh (it
# writes RESULT_DIR/started first) is never run again.
retries=${TBR_VM_BOOT_RETRIES:-1}
attempt=1
while :; do
	boot
	if [ "${codes[0]}" -eq 124 ] || [ -e "$resdir/started" ] ||
	   [ "$attempt" -gt "$retries" ]; then
		break
	fi
	echo "vm: the kernel died while booting, before any test ran (vng exit ${codes[0]}):"
	grep -E -f "$here/splat-patterns" "$log" | head -n 10 | sed 's/^/vm:   /' || true
	mv "$log" "${log%.log}-boot$attempt.log"
	attempt=$((attempt + 1))
	echo "vm: booting again (console of the failed boot: ${log%.log}-boot$((attempt - 1)).log)"
	: >"$log"
done

# What the command printed, kept even when the guest died: the console
# log holds it too, but cut by kernel messages.
cp "$resdir/output" "${log%.log}-out.txt" 2>/dev/null || true

if [ "${codes[0]}" -eq 124 ]; then
	echo "vm: timed out after ${timeout}s; last console lines:"
	tail -n 20 "$log" | sed 's/^/vm:   /'
	exit 124
fi
if [ ! -s "$resdir/status" ]; then
	echo "vm: guest died before the command finished (vng exit ${codes[0]}); last console lines:"
	tail -n 30 "$log" | sed 's/^/vm:   /'
	grep -E -f "$here/splat-patterns" "$log" | head -n 20 | sed 's/^/vm: splat:   /' || true
	exit 1
fi
status=$(cat "$resdir/status")
cp "$resdir/dmesg.txt" "${log%.log}-dmesg.txt" 2>/dev/null || true
echo "vm: done in ${elapsed}s, exit status $status"
exit "$status"
