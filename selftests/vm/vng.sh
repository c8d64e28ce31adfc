#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of a program that runs virtme-ng:
#
#	vng=$(selftests/vm/vng.sh) && "$vng" --help
#
# Debian 12 has no virtme-ng package. When no `vng` is on PATH, fetch Debian
# 13's virtme-ng .deb (architecture all, pure Python) from the mirror the
# system already uses for bookworm and unpack it into the cache. apt runs
# with private sources, lists and cache directories, so the system's apt
# configuration and state are left untouched. Nothing is installed.

set -euo pipefail

cache=${TBR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tapbridge}
suite=trixie

if command -v vng >/dev/null 2>&1; then
	command -v vng
	exit 0
fi

print_cached() {
	local root

	# Newest unpacked version wins.
	root=$(find "$cache" -maxdepth 2 -path "$cache/vng-*/.tbr-done" 2>/dev/null |
	       sed 's,/\.tbr-done$,,' | sort -V | tail -n 1)
	[ -n "$root" ] || return 1
	echo "$root/tbr-vng"
}

print_cached && exit 0

mkdir -p "$cache"
exec 9>"$cache/.vng.lock"
flock 9
print_cached && exit 0

# The URI and keyring of the system's Debian bookworm entry, from one-line
# (.list) or deb822 (.sources) files.
find_mirror() {
	local f

	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '
		$1 == "deb" {
			i = 2; opts = ""
			if ($2 ~ /^\[/) {
				while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ }
				opts = opts " " $i; i++
			}
			if ($(i + 1) == "bookworm") {
				key = ""
				if (match(opts, /signed-by=[^] ]+/))
					key = substr(opts, RSTART + 10, RLENGTH - 10)
				print $i, key; exit
			}
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# One stanza per paragraph; comment lines are not paragraph breaks.
		sed '/^[[:space:]]*#/d; s/#.*//' "$f" | awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && suites ~ /(^| )bookworm( |$)/ &&
			    enabled !~ /^ *no/) {
				split(uris, u, " "); print u[1], key; found = 1
			}
			types = suites = uris = key = enabled = ""
		}
		/^[ \t]*$/ { flush(); if (found) exit; next }
		/^Types:/ { types = $0; sub(/^Types:/, "", types) }
		/^URIs:/ { uris = $0; sub(/^URIs:/, "", uris) }
		/^Suites:/ { suites = $0; sub(/^Suites:/, "", suites) }
		/^Enabled:/ { enabled = $0; sub(/^Enabled:/, "", enabled) }
		/^Signed-By:/ { key = $2 }
		END { if (!found) flush() }'
	done
}

read -r uri key < <(find_mirror | head -n 1) || true
if [ -z "${uri:-}" ]; then
	echo "vng.sh: no Debian bookworm entry found in the apt sources" >&2
	exit 1
fi
key=${key:-/usr/share/keyrings/debian-archive-keyring.gpg}

work=$cache/vng-apt
rm -rf "$work"
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/download"
printf 'deb [signed-by=%s] %s %s main\n' "$key" "$uri" "$suite" >"$work/sources.list"

apt_opts=(
	-o "Dir::Etc::SourceList=$work/sources.list"
	-o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$work/lists"
	-o "Dir::Cache=$work"
	-o "Dir::Cache::archives=$work/archives"
	-o Dir::Cache::pkgcache=
	-o Dir::Cache::srcpkgcache=
	-o APT::Sandbox::User=root
)
log=$work/apt.log
echo "vng.sh: fetching virtme-ng from $suite ($uri)" >&2
if ! { apt-get "${apt_opts[@]}" update &&
       (cd "$work/download" && apt-get "${apt_opts[@]}" download virtme-ng); } \
	>"$log" 2>&1 </dev/null; then
	cat "$log" >&2
	echo "vng.sh: could not download virtme-ng" >&2
	exit 1
fi

deb=$(echo "$work"/download/virtme-ng_*_all.deb)
version=$(dpkg-deb -f "$deb" Version)
root=$cache/vng-$version
rm -rf "$root"
dpkg-deb -x "$deb" "$root"
# vng runs virtme-run and other helpers from PATH.
cat >"$root/tbr-vng" <<END
#!/bin/sh
export PYTHONPATH=$root/usr/lib/python3/dist-packages\${PYTHONPATH:+:\$PYTHONPATH}
export PATH=$root/usr/bin:\$PATH
exec /usr/bin/python3 $root/usr/bin/vng "\$@"
END
chmod +x "$root/tbr-vng"
touch "$root/.tbr-done"
rm -rf "$work"
print_cached
