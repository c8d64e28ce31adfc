#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Fail each allocation of each tapbridge request in turn (fail-nth).

  fault.py --ports PA:PB --mirrors M1,M2,M3 [--case NAME ...] [--max N]

Run inside the TAP's netns with its own sysfs (ip netns exec), as root, on
a kernel with CONFIG_FAULT_INJECTION, FAILSLAB and FAIL_PAGE_ALLOC whose
debugfs attributes let fail-nth fail sleeping allocations and order-0
pages, quietly (stress_fault.sh sets them). For
each case: a setup (requests sent without faults), then one request of
the case, sent once cleanly and then again with /proc/thread-self/fail-nth
set to 1, 2, 3, ... so that its first, second, third allocation fails
(slab and page allocations, both counted by fail-nth), until the request
runs to its end without reaching the fault. After each faulted request:

  - when the kernel answered with an error, the configuration (every
    instance as the dump reports it, less its ifindex) and the state of
    every port and mirror (flags, MTU, address, master, upper devices) are
    exactly as before the request;
  - when it answered with success (the fault hit something the kernel may
    do without, such as an event), they are exactly as after the clean
    request;
  - the kernel answered exactly once, or the requesting socket reports
    that the answer was lost (ENOBUFS), and then either state will do;
  - a request that failed sent no event; one that succeeded sent the
    events of the clean request, or the events socket reports the loss
    (ENOBUFS), as rtnetlink does.

The events group is subscribed during the run, so that the allocations
of events are fault points too. The number of fault points of each case
is printed. Leaks are found by the kmemleak scan run_all.sh makes after
the script; splats by its kernel log scan.

Result lines go to stdout as "PASS<TAB>description" or
"FAIL<TAB>description<TAB>why"; anything else starts with "# ".
"""

import argparse
import errno
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genl  # noqa: E402
import genl_probe  # noqa: E402

FAMILY, VERSION, CMD, INST, MIRROR = genl.read_uapi()
MODE = genl.uapi_enum("TAPBRIDGE_MODE_")
DIRECTION = genl.uapi_enum("TAPBRIDGE_DIRECTION_")
LOST = "the answer was lost (ENOBUFS on the socket)"
TPID = genl.uapi_enum("TAPBRIDGE_TPID_")
LOSS = genl.uapi_enum("TAPBRIDGE_PORT_LOSS_")
NETLINK_ADD_MEMBERSHIP = 1


def u32(atype, value):
    return genl.attr(atype, struct.pack("=I", value))


def flag(atype):
    """A u8 option of the instance, turned on."""
    return genl.attr(atype, b"\1")


def name_attr(name):
    return genl.attr(INST["name"], name.encode() + b"\0")


def mirror_entry(ifindex, **opts):
    body = u32(MIRROR["ifindex"], ifindex)
    for key, value in opts.items():
        key = key.replace("_", "-")
        body += genl.attr(MIRROR[key],
                          struct.pack(genl.MIRROR_PACK.get(key, "=I"), value))
    return genl.attr(INST["mirrors"] | genl.NLA_F_NESTED, body)


def tlvs(data):
    """The attributes of data in order, as (type, payload) pairs."""
    out = []
    while len(data) >= 4:
        length, atype = struct.unpack("=HH", data[:4])
        if length < 4:
            break
        out.append((atype, data[4:length]))
        data = data[(length + 3) & ~3:]
    return out


class Kernel:
    """The family, over one request socket and one event socket."""

    def __init__(self):
        self.sock = genl.GenlSocket()
        self.fid, group = genl_probe.family_info(self.sock, FAMILY)
        self.events = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                    genl.NETLINK_GENERIC)
        self.events.bind((0, 0))
        self.events.setsockopt(genl.SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                               group)
        self.events.setblocking(False)
        # Opened now: opening a file allocates, and must not count.
        self.nth = os.open("/proc/thread-self/fail-nth", os.O_RDWR)

    def message(self, cmd, payload, dump=False):
        return self.sock.genl_message(self.fid, CMD[cmd], VERSION, payload,
                                      genl.NLM_F_DUMP if dump else 0)

    def answers(self):
        """Read the answer of the last request: (errno, extack, replies,
        number of answers). A dump's answer is its NLMSG_DONE."""
        replies, answers, err, text = [], 0, 0, ""
        self.sock.sock.settimeout(10)
        try:
            err, text, replies = self.sock.answer()
            answers = 1
            replies = [reply[4:] for reply in replies]
            # A second answer would already be queued: look once.
            self.sock.sock.setblocking(False)
            try:
                while True:
                    data = self.sock.sock.recv(1 << 20)
                    answers += sum(seq == self.sock.seq for _, seq, _ in
                                   genl.messages(data))
            except BlockingIOError:
                pass
        except socket.timeout:
            pass
        except OSError as e:
            # The answer itself could not be allocated: the socket says so
            # (ENOBUFS), and whether the request was done is unknown.
            err, text = e.errno, LOST
            answers = max(answers, 1)
        self.sock.sock.setblocking(True)
        return err, text, replies, answers

    def request(self, cmd, payload, dump=False):
        self.sock.sock.send(self.message(cmd, payload, dump))
        return self.answers()

    def faulted(self, cmd, payload, nth):
        """Send the request with its nth fault point failing. Return
        (reached, errno, extack, replies, answers)."""
        msg = self.message(cmd, payload)
        os.pwrite(self.nth, b"%d" % nth, 0)
        try:
            self.sock.sock.send(msg)
            sent_err = 0
        except OSError as e:
            sent_err = e.errno
        left = int(os.pread(self.nth, 32, 0) or b"0")
        os.pwrite(self.nth, b"0", 0)
        if sent_err:
            return left == 0, sent_err, "sendmsg", [], 1
        return (left == 0,) + self.answers()

    def drain_events(self):
        """Read the queued events: (how many, whether the socket reported
        lost events with ENOBUFS)."""
        count, lost = 0, False
        while True:
            try:
                data = self.events.recv(1 << 20)
            except BlockingIOError:
                return count, lost
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                lost = True
                continue
            while len(data) >= 16:
                length = struct.unpack("=I", data[:4])[0]
                count += 1
                data = data[(length + 3) & ~3:]

    def must(self, cmd, payload):
        err, text, replies, _ = self.request(cmd, payload)
        if err:
            raise RuntimeError("%s: %s (%s)" % (cmd, text, os.strerror(err)))
        return replies

    def instances(self):
        err, text, replies, _ = self.request("get", b"", dump=True)
        if err:
            raise RuntimeError("dump: %s" % text)
        return replies


def ifindex(dev):
    with open("/sys/class/net/%s/ifindex" % dev) as f:
        return int(f.read())


def device_state(dev):
    base = "/sys/class/net/" + dev
    if not os.path.exists(base):
        return (dev, "absent")
    state = [dev]
    for field in ("flags", "mtu", "address", "tx_queue_len"):
        with open(os.path.join(base, field)) as f:
            state.append(f.read().strip())
    master = os.path.join(base, "master")
    state.append(os.path.basename(os.readlink(master))
                 if os.path.islink(master) else "-")
    state.append(" ".join(sorted(e for e in os.listdir(base)
                                 if e.startswith(("upper_", "lower_")))))
    return tuple(state)


class Run:
    def __init__(self, kernel, ports, mirrors, max_points):
        self.k = kernel
        self.ports = ports
        self.mirrors = mirrors
        self.devices = ports + mirrors
        self.max = max_points
        self.failed = 0

    def result(self, ok, text, why=""):
        if ok:
            print("PASS\t%s" % text)
        else:
            self.failed += 1
            print("FAIL\t%s\t%s" % (text, why))
        sys.stdout.flush()

    def snapshot(self):
        config = []
        for reply in self.k.instances():
            config.append(tuple((t, p) for t, p in tlvs(reply)
                                if t != INST["ifindex"]))
        netdevs = tuple(sorted(os.listdir("/sys/class/net")))
        return (tuple(sorted(config)), netdevs,
                tuple(device_state(d) for d in self.devices))

    @staticmethod
    def describe(before, after):
        if before[1] != after[1]:
            return "devices %s, expected %s" % (" ".join(after[1]),
                                                " ".join(before[1]))
        if before[2] != after[2]:
            diff = [("%s != %s" % (a, b)) for a, b in zip(after[2], before[2])
                    if a != b]
            return "device state " + "; ".join(diff)
        return "instances differ: %d now, %d expected" % (len(after[0]),
                                                          len(before[0]))

    def reset(self, setup):
        for reply in self.k.instances():
            name = genl.parse_attrs(reply).get(INST["name"])
            self.k.must("delete", genl.attr(INST["name"], name))
        for cmd, payload in setup:
            self.k.must(cmd, payload)
        self.k.drain_events()

    def case(self, label, setup, cmd, payload):
        self.reset(setup)
        before = self.snapshot()
        err, text, _, answers = self.k.request(cmd, payload)
        after = self.snapshot()
        events, _ = self.k.drain_events()
        if err or answers != 1:
            self.result(False, "%s: runs without faults" % label,
                        "%s (%s), %d answers" % (text, os.strerror(err),
                                                 answers))
            return
        points, errors, tolerated, lost_answers, bad = 0, 0, 0, 0, []
        state = after
        start = time.monotonic()
        nth = 1
        while nth <= self.max:
            if state != before:
                self.reset(setup)
                state = self.snapshot()
                if state != before:
                    bad.append("setup does not repeat before fault %d" % nth)
                    break
            reached, err, text, _, answers = self.k.faulted(cmd, payload, nth)
            state = self.snapshot()
            got, lost = self.k.drain_events()
            if text == LOST:
                pass
            elif err and got:
                bad.append("fault %d failed the request but %d events said "
                           "it happened" % (nth, got))
            elif not err and got != events and not lost:
                bad.append("fault %d: %d events of %d, and no ENOBUFS on "
                           "the events socket" % (nth, got, events))
            if not reached:
                if err or state != after:
                    bad.append("after the last fault point (%d): %s" %
                               (nth - 1, text or self.describe(after, state)))
                break
            points += 1
            if answers != 1:
                bad.append("fault %d: %d answers" % (nth, answers))
            if text == LOST:
                # The request may have been done before its answer was
                # lost: either state will do, with its events.
                lost_answers += 1
                if state == after and got != events and not lost:
                    bad.append("fault %d: done, answer lost, %d events of "
                               "%d" % (nth, got, events))
                elif state != after and (state != before or got):
                    bad.append("fault %d: answer lost, and %s" %
                               (nth, self.describe(before, state)))
            elif err:
                errors += 1
                if state != before:
                    bad.append("fault %d failed the request (%s) but left "
                               "%s" % (nth, text or os.strerror(err),
                                       self.describe(before, state)))
            else:
                tolerated += 1
                if state != after:
                    bad.append("fault %d: success, but %s" %
                               (nth, self.describe(after, state)))
            nth += 1
        else:
            bad.append("more than %d fault points" % self.max)
        print("# %s: %d fault points, %d refused the request, %d done "
              "without, %d lost the answer, %.0f s" %
              (label, points, errors, tolerated, lost_answers,
               time.monotonic() - start))
        for why in bad[3:12]:
            print("# %s: %s" % (label, why))
        self.result(not bad and points > 0,
                    "%s: each of its %d fault points fails it cleanly" %
                    (label, points),
                    "; ".join(bad[:3]) or "no fault point reached")


def cases(ports, mirrors):
    pa, pb = (ifindex(d) for d in ports)
    m1, m2, m3 = (ifindex(d) for d in mirrors)
    name = name_attr("tf0")
    ports_attrs = name + u32(INST["port-a"], pa) + u32(INST["port-b"], pb)
    agg = [("create", ports_attrs + u32(INST["mode"], MODE["aggregate"]) +
            u32(INST["mirror"], m1))]
    custom = agg + [("mirror-add", name + mirror_entry(
        m2, direction=DIRECTION["a-b"], snaplen=128, tag_vid_ab=10))]
    return [
        ("create aggregate", [], agg[0][0], agg[0][1]),
        ("create split with propagation", [], "create",
         ports_attrs + u32(INST["mode"], MODE["split"]) + u32(INST["mirror-ab"], m1) +
         u32(INST["mirror-ba"], m2) +
         flag(INST["link-propagation"]) +
         u32(INST["hold-down"], 200)),
        ("set mode split", agg, "set",
         name + u32(INST["mode"], MODE["split"]) +
         u32(INST["mirror-ab"], m2) + u32(INST["mirror-ba"], m3)),
        ("create with capture, wire-tstamp and port-loss wait", [],
         "create", agg[0][1] + flag(INST["capture"]) +
         flag(INST["wire-tstamp"]) + u32(INST["port-loss"], LOSS["wait"])),
        ("create with capture only", [], "create",
         ports_attrs + u32(INST["mode"], MODE["aggregate"]) +
         flag(INST["capture"])),
        ("set capture and wire-tstamp", agg, "set",
         name + flag(INST["capture"]) + flag(INST["wire-tstamp"])),
        ("set port-loss wait", agg, "set",
         name + u32(INST["port-loss"], LOSS["wait"])),
        ("reset-stats", agg, "reset-stats", name),
        ("set link propagation", agg, "set",
         name + flag(INST["link-propagation"]) +
         u32(INST["hold-down"], 500)),
        ("mirror-add", agg, "mirror-add",
         name + mirror_entry(m2, direction=DIRECTION["b-a"], snaplen=64,
                             tag_vid_ba=20, tag_tpid=TPID["8021ad"],
                             rx_pass=1)),
        ("mirror-del", custom, "mirror-del", name + mirror_entry(m2)),
        ("get", agg, "get", name),
        ("delete", custom, "delete", name),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ports", required=True)
    parser.add_argument("--mirrors", required=True)
    parser.add_argument("--case", action="append")
    parser.add_argument("--max", type=int, default=5000)
    args = parser.parse_args()

    if not os.path.exists("/proc/thread-self/fail-nth"):
        print("# no /proc/thread-self/fail-nth: CONFIG_FAULT_INJECTION off")
        return 4
    ports = args.ports.split(":")
    mirrors = args.mirrors.split(",")
    run = Run(Kernel(), ports, mirrors, args.max)
    for label, setup, cmd, payload in cases(ports, mirrors):
        if args.case and label not in args.case:
            continue
        try:
            run.case(label, setup, cmd, payload)
        except (RuntimeError, OSError) as e:
            run.result(False, label, str(e))
    try:
        run.reset([])
    except (RuntimeError, OSError) as e:
        run.result(False, "instances deleted at the end", str(e))
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
