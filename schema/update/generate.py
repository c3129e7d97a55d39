#!/usr/bin/env python3
"""Generates schema/update-behaviour.json, the table `octohac plan` reads: for every resource
type in schema/aws/ (the types octohac emits), what a change of each property does on a stack
update. From the AWS provider schema: `createOnlyProperties` -> "replace",
`conditionalCreateOnlyProperties` -> "conditional" (may be replaced). From the reviewed overlay
(schema/update/overlay.tsv, each entry citing its AWS reference page): "some" (update with some
interruption), "replace" (documented as "Update requires: Replacement" but missing from
the schema's create-only list), "none" (a conditional property whose condition cannot hold for octohac's
output), and the properties that give a resource a fixed physical name. Every property not
listed updates without interruption.

Usage: generate.py [--check] [ROOT]   (ROOT: the source tree, default: this file's ../..)
--check exits 1 when the committed file differs from what would be written."""
import glob
import json
import os
import sys

LEVELS = ("replace", "some", "none", "name")


def schema_path(pointer):
    """'/properties/DnsOptions/PrivateDnsPreference' -> 'DnsOptions/PrivateDnsPreference'."""
    prefix = "/properties/"
    if not pointer.startswith(prefix):
        raise SystemExit(f"unexpected property pointer {pointer!r}")
    return pointer[len(prefix):]


def read_schemas(root):
    types = {}
    for path in sorted(glob.glob(os.path.join(root, "schema", "aws", "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        entry = {"properties": {}, "names": []}
        for pointer in doc.get("createOnlyProperties", []):
            entry["properties"][schema_path(pointer)] = "replace"
        for pointer in doc.get("conditionalCreateOnlyProperties", []):
            entry["properties"].setdefault(schema_path(pointer), "conditional")
        types[doc["typeName"]] = entry
    return types


def apply_overlay(root, types):
    path = os.path.join(root, "schema", "update", "overlay.tsv")
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 4 or fields[2] not in LEVELS or not fields[3].startswith("https://"):
                raise SystemExit(f"{path}:{number}: expected TYPE, PROPERTY, {'|'.join(LEVELS)}, https URL")
            type_name, prop, level, _source = fields
            if type_name not in types:
                raise SystemExit(f"{path}:{number}: `{type_name}` has no schema in schema/aws/")
            entry = types[type_name]
            if level == "name":
                entry["names"].append(prop)
            elif level == "replace":
                if entry["properties"].get(prop) == "replace":
                    raise SystemExit(f"{path}:{number}: the schema already lists `{prop}` as create-only")
                entry["properties"][prop] = "replace"
            elif entry["properties"].get(prop) == "replace":
                raise SystemExit(f"{path}:{number}: the schema says `{prop}` is create-only")
            elif level == "none":
                entry["properties"].pop(prop, None)
            else:
                entry["properties"][prop] = level


def render(types):
    out = {
        "format": 1,
        "generated_by": "schema/update/generate.py from schema/aws/*.json and schema/update/overlay.tsv",
        "types": {},
    }
    for name in sorted(types):
        entry = types[name]
        out["types"][name] = {
            "properties": dict(sorted(entry["properties"].items())),
            "names": sorted(entry["names"]),
        }
    return json.dumps(out, indent=1, sort_keys=False) + "\n"


def main(argv):
    check = "--check" in argv
    rest = [a for a in argv if a != "--check"]
    root = rest[0] if rest else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    types = read_schemas(root)
    apply_overlay(root, types)
    text = render(types)
    target = os.path.join(root, "schema", "update-behaviour.json")
    if check:
        with open(target, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{target} is out of date; run schema/update/generate.py", file=sys.stderr)
                return 1
        return 0
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
