#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one well-formed request of every command of the tapbridge family,
and try to subscribe to its events, reporting what the kernel answered.

  genl_probe.py [--netns NS] [--drop-to UID] commands NAME PORT_A PORT_B \\
                MIRROR NEW_MIRROR
  genl_probe.py [--netns NS] [--drop-to UID] subscribe

commands sends, in this order: get NAME; a dump of every instance;
set NAME mode aggregate mirror MIRROR (its mirror); mirror-add NAME
NEW_MIRROR (a free device); mirror-del NAME NEW_MIRROR; create "probe0"
with PORT_A and PORT_B (ifindexes of free devices) mode aggregate mirror
NEW_MIRROR; delete NAME; the event command (which is no request); and
command 0. Each one is well formed and would succeed
with CAP_NET_ADMIN (but event and 0, which are no ops). It prints one line
per request: "<request><TAB><errno name or 0><TAB><extack message>".

subscribe joins the events group with NETLINK_ADD_MEMBERSHIP, and with
bind(2) when the group number fits the bind mask, and prints a line per
way: "subscribe-setsockopt<TAB><errno name or 0>", "subscribe-bind<TAB>...".

--drop-to UID opens the netlink sockets first, then gives up root (every
capability goes with uid 0), then sends: a socket opened with
CAP_NET_ADMIN is no ticket for a process that lost it.

One Python start for all requests: a start costs seconds in the emulated
test VM.
"""

import argparse
import errno
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genl  # noqa: E402
from frames import Netns  # noqa: E402

CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
NETLINK_ADD_MEMBERSHIP = 1
NLM_F_DUMP = 0x300


def errname(err):
    if err == errno.EOPNOTSUPP:     # errorcode says ENOTSUP, the same number
        return "EOPNOTSUPP"
    return errno.errorcode.get(err, str(err)) if err else "0"


def family_info(sock, name):
    """The family's id and its events group number."""
    replies = sock.request(genl.GENL_ID_CTRL, genl.CTRL_CMD_GETFAMILY, 1,
                           genl.attr(genl.CTRL_ATTR_FAMILY_NAME,
                                     name.encode() + b"\0"))
    reply = replies[0]
    fid = struct.unpack("=H", reply[genl.CTRL_ATTR_FAMILY_ID][:2])[0]
    group = None
    for grp in genl.parse_attrs(reply.get(CTRL_ATTR_MCAST_GROUPS, b"")).values():
        attrs = genl.parse_attrs(grp)
        if attrs.get(CTRL_ATTR_MCAST_GRP_NAME, b"").rstrip(b"\0") == b"events":
            group = struct.unpack("=I", attrs[CTRL_ATTR_MCAST_GRP_ID][:4])[0]
    return fid, group


class Prober(genl.GenlSocket):
    def send_raw(self, fid, cmd, flags, payload):
        """One request; (errno, extack message) of its answer."""
        self.sock.send(self.genl_message(fid, cmd, 1, payload, flags))
        err, text, _ = self.answer()
        return err, text


def requests(args, commands, attrs):
    """[(label, cmd, flags, payload)] of the commands probe."""
    mirror_attrs = genl.uapi_enum("TAPBRIDGE_A_MIRROR_")

    def u32(key, value):
        return genl.attr(attrs[key], struct.pack("=I", value))

    def name(value):
        return genl.attr(attrs["name"], value.encode() + b"\0")

    def mirrors(ifindex):
        entry = genl.attr(mirror_attrs["ifindex"], struct.pack("=I", ifindex))
        return genl.attr(attrs["mirrors"] | 0x8000, entry)

    return [
        ("get", commands["get"], 0, name(args.name)),
        ("dump", commands["get"], NLM_F_DUMP, b""),
        ("set", commands["set"], 0,
         name(args.name) + u32("mode", 1) + u32("mirror", args.mirror)),
        ("mirror-add", commands["mirror-add"], 0,
         name(args.name) + mirrors(args.new_mirror)),
        ("mirror-del", commands["mirror-del"], 0,
         name(args.name) + mirrors(args.new_mirror)),
        ("create", commands["create"], 0,
         name("probe0") + u32("port-a", args.port_a) +
         u32("port-b", args.port_b) + u32("mode", 1) +
         u32("mirror", args.new_mirror)),
        ("delete", commands["delete"], 0, name(args.name)),
        ("event", commands["event"], 0, b""),
        ("cmd-0", 0, 0, b""),
    ]


def drop_root(uid):
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--netns")
    parser.add_argument("--drop-to", type=int, metavar="UID")
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("commands")
    p.add_argument("name")
    p.add_argument("port_a", type=int)
    p.add_argument("port_b", type=int)
    p.add_argument("mirror", type=int)
    p.add_argument("new_mirror", type=int)
    sub.add_parser("subscribe")
    args = parser.parse_args()

    family, _, commands, attrs, _ = genl.read_uapi()
    with Netns(args.netns):
        sock = Prober()
        sub_sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                 genl.NETLINK_GENERIC)
    fid, group = family_info(sock, family)
    if args.drop_to is not None:
        drop_root(args.drop_to)

    if args.what == "commands":
        for label, cmd, flags, payload in requests(args, commands, attrs):
            err, text = sock.send_raw(fid, cmd, flags, payload)
            print("%s\t%s\t%s" % (label, errname(err), text))
        return 0

    if group is None:
        print("# no events group in the family")
        return 1
    try:
        sub_sock.setsockopt(genl.SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)
        err = 0
    except OSError as e:
        err = e.errno
    print("subscribe-setsockopt\t%s" % errname(err))
    if group <= 32:
        try:
            sub_sock.bind((0, 1 << (group - 1)))
            err = 0
        except OSError as e:
            err = e.errno
        print("subscribe-bind\t%s" % errname(err))
    return 0


if __name__ == "__main__":
    sys.exit(main())
