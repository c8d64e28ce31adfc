#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Frame corpus and capture checker for the tapbridge selftests.

Standard library only: it runs with the host's /usr/bin/python3 inside the
test VM, which has no pip.

  frames.py list
      Print the corpus: one line per frame kind with its length.

  frames.py run --send NS:IF [--expect NS:IF,...] [--absent NS:IF,...]
                [--frames all|KIND,...] [--label TEXT] [--summary FILE]
      Open a capture socket on every --expect and --absent interface, send
      each frame of the corpus once on the --send interface, then check
      that every --expect interface received exactly one byte-identical
      copy of each frame and that no --absent interface received any copy.
      Prints one result line per frame kind and writes the number of frames
      and bytes sent to FILE as JSON, for comparison with the counters.

      With --stats NS, it also reads "taptool -j stats" in NS before
      sending and after the last copy is in, and checks each --counters
      INSTANCE:DIRECTION:FWD,MIRROR: that direction's rx counters grew by
      the frames and bytes sent, its fwd and mirror counters by the same
      (FWD "fwd", MIRROR "mirror") or its drop counters by the number of
      frames ("fwd-drop", "mirror-drop"); every other counter of every
      instance in NS must not change.

  frames.py udp NS_A ADDR_A NS_B ADDR_B
      Exchange one UDP datagram each way between ADDR_A (in NS_A) and
      ADDR_B (in NS_B): proof that a link works as a plain interface.

  frames.py serve
      Read one of the commands above per line on stdin (shell-quoted
      words), or "genl ARGS" for a genl.py request, and answer each with
      its output and a line "END <status>".
      Starting Python costs seconds in the emulated test VM; a test script
      starts it once and sends every command to it.

NS:IF names an interface in the network namespace /run/netns/NS; a bare IF
is in the namespace the tool was started in. One process reaches every
namespace with setns(2), so sending and capturing share one clock.

Result lines go to stdout as "PASS<TAB>description" or
"FAIL<TAB>description<TAB>why"; lib.sh turns them into KTAP. Anything else
on stdout starts with "# ".

Every frame of a run carries a marker in its source MAC address,
02:54:42:<run>:<run>:<kind>, so frames of the host's own (IPv6 router
solicitations, say) are told apart from the corpus and ignored, and a copy
that arrives with altered bytes is still attributed to its frame kind.
"""

import argparse
import ctypes
import json
import os
import select
import shlex
import socket
import struct
import subprocess
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8
ETH_P_PAUSE = 0x8808
ETH_P_SLOW = 0x8809
ETH_P_LLDP = 0x88CC
ETH_P_PAE = 0x888E
ETH_P_LOCAL_EXP1 = 0x88B5

SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4
TP_STATUS_VLAN_TPID_VALID = 1 << 6
# struct tpacket_auxdata: u32 status, len, snaplen; u16 mac, net, vlan_tci,
# vlan_tpid.
AUXDATA = struct.Struct("=IIIHHHH")

CLONE_NEWNET = 0x40000000
MARKER_OUI = bytes.fromhex("025442")

BCAST = bytes.fromhex("ffffffffffff")
UNICAST_DST = bytes.fromhex("025442eeee01")


# ---------------------------------------------------------------------------
# Network namespaces

_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: " + os.strerror(err))


class Netns:
    """Enter a netns for the duration of a with block: a name under
    /run/netns, an open fd of one, or None to stay where we are.

    Sockets created inside stay in that netns after the block ends.
    """

    def __init__(self, ns):
        self.ns = ns
        self.home = None

    def __enter__(self):
        if self.ns is None or self.ns == "":
            return self
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        if isinstance(self.ns, int):
            _setns(self.ns)
            return self
        fd = os.open("/run/netns/" + self.ns, os.O_RDONLY)
        try:
            _setns(fd)
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc):
        if self.home is not None:
            _setns(self.home)
            os.close(self.home)
        return False


def split_endpoint(spec):
    """'ns:if' -> ('ns', 'if'); 'if' -> (None, 'if')."""
    if ":" in spec:
        ns, ifname = spec.split(":", 1)
        return ns, ifname
    return None, spec


# ---------------------------------------------------------------------------
# Frame construction

def csum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def eth(dst, src, ethertype):
    return dst + src + struct.pack("!H", ethertype)


def vlan_tag(tpid, vid, pcp=0):
    return struct.pack("!HH", tpid, (pcp << 13) | vid)


def ipv4(src, dst, proto, payload, ttl=64, ident=0x5442):
    src = socket.inet_aton(src)
    dst = socket.inet_aton(dst)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                      0x4000, ttl, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(payload))
    return hdr, pseudo


def ipv6(src, dst, nexthdr, payload, hop_limit=64):
    src = socket.inet_pton(socket.AF_INET6, src)
    dst = socket.inet_pton(socket.AF_INET6, dst)
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(payload), nexthdr,
                      hop_limit, src, dst)
    pseudo = src + dst + struct.pack("!IxxxB", len(payload), nexthdr)
    return hdr, pseudo


def with_l4_checksum(pseudo, l4, offset):
    """Fill the checksum at byte offset of the L4 header l4."""
    l4 = l4[:offset] + b"\0\0" + l4[offset + 2:]
    value = csum(pseudo + l4)
    if value == 0 and offset == 6:     # UDP sends 0 as 0xffff
        value = 0xFFFF
    return l4[:offset] + struct.pack("!H", value) + l4[offset + 2:]


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def tcp(sport, dport, data):
    # PSH|ACK, window 64240, no options.
    return struct.pack("!HHIIBBHHH", sport, dport, 0x54420001, 0x00010000,
                       5 << 4, 0x18, 64240, 0, 0) + data


def icmp_echo(data, icmp_type=8):
    return struct.pack("!BBHHH", icmp_type, 0, 0, 0x5442, 1) + data


def ip_packet(family, proto, l4, csum_offset, src=None, dst=None):
    """An IPv4 or IPv6 packet carrying l4, checksums filled in."""
    if family == 4:
        hdr, pseudo = ipv4(src or "192.0.2.1", dst or "198.51.100.1", proto, l4)
        if proto == 1:             # ICMP: no pseudo header
            pseudo = b""
    else:
        hdr, pseudo = ipv6(src or "2001:db8::1", dst or "2001:db8:1::1",
                           proto, l4)
    return hdr + with_l4_checksum(pseudo, l4, csum_offset)


def ipv4_udp(data, dport=9, src=None, dst=None):
    return ip_packet(4, 17, udp(40000, dport, data), 6, src, dst)


def ipv6_udp(data, dport=9, src=None, dst=None):
    return ip_packet(6, 17, udp(40000, dport, data), 6, src, dst)


def pad(frame, size):
    """Pad to size with zeros, as a NIC pads short frames to 60 bytes."""
    return frame + b"\0" * (size - len(frame)) if len(frame) < size else frame


def filler(text, size):
    """size bytes of payload that start with text."""
    text = text.encode()
    return (text + b"." * size)[:size]


def stp_bpdu(src):
    # IEEE 802.1D configuration BPDU behind an LLC header (DSAP/SSAP 0x42).
    bridge_id = struct.pack("!H", 0x8000) + src
    bpdu = struct.pack("!HBBB8sI8sHHHHH", 0, 0, 0, 0, bridge_id, 0,
                       bridge_id, 0x8001, 0, 20 << 8, 2 << 8, 15 << 8)
    llc = b"\x42\x42\x03"
    hdr = eth(bytes.fromhex("0180c2000000"), src, len(llc) + len(bpdu))
    return pad(hdr + llc + bpdu, 60)


def lacpdu(src):
    # IEEE 802.3ad LACPDU: subtype 1, version 1, actor, partner, collector,
    # terminator, 50 reserved bytes: 110 bytes of slow-protocol payload.
    actor = struct.pack("!BBH6sHHHB3x", 1, 20, 0xFFFF, src, 1, 0xFF, 1, 0x3D)
    partner = struct.pack("!BBH6sHHHB3x", 2, 20, 0, b"\0" * 6, 0, 0, 0, 0)
    collector = struct.pack("!BBH12x", 3, 16, 0)
    body = b"\x01\x01" + actor + partner + collector + b"\0\0" + b"\0" * 50
    return eth(bytes.fromhex("0180c2000002"), src, ETH_P_SLOW) + body


def lldp(src):
    def tlv(t, value):
        return struct.pack("!H", (t << 9) | len(value)) + value
    body = (tlv(1, b"\x04" + src) +                 # chassis id: MAC
            tlv(2, b"\x05" + b"tbr-selftest") +      # port id: ifname
            tlv(3, struct.pack("!H", 120)) +         # TTL
            tlv(5, b"tapbridge") +                   # system name
            tlv(0, b""))
    return pad(eth(bytes.fromhex("0180c200000e"), src, ETH_P_LLDP) + body, 60)


def eapol_start(src):
    body = struct.pack("!BBH", 2, 1, 0)     # 802.1X-2004, EAPOL-Start
    return pad(eth(bytes.fromhex("0180c2000003"), src, ETH_P_PAE) + body, 60)


def pause(src):
    body = struct.pack("!HH", 1, 0xFFFF)     # MAC control PAUSE, quanta
    return pad(eth(bytes.fromhex("0180c2000001"), src, ETH_P_PAUSE) + body, 60)


def arp_request(src):
    body = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, src,
                       socket.inet_aton("192.0.2.1"), b"\0" * 6,
                       socket.inet_aton("192.0.2.2"))
    return eth(BCAST, src, ETH_P_ARP) + body    # 42 bytes, as veth sends it


def build_corpus(nonce):
    """Return [(kind, frame)]; the source MAC of frame i ends in i."""
    makers = [
        ("ipv4-tcp", lambda s: eth(UNICAST_DST, s, ETH_P_IP) +
            ip_packet(4, 6, tcp(40000, 80, filler("tapbridge ipv4-tcp", 64)), 16)),
        ("ipv4-udp", lambda s: eth(UNICAST_DST, s, ETH_P_IP) +
            ipv4_udp(filler("tapbridge ipv4-udp", 64))),
        ("ipv4-icmp", lambda s: eth(UNICAST_DST, s, ETH_P_IP) +
            ip_packet(4, 1, icmp_echo(filler("tapbridge ipv4-icmp", 56)), 2)),
        ("ipv6-tcp", lambda s: eth(UNICAST_DST, s, ETH_P_IPV6) +
            ip_packet(6, 6, tcp(40000, 80, filler("tapbridge ipv6-tcp", 64)), 16)),
        ("ipv6-udp", lambda s: eth(UNICAST_DST, s, ETH_P_IPV6) +
            ipv6_udp(filler("tapbridge ipv6-udp", 64))),
        ("ipv6-icmp", lambda s: eth(UNICAST_DST, s, ETH_P_IPV6) +
            ip_packet(6, 58, icmp_echo(filler("tapbridge ipv6-icmp", 56), 128), 2)),
        ("arp", arp_request),
        ("vlan-8021q", lambda s: eth(UNICAST_DST, s, ETH_P_8021Q) +
            vlan_tag(ETH_P_IP, 100, 3) + ipv4_udp(filler("tapbridge 802.1Q", 64))),
        ("qinq-8021ad", lambda s: eth(UNICAST_DST, s, ETH_P_8021AD) +
            vlan_tag(ETH_P_8021Q, 200, 5) + vlan_tag(ETH_P_IP, 100, 3) +
            ipv4_udp(filler("tapbridge QinQ", 64))),
        ("stp-bpdu", stp_bpdu),
        ("lacpdu", lacpdu),
        ("lldp", lldp),
        ("eapol", eapol_start),
        ("pause", pause),
        ("unknown-ethertype", lambda s: eth(UNICAST_DST, s, ETH_P_LOCAL_EXP1) +
            filler("tapbridge local experimental ethertype", 100)),
        ("broadcast", lambda s: eth(BCAST, s, ETH_P_IP) +
            ipv4_udp(filler("tapbridge broadcast", 64), dst="255.255.255.255")),
        ("multicast-ipv4", lambda s: eth(bytes.fromhex("01005e0000fb"), s, ETH_P_IP) +
            ipv4_udp(filler("tapbridge mdns v4", 64), 5353, dst="224.0.0.251")),
        ("multicast-ipv6", lambda s: eth(bytes.fromhex("3333000000fb"), s, ETH_P_IPV6) +
            ipv6_udp(filler("tapbridge mdns v6", 64), 5353, dst="ff02::fb")),
        ("min-size-60", lambda s: eth(UNICAST_DST, s, ETH_P_IP) +
            ipv4_udp(filler("tapbridge min", 18))),
        ("mtu-1514", lambda s: eth(UNICAST_DST, s, ETH_P_IP) +
            ipv4_udp(filler("tapbridge mtu ipv4", 1500 - 28))),
        ("mtu-ipv6-1514", lambda s: eth(UNICAST_DST, s, ETH_P_IPV6) +
            ipv6_udp(filler("tapbridge mtu ipv6", 1500 - 48))),
        ("mtu-vlan-1518", lambda s: eth(UNICAST_DST, s, ETH_P_8021Q) +
            vlan_tag(ETH_P_IP, 100) + ipv4_udp(filler("tapbridge mtu 802.1Q", 1500 - 28))),
    ]
    corpus = []
    for index, (kind, make) in enumerate(makers):
        src = MARKER_OUI + struct.pack("!HB", nonce, index)
        corpus.append((kind, make(src)))
    sizes = {"min-size-60": 60, "mtu-1514": 1514, "mtu-ipv6-1514": 1514,
             "mtu-vlan-1518": 1518, "arp": 42}
    for kind, frame in corpus:
        assert sizes.get(kind, len(frame)) == len(frame), (kind, len(frame))
        assert len(frame) >= 42
    return corpus


# ---------------------------------------------------------------------------
# Capture

class Capture:
    """An AF_PACKET socket that sees the frames one interface receives."""

    def __init__(self, spec):
        self.spec = spec
        ns, self.ifname = split_endpoint(spec)
        with Netns(ns):
            # Protocol 0 first, then bind with ETH_P_ALL: the socket sees
            # nothing of other interfaces before the bind.
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            sock.bind((self.ifname, ETH_P_ALL))
        sock.setblocking(False)
        self.sock = sock
        self.frames = []        # every received frame, VLAN tag restored
        self.foreign = 0        # frames without the run's marker

    def drain(self, marker):
        while True:
            try:
                data, anc, _, addr = self.sock.recvmsg(65536,
                                                       socket.CMSG_SPACE(AUXDATA.size))
            except BlockingIOError:
                return
            if addr[2] == PACKET_OUTGOING:
                continue
            data = restore_vlan(data, anc)
            if data[6:11] == marker:
                self.frames.append(data)
            else:
                self.foreign += 1


def restore_vlan(data, anc):
    """Put back a VLAN tag that the receive path moved into skb metadata.

    AF_PACKET hands it over in PACKET_AUXDATA, not in the bytes; tcpdump
    reinserts it the same way.
    """
    for level, ctype, cdata in anc:
        if level != SOL_PACKET or ctype != PACKET_AUXDATA:
            continue
        status, _, _, _, _, tci, tpid = AUXDATA.unpack(cdata[:AUXDATA.size])
        if not status & TP_STATUS_VLAN_VALID:
            continue
        if not status & TP_STATUS_VLAN_TPID_VALID:
            tpid = ETH_P_8021Q
        return data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def describe(frames, frame):
    """Why the copies of a frame at one interface are wrong, or None."""
    identical = sum(1 for f in frames if f == frame)
    altered = [f for f in frames if f != frame]
    if identical == 1 and not altered:
        return None
    why = "%d identical cop%s" % (identical, "y" if identical == 1 else "ies")
    for f in altered[:2]:
        at = first_difference(f, frame)
        why += ", altered copy (%d bytes, sent %d; first difference at byte %d: %s vs %s)" % (
            len(f), len(frame), at, f[at:at + 4].hex(), frame[at:at + 4].hex())
    return why


def send_corpus(send, corpus, captures, gap):
    """Send the (kind, frame) corpus on endpoint send, gap seconds apart,
    after emptying the captures (anything queued predates this run).
    Returns the bytes sent."""
    ns, ifname = split_endpoint(send)
    with Netns(ns):
        tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        tx.bind((ifname, 0))
    for cap in captures.values():
        cap.drain(b"\xff")
        cap.foreign = 0
        cap.frames.clear()

    sent_bytes = 0
    with tx:
        for kind, frame in corpus:
            n = tx.send(frame)
            if n != len(frame):
                raise RuntimeError("short send of %s: %d of %d"
                                   % (kind, n, len(frame)))
            sent_bytes += len(frame)
            # A little spacing keeps the receive backlogs short.
            time.sleep(gap)
    return sent_bytes


def cmd_run(args):
    frames_wanted = None if args.frames == "all" else set(args.frames.split(","))
    nonce = int.from_bytes(os.urandom(2), "big")
    corpus = build_corpus(nonce)
    if frames_wanted is not None:
        unknown = frames_wanted - {k for k, _ in corpus}
        if unknown:
            raise RuntimeError("unknown frame kind(s): " + ",".join(sorted(unknown)))
        corpus = [(k, f) for k, f in corpus if k in frames_wanted]
    expect = [s for s in args.expect.split(",") if s]
    absent = [s for s in args.absent.split(",") if s]
    marker = MARKER_OUI + struct.pack("!H", nonce)

    counters = parse_counter_specs(args.counters)
    if counters and not args.stats:
        print("# --counters needs --stats")
        return 2
    stats_before = read_stats(args.stats) if args.stats else None

    captures = {spec: Capture(spec) for spec in expect + absent}

    sent_bytes = send_corpus(args.send, corpus, captures, args.gap)

    def complete():
        for spec in expect:
            got = captures[spec].frames
            for _, frame in corpus:
                if frame not in got:
                    return False
        return True

    # Wait until every expected copy is in (or the timeout), then linger so
    # that duplicates and copies where none belongs have time to show up.
    deadline = time.monotonic() + args.timeout
    linger_until = None
    poller = select.poll()
    for cap in captures.values():
        poller.register(cap.sock, select.POLLIN)
    while True:
        now = time.monotonic()
        if linger_until is None and (complete() or now >= deadline):
            linger_until = now + args.linger
        if linger_until is not None and now >= linger_until:
            break
        end = linger_until if linger_until is not None else deadline
        poller.poll(max(0, int((end - now) * 1000)) + 1)
        for cap in captures.values():
            cap.drain(marker)
    for cap in captures.values():
        cap.drain(marker)
        cap.sock.close()

    print("# sent %d frames, %d bytes on %s" % (len(corpus), sent_bytes, args.send))
    label = args.label + " " if args.label else ""
    failed = 0
    by_src = {frame[6:12]: kind for kind, frame in corpus}
    for kind, frame in corpus:
        problems = []
        for spec in expect:
            got = [f for f in captures[spec].frames if f[6:12] == frame[6:12]]
            why = describe(got, frame)
            if why:
                problems.append("%s: %s, want 1" % (spec, why))
        for spec in absent:
            got = [f for f in captures[spec].frames if f[6:12] == frame[6:12]]
            if got:
                problems.append("%s: %d cop%s, want none" % (
                    spec, len(got), "y" if len(got) == 1 else "ies"))
        if problems:
            failed += 1
            print("FAIL\t%s%s\t%s" % (label, kind, "; ".join(problems)))
        else:
            print("PASS\t%s%s" % (label, kind))
    for spec, cap in captures.items():
        strays = [f for f in cap.frames if f[6:12] not in by_src]
        if strays:
            print("# %s: %d marked frame(s) of no corpus kind" % (spec, len(strays)))
        if cap.foreign:
            print("# %s: ignored %d frame(s) not sent by this run" % (spec, cap.foreign))
    if stats_before is not None:
        stats_after = read_stats(args.stats)
        failed += check_counters(label, stats_before, stats_after, counters,
                                 len(corpus), sent_bytes)
    summary = {"frames": len(corpus), "bytes": sent_bytes, "failed": failed}
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f)
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# Counters

COUNTERS = ("rx_packets", "rx_bytes", "fwd_packets", "fwd_bytes", "fwd_drops",
            "mirror_packets", "mirror_bytes", "mirror_drops")
DIRECTIONS = ("a_to_b", "b_to_a")


def read_stats(ns):
    """{instance: {direction: {counter: value}}} from taptool -j stats."""
    with Netns(ns):
        out = subprocess.run(["taptool", "-j", "stats"], capture_output=True,
                             text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError("taptool -j stats: " + out.stderr.strip())
    return {inst["ifname"]: {d: inst[d] for d in DIRECTIONS}
            for inst in json.loads(out.stdout)}


def parse_counter_specs(specs):
    """['tap0:a_to_b:fwd,mirror'] -> {('tap0', 'a_to_b'): ('fwd', 'mirror')}"""
    out = {}
    for spec in specs:
        inst, direction, what = spec.split(":")
        fwd, mirror = what.split(",")
        assert direction in DIRECTIONS, spec
        assert fwd in ("fwd", "fwd-drop") and mirror in ("mirror", "mirror-drop"), spec
        out[(inst, direction)] = (fwd, mirror)
    return out


def expected_change(fwd, mirror, frames, nbytes):
    want = dict.fromkeys(COUNTERS, 0)
    want["rx_packets"], want["rx_bytes"] = frames, nbytes
    if fwd == "fwd":
        want["fwd_packets"], want["fwd_bytes"] = frames, nbytes
    else:
        want["fwd_drops"] = frames
    if mirror == "mirror":
        want["mirror_packets"], want["mirror_bytes"] = frames, nbytes
    else:
        want["mirror_drops"] = frames
    return want


def check_counters(label, before, after, specs, frames, nbytes):
    """One result line per named direction, one for all the rest."""
    failed = 0
    rest = []
    if set(before) != set(after):
        rest.append("instances were %s, are %s" % (sorted(before), sorted(after)))
    for inst in sorted(set(before) & set(after)):
        for direction in DIRECTIONS:
            old, new = before[inst][direction], after[inst][direction]
            spec = specs.get((inst, direction))
            if spec:
                want = expected_change(spec[0], spec[1], frames, nbytes)
            else:
                want = dict.fromkeys(COUNTERS, 0)
            wrong = ["%s %+d, want %+d" % (c, new[c] - old[c], want[c])
                     for c in COUNTERS if new[c] - old[c] != want[c]]
            if spec:
                desc = "%scounters %s %s: %d frames, %d bytes, %s" % (
                    label, inst, direction, frames, nbytes, "+".join(spec))
                if wrong:
                    failed += 1
                    print("FAIL\t%s\t%s" % (desc, "; ".join(wrong)))
                else:
                    print("PASS\t%s" % desc)
            elif wrong:
                rest.append("%s %s: %s" % (inst, direction, "; ".join(wrong)))
    for inst, direction in specs:
        if inst not in after:
            failed += 1
            print("FAIL\t%scounters %s %s\tno such instance" % (label, inst, direction))
    desc = "%scounters of every other instance and direction unchanged" % label
    if rest:
        failed += 1
        print("FAIL\t%s\t%s" % (desc, "; ".join(rest)))
    else:
        print("PASS\t%s" % desc)
    return failed


def cmd_list(args):
    for kind, frame in build_corpus(0):
        print("%-20s %5d" % (kind, len(frame)))
    return 0


def cmd_udp(args):
    """One datagram each way between two addresses in two netns."""
    port = 40000 + int.from_bytes(os.urandom(1), "big")
    family = socket.AF_INET6 if ":" in args.addr_a else socket.AF_INET
    with Netns(args.ns_a):
        sa = socket.socket(family, socket.SOCK_DGRAM)
        sa.bind((args.addr_a, port))
    with Netns(args.ns_b):
        sb = socket.socket(family, socket.SOCK_DGRAM)
        sb.bind((args.addr_b, port))
    sa.settimeout(args.timeout)
    sb.settimeout(args.timeout)
    ping = b"tapbridge udp ping " + os.urandom(8).hex().encode()
    try:
        sa.sendto(ping, (args.addr_b, port))
        data, peer = sb.recvfrom(2048)
        if data != ping or peer[0] != args.addr_a:
            print("# unexpected datagram from %s" % (peer,))
            return 1
        sb.sendto(data[::-1], peer)
        data, peer = sa.recvfrom(2048)
        if data != ping[::-1]:
            print("# unexpected reply from %s" % (peer,))
            return 1
    except (socket.timeout, OSError) as e:
        print("# udp %s -> %s: %s" % (args.addr_a, args.addr_b, e))
        return 1
    return 0


class ParserExit(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """An argument parser that does not exit the serve loop on an error."""

    def error(self, message):
        raise ParserExit(message)


def serve_loop(parser, name, serve_func, special=None):
    """Run one command a line from stdin, and print "END <status>" after
    each, until stdin closes: one Python start serves a whole script.
    special maps a first word to a function of the remaining words."""
    for line in sys.stdin:
        words = shlex.split(line)
        if not words:
            continue
        try:
            if special and words[0] in special:
                status = special[words[0]](words[1:])
            else:
                sub = parser.parse_args(words)
                if sub.func is serve_func:
                    raise ParserExit("serve does not nest")
                status = sub.func(sub)
        except (ParserExit, SystemExit) as e:
            print("# %s: %s" % (name, e))
            status = 2
        except Exception as e:           # report, and keep serving
            print("# %s: %s: %s" % (name, type(e).__name__, e))
            status = 3
        print("END %d" % status, flush=True)
    return 0


def genl_request(words):
    """genl.py's requests, without a Python start of their own."""
    import genl
    return genl.run(words, err=sys.stdout)


def cmd_serve(args):
    return serve_loop(make_parser(), "frames.py", cmd_serve,
                      {"genl": genl_request})


def make_parser():
    parser = Parser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("list", help="print the corpus")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("run", help="send the corpus and check the captures")
    p.add_argument("--send", required=True, metavar="NS:IF")
    p.add_argument("--expect", default="", metavar="NS:IF,...")
    p.add_argument("--absent", default="", metavar="NS:IF,...")
    p.add_argument("--frames", default="all", metavar="KIND,...")
    p.add_argument("--label", default="")
    p.add_argument("--summary", metavar="FILE")
    p.add_argument("--timeout", type=float, default=5.0,
                   help="seconds to wait for the expected copies")
    p.add_argument("--linger", type=float, default=1.0,
                   help="seconds to keep listening after that")
    p.add_argument("--gap", type=float, default=0.002,
                   help="seconds between two frames")
    p.add_argument("--stats", metavar="NS",
                   help="netns whose taptool counters are checked")
    p.add_argument("--counters", action="append", default=[],
                   metavar="INSTANCE:DIRECTION:FWD,MIRROR")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("udp", help="UDP round trip between two netns")
    p.add_argument("ns_a")
    p.add_argument("addr_a")
    p.add_argument("ns_b")
    p.add_argument("addr_b")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_udp)

    p = sub.add_parser("serve", help="run commands read from stdin")
    p.set_defaults(func=cmd_serve)
    return parser


def main():
    parser = make_parser()
    try:
        args = parser.parse_args()
    except ParserExit as e:
        parser.print_usage(sys.stderr)
        sys.exit("frames.py: " + str(e))
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
