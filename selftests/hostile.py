#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile frames from the wire for the tapbridge selftests.

  hostile.py --send NS:IF --wire NS:IF --mirror NS:IF --sliced NS:IF:SNAPLEN
             --stats NS --instance NAME --mirror-dev IF --sliced-dev IF
             [--mtu N] [--ring]

Sends frames no well-behaved host sends on port A's far end --send: runts,
frames over the ports' MTU, broken VLAN headers, 64 stacked tags. With
--ring they go through a PACKET_TX_RING socket with PACKET_QDISC_BYPASS
instead of send(2), at offsets that make them cross page boundaries: the
port gets them as page fragments with only the Ethernet header in the
linear area. Each frame has the fate the README documents, and this checks
it:

  fwd        forwarded byte for byte to --wire, copied byte for byte to
             --mirror (a mirror with no snaplen) and cut to SNAPLEN on
             --sliced;
  oversize   larger than port B's MTU allows (tags aside): dropped and
             counted as a forward drop and oversize, and the same on the
             whole-frame mirror; the sliced mirror still gets its cut copy;
  lost       dropped before the TAP sees it (by veth, whose peer takes at
             most MTU + 18 bytes and which tells the sender so, ENOBUFS; or
             by the kernel's receive path, which drops a VLAN header cut
             short): nowhere, and not counted.

The counters of "taptool -j stats" in NS before and after must differ by
exactly what the fates add up to: per direction rx, fwd, fwd drops and
oversize, mirror packets, bytes and drops; per mirror tx packets, bytes,
drops, sliced and oversize. Result lines as frames.py prints them.
"""

import argparse
import errno
import json
import mmap
import os
import select
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frames  # noqa: E402
from frames import Netns, split_endpoint  # noqa: E402

SOL_PACKET = 263
PACKET_VERSION = 10
PACKET_TX_RING = 13
PACKET_QDISC_BYPASS = 20
TPACKET_V2 = 1
TP_STATUS_AVAILABLE = 0
TP_STATUS_SEND_REQUEST = 1
TP_STATUS_WRONG_FORMAT = 4
# Frame data of a TPACKET_V2 TX ring slot: after the aligned header.
TPACKET2_DATA = 32

ETH_P_EXP2 = 0x88B6


def tags(n, inner, alternate=False):
    """n stacked VLAN tags, VIDs 1..n, the last one followed by inner."""
    out = b""
    for i in range(n):
        tpid = frames.ETH_P_8021AD if alternate and i % 2 == 0 else frames.ETH_P_8021Q
        out += struct.pack("!H", tpid) if i else b""
        out += struct.pack("!H", (i % 4094) + 1)
    return out + struct.pack("!H", inner)


def corpus(nonce, mtu):
    """[(kind, frame, fate, tags)]: each frame's source MAC carries the run
    marker and its index."""
    def src(i):
        return frames.MARKER_OUI + struct.pack("!HB", nonce, i)

    def udp(s, size, text):
        frame = frames.eth(frames.UNICAST_DST, s, frames.ETH_P_IP)
        return frame + frames.ipv4_udp(frames.filler(text, size - 14 - 28))

    def raw(s, ethertype, payload):
        return frames.eth(frames.UNICAST_DST, s, ethertype) + payload

    def vlan(s, outer, body):
        return frames.eth(frames.UNICAST_DST, s, outer) + body

    ip = frames.ipv4_udp(frames.filler("tapbridge 64 tags", 40))
    makers = [
        # Runts: shorter than the 60 bytes of a padded minimum frame.
        ("runt-14", lambda s: raw(s, ETH_P_EXP2, b""), "fwd", 0),
        ("runt-15", lambda s: raw(s, ETH_P_EXP2, b"x"), "fwd", 0),
        ("runt-20-ipv4", lambda s: raw(s, frames.ETH_P_IP, b"\x45" * 6), "fwd", 0),
        ("runt-42", lambda s: raw(s, ETH_P_EXP2, frames.filler("runt", 28)), "fwd", 0),
        ("runt-59", lambda s: raw(s, ETH_P_EXP2, frames.filler("runt", 45)), "fwd", 0),
        # Over the ports' MTU, within what veth lets in (MTU + 18).
        ("over-mtu+1", lambda s: udp(s, mtu + 15, "over mtu"), "oversize", 0),
        ("over-mtu+4", lambda s: udp(s, mtu + 18, "over mtu"), "oversize", 0),
        # One tag and a full MTU: tags do not count against it.
        ("tagged-mtu", lambda s: vlan(s, frames.ETH_P_8021Q, tags(1, frames.ETH_P_IP) +
                                      frames.ipv4_udp(frames.filler("t", mtu - 28))),
         "fwd", 1),
        # Past what veth takes: it drops them before the port.
        ("over-mtu+5", lambda s: udp(s, mtu + 19, "over mtu"), "lost", 0),
        ("jumbo", lambda s: udp(s, mtu + 500, "jumbo"), "lost", 0),
        # Broken VLAN headers.
        ("vlan-cut-0", lambda s: vlan(s, frames.ETH_P_8021Q, b""), "lost", 0),
        ("vlan-cut-2", lambda s: vlan(s, frames.ETH_P_8021Q, b"\x00\x64"), "lost", 0),
        # skb_vlan_untag() wants the tag and 2 bytes more.
        ("vlan-cut-4", lambda s: vlan(s, frames.ETH_P_8021Q, tags(1, frames.ETH_P_IP)),
         "lost", 0),
        ("vlan-cut-6", lambda s: vlan(s, frames.ETH_P_8021Q,
                                      tags(1, frames.ETH_P_IP) + b"\x45\x00"), "fwd", 1),
        ("vlan-vid-0", lambda s: vlan(s, frames.ETH_P_8021Q, b"\xe0\x00\x08\x00" + ip),
         "fwd", 1),
        ("vlan-vid-4095", lambda s: vlan(s, frames.ETH_P_8021Q, b"\x1f\xff\x08\x00" + ip),
         "fwd", 1),
        ("qinq-inner-cut-5", lambda s: vlan(s, frames.ETH_P_8021AD, b"\x00\xc8\x81\x00\x00"),
         "lost", 0),
        ("qinq-inner-cut-6", lambda s: vlan(s, frames.ETH_P_8021AD,
                                            b"\x00\xc8\x81\x00\x00\x01"), "fwd", 2),
        ("vlan-in-vlan-cut", lambda s: vlan(s, frames.ETH_P_8021Q,
                                            b"\x00\x64\x81\x00\x00\x65\x81\x00"), "fwd", 3),
        # 64 stacked tags.
        ("64-tags", lambda s: vlan(s, frames.ETH_P_8021Q, tags(64, frames.ETH_P_IP) + ip),
         "fwd", 64),
        ("64-tags-mixed", lambda s: vlan(s, frames.ETH_P_8021AD,
                                         tags(64, frames.ETH_P_IP, True) + ip), "fwd", 64),
        ("64-tags-no-payload", lambda s: vlan(s, frames.ETH_P_8021Q,
                                              tags(64, frames.ETH_P_8021Q)), "fwd", 65),
    ]
    return [(kind, make(src(i)), fate, ntags)
            for i, (kind, make, fate, ntags) in enumerate(makers)]


class Ring:
    """A PACKET_TX_RING socket that bypasses the qdisc."""

    FRAME = 3072        # slots straddle the 4096-byte pages
    BLOCK = 3 * 4096
    NR = 4

    def __init__(self, spec):
        ns, ifname = split_endpoint(spec)
        with Netns(ns):
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        self.sock.setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V2)
        self.sock.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
        frames_nr = self.BLOCK // self.FRAME * self.NR
        req = struct.pack("=IIII", self.BLOCK, self.NR, self.FRAME, frames_nr)
        self.sock.setsockopt(SOL_PACKET, PACKET_TX_RING, req)
        self.sock.bind((ifname, 0))
        self.slots = frames_nr
        self.map = mmap.mmap(self.sock.fileno(), self.BLOCK * self.NR)
        self.next = 0

    def send(self, frame):
        """Queue frame in the next slot and transmit; the slot's status
        afterwards (TP_STATUS_AVAILABLE when it went out)."""
        base = self.next * self.FRAME
        self.next = (self.next + 1) % self.slots
        deadline = time.monotonic() + 2
        while struct.unpack_from("=I", self.map, base)[0] != TP_STATUS_AVAILABLE:
            if time.monotonic() > deadline:
                raise OSError(errno.EBUSY, "ring slot still busy")
            time.sleep(0.001)
        self.map[base + TPACKET2_DATA:base + TPACKET2_DATA + len(frame)] = frame
        struct.pack_into("=II", self.map, base + 4, len(frame), len(frame))
        struct.pack_into("=I", self.map, base, TP_STATUS_SEND_REQUEST)
        try:
            self.sock.send(b"")
        except OSError as e:
            struct.pack_into("=I", self.map, base, TP_STATUS_AVAILABLE)
            raise e
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            status = struct.unpack_from("=I", self.map, base)[0]
            if status not in (TP_STATUS_SEND_REQUEST, 2):    # 2: sending
                break
            time.sleep(0.001)
        return status

    def close(self):
        self.map.close()
        self.sock.close()


def read_stats(ns, instance):
    with Netns(ns):
        out = subprocess.run(["taptool", "-j", "stats", instance],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout)[0]


def expected(corpus_sent, mtu, snaplen, mirror, sliced):
    """The counter changes the fates add up to."""
    d = dict.fromkeys(("rx_packets", "rx_bytes", "fwd_packets", "fwd_bytes",
                       "fwd_drops", "fwd_oversize", "mirror_packets",
                       "mirror_bytes", "mirror_drops"), 0)
    keys = ("tx_packets", "tx_bytes", "tx_drops", "sliced", "oversize", "rx_drops")
    m = {mirror: dict.fromkeys(keys, 0), sliced: dict.fromkeys(keys, 0)}
    for _, frame, fate, ntags in corpus_sent:
        if fate == "lost":
            continue
        n = len(frame)
        d["rx_packets"] += 1
        d["rx_bytes"] += n
        # The MTU check of port B and of the whole-frame mirror (both
        # have the same MTU): the frame's tags do not count.
        if n > 14 + 4 * ntags + mtu:
            d["fwd_drops"] += 1
            d["fwd_oversize"] += 1
            d["mirror_drops"] += 1
            m[mirror]["tx_drops"] += 1
            m[mirror]["oversize"] += 1
        else:
            d["fwd_packets"] += 1
            d["fwd_bytes"] += n
            d["mirror_packets"] += 1
            d["mirror_bytes"] += n
            m[mirror]["tx_packets"] += 1
            m[mirror]["tx_bytes"] += n
        cut = min(n, snaplen)
        d["mirror_packets"] += 1
        d["mirror_bytes"] += cut
        m[sliced]["tx_packets"] += 1
        m[sliced]["tx_bytes"] += cut
        if n > snaplen:
            m[sliced]["sliced"] += 1
    return d, m


def deltas(before, after, mirrors):
    d = {k: after["a_to_b"][k] - before["a_to_b"][k] for k in before["a_to_b"]}
    back = {k: after["b_to_a"][k] - before["b_to_a"][k] for k in before["b_to_a"]}
    m = {}
    for mb, ma in zip(before["mirrors"], after["mirrors"]):
        if ma["ifname"] in mirrors:
            m[ma["ifname"]] = {k: ma[k] - mb[k] for k in ma if isinstance(ma[k], int)
                               and k != "ifindex" and k in mb}
    return d, back, m


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--send", required=True)
    parser.add_argument("--wire", required=True)
    parser.add_argument("--mirror", required=True)
    parser.add_argument("--sliced", required=True, metavar="NS:IF:SNAPLEN")
    parser.add_argument("--stats", required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--mirror-dev", required=True)
    parser.add_argument("--sliced-dev", required=True)
    parser.add_argument("--mtu", type=int, default=1500)
    parser.add_argument("--ring", action="store_true")
    parser.add_argument("--label", default="")
    args = parser.parse_args()

    sliced_ns, sliced_if, snaplen = args.sliced.rsplit(":", 2)
    snaplen = int(snaplen)
    nonce = int.from_bytes(os.urandom(2), "big")
    marker = frames.MARKER_OUI + struct.pack("!H", nonce)
    items = corpus(nonce, args.mtu)
    label = args.label + " " if args.label else ""
    caps = {spec: frames.Capture(spec) for spec in
            (args.wire, args.mirror, sliced_ns + ":" + sliced_if, args.send)}
    before = read_stats(args.stats, args.instance)

    ns, ifname = split_endpoint(args.send)
    with Netns(ns):
        tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        tx.bind((ifname, 0))
    ring = Ring(args.send) if args.ring else None
    for cap in caps.values():
        cap.drain(b"\xff")
        cap.frames.clear()
    failed = 0
    sent = []
    for kind, frame, fate, ntags in items:
        if ring and len(frame) > args.mtu + 18:
            # veth's drop would fail the ring's send and stop the ring at
            # that slot; send(2) shows that drop well enough.
            continue
        try:
            if ring:
                status = ring.send(frame)
                ok = status == TP_STATUS_AVAILABLE
                why = "slot status %d" % status
            else:
                ok = tx.send(frame) == len(frame)
                why = "short send"
        except OSError as e:
            # veth reports the frame its peer did not take as a drop.
            ok = fate == "lost" and e.errno == errno.ENOBUFS
            why = str(e)
        if ok:
            sent.append((kind, frame, fate, ntags))
        else:
            failed += 1
            print("FAIL\t%s%s: sent\t%s" % (label, kind, why))
        time.sleep(0.002)
    if ring:
        ring.close()
    tx.close()

    # Wait for what is due, then linger for what is not.
    def due():
        wire = caps[args.wire].frames
        return all(f in wire for _, f, fate, _ in sent if fate == "fwd")
    deadline = time.monotonic() + 5
    poller = select.poll()
    for cap in caps.values():
        poller.register(cap.sock, select.POLLIN)
    while not due() and time.monotonic() < deadline:
        poller.poll(100)
        for cap in caps.values():
            cap.drain(marker)
    end = time.monotonic() + 1
    while time.monotonic() < end:
        poller.poll(100)
        for cap in caps.values():
            cap.drain(marker)
    after = read_stats(args.stats, args.instance)

    sliced_spec = sliced_ns + ":" + sliced_if
    for kind, frame, fate, ntags in sent:
        problems = []
        want = {args.wire: [frame] if fate == "fwd" else [],
                args.mirror: [frame] if fate == "fwd" else [],
                sliced_spec: [frame[:snaplen]] if fate != "lost" else []}
        for spec, frames_wanted in want.items():
            got = [f for f in caps[spec].frames if f[6:12] == frame[6:12]]
            if got != frames_wanted:
                problems.append("%s: %d cop%s (%s), want %d of %d bytes" % (
                    spec, len(got), "y" if len(got) == 1 else "ies",
                    ",".join(str(len(f)) for f in got), len(frames_wanted),
                    len(frames_wanted[0]) if frames_wanted else 0))
        echo = [f for f in caps[args.send].frames if f[6:12] == frame[6:12]]
        if echo:
            problems.append("%s: %d cop%s came back" % (args.send, len(echo),
                                                      "y" if len(echo) == 1 else "ies"))
        desc = "%s%s (%d bytes, %d tags): %s" % (label, kind, len(frame), ntags, fate)
        if problems:
            failed += 1
            print("FAIL\t%s\t%s" % (desc, "; ".join(problems)))
        else:
            print("PASS\t%s" % desc)
    for cap in caps.values():
        cap.sock.close()

    want_d, want_m = expected(sent, args.mtu, snaplen, args.mirror_dev, args.sliced_dev)
    got_d, got_back, got_m = deltas(before, after, (args.mirror_dev, args.sliced_dev))
    wrong = ["a_to_b %s %+d, want %+d" % (k, got_d.get(k, 0), v)
             for k, v in want_d.items() if got_d.get(k, 0) != v]
    wrong += ["b_to_a %s %+d, want 0" % (k, v) for k, v in got_back.items() if v]
    for dev, want in want_m.items():
        wrong += ["mirror %s %s %+d, want %+d" % (dev, k, got_m.get(dev, {}).get(k, 0), v)
                  for k, v in want.items() if got_m.get(dev, {}).get(k, 0) != v]
    desc = "%scounters: %d frames sent, %d reached the TAP, every one counted" % (
        label, len(sent), sum(1 for s in sent if s[2] != "lost"))
    if wrong:
        failed += 1
        print("FAIL\t%s\t%s" % (desc, "; ".join(wrong)))
    else:
        print("PASS\t%s" % desc)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
