#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A clean Debian 12 root for the package tests, made once and cached:
#
#   selftests/pkg/debroot.sh DEST PACKAGE...
#
# DEST (emptied first) gets a `debootstrap --variant=minbase bookworm` root
# with PACKAGE... installed from the archive. Both steps are cached in
# ~/.cache/tapbridge (TBR_CACHE): the bootstrapped root, and the root with
# the packages, keyed by their sorted names. A warm run only mounts an
# overlay: the cached root, read-only, under a fresh writable layer in
# DEST.rw, so every run starts from the same clean root and the cache is
# never written. Remove DEST with remove_tree (lib.sh), which unmounts it. The archive is the host's own configured Debian mirror, read
# from its apt sources, so that no address is written here; the packages
# come from the host's apt sources, copied into the root while apt runs.
#
# Progress on stderr; logs in build/pkg/log/.

set -euo pipefail

. "$(dirname "$0")/lib.sh"

dest=${1:?usage: debroot.sh DEST PACKAGE...}
shift
suite=bookworm

# The first URI of a "deb" entry of the host's apt sources that carries
# $suite: deb822 .sources files first, then one-line sources.list files.
mirror_uri() {
	local f

	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v suite="$suite" '
			function done() { if (deb && s && uri) { print uri; exit } deb = s = 0; uri = "" }
			/^[ \t]*$/ { done(); next }
			tolower($1) == "types:" && / deb( |$)/ { deb = 1 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) s = 1 }
			END { done() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		# deb [options] URI SUITE COMPONENT...
		sed -E 's/\[[^]]*\]//' "$f" |
			awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2 }'
	done
}

mirror=$(mirror_uri | head -n 1)
if [ -z "$mirror" ]; then
	echo "debroot.sh: no apt source for $suite in /etc/apt" >&2
	exit 1
fi

mkdir -p "$cache"
base=$cache/debroot-$suite-minbase
key=$(printf '%s\n' "$@" | sort -u | sha256sum | cut -c1-12)
full=$cache/debroot-$suite-$key

if [ ! -d "$full" ]; then
	if [ ! -d "$base" ]; then
		echo "debroot.sh: debootstrap $suite (once; log: ${logdir#"$top"/}/debootstrap.log)" >&2
		remove_tree "$base.tmp"
		debootstrap --variant=minbase "$suite" "$base.tmp" "$mirror" \
			>"$logdir/debootstrap.log" 2>&1 || {
			tail -n 20 "$logdir/debootstrap.log" >&2
			exit 1
		}
		# apt's lists and downloaded packages are not part of a clean root.
		rm -rf "$base.tmp"/var/lib/apt/lists/* "$base.tmp"/var/cache/apt/archives/*.deb
		mv "$base.tmp" "$base"
	fi
	echo "debroot.sh: installing $* into the root (once per package list)" >&2
	remove_tree "$full.tmp"
	cp -a "$base" "$full.tmp"
	# The host's own apt sources (the kernel packages come from the
	# security suite too), copied into the chroot while apt runs there.
	rm -f "$full.tmp/etc/apt/sources.list"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		 /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] && cp "$f" "$full.tmp/etc/apt/sources.list.d/host-${f##*/}"
	done
	{
		in_root "$full.tmp" apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive in_root "$full.tmp" \
			apt-get install -y -q --no-install-recommends "$@"
	} >"$logdir/debroot-apt.log" 2>&1 || {
		tail -n 20 "$logdir/debroot-apt.log" >&2
		exit 1
	}
	rm -f "$full.tmp"/etc/apt/sources.list.d/host-*
	rm -rf "$full.tmp"/var/lib/apt/lists/* "$full.tmp"/var/cache/apt/archives/*.deb
	mv "$full.tmp" "$full"
fi

remove_tree "$dest"
remove_tree "$dest.rw"
mkdir -p "$dest" "$dest.rw/upper" "$dest.rw/work"
mount -t overlay overlay \
	-o "lowerdir=$full,upperdir=$dest.rw/upper,workdir=$dest.rw/work" "$dest"
