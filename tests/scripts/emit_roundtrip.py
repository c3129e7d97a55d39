#!/usr/bin/env python3
"""emit_roundtrip.py: the emitters on random documents that no sample produces.

It generates COUNT documents (seeded, so a failure can be replayed) whose strings mix
the cases YAML quoting gets wrong: number-, bool-, null- and date-like words in any case,
indicator characters at the start, `: ` and ` #` inside, leading and trailing spaces,
tabs, control characters, multi-line text (with and without a final newline, with
indented and blank lines), non-ASCII text, and short-form intrinsics of every kind. Each
goes through `emit_tool yaml` and `emit_tool json`; the YAML, read back with the short
forms expanded, and the JSON must both equal the document exactly.

  emit_roundtrip.py --tool BIN [--count N] [--seed S]
"""

import argparse
import json
import random
import subprocess
import sys
import tempfile

import cfn_template

ATOMS = [
    "", " ", "a", "Vpc", "yes", "No", "ON", "off", "y", "N", "true", "False", "null", "Null", "~",
    "0", "007", "1.5", "16.00", "2010-09-09", "1e5", "0x1F", "0o17", "0b11", ".inf", "-.Inf", ".nan",
    "1_000", "190:20:30", "+1", "-1", "<<", "=", "-", "--", "---", "...", "?", ":", "#", "&", "*", "!",
    "|", ">", "'", "\"", "%", "@", "`", "{", "}", "[", "]", ",", "a: b", "a:b", "a #b", "a#b", "a:",
    "\t", "\x01", "\x7f", "\\", "\\n", "${AWS::Region}", "${!Literal}", "arn:aws:iam::aws:policy/x",
    "C:\\octohac\\x.ps1", "héllo", "日本", "\u2028", "\u0085", "\ufeff", "{{resolve:ssm:x}}",
]


def random_string(rng):
    if rng.random() < 0.2:     # multi-line text
        lines = [random_string_line(rng) for _ in range(rng.randint(1, 5))]
        text = "\n".join(lines)
        return text + rng.choice(["", "\n", "\n\n"])
    return random_string_line(rng)


def random_string_line(rng):
    return "".join(rng.choice(ATOMS) for _ in range(rng.randint(0, 3)))


def random_scalar(rng):
    r = rng.random()
    if r < 0.6:
        return random_string(rng)
    if r < 0.75:
        return rng.choice([0, 1, -7, 100, 65535, 2 ** 40, 0.5, -1.25, 1e-7, 3.0e21])
    if r < 0.85:
        return rng.choice([True, False])
    return None


def random_intrinsic(rng, depth):
    kind = rng.choice(["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::GetAZs",
                       "Fn::Base64", "Fn::If", "Fn::Equals", "Fn::Split", "Fn::FindInMap"])
    if kind == "Ref":
        return {kind: rng.choice(["Vpc", "AWS::Region", "AWS::NoValue", random_string_line(rng)])}
    if kind == "Fn::GetAtt":
        return {kind: [rng.choice(["Database", "A"]), rng.choice(["Endpoint.Address", "Arn", random_string_line(rng)])]}
    if kind == "Fn::Sub":
        if rng.random() < 0.5:
            return {kind: random_string(rng)}
        return {kind: [random_string(rng), {"X": random_value(rng, depth + 1)}]}
    if kind in ("Fn::GetAZs", "Fn::Base64"):
        return {kind: random_value(rng, depth + 1) if rng.random() < 0.5 else random_string(rng)}
    return {kind: [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]}


def random_value(rng, depth=0):
    r = rng.random()
    if depth > 4 or r < 0.45:
        return random_scalar(rng)
    if r < 0.65:
        return random_intrinsic(rng, depth)
    if r < 0.8:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {random_string_line(rng) or "k": random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def emit(tool, fmt, path):
    proc = subprocess.run([tool, fmt, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"emit_tool {fmt} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode("utf-8")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.count):
            doc = {f"K{j}": random_value(rng) for j in range(rng.randint(1, 6))}
            path = f"{tmp}/doc.json"
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False)
            yaml_text, json_text = emit(args.tool, "yaml", path), emit(args.tool, "json", path)
            problems = []
            try:
                back = cfn_template.load_yaml(yaml_text)
                d = cfn_template.strict_equal(doc, back)
                if d:
                    problems.append(f"YAML reads back differently at {d}")
            except Exception as e:  # a syntax error is a failure too
                problems.append(f"YAML does not parse: {e}")
            d = cfn_template.strict_equal(doc, json.loads(json_text))
            if d:
                problems.append(f"JSON reads back differently at {d}")
            if problems:
                failures += 1
                print(f"document {i} (seed {args.seed}): {'; '.join(problems)}")
                print(json.dumps(doc, ensure_ascii=False)[:2000])
                print(yaml_text[:2000])
                if failures >= 5:
                    break
    print(f"emit_roundtrip: {args.count} documents, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
