#!/usr/bin/env python3
"""golden.py: each sample's YAML and JSON output against tests/golden/<sample>.yaml/.json.

It runs `octohac build samples/X.oha -f yaml` and `-f json` from the source folder and
compares the bytes with the goldens, printing a unified diff of the first difference.
With `--operations` it does the same for the operations template (`build --operations`)
against tests/golden/<sample>.operations.yaml/.json.
`--update` rewrites the goldens instead (review the diff before committing them).

  golden.py --octohac BIN [--update] [--operations] SAMPLE.oha...
"""

import argparse
import difflib
import os
import sys

import cfn_template

GOLDEN_DIR = os.path.join(cfn_template.source_dir(), "tests", "golden")
MAX_DIFF_LINES = 60


def check(octohac, sample, update):
    name = os.path.splitext(os.path.basename(sample))[0]
    if cfn_template.BUILD_FLAGS:        # --operations: tests/golden/<sample>.operations.yaml/.json
        name += ".operations"
    problems = []
    for fmt in ("yaml", "json"):
        got = cfn_template.build_or_die(octohac, sample, fmt)
        path = os.path.join(GOLDEN_DIR, f"{name}.{fmt}")
        if update:
            old = open(path, "rb").read() if os.path.exists(path) else None
            if old != got:
                with open(path, "wb") as f:
                    f.write(got)
                print(f"golden: rewrote {os.path.relpath(path, cfn_template.source_dir())}")
            continue
        if not os.path.exists(path):
            problems.append(f"{sample}: no golden {path} (run with --update)")
            continue
        want = open(path, "rb").read()
        if want != got:
            diff = list(difflib.unified_diff(want.decode("utf-8", "replace").splitlines(),
                                             got.decode("utf-8", "replace").splitlines(),
                                             f"tests/golden/{name}.{fmt}",
                                             " ".join(["octohac build", sample, "-f", fmt, *cfn_template.BUILD_FLAGS]),
                                             lineterm=""))
            shown = "\n".join(diff[:MAX_DIFF_LINES])
            more = f"\n... {len(diff) - MAX_DIFF_LINES} more diff lines" if len(diff) > MAX_DIFF_LINES else ""
            problems.append(f"{sample}: the {fmt} output differs from its golden:\n{shown}{more}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--octohac", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("samples", nargs="+")
    cfn_template.operations_option(ap)
    args = ap.parse_args()
    cfn_template.use_operations(args)
    problems = []
    for sample in args.samples:
        problems += check(args.octohac, sample, args.update)
    for p in problems:
        print(p)
    if not args.update:
        print(f"golden: {len(args.samples)} samples, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
