#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The measurements of `make bench`. Runs inside the test VM (started by
# selftests/bench/run.sh through selftests/vm/run.sh), with tapbridge.ko
# loaded and taptool on PATH:
#
#   guest.sh RESULTS
#
# For each feed into port A, each frame size and each path from port A
# to port B (and its mirrors), pktgen sends TBR_BENCH_FRAMES frames (a
# multiple of 1024) and reports the time they took; RESULTS gets one
# line per run, tab-separated:
#
#   feed size path frames elapsed_ns status why
#
# status is "ok" when port B's far end and every mirror's far end
# received exactly the frames sent (the drop floor: none), "failed"
# otherwise, with why saying what was missing: a path must not win by
# dropping. Each run is made TBR_BENCH_REPEAT times (3) and elapsed_ns
# is the shortest: under icount the guest's time is its instructions,
# and anything else that ran in the guest meanwhile (a kworker, the
# console) can only add to it. An eighth field lists every time.
# selftests/bench/table.py makes the table from this file.
#
# The feeds (selftests/bench/run.sh and README.rst say why both):
#   netif_receive  pktgen xmit_mode netif_receive into a dummy port A,
#                  as samples/pktgen/pktgen_bench_xmit_mode_netif_
#                  receive.sh does (burst 1024: the skb reaches the
#                  handler shared)
#   veth           pktgen transmitting a fresh, unshared skb for every
#                  frame (clone_skb 0, flag !SHARED) on the veth peer of
#                  port A, as a NIC hands frames over
#
# Every far end is a veth peer: the frame is received there and dropped
# by the stack as addressed to another host, the same cost on every path.
# The whole run is in the VM's root netns: nothing else runs there.

set -euo pipefail

results=$1
frames=${TBR_BENCH_FRAMES:-51200}
# Frames before each measurement, not counted: slab caches grow, the
# bridge learns, lazily allocated per-CPU state gets allocated.
warmup=${TBR_BENCH_WARMUP:-2048}
repeat=${TBR_BENCH_REPEAT:-3}
# Lists of words; TBR_BENCH_* pick a part of the bench, by hand.
read -r -a sizes <<<"${TBR_BENCH_SIZES:-60 1514}"
read -r -a feeds <<<"${TBR_BENCH_FEEDS:-netif_receive veth}"
read -r -a paths <<<"${TBR_BENCH_PATHS:-floor redirect tc_mirror bridge_mirror aggregate split mirrors_2 mirrors_4 mirrors_8 snaplen tags}"
# Unicast to no one here, as in samples/pktgen: every far end drops it.
dst_mac=90:e2:ba:ff:ff:ff
dst_ip=198.18.0.42
pg=/proc/net/pktgen

die() {
	echo "bench: $*" >&2
	exit 1
}

if (( frames % 1024 )); then
	die "TBR_BENCH_FRAMES must be a multiple of 1024 (pktgen's burst), not $frames"
fi
[ -d "$pg" ] || die "no $pg: the kernel lacks CONFIG_NET_PKTGEN"

# No IPv6 on any device made here: no DAD or MLD frame in a count. A veth
# backlog deep enough for a whole run: pktgen may queue frames faster
# than the softirq drains them, and a drop there is no path's fault.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
sysctl -qw net.core.netdev_max_backlog=$((frames + warmup))

# Port A for each feed (dA, or vA with pktgen on vAp), port B vB, the
# mirrors m1..m8; each far end is the device's name with "p".
{
	echo "link add dA type dummy"
	echo "link add vA type veth peer name vAp"
	echo "link add vB type veth peer name vBp"
	for i in 1 2 3 4 5 6 7 8; do
		echo "link add m$i type veth peer name m${i}p"
	done
	for dev in dA vA vAp vB vBp m{1..8} m{1..8}p; do
		echo "link set $dev up"
	done
} | ip -batch - || die "cannot create the devices"

# Let what the last commands started finish before a timed run: udev
# handles the uevents of new devices with workers of its own, deferred
# work and RCU callbacks run, the console drains. With sleep=off the
# idle time costs no real time.
quiesce() {
	udevadm settle -t 30 2>/dev/null || true
	sleep 1
}

# rx_packets of a device, as ip -s link shows it.
rx_packets() {
	local n

	read -r n <"/sys/class/net/$1/statistics/rx_packets"
	echo "$n"
}

# setup PATH PORT_A: make PATH from PORT_A to vB; sets ends to the far
# ends that must each receive every frame sent.
setup() {
	local path=$1 a=$2 i mirrors=()

	ends=()

	case $path in
	floor)
		# No handler: the stack drops the frames on port A.
		;;
	redirect)
		tc qdisc add dev "$a" ingress
		tc filter add dev "$a" ingress matchall \
			action mirred egress redirect dev vB
		ends=(vBp)
		;;
	tc_mirror)
		tc qdisc add dev "$a" ingress
		tc filter add dev "$a" ingress matchall \
			action mirred egress mirror dev m1 \
			action mirred egress redirect dev vB
		ends=(vBp m1p)
		;;
	bridge_mirror)
		# A static entry for the destination: the bridge forwards
		# to vB, as it would once it has learned the host there,
		# rather than flooding.
		ip link add br0 type bridge stp_state 0
		ip link set "$a" master br0
		ip link set vB master br0
		ip link set br0 up
		bridge fdb add "$dst_mac" dev vB master static
		tc qdisc add dev "$a" ingress
		tc filter add dev "$a" ingress matchall \
			action mirred egress mirror dev m1
		ends=(vBp m1p)
		;;
	aggregate)
		taptool add tap0 port-a "$a" port-b vB mode aggregate mirror m1 >/dev/null
		ip link set tap0 up
		ends=(vBp m1p)
		;;
	split)
		taptool add tap0 port-a "$a" port-b vB mode split \
			mirror-ab m1 mirror-ba m2 >/dev/null
		ip link set tap0 up
		ends=(vBp m1p)
		;;
	mirrors_*)
		ends=(vBp)
		for ((i = 1; i <= ${path#mirrors_}; i++)); do
			mirrors+=(mirror "m$i")
			ends+=("m${i}p")
		done
		taptool add tap0 port-a "$a" port-b vB mode custom "${mirrors[@]}" >/dev/null
		ip link set tap0 up
		;;
	snaplen)
		# 128 bytes: the 1514-byte frames are sliced, the 60-byte
		# ones pass whole after the length check.
		taptool add tap0 port-a "$a" port-b vB mode custom \
			mirror m1 snaplen 128 >/dev/null
		ip link set tap0 up
		ends=(vBp m1p)
		;;
	tags)
		taptool add tap0 port-a "$a" port-b vB mode custom \
			mirror m1 tag-ab 10 tag-ba 20 >/dev/null
		ip link set tap0 up
		ends=(vBp m1p)
		;;
	*)
		die "unknown path $path"
		;;
	esac
}

teardown() {
	local path=$1 a=$2

	case $path in
	floor) ;;
	redirect | tc_mirror) tc qdisc del dev "$a" ingress ;;
	bridge_mirror)
		tc qdisc del dev "$a" ingress
		ip link del br0
		;;
	*) taptool del tap0 ;;
	esac
}

# pktgen_run FEED SIZE COUNT: send COUNT frames of SIZE bytes; prints
# "sent elapsed_ns errors" from pktgen's result.
pktgen_run() {
	local feed=$1 size=$2 count=$3 dev result

	case $feed in
	netif_receive) dev=dA ;;
	veth) dev=vAp ;;
	esac
	echo reset >"$pg/pgctrl"
	echo rem_device_all >"$pg/kpktgend_0"
	echo "add_device $dev" >"$pg/kpktgend_0"
	{
		echo "count $count"
		echo "pkt_size $size"
		echo "delay 0"
		echo "flag NO_TIMESTAMP"
		echo "dst_mac $dst_mac"
		echo "dst_min $dst_ip"
		echo "dst_max $dst_ip"
	} | while read -r cmd; do echo "$cmd" >"$pg/$dev"; done
	case $feed in
	netif_receive)
		echo "xmit_mode netif_receive" >"$pg/$dev"
		echo "burst 1024" >"$pg/$dev"
		;;
	veth)
		echo "clone_skb 0" >"$pg/$dev"
		echo "flag !SHARED" >"$pg/$dev"
		;;
	esac
	# Blocks until pktgen has sent them all.
	echo start >"$pg/pgctrl"
	result=$(grep -A1 '^Result: ' "$pg/$dev")
	# Result: OK: 12345(c12000+d345) usec, 102400 (60byte,0frags)
	#   8296pps 3Mb/sec (3982080bps) errors: 0
	if [[ ! $result =~ OK:\ ([0-9]+)\(c[0-9]+\+d[0-9]+\)\ usec,\ ([0-9]+)\ .*errors:\ ([0-9]+) ]]; then
		echo "0 0 pktgen: ${result//$'\n'/ }"
		return
	fi
	echo "${BASH_REMATCH[2]} $((BASH_REMATCH[1] * 1000)) ${BASH_REMATCH[3]}"
}

# measure FEED SIZE PATH: one timed run of PATH, set up from port A;
# sets sent and elapsed, and status and why if a check failed (a status
# already failed stays).
measure() {
	local feed=$1 size=$2 path=$3 dev want got stats errors want_errors

	# Counters before, at every far end there is: on
	# the drop floor nothing may arrive anywhere.
	declare -A before=()
	for dev in vBp m{1..8}p; do
		before[$dev]=$(rx_packets "$dev")
	done
	[ -d /sys/class/net/tap0 ] && taptool reset-stats tap0
	read -r sent elapsed errors < <(pktgen_run "$feed" "$size" "$frames")
	# netif_receive_skb() returns NET_RX_DROP for a frame
	# the stack dropped, and pktgen counts it as an error:
	# on the drop floor, every frame is one.
	want_errors=0
	[ "$feed/$path" = netif_receive/floor ] && want_errors=$frames
	if [ "$sent" != "$frames" ] || [ "$errors" != "$want_errors" ]; then
		status=failed why="pktgen sent $sent of $frames, errors $errors (want $want_errors)"
	fi
	for dev in vBp m{1..8}p; do
		want=0
		[[ " ${ends[*]} " == *" $dev "* ]] && want=$sent
		got=$(( $(rx_packets "$dev") - before[$dev] ))
		if [ "$status" = ok ] && [ "$got" != "$want" ]; then
			status=failed why="$dev received $got of $want"
		fi
	done
	unset before
	# tapbridge's own counters must agree: every frame
	# forwarded, every copy sent, nothing dropped.
	if [ "$status" = ok ] && [ -d /sys/class/net/tap0 ]; then
		stats=$(taptool -j stats tap0 | jq -r --argjson n "$sent" \
			--argjson copies $(( sent * (${#ends[@]} - 1) )) '.[0].a_to_b |
			[.fwd_packets == $n, .fwd_drops == 0,
			 .mirror_packets == $copies, .mirror_drops == 0] | all')
		[ "$stats" = true ] ||
			status=failed why="taptool stats: $(taptool -j stats tap0 | jq -c '.[0].a_to_b')"
	fi
}

: >"$results"
for feed in "${feeds[@]}"; do
	case $feed in
	netif_receive) port_a=dA ;;
	veth) port_a=vA ;;
	*) die "unknown feed $feed" ;;
	esac
	for path in "${paths[@]}"; do
		setup "$path" "$port_a"
		for size in "${sizes[@]}"; do
			pktgen_run "$feed" "$size" "$warmup" >/dev/null
			best='' times=() status=ok why=''
			for ((rep = 0; rep < repeat; rep++)); do
				quiesce
				measure "$feed" "$size" "$path"
				times+=("$elapsed")
				if [ -z "$best" ] || [ "$elapsed" -lt "$best" ]; then
					best=$elapsed
				fi
				[ "$status" = ok ] || break
			done
			elapsed=$best
			all=${times[*]}
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$feed" "$size" "$path" \
				"$sent" "$elapsed" "$status" "$why" "${all// /,}" | tee -a "$results"
		done
		teardown "$path" "$port_a"
	done
done
echo reset >"$pg/pgctrl"
