#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# taptool's output, text and JSON, line for line: show and stats of one
# instance and of all, help and usage errors.
#
#   $FAR                $TAP                          $FAR
#   xa ---- pa --[tap0 aggregate]-- pb ---- xb       mirror m1 ---- y1
#   xc ---- qa --[tap1 split]------ qb ---- xd       mirror-ab m2 ---- y2
#                                                    mirror-ba m3 ---- y3

source "$(dirname "$0")/lib.sh"

tbr_require
setup_ns TAP FAR || exit $ksft_skip

{
	for pair in pa:xa pb:xb qa:xc qb:xd ra:xe rb:xf m1:y1 m2:y2 m3:y3 \
		    m4:y4 m5:y5; do
		echo "link add name ${pair%:*} type veth peer name ${pair#*:} netns $FAR"
		echo "link set dev ${pair%:*} up"
	done
} | ip_batch "$TAP" || exit $ksft_skip
{
	for dev in xa xb xc xd xe xf y1 y2 y3 y4 y5; do
		echo "link set dev $dev up"
	done
} | ip_batch "$FAR" || exit $ksft_skip

# output_is DESC WANT_STATUS WANT_STDOUT WANT_STDERR CMD...
output_is()
{
	local desc=$1 want_rc=$2 want_out=$3 want_err=$4; shift 4
	local out rc

	out=$("$@" 2> "$TBR_TMP/stderr")
	rc=$?
	check_eq "exit status" "$rc" "$want_rc"
	check_eq "stdout" "$out" "$want_out"
	check_eq "stderr" "$(< "$TBR_TMP/stderr")" "$want_err"
	log_test "$desc"
}

# json_is DESC WANT_JSON CMD...: CMD prints JSON equal to WANT_JSON (same
# keys, same values, same order of array elements).
json_is()
{
	local desc=$1 want=$2; shift 2
	local out

	out=$("$@")
	check_err $? "$* failed"
	jq -n -e --argjson got "$out" --argjson want "$want" '$got == $want' \
		> /dev/null 2>&1
	check_err $? "got $out, want ${want//[$'\n\t']/ }"
	log_test "$desc"
}

in_tap()
{
	tt "$TAP" "$@"
}

##############################################################################
# No instances

output_is "show with no instance prints nothing" 0 "" "" in_tap show
output_is "-j show with no instance prints []" 0 "[]" "" in_tap -j show
output_is "stats with no instance prints nothing" 0 "" "" in_tap stats

tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m1 &&
tt "$TAP" add tap1 port-a qa port-b qb mode split mirror-ab m2 mirror-ba m3
check_err $? "taptool add failed"
log_test "add tap0 (aggregate) and tap1 (split)"

IDX0=$(link_ifindex "$TAP" tap0)
IDX1=$(link_ifindex "$TAP" tap1)
IDXM1=$(link_ifindex "$TAP" m1)
IDXM2=$(link_ifindex "$TAP" m2)
IDXM3=$(link_ifindex "$TAP" m3)

# mirror_json NAME IFINDEX DIR [PACKETS BYTES]: one entry of "mirrors",
# with no option set, having sent PACKETS copies of BYTES (default 0).
mirror_json()
{
	local name=$1 ifindex=$2 dir=$3 packets=${4:-0} bytes=${5:-0}

	echo "{\"ifname\": $name, \"ifindex\": $ifindex, \"dir\": \"$dir\",
		\"snaplen\": null, \"tag_ab\": null, \"tag_ba\": null,
		\"tpid\": \"802.1q\", \"rx_pass\": false,
		\"tx_packets\": $packets, \"tx_bytes\": $bytes, \"tx_drops\": 0,
		\"sliced\": 0, \"oversize\": 0, \"rx_drops\": 0}"
}

# dev_json IF: how an object names device IF of $TAP.
dev_json()
{
	echo "{\"ifname\": \"$1\", \"ifindex\": $(link_ifindex "$TAP" "$1")}"
}

# json_dir PACKETS BYTES: the counters of a direction that forwarded and
# mirrored PACKETS frames of BYTES, and dropped none.
json_dir()
{
	local n=$1 b=$2

	echo "{\"rx_packets\": $n, \"rx_bytes\": $b, \"fwd_packets\": $n,
	       \"fwd_bytes\": $b, \"fwd_drops\": 0, \"fwd_oversize\": 0,
	       \"mirror_packets\": $n,
	       \"mirror_bytes\": $b, \"mirror_drops\": 0}"
}

# The instance options, all at their defaults.
OPTIONS_JSON="\"link_propagation\": false, \"hold_down_ms\": 1000,
	\"rx_all\": false, \"capture\": false, \"wire_tstamp\": false,
	\"propagation_actions\": 0, \"stats_resets\": 0,
	\"port_loss\": \"delete\", \"warnings\": []"

# ports_json A B: both port slots attached, to A and B, never lost.
ports_json()
{
	local port dev

	for port in a b; do
		dev=$1; shift
		echo "\"port_${port}_state\": \"attached\", \"port_${port}_name\": \"$dev\",
		      \"port_${port}_losses\": 0, \"port_${port}_returns\": 0,"
	done
}

# tap0_json AB_N AB_B BA_N BA_B / tap1_json: the JSON of each instance,
# show and stats alike, after the traffic given (none by default).
tap0_json()
{
	echo "{\"schema_version\": 1, \"ifname\": \"tap0\", \"ifindex\": $IDX0,
	\"mode\": \"aggregate\", \"port_a\": $(dev_json pa), \"port_b\": $(dev_json pb),
	$(ports_json pa pb) \"mirror\": $(dev_json m1), \"mirror_ab\": null, \"mirror_ba\": null,
	\"mirrors\": [$(mirror_json '"m1"' "$IDXM1" both $((${1:-0} + ${3:-0})) \
		$((${2:-0} + ${4:-0})))], $OPTIONS_JSON,
	\"a_to_b\": $(json_dir "${1:-0}" "${2:-0}"),
	\"b_to_a\": $(json_dir "${3:-0}" "${4:-0}")}"
}

tap1_json()
{
	echo "{\"schema_version\": 1, \"ifname\": \"tap1\", \"ifindex\": $IDX1,
	\"mode\": \"split\", \"port_a\": $(dev_json qa), \"port_b\": $(dev_json qb),
	$(ports_json qa qb) \"mirror\": null, \"mirror_ab\": $(dev_json m2), \"mirror_ba\": $(dev_json m3),
	\"mirrors\": [$(mirror_json '"m2"' "$IDXM2" a-b),
	$(mirror_json '"m3"' "$IDXM3" b-a)], $OPTIONS_JSON,
	\"a_to_b\": $(json_dir 0 0), \"b_to_a\": $(json_dir 0 0)}"
}

##############################################################################
# show

SHOW0="tap0: mode aggregate port-a pa port-b pb mirror m1"
SHOW1="tap1: mode split port-a qa port-b qb mirror-ab m2 mirror-ba m3"
JSON0=$(tap0_json)
JSON1=$(tap1_json)

output_is "show lists both instances" 0 "$SHOW0"$'\n'"$SHOW1" "" in_tap show
output_is "show tap0" 0 "$SHOW0" "" in_tap show tap0
output_is "show tap1" 0 "$SHOW1" "" in_tap show tap1
json_is "-j show lists both instances" "[$JSON0, $JSON1]" in_tap -j show
json_is "-j show tap1" "[$JSON1]" in_tap -j show tap1

out=$(tt "$TAP" -j -p show)
[[ $out == *$'\n'"  "* ]]
check_err $? "-j -p printed no indented line: $out"
json_is "-j -p show is indented and says the same" "[$JSON0, $JSON1]" echo "$out"

##############################################################################
# stats, after known traffic

frames_check "stats traffic a->b" --send "$FAR:xa" --frames ipv4-udp,arp,vlan-8021q \
	--expect "$FAR:xb,$FAR:y1" --stats "$TAP" --counters tap0:a_to_b:fwd,mirror
AB_N=$(summary_get frames)
AB_B=$(summary_get bytes)
frames_check "stats traffic b->a" --send "$FAR:xb" --frames lldp,mtu-1514 \
	--expect "$FAR:xa,$FAR:y1" --stats "$TAP" --counters tap0:b_to_a:fwd,mirror
BA_N=$(summary_get frames)
BA_B=$(summary_get bytes)

text_dir()
{
	local label=$1 n=$2 b=$3

	echo "  $label: rx $n pkts $b bytes  fwd $n pkts $b bytes  fwd-drops 0 oversize 0  mirror $n pkts $b bytes  mirror-drops 0"
}

# mirror_line NAME PACKETS BYTES: a mirror's counters, nothing dropped.
mirror_line()
{
	echo "  mirror $1: tx $2 pkts $3 bytes  tx-drops 0  sliced 0  oversize 0  rx-drops 0"
}

M1_N=$((AB_N + BA_N))
M1_B=$((AB_B + BA_B))
STATS0="tap0:"$'\n'"$(text_dir "a->b" "$AB_N" "$AB_B")"$'\n'"$(text_dir "b->a" "$BA_N" "$BA_B")"
STATS0+=$'\n'"$(mirror_line m1 "$M1_N" "$M1_B")"
STATS1="tap1:"$'\n'"$(text_dir "a->b" 0 0)"$'\n'"$(text_dir "b->a" 0 0)"
STATS1+=$'\n'"$(mirror_line m2 0 0)"$'\n'"$(mirror_line m3 0 0)"
SJSON0=$(tap0_json "$AB_N" "$AB_B" "$BA_N" "$BA_B")
SJSON1=$(tap1_json)

output_is "stats tap0" 0 "$STATS0" "" in_tap stats tap0
output_is "stats lists both instances" 0 "$STATS0"$'\n'"$STATS1" "" in_tap stats
json_is "-j stats tap0" "[$SJSON0]" in_tap -j stats tap0
json_is "-j stats lists both instances" "[$SJSON0, $SJSON1]" in_tap -j stats
json_is "-j show says what -j stats says" "[$SJSON0, $SJSON1]" in_tap -j show

# Every JSON document of this test, against the schema.
{
	in_tap -j show
	in_tap -j -p stats
	in_tap -j -V
} > "$TBR_TMP/all.json"
python3 "$TBR_ROOT/tools/taptool/tests/check_json.py" --min 3 "$TBR_TMP/all.json" \
	> "$TBR_TMP/schema.out"
check_err $? "$(cat "$TBR_TMP/schema.out")"
log_test "-j show, -j stats and -j -V match taptool.schema.json"

##############################################################################
# reset-stats: every counter of tap0 from 0 at once, counted, and an event

# The instance device's statistics (ip -s link) are not reset.
ip_rx()
{
	ip -n "$TAP" -s -j link show dev tap0 | jq '.[0].stats64.rx.packets'
}
IP_RX=$(ip_rx)
check_eq "ip -s link: rx of tap0 before reset-stats" "$IP_RX" "$((AB_N + BA_N))"

# The monitor subscribes some time after it starts: reset until it prints
# the event, and count the resets.
RESETS=0
in_tap monitor > "$TBR_TMP/reset-events" 2>&1 &
MON=$!
defer kill "$MON"
for ((try = 0; try < 40; try++)); do
	in_tap reset-stats tap0 || break
	RESETS=$((RESETS + 1))
	grep -qx "\[.*\] tap0: counters reset" "$TBR_TMP/reset-events" && break
	sleep 0.25
done
grep -qx "\[.*\] tap0: counters reset" "$TBR_TMP/reset-events"
check_err $? "monitor printed no reset of tap0 after $RESETS resets: $(cat "$TBR_TMP/reset-events")"
log_test "reset-stats tap0 ($RESETS times): monitor prints \"tap0: counters reset\""

ZERO0=$(tap0_json | jq -c ".stats_resets = $RESETS")
json_is "-j stats tap0 after reset-stats: every counter 0, stats_resets $RESETS" \
	"[$ZERO0]" in_tap -j stats tap0
json_is "-j stats tap1 is not reset" "[$SJSON1]" in_tap -j stats tap1
output_is "stats tap0 after reset-stats" 0 \
	"tap0:"$'\n'"$(text_dir "a->b" 0 0)"$'\n'"$(text_dir "b->a" 0 0)"$'\n'"$(mirror_line m1 0 0)"$'\n'"  stats-resets $RESETS" \
	"" in_tap stats tap0
check_eq "ip -s link: rx of tap0 after reset-stats" "$(ip_rx)" "$IP_RX"
log_test "reset-stats leaves ip -s link's counters of tap0 as they were"

# Counting goes on from 0, exactly.
frames_check "traffic after reset-stats a->b" --send "$FAR:xa" --frames ipv4-udp,arp \
	--expect "$FAR:xb,$FAR:y1" --stats "$TAP" --counters tap0:a_to_b:fwd,mirror
N=$(summary_get frames)
B=$(summary_get bytes)
json_is "-j stats tap0 after reset-stats and $N frames: just those" \
	"[$(tap0_json "$N" "$B" | jq -c ".stats_resets = $RESETS")]" in_tap -j stats tap0
output_is "reset-stats of an instance that does not exist" 1 "" \
	"Error: no tapbridge instance tap9" in_tap reset-stats tap9

##############################################################################
# iproute2's habits: -n, prefixes, batch, and show lines given back to add

output_is "-n NETNS: show in NETNS" 0 "$SHOW0"$'\n'"$SHOW1" "" taptool -n "$TAP" show
output_is "-n NETNS: ls tap1" 0 "$SHOW1" "" taptool -n "$TAP" ls tap1
output_is "-n NETNS: sh tap0" 0 "$SHOW0" "" taptool -n "$TAP" sh tap0

# tap2: a custom list with every mirror option and the instance options.
out=$(taptool -n "$TAP" -j add tap2 port-a ra port-b rb mode custom \
	mirror m4 dir a-b snaplen 128 tag-ab 10 tag-ba 20 tpid 802.1ad \
	mirror m5 rx-pass on link-propagation on hold-down 200 2>&1)
check_eq "-j add output" "$out" \
	"{\"schema_version\":1,\"command\":\"add\",\"ifname\":\"tap2\",\"ifindex\":$(link_ifindex "$TAP" tap2),\"warnings\":[]}"
log_test "-n NETNS -j add of a custom list prints its result"
SHOW2="tap2: mode custom port-a ra port-b rb mirror m4 dir a-b snaplen 128 tag-ab 10 tag-ba 20 tpid 802.1ad mirror m5 dir both rx-pass on link-propagation on hold-down 200"
output_is "show tap2: the custom list as given" 0 "$SHOW2" "" in_tap show tap2

# Each line of show, after "add", makes the same instance again: a batch
# deletes all three and adds them back from the lines show printed.
BEFORE=$(in_tap show)
{
	sed -E 's/^([^:]*):.*/del \1/' <<< "$BEFORE"
	sed 's/^/add /' <<< "$BEFORE"
} > "$TBR_TMP/again.batch"
output_is "batch: del and add each instance from its show line" 0 "" "" \
	taptool -n "$TAP" -batch "$TBR_TMP/again.batch"
output_is "show after the round trip is show before it" 0 "$BEFORE" "" in_tap show
IDX0=$(link_ifindex "$TAP" tap0)
IDX1=$(link_ifindex "$TAP" tap1)

printf '%s\n' "show tap0" "add tap9 port-a nosuch0" "show tap1" > "$TBR_TMP/stop.batch"
output_is "batch stops at the first failure, naming its line" 1 "$SHOW0" \
	"Error: interface \"nosuch0\" does not exist
Command failed $TBR_TMP/stop.batch:2" taptool -n "$TAP" -b "$TBR_TMP/stop.batch"
output_is "batch -force runs every line" 1 "$SHOW0"$'\n'"$SHOW1" \
	"Error: interface \"nosuch0\" does not exist
Command failed -:2" \
	taptool -n "$TAP" -force -b - < "$TBR_TMP/stop.batch"
tt "$TAP" del tap2

##############################################################################
# An absent mirror

ip -n "$TAP" link del dev m3
output_is "show prints a mirror that is gone as -" 0 \
	"tap1: mode split port-a qa port-b qb mirror-ab m2 mirror-ba -" "" in_tap show tap1
GONE1="{\"schema_version\": 1, \"ifname\": \"tap1\", \"ifindex\": $IDX1,
	\"mode\": \"split\", \"port_a\": $(dev_json qa), \"port_b\": $(dev_json qb),
	$(ports_json qa qb) \"mirror\": null, \"mirror_ab\": $(dev_json m2), \"mirror_ba\": null,
	\"mirrors\": [$(mirror_json '"m2"' "$IDXM2" a-b),
	$(mirror_json null null b-a)], $OPTIONS_JSON,
	\"a_to_b\": $(json_dir 0 0), \"b_to_a\": $(json_dir 0 0)}"
json_is "-j show prints a mirror that is gone as null" "[$GONE1]" in_tap -j show tap1

##############################################################################
# Help and usage errors

INSTANCE_OPTIONS="INSTANCE-OPTIONS := [link-propagation on|off] [hold-down MS] [rx-all on|off]
                    [port-loss delete|wait] [capture on|off]
                    [wire-tstamp on|off]"
USAGE_ADD="  taptool add NAME port-a IF port-b IF mode aggregate [mirror IF] [INSTANCE-OPTIONS]
  taptool add NAME port-a IF port-b IF mode split mirror-ab IF mirror-ba IF [INSTANCE-OPTIONS]
  taptool add NAME port-a IF port-b IF mode custom mirror IF [MIRROR-OPTIONS] [mirror IF [MIRROR-OPTIONS]]... [INSTANCE-OPTIONS]"
USAGE_SET="  taptool set NAME mode aggregate [mirror IF] [INSTANCE-OPTIONS]
  taptool set NAME mode split mirror-ab IF mirror-ba IF [INSTANCE-OPTIONS]
  taptool set NAME INSTANCE-OPTIONS
  taptool set NAME mirror add IF [MIRROR-OPTIONS]
  taptool set NAME mirror del IF"
MIRROR_OPTIONS="MIRROR-OPTIONS := [dir a-b|b-a|both] [snaplen N] [tag-ab VID] [tag-ba VID]
                  [tpid 802.1q|802.1ad] [rx-pass on|off]"
HELP_ADD="Usage:"$'\n'"$USAGE_ADD"$'\n\n'"$INSTANCE_OPTIONS"$'\n'"$MIRROR_OPTIONS"
HELP_SET="Usage:"$'\n'"$USAGE_SET"$'\n\n'"$INSTANCE_OPTIONS"$'\n'"$MIRROR_OPTIONS"
TRY='Try "taptool help".'

out=$(taptool --help)
check_err $? "taptool --help failed"
for line in "Usage: taptool [OPTIONS] COMMAND" "$USAGE_ADD" "$USAGE_SET" \
	    "  taptool del NAME" "  taptool show [NAME]" "  taptool stats [-i SECONDS] [NAME]" \
	    "  -j, --json " "  -p, --pretty "; do
	[[ $out == *"$line"* ]]
	check_err $? "taptool --help lacks: $line"
done
log_test "taptool --help lists every command and option"

output_is "help add" 0 "$HELP_ADD" "" taptool help add
output_is "add help" 0 "$HELP_ADD" "" taptool add help
output_is "set help" 0 "$HELP_SET" "" taptool set help
output_is "unknown command" 2 "" 'Error: unknown command "frob"'$'\n'"$TRY" taptool frob
output_is "unknown option" 2 "" 'Error: unknown option "-x"'$'\n'"$TRY" taptool -x show
output_is "keyword without a value" 2 "" 'Error: "port-a" needs a value'$'\n'"$TRY" \
	taptool add tap9 port-a
output_is "mirror keyword of the other mode" 2 "" \
	'Error: mode aggregate takes "mirror", not "mirror-ab"'$'\n'"$TRY" \
	taptool add tap9 port-a pa port-b pb mode aggregate mirror-ab m1
output_is "unknown mode" 2 "" 'Error: unknown mode "mirror" (aggregate, split or custom)'$'\n'"$TRY" \
	taptool add tap9 port-a pa port-b pb mode mirror
output_is "name too long" 2 "" \
	'Error: "abcdefghijklmnop" is not a valid instance name (1 to 15 characters)'$'\n'"$TRY" \
	taptool show abcdefghijklmnop

out=$(taptool -V)
[[ $out =~ ^taptool\ [0-9] ]]
check_err $? "taptool -V printed: $out"
log_test "taptool -V prints its version"

ktap_finish
