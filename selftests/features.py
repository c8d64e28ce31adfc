#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Frame and counter checks for the tapbridge feature selftests: mirror
lists, transmit-only mirrors, sliced and tagged copies, MTUs, TCP traffic
and the capture a sensor makes of it.

Standard library only, like frames.py, whose corpus and capture sockets it
reuses. lib_features.sh starts it once per script ("features.py serve")
and sends it one command a line.

  features.py run --send NS:IF [--frames KIND,...] [--wire NS:IF]
                  [--copy NS:IF=MIRROR[@TRANSFORM]]... [--absent NS:IF,...]
                  [--stats NS --dir INSTANCE:DIRECTION]
                  [--fwd sent|dropped|oversize|none]
                  [--lost MIRROR[:oversize]]... [--rx-drops MIRROR]
      Send each frame once on --send (KIND "all": the whole corpus of
      frames.py; big-1515, big-2000 and jumbo-9014 are there for MTU
      tests) and check what arrives:
        --wire     one byte-identical copy of each frame (the other port's
                   far end);
        --copy     one copy of each frame as the mirror MIRROR sends it:
                   TRANSFORM is "tag=TPID/VID" (TPID in hex: 8100, 88a8),
                   "snap=N", or both joined with "+" (tagged first, then
                   cut, as the kernel does);
        --absent   not one frame of the run.
      With --stats, "taptool -j stats" in NS is read before and after, and
      every counter of every instance and mirror there must have moved by
      exactly what the run implies, and no other:
        direction DIRECTION of INSTANCE: rx by the frames and bytes sent;
        fwd packets/bytes (--fwd sent, the default), fwd drops (dropped),
        fwd drops and fwd oversize (oversize), or nothing at all (none:
        the frames never reach a port); mirror packets/bytes by the copies
        of every --copy, mirror drops by one per frame and --lost mirror;
        each --copy MIRROR: tx packets/bytes by its copies, sliced by the
        copies that were cut; each --lost MIRROR: tx drops (and oversize)
        by the frames; --rx-drops MIRROR: rx drops by the frames (they were
        sent into that mirror).
      A mirror is named by its interface name, or "-" when it has none
      (detached).

  features.py tcp --client NS:IF:ADDR --server NS:IF:ADDR [--count N]
                  [--size BYTES] [--reply BYTES] [--json FILE]
      N TCP connections from ADDR in the client netns to ADDR in the server
      netns, one after the other: the client sends --size bytes and
      half-closes, the server answers with --reply bytes (default: as
      many) and closes. Every frame is captured on
      both interfaces; each frame one side sends must arrive at the other
      side once, byte for byte (the wire through the TAP is a wire).
      FILE gets, per connection, the frames and bytes of each direction.

  features.py conv --truth FILE --tshark FILE --iface IF --want both|a-b|b-a
      Check what tshark read from the capture of a mirror's far end IF
      ("tshark -r F -T fields -e frame.interface_name -e tcp.stream -e
      ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.flags.syn -e
      tcp.flags.ack -e tcp.flags.fin -e frame.len -z
      'conv,tcp,frame.interface_name=="IF"'", with more interfaces in the
      capture) against the connections of a tcp run: every connection is
      in IF's conversation table with exactly the frames of the directions
      wanted and none of the others, no other conversation is, and the
      frames of IF carry exactly the bytes of each direction wanted, and
      as many SYNs and client FINs (A->B), SYN-ACKs and server FINs (B->A)
      as the wire carried: one each, or more where a slow host resent one.

  features.py udp NS_A ADDR_A NS_B ADDR_B [--timeout S]
      As frames.py udp.

  features.py serve
      Read commands from stdin, answer each with its output and
      "END <status>".

Result lines are "PASS<TAB>description" or "FAIL<TAB>description<TAB>why",
as frames.py prints them; anything else starts with "# ".
"""

import collections
import json
import os
import re
import select
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frames  # noqa: E402
from frames import Netns, split_endpoint  # noqa: E402

PACKET_OUTGOING = 4
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
SO_RCVBUFFORCE = 33


# ---------------------------------------------------------------------------
# Frames: frames.py's corpus, and frames larger than a 1500-byte MTU

def extra_frames(nonce, first_index):
    """Frames beyond frames.py's corpus, marked the same way."""
    def udp_frame(src, size, text):
        return (frames.eth(frames.UNICAST_DST, src, frames.ETH_P_IP) +
                frames.ipv4_udp(frames.filler(text, size - 14 - 28)))

    makers = [
        # One byte more than a 1500-byte MTU allows.
        ("big-1515", lambda s: udp_frame(s, 1515, "tapbridge 1515")),
        ("big-2000", lambda s: udp_frame(s, 2000, "tapbridge 2000")),
        # Exactly what a 9000-byte MTU allows.
        ("jumbo-9014", lambda s: udp_frame(s, 9014, "tapbridge jumbo")),
    ]
    out = []
    for i, (kind, make) in enumerate(makers):
        src = frames.MARKER_OUI + struct.pack("!HB", nonce, first_index + i)
        out.append((kind, make(src)))
    return out


def all_frames(nonce):
    corpus = frames.build_corpus(nonce)
    return corpus + extra_frames(nonce, len(corpus))


class Transform:
    """What a mirror does to its copy: push a tag, then cut to snaplen."""

    def __init__(self, spec):
        self.tpid = self.vid = self.snap = None
        self.spec = spec or ""
        for part in filter(None, self.spec.split("+")):
            key, _, value = part.partition("=")
            if key == "tag":
                tpid, vid = value.split("/")
                self.tpid, self.vid = int(tpid, 16), int(vid)
            elif key == "snap":
                self.snap = int(value)
            else:
                raise ValueError("unknown transform " + part)

    def apply(self, frame):
        """(copy as the mirror's far end sees it, whether it was cut)."""
        if self.vid is not None:
            frame = frame[:12] + frames.vlan_tag(self.tpid, self.vid) + frame[12:]
        if self.snap is not None and len(frame) > self.snap:
            return frame[:self.snap], True
        return frame, False

    def describe(self):
        words = []
        if self.vid is not None:
            words.append("tagged %04x/%d" % (self.tpid, self.vid))
        if self.snap is not None:
            words.append("cut to %d bytes" % self.snap)
        return ", ".join(words) or "as sent"


# ---------------------------------------------------------------------------
# Counters

def read_counters(ns):
    """Every counter taptool -j stats shows in NS, flattened:
    INSTANCE.DIRECTION.COUNTER, INSTANCE.mirror:NAME.COUNTER and
    INSTANCE.propagation_actions."""
    with Netns(ns):
        out = subprocess.run(["taptool", "-j", "stats"], capture_output=True,
                             text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError("taptool -j stats: " + out.stderr.strip())
    flat = {}
    for inst in json.loads(out.stdout):
        name = inst["ifname"]
        for direction in frames.DIRECTIONS:
            for key, value in inst[direction].items():
                flat["%s.%s.%s" % (name, direction, key)] = value
        seen = set()
        for i, mirror in enumerate(inst["mirrors"]):
            mname = mirror["ifname"] or "-"
            if mname in seen:
                mname += "#%d" % i
            seen.add(mname)
            for key in ("tx_packets", "tx_bytes", "tx_drops", "sliced",
                        "oversize", "rx_drops"):
                flat["%s.mirror:%s.%s" % (name, mname, key)] = mirror[key]
        flat["%s.propagation_actions" % name] = inst["propagation_actions"]
    return flat


def check_counter_deltas(desc, before, after, want):
    """One result line: every counter moved by want (default 0)."""
    wrong = []
    for key in sorted(set(before) | set(after) | set(want)):
        if key not in after or key not in before:
            if key in want:
                wrong.append("%s: no such counter" % key)
            continue
        delta = after[key] - before[key]
        if delta != want.get(key, 0):
            wrong.append("%s %+d, want %+d" % (key, delta, want.get(key, 0)))
    if set(before) != set(after):
        wrong.append("counters were %s, are %s" % (
            sorted(set(before) - set(after)), sorted(set(after) - set(before))))
    if wrong:
        print("FAIL\t%s\t%s" % (desc, "; ".join(wrong)))
        return 1
    print("PASS\t%s" % desc)
    return 0


# ---------------------------------------------------------------------------
# run: send frames, check copies and counters

def wait_for(captures, marker, complete, timeout, linger):
    """Drain the captures until complete() or the timeout, then linger."""
    deadline = time.monotonic() + timeout
    linger_until = None
    poller = select.poll()
    for cap in captures:
        poller.register(cap.sock, select.POLLIN)
    while True:
        now = time.monotonic()
        if linger_until is None and (complete() or now >= deadline):
            linger_until = now + linger
        if linger_until is not None and now >= linger_until:
            break
        end = linger_until if linger_until is not None else deadline
        poller.poll(max(0, int((end - now) * 1000)) + 1)
        for cap in captures:
            cap.drain(marker)
    for cap in captures:
        cap.drain(marker)


def cmd_run(args):
    nonce = int.from_bytes(os.urandom(2), "big")
    corpus = frames.build_corpus(nonce)
    if args.frames != "all":
        wanted = args.frames.split(",")
        by_kind = dict(all_frames(nonce))
        unknown = [k for k in wanted if k not in by_kind]
        if unknown:
            raise RuntimeError("unknown frame kind(s): " + ",".join(unknown))
        corpus = [(k, by_kind[k]) for k in wanted]
    marker = frames.MARKER_OUI + struct.pack("!H", nonce)
    label = args.label + ": " if args.label else ""

    # endpoint -> (mirror name or None, transform)
    expect = {}
    if args.wire:
        expect[args.wire] = (None, Transform(""))
    for spec in args.copy:
        endpoint, _, rest = spec.partition("=")
        mirror, _, transform = rest.partition("@")
        expect[endpoint] = (mirror, Transform(transform))
    absent = [s for s in args.absent.split(",") if s]

    before = read_counters(args.stats) if args.stats else None
    captures = {spec: frames.Capture(spec) for spec in list(expect) + absent}
    sent_bytes = frames.send_corpus(args.send, corpus, captures, args.gap)

    want_copies = {spec: [t.apply(f) for _, f in corpus]
                   for spec, (_, t) in expect.items()}

    def complete():
        return all(c in captures[spec].frames
                   for spec, copies in want_copies.items()
                   for c, _ in copies)

    wait_for(list(captures.values()), marker, complete, args.timeout,
             args.linger)
    for cap in captures.values():
        cap.sock.close()

    print("# sent %d frames, %d bytes on %s" % (len(corpus), sent_bytes, args.send))
    failed = 0
    for spec, (mirror, transform) in expect.items():
        problems = []
        for (kind, frame), (copy, _) in zip(corpus, want_copies[spec]):
            got = [f for f in captures[spec].frames if f[6:12] == frame[6:12]]
            why = frames.describe(got, copy)
            if why:
                problems.append("%s: %s, want 1" % (kind, why))
        what = "the frame" if mirror is None else "the copy of mirror %s" % mirror
        desc = "%s%s gets %s of each of %d frames once, %s" % (
            label, spec.split(":")[-1], what, len(corpus), transform.describe())
        if problems:
            failed += 1
            print("FAIL\t%s\t%s" % (desc, "; ".join(problems[:4])))
        else:
            print("PASS\t%s" % desc)
    if absent:
        problems = []
        for spec in absent:
            n = len(captures[spec].frames)
            if n:
                kinds = sorted({k for k, f in corpus for g in captures[spec].frames
                                if g[6:12] == f[6:12]})
                problems.append("%s: %d frame(s) (%s)" % (spec, n, ",".join(kinds)))
        desc = "%snothing at %s" % (label, " ".join(s.split(":")[-1] for s in absent))
        if problems:
            failed += 1
            print("FAIL\t%s\t%s" % (desc, "; ".join(problems)))
        else:
            print("PASS\t%s" % desc)

    if before is not None:
        after = read_counters(args.stats)
        want = {}
        n = len(corpus)
        if args.fwd != "none":
            inst, direction = args.dir.split(":")
            d = "%s.%s." % (inst, direction)
            want[d + "rx_packets"] = n
            want[d + "rx_bytes"] = sent_bytes
            if args.fwd == "sent":
                want[d + "fwd_packets"] = n
                want[d + "fwd_bytes"] = sent_bytes
            else:
                want[d + "fwd_drops"] = n
                if args.fwd == "oversize":
                    want[d + "fwd_oversize"] = n
            for spec, (mirror, _) in expect.items():
                if mirror is None:
                    continue
                m = "%s.mirror:%s." % (inst, mirror)
                copies = want_copies[spec]
                nbytes = sum(len(c) for c, _ in copies)
                want[m + "tx_packets"] = n
                want[m + "tx_bytes"] = nbytes
                want[m + "sliced"] = sum(1 for _, cut in copies if cut)
                want[d + "mirror_packets"] = want.get(d + "mirror_packets", 0) + n
                want[d + "mirror_bytes"] = want.get(d + "mirror_bytes", 0) + nbytes
            for spec in args.lost:
                mirror, _, why = spec.partition(":")
                m = "%s.mirror:%s." % (inst, mirror)
                want[m + "tx_drops"] = n
                if why == "oversize":
                    want[m + "oversize"] = n
                want[d + "mirror_drops"] = want.get(d + "mirror_drops", 0) + n
        if args.rx_drops:
            inst, mirror = args.rx_drops.split(":")
            want["%s.mirror:%s.rx_drops" % (inst, mirror)] = n
        failed += check_counter_deltas(
            "%scounters moved by exactly what was sent, no other counter" % label,
            before, after, want)

    if args.summary:
        with open(args.summary, "w") as f:
            json.dump({"frames": len(corpus), "bytes": sent_bytes,
                       "failed": failed}, f)
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# tcp: real connections across the TAP, the wire checked byte for byte

class WireCapture:
    """Every frame an interface sends and receives, with its direction."""

    def __init__(self, spec):
        ns, self.ifname = split_endpoint(spec)
        with Netns(ns):
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            # Python in the emulated VM drains slowly: room for every
            # frame of a run, past net.core.rmem_max (we are root).
            sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
            sock.bind((self.ifname, ETH_P_ALL))
        sock.setblocking(False)
        self.sock = sock
        self.sent = []
        self.received = []

    def drain(self):
        while True:
            try:
                data, anc, _, addr = self.sock.recvmsg(
                    65536, socket.CMSG_SPACE(frames.AUXDATA.size))
            except BlockingIOError:
                return
            data = frames.restore_vlan(data, anc)
            (self.sent if addr[2] == PACKET_OUTGOING else self.received).append(data)


def tcp_header(frame):
    """Where the TCP header of an IPv4 TCP frame starts."""
    return 14 + (frame[14] & 0x0F) * 4


def tcp_key(frame):
    """(src, sport, dst, dport) of an IPv4 TCP frame, else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    th = tcp_header(frame)
    sport, dport = struct.unpack("!HH", frame[th:th + 4])
    return (socket.inet_ntoa(frame[26:30]), sport,
            socket.inet_ntoa(frame[30:34]), dport)


def tcp_flags(frame):
    """(SYN, ACK, FIN) of an IPv4 TCP frame (tcp_key is not None)."""
    flags = frame[tcp_header(frame) + 13]
    return bool(flags & 0x02), bool(flags & 0x10), bool(flags & 0x01)


# The frames of a connection tshark's fields are checked for, by what
# (SYN, ACK, FIN) says of them, with the direction they go.
TCP_MARKS = (("SYN", "ab", lambda syn, ack, fin: syn and not ack),
             ("client FIN", "ab", lambda syn, ack, fin: fin),
             ("SYN-ACK", "ba", lambda syn, ack, fin: syn and ack),
             ("server FIN", "ba", lambda syn, ack, fin: fin))


def cmd_tcp(args):
    cns, cif, caddr = args.client.split(":")
    sns, sif, saddr = args.server.split(":")
    port = 20000 + int.from_bytes(os.urandom(2), "big") % 20000
    caps = [WireCapture("%s:%s" % (cns, cif)), WireCapture("%s:%s" % (sns, sif))]
    with Netns(sns):
        listener = socket.socket()
        listener.bind((saddr, port))
        listener.listen(args.count)
    listener.settimeout(args.timeout)
    payload = (b"tapbridge tcp " * (args.size // 14 + 1))[:args.size]
    reply_size = args.size if args.reply is None else args.reply
    reply = (b"tapbridge reply " * (reply_size // 16 + 1))[:reply_size]
    errors = []
    received = []

    def serve():
        try:
            for _ in range(args.count):
                conn, _ = listener.accept()
                conn.settimeout(args.timeout)
                got = bytearray()
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    got += data
                received.append(bytes(got))
                conn.sendall(reply)
                conn.close()
        except OSError as e:
            errors.append("server: %s" % e)

    stop = threading.Event()

    def drain():
        while not stop.is_set():
            for cap in caps:
                cap.drain()
            time.sleep(0.01)

    drainer = threading.Thread(target=drain)
    drainer.start()
    server = threading.Thread(target=serve)
    server.start()
    ports = []
    answers = []
    for _ in range(args.count):
        try:
            with Netns(cns):
                s = socket.socket()
            s.settimeout(args.timeout)
            s.bind((caddr, 0))
            ports.append(s.getsockname()[1])
            s.connect((saddr, port))
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            got = bytearray()
            while True:
                data = s.recv(65536)
                if not data:
                    break
                got += data
            answers.append(bytes(got))
            s.close()
        except OSError as e:
            errors.append("client: %s" % e)
            break
    server.join()
    listener.close()
    time.sleep(args.linger)
    stop.set()
    drainer.join()
    for cap in caps:
        cap.drain()
        cap.sock.close()

    label = args.label + ": " if args.label else ""
    failed = 0
    desc = "%s%d TCP connections: %d bytes A->B, %d bytes B->A, each" % (
        label, args.count, args.size, reply_size)
    if errors or len(answers) != args.count or \
       any(a != reply for a in answers) or any(r != payload for r in received):
        failed += 1
        print("FAIL\t%s\t%s" % (desc, "; ".join(errors) or "data differ"))
    else:
        print("PASS\t%s" % desc)

    client, server_cap = caps
    conns = []
    for cport in ports:
        ab = (caddr, cport, saddr, port)
        ba = (saddr, port, caddr, cport)
        sent_ab = [f for f in client.sent if tcp_key(f) == ab]
        got_ab = [f for f in server_cap.received if tcp_key(f) == ab]
        sent_ba = [f for f in server_cap.sent if tcp_key(f) == ba]
        sent_by_dir = {"ab": sent_ab, "ba": sent_ba}
        got_ba = [f for f in client.received if tcp_key(f) == ba]
        conns.append({"client": "%s:%d" % (caddr, cport),
                      "server": "%s:%d" % (saddr, port),
                      "ab_frames": len(sent_ab),
                      "ab_bytes": sum(len(f) for f in sent_ab),
                      "ba_frames": len(sent_ba),
                      "ba_bytes": sum(len(f) for f in sent_ba),
                      # A host retransmits a FIN (or a SYN) it got no ACK
                      # for in time: count what the wire carried.
                      "marks": {name: sum(1 for f in sent_by_dir[d] if test(*tcp_flags(f)))
                                for name, d, test in TCP_MARKS}})
        for name, sent, got in (("A->B", sent_ab, got_ab), ("B->A", sent_ba, got_ba)):
            # Each frame once, byte for byte. Not necessarily in the order
            # captured: with more than one CPU, veth queues a sender's
            # frames per CPU, before the TAP sees them.
            desc = "%sconnection from port %d: each %s frame arrives once, as sent" % (
                label, cport, name)
            missing = collections.Counter(sent) - collections.Counter(got)
            extra = collections.Counter(got) - collections.Counter(sent)
            if sent and not missing and not extra:
                reordered = sum(1 for a, b in zip(sent, got) if a != b)
                if reordered:
                    print("# port %d %s: %d of %d frames captured in another order" % (
                        cport, name, reordered, len(sent)))
                print("PASS\t%s" % desc)
                continue
            failed += 1
            why = "sent %d frames, %d arrived; %d sent frames not arrived, %d arrived not sent" % (
                len(sent), len(got), sum(missing.values()), sum(extra.values()))
            for a in list(missing)[:1]:
                near = min(extra, key=lambda b: (len(b) != len(a), frames.first_difference(a, b) * -1),
                           default=None)
                if near is not None:
                    at = frames.first_difference(a, near)
                    why += "; e.g. a %d-byte frame arrived altered at byte %d: %s vs %s" % (
                        len(a), at, a[at:at + 4].hex(), near[at:at + 4].hex())
            print("FAIL\t%s\t%s" % (desc, why))
    total = sum(c["ab_frames"] + c["ba_frames"] for c in conns)
    print("# %d TCP frames crossed the TAP" % total)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"connections": conns}, f)
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# conv: what tshark read from a mirror's capture

CONV_LINE = re.compile(
    r"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+"
    r"(\d+)\s+([\d.]+(?: \w+)?)\s+(\d+)\s+([\d.]+(?: \w+)?)\s+(\d+)\s")


def parse_tshark(path, iface):
    """What tshark printed about interface iface: (packets [(stream, src,
    sport, dst, dport, syn, ack, fin, len)], conversations {(A, B):
    (frames A->B, frames B->A)} of the conv,tcp table filtered on it)."""
    packets, convs = [], {}
    table = None
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 10 and fields[1].isdigit():
                if fields[0] != iface:
                    continue
                stream, src, sport, dst, dport, syn, ack, fin, flen = fields[1:]
                packets.append((int(stream), src, int(sport), dst, int(dport),
                                syn in ("1", "True"), ack in ("1", "True"),
                                fin in ("1", "True"), int(flen)))
                continue
            if line.startswith("Filter:"):
                table = line.strip() == 'Filter:frame.interface_name=="%s"' % iface
                continue
            m = CONV_LINE.match(line.strip())
            if m and table:
                a = "%s:%s" % (m.group(1), m.group(2))
                b = "%s:%s" % (m.group(3), m.group(4))
                # "<-" counts frames from B to A, "->" from A to B.
                convs[(a, b)] = (int(m.group(7)), int(m.group(5)))
    return packets, convs


def cmd_conv(args):
    with open(args.truth) as f:
        truth = json.load(f)["connections"]
    packets, convs = parse_tshark(args.tshark, args.iface)
    label = args.label + ": " if args.label else ""
    want_ab = args.want in ("both", "a-b")
    want_ba = args.want in ("both", "b-a")
    failed = 0

    # The conversation table: exactly the connections, exactly their frames.
    problems = []
    seen = set()
    for conn in truth:
        c, s = conn["client"], conn["server"]
        ab = conn["ab_frames"] if want_ab else 0
        ba = conn["ba_frames"] if want_ba else 0
        if (c, s) in convs:
            got_ab, got_ba = convs[(c, s)]
            seen.add((c, s))
        elif (s, c) in convs:
            got_ba, got_ab = convs[(s, c)]
            seen.add((s, c))
        else:
            problems.append("%s <-> %s missing" % (c, s))
            continue
        if (got_ab, got_ba) != (ab, ba):
            problems.append("%s <-> %s: %d frames a->b and %d b->a, want %d and %d" % (
                c, s, got_ab, got_ba, ab, ba))
    for key in set(convs) - seen:
        problems.append("conversation %s <-> %s of no connection" % key)
    desc = "%stshark -z conv,tcp on %s: the %d connections, frames of %s" % (
        label, args.iface, len(truth),
        {"both": "both directions", "a-b": "A->B only", "b-a": "B->A only"}[args.want])
    if problems:
        failed += 1
        print("FAIL\t%s\t%s" % (desc, "; ".join(problems)))
    else:
        print("PASS\t%s" % desc)

    # Per connection: the bytes of each direction, and its handshake and
    # both FINs.
    problems = []
    for conn in truth:
        caddr, cport = conn["client"].rsplit(":", 1)
        saddr, sport = conn["server"].rsplit(":", 1)
        cport, sport = int(cport), int(sport)
        ab = [p for p in packets if (p[1], p[2], p[3], p[4]) == (caddr, cport, saddr, sport)]
        ba = [p for p in packets if (p[1], p[2], p[3], p[4]) == (saddr, sport, caddr, cport)]
        ab_bytes = sum(p[8] for p in ab)
        ba_bytes = sum(p[8] for p in ba)
        want = (conn["ab_bytes"] if want_ab else 0, conn["ba_bytes"] if want_ba else 0)
        if (ab_bytes, ba_bytes) != want:
            problems.append("port %d: %d bytes a->b, %d b->a, want %d and %d" % (
                cport, ab_bytes, ba_bytes, want[0], want[1]))
        pkts = {"ab": ab if want_ab else None, "ba": ba if want_ba else None}
        for name, d, test in TCP_MARKS:
            if pkts[d] is None:
                continue
            n = sum(1 for p in pkts[d] if test(p[5], p[6], p[7]))
            sent = conn["marks"][name]
            if n != sent or not sent:
                problems.append("port %d: %d %s, want %d (as sent)" % (cport, n, name, sent))
    desc = "%stshark fields on %s: bytes of each connection%s" % (
        label, args.iface, ", SYN, SYN-ACK and both FINs" if args.want == "both" else
        (", its SYN and client FIN" if want_ab else ", its SYN-ACK and server FIN"))
    if problems:
        failed += 1
        print("FAIL\t%s\t%s" % (desc, "; ".join(problems)))
    else:
        print("PASS\t%s" % desc)
    return 1 if failed else 0


# ---------------------------------------------------------------------------

def cmd_serve(args):
    return frames.serve_loop(make_parser(), "features.py", cmd_serve)


def make_parser():
    parser = frames.Parser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("run", help="send frames, check copies and counters")
    p.add_argument("--send", required=True, metavar="NS:IF")
    p.add_argument("--frames", default="all", metavar="KIND,...")
    p.add_argument("--wire", metavar="NS:IF")
    p.add_argument("--copy", action="append", default=[],
                   metavar="NS:IF=MIRROR[@TRANSFORM]")
    p.add_argument("--absent", default="", metavar="NS:IF,...")
    p.add_argument("--stats", metavar="NS")
    p.add_argument("--dir", metavar="INSTANCE:DIRECTION")
    p.add_argument("--fwd", default="sent",
                   choices=("sent", "dropped", "oversize", "none"))
    p.add_argument("--lost", action="append", default=[],
                   metavar="MIRROR[:oversize]")
    p.add_argument("--rx-drops", metavar="INSTANCE:MIRROR")
    p.add_argument("--label", default="")
    p.add_argument("--summary", metavar="FILE")
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--linger", type=float, default=0.5)
    p.add_argument("--gap", type=float, default=0.002)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("tcp", help="TCP connections across the TAP")
    p.add_argument("--client", required=True, metavar="NS:IF:ADDR")
    p.add_argument("--server", required=True, metavar="NS:IF:ADDR")
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--size", type=int, default=200000)
    p.add_argument("--reply", type=int, metavar="BYTES")
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--label", default="")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--linger", type=float, default=1.0)
    p.set_defaults(func=cmd_tcp)

    p = sub.add_parser("conv", help="check tshark's reading of a capture")
    p.add_argument("--truth", required=True, metavar="FILE")
    p.add_argument("--tshark", required=True, metavar="FILE")
    p.add_argument("--iface", required=True, metavar="IF")
    p.add_argument("--want", required=True, choices=("both", "a-b", "b-a"))
    p.add_argument("--label", default="")
    p.set_defaults(func=cmd_conv)

    p = sub.add_parser("udp", help="UDP round trip between two netns")
    p.add_argument("ns_a")
    p.add_argument("addr_a")
    p.add_argument("ns_b")
    p.add_argument("addr_b")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=frames.cmd_udp)

    p = sub.add_parser("serve", help="run commands read from stdin")
    p.set_defaults(func=cmd_serve)
    return parser


def main():
    parser = make_parser()
    try:
        args = parser.parse_args()
    except frames.ParserExit as e:
        parser.print_usage(sys.stderr)
        sys.exit("features.py: " + str(e))
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
