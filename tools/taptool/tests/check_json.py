#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate taptool's JSON output against tools/taptool/taptool.schema.json.

    check_json.py [--min N] FILE...

Each FILE holds one or more JSON documents, one after the other (a -j
show, the lines of a -j monitor, the pretty documents of a batch). Every
document must match the schema. Prints one line per document that does
not, and the count per kind; exits 1 if any failed, or if fewer than N
documents were checked (a test that saw no JSON has checked nothing).
"""

import argparse
import json
import os
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "taptool.schema.json")


def documents(text):
    decoder = json.JSONDecoder()
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return
        doc, i = decoder.raw_decode(text, i)
        yield doc


def kind(doc):
    if isinstance(doc, list):
        return "instances"
    for key in ("event", "command", "taptool", "interval_s"):
        if key in doc:
            return key
    return "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--min", type=int, default=1)
    p.add_argument("files", nargs="+")
    args = p.parse_args()

    with open(SCHEMA) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    counts, bad = {}, 0
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            docs = list(documents(text))
        except ValueError as e:
            print("%s: not JSON: %s" % (path, e))
            bad += 1
            continue
        for doc in docs:
            k = kind(doc)
            counts[k] = counts.get(k, 0) + 1
            errors = sorted(validator.iter_errors(doc), key=str)
            if errors:
                bad += 1
                best = jsonschema.exceptions.best_match(errors)
                print("%s: %s: %s at %s" % (path, k, best.message,
                                           "/".join(map(str, best.absolute_path))))
    total = sum(counts.values())
    print("checked %d documents: %s" % (
        total, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    if total < args.min:
        print("fewer than %d documents" % args.min)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
