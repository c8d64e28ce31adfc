#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building and testing tapbridge need.
# Quiet when everything is present; otherwise installs the missing ones
# (root only) and logs apt's output to build/log/deps.log.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
logdir=${TBR_LOGDIR:-$top/build/log}

# Each package and what needs it.
packages=(
	# Test kernel and module build.
	build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils
	linux-source-6.12
	# Lint: sparse (checkpatch.pl comes with linux-source).
	sparse
	# virtme-ng runs on the host's python3 and boots qemu; it needs
	# udevadm and file on the host, busybox for its initramfs, and
	# these python modules.
	qemu-system-x86 udev file busybox-static
	python3 python3-argcomplete python3-pkg-resources python3-requests
	# taptool.
	libmnl-dev libjson-c-dev pkg-config
	# taptool's host tests: clang and its runtime build the libFuzzer
	# harnesses of tools/taptool/tests/ (gcc has no libFuzzer).
	clang libclang-rt-dev
	# YNL code generator (scripts/ynl-regen.sh).
	python3-yaml python3-jsonschema
	# Used by the tests inside the VM (the host root is the guest's root).
	iproute2 iputils-ping tcpdump tshark ethtool kmod util-linux procps
	jq valgrind rsync
	# Packaging tests (selftests/pkg/): dkms builds and installs the module
	# against every kernel's headers; linux-headers-6.12-amd64 is one
	# Debian kernel for it to build against (the test kernel is the other).
	dkms linux-headers-6.12-amd64
	# The manual pages are rendered with groff and man; the completion is
	# driven by bash-completion's own helpers.
	groff-base man-db bash-completion
)

missing=()
while read -r pkg status; do
	[ "$status" = ii ] || missing+=("$pkg")
done < <(for pkg in "${packages[@]}"; do
	printf '%s %s\n' "$pkg" \
		"$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | tr -d ' ')"
done)

[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
	echo "deps.sh: run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi

mkdir -p "$logdir"
log=$logdir/deps.log
echo "deps.sh: installing ${missing[*]} (log: $log)" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not matter
# here (tests run as root), so keep the default without asking.
if ! { apt-get update -q &&
       apt-get install -y -q -o Dpkg::Options::=--force-confdef \
		-o Dpkg::Options::=--force-confold "${missing[@]}"; } \
		>"$log" 2>&1 </dev/null; then
	tail -n 20 "$log" >&2
	echo "deps.sh: apt-get failed (full log: $log)" >&2
	exit 1
fi
