#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The manual pages and the bash completion, against taptool's own tables:
#
#   selftests/pkg/man.sh
#
# - taptool(8) documents every command and alias of the command table,
#   every option of the option table (short and long forms, and the
#   argument it takes), every keyword of the keyword table, every word of
#   the word tables (tools/taptool/names.c), every field of the text output
#   (the labels output.c prints), every key of the JSON schema
#   (tools/taptool/taptool.schema.json) and every exit code of taptool.c:
#   all parsed here from the sources, so that the test follows them;
# - both pages render with groff -ww and `man -l` without a warning, and
#   carry the version of debian/changelog;
# - the completion offers exactly the table's commands and options, after
#   each keyword exactly the words of its table, and completes real
#   command lines (bash-completion's own _init_completion drives it);
# - make install-tools and install-module-doc put each file where man and
#   bash-completion look, under DESTDIR.

. "$(dirname "$0")/lib.sh"

tool=$top/tools/taptool
src=$tool/taptool.c
names=$tool/names.c
output=$tool/output.c
schema=$tool/taptool.schema.json
page=$top/man/taptool.8
modpage=$top/man/tapbridge.4
completion=$top/man/taptool.bash-completion

# c_table FILE TABLE: the entries of the C array TABLE in FILE, one a line:
# the text between each entry's outer braces, joined across lines, so that
# an entry split over lines or with a designated index reads the same.
c_table() {
	awk -v table="$2" '
		index($0, " " table "[") && /= \{$/ { t = 1; next }
		t && /^};/ { exit }
		t {
			for (i = 1; i <= length($0); i++) {
				c = substr($0, i, 1)
				if (instr) {
					if (c == "\\") { buf = buf c substr($0, ++i, 1); continue }
					if (c == "\"") instr = 0
				} else if (c == "\"") {
					instr = 1
				} else if (c == "{" && ++depth == 1) {
					buf = ""; continue
				} else if (c == "}" && --depth == 0) {
					gsub(/[ \t]+/, " ", buf); print buf; continue
				}
				if (depth >= 1) buf = buf c
			}
			if (depth >= 1) buf = buf " "
		}' "$1"
}

# first_string: the first string literal of each line, unquoted.
first_string() {
	sed -nE 's/^[^"]*"([^"]*)".*/\1/p'
}

# Commands, and their aliases: '"del", { "delete" }, { "NAME" }, ...'.
entries=$(c_table "$src" commands)
mapfile -t commands < <(first_string <<<"$entries")
mapfile -t aliases < <(sed -E 's/^[^{]*\{([^}]*)\}.*/\1/' <<<"$entries" | grep -oE '"[^"]+"' | tr -d '"')

# Keywords, and the value type each takes: '"dir", ..., &direction_value'.
entries=$(c_table "$src" keywords)
mapfile -t keywords < <(first_string <<<"$entries" | sort -u)
# keyword_type: "KEYWORD TYPE" lines.
keyword_types=$(sed -nE 's/^[^"]*"([^"]*)".*&([a-z_]+) *$/\1 \2/p' <<<"$entries" | sort -u)
# type_words: "TYPE WORDS-TABLE" lines, of "static const struct value_type
# TYPE = { .words = TABLE, ... };" (on one line or several).
type_words=$(awk '/^static const struct value_type [a-z_]+ = \{/ { t = $5; s = "" }
		  t { s = s $0 } t && /};/ { if (match(s, /\.words = [a-z_]+/))
			print t, substr(s, RSTART + 9, RLENGTH - 9); t = "" }' "$src")

# The word tables of names.c: "TABLE WORD" lines.
words_of=$(for table in $(sed -nE 's/^const struct tt_word ([a-z_]+)\[\] = \{$/\1/p' "$names"); do
	c_table "$names" "$table" | first_string | sed "s/^/$table /"
done)
mapfile -t words < <(awk '{ print $2 }' <<<"$words_of" | sort -u)

# Options: '"-j", "json", NULL, "..."' or 'NULL, "force", NULL, "..."'.
entries=$(c_table "$src" options_table)
options=$(sed -nE 's/^ *(NULL|"[^"]*") *, *"([^"]*)".*/\1 --\2/p' <<<"$entries" | tr -d '"' |
	  tr ' ' '\n' | grep -vx NULL)
# Options and the argument they take: "-n --netns NETNS" lines.
option_args=$(sed -nE 's/^ *(NULL|"[^"]*") *, *"([^"]*)" *, *"([^"]*)".*/\1 --\2 \3/p' <<<"$entries" |
	      tr -d '"' | sed 's/^NULL //')

# Exit codes: "TT_EXIT_OK = 0," in taptool.c.
exit_codes=$(sed -nE 's/^\tTT_EXIT_[A-Z_]+ = ([0-9]+),$/\1/p' "$src" | sort -n | tr '\n' ' ')

# The labels of the text output: the words of the string literals of
# output.c's text printers (print_text_*, and the text half of
# tt_print_rates), "rx" of "  %s: rx %" PRIu64 and so on.
text_labels=$(awk '/^(static void print_text_[a-z_]+|int tt_print_rates)\(/ { t = 1 }
		   t { while (match($0, /"([^"\\]|\\.)*"/)) { print substr($0, RSTART, RLENGTH); $0 = substr($0, RSTART + RLENGTH) } }
		   t && /^}/ { t = 0 }' "$output" |
	      sed -E 's/\\n//g; s/%[-0-9.]*[a-z]+//g' | grep -oE '[a-z][a-z>-]*[a-z]' | sort -u)

# The keys of the JSON schema, and the kinds of document it describes.
json_keys=$(jq -r '[.. | objects | .properties? // empty | keys[]] | unique[]' "$schema")

# A test that finds no table would pass for any page.
if [ "${#commands[@]}" -lt 7 ] || [ "${#aliases[@]}" -lt 3 ] ||
   [ "${#keywords[@]}" -lt 15 ] || [ "${#words[@]}" -lt 15 ] ||
   [ "$(wc -w <<<"$options")" -lt 12 ] || [ "$(wc -w <<<"$exit_codes")" -lt 3 ] ||
   [ "$(wc -w <<<"$text_labels")" -lt 15 ] || [ "$(wc -w <<<"$json_keys")" -lt 30 ] ||
   [ "$(wc -l <<<"$keyword_types")" -lt 15 ] || [ "$(wc -l <<<"$type_words")" -lt 3 ]; then
	not_ok "taptool's tables parsed (commands ${#commands[@]}, aliases ${#aliases[@]}, keywords ${#keywords[@]}, words ${#words[@]}, options $(wc -w <<<"$options"), exit codes $(wc -w <<<"$exit_codes"), text labels $(wc -w <<<"$text_labels"), JSON keys $(wc -w <<<"$json_keys"))"
	totals
	exit
fi
ok "taptool's tables parsed: ${#commands[@]} commands, ${#aliases[@]} aliases, ${#keywords[@]} keywords, ${#words[@]} words, $(wc -w <<<"$options") options, exit codes $exit_codes, $(wc -w <<<"$text_labels") text labels, $(wc -w <<<"$json_keys") JSON keys"

# The page as text: no hyphenation, no adjustment, one long line per
# paragraph, so that a term is found as it is typed.
render() {
	MANWIDTH=1000 man --no-hyphenation --no-justification -l "$1" 2>/dev/null | col -b
}

text=$(render "$page")
# section NAME: the lines of one section of the rendered page.
section() {
	awk -v s="$1" '/^[A-Z]/ { on = ($0 == s) ; next } on' <<<"$text"
}
commands_text=$(section COMMANDS)
options_text=$(section OPTIONS)

# has_all WHAT TEXT PATTERN WORD...: one test, that each WORD is found in
# TEXT with PATTERN (WORD where "@" is, regex metacharacters escaped).
has_all() {
	local what=$1 text=$2 pattern=$3 w re missing=()

	shift 3
	for w in "$@"; do
		re=$(sed 's/[].[^$*+?(){}|\\]/\\&/g' <<<"$w")
		grep -qE -- "${pattern//@/$re}" <<<"$text" || missing+=("$w")
	done
	check "taptool(8) $what (${#@})${missing:+ (missing: ${missing[*]})}" \
		test "${#missing[@]}" -eq 0
}

# A command's entry starts a line of COMMANDS: "       add NAME ...".
has_all "has an entry for each command" "$commands_text" "^ +@( |\$)" "${commands[@]}"
has_all "names each alias in COMMANDS" "$commands_text" "(^|[ (,])@([ ),.]|\$)" "${aliases[@]}"
# shellcheck disable=SC2086 # one option a word
has_all "OPTIONS has every option, short and long" "$options_text" "(^|[ ,])@(,|\$| )" $options
missing=()
while read -r short long arg; do
	[ -n "$arg" ] || { arg=$long; long=$short; short=; }
	grep -qE -- "(^| )${short:+$short $arg, }$long $arg( |\$)" <<<"$options_text" || missing+=("$long")
done <<<"$option_args"
check "taptool(8) OPTIONS names each option's argument${missing:+ (missing: ${missing[*]})}" \
	test "${#missing[@]}" -eq 0
has_all "names every keyword" "$text" "(^|[ ({|])@([ )}|,.]|\$)" "${keywords[@]}"
has_all "names every word of names.c" "$text" "(^|[ ({|])@([ )}|,.;]|\$)" "${words[@]}"
# shellcheck disable=SC2086 # one label a word
has_all "TEXT OUTPUT names every label output.c prints" "$(section "TEXT OUTPUT")" \
	"(^|[ (,:])@([ ),.:;/]|\$)" $text_labels
# shellcheck disable=SC2086 # one key a word
has_all "JSON OUTPUT names every key of the schema" "$(section "JSON OUTPUT")" \
	"(^|[ (,])@([ ),.:;]|\$)" $json_keys

for section_name in "EXIT STATUS" "TEXT OUTPUT" "JSON OUTPUT"; do
	check "taptool(8) has $section_name" grep -qx "$section_name" <<<"$text"
done
codes=$(section "EXIT STATUS" | sed -nE 's/^ +([0-9]+)( .*)?$/\1/p' | sort -n | tr '\n' ' ')
check "taptool(8) EXIT STATUS lists taptool.c's exit codes ($exit_codes; page: $codes)" \
	test "$codes" = "$exit_codes"

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
		[ "${#COMPREPLY[@]}" -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$1" |
		LC_ALL=C sort
}

# Config files for the completion of up.
rm -rf "$pkgdir/conf"
mkdir -p "$pkgdir/conf"
: >"$pkgdir/conf/t0.conf"
: >"$pkgdir/conf/t1.conf"
: >"$pkgdir/conf/not-a-config"

if [ ! -r /usr/share/bash-completion/bash_completion ]; then
	skip "completion" "bash-completion is not installed"
else
	got=$(complete_line "taptool " | tr '\n' ' ')
	want=$(printf '%s\n' "${commands[@]}" | LC_ALL=C sort | tr '\n' ' ')
	check "completion offers the command table's commands ($want)" test "$got" = "$want"
	[ "$got" = "$want" ] || echo "#   got: $got"

	got=$(complete_line "taptool -" | tr '\n' ' ')
	want=$(LC_ALL=C sort <<<"$options" | tr '\n' ' ')
	check "completion offers the option table's options ($want)" test "$got" = "$want"
	[ "$got" = "$want" ] || echo "#   got: $got"

	# After each keyword, exactly what it takes: the words of its table,
	# the interfaces for an interface, nothing for a number.
	interfaces=$(ls /sys/class/net | LC_ALL=C sort | tr '\n' ' ')
	bad=()
	while read -r kw type; do
		table=$(awk -v t="$type" '$1 == t { print $2 }' <<<"$type_words")
		if [ -n "$table" ]; then
			want=$(awk -v t="$table" '$1 == t { print $2 }' <<<"$words_of" |
			       LC_ALL=C sort | tr '\n' ' ')
		elif [ "$type" = link_value ]; then
			want=$interfaces
		else
			want=
		fi
		got=$(complete_line "taptool add tap0 $kw " | tr '\n' ' ')
		[ "$got" = "$want" ] || bad+=("$kw (got \"$got\", want \"$want\")")
	done <<<"$keyword_types"
	check "completion offers after each of the $(wc -l <<<"$keyword_types") keywords what its table takes${bad:+ (wrong: ${bad[*]})}" \
		test "${#bad[@]}" -eq 0

	missing=()
	for w in "${keywords[@]}"; do
		grep -qE "(^|[ \"|])$w([ \"|)]|\$)" "$completion" || missing+=("$w")
	done
	check "completion knows every keyword${missing:+ (missing: ${missing[*]})}" \
		test "${#missing[@]}" -eq 0

	# LINE|EXPECTED: what a user types, and what must be among the offers
	# (all of them, space separated; "-" for nothing at all).
	cases=(
		"taptool add tap0 port-a l|lo"
		"taptool add tap0 port-a lo p|port-b"
		"taptool add tap0 port-a lo port-b lo mode |aggregate split custom"
		"taptool add tap0 mode custom mirror lo |dir snaplen tag-ab tag-ba tpid rx-pass mirror link-propagation"
		"taptool set tap0 mode |aggregate split"
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
		"taptool -n ns0 s|set show stats"
		"taptool sh |help"
		"taptool ls |help"
		"taptool delete |help"
		"taptool stats |-i help"
		"taptool stats -i |-"
		"taptool stats -i 1 |-"
		"taptool monitor |help"
		"taptool -C $pkgdir/conf up |t0 t1 help"
		"taptool -C $pkgdir/conf -j up t|t0 t1"
		"taptool down |help"
		"taptool save |help"
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
		 usr/share/bash-completion/completions/taptool \
		 usr/lib/systemd/system/tapbridge@.service; do
		[ -s "$dest/$f" ] || missing+=("$f")
	done
	check "make install-tools install-module-doc DESTDIR=... installs taptool, both pages, the completion and the unit${missing:+ (missing: ${missing[*]})}" \
		test "${#missing[@]}" -eq 0
	got=$(MANPATH=$dest/usr/share/man man -w taptool tapbridge 2>&1 | tr '\n' ' ')
	check "man finds both installed pages ($got)" \
		test "$got" = "$dest/usr/share/man/man8/taptool.8 $dest/usr/share/man/man4/tapbridge.4 "
	got=$("$dest/usr/sbin/taptool" -V | head -n 1)
	check "installed taptool -V prints the version of debian/changelog ($got)" \
		test "$got" = "taptool $version"
else
	not_ok "make install-tools install-module-doc DESTDIR=..."
fi

totals
