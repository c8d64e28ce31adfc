#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the module's source, as DKMS builds it, into a directory:
#
#   scripts/dkms-src.sh DEST [VERSION]
#
# DEST gets dkms.conf (PACKAGE_VERSION set to VERSION, default what
# scripts/version.sh prints), the top-level Kbuild, kmod/ and the uapi
# header: what `make -C KDIR M=DEST` needs. Build products in kmod/ are left out, so a
# checkout that has been built installs the same tree as a clean one.
# `make install-dkms` and debian/rules use it; the package build leaves
# #MODULE_VERSION# for dh_dkms to fill in (VERSION "#MODULE_VERSION#").

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: dkms-src.sh DEST [VERSION]}
version=${2:-$("$top/scripts/version.sh")}

mkdir -p "$dest"
cd "$top"
install -m 0644 Kbuild "$dest/Kbuild"
install -D -m 0644 uapi/linux/tapbridge.h "$dest/uapi/linux/tapbridge.h"
find kmod -type f ! -name '*.o' ! -name '*.ko' ! -name '*.mod' \
	! -name '*.mod.c' ! -name '.*' ! -name 'modules.order' \
	! -name 'Module.symvers' ! -name '*.d' -print0 |
	while IFS= read -r -d '' f; do
		install -D -m 0644 "$f" "$dest/$f"
	done
sed "s/#MODULE_VERSION#/$version/" dkms.conf >"$dest/dkms.conf"
chmod 0644 "$dest/dkms.conf"
