#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every host-side check of taptool, as one KTAP stream ("make test"):
#
#   1. tests/run.sh: grammar, messages, output formats, the schema, the
#      round trip, valgrind;
#   2. tests/run.sh again on the ASan/UBSan builds (tests/san/): a
#      sanitizer report changes an exit code or stderr, so it fails a test;
#      the valgrind tests are skipped there;
#   3. gcc -fanalyzer on each source, warnings as errors;
#   4. the libFuzzer harnesses of the argument grammar and of the reply
#      parser, each for TT_FUZZ_SECONDS (default 25), with libFuzzer seed
#      TT_FUZZ_SEED (default 1, so a run repeats), from its committed
#      corpus (tests/corpus/);
#   5. tests/check_spec.py: the attribute tables against the spec.
#
# Each suite's cases are nested; the last line is "# totals: pass=P
# fail=F skip=S" over every case of every suite. Exits 1 if any failed.

set -u

DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$DIR/.." && pwd)
SECONDS_EACH=${TT_FUZZ_SECONDS:-25}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass=0 fail=0 skip=0 suite=0

# suite NAME CMD...: run CMD, whose output is KTAP with a "# totals:"
# line, nested under one "ok"/"not ok" line of NAME.
suite()
{
	local name=$1 out line p f s

	shift
	suite=$((suite + 1))
	out=$("$@" 2>&1)
	sed 's/^/    /' <<<"$out"
	line=$(grep -E '^# totals: pass=[0-9]+ fail=[0-9]+ skip=[0-9]+' <<<"$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "not ok $suite $name # reported no totals"
		fail=$((fail + 1))
		return
	fi
	read -r p f s < <(sed -E 's/.*pass=([0-9]+) fail=([0-9]+) skip=([0-9]+).*/\1 \2 \3/' <<<"$line")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if [ "$f" -eq 0 ]; then
		echo "ok $suite $name"
	else
		echo "not ok $suite $name"
	fi
}

sanitized()
{
	TT_SANITIZED=1 TAPTOOL="$DIR/san/taptool" OUTPUT_TEST="$DIR/san/output_test" \
		TAPTOOL_FAKE="$DIR/san/taptool_fake" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$DIR/run.sh"
}

# One case per source file.
analyzer()
{
	local f n=0 p=0 fl=0

	echo "TAP version 13"
	for f in "$TOP"/main.c "$TOP"/taptool.c "$TOP"/names.c "$TOP"/nl.c \
		 "$TOP"/output.c "$TOP"/parse.c; do
		n=$((n + 1))
		if make -s -C "$TOP" analyze ANALYZE_SRCS="$f" >"$TMP/analyzer" 2>&1; then
			echo "ok $n gcc -fanalyzer ${f##*/}"
			p=$((p + 1))
		else
			sed 's/^/# /' "$TMP/analyzer" | head -n 30
			echo "not ok $n gcc -fanalyzer ${f##*/}"
			fl=$((fl + 1))
		fi
	done
	echo "# totals: pass=$p fail=$fl skip=0"
}

# fuzz NAME: run tests/NAME for SECONDS_EACH from tests/corpus/NAME#fuzz_
# (copied: libFuzzer writes what it finds into its first corpus).
fuzz()
{
	local name=$1 bin="$DIR/fuzz_$1" work="$TMP/fuzz-$1" rc execs

	echo "TAP version 13"
	if [ ! -x "$bin" ]; then
		echo "ok 1 fuzz_$name # SKIP not built (clang with libFuzzer)"
		echo "# totals: pass=0 fail=0 skip=1"
		return
	fi
	mkdir -p "$work/corpus" "$work/cwd"
	cp "$DIR/corpus/$name/"* "$work/corpus/"
	(cd "$work/cwd" && "$bin" -max_total_time="$SECONDS_EACH" \
		-seed="${TT_FUZZ_SEED:-1}" \
		-close_fd_mask=3 -max_len=4096 -rss_limit_mb=1024 \
		-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1)
	rc=$?
	execs=$(grep -oE 'Done [0-9]+ runs' "$work/log" | grep -oE '[0-9]+')
	if [ "$rc" -eq 0 ]; then
		echo "# fuzz_$name: ${execs:-?} runs in ${SECONDS_EACH} s, corpus $(ls "$work/corpus" | wc -l) inputs"
		echo "ok 1 fuzz_$name"
		echo "# totals: pass=1 fail=0 skip=0"
	else
		grep -vE '^#[0-9]+' "$work/log" | tail -n 40 | sed 's/^/# /'
		for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
			[ -f "$f" ] && echo "# input: $(od -An -c "$f" | head -n 4 | tr -s ' ')"
		done
		echo "not ok 1 fuzz_$name # exit $rc"
		echo "# totals: pass=0 fail=1 skip=0"
	fi
}

echo "TAP version 13"
echo "1..6"
suite "host tests" "$DIR/run.sh"
suite "host tests, ASan and UBSan builds" sanitized
suite "gcc -fanalyzer" analyzer
suite "fuzz the argument grammar" fuzz args
suite "fuzz the reply parser" fuzz reply
if [ -f "$DIR/check_spec.py" ]; then
	suite "attribute tables match the spec" python3 "$DIR/check_spec.py"
else
	suite=$((suite + 1))
	echo "ok $suite attribute tables match the spec # SKIP no check_spec.py"
	skip=$((skip + 1))
fi
echo "# totals: pass=$pass fail=$fail skip=$skip"
[ "$fail" -eq 0 ]
