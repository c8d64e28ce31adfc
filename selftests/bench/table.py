#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The table of `make bench`, from the results of selftests/bench/guest.sh.

    table.py --mode icount|wall --raw RESULTS --json OUT.json
             [--against ICOUNT.json] [--machine KEY=VALUE]...

Prints one table and writes it, with the raw figures, as JSON to OUT.json.
When OUT.json is already there (the run before), it is kept as
OUT-prev.json and the largest difference to it is printed: under icount
the figures repeat to about 0.1 % from boot to boot.

icount: guest time counts instructions (QEMU -icount shift=0, one
nanosecond per instruction), so ns per frame is instructions per frame.
Columns: virtual pps, instructions per frame, the same above the drop
floor of that feed and size, and the ratio of pps to tc matchall
mirror+redirect.

wall: wall-clock pps on two vCPUs. Too noisy for ratios on a shared
2-core host; it only says whether the paths come in the same order as
in the icount table given with --against.

Exit status: 1 if a path failed its count check (a path must not win by
dropping) or a run is missing, else 0.
"""

import argparse
import json
import os
import sys

# Path names of guest.sh, in the order of the table, and what they are.
PATHS = {
    "floor": "no handler (drop floor)",
    "redirect": "tc matchall redirect",
    "tc_mirror": "tc matchall mirror+redirect",
    "bridge_mirror": "Linux bridge + tc mirror",
    "aggregate": "tapbridge aggregate",
    "split": "tapbridge split",
    "mirrors_2": "tapbridge 2 mirrors",
    "mirrors_4": "tapbridge 4 mirrors",
    "mirrors_8": "tapbridge 8 mirrors",
    "snaplen": "tapbridge snaplen 128",
    "tags": "tapbridge direction tags",
}
FEEDS = {
    "netif_receive": "(a) pktgen netif_receive into a dummy port",
    "veth": "(b) pktgen fresh skbs on a veth peer",
}


def read_raw(path):
    runs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 6:
                continue
            feed, size, name, frames, elapsed, status = fields[:6]
            runs.append({
                "feed": feed,
                "size": int(size),
                "path": name,
                "frames": int(frames),
                "elapsed_ns": int(elapsed),
                "status": status,
                "why": fields[6] if len(fields) > 6 else "",
                # Every repetition; elapsed_ns is the shortest.
                "times_ns": [int(t) for t in fields[7].split(",") if t]
                if len(fields) > 7 else [],
            })
    return runs


def compute(runs):
    """Fill in pps, ns per frame, above floor and the ratio to tc."""
    by_key = {(r["feed"], r["size"], r["path"]): r for r in runs}
    for r in runs:
        ok = r["status"] == "ok" and r["elapsed_ns"] > 0
        r["pps"] = r["frames"] * 1e9 / r["elapsed_ns"] if ok else None
        r["ns_per_frame"] = r["elapsed_ns"] / r["frames"] if ok else None
    for r in runs:
        floor = by_key.get((r["feed"], r["size"], "floor"))
        tc = by_key.get((r["feed"], r["size"], "tc_mirror"))
        r["above_floor"] = None
        r["ratio_tc"] = None
        if r["pps"] is None:
            continue
        if floor and floor["ns_per_frame"] is not None:
            r["above_floor"] = r["ns_per_frame"] - floor["ns_per_frame"]
        if tc and tc["pps"] is not None and r["path"] != "floor":
            r["ratio_tc"] = r["pps"] / tc["pps"]


def kpps(pps):
    return "-" if pps is None else f"{pps / 1000:.1f}k"


def num(value, fmt):
    return "-" if value is None else format(value, fmt)


def order(runs, feed, size):
    """Path names of one feed and size, fastest first (floor left out)."""
    rows = [r for r in runs if r["feed"] == feed and r["size"] == size
            and r["path"] != "floor" and r["pps"] is not None]
    return [r["path"] for r in sorted(rows, key=lambda r: -r["pps"])]


def groups(runs):
    seen = []
    for r in runs:
        if (r["feed"], r["size"]) not in seen:
            seen.append((r["feed"], r["size"]))
    return seen


def print_table(runs, mode):
    if mode == "icount":
        head = (f"{'path':<30} {'virtual pps':>11} {'insn/frame':>10} "
                f"{'above floor':>11} {'x tc':>5}")
    else:
        head = f"{'path':<30} {'wall pps':>11} {'ns/frame':>10}"
    for feed, size in groups(runs):
        print(f"\n{FEEDS.get(feed, feed)}, {size} B")
        print(head)
        for r in runs:
            if (r["feed"], r["size"]) != (feed, size):
                continue
            name = PATHS.get(r["path"], r["path"])
            if r["status"] != "ok":
                print(f"{name:<30} FAILED: {r['why']}")
                continue
            line = (f"{name:<30} {kpps(r['pps']):>11} "
                    f"{num(r['ns_per_frame'], '.0f'):>10}")
            if mode == "icount":
                line += (f" {num(r['above_floor'], '.0f'):>11}"
                         f" {num(r['ratio_tc'], '.2f'):>5}")
            print(line)


def compare_prev(runs, prev):
    """Largest relative difference of ns per frame to the run before."""
    old = {(r["feed"], r["size"], r["path"]): r for r in prev["runs"]}
    worst = None
    for r in runs:
        o = old.get((r["feed"], r["size"], r["path"]))
        if not o or r["ns_per_frame"] is None or o.get("ns_per_frame") is None:
            continue
        diff = abs(r["ns_per_frame"] - o["ns_per_frame"]) / o["ns_per_frame"]
        if worst is None or diff > worst[0]:
            worst = (diff, r)
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("icount", "wall"), required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--against")
    ap.add_argument("--machine", action="append", default=[])
    args = ap.parse_args()

    runs = read_raw(args.raw)
    compute(runs)
    machine = dict(kv.split("=", 1) for kv in args.machine)
    # What each figure is made of, from the results themselves.
    if runs:
        machine["frames"] = (f"{runs[0]['frames']} a run, the shortest of "
                             f"{max(len(r['times_ns']) for r in runs) or 1}, "
                             "after a warm-up")

    if args.mode == "icount":
        print("make bench: QEMU TCG -icount shift=0,sleep=off, 1 vCPU; "
              "1 guest ns = 1 instruction")
    else:
        print("make bench BENCH_MODE=wall: wall clock, 2 vCPUs, no icount. "
              "NOISY on a shared host: only the order of the paths means "
              "anything here")
    for key, value in machine.items():
        print(f"  {key}: {value}")
    print_table(runs, args.mode)

    status = 0
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        print(f"\n{len(failed)} path(s) FAILED the count check "
              "(frames sent = received at B and at each mirror)")
        status = 1
    want = len(groups(runs)) * len(PATHS)
    if not runs or len(runs) < want:
        print(f"\n{len(runs)} runs, {want} expected: the bench did not finish")
        status = 1

    if args.mode == "wall" and args.against:
        print()
        try:
            with open(args.against, encoding="utf-8") as f:
                ref = json.load(f)
        except (OSError, ValueError) as e:
            print(f"no icount table to compare the order with ({e})")
            ref = None
        if ref:
            for feed, size in groups(runs):
                want_order = order(ref["runs"], feed, size)
                got = order(runs, feed, size)
                same = [p for p in got if p in want_order] == \
                    [p for p in want_order if p in got]
                print(f"order of {feed} {size} B: "
                      f"{'same as icount' if same else 'DIFFERS from icount'}"
                      f" ({' > '.join(got)})")

    doc = {
        "mode": args.mode,
        "machine": machine,
        "runs": runs,
    }
    if os.path.exists(args.json):
        prev_path = args.json[:-len(".json")] + "-prev.json"
        os.replace(args.json, prev_path)
        try:
            with open(prev_path, encoding="utf-8") as f:
                prev = json.load(f)
        except ValueError:
            prev = None
        worst = prev and compare_prev(runs, prev)
        if worst:
            diff, r = worst
            doc["repeat_max_diff"] = diff
            print(f"\nagainst the run before ({os.path.basename(prev_path)}): "
                  f"largest difference {diff * 100:.3f} % "
                  f"({r['feed']} {r['size']} B {r['path']})")
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"\nwritten: {args.json}")
    return status


if __name__ == "__main__":
    sys.exit(main())
