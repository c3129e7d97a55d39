#!/usr/bin/env python3
"""determinism.py: the output does not depend on the locale, the time zone or the
working directory.

For each sample it builds YAML and JSON three ways and requires identical bytes:
from the source folder with a relative path, LC_ALL=C and TZ=UTC; from a temporary
folder with an absolute path, LC_ALL=C.UTF-8, LANG=de_DE.UTF-8 and TZ=Asia/Kathmandu;
and from the sample's own folder with its bare name, LC_ALL=de_DE.UTF-8 and TZ=NZST-12.

  determinism.py --octohac BIN SAMPLE.oha...
"""

import argparse
import os
import sys
import tempfile

import cfn_template


def runs(sample, tmp):
    src = cfn_template.source_dir()
    absolute = os.path.join(src, sample)
    base = dict(os.environ)
    for k in ("LC_ALL", "LANG", "LC_NUMERIC", "LC_CTYPE", "TZ", "OCTOHAC_PATH"):
        base.pop(k, None)
    return [
        ("source folder, C, UTC", sample, src, dict(base, LC_ALL="C", TZ="UTC")),
        ("temporary folder, absolute path, C.UTF-8, +05:45", absolute, tmp,
         dict(base, LC_ALL="C.UTF-8", LANG="de_DE.UTF-8", TZ="Asia/Kathmandu")),
        ("sample folder, bare name, de_DE, +12", os.path.basename(sample), os.path.dirname(absolute),
         dict(base, LC_ALL="de_DE.UTF-8", TZ="NZST-12")),
    ]


def check(octohac, sample):
    octohac = os.path.abspath(octohac)
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("yaml", "json"):
            first = None
            for what, path, cwd, env in runs(sample, tmp):
                code, out, err = cfn_template.build(octohac, path, fmt, cwd=cwd, env=env)
                if code != 0:
                    problems.append(f"{sample} ({what}): exit {code}: {err}")
                    continue
                if first is None:
                    first = (what, out)
                elif out != first[1]:
                    a, b = first[1].splitlines(), out.splitlines()
                    line = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                    got = b[line].decode("utf-8", "replace") if line < len(b) else "<end>"
                    want = a[line].decode("utf-8", "replace") if line < len(a) else "<end>"
                    problems.append(f"{sample} -f {fmt}: `{what}` differs from `{first[0]}` at line {line + 1}:\n"
                                    f"  {want}\n  {got}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--octohac", required=True)
    ap.add_argument("samples", nargs="+")
    cfn_template.operations_option(ap)
    args = ap.parse_args()
    cfn_template.use_operations(args)
    problems = []
    for sample in args.samples:
        problems += check(args.octohac, sample)
    for p in problems:
        print(p)
    print(f"determinism: {len(args.samples)} samples, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
