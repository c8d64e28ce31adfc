#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one raw request of the tapbridge generic netlink family.

  genl.py [--netns NS] [--dump] COMMAND [ATTR=VALUE ...]

COMMAND is create, delete, get or set; ATTR is an instance attribute as
the spec spells it (name, ifindex, port-a, port-b, mode, mirror, mirror-ab,
mirror-ba). name is sent as a string, everything else as a u32.
mirror.ATTR=VALUE (mirror.ifindex=3, mirror.tx-packets=1) goes into one
nested mirrors entry: the counters as u64, tag VIDs as u16, rx-pass as u8,
the rest as u32. --dump sends the request as a dump (NLM_F_DUMP).

taptool only sends what its grammar lets through, and it resolves
interface names itself. This tool sends exactly the attributes given, so
the selftests reach the kernel's own checks: a request without a name, an
ifindex that does not exist, a mirror keyword of the other mode.

On success it prints the reply's attributes, one "attr=value" a line, and
exits 0. On failure it prints "Error: <extack message>" (or the errno's
text when there is no message) on stderr and exits 1.

Attribute and command numbers are read from uapi/linux/tapbridge.h, the
header generated from the spec, so this tool cannot drift from it.
"""

import argparse
import os
import re
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frames import Netns  # noqa: E402

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11

NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLA_F_NESTED = 0x8000
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSGERR_ATTR_MSG = 1

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2

UAPI = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "..", "uapi", "linux", "tapbridge.h")


def uapi_enum(prefix, text=None):
    """{name: value} of the enum whose entries start with prefix, such as
    TAPBRIDGE_A_MIRROR_, names spelled as in the spec."""
    if text is None:
        with open(UAPI) as f:
            text = f.read()
    found = {}
    value = 0
    for m in re.finditer(r"^\s*%s(\w+)(?:\s*=\s*(\d+))?,\s*$" % prefix,
                         text, re.M):
        if m.group(1).startswith("_") or m.group(1) == "MAX":
            continue
        value = int(m.group(2)) if m.group(2) else value + 1
        found[m.group(1).lower().replace("_", "-")] = value
    return found


def read_uapi():
    """Commands, instance attributes and the family name from the header."""
    with open(UAPI) as f:
        text = f.read()
    family = re.search(r'TAPBRIDGE_FAMILY_NAME\s+"([^"]+)"', text).group(1)
    version = int(re.search(r"TAPBRIDGE_FAMILY_VERSION\s+(\d+)", text).group(1))
    return (family, version, uapi_enum("TAPBRIDGE_CMD_", text),
            uapi_enum("TAPBRIDGE_A_INSTANCE_", text),
            uapi_enum("TAPBRIDGE_A_MIRROR_", text))


# How a mirror attribute is packed, by name; the others are u32.
MIRROR_PACK = {
    "tx-packets": "=Q", "tx-bytes": "=Q", "tx-drops": "=Q", "sliced": "=Q",
    "oversize": "=Q", "rx-drops": "=Q",
    "tag-vid-ab": "=H", "tag-vid-ba": "=H", "rx-pass": "=B",
}


def attr(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    return hdr + payload + b"\0" * (-len(payload) % 4)


def parse_attrs(data):
    out = {}
    while len(data) >= 4:
        length, atype = struct.unpack("=HH", data[:4])
        if length < 4:
            break
        out[atype & 0x3FFF] = data[4:length]
        data = data[(length + 3) & ~3:]
    return out


def messages(data):
    """The netlink messages in DATA, as read from a socket: (type, sequence
    number, payload) each."""
    while len(data) >= 16:
        length, mtype, _, seq, _ = struct.unpack("=IHHII", data[:16])
        if length < 16:
            return
        yield mtype, seq, data[16:length]
        data = data[(length + 3) & ~3:]


def status(mtype, payload):
    """(errno, extack message) of an answer: the payload of an NLMSG_ERROR
    (the request's header follows the errno: NETLINK_CAP_ACK) or of a
    dump's NLMSG_DONE."""
    if len(payload) < 4:
        return 0, ""
    err = -struct.unpack("=i", payload[:4])[0]
    tlvs = parse_attrs(payload[4 + 16 if mtype == NLMSG_ERROR else 4:])
    text = tlvs.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0")
    return err, text.decode(errors="replace")


class NetlinkSocket:
    """A netlink socket with extended acks, for one request at a time."""

    def __init__(self, protocol, timeout=None):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  protocol)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.settimeout(timeout)
        self.sock.bind((0, 0))
        self.seq = 0

    def close(self):
        self.sock.close()

    def message(self, mtype, flags, body):
        """The next request, with NLM_F_REQUEST | NLM_F_ACK | FLAGS."""
        self.seq += 1
        return struct.pack("=IHHII", 16 + len(body), mtype,
                           NLM_F_REQUEST | NLM_F_ACK | flags, self.seq,
                           0) + body

    def answer(self):
        """Read up to the answer of the last request (its NLMSG_ERROR, or
        a dump's NLMSG_DONE): (errno, extack message, payloads of the
        replies before it)."""
        replies = []
        while True:
            for mtype, seq, payload in messages(self.sock.recv(1 << 20)):
                if seq != self.seq:
                    continue
                if mtype in (NLMSG_ERROR, NLMSG_DONE):
                    return status(mtype, payload) + (replies,)
                replies.append(payload)

    def transact(self, mtype, flags, body):
        """Send one request; return the payloads of its replies.

        Raises OSError(errno, extack message) on an error answer.
        """
        self.sock.send(self.message(mtype, flags, body))
        err, text, replies = self.answer()
        if err:
            raise OSError(err, text or os.strerror(err))
        return replies


class GenlSocket(NetlinkSocket):
    def __init__(self):
        super().__init__(NETLINK_GENERIC)

    def genl_message(self, family, cmd, version, payload, flags=0):
        """The next request to FAMILY."""
        return self.message(family, flags,
                            struct.pack("=BBH", cmd, version, 0) + payload)

    def request(self, family, cmd, version, payload, dump=False):
        """Send one request; return the reply messages' attributes.

        Raises OSError(errno, extack message) on an error answer.
        """
        body = struct.pack("=BBH", cmd, version, 0) + payload
        replies = self.transact(family, NLM_F_DUMP if dump else 0, body)
        return [parse_attrs(reply[4:]) for reply in replies]

    def family_id(self, name):
        replies = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
                               attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        return struct.unpack("=H", replies[0][CTRL_ATTR_FAMILY_ID][:2])[0]


def run(argv, err=sys.stderr):
    """Send the request argv describes; return the exit status."""
    family, version, commands, attrs, mirror_attrs = read_uapi()
    parser = argparse.ArgumentParser(prog="genl.py",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--netns", metavar="NS")
    parser.add_argument("--dump", action="store_true")
    parser.add_argument("command", choices=sorted(commands))
    parser.add_argument("attrs", nargs="*", metavar="ATTR=VALUE")
    args = parser.parse_args(argv)

    payload = b""
    nested = b""
    for item in args.attrs:
        key, _, value = item.partition("=")
        if key.startswith("mirror."):
            key = key[len("mirror."):]
            if key not in mirror_attrs:
                parser.error("unknown mirror attribute %s (%s)" %
                             (key, ", ".join(mirror_attrs)))
            nested += attr(mirror_attrs[key],
                           struct.pack(MIRROR_PACK.get(key, "=I"), int(value, 0)))
            continue
        if key not in attrs:
            parser.error("unknown attribute %s (%s)" % (key, ", ".join(attrs)))
        if key == "name":
            payload += attr(attrs[key], value.encode() + b"\0")
        else:
            payload += attr(attrs[key], struct.pack("=I", int(value, 0)))

    if nested:
        payload += attr(attrs["mirrors"] | NLA_F_NESTED, nested)

    names = {v: k for k, v in attrs.items()}
    with Netns(args.netns):
        sock = GenlSocket()
    try:
        try:
            fid = sock.family_id(family)
        except OSError as e:
            raise OSError(e.errno, "no generic netlink family %s (%s)" %
                          (family, e.strerror)) from e
        replies = sock.request(fid, commands[args.command], version, payload,
                               args.dump)
    except OSError as e:
        print("Error: %s" % e.strerror, file=err)
        return 1
    finally:
        sock.sock.close()
    for reply in replies:
        for atype, value in sorted(reply.items()):
            key = names.get(atype, str(atype))
            if key == "name":
                print("%s=%s" % (key, value.rstrip(b"\0").decode()))
            elif len(value) == 4:
                print("%s=%d" % (key, struct.unpack("=I", value)[0]))
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
