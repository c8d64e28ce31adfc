#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The manual pages and the bash completion, against taptool's own tables:
#
#   selftests/pkg/man.sh
#
# - taptool(8) documents every command of the command table, every option
#   of the option table and every keyword and word of the keyword tables
#   of tools/taptool/taptool.c (parsed here, so the test follows them);
# - both pages render with groff -ww and `man -l` without a warning;
# - the completion offers exactly the table's commands, every keyword and
#   word, and completes real command lines (bash-completion's own
#   _init_completion drives it);
# - make install-tools and install-module-doc put each file where man and
#   bash-completion look, under DESTDIR.

. "$(dirname "$0")/lib.sh"

src=$top/tools/taptool/taptool.c
page=$top/man/taptool.8
modpage=$top/man/tapbridge.4
completion=$top/man/taptool.bash-completion

# table_words TABLE: the first string of each entry of the array TABLE of
# taptool.c ("{ "word", ..." or ".name = "word"" at the start of a line).
table_words() {
	awk -v table="$1" '
		index($0, " " table "[") && /= \{$/ { t = 1; next }
		t && /^};/ { exit }
		t && match($0, /^\t(\[[A-Z_]+\][ \t]*= )?\{ *"[^"]*"|^\t\t?\.name *= *"[^"]*"/) {
			s = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", s); sub(/"$/, "", s); print s
		}' "$src"
}

# choice_words: the words of every *_choices table.
choice_words() {
	awk '/^static const struct choice [a-z_]+_choices\[\] = \{$/ { t = 1; next }
	     t && /^};/ { t = 0 }
	     t && match($0, /\{ "[^"]+"/) { s = substr($0, RSTART + 3, RLENGTH - 4); print s }' "$src"
}

# The page as text: no hyphenation, no adjustment, one long line per
# paragraph, so that a term is found as it is typed.
render() {
	MANWIDTH=1000 man --no-hyphenation --no-justification -l "$1" 2>/dev/null | col -b
}

mapfile -t commands < <(table_words commands)
mapfile -t keywords < <(table_words keywords | sort -u)
mapfile -t choices < <(choice_words | sort -u)
options=$(awk '/options_table\[\] = \{$/ { t = 1; next } t && /^};/ { exit }
	       t { while (match($0, /"-[-a-zA-Z]*"/)) { print substr($0, RSTART + 1, RLENGTH - 2); $0 = substr($0, RSTART + RLENGTH) } }' "$src")

# A test that finds no table would pass for any page.
if [ "${#commands[@]}" -lt 5 ] || [ "${#keywords[@]}" -lt 10 ] ||
   [ "${#choices[@]}" -lt 5 ] || [ "$(wc -w <<<"$options")" -lt 4 ]; then
	not_ok "taptool.c's tables parsed (commands ${#commands[@]}, keywords ${#keywords[@]}, words ${#choices[@]}, options $(wc -w <<<"$options"))"
	totals
	exit
fi
ok "taptool.c's tables parsed: ${#commands[@]} commands, ${#keywords[@]} keywords, ${#choices[@]} words, $(wc -w <<<"$options") options"

text=$(render "$page")
# section NAME: the lines of one section of the rendered page.
section() {
	awk -v s="$1" '/^[A-Z]/ { on = ($0 == s) ; next } on' <<<"$text"
}
commands_text=$(section COMMANDS)
options_text=$(section OPTIONS)

missing=()
for c in "${commands[@]}"; do
	# A command's entry starts a line of COMMANDS: "       add NAME ...".
	grep -qE "^ +$c( |\$)" <<<"$commands_text" || missing+=("$c")
done
check "taptool(8) has an entry for each of the ${#commands[@]} commands${missing:+ (missing: ${missing[*]})}" \
	test "${#missing[@]}" -eq 0

missing=()
for o in $options; do
	grep -qE "(^|[ ,])$o(,|\$| )" <<<"$options_text" || missing+=("$o")
done
check "taptool(8) OPTIONS has every option${missing:+ (missing: ${missing[*]})}" \
	test "${#missing[@]}" -eq 0

missing=()
for w in "${keywords[@]}" "${choices[@]}"; do
	grep -qE "(^|[ ({|])$w([ )}|,.]|\$)" <<<"$text" || missing+=("$w")
done
check "taptool(8) names every keyword and word${missing:+ (missing: ${missing[*]})}" \
	test "${#missing[@]}" -eq 0

for section_name in "EXIT STATUS" "TEXT OUTPUT" "JSON OUTPUT"; do
	check "taptool(8) has $section_name" grep -qx "$section_name" <<<"$text"
done
exits=$(section "EXIT STATUS" | grep -cE "^ +[0-9]+( |\$)")
check "taptool(8) EXIT STATUS lists 0, 1 and 2 ($exits codes)" test "$exits" -eq 3

# --- Rendering -------------------------------------------------------------------

for p in "$page" "$modpage"; do
	name=${p##*/}
	out=$(groff -man -ww -z "$p" 2>&1)
	check "groff -man -ww renders $name without a warning" test -z "$out"
	[ -z "$out" ] || diag <<<"$out"
	out=$(man --warnings -l "$p" 2>&1 >/dev/null)
	check "man -l renders $name without a warning" test -z "$out"
	[ -z "$out" ] || diag <<<"$out"
done
mod_text=$(render "$modpage")
missing=()
for s in PORTS MIRRORS COUNTERS EVENTS "MODULE LOADING"; do
	grep -qx "$s" <<<"$mod_text" || missing+=("$s")
done
check "tapbridge(4) has its sections${missing:+ (missing: ${missing[*]})}" \
	test "${#missing[@]}" -eq 0
# Every counter and event the family defines, in the spec's words.
missing=()
for w in $(awk '/^    name: (stats|mirror)$/ { t = 1; next } /^    name:/ { t = 0 }
		t && /^        name: / && $2 != "pad" && $2 != "ifindex" { print $2 }' "$top/uapi/tapbridge.yaml"); do
	case $w in direction|snaplen|tag-vid-*|tag-tpid|rx-pass) continue ;; esac
	grep -q "${w//-/_}" <<<"$mod_text" || missing+=("${w//-/_}")
done
for w in $(awk '/name: event-type$/ { t = 1; next } t && /^  -$/ { exit }
		t && /^        name: / { print $2 }' "$top/uapi/tapbridge.yaml"); do
	grep -q "$w" <<<"$mod_text" || missing+=("$w")
done
check "tapbridge(4) documents every counter and event of uapi/tapbridge.yaml${missing:+ (missing: ${missing[*]})}" \
	test "${#missing[@]}" -eq 0

# --- Completion --------------------------------------------------------------------

# complete_line LINE: the completions bash offers for LINE (the cursor at
# its end), one per line, sorted.
complete_line() {
	bash --norc --noprofile -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		COMP_LINE=$2
		COMP_POINT=${#COMP_LINE}
		read -ra COMP_WORDS <<<"$COMP_LINE"
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_taptool taptool "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$1" | LC_ALL=C sort
}

if [ ! -r /usr/share/bash-completion/bash_completion ]; then
	skip "completion" "bash-completion is not installed"
else
	got=$(complete_line "taptool " | tr '\n' ' ')
	want=$(printf '%s\n' "${commands[@]}" | LC_ALL=C sort | tr '\n' ' ')
	check "completion offers the command table's commands ($want)" test "$got" = "$want"
	[ "$got" = "$want" ] || echo "#   got: $got"

	got=$(complete_line "taptool -" | tr '\n' ' ')
	want=$(LC_ALL=C sort <<<"$options" | tr '\n' ' ')
	check "completion offers the option table's options" test "$got" = "$want"
	[ "$got" = "$want" ] || echo "#   got: $got, want: $want"

	missing=()
	for w in "${keywords[@]}" "${choices[@]}"; do
		grep -qE "(^|[ \"|])$w([ \"|)]|\$)" "$completion" || missing+=("$w")
	done
	check "completion knows every keyword and word${missing:+ (missing: ${missing[*]})}" \
		test "${#missing[@]}" -eq 0

	# LINE|EXPECTED: what a user types, and what must be among the offers
	# (all of them, space separated; "-" for nothing at all).
	cases=(
		"taptool add tap0 port-a l|lo"
		"taptool add tap0 port-a lo p|port-b"
		"taptool add tap0 port-a lo port-b lo mode |aggregate split"
		"taptool add tap0 mode aggregate mirror l|lo"
		"taptool add tap0 link-propagation |off on"
		"taptool add tap0 hold-down |-"
		"taptool set tap0 mirror |add del lo"
		"taptool set tap0 mirror add l|lo"
		"taptool set tap0 mirror add lo |dir rx-pass snaplen tag-ab tag-ba tpid"
		"taptool set tap0 mirror add lo dir |a-b b-a both"
		"taptool set tap0 mirror add lo tpid |802.1ad 802.1q"
		"taptool set tap0 mirror del lo |-"
		"taptool set tap0 r|rx-all"
		"taptool help s|set show stats"
		"taptool -j m|monitor"
	)
	for c in "${cases[@]}"; do
		line=${c%|*}
		want=${c#*|}
		got=$(complete_line "$line" | tr '\n' ' ')
		pass=1
		if [ "$want" = - ]; then
			[ -z "${got// /}" ] || pass=0
		else
			for w in $want; do
				grep -qw -- "$w" <<<"$got" || pass=0
			done
		fi
		check "completion of \"$line\" offers: $want" test "$pass" -eq 1
		[ "$pass" -eq 1 ] || echo "#   got: $got"
	done
fi

# --- Installation --------------------------------------------------------------------

dest=$pkgdir/install
rm -rf "$dest"
if logged make-install make -C "$top" install-tools install-module-doc \
		DESTDIR="$dest" PREFIX=/usr; then
	missing=()
	for f in usr/sbin/taptool usr/share/man/man8/taptool.8 \
		 usr/share/man/man4/tapbridge.4 \
		 usr/share/bash-completion/completions/taptool; do
		[ -s "$dest/$f" ] || missing+=("$f")
	done
	check "make install-tools install-module-doc DESTDIR=... installs taptool, both pages and the completion${missing:+ (missing: ${missing[*]})}" \
		test "${#missing[@]}" -eq 0
	got=$(MANPATH=$dest/usr/share/man man -w taptool tapbridge 2>&1 | tr '\n' ' ')
	check "man finds both installed pages ($got)" \
		test "$got" = "$dest/usr/share/man/man8/taptool.8 $dest/usr/share/man/man4/tapbridge.4 "
	got=$("$dest/usr/sbin/taptool" -V)
	check "installed taptool -V prints the version of debian/changelog ($got)" \
		test "$got" = "taptool $version"
else
	not_ok "make install-tools install-module-doc DESTDIR=..."
fi

totals
