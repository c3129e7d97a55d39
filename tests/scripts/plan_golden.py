#!/usr/bin/env python3
"""Golden tests of `octohac plan` (docs/plan.md) on the samples.

For a sample, each edit of EDITS (node count up and down, instance size, tag, certificate,
engine edition, SQL version, domain, CIDR, FSx throughput and capacity, storage increase,
secret template) is applied to a copy of the sample in a scratch folder, and
`octohac plan SAMPLE EDITED` runs in every format. The exact outputs and exit statuses are
compared with tests/plan/<sample>/<edit>.txt. An edit that the sample cannot take (the edited
file does not build, e.g. no database to change) is listed in tests/plan/<sample>/SKIPPED.
Besides the edits, the sample planned against itself and against its own YAML and JSON
templates must report no change and exit 0, and every expected file that shows an error
finding must have exit status 1.

  plan_golden.py --octohac build/octohac samples/production.oha     check
  plan_golden.py --octohac build/octohac --update samples/*.oha     rewrite the expectations
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FORMATS = ("human", "json", "markdown")


def find_block(text, name):
    """(start of body, end of body) of the cluster-level block NAME, or None."""
    m = re.search(r"(?m)^[ \t]*" + re.escape(name) + r"[ \t]*\{", text)
    if not m:
        return None
    depth, i = 1, m.end()
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return m.end(), i - 1


VALUE = r'("[^"]*"|\[[^\]]*\]|[^,\n#}]+?)'


def set_attr(text, block, attr, value):
    """TEXT with BLOCK.ATTR set to VALUE: replaced where written, else added to the block,
    else a new block before the cluster's closing brace."""
    span = find_block(text, block)
    if span is None:
        end = text.rstrip().rfind("}")
        return text[:end] + f"  {block} {{ {attr} = {value} }}\n" + text[end:]
    start, end = span
    body = text[start:end]
    m = re.search(r"(?<![\w-])" + re.escape(attr) + r"[ \t]*=[ \t]*" + VALUE + r"[ \t]*(?=,|\n|#|\}|$)", body)
    if m:
        body = body[:m.start(1)] + value + body[m.end(1):]
    elif "\n" in body:
        body = f"\n    {attr} = {value}" + body
    else:
        body = f" {attr} = {value}," + body
    return text[:start] + body + text[end:]


def resources(tmpl, type_name):
    return [r for r in tmpl["Resources"].values() if r["Type"] == type_name]


def region(tmpl):
    try:
        return tmpl["Rules"]["RegionRule"]["Assertions"][0]["Assert"]["Fn::Equals"][1]
    except (KeyError, IndexError, TypeError):
        return "us-east-1"


def prop(tmpl, type_name, *path, default=None):
    found = resources(tmpl, type_name)
    if not found:
        return default
    value = found[0].get("Properties", {})
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return default if value is None else value


def other(current, a, b):
    return b if str(current) == a else a


# Each edit: name -> function (sample text, built template) -> edited text.
EDITS = {
    "nodes-up": lambda t, j: set_attr(t, "nodes", "count", str(len(resources(j, "AWS::EC2::Instance")) + 1)),
    "nodes-down": lambda t, j: set_attr(t, "nodes", "count", str(len(resources(j, "AWS::EC2::Instance")) - 1)),
    "instance-size": lambda t, j: set_attr(
        t, "nodes", "instance", other(prop(j, "AWS::EC2::Instance", "InstanceType"), "m6i.2xlarge", "m6i.4xlarge")),
    "tag": lambda t, j: set_attr(t, "tags", "owner", '"sre"'),
    "certificate": lambda t, j: set_attr(
        t, "load_balancer", "certificate",
        f'"arn:aws:acm:{region(j)}:123456789012:certificate/99999999-8888-7777-6666-555555555555"'),
    "engine-edition": lambda t, j: set_attr(
        t, "database", "engine", other(prop(j, "AWS::RDS::DBInstance", "Engine"), "sqlserver-ee", "sqlserver-se")),
    "sql-version": lambda t, j: set_attr(
        t, "database", "version",
        "2022" if str(prop(j, "AWS::RDS::DBInstance", "EngineVersion", default="")).startswith("15") else "2019"),
    "domain": lambda t, j: set_attr(t, "directory", "domain", '"corp2.example.org"'),
    "cidr": lambda t, j: set_attr(t, "network", "cidr", "10.99.0.0/16"),
    "fsx-throughput": lambda t, j: set_attr(
        t, "storage", "throughput",
        other(prop(j, "AWS::FSx::FileSystem", "WindowsConfiguration", "ThroughputCapacity"), "128", "256") + " MBps"),
    "fsx-capacity": lambda t, j: set_attr(
        t, "storage", "capacity", f'{int(prop(j, "AWS::FSx::FileSystem", "StorageCapacity", default=32)) + 100} GiB'),
    "storage-increase": lambda t, j: set_attr(
        t, "database", "storage", f'{int(prop(j, "AWS::RDS::DBInstance", "AllocatedStorage", default=20)) + 100} GiB'),
    "secret-template": lambda t, j: set_attr(t, "octopus", "admin_username", '"octoadmin"'),
}


def run(octohac, cwd, *args):
    p = subprocess.run([octohac, *args], cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def plan_outputs(octohac, cwd, old, new):
    """The expected-file text: every format's stdout, stderr and exit status."""
    parts, statuses = [], set()
    for fmt in FORMATS:
        rc, out, err = run(octohac, cwd, "plan", old, new, "--format", fmt, "--color", "never")
        statuses.add(rc)
        parts.append(f"==== plan {old} {new} --format {fmt} (exit {rc})\n{out}")
        if err:
            parts.append(f"==== stderr\n{err}")
    return "".join(parts), statuses


def check_sample(octohac, sample, update):
    name = os.path.splitext(os.path.basename(sample))[0]
    expected_dir = os.path.join(ROOT, "tests", "plan", name)
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        base = name + ".oha"
        shutil.copy(sample, os.path.join(tmp, base))
        rc, out, err = run(octohac, tmp, "build", base, "-f", "json")
        if rc != 0:
            return [f"{sample}: does not build: {err}"]
        tmpl = json.loads(out)
        # no change: the file against itself and against its own templates
        run(octohac, tmp, "build", base, "-o", name + ".yaml")
        run(octohac, tmp, "build", base, "-o", name + ".json")
        for old in (base, name + ".yaml", name + ".json"):
            for fmt in FORMATS:
                rc, out, err = run(octohac, tmp, "plan", old, base, "--format", fmt)
                data = json.loads(out) if fmt == "json" and rc == 0 else None
                if rc != 0 or (data is not None and (data["resources"] or data["findings"])) or \
                        (fmt != "json" and "No changes" not in out):
                    problems.append(f"{sample}: plan {old} {base} --format {fmt} reports a change "
                                    f"(exit {rc}):\n{out}{err}")
        results, skipped = {}, []
        text = open(sample, encoding="utf-8").read()
        for edit, apply in EDITS.items():
            edited = apply(text, tmpl)
            new = f"{name}.{edit}.oha"
            with open(os.path.join(tmp, new), "w", encoding="utf-8") as f:
                f.write(edited)
            if edited == text or run(octohac, tmp, "build", new, "-o", os.devnull)[0] != 0:
                skipped.append(edit)
                continue
            results[edit], statuses = plan_outputs(octohac, tmp, base, new)
            if len(statuses) != 1:
                problems.append(f"{sample}: {edit}: the formats exit differently: {sorted(statuses)}")
            has_error = "error[OH6" in results[edit]
            if has_error != (statuses == {1}):
                problems.append(f"{sample}: {edit}: exit {sorted(statuses)} but error findings: {has_error}")
    if update:
        os.makedirs(expected_dir, exist_ok=True)
        for old in os.listdir(expected_dir):
            os.remove(os.path.join(expected_dir, old))
        for edit, body in results.items():
            with open(os.path.join(expected_dir, edit + ".txt"), "w", encoding="utf-8") as f:
                f.write(body)
        with open(os.path.join(expected_dir, "SKIPPED"), "w", encoding="utf-8") as f:
            f.write("".join(e + "\n" for e in skipped))
        return problems
    for edit, body in results.items():
        path = os.path.join(expected_dir, edit + ".txt")
        have = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if have != body:
            problems.append(f"{path}: {'missing' if have is None else 'differs'}; "
                            f"run tests/scripts/plan_golden.py --update and review the diff\n--- got:\n{body}")
    listed = os.path.join(expected_dir, "SKIPPED")
    want = open(listed, encoding="utf-8").read().split() if os.path.exists(listed) else []
    if want != skipped:
        problems.append(f"{listed}: lists {want}, but the skipped edits are {skipped}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--octohac", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("samples", nargs="+")
    args = ap.parse_args()
    octohac = os.path.abspath(args.octohac)
    problems = []
    for sample in args.samples:
        problems += check_sample(octohac, os.path.abspath(sample), args.update)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
