# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by vng.sh and kernels.sh: fetch Debian packages from the mirrors
# the system's apt already uses, with private sources, lists and cache
# directories, so the system's apt configuration and state are left
# untouched. Nothing is installed.
#
#   debian_sources              one line "URI SUITE KEYRING" per suite of
#                               each deb entry of the system's sources
#   debian_mirror SUITE         "URI KEYRING" of the first entry for SUITE
#   debian_apt_init DIR LINE..  a private apt in DIR whose sources.list
#                               has these lines; sets debian_apt_opts
#   debian_apt ARGS..           apt-get with it (needs debian_apt_init)

debian_default_key=/usr/share/keyrings/debian-archive-keyring.gpg

debian_sources() {
	local f

	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v dkey="$debian_default_key" '
		$1 == "deb" {
			i = 2; opts = ""
			if ($2 ~ /^\[/) {
				while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ }
				opts = opts " " $i; i++
			}
			key = dkey
			if (match(opts, /signed-by=[^] ]+/))
				key = substr(opts, RSTART + 10, RLENGTH - 10)
			print $i, $(i + 1), key
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# One stanza per paragraph; comment lines are not paragraph breaks.
		sed '/^[[:space:]]*#/d; s/#.*//' "$f" | awk -v dkey="$debian_default_key" '
		function flush(  u, s, n, i) {
			if (types ~ /(^| )deb( |$)/ && enabled !~ /^ *no/) {
				split(uris, u, " ")
				n = split(suites, s, " ")
				for (i = 1; i <= n; i++)
					print u[1], s[i], (key == "" ? dkey : key)
			}
			types = suites = uris = key = enabled = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^Types:/ { types = $0; sub(/^Types:/, "", types) }
		/^URIs:/ { uris = $0; sub(/^URIs:/, "", uris) }
		/^Suites:/ { suites = $0; sub(/^Suites:/, "", suites) }
		/^Enabled:/ { enabled = $0; sub(/^Enabled:/, "", enabled) }
		/^Signed-By:/ { key = $2 }
		END { flush() }'
	done
}

debian_mirror() {
	debian_sources | awk -v s="$1" '$2 == s { print $1, $3; exit }'
}

debian_apt_init() {
	local dir=$1

	shift
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	printf '%s\n' "$@" >"$dir/sources.list"
	debian_apt_opts=(
		-o "Dir::Etc::SourceList=$dir/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::Cache=$dir"
		-o "Dir::Cache::archives=$dir/archives"
		-o Dir::Cache::pkgcache=
		-o Dir::Cache::srcpkgcache=
		-o APT::Sandbox::User=root
	)
}

debian_apt() {
	apt-get "${debian_apt_opts[@]}" "$@"
}
