#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of tapbridge_sensor.sh on the pcap files tcpdump wrote.

Standard library only. Each check prints PASS<TAB>desc or
FAIL<TAB>desc<TAB>why, as features.py does, and '#' lines with the
counts and the timestamp figures.

  sensor.py capture --frames N_AB,N_BA --all F --in F --out F
                    --a-in F --a-out F --b-in F --b-out F
      The capture device against the ports (tcpdump -Q in and -Q out on
      port A and port B, nanosecond stamps): tcpdump -Q in on it has
      exactly the frames port A received, in order, byte for byte;
      -Q out exactly those port B received; without -Q each of both once.
      N_AB and N_BA are the frames the test sent each way. Each captured
      frame is stamped no earlier than its port's tcpdump saw it arrive,
      and earlier than the other port sent it: the time it arrived on its
      port, not the time it was handed to the capture device.

  sensor.py tstamp --port F[,F] --tap F --sensor F --want same|later
      A sensor's capture of a mirror's far end against the capture device
      and the ports: the same frames; with --want same each copy carries
      exactly the capture device's stamp of its frame (the port receive
      time), with --want later each is stamped later than that.
"""

import argparse
import statistics
import struct
import sys

PCAP_MAGIC_NS = 0xa1b23c4d
PCAP_MAGIC_US = 0xa1b2c3d4


def read_pcap(path):
    """[(ns, bytes)] of a pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise RuntimeError("%s: no pcap header (%d bytes)" % (path, len(data)))
    magic, = struct.unpack("<I", data[:4])
    if magic in (PCAP_MAGIC_NS, PCAP_MAGIC_US):
        endian = "<"
    else:
        magic, = struct.unpack(">I", data[:4])
        endian = ">"
    if magic not in (PCAP_MAGIC_NS, PCAP_MAGIC_US):
        raise RuntimeError("%s: not a pcap file" % path)
    scale = 1 if magic == PCAP_MAGIC_NS else 1000
    out = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        out.append((sec * 10**9 + frac * scale, data[off:off + incl]))
        off += incl
    return out


def report(ok, desc, why=""):
    if ok:
        print("PASS\t%s" % desc)
    else:
        print("FAIL\t%s\t%s" % (desc, why))
    return 0 if ok else 1


def same_frames(got, want):
    """Why the frames of got are not exactly those of want, in order."""
    if len(got) != len(want):
        return "%d frames, want %d" % (len(got), len(want))
    for i, ((_, g), (_, w)) in enumerate(zip(got, want)):
        if g != w:
            return "frame %d differs (%d bytes, want %d)" % (i, len(g), len(w))
    return ""


def by_bytes(frames):
    """bytes -> [ns, ...] in capture order."""
    out = {}
    for ns, data in frames:
        out.setdefault(data, []).append(ns)
    return out


def figures(label, diffs):
    if not diffs:
        return
    print("# %s: %d frames, mean %.1f us, max %.1f us, min %.1f us" % (
        label, len(diffs), statistics.mean(diffs) / 1000,
        max(diffs) / 1000, min(diffs) / 1000))


def matched(frames, *tables):
    """Each (ns, data) of frames, with the stamps of the same occurrence of
    its bytes in each by_bytes() table, or None when one table lacks it."""
    seen = {}
    for ns, data in frames:
        i = seen.get(data, 0)
        seen[data] = i + 1
        if any(len(t.get(data, [])) <= i for t in tables):
            yield ns, None
        else:
            yield ns, [t[data][i] for t in tables]


def stamp_order(label, captured, port_in, other_out):
    """Each captured frame: port_in <= captured < other_out."""
    diffs, problems = [], []
    for ns, stamps in matched(captured, by_bytes(port_in), by_bytes(other_out)):
        if stamps is None:
            problems.append("a frame missing at a port")
            continue
        arrived, sent = stamps
        diffs.append(ns - arrived)
        if not arrived <= ns < sent:
            problems.append("stamp %+d ns from arrival, %+d ns from the "
                            "other port's send" % (ns - arrived, ns - sent))
    figures("%s: capture stamp - port receive stamp" % label, diffs)
    return report(not problems,
                  "%s: every capture stamp is the port's receive time "
                  "(port tcpdump <= stamp < sent out the other port)" % label,
                  "; ".join(problems[:3]))


def cmd_capture(args):
    n_ab, n_ba = (int(n) for n in args.frames.split(","))
    cap_all, cap_in, cap_out = (read_pcap(p) for p in (args.all, args.cap_in, args.cap_out))
    a_in, a_out, b_in, b_out = (read_pcap(p) for p in
                                (args.a_in, args.a_out, args.b_in, args.b_out))
    print("# port A received %d, port B received %d; tap0: %d without -Q, "
          "%d -Q in, %d -Q out" % (len(a_in), len(b_in), len(cap_all),
                                   len(cap_in), len(cap_out)))
    failed = 0
    failed += report(len(a_in) == n_ab and len(b_in) == n_ba,
                     "the ports received the %d a->b and %d b->a frames sent"
                     % (n_ab, n_ba),
                     "port A %d, port B %d" % (len(a_in), len(b_in)))
    why = same_frames(cap_in, a_in)
    failed += report(not why, "tcpdump -i tap0 -Q in: exactly the %d a->b "
                     "frames, in order, byte for byte" % len(a_in), why)
    why = same_frames(cap_out, b_in)
    failed += report(not why, "tcpdump -i tap0 -Q out: exactly the %d b->a "
                     "frames, in order, byte for byte" % len(b_in), why)
    want = sorted(d for _, d in a_in + b_in)
    got = sorted(d for _, d in cap_all)
    failed += report(got == want, "tcpdump -i tap0: each of the %d frames of "
                     "both directions once" % len(want),
                     "%d frames, want %d" % (len(got), len(want)))
    failed += stamp_order("a->b", cap_in, a_in, b_out)
    failed += stamp_order("b->a", cap_out, b_in, a_out)
    return 1 if failed else 0


def cmd_tstamp(args):
    port = []
    for p in args.port.split(","):
        port += read_pcap(p)
    tap = read_pcap(args.tap)
    sensor = read_pcap(args.sensor)
    failed = 0
    want = sorted(d for _, d in tap)
    got = sorted(d for _, d in sensor)
    failed += report(got == want, "%s: the sensor has the %d frames of the "
                     "capture device, byte for byte" % (args.label, len(want)),
                     "%d frames, want %d" % (len(got), len(want)))
    diffs, problems = [], []
    for ns, stamps in matched(sensor, by_bytes(tap), by_bytes(port)):
        if stamps is None:
            continue
        stamp, arrived = stamps
        diffs.append(ns - arrived)
        if args.want == "same" and ns != stamp:
            problems.append("%+d ns from the receive time" % (ns - stamp))
        if args.want == "later" and ns <= stamp:
            problems.append("%+d ns from the receive time" % (ns - stamp))
    figures("%s: sensor stamp - port receive stamp" % args.label, diffs)
    if args.want == "same":
        desc = "%s: each copy carries its frame's receive time" % args.label
    else:
        desc = "%s: each copy is stamped when the sensor got it" % args.label
    failed += report(diffs and not problems, desc,
                     "; ".join(problems[:3]) or "no frame compared")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("capture")
    p.add_argument("--frames", required=True, metavar="N_AB,N_BA")
    p.add_argument("--all", required=True)
    p.add_argument("--in", dest="cap_in", required=True)
    p.add_argument("--out", dest="cap_out", required=True)
    for name in ("--a-in", "--a-out", "--b-in", "--b-out"):
        p.add_argument(name, required=True)
    p.set_defaults(func=cmd_capture)
    p = sub.add_parser("tstamp")
    p.add_argument("--port", required=True)
    p.add_argument("--tap", required=True)
    p.add_argument("--sensor", required=True)
    p.add_argument("--want", required=True, choices=("same", "later"))
    p.add_argument("--label", default="")
    p.set_defaults(func=cmd_tstamp)
    args = parser.parse_args()
    try:
        return args.func(args)
    except (OSError, RuntimeError) as e:
        print("FAIL\t%s: cannot read the captures\t%s" % (args.cmd, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
