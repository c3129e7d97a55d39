#!/usr/bin/env python3
"""yaml_size.py: emit_yaml_size against emit_yaml's real length on random documents.

For each seed in SEED .. SEED+COUNT-1 it builds one document with emit_roundtrip.py's
generator (the strings YAML quoting gets wrong: number- and bool-like words, indicators,
leading and trailing spaces, tabs, control characters, multi-line text, non-ASCII and
Unicode line separators, short-form intrinsics, empty lists and objects) and runs
`emit_tool size`, which prints both numbers; any difference is a failure, reported with
the seed so that it can be replayed.

  yaml_size.py --tool BIN [--count N] [--seed S]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emit_roundtrip  # noqa: E402  (the shared generator)


def sizes(tool, path):
    proc = subprocess.run([tool, "size", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"emit_tool size exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    real, counted = proc.stdout.split()
    return int(real), int(counted)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/doc.json"
        for seed in range(args.seed, args.seed + args.count):
            rng = random.Random(seed)
            doc = {f"K{j}": emit_roundtrip.random_value(rng) for j in range(rng.randint(1, 6))}
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False)
            real, counted = sizes(args.tool, path)
            if real != counted:
                failures += 1
                print(f"seed {seed}: emit_yaml wrote {real} bytes, emit_yaml_size counted {counted}")
                print(json.dumps(doc, ensure_ascii=False)[:2000])
                if failures >= 5:
                    break
    print(f"yaml_size: {args.count} documents, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
