#!/usr/bin/env python3
"""bootstrap_size.py: the production sample's template size with 2, 6, 8 and 50 nodes.

Writes copies of samples/production.oha with `nodes { count = N }` (and `allow = [OH2005]`
beyond the 8 nodes Octopus has tested), builds each as YAML and JSON, prints the byte counts,
and checks issue 5's limits:
  - every copy builds (exit 0) with exactly the diagnostics expected of it: OH2017's warning
    with 2 nodes in the sample's 3 zones, OH3002's note with 50 nodes (and with any count whose
    template is over the limit, in the format written), and nothing else; the note names
    the format and gives its size;
  - the rendered bootstrap script is at most 11 KB in JSON (8 KB before day two's database
    guards, SQL login, certificate check and CloudWatch agent) and each UserData loader at most
    400 bytes;
  - every copy over the 51,200 bytes CloudFormation accepts inline, in the format written
    (YAML, JSON or compact JSON), has OH3002's note with its exact size. Since issue 13's
    alarms the production copies are over in every format (deploy with `--s3-bucket`); with
    `alerts { enabled = false }` the 8-node compact JSON must stay under the limit;
  - the operations template (`build --operations`) of every copy is measured too: with 8 nodes
    its YAML and its compact JSON must stay under the inline limit.

  bootstrap_size.py --octohac BIN --workdir DIR
"""

import argparse
import json
import os
import re
import subprocess
import sys

import cfn_template

INLINE_LIMIT = 51200
SCRIPT_LIMIT = 11264
LOADER_LIMIT = 400
COUNTS = (2, 6, 8, 50)
# the diagnostics each copy must have; OH3002's note is also accepted wherever the template is
# over the inline limit (the size check below says so)
EXPECTED = {2: {("warning", "OH2017")}, 6: set(), 8: {("note", "OH3002")}, 50: {("note", "OH3002")}}
TESTED_NODES = 8
INLINE_NODES = 6
DIAGNOSTIC = re.compile(r"^(error|warning|note)\[(OH\d{4})\]: (.*)$", re.M)


def sample_copy(text, count):
    """production.oha with COUNT nodes, allowing OH2005 beyond the tested size."""
    out, n = re.subn(r"(nodes\s*\{[^}]*?\bcount\s*=\s*)\d+", rf"\g<1>{count}", text, count=1)
    if n != 1:
        sys.exit("bootstrap_size: samples/production.oha has no `nodes { count = … }`")
    if count > TESTED_NODES:
        out, n = re.subn(r"(cluster\s+\"[^\"]+\"[^{]*\{\n)", r"\g<1>  allow = [OH2005]\n", out, count=1)
        if n != 1:
            sys.exit("bootstrap_size: cannot find the cluster block of samples/production.oha")
    return out


def build(octohac, path, fmt, *extra):
    run = subprocess.run([octohac, "build", "--color", "never", "-f", fmt, *extra, path],
                         capture_output=True, cwd=cfn_template.source_dir())
    return run.returncode, run.stdout, run.stderr.decode("utf-8", "replace")


def bootstrap_parts(template):
    """The bootstrap script (the Fn::Sub template string) and every node's loader."""
    resources = template["Resources"]
    init = resources["NodeBootstrap"]["Metadata"]["AWS::CloudFormation::Init"]
    script = init["config"]["files"]["C:\\octohac\\bootstrap.ps1"]["content"]["Fn::Sub"][0]
    loaders = {rid: r["Properties"]["UserData"]["Fn::Base64"]["Fn::Sub"]
               for rid, r in resources.items() if re.fullmatch(r"Node\d+", rid)}
    return script, loaders


def without_alerts(text):
    """production.oha with its alerts switched off (the `production` profile turns them on)."""
    out, n = re.subn(r"alerts\s*\{[^}]*\}", "alerts { enabled = false }", text, count=1)
    if n != 1:
        sys.exit("bootstrap_size: samples/production.oha has no `alerts { ... }` block to switch off")
    return out


def check_count(octohac, workdir, text, count, label=""):
    problems = []
    folder = os.path.join(workdir, f"nodes{count}{label}")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "production.oha")
    with open(path, "w") as f:
        f.write(sample_copy(text, count))
    sizes = {}
    for fmt in ("yaml", "json"):
        code, out, err = build(octohac, path, fmt)
        if code != 0:
            problems.append(f"{count} nodes, {fmt}: exit {code}\n{err}")
            continue
        sizes[fmt] = len(out)
        found = DIAGNOSTIC.findall(err)
        got = {(sev, c) for sev, c, _ in found}
        if got - {("note", "OH3002")} != EXPECTED[count] - {("note", "OH3002")} or \
                not EXPECTED[count] <= got or len(found) != len(got):
            problems.append(f"{count} nodes, {fmt}: diagnostics {sorted(got)}, expected {sorted(EXPECTED[count])}\n{err}")
        notes = [msg for sev, c, msg in found if c == "OH3002"]
        if fmt == "json":
            script, loaders = bootstrap_parts(json.loads(out))
            sizes["script"] = len(json.dumps(script))
            sizes["loader"] = max(len(t) for t in loaders.values())
            if len(loaders) != count:
                problems.append(f"{count} nodes: {len(loaders)} loaders")
        # OH3002 measures the format written: its note names it and gives its size
        for msg in notes:
            said = re.search(r"the (YAML|JSON) template is (\d+) bytes", msg)
            if not said or said.group(1) != fmt.upper() or int(said.group(2)) != len(out):
                problems.append(f"{count} nodes: OH3002 says `{msg}`, the {fmt.upper()} is {len(out)} bytes")
        if (len(out) > INLINE_LIMIT) != bool(notes):
            problems.append(f"{count} nodes, {fmt}: {len(out)} bytes, but {len(notes)} OH3002 notes")
    code, out, err = build(octohac, path, "json", "--compact")
    sizes["compact"] = len(out)
    if code != 0 or ("OH3002" in err) != (len(out) > INLINE_LIMIT):
        problems.append(f"{count} nodes, compact JSON: exit {code}, {len(out)} bytes\n{err}")
    print(f"bootstrap_size: {count:2d} nodes: YAML {sizes.get('yaml', '?')} bytes, JSON {sizes.get('json', '?')} bytes, "
          f"compact JSON {sizes['compact']} bytes, script {sizes.get('script', '?')} bytes in JSON, largest loader {sizes.get('loader', '?')} bytes")
    if sizes.get("script", 0) > SCRIPT_LIMIT:
        problems.append(f"{count} nodes: the bootstrap script is {sizes['script']} bytes in JSON, over {SCRIPT_LIMIT}")
    if sizes.get("loader", 0) > LOADER_LIMIT:
        problems.append(f"{count} nodes: a loader is {sizes['loader']} bytes, over {LOADER_LIMIT}")
    return problems


def check_operations(octohac, workdir, count):
    """The operations template of the COUNT-node copy check_count wrote: its sizes, and with
    the tested maximum of nodes, YAML and compact JSON under the inline limit."""
    path = os.path.join(workdir, f"nodes{count}", "production.oha")
    sizes, problems = {}, []
    for fmt, extra in (("yaml", ()), ("json", ()), ("compact", ("--compact",))):
        code, out, err = build(octohac, path, "yaml" if fmt == "yaml" else "json", "--operations", *extra)
        sizes[fmt] = len(out)
        if code != 0:
            problems.append(f"{count} nodes, operations {fmt}: exit {code}\n{err}")
        if ("OH3002" in err) != (len(out) > INLINE_LIMIT):
            problems.append(f"{count} nodes, operations {fmt}: {len(out)} bytes, OH3002 note: {'OH3002' in err}")
    print(f"bootstrap_size: {count:2d} nodes, operations template: YAML {sizes['yaml']} bytes, JSON {sizes['json']} "
          f"bytes, compact JSON {sizes['compact']} bytes")
    if count == TESTED_NODES and max(sizes["yaml"], sizes["compact"]) >= INLINE_LIMIT:
        problems.append(f"{count} nodes: the operations template (YAML {sizes['yaml']}, compact JSON "
                        f"{sizes['compact']} bytes) does not fit the {INLINE_LIMIT} bytes CloudFormation accepts inline")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--octohac", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    with open(os.path.join(cfn_template.source_dir(), "samples", "production.oha")) as f:
        text = f.read()
    problems = []
    for count in COUNTS:
        problems += check_count(args.octohac, args.workdir, text, count)
        problems += check_operations(args.octohac, args.workdir, count)
    problems += check_count(args.octohac, args.workdir, without_alerts(text), TESTED_NODES, " without alerts")
    # the copy check_count wrote: the largest tested cluster without alarms deploys inline
    quiet = os.path.join(args.workdir, f"nodes{TESTED_NODES} without alerts", "production.oha")
    code, out, err = build(args.octohac, quiet, "json", "--compact")
    if code != 0 or len(out) >= INLINE_LIMIT:
        problems.append(f"{TESTED_NODES} nodes without alerts: the compact JSON template is {len(out)} bytes, "
                        f"not under the {INLINE_LIMIT} bytes CloudFormation accepts inline (exit {code})")
    for p in problems:
        print(f"bootstrap_size: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
