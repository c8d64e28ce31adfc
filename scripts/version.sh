#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print tapbridge's version. Its one place is the first entry of
# debian/changelog, which the package build reads too; a Debian revision
# ("-1"), if there is one, is not part of it.

sed -n '1{s/^[^ ]* (\([^)]*\)).*/\1/;s/-[^-]*$//;p;q}' "$(dirname "$0")/../debian/changelog"
