#!/usr/bin/env python3
"""guard.py: the generated templates against the AWS Control Tower proactive controls.

Runs cfn-guard with the Control Tower rules, both bundled in the npm package
@cdklabs/cdk-validator-cfnguard (installed by `npm ci` from the project's package-lock.json),
on each sample's JSON output. Every control a sample fails must be listed for that sample
in docs/security.md (a table row `| CT.X.PR.N | samples | reason |`, where samples is `all`
or a comma-separated list of sample names) with the reason octohac does not follow it. The
check fails on any failure that is not listed, and on a listed control that none of its
samples fails any more (so the document stays true).

  guard.py --octohac BIN SAMPLE.oha...
  guard.py --template F.json --expect-control CT.X.PR.N...   (passes only if the template
      fails every given control: the check can fail)
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile

import cfn_template

PACKAGE = os.path.join(cfn_template.source_dir(), "node_modules", "@cdklabs", "cdk-validator-cfnguard")
CONTROL_ID = re.compile(r"\[(CT\.[A-Z0-9]+\.PR\.\d+)\]")
RESOURCE = re.compile(r"/Resources/([A-Za-z0-9]+)")
ROW = re.compile(r"^\|\s*(CT\.[A-Z0-9]+\.PR\.\d+)\s*\|\s*([^|]+?)\s*\|")


def guard_binary():
    system = {"Linux": "ubuntu", "Darwin": "macos"}.get(platform.system())
    machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(
        platform.machine().lower())
    path = os.path.join(PACKAGE, "bin", system or "?", machine or "?", "cfn-guard")
    if not os.path.exists(path):
        sys.exit(f"guard: no cfn-guard at {path}; run `npm ci` in the source folder (make test does)")
    return path


def failing_controls(template_paths):
    """{template path: {control id: set of resources}} for every control each template
    fails. One cfn-guard run reads the rules once for all the templates."""
    rules = os.path.join(PACKAGE, "rules", "control-tower", "cfn-guard")
    argv = [guard_binary(), "validate", "--rules", rules, "--output-format", "json",
            "--show-summary", "none", "--structured"]
    template_paths = [os.path.abspath(p) for p in template_paths]   # cfn-guard names each report so
    for path in template_paths:
        argv += ["--data", path]
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    # cfn-guard exits 19 when a rule fails and 0 when all pass; anything else is an error.
    if proc.returncode not in (0, 19):
        sys.exit(f"guard: cfn-guard exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    result = {path: {} for path in template_paths}
    for report in json.loads(proc.stdout):
        failures = result.setdefault(report.get("name"), {})
        for rule in report.get("not_compliant", []):
            text = json.dumps(rule)
            ids = set(CONTROL_ID.findall(text)) or {rule.get("Rule", {}).get("name", "?")}
            for control in ids:
                failures.setdefault(control, set()).update(RESOURCE.findall(text))
    return result


def listed_rows(doc_path):
    """{control: set of sample names, or {"all"}} from docs/security.md's table."""
    rows = {}
    with open(doc_path, encoding="utf-8") as f:
        for line in f:
            m = ROW.match(line)
            if m:
                rows[m.group(1)] = {s.strip().strip("`") for s in m.group(2).split(",")}
    return rows


def check_samples(octohac, samples, doc_path):
    """Unlisted failures per sample, and rows that none of their samples fail any more."""
    rows = listed_rows(doc_path)
    problems, failed_rows = [], set()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for sample in samples:
            paths.append(os.path.join(tmp, os.path.splitext(os.path.basename(sample))[0] + ".json"))
            with open(paths[-1], "wb") as f:
                f.write(cfn_template.build_or_die(octohac, sample, "json"))
        results = failing_controls(paths)
        paths = [os.path.abspath(p) for p in paths]
    for sample, path in zip(samples, paths):
        name = os.path.splitext(os.path.basename(sample))[0]
        failures = results[path]
        unlisted = [c for c in sorted(failures) if not rows.get(c, set()) & {"all", name}]
        failed_rows.update(c for c in failures if c in rows)
        for control in unlisted:
            problems.append(f"{sample}: fails {control} (resources {', '.join(sorted(failures[control]))}), "
                            f"which docs/security.md does not list for `{name}`")
        if not unlisted:
            print(f"{sample}: fails {len(failures)} controls, each listed in docs/security.md: {sorted(failures)}")
    names = {os.path.splitext(os.path.basename(s))[0] for s in samples}
    for control, where in sorted(rows.items()):
        if control not in failed_rows and ("all" in where or where & names):
            problems.append(f"docs/security.md lists {control} for {', '.join(sorted(where))}, but no sample "
                            f"fails it any more: remove the row")
    return problems


def check_operations(octohac, samples):
    """The operations templates pass every control: none is listed in docs/security.md for them."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for sample in samples:
            path = os.path.join(tmp, os.path.splitext(os.path.basename(sample))[0] + ".operations.json")
            with open(path, "wb") as f:
                f.write(cfn_template.build_or_die(octohac, sample, "json"))
            paths.append(path)
        failures = failing_controls(paths)
        problems = [f"{p}: fails {sorted(c)}" for p, c in sorted(failures.items()) if c]
    for p in problems:
        print(p)
    print(f"guard: {len(samples)} operations templates, {len(problems)} failing controls")
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--octohac")
    ap.add_argument("--doc", default=os.path.join(cfn_template.source_dir(), "docs", "security.md"))
    ap.add_argument("--template")
    ap.add_argument("--expect-control", action="append", default=[])
    ap.add_argument("samples", nargs="*")
    ap.add_argument("--operations", action="store_true",
                    help="check each sample's operations template (build --operations): it must fail no control")
    args = ap.parse_args()

    if args.operations:
        cfn_template.use_operations(args)
        return check_operations(args.octohac, args.samples)
    if args.template:
        failures = failing_controls([args.template])[os.path.abspath(args.template)]
        missing = [c for c in args.expect_control if c not in failures]
        print(f"guard: {args.template} fails {sorted(failures)}")
        if missing:
            print(f"guard: expected failures not reported: {missing}")
            return 1
        return 0
    problems = check_samples(args.octohac, args.samples, args.doc)
    for p in problems:
        print(p)
    print(f"guard: {len(args.samples)} samples, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
