#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Drivers of the tapbridge stress selftests (stress_*.sh): devices that
come and go while traffic flows, and configuration churn under counted
traffic.

Everything a cycle does goes through netlink from this one process
(rtnetlink for links and namespaces, the tapbridge genl family, the
module syscalls): a process start costs a large part of a second in the
emulated test VM, and the tests need hundreds of cycles. Standard library
only, like frames.py.

  stress.py traffic --far NS --state FILE
      Until SIGTERM, send frames of ethertype 0x88b5 from the far ends xa
      and xb in NS, and count what arrives on xa, xb and the mirror far ends
      y1..y4: frames a->b (sent on xa, seen on xb), b->a, and copies. A far
      end that disappears is picked up again when a device of that name
      comes back. FILE gets the counts as JSON, rewritten every 0.2 s.

  stress.py lifecycle --tap NS --other NS --far NS --module KO
                      [--cycles N] [--state FILE] [--kinds K,...]
      N cycles (default 200) of each kind of teardown while traffic flows
      (the traffic command, --state its file), tap0 in NS between pa and pb
      with mirror m1 (veth pairs whose far ends are in the far netns). One
      result line per kind: cycles, time, the frames that crossed the TAP
      meanwhile (there must be some in each direction).

  stress.py churn --tap NS --far NS [--frames N] [--window W]
      N frames each way (default 20000) through tap0 (pa, pb, mirrors m1 and
      m2 in NS, far ends in the far netns), at most W in flight per
      direction, while a thread changes the mode, the mirrors, snaplen,
      direction tags, rx-pass and link propagation as fast as it can; each
      frame has exactly one copy in every configuration. Every frame must
      arrive once at the other end, and the counters must add up.

Results are lines "PASS<TAB>description" or "FAIL<TAB>description<TAB>why"
(as frames.py prints them); the exit status is 1 if any failed.
"""

import argparse
import ctypes
import errno
import fcntl
import json
import os
import random
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genl  # noqa: E402
from frames import (CLONE_NEWNET, PACKET_OUTGOING, Netns,  # noqa: E402
                    _setns)

NETLINK_ROUTE = 0
NLM_F_EXCL = 0x200
NLM_F_DUMP = 0x300
NLM_F_CREATE = 0x400
NLA_F_NESTED = 0x8000

RTM_NEWLINK = 16
RTM_DELLINK = 17
RTM_GETLINK = 18
RTM_SETLINK = 19
IFLA_IFNAME = 3
IFLA_LINKINFO = 18
IFLA_NET_NS_FD = 28
IFLA_INFO_KIND = 1
IFLA_INFO_DATA = 2
VETH_INFO_PEER = 1
IFF_UP = 0x1
IFINFOMSG = struct.Struct("=BxHiII")

SYS_FINIT_MODULE = 313
SYS_DELETE_MODULE = 176

ETH_P_STRESS = 0x88B5
SIOCGIFINDEX = 0x8933
SRC_A = bytes.fromhex("025442aa000a")
SRC_B = bytes.fromhex("025442aa000b")
DST = bytes.fromhex("025442eeee02")
MIRROR_ENDS = ("y1", "y2", "y3", "y4")

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

UAPI_TEXT = open(genl.UAPI).read()


def uapi_enum(prefix):
    """{'NAME': value} of one enum of the uapi header, as genl.py reads it."""
    found = {}
    value = 0
    for m in re.finditer(r"^\s*%s(\w+)(?:\s*=\s*(\d+))?,\s*$" % prefix,
                         UAPI_TEXT, re.M):
        value = int(m.group(2)) if m.group(2) else value + 1
        found[m.group(1)] = value
    return found


CMD = uapi_enum("TAPBRIDGE_CMD_")
INST = uapi_enum("TAPBRIDGE_A_INSTANCE_")
MIRROR = uapi_enum("TAPBRIDGE_A_MIRROR_")
MODE = uapi_enum("TAPBRIDGE_MODE_")
DIRECTION = uapi_enum("TAPBRIDGE_DIRECTION_")
TPID = uapi_enum("TAPBRIDGE_TPID_")


def result(ok, desc, why=""):
    if ok:
        print("PASS\t%s" % desc, flush=True)
    else:
        print("FAIL\t%s\t%s" % (desc, why), flush=True)
    return 0 if ok else 1


# ---------------------------------------------------------------------------
# Namespaces by file descriptor (frames.Netns enters one)

def named_netns(name):
    return os.open("/run/netns/" + name, os.O_RDONLY)


def new_netns():
    """A new, anonymous netns: it lives as long as the returned fd and the
    sockets made in it."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        if _libc.unshare(CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "unshare: " + os.strerror(err))
        fd = os.open("/proc/self/ns/net", os.O_RDONLY)
        _setns(home)
    finally:
        os.close(home)
    return fd


# ---------------------------------------------------------------------------
# rtnetlink: just what the cycles need

def nest(atype, payload):
    return genl.attr(atype | NLA_F_NESTED, payload)


def strz(atype, text):
    return genl.attr(atype, text.encode() + b"\0")


def u32(atype, value):
    return genl.attr(atype, struct.pack("=I", value))


class Rtnl(genl.NetlinkSocket):
    """An rtnetlink socket of one netns (nsfd, or the current one)."""

    def __init__(self, nsfd=None, timeout=20):
        with Netns(nsfd):
            super().__init__(NETLINK_ROUTE, timeout)

    def request(self, mtype, flags, body):
        """Send one request; return the bodies of its replies. Raises
        OSError on an error answer, socket.timeout when none comes."""
        return self.transact(mtype, flags, body)

    @staticmethod
    def ifinfo(index=0, up=False):
        return IFINFOMSG.pack(0, 0, index, IFF_UP if up else 0,
                              IFF_UP if up else 0)

    def veth(self, name, peer, peer_rtnl, peer_nsfd):
        """A veth pair, both ends up: name here, peer in peer_nsfd (whose
        rtnetlink socket is peer_rtnl). The peer cannot be brought up as
        it is made: it has no peer yet then (veth_open)."""
        peer_msg = self.ifinfo() + strz(IFLA_IFNAME, peer) + \
            u32(IFLA_NET_NS_FD, peer_nsfd)
        info = strz(IFLA_INFO_KIND, "veth") + \
            nest(IFLA_INFO_DATA, nest(VETH_INFO_PEER, peer_msg))
        self.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                     self.ifinfo(up=True) + strz(IFLA_IFNAME, name) +
                     nest(IFLA_LINKINFO, info))
        peer_rtnl.request(RTM_SETLINK, 0, self.ifinfo(up=True) +
                          strz(IFLA_IFNAME, peer))

    def delete(self, name):
        self.request(RTM_DELLINK, 0, self.ifinfo() + strz(IFLA_IFNAME, name))

    def move(self, name, nsfd):
        self.request(RTM_SETLINK, 0, self.ifinfo() + strz(IFLA_IFNAME, name) +
                     u32(IFLA_NET_NS_FD, nsfd))

    def ifindex(self, name):
        """The ifindex of name, or None when there is no such device."""
        try:
            reply = self.request(RTM_GETLINK, 0,
                                 self.ifinfo() + strz(IFLA_IFNAME, name))
        except OSError as e:
            if e.errno == errno.ENODEV:
                return None
            raise
        return IFINFOMSG.unpack(reply[0][:IFINFOMSG.size])[2]

    def links(self):
        """{name: ifindex} of every device of the netns."""
        found = {}
        for reply in self.request(RTM_GETLINK, NLM_F_DUMP, self.ifinfo()):
            index = IFINFOMSG.unpack(reply[:IFINFOMSG.size])[2]
            name = genl.parse_attrs(reply[IFINFOMSG.size:]).get(IFLA_IFNAME)
            if name:
                found[name.rstrip(b"\0").decode()] = index
        return found

    def wait_gone(self, names, seconds):
        """Poll until none of names exists; return those left."""
        deadline = time.monotonic() + seconds
        while True:
            left = [n for n in names if self.ifindex(n) is not None]
            if not left or time.monotonic() >= deadline:
                return left
            time.sleep(0.02)


# ---------------------------------------------------------------------------
# The tapbridge family

class Tapbridge:
    """tapbridge genl requests in one netns."""

    def __init__(self, nsfd=None):
        with Netns(nsfd):
            self.genl = genl.GenlSocket()
        self.genl.sock.settimeout(20)
        family, self.version, _, _, _ = genl.read_uapi()
        self.family = self.genl.family_id(family)

    def close(self):
        self.genl.sock.close()

    def request(self, cmd, payload):
        return self.genl.request(self.family, CMD[cmd], self.version, payload)

    @staticmethod
    def name(inst):
        return strz(INST["NAME"], inst)

    def create(self, inst, port_a, port_b, mirror):
        self.request("CREATE", self.name(inst) +
                     u32(INST["PORT_A"], port_a) + u32(INST["PORT_B"], port_b) +
                     u32(INST["MODE"], MODE["AGGREGATE"]) +
                     u32(INST["MIRROR"], mirror))

    def delete(self, inst):
        self.request("DELETE", self.name(inst))

    def exists(self, inst):
        try:
            self.request("GET", self.name(inst))
        except OSError as e:
            if e.errno == errno.ENODEV:
                return False
            raise
        return True

    def aggregate(self, inst, mirror):
        self.request("SET", self.name(inst) +
                     u32(INST["MODE"], MODE["AGGREGATE"]) +
                     u32(INST["MIRROR"], mirror))

    def split(self, inst, mirror_ab, mirror_ba):
        self.request("SET", self.name(inst) +
                     u32(INST["MODE"], MODE["SPLIT"]) +
                     u32(INST["MIRROR_AB"], mirror_ab) +
                     u32(INST["MIRROR_BA"], mirror_ba))

    def mirror_add(self, inst, ifindex, direction, snaplen=None, tags=None,
                   tpid=None, rx_pass=None):
        entry = u32(MIRROR["IFINDEX"], ifindex) + \
            u32(MIRROR["DIRECTION"], DIRECTION[direction])
        if snaplen is not None:
            entry += u32(MIRROR["SNAPLEN"], snaplen)
        if tags is not None:
            entry += genl.attr(MIRROR["TAG_VID_AB"], struct.pack("=H", tags[0]))
            entry += genl.attr(MIRROR["TAG_VID_BA"], struct.pack("=H", tags[1]))
        if tpid is not None:
            entry += u32(MIRROR["TAG_TPID"], TPID[tpid])
        if rx_pass is not None:
            entry += genl.attr(MIRROR["RX_PASS"], struct.pack("=B", rx_pass))
        self.request("MIRROR_ADD", self.name(inst) +
                     nest(INST["MIRRORS"], entry))

    def mirror_del(self, inst, ifindex):
        self.request("MIRROR_DEL", self.name(inst) +
                     nest(INST["MIRRORS"], u32(MIRROR["IFINDEX"], ifindex)))

    def link_propagation(self, inst, on, hold_down):
        self.request("SET", self.name(inst) +
                     genl.attr(INST["LINK_PROPAGATION"], struct.pack("=B", on)) +
                     u32(INST["HOLD_DOWN"], hold_down))


def insmod(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.syscall(SYS_FINIT_MODULE, fd, b"", 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "insmod %s: %s" % (path, os.strerror(err)))
    finally:
        os.close(fd)


def rmmod(name):
    if _libc.syscall(SYS_DELETE_MODULE, name.encode(), os.O_NONBLOCK) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "rmmod %s: %s" % (name, os.strerror(err)))


# ---------------------------------------------------------------------------
# traffic: frames both ways, whatever happens to the devices

class End:
    """A packet socket on a far end, bound again whenever a device of its
    name (re)appears."""

    def __init__(self, name):
        self.name = name
        self.sock = None
        self.ifindex = None
        # The device's ifindex comes from SIOCGIFINDEX on this socket of
        # the netns the End was made in: glibc's if_nametoindex opens a
        # socket each call, which costs most of a second in the VM.
        self.ctl = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)

    def lookup(self):
        req = struct.pack("16si", self.name.encode(), 0)
        try:
            reply = fcntl.ioctl(self.ctl.fileno(), SIOCGIFINDEX, req)
        except OSError:
            return None
        return struct.unpack("16si", reply)[1]

    def refresh(self, links=None):
        """Bind to the device of this name; links, when given, maps the
        netns' device names to their ifindexes (a missing device must not
        be looked up by ioctl: the kernel then tries to load a module
        "netdev-NAME", a process start)."""
        index = self.lookup() if links is None else links.get(self.name)
        if index == self.ifindex and self.sock:
            return
        self.close()
        if index is None:
            return
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        try:
            sock.bind((self.name, ETH_P_STRESS))
        except OSError:
            sock.close()
            return
        sock.setblocking(False)
        self.sock, self.ifindex = sock, index

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = self.ifindex = None

    def send(self, frame):
        if not self.sock:
            return False
        try:
            self.sock.send(frame)
            return True
        except OSError as e:
            # The peer is down or gone for a moment (veth drops, which
            # packet sockets report as ENOBUFS; an enslaved port is
            # cycled): the frame is lost, the socket still good.
            if e.errno in (errno.ENOBUFS, errno.EAGAIN, errno.ENETDOWN):
                return False
            # This device is gone: the next refresh binds its successor.
            self.close()
            return False

    def drain(self, counts, key_by_src):
        while self.sock:
            try:
                data, addr = self.sock.recvfrom(65536)
            except BlockingIOError:
                return
            except OSError:
                self.close()
                return
            if addr[2] == PACKET_OUTGOING:
                continue
            key = key_by_src.get(data[6:12])
            if key:
                counts[key] += 1


def cmd_traffic(args):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with Netns(args.far):
        ends = {n: End(n) for n in ("xa", "xb") + MIRROR_ENDS}
        rtnl = Rtnl()
        counts = {"sent_a": 0, "sent_b": 0, "a_to_b": 0, "b_to_a": 0,
                  "copies": 0}
        frame_a = DST + SRC_A + struct.pack("!H", ETH_P_STRESS) + bytes(50)
        frame_b = DST + SRC_B + struct.pack("!H", ETH_P_STRESS) + bytes(50)
        wire_a = {SRC_B: "b_to_a"}
        wire_b = {SRC_A: "a_to_b"}
        copy = {SRC_A: "copies", SRC_B: "copies"}
        next_refresh = next_state = 0
        while not stop:
            now = time.monotonic()
            if now >= next_refresh:
                links = rtnl.links()
                for end in ends.values():
                    end.refresh(links)
                next_refresh = now + 0.05
            for _ in range(4):
                counts["sent_a"] += ends["xa"].send(frame_a)
                counts["sent_b"] += ends["xb"].send(frame_b)
            time.sleep(0.002)
            ends["xa"].drain(counts, wire_a)
            ends["xb"].drain(counts, wire_b)
            for name in MIRROR_ENDS:
                ends[name].drain(counts, copy)
            if now >= next_state or stop:
                with open(args.state + ".new", "w") as f:
                    json.dump(counts, f)
                os.rename(args.state + ".new", args.state)
                next_state = now + 0.2
    with open(args.state, "w") as f:
        json.dump(counts, f)
    return 0


def read_state(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


# ---------------------------------------------------------------------------
# lifecycle

class Lifecycle:
    """tap0 in the tap netns: pa, pb, m1 (veth, far ends xa, xb, y1)."""

    PAIRS = {"pa": "xa", "pb": "xb", "m1": "y1"}

    def __init__(self, args):
        self.args = args
        self.tap_fd = named_netns(args.tap)
        self.other_fd = named_netns(args.other)
        self.far_fd = named_netns(args.far)
        self.rtnl = Rtnl(self.tap_fd)
        self.other = Rtnl(self.other_fd)
        self.far = Rtnl(self.far_fd)
        self.tb = None

    def family(self):
        """The genl socket, after a (re)load of the module."""
        if self.tb is None:
            self.tb = Tapbridge(self.tap_fd)
        return self.tb

    def pair(self, name, rtnl=None):
        (rtnl or self.rtnl).veth(name, self.PAIRS[name], self.far, self.far_fd)

    def instance(self, rtnl=None, tb=None):
        rtnl, tb = rtnl or self.rtnl, tb or self.family()
        tb.create("tap0", rtnl.ifindex("pa"), rtnl.ifindex("pb"),
                  rtnl.ifindex("m1"))

    def setup(self):
        for name in self.PAIRS:
            if self.rtnl.ifindex(name) is None:
                self.pair(name)
        if not self.family().exists("tap0"):
            self.instance()

    def expect_gone(self, what):
        if self.family().exists("tap0"):
            raise RuntimeError("tap0 still exists after %s" % what)

    def far_gone(self, names):
        """The far ends of deleted pairs, gone (their pair is unregistered)."""
        left = self.far.wait_gone([self.PAIRS[n] for n in names], 10)
        if left:
            raise RuntimeError("far ends %s still there" % ", ".join(left))

    # One cycle of each kind; setup() state before and after.

    def port_del(self, port):
        self.rtnl.delete(port)
        self.expect_gone("deleting its port %s" % port)
        self.far_gone([port])
        self.pair(port)
        self.instance()

    def cycle_port_a_del(self, i):
        self.port_del("pa")

    def cycle_port_b_del(self, i):
        self.port_del("pb")

    def cycle_mirror_del(self, i):
        self.rtnl.delete("m1")
        if not self.family().exists("tap0"):
            raise RuntimeError("tap0 gone after deleting its mirror")
        self.far_gone(["m1"])
        self.pair("m1")
        self.family().aggregate("tap0", self.rtnl.ifindex("m1"))

    def cycle_instance_del(self, i):
        # By genl and by rtnetlink, in turn.
        if i % 2:
            self.rtnl.delete("tap0")
        else:
            self.family().delete("tap0")
        self.expect_gone("its deletion")
        self.instance()

    def move_and_delete(self, name):
        self.rtnl.move(name, self.other_fd)
        self.other.delete(name)
        self.far_gone([name])
        self.pair(name)

    def cycle_port_move(self, i):
        port = "pb" if i % 2 else "pa"
        self.move_and_delete(port)
        self.expect_gone("moving its port %s away" % port)
        self.instance()

    def cycle_mirror_move(self, i):
        self.move_and_delete("m1")
        self.family().aggregate("tap0", self.rtnl.ifindex("m1"))

    def cycle_netns_del(self, i):
        # tap0 in a netns of its own, which goes with everything in it.
        nsfd = new_netns()
        try:
            rtnl = Rtnl(nsfd)
            tb = Tapbridge(nsfd)
            for name in self.PAIRS:
                self.pair(name, rtnl)
            self.instance(rtnl, tb)
            # Long enough for the traffic to find the new far ends.
            time.sleep(0.1)
            tb.close()
            rtnl.close()
        finally:
            os.close(nsfd)
        self.far_gone(self.PAIRS)

    def cycle_rmmod(self, i):
        # tap0 here and tap0 in the other netns (its own pairs there).
        self.tb.close()
        self.tb = None
        rmmod("tapbridge")
        if os.path.exists("/sys/module/tapbridge"):
            raise RuntimeError("/sys/module/tapbridge still there after rmmod")
        insmod(self.args.module)
        self.instance()
        other_tb = Tapbridge(self.other_fd)
        other_tb.create("tap0", self.other.ifindex("qa"),
                        self.other.ifindex("qb"), self.other.ifindex("qm"))
        other_tb.close()

    def cycle_config(self, i):
        tb, m1, m2 = self.family(), self.rtnl.ifindex("m1"), self.m2
        tb.split("tap0", m1, m2)
        tb.aggregate("tap0", m2)
        tb.mirror_add("tap0", m1, "A_B")
        tb.mirror_add("tap0", m1, "BOTH", snaplen=64 + i % 1400)
        tb.mirror_del("tap0", m2)
        tb.aggregate("tap0", m1)

    def run(self):
        failed = 0
        kinds = self.args.kinds.split(",")
        self.setup()
        for kind in kinds:
            if kind == "rmmod":
                for name in ("qa", "qb", "qm"):
                    self.other.veth(name, name + "-peer", self.other,
                                    self.other_fd)
                Tapbridge(self.other_fd).create(
                    "tap0", self.other.ifindex("qa"), self.other.ifindex("qb"),
                    self.other.ifindex("qm"))
            if kind == "config":
                self.rtnl.veth("m2", "y2", self.far, self.far_fd)
                self.m2 = self.rtnl.ifindex("m2")
            if kind == "netns-del":
                # The far ends' names are taken by the tap netns' pairs.
                for name in self.PAIRS:
                    self.rtnl.delete(name)
                self.far_gone(self.PAIRS)
            cycle = getattr(self, "cycle_" + kind.replace("-", "_"))
            before = read_state(self.args.state)
            start = time.monotonic()
            done = 0
            why = ""
            try:
                for i in range(self.args.cycles):
                    cycle(i)
                    done += 1
            except (OSError, RuntimeError, socket.timeout) as e:
                why = "cycle %d: %s: %s" % (done + 1, type(e).__name__, e)
            elapsed = time.monotonic() - start
            if kind == "netns-del":
                # Back to tap0 in the tap netns, for the kinds after it.
                self.setup()
            # Let the traffic process write what it saw.
            time.sleep(0.5)
            after = read_state(self.args.state)
            moved = {k: after.get(k, 0) - before.get(k, 0)
                     for k in ("a_to_b", "b_to_a", "copies")}
            desc = ("lifecycle %s: %d cycles in %.1f s under traffic "
                    "(a->b %d, b->a %d frames, %d copies)" %
                    (kind, done, elapsed, moved["a_to_b"], moved["b_to_a"],
                     moved["copies"]))
            if not why and self.args.state and \
                    (moved["a_to_b"] == 0 or moved["b_to_a"] == 0):
                why = "no frame crossed the TAP in some direction"
            failed += result(not why, desc, why)
            if kind == "rmmod":
                for name in ("qa", "qb", "qm"):
                    self.other.delete(name)
            if kind == "config":
                self.rtnl.delete("m2")
            if why:
                # Start the next kind from a known state.
                try:
                    self.setup()
                except OSError as e:
                    return result(False, "lifecycle: back to a TAP after %s"
                                  % kind, str(e))
        return failed


def cmd_lifecycle(args):
    return 1 if Lifecycle(args).run() else 0


# ---------------------------------------------------------------------------
# churn: counted frames, changing configuration

def taptool_stats(ns):
    out = subprocess.run(["nsenter", "--net=/run/netns/" + ns, "taptool",
                          "-j", "stats", "tap0"], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)[0]


class Churner(threading.Thread):
    """Changes tap0's configuration until stopped; every configuration
    gives each frame of each direction exactly one copy."""

    def __init__(self, tb, m1, m2, seed):
        super().__init__(daemon=True)
        self.tb, self.m1, self.m2 = tb, m1, m2
        self.rand = random.Random(seed)
        self.stop = threading.Event()
        self.changes = 0
        self.error = None

    def options(self):
        r = self.rand
        opts = {}
        if r.random() < 0.5:
            opts["snaplen"] = r.randint(64, 1600)
        if r.random() < 0.5:
            opts["tags"] = (r.randint(1, 4094), r.randint(1, 4094))
            opts["tpid"] = r.choice(("8021Q", "8021AD"))
        if r.random() < 0.3:
            opts["rx_pass"] = r.randint(0, 1)
        return opts

    def step(self):
        tb, m1, m2, r = self.tb, self.m1, self.m2, self.rand
        what = r.randrange(6)
        if what == 0:
            tb.aggregate("tap0", r.choice((m1, m2)))
        elif what == 1:
            if r.random() < 0.5:
                tb.split("tap0", m1, m2)
            else:
                tb.split("tap0", m2, m1)
        elif what in (2, 3):
            # New options for the mirrors there are, with the directions
            # they have.
            state = self.state()
            for ifindex, direction in state:
                tb.mirror_add("tap0", ifindex, direction, **self.options())
        elif what == 4:
            tb.link_propagation("tap0", r.randint(0, 1), r.randint(0, 5000))
        else:
            # Move the copies of both directions from one mirror to the
            # other without a moment of two or none: aggregate to one,
            # then split, then aggregate to the other.
            tb.aggregate("tap0", m1)
            tb.split("tap0", m1, m2)
            tb.aggregate("tap0", m2)
        self.changes += 1

    def state(self):
        """(ifindex, direction) of each of tap0's mirrors."""
        names = {v: k for k, v in DIRECTION.items()}
        entries = []
        for entry in self.mirrors():
            ifindex = struct.unpack("=I", entry[MIRROR["IFINDEX"]])[0]
            direction = struct.unpack("=I", entry[MIRROR["DIRECTION"]])[0]
            entries.append((ifindex, names[direction]))
        return entries

    def mirrors(self):
        """The mirror entries of tap0, each a dict of attributes (genl.py's
        parse_attrs keeps one attribute of each type, and the mirrors are
        several of one type)."""
        tb = self.tb
        body = struct.pack("=BBH", CMD["GET"], tb.version, 0) + \
            Tapbridge.name("tap0")
        try:
            reply = tb.genl.transact(tb.family, 0, body)[0]
        except OSError as e:
            raise OSError(e.errno, "get tap0: " + e.strerror) from None
        attrs = reply[4:]
        out = []
        while len(attrs) >= 4:
            alen, atype = struct.unpack("=HH", attrs[:4])
            if atype & 0x3FFF == INST["MIRRORS"]:
                out.append(genl.parse_attrs(attrs[4:alen]))
            attrs = attrs[(alen + 3) & ~3:]
        return out

    def run(self):
        try:
            while not self.stop.is_set():
                self.step()
        except OSError as e:
            self.error = "change %d: %s" % (self.changes + 1, e)


def cmd_churn(args):
    tap_fd = named_netns(args.tap)
    rtnl = Rtnl(tap_fd)
    tb = Tapbridge(tap_fd)
    m1, m2 = rtnl.ifindex("m1"), rtnl.ifindex("m2")
    tb.aggregate("tap0", m1)
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print("# churn seed %d" % seed, flush=True)
    before = taptool_stats(args.tap)

    with Netns(args.far):
        ends = {n: End(n) for n in ("xa", "xb", "y1", "y2")}
        for end in ends.values():
            end.refresh()
            end.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    nonce = os.urandom(4)

    def frame(src, seq):
        return DST + src + struct.pack("!H", ETH_P_STRESS) + nonce + \
            struct.pack("!I", seq) + bytes(52)

    sent = {"a_to_b": 0, "b_to_a": 0}
    seen = {"a_to_b": set(), "b_to_a": set()}
    dups = {"a_to_b": 0, "b_to_a": 0}
    copies = {"a_to_b": 0, "b_to_a": 0}
    direction_of = {SRC_A: "a_to_b", SRC_B: "b_to_a"}

    def drain_wire(end, direction):
        while True:
            try:
                data, addr = end.sock.recvfrom(65536)
            except BlockingIOError:
                return
            if addr[2] == PACKET_OUTGOING or data[14:18] != nonce or \
                    direction_of.get(data[6:12]) != direction:
                continue
            seq = struct.unpack("!I", data[18:22])[0]
            if seq in seen[direction]:
                dups[direction] += 1
            seen[direction].add(seq)

    def drain_copies(end):
        while True:
            try:
                data, addr = end.sock.recvfrom(65536)
            except BlockingIOError:
                return
            direction = direction_of.get(data[6:12])
            if addr[2] != PACKET_OUTGOING and direction:
                copies[direction] += 1

    churner = Churner(tb, m1, m2, seed)
    churner.start()
    start = time.monotonic()
    last_progress = start
    poller = select.poll()
    for end in ends.values():
        poller.register(end.sock, select.POLLIN)
    while True:
        progress = False
        for direction, src, end in (("a_to_b", SRC_A, ends["xa"]),
                                    ("b_to_a", SRC_B, ends["xb"])):
            while sent[direction] < args.frames and \
                    sent[direction] - len(seen[direction]) < args.window:
                end.sock.send(frame(src, sent[direction]))
                sent[direction] += 1
                progress = True
        poller.poll(20)
        n = len(seen["a_to_b"]) + len(seen["b_to_a"])
        drain_wire(ends["xb"], "a_to_b")
        drain_wire(ends["xa"], "b_to_a")
        drain_copies(ends["y1"])
        drain_copies(ends["y2"])
        if len(seen["a_to_b"]) + len(seen["b_to_a"]) != n:
            progress = True
        now = time.monotonic()
        if progress:
            last_progress = now
        if all(len(seen[d]) == args.frames for d in seen) or \
                now - last_progress > 5:
            break
    elapsed = time.monotonic() - start
    churner.stop.set()
    churner.join(30)
    # The last copies are on their way; the counters are final once the
    # frames are all through.
    time.sleep(1)
    drain_copies(ends["y1"])
    drain_copies(ends["y2"])
    after = taptool_stats(args.tap)

    failed = 0
    failed += result(churner.error is None,
                     "churn: %d configuration changes while %d frames each way "
                     "crossed (%.1f s)" % (churner.changes, args.frames, elapsed),
                     churner.error or "")
    for direction in ("a_to_b", "b_to_a"):
        delta = {k: after[direction][k] - before[direction][k]
                 for k in after[direction]}
        lost = sent[direction] - len(seen[direction])
        label = direction.replace("_to_", "->")
        failed += result(lost == 0 and dups[direction] == 0 and
                         sent[direction] == args.frames,
                         "churn %s: %d frames sent, every one arrived once" %
                         (label, args.frames),
                         "sent %d, lost %d, duplicated %d" %
                         (sent[direction], lost, dups[direction]))
        failed += result(delta["rx_packets"] == sent[direction] and
                         delta["rx_packets"] == delta["fwd_packets"] +
                         delta["fwd_drops"] and delta["fwd_drops"] == 0,
                         "churn %s counters: received %d = forwarded %d + "
                         "forward drops %d" % (label, delta["rx_packets"],
                                               delta["fwd_packets"],
                                               delta["fwd_drops"]),
                         "sent %d" % sent[direction])
        failed += result(delta["mirror_packets"] + delta["mirror_drops"] ==
                         delta["rx_packets"] and
                         delta["mirror_packets"] == copies[direction],
                         "churn %s copies: expected %d = sent %d + mirror "
                         "drops %d; %d arrived at the mirrors' far ends" %
                         (label, delta["rx_packets"], delta["mirror_packets"],
                          delta["mirror_drops"], copies[direction]),
                         "one copy per frame in every configuration")
    return 1 if failed else 0


# ---------------------------------------------------------------------------

def make_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("traffic", help="frames both ways until SIGTERM")
    p.add_argument("--far", required=True)
    p.add_argument("--state", required=True)
    p.set_defaults(func=cmd_traffic)

    p = sub.add_parser("lifecycle", help="teardown cycles under traffic")
    p.add_argument("--tap", required=True)
    p.add_argument("--other", required=True)
    p.add_argument("--far", required=True)
    p.add_argument("--module", required=True)
    p.add_argument("--cycles", type=int, default=200)
    p.add_argument("--state", default="")
    p.add_argument("--kinds", default="port-a-del,port-b-del,mirror-del,"
                   "instance-del,port-move,mirror-move,netns-del,rmmod,config")
    p.set_defaults(func=cmd_lifecycle)

    p = sub.add_parser("churn", help="counted frames, changing configuration")
    p.add_argument("--tap", required=True)
    p.add_argument("--far", required=True)
    p.add_argument("--frames", type=int, default=20000)
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--seed", type=int)
    p.set_defaults(func=cmd_churn)

    return parser


def main():
    args = make_parser().parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
