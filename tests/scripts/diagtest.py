#!/usr/bin/env python3
"""diagtest.py: the diagnostics test runner.

Each tests/diagnostics/NAME.oha states what `octohac check` must report, in comments:

    # expect: error OH2003 at 14:12          severity, code, line:column of the primary span
    # expect: warning OH2006 at inputs/base.oha:3:5   (a diagnostic in another file, relative
                                                       to the test file's folder)
    # expect: nothing                         the file is clean
    # expect-exit: 2                          the exit code (default: 1 when an error is
                                              expected, else 0)
    # args: --werror -I inputs                extra arguments for `octohac check`

The runner runs `octohac check --format short FILE` (in the file's folder, so paths in
the output are just the file name), requires exactly the expected multiset of
(severity, code, file, line, column), then runs `--format human` with NO_COLOR=1 and
compares standard error with NAME.stderr. Both runs must exit with the expected code.

The template-size note (note OH3002) follows every change to generation, byte count
included, so it is compared only in files that expect an OH3002; elsewhere it is
dropped from both outputs. A clean cluster's file can then say `# expect: nothing`.

    diagtest.py --octohac BIN [--update] [-v] PATH...

PATH is a .oha file or a folder of them. --update rewrites the .stderr goldens (review
the diff). Exit status: 0 when every file passes, 1 otherwise, 2 on a usage problem.
"""

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys

EXPECT = re.compile(r"#\s*expect:\s*(.*?)\s*$")
EXPECT_EXIT = re.compile(r"#\s*expect-exit:\s*(\d+)\s*$")
ARGS = re.compile(r"#\s*args:\s*(.*?)\s*$")
EXPECTATION = re.compile(r"^(error|warning|note)\s+(OH\d{4})\s+at\s+(?:(.+):)?(\d+):(\d+)$")
SHORT_LINE = re.compile(r"^(.*?):(\d+):(\d+): (error|warning|note): (.*) \[(OH\d{4})\]$")
TIMEOUT = 60
VOLATILE = "OH3002"
VOLATILE_BLOCK = re.compile(r"^note\[" + VOLATILE + r"\]:.*?\n\n", re.M | re.S)


class Failure(Exception):
    pass


def parse_expectations(path):
    """The expected diagnostics, exit code and extra arguments stated in PATH."""
    expected, exit_code, args, nothing = [], None, [], False
    name = os.path.basename(path)
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        m = EXPECT.search(line)
        if m:
            body = m.group(1)
            if body == "nothing":
                nothing = True
                continue
            e = EXPECTATION.match(body)
            if not e:
                raise Failure(f"{name}:{number}: cannot read expectation {body!r}; "
                              "write `# expect: error OH0004 at 3:9`")
            sev, code, file, ln, col = e.groups()
            expected.append((sev, code, file or name, int(ln), int(col)))
            continue
        m = EXPECT_EXIT.search(line)
        if m:
            exit_code = int(m.group(1))
            continue
        m = ARGS.search(line)
        if m:
            args += shlex.split(m.group(1))
    if not expected and not nothing:
        raise Failure(f"{name}: no `# expect:` line (write `# expect: nothing` for a clean file)")
    if exit_code is None:
        exit_code = 1 if any(e[0] == "error" for e in expected) else 0
    return expected, exit_code, args


def run(octohac, folder, fmt, name, args):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("OCTOHAC_PATH", None)
    cmd = [octohac, "check", "--format", fmt] + args + [name]
    try:
        p = subprocess.run(cmd, cwd=folder, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure(f"`{' '.join(cmd)}` took more than {TIMEOUT} s")
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def describe(d):
    sev, code, file, line, col = d
    return f"{sev} {code} at {file}:{line}:{col}"


def multiset_diff(a, b):
    """Items of A not matched in B (with multiplicity)."""
    rest = list(b)
    missing = []
    for item in a:
        if item in rest:
            rest.remove(item)
        else:
            missing.append(item)
    return missing


def check_file(octohac, path, update, verbose):
    folder, name = os.path.split(os.path.abspath(path))
    expected, exit_code, args = parse_expectations(path)
    problems = []

    code, out, err = run(octohac, folder, "short", name, args)
    if code >= 3 or code < 0:
        raise Failure(f"{name}: octohac crashed or hit an internal error (exit {code}):\n{err}")
    got = []
    for line in (out + err).splitlines():
        m = SHORT_LINE.match(line)
        if m:
            file, ln, col, sev, _msg, dcode = m.groups()
            got.append((sev, dcode, file, int(ln), int(col)))
    volatile = not any(e[1] == VOLATILE for e in expected)
    if volatile:
        got = [g for g in got if not (g[0] == "note" and g[1] == VOLATILE)]
    for d in multiset_diff(expected, got):
        problems.append(f"expected {describe(d)}, but it was not reported")
    for d in multiset_diff(got, expected):
        problems.append(f"unexpected {describe(d)}")
    if code != exit_code:
        problems.append(f"`--format short` exited {code}, expected {exit_code}")
    if problems:
        problems.append("short output:\n" + "".join("    " + l + "\n" for l in err.splitlines()))

    hcode, _hout, herr = run(octohac, folder, "human", name, args)
    if volatile:
        herr = VOLATILE_BLOCK.sub("", herr)
    if hcode != exit_code:
        problems.append(f"`--format human` exited {hcode}, expected {exit_code}")
    golden = os.path.splitext(os.path.abspath(path))[0] + ".stderr"
    if update:
        old = open(golden, encoding="utf-8").read() if os.path.exists(golden) else None
        if old != herr:
            with open(golden, "w", encoding="utf-8") as f:
                f.write(herr)
            print(f"updated {os.path.relpath(golden)}")
    elif not os.path.exists(golden):
        problems.append(f"no golden {os.path.basename(golden)}; run diagtest.py --update and review it")
    else:
        want = open(golden, encoding="utf-8").read()
        if want != herr:
            diff = difflib.unified_diff(want.splitlines(True), herr.splitlines(True),
                                        os.path.basename(golden), "actual stderr")
            problems.append("human output differs from the golden:\n" + "".join(diff))
    if problems:
        raise Failure(f"{name}:\n" + "\n".join("  " + p for p in problems))
    if verbose:
        print(f"ok   {name} ({len(expected)} diagnostics, exit {exit_code})")


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".oha"))
        else:
            files.append(p)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--octohac", required=True, help="the octohac binary")
    ap.add_argument("--update", action="store_true", help="rewrite the .stderr goldens")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("paths", nargs="+")
    opts = ap.parse_args()
    if not os.access(opts.octohac, os.X_OK):
        print(f"diagtest: `{opts.octohac}` is not an executable", file=sys.stderr)
        return 2
    files = collect(opts.paths)
    if not files:
        print("diagtest: no .oha files given", file=sys.stderr)
        return 2
    failures = 0
    for f in files:
        try:
            check_file(os.path.abspath(opts.octohac), f, opts.update, opts.verbose)
        except Failure as e:
            failures += 1
            print(f"FAIL {e}", file=sys.stderr)
        except OSError as e:
            failures += 1
            print(f"FAIL {f}: {e}", file=sys.stderr)
    print(f"diagtest: {len(files) - failures} of {len(files)} passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
