#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: tapbridge against tc matchall mirred and the bridge, every
# path in one boot of the bench kernel.
#
#   selftests/bench/run.sh          one vCPU, QEMU -icount shift=0,sleep=off:
#                                   guest time counts instructions, so the
#                                   figures repeat from boot to boot
#   selftests/bench/run.sh --wall   two vCPUs, no icount, wall-clock time:
#                                   noisy; only the order of the paths is
#                                   compared with the last icount table
#
# It builds what the VM needs, as check.sh --build does for the test
# kernel: the bench kernel (selftests/vm/kernel.sh --bench, cached), the
# module against it in build/bench/module (kmod/ stays built for the test
# kernel) and taptool. Then selftests/bench/guest.sh measures in the VM,
# and table.py prints the table and writes build/bench/bench.json
# (bench-wall.json); the run before is kept as bench-prev.json, and the
# largest difference to it printed.
#
# Environment: TBR_BENCH_FRAMES (frames a run, a multiple of 1024) and
# the TBR_VM_* of selftests/vm/run.sh.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
vm=$top/selftests/vm
logdir=$top/build/log
out=$top/build/bench

mode=icount
case "${1:-}" in
"") ;;
--wall) mode=wall ;;
*)
	echo "usage: $0 [--wall]" >&2
	exit 2
	;;
esac

mkdir -p "$logdir" "$out"
cd "$top"

# A checkout the VM cannot see fails now, not after the kernel build.
"$vm/run.sh" --preflight
"$top/scripts/deps.sh"

# kernel.sh says on stderr when it builds; show that, log the rest.
echo "  KERNEL bench kernel (selftests/vm/kernel.sh --bench; log: build/log/kernel-bench.log)"
if ! kdir=$("$vm/kernel.sh" --bench 2> >(tee "$logdir/kernel-bench.log" |
				       grep --line-buffered '^kernel.sh:' >&2)); then
	tail -n 30 "$logdir/kernel-bench.log"
	echo "failed: the bench kernel (full log: build/log/kernel-bench.log)" >&2
	exit 1
fi

# The module, built in a copy of its sources against the bench kernel:
# kmod/ keeps the module of the test kernel, which make check and
# make vm-run load. version.sh and the changelog give MODULE_VERSION.
moddir=$out/module
echo "  MODULE build/bench/module/kmod/tapbridge.ko for the bench kernel"
mkdir -p "$moddir/scripts" "$moddir/debian"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--exclude '*.mod*' Kbuild kmod uapi dkms.conf "$moddir/"
cp scripts/version.sh "$moddir/scripts/"
cp debian/changelog "$moddir/debian/"
if ! flock "$top/build/.module.lock" make -C "$kdir" M="$moddir" modules \
	>"$logdir/bench-module.log" 2>&1; then
	tail -n 30 "$logdir/bench-module.log"
	echo "failed: the module for the bench kernel (full log: build/log/bench-module.log)" >&2
	exit 1
fi
echo "  TAPTOOL tools/taptool/taptool"
if ! make -C tools/taptool >"$logdir/taptool.log" 2>&1; then
	tail -n 30 "$logdir/taptool.log"
	echo "failed: taptool (full log: build/log/taptool.log)" >&2
	exit 1
fi

# No NICs of QEMU's in the guest: nothing but the bench makes interrupts.
export TBR_VM_QEMU_OPTS=
export TBR_MODULE_DIR=$moddir/kmod
if [ "$mode" = icount ]; then
	export TBR_VM_CPUS=1 TBR_VM_ICOUNT=1
	raw=$out/bench.tsv
	json=$out/bench.json
	vmlog=$logdir/vm-bench.log
else
	export TBR_VM_CPUS=2 TBR_VM_ICOUNT=0
	raw=$out/bench-wall.tsv
	json=$out/bench-wall.json
	vmlog=$logdir/vm-bench-wall.log
fi
rm -f "$raw"
guest="bash selftests/bench/guest.sh $raw"
if [ -n "${TBR_BENCH_FRAMES:-}" ]; then
	guest="TBR_BENCH_FRAMES=$TBR_BENCH_FRAMES $guest"
fi
set +e
TBR_VM_LOG=$vmlog KDIR=$kdir "$vm/run.sh" --bench "$guest"
rc=$?
set -e

release=$(cat "$kdir/include/config/kernel.release")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
qemu=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')
table_rc=0
"$here/table.py" --mode "$mode" --raw "$raw" --json "$json" \
	--against "$out/bench.json" \
	--machine "kernel=$release (bench kernel: kernel.config + bench.config)" \
	--machine "vm=QEMU $qemu, TCG, $TBR_VM_CPUS vCPU$( [ "$TBR_VM_CPUS" -gt 1 ] && echo s)$( [ "$mode" = icount ] && echo ', -icount shift=0,sleep=off')" \
	--machine "host=$(nproc) cores, $cpu" || table_rc=$?
if [ "$rc" -ne 0 ]; then
	echo "bench: the VM run failed (exit $rc; console: ${vmlog#"$top"/})" >&2
	exit "$rc"
fi
exit "$table_rc"
