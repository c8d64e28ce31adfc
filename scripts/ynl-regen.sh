#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate the uapi header and the kernel's policies and op table from
# uapi/tapbridge.yaml with the kernel's own YNL generator.
#
#   scripts/ynl-regen.sh          rewrite the generated files
#   scripts/ynl-regen.sh --check  fail when a committed file is stale
#
# The generator looks for a MAINTAINERS file above the spec (it loops
# forever without one) and for its schema two directories above the spec,
# so it runs on a copy of the spec in a scratch tree shaped like that.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src=$("$top/scripts/linux-src.sh")
gen=$src/tools/net/ynl/ynl-gen-c.py
# Debian's python3 has python3-yaml and python3-jsonschema.
py=/usr/bin/python3

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/uapi" "$scratch/out"
touch "$scratch/MAINTAINERS"
cp "$src/Documentation/netlink/genetlink.yaml" "$scratch/genetlink.yaml"
cp "$top/uapi/tapbridge.yaml" "$scratch/uapi/tapbridge.yaml"

spec=$scratch/uapi/tapbridge.yaml
"$py" "$gen" --mode uapi --header --spec "$spec" -o "$scratch/out/tapbridge.h"
"$py" "$gen" --mode kernel --header --spec "$spec" -o "$scratch/out/netlink-gen.h"
"$py" "$gen" --mode kernel --source --spec "$spec" -o "$scratch/out/netlink-gen.c"

stale=0
for pair in tapbridge.h:uapi/linux/tapbridge.h \
	    netlink-gen.h:kmod/netlink-gen.h \
	    netlink-gen.c:kmod/netlink-gen.c; do
	new=$scratch/out/${pair%%:*}
	dst=$top/${pair#*:}
	if [ "${1:-}" = --check ]; then
		if ! cmp -s "$new" "$dst"; then
			echo "ynl-regen: ${pair#*:} is stale; run 'make regen'" >&2
			stale=1
		fi
	else
		cp "$new" "$dst"
	fi
done
exit "$stale"
