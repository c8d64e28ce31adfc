#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check taptool's copies of the family against uapi/tapbridge.yaml.

attrs.h lists each attribute set (TT_<SET>_ATTRS) and the commands
(TT_CMDS); names.c has a word for each entry of the enums. Every
attribute of the spec must be in its list, in the spec's order (the enum
values follow it), with the spec's name and a libmnl type that fits the
spec's type; every operation must be in TT_CMDS; every enum entry must
have its word. Prints KTAP, one case per check.
"""

import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..")
SPEC = os.path.join(TOOL, "..", "..", "uapi", "tapbridge.yaml")

TYPES = {
    "u8": "MNL_TYPE_U8", "u16": "MNL_TYPE_U16", "u32": "MNL_TYPE_U32",
    "u64": "MNL_TYPE_U64", "string": "MNL_TYPE_NUL_STRING",
    "nest": "MNL_TYPE_NESTED", "pad": "MNL_TYPE_UNSPEC",
}
ENUMS = {"mode": "tt_mode_words", "direction": "tt_direction_words",
         "tpid": "tt_tpid_words", "event-type": "tt_event_words"}


def c_name(name):
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def lists(text):
    """{LIST: [(SUFFIX, name, type)]} of the X-macro lists of attrs.h."""
    out = {}
    for m in re.finditer(r"#define (TT_\w+)\(X\)((?:.*\\\n)*.*\n)", text):
        out[m.group(1)] = re.findall(
            r'X\((\w+),\s*"([^"]+)"(?:,\s*(\w+))?\)', m.group(2))
    return out


def main():
    with open(SPEC) as f:
        spec = yaml.safe_load(f)
    with open(os.path.join(TOOL, "attrs.h")) as f:
        have = lists(f.read())
    with open(os.path.join(TOOL, "names.c")) as f:
        names_c = f.read()

    cases = []
    for aset in spec["attribute-sets"]:
        lname = "TT_%s_ATTRS" % c_name(aset["name"])
        want = [(c_name(a["name"]), a["name"], TYPES.get(a["type"], "?"))
                for a in aset["attributes"]]
        got = have.get(lname)
        if got is None:
            cases.append((False, "attribute set %s: no %s in attrs.h" %
                          (aset["name"], lname)))
            continue
        bad = [("spec %s" % (w,), "attrs.h %s" % (g,))
               for w, g in zip(want, got) if w != g]
        if len(want) != len(got):
            bad.append(("spec has %d" % len(want), "attrs.h %d" % len(got)))
        cases.append((not bad, "attribute set %s matches %s%s" %
                      (aset["name"], lname,
                       "" if not bad else ": " + "; ".join(
                           "%s, %s" % b for b in bad))))

    ops = [(c_name(op["name"]), op["name"]) for op in spec["operations"]["list"]]
    got = [(s, n) for s, n, _ in have.get("TT_CMDS", [])]
    cases.append((ops == got, "operations match TT_CMDS%s" %
                  ("" if ops == got else ": spec %s, attrs.h %s" % (ops, got))))

    prefix = spec["name"].upper()
    for d in spec["definitions"]:
        if d["type"] != "enum" or d["name"] not in ENUMS:
            continue
        table = re.search(r"%s\[\] = \{(.*?)\n\};" % ENUMS[d["name"]],
                          names_c, re.S)
        body = table.group(1) if table else ""
        missing = []
        for e in d["entries"]:
            ename = e["name"] if isinstance(e, dict) else e
            const = "%s_%s_%s" % (prefix, c_name(d["name"]), c_name(ename))
            if not re.search(r"\b%s\b" % const, body):
                missing.append(const)
        cases.append((not missing, "enum %s has a word for each entry in %s%s"
                      % (d["name"], ENUMS[d["name"]],
                         ": missing " + ", ".join(missing) if missing else "")))

    print("TAP version 13")
    print("1..%d" % len(cases))
    for i, (ok, desc) in enumerate(cases, 1):
        print("%s %d %s" % ("ok" if ok else "not ok", i, desc))
    passed = sum(ok for ok, _ in cases)
    print("# totals: pass=%d fail=%d skip=0" % (passed, len(cases) - passed))
    return 0 if passed == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
