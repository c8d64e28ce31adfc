#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Seeded fuzzer of the tapbridge generic netlink family.

  genl_fuzz.py --netns NS --seed SEED --count N
               --ports IF:IF[,IF:IF...] --mirrors IF[,IF...]
               [--traffic NS:IF[,NS:IF...]] [--batch M] [--label TEXT]

Sends N messages to the family, from the netns NS, in batches of M (one
sendmsg each, then every answer of the batch is read back). Each message
is drawn from one class:

  random      random command, genl version and flags, random attributes
  mutated     a valid request of a random op, then bits flipped, cut,
              attributes dropped, doubled, retyped or given other lengths
  types       a valid request with one attribute of the wrong type or
              length (u32 in 1, 2, 3, 8 bytes; strings without NUL or too
              long; a scalar flagged nested)
  nesting     mirror entries nested 2 to 200 deep, nests whose length
              overruns their parent, attributes with a length under 4,
              trailing bytes
  values      every integer attribute at 0, 1, its limits and one past
              them, and at the largest value of its type
  valid       well-formed create, set, mirror-add, mirror-del, delete and
              get requests on the devices of --ports and --mirrors, so that
              instances come and go while the rest is sent

Every message carries NLM_F_REQUEST and NLM_F_ACK (with random other flags
on top): the kernel must answer each one exactly once, with an error, an
ack, or the end of a dump, and the fuzzer checks that it did. Between
batches, frames are sent on each --traffic interface, so the datapath runs
while the configuration changes under it.

The messages depend only on the seed and the devices of NS (names and
ifindexes), never on the kernel's answers: the same seed in the same
topology sends the same messages. The seed is printed first.

Attribute types and checks come from uapi/tapbridge.yaml, the family's
spec, and the numbers are checked against uapi/linux/tapbridge.h.

Result lines go to stdout as "PASS<TAB>description" or
"FAIL<TAB>description<TAB>why" (lib.sh turns them into KTAP); anything else
starts with "# ". Exit status 0 when every check passed, 1 otherwise.
"""

import argparse
import collections
import errno
import os
import random
import socket
import struct
import sys
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frames  # noqa: E402
import genl  # noqa: E402
from frames import Netns, split_endpoint  # noqa: E402

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "..", "uapi", "tapbridge.yaml")

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_ECHO = 0x8
NLM_F_ROOT = 0x100
NLM_F_MATCH = 0x200
NLM_F_ATOMIC = 0x400
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_REPLACE = 0x100
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_APPEND = 0x800
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLA_F_NESTED = 0x8000
NLA_F_NET_BYTEORDER = 0x4000

SO_SNDBUFFORCE = 32
SO_RCVBUFFORCE = 33

INT_SIZES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}
INT_FORMATS = {"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q"}
IFINDEX_ATTRS = ("ifindex", "port-a", "port-b", "mirror", "mirror-ab",
                 "mirror-ba")


# ---------------------------------------------------------------------------
# The family, from its spec

class Attr:
    def __init__(self, value, name, atype, checks, nested, multi):
        self.value = value
        self.name = name
        self.type = atype
        self.checks = checks
        self.nested = nested
        self.multi = multi


class Family:
    """Attribute sets, ops and their request attributes, from the spec."""

    def __init__(self, path):
        with open(path) as f:
            spec = yaml.safe_load(f)
        consts = {}
        enums = {}
        for d in spec.get("definitions", []):
            if d["type"] == "const":
                consts[d["name"]] = d["value"]
            elif d["type"] == "enum":
                start = d.get("value-start", 0)
                enums[d["name"]] = (start, start + len(d["entries"]) - 1)

        self.sets = {}
        for aset in spec["attribute-sets"]:
            attrs = {}
            for i, a in enumerate(aset["attributes"]):
                checks = dict(a.get("checks", {}))
                for key, value in checks.items():
                    if isinstance(value, str):
                        checks[key] = consts[value]
                if "enum" in a:
                    checks["min"], checks["max"] = enums[a["enum"]]
                attrs[a["name"]] = Attr(a.get("value", i + 1), a["name"],
                                        a["type"], checks,
                                        a.get("nested-attributes"),
                                        a.get("multi-attr", False))
            self.sets[aset["name"]] = attrs

        self.ops = {}
        for i, op in enumerate(spec["operations"]["list"]):
            request = op.get("do", {}).get("request", {}).get("attributes", [])
            self.ops[op["name"]] = {
                "value": op.get("value", i + 1),
                "set": op["attribute-set"],
                "request": list(request),
                "dump": "dump" in op,
            }
        self.name = spec["name"]

    def check_header(self):
        """The numbers of the generated header must be the spec's."""
        header = {"op": genl.uapi_enum("TAPBRIDGE_CMD_")}
        spec = {"op": {n: op["value"] for n, op in self.ops.items()}}
        for aset in ("instance", "mirror", "stats"):
            prefix = "TAPBRIDGE_A_%s_" % aset.upper()
            header[aset] = genl.uapi_enum(prefix)
            spec[aset] = {n: a.value for n, a in self.sets[aset].items()}
        for what in spec:
            if spec[what] != header[what]:
                raise RuntimeError("%s numbers: spec %s, header %s" %
                                   (what, spec[what], header[what]))


# ---------------------------------------------------------------------------
# Building attributes

def tlv(atype, payload):
    return struct.pack("=HH", 4 + len(payload), atype) + payload + \
        b"\0" * (-len(payload) % 4)


def int_limits(a):
    bits = 8 * INT_SIZES[a.type]
    lo = a.checks.get("min", 0)
    hi = a.checks.get("max", (1 << bits) - 1)
    return lo, hi, (1 << bits) - 1


class Generator:
    """Message generator: a function of the seed and the netns's devices."""

    def __init__(self, family, rng, devices, ports, mirrors):
        self.f = family
        self.rng = rng
        self.devices = devices                  # {name: ifindex}
        self.ports = ports                      # [(ifindex, ifindex)]
        self.mirrors = mirrors                  # [ifindex]
        top = max(devices.values())
        # Existing devices, the ifindexes new instances will get, and
        # values no device has.
        self.ifindexes = (sorted(devices.values()) +
                          list(range(top + 1, top + 40)) +
                          [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF])
        self.names = (["fz%d" % i for i in range(4)] + sorted(devices) +
                      ["", ".", "..", "a/b", "a b", "a:b", "x" * 15, "y" * 16,
                       "z" * 64, "tap%d", "\xff\xfe"])
        self.instance_names = ["fz%d" % i for i in range(4)]
        self.op_names = [n for n in family.ops if n != "event"]
        self.instance = family.sets["instance"]
        self.mirror = family.sets["mirror"]
        attrs = list(self.instance.values()) + list(self.mirror.values())
        self.pools = {a: self.value_pool(a) for a in attrs}
        self.edges = {a: self.edge_pool(a) for a in attrs if a.type in INT_SIZES}
        self.mirror_ifindex_tlvs = [tlv(self.mirror["ifindex"].value, p)
                                    for p in self.pools[self.mirror["ifindex"]]]
        self.mirror_tlvs = [(a, [tlv(a.value, p) for p in self.pools[a]])
                            for a in self.mirror.values()
                            if a.name not in ("ifindex", "pad")]

    # -- values ---------------------------------------------------------

    def pick_ifindex(self):
        return self.rng.choice(self.ifindexes)

    def int_payload(self, a, value):
        return struct.pack(INT_FORMATS[a.type], value & int_limits(a)[2])

    def value_pool(self, a):
        """Payloads the policy of attribute a takes, computed once."""
        if a.name in IFINDEX_ATTRS:
            return [struct.pack("=I", i) for i in self.ifindexes]
        if a.type == "string":
            return ([n.encode() + b"\0" for n in self.instance_names] * 4 +
                    [n.encode() + b"\0" for n in self.names])
        if a.type in INT_SIZES:
            lo, hi, _ = int_limits(a)
            top = min(hi, lo + 2000)
            return [self.int_payload(a, v) for v in
                    sorted({lo, top} | {self.rng.randint(lo, top) for _ in range(30)})]
        return [b""]

    def good_value(self, a):
        """A value of attribute a that its policy takes."""
        if a.type == "nest":
            return self.mirror_entry()
        return self.rng.choice(self.pools[a])

    def edge_value(self, a):
        """0, 1, the limits and one past them, the type's largest."""
        return self.rng.choice(self.edges[a])

    def edge_pool(self, a):
        lo, hi, top = int_limits(a)
        return [self.int_payload(a, v) for v in
                (0, 1, lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, top, top >> 1,
                 (top >> 1) + 1)]

    def mirror_entry(self):
        """The payload of one mirrors nest: some mirror attributes."""
        rng = self.rng
        out = [rng.choice(self.mirror_ifindex_tlvs)]
        for a, tlvs in self.mirror_tlvs:
            if rng.random() < 0.4:
                out.append(rng.choice(tlvs))
        return b"".join(out)

    # -- requests -------------------------------------------------------

    def request_attrs(self, op):
        """[(type, payload)]: a plausible request of op."""
        spec = self.f.ops[op]
        attrs = []
        for name in spec["request"]:
            if self.rng.random() < 0.3:
                continue
            a = self.instance[name]
            t = a.value | (NLA_F_NESTED if a.type == "nest" else 0)
            attrs.append((t, self.good_value(a)))
        return attrs

    def message(self, cmd, attrs, version=1, extra_flags=0, raw=None):
        body = raw if raw is not None else b"".join(tlv(t, p) for t, p in attrs)
        return cmd, version, extra_flags, body

    def random_flags(self):
        flags = 0
        for bit in (NLM_F_MULTI, NLM_F_ECHO, NLM_F_ROOT, NLM_F_MATCH,
                    NLM_F_ATOMIC, NLM_F_APPEND, 0x1000, 0x2000):
            if self.rng.random() < 0.08:
                flags |= bit
        return flags

    def gen_random(self):
        rng = self.rng
        cmd = rng.choice([0, 7, 8, 9, 255, rng.randrange(256)] +
                         [self.f.ops[n]["value"] for n in self.op_names])
        attrs = []
        for _ in range(rng.randrange(6)):
            t = rng.randrange(24) | rng.choice([0, 0, 0, NLA_F_NESTED,
                                                NLA_F_NET_BYTEORDER])
            attrs.append((t, rng.randbytes(rng.choice([0, 1, 2, 4, 4, 8, 16,
                                                       rng.randrange(200)]))))
        return self.message(cmd, attrs, rng.choice([0, 1, 1, 2, 255]),
                            self.random_flags())

    def gen_valid_like(self):
        op = self.rng.choice(self.op_names)
        flags = NLM_F_DUMP if (op == "get" and self.rng.random() < 0.3) else 0
        return op, self.request_attrs(op), flags

    def gen_mutated(self):
        rng = self.rng
        op, attrs, flags = self.gen_valid_like()
        cmd = self.f.ops[op]["value"]
        for _ in range(rng.randint(1, 3)):
            how = rng.randrange(7)
            if how == 0 and attrs:                       # drop one
                attrs.pop(rng.randrange(len(attrs)))
            elif how == 1 and attrs:                     # double one
                attrs.append(rng.choice(attrs))
            elif how == 2 and attrs:                     # retype one
                i = rng.randrange(len(attrs))
                attrs[i] = (rng.randrange(1, 24), attrs[i][1])
            elif how == 3 and attrs:                     # resize one
                i = rng.randrange(len(attrs))
                t, p = attrs[i]
                n = rng.choice([0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17])
                attrs[i] = (t, (p + rng.randbytes(n))[:n])
            elif how == 4:                               # another op's attrs
                cmd = self.f.ops[rng.choice(self.op_names)]["value"]
            elif how == 5 and attrs:                     # shuffle
                rng.shuffle(attrs)
            else:                                        # flip bits
                body = bytearray(b"".join(tlv(t, p) for t, p in attrs))
                for _ in range(rng.randint(1, 4)):
                    if body:
                        body[rng.randrange(len(body))] ^= 1 << rng.randrange(8)
                if body and rng.random() < 0.3:
                    body = body[:rng.randrange(len(body))]
                return self.message(cmd, None, extra_flags=flags,
                                    raw=bytes(body))
        return self.message(cmd, attrs, extra_flags=flags)

    def gen_types(self):
        rng = self.rng
        op, attrs, flags = self.gen_valid_like()
        a = self.instance[rng.choice(self.f.ops[op]["request"] or ["ifindex"])]
        if a.type in INT_SIZES:
            size = rng.choice([n for n in (0, 1, 2, 3, 4, 5, 8, 12)
                               if n != INT_SIZES[a.type]])
            bad = (a.value, rng.randbytes(size))
        elif a.type == "string":
            bad = (a.value, rng.choice([b"fz0", b"\0", b"", b"0123456789abcdef\0",
                                        b"fz0\0junk\0", b"x" * 300,
                                        rng.randbytes(rng.randrange(1, 32))]))
        else:                       # a nest given as a scalar, or as bytes
            bad = (a.value | rng.choice([0, NLA_F_NESTED]),
                   rng.choice([struct.pack("=I", 1), b"", rng.randbytes(7)]))
        if rng.random() < 0.3:      # or flagged nested when it is not
            bad = (bad[0] | NLA_F_NESTED, bad[1])
        attrs.insert(rng.randrange(len(attrs) + 1), bad)
        return self.message(self.f.ops[op]["value"], attrs, extra_flags=flags)

    def nest_chain(self, depth):
        rng = self.rng
        inner = self.mirror_entry() if rng.random() < 0.5 else b""
        for _ in range(depth):
            t = rng.choice([self.instance["mirrors"].value,
                            self.mirror["ifindex"].value, rng.randrange(16)])
            inner = tlv(t | NLA_F_NESTED, inner)
        return inner

    def gen_nesting(self):
        rng = self.rng
        op = rng.choice(["mirror-add", "mirror-del", "create", "set"])
        head = b"".join(tlv(t, p) for t, p in self.request_attrs(op)
                        if (t & ~NLA_F_NESTED) != self.instance["mirrors"].value)
        mirrors = self.instance["mirrors"].value | NLA_F_NESTED
        how = rng.randrange(5)
        if how == 0:                                 # deep
            body = tlv(mirrors, self.nest_chain(rng.choice([1, 2, 3, 9, 10, 11,
                                                            32, 200])))
        elif how == 1:                               # nest overruns parent
            inner = bytearray(tlv(mirrors, self.mirror_entry()))
            struct.pack_into("=H", inner, 0,
                             len(inner) + rng.choice([1, 4, 8, 100, 60000]))
            body = bytes(inner)
        elif how == 2:                               # child overruns nest
            entry = bytearray(self.mirror_entry())
            struct.pack_into("=H", entry, 0, len(entry) + rng.choice([1, 4, 64]))
            body = tlv(mirrors, bytes(entry))
        elif how == 3:                               # length under 4
            entry = self.mirror_entry() + struct.pack(
                "=HH", rng.randrange(4), self.mirror["snaplen"].value)
            body = tlv(mirrors, entry)
        else:                                        # trailing bytes
            entry = self.mirror_entry() + rng.randbytes(rng.randint(1, 3))
            raw = struct.pack("=HH", 4 + len(entry), mirrors) + entry
            body = raw if rng.random() < 0.5 else raw + b"\0" * (-len(raw) % 4)
        for _ in range(rng.choice([0, 0, 1, 8])):    # more than one entry
            body += tlv(mirrors, self.mirror_entry())
        return self.message(self.f.ops[op]["value"], None, raw=head + body)

    def gen_values(self):
        rng = self.rng
        op = rng.choice(["create", "set", "mirror-add", "mirror-del", "get",
                         "delete"])
        attrs = self.request_attrs(op)
        ints = [self.instance[n] for n in self.f.ops[op]["request"]
                if self.instance[n].type in INT_SIZES]
        if ints:
            a = rng.choice(ints)
            attrs.append((a.value, self.edge_value(a)))
        if op.startswith("mirror"):
            entry = tlv(self.mirror["ifindex"].value,
                        struct.pack("=I", self.pick_ifindex()))
            for a in self.mirror.values():
                if a.type in INT_SIZES and rng.random() < 0.5:
                    entry += tlv(a.value, self.edge_value(a))
            attrs.append((self.instance["mirrors"].value | NLA_F_NESTED, entry))
        return self.message(self.f.ops[op]["value"], attrs)

    # -- valid configuration ---------------------------------------------

    def gen_valid(self):
        """A well-formed request on the configured devices."""
        rng = self.rng
        i = self.instance
        m = self.mirror
        name = rng.choice(self.instance_names).encode() + b"\0"
        op = rng.choice(["create", "create", "set", "mirror-add",
                         "mirror-add", "mirror-del", "delete", "get", "dump",
                         "reset-stats"])
        if op == "create":
            pa, pb = rng.choice(self.ports)
            attrs = [(i["name"].value, name),
                     (i["port-a"].value, struct.pack("=I", pa)),
                     (i["port-b"].value, struct.pack("=I", pb))]
            attrs += self.valid_preset()
            if rng.random() < 0.3:
                attrs.append((i["link-propagation"].value, b"\x01"))
                attrs.append((i["hold-down"].value,
                              struct.pack("=I", rng.choice([0, 10, 600000]))))
            if rng.random() < 0.3:
                attrs.append((i["port-loss"].value,
                              struct.pack("=I", rng.randint(1, 2))))
            if rng.random() < 0.3:
                attrs.append((i["capture"].value, bytes([rng.randrange(2)])))
                attrs.append((i["wire-tstamp"].value,
                              bytes([rng.randrange(2)])))
        elif op == "set":
            attrs = [(i["name"].value, name)] + self.valid_preset()
            if rng.random() < 0.5:
                attrs.append((i["link-propagation"].value,
                              bytes([rng.randrange(2)])))
            if rng.random() < 0.3:
                # delete (1) or wait (2); delete is refused while a slot
                # waits.
                attrs.append((i["port-loss"].value,
                              struct.pack("=I", rng.randint(1, 2))))
            if rng.random() < 0.3:
                # capture off is refused for aggregate without a mirror.
                attrs.append((i["capture"].value, bytes([rng.randrange(2)])))
                attrs.append((i["wire-tstamp"].value,
                              bytes([rng.randrange(2)])))
        elif op in ("mirror-add", "mirror-del"):
            entry = tlv(m["ifindex"].value,
                        struct.pack("=I", rng.choice(self.mirrors)))
            if op == "mirror-add":
                entry += tlv(m["direction"].value,
                             struct.pack("=I", rng.randint(1, 3)))
                if rng.random() < 0.4:
                    entry += tlv(m["snaplen"].value,
                                 struct.pack("=I", rng.choice([64, 100, 1514, 65535])))
                if rng.random() < 0.4:
                    entry += tlv(m["tag-vid-ab"].value,
                                 struct.pack("=H", rng.randint(1, 4094)))
                    entry += tlv(m["tag-tpid"].value,
                                 struct.pack("=I", rng.randint(1, 2)))
                if rng.random() < 0.2:
                    entry += tlv(m["rx-pass"].value, bytes([rng.randrange(2)]))
            attrs = [(i["name"].value, name),
                     (i["mirrors"].value | NLA_F_NESTED, entry)]
        elif op == "dump":
            return self.message(self.f.ops["get"]["value"], [],
                                extra_flags=NLM_F_DUMP)
        else:
            attrs = [(i["name"].value, name)]
        return self.message(self.f.ops[op]["value"], attrs)

    def valid_preset(self):
        i = self.instance
        if self.rng.random() < 0.5:
            return [(i["mode"].value, struct.pack("=I", 1)),
                    (i["mirror"].value,
                     struct.pack("=I", self.rng.choice(self.mirrors)))]
        ab, ba = self.rng.sample(self.mirrors, 2)
        return [(i["mode"].value, struct.pack("=I", 2)),
                (i["mirror-ab"].value, struct.pack("=I", ab)),
                (i["mirror-ba"].value, struct.pack("=I", ba))]

    # A valid request that succeeds is a real reconfiguration: an
    # enslave or release waits for RCU grace periods, which take
    # milliseconds in the emulated test VM. Two in a hundred keep
    # instances coming and going; the rest is what the fuzzer is for.
    CLASSES = ("random", "mutated", "types", "nesting", "values", "valid")
    WEIGHTS = (18, 34, 16, 14, 16, 2)

    def next(self):
        cls = self.rng.choices(self.CLASSES, self.WEIGHTS)[0]
        return cls, getattr(self, "gen_" + cls)()


# ---------------------------------------------------------------------------
# Sending and accounting

class Fuzzer:
    def __init__(self, family_id, batch):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  genl.NETLINK_GENERIC)
        self.sock.setsockopt(genl.SOL_NETLINK, genl.NETLINK_EXT_ACK, 1)
        # Errors without a copy of the request: less to copy and read.
        self.sock.setsockopt(genl.SOL_NETLINK, genl.NETLINK_CAP_ACK, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
        self.sock.bind((0, 0))
        self.sock.settimeout(10)
        self.family_id = family_id
        self.batch = batch
        self.seq = 0
        self.sent = 0
        self.answered = 0
        self.by_class = collections.Counter()
        self.ok_by_class = collections.Counter()
        self.ok_by_cmd = collections.Counter()
        self.errnos = collections.Counter()
        self.problems = []
        self.lost = 0

    def problem(self, text):
        if len(self.problems) < 20:
            self.problems.append(text)

    def send_batch(self, items):
        """Send [(class, (cmd, version, flags, body))] in one sendmsg and
        read until each has its one answer."""
        buf = []
        pending = {}
        for cls, (cmd, version, flags, body) in items:
            self.seq += 1
            payload = struct.pack("=BBH", cmd, version, 0) + body
            # The kernel finds the next message at the aligned end of
            # this one: pad, outside nlmsg_len.
            buf.append(struct.pack("=IHHII", 16 + len(payload), self.family_id,
                                   NLM_F_REQUEST | NLM_F_ACK | flags,
                                   self.seq, 0) + payload +
                       b"\0" * (-len(payload) % 4))
            pending[self.seq] = (cls, cmd)
            self.by_class[cls] += 1
        data = b"".join(buf)
        n = self.sock.send(data)
        if n != len(data):
            raise RuntimeError("short netlink send: %d of %d" % (n, len(data)))
        self.sent += len(items)
        while pending:
            try:
                data = self.sock.recv(1 << 20)
            except OSError as e:
                if e.errno == errno.ENOBUFS:
                    self.lost += 1
                    self.problem("ENOBUFS: answers were lost")
                    continue
                if isinstance(e, socket.timeout):
                    self.problem("no answer to %d message(s) (seq %s...)" %
                                 (len(pending), sorted(pending)[:5]))
                    return
                raise
            self.account(data, pending)

    def account(self, data, pending):
        while len(data) >= 16:
            length, mtype, _, seq, _ = struct.unpack("=IHHII", data[:16])
            if length < 16 or length > len(data):
                self.problem("malformed answer: nlmsg_len %d of %d bytes" %
                             (length, len(data)))
                return
            chunk = data[16:length]
            data = data[(length + 3) & ~3:]
            if mtype not in (NLMSG_ERROR, NLMSG_DONE):
                if seq not in pending:
                    self.problem("reply to seq %d, which has its answer" % seq)
                elif not well_formed(chunk[4:]):
                    self.problem("malformed attributes in a reply to seq %d" % seq)
                continue
            if seq not in pending:
                self.problem("second answer (type %d) to seq %d" % (mtype, seq))
                continue
            cls, cmd = pending.pop(seq)
            self.answered += 1
            err = -struct.unpack("=i", chunk[:4])[0] if len(chunk) >= 4 else 0
            if err == 0:
                self.ok_by_class[cls] += 1
                self.ok_by_cmd[cmd] += 1
            else:
                self.errnos["EOPNOTSUPP" if err == errno.EOPNOTSUPP else
                            errno.errorcode.get(err, str(err))] += 1


def well_formed(attrs):
    """Attributes that fill their space exactly, as nla_parse wants."""
    while len(attrs) >= 4:
        length = struct.unpack("=H", attrs[:2])[0]
        if length < 4 or length > len(attrs):
            return False
        attrs = attrs[(length + 3) & ~3:]
    return len(attrs) == 0


class Traffic:
    """Frames from the corpus of frames.py, and junk, sent between batches."""

    def __init__(self, specs, rng):
        self.rng = rng
        self.socks = []
        for spec in specs:
            ns, ifname = split_endpoint(spec)
            with Netns(ns):
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
                s.bind((ifname, 0))
            s.setblocking(False)
            self.socks.append(s)
        self.corpus = [f for _, f in frames.build_corpus(rng.randrange(1 << 16))]
        self.sent = 0

    def send(self, n):
        for _ in range(n):
            if not self.socks:
                return
            sock = self.rng.choice(self.socks)
            if self.rng.random() < 0.8:
                frame = self.rng.choice(self.corpus)
            else:
                frame = frames.eth(frames.UNICAST_DST, frames.MARKER_OUI +
                                   b"\xff\xff\xff", self.rng.randrange(1 << 16))
                frame += self.rng.randbytes(self.rng.randrange(46, 1500))
            try:
                sock.send(frame)
                self.sent += 1
            except OSError:         # a port down for link propagation
                pass


SYZKALLER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "syzkaller", "tapbridge.txt")


def check_syzkaller(family, path):
    """Differences between the syzkaller description and the spec: each
    op's sendmsg$ variant must carry the op's request attributes, the
    mirror entry every mirror attribute a request may set, and the .const
    file the header's numbers."""
    import re
    with open(path) as f:
        text = f.read()
    policies = {}
    for m in re.finditer(r"^(\w+) \[\n(.*?)^\] \[varlen\]", text, re.M | re.S):
        policies[m.group(1)] = re.findall(r"^\t(TAPBRIDGE_A_\w+)\s", m.group(2), re.M)

    def spelled(aset, name):
        return "TAPBRIDGE_A_%s_%s" % (aset.upper(), name.upper().replace("-", "_"))

    wrong = []
    for name, op in family.ops.items():
        if name == "event":
            continue
        cmd = "TAPBRIDGE_CMD_" + name.upper().replace("-", "_")
        m = re.search(r"^sendmsg\$%s\(.*msghdr_tapbridge\[%s, (\w+)\]" % (cmd, cmd),
                      text, re.M)
        if not m:
            wrong.append("no sendmsg$%s" % cmd)
            continue
        want = sorted(spelled("instance", a) for a in op["request"])
        got = sorted(policies.get(m.group(1), []))
        if want != got:
            wrong.append("%s: %s, spec %s" % (m.group(1), got, want))
    want = sorted(spelled("mirror", a.name) for a in family.sets["mirror"].values()
                  if a.type not in ("pad", "u64"))
    got = sorted(policies.get("tapbridge_mirror_policy", []))
    if want != got:
        wrong.append("tapbridge_mirror_policy: %s, spec %s" % (got, want))

    header = {}
    for prefix in ("TAPBRIDGE_CMD_", "TAPBRIDGE_A_INSTANCE_", "TAPBRIDGE_A_MIRROR_",
                   "TAPBRIDGE_MODE_", "TAPBRIDGE_DIRECTION_", "TAPBRIDGE_TPID_",
                   "TAPBRIDGE_PORT_LOSS_"):
        for k, v in genl.uapi_enum(prefix).items():
            header[prefix + k.upper().replace("-", "_")] = v
    with open(path + ".const") as f:
        for line in f:
            m = re.match(r"^(TAPBRIDGE_\w+) = (\d+)$", line.strip())
            if m and header.get(m.group(1)) != int(m.group(2)):
                wrong.append("%s = %s, header %s" % (m.group(1), m.group(2),
                                                     header.get(m.group(1))))
    used = set(re.findall(r"\bTAPBRIDGE_[A-Z0-9_]+\b", text))
    with open(path + ".const") as f:
        missing = used - set(re.findall(r"^(TAPBRIDGE_\w+) =", f.read(), re.M))
    if missing:
        wrong.append("not in .const: " + ", ".join(sorted(missing)))
    return wrong


def devices_of(ns):
    with Netns(ns):
        return {name: index for index, name in socket.if_nameindex()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--netns")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--ports", required=True, metavar="IF:IF,...")
    parser.add_argument("--mirrors", required=True, metavar="IF,...")
    parser.add_argument("--traffic", default="", metavar="NS:IF,...")
    parser.add_argument("--frames-per-batch", type=int, default=2)
    parser.add_argument("--label", default="fuzz")
    args = parser.parse_args()

    print("# seed %d" % args.seed, flush=True)
    family = Family(SPEC)
    family.check_header()
    wrong = check_syzkaller(family, SYZKALLER)
    desc = "selftests/syzkaller/tapbridge.txt matches the spec and the header"
    if wrong:
        print("FAIL\t%s\t%s" % (desc, "; ".join(wrong)))
    else:
        print("PASS\t%s" % desc)
    devices = devices_of(args.netns)
    ports = [tuple(devices[p] for p in pair.split(":"))
             for pair in args.ports.split(",")]
    mirrors = [devices[m] for m in args.mirrors.split(",")]

    rng = random.Random(args.seed)
    gen = Generator(family, rng, devices, ports, mirrors)
    traffic = Traffic([s for s in args.traffic.split(",") if s],
                      random.Random(args.seed + 1))

    with Netns(args.netns):
        probe = genl.GenlSocket()
        family_id = probe.family_id(family.name)
        probe.sock.close()
        fuzzer = Fuzzer(family_id, args.batch)

    start = time.monotonic()
    gen_time = 0.0
    left = args.count
    while left > 0:
        t = time.monotonic()
        items = [gen.next() for _ in range(min(args.batch, left))]
        gen_time += time.monotonic() - t
        fuzzer.send_batch(items)
        left -= len(items)
        traffic.send(args.frames_per_batch)
    elapsed = time.monotonic() - start

    rate = fuzzer.sent / elapsed if elapsed > 0 else 0
    print("# %s: seed %d, %d messages in %.1f s, %.0f messages/s, %d frames" %
          (args.label, args.seed, fuzzer.sent, elapsed, rate, traffic.sent))
    print("#   %.1f s generating, %.1f s sending and reading answers" %
          (gen_time, elapsed - gen_time))
    for cls in Generator.CLASSES:
        print("#   %-8s %6d sent, %6d accepted" %
              (cls, fuzzer.by_class[cls], fuzzer.ok_by_class[cls]))
    names = {op["value"]: n for n, op in family.ops.items()}
    print("#   accepted by command: " + ", ".join(
        "%s %d" % (names.get(c, c), k) for c, k in sorted(fuzzer.ok_by_cmd.items())))
    print("#   errors: " + ", ".join(
        "%s %d" % (e, k) for e, k in fuzzer.errnos.most_common()))

    failed = 1 if wrong else 0
    desc = "%s seed=%d: %d messages, every one answered once" % (
        args.label, args.seed, fuzzer.sent)
    if fuzzer.problems or fuzzer.answered != fuzzer.sent:
        failed += 1
        print("FAIL\t%s\t%d answered; %s" % (desc, fuzzer.answered,
                                             "; ".join(fuzzer.problems)))
    else:
        print("PASS\t%s" % desc)

    # The valid requests must have done something: create, change and
    # delete instances while the rest was sent. Without it nothing above
    # ran against a live instance.
    desc = "%s: valid requests created, changed and deleted instances" % args.label
    wanted = ("create", "set", "mirror-add", "mirror-del", "delete",
              "reset-stats")
    missing = [n for n in wanted if not fuzzer.ok_by_cmd[family.ops[n]["value"]]]
    if missing:
        failed += 1
        print("FAIL\t%s\tnone accepted: %s" % (desc, ", ".join(missing)))
    else:
        print("PASS\t%s" % desc)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
