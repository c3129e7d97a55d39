#!/usr/bin/env python3
"""fmt_props.py: the three properties of `octohac fmt`, checked on real files.

For a file F (a sample, or a diagnostics test file that `fmt` accepts):

1. comments kept: the comment tokens of fmt(F) are those of F, same text, same order;
2. idempotent: fmt(fmt(F)) == fmt(F), byte for byte;
3. meaning preserved: fmt(F) parses to the same tree as F (positions aside), reports
   the same diagnostics (positions aside), and every cluster builds to the same YAML
   and JSON, byte for byte once the `source: FILE:LINE:COL` positions are masked.

The formatted copy is written under the same relative path in a temporary folder (with
a copy of the `inputs/` folder beside the file), so relative imports and the file name in
the template header are the same; both builds run from the same relative path.

    fmt_props.py --bin OCTOHAC [--list] [--selftest] [CASE|FILE...]

`--list` prints the case names (one per file, plus the command-line cases) for CTest;
a CASE is `file:PATH` or one of the command-line cases below. `--selftest` feeds
deliberately broken "formatted" texts to the checks and requires each to be caught.
Run from the source tree's root.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 120
EXPECT = re.compile(r"#\s*expect:\s*(\w+)")
POSITION = re.compile(r" @\d+:\d+")
SOURCE_POS = re.compile(r'(source"?: "?[^"\n]*?):\d+:\d+')
CLUSTER = re.compile(r'^cluster "(.*)" @\d+:\d+$', re.M)
BIN = None


class Failure(Exception):
    pass


def run(args, cwd=None, stdin=None):
    return subprocess.run([BIN] + args, cwd=cwd, input=stdin, capture_output=True, timeout=TIMEOUT)


def must(r, what, rc=0):
    if r.returncode != rc:
        raise Failure("%s: exit %d (wanted %d)\n%s" % (what, r.returncode, rc, r.stderr.decode(errors="replace")))
    return r.stdout


# ---------------------------------------------------------------- which files

def expectations(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return [m.group(1) for m in EXPECT.finditer(f.read())]


def property_files():
    """Every sample, and every diagnostics test file that expects no error."""
    files = sorted(glob.glob("samples/*.oha"))
    for path in sorted(glob.glob("tests/diagnostics/*.oha")):
        if "error" not in expectations(path):
            files.append(path)
    return files


def parseable_diagnostics():
    """Diagnostics test files without syntax errors: fmt must accept them and keep their
    diagnostics (the property files are a subset)."""
    out = []
    for path in sorted(glob.glob("tests/diagnostics/*.oha")):
        name = os.path.basename(path)
        if not re.match(r"oh0\d{3}-", name):
            out.append(path)
    return out


# ---------------------------------------------------------------- the checks

def tokens(path, cwd=None):
    return run(["check", "--dump=tokens", path], cwd=cwd).stdout.decode()


def comments_of(dump):
    out = []
    for line in dump.splitlines():
        parts = line.split(" ", 2)
        if len(parts) >= 2 and parts[1] == "comment":
            out.append(parts[2].rstrip() if len(parts) == 3 else "")
    return out


def ast_of(path, cwd=None):
    return POSITION.sub("", run(["check", "--dump=ast", path], cwd=cwd).stdout.decode())


def diagnostics_of(path, cwd=None):
    """(severity, code, message) of `check --format short`, positions dropped."""
    r = run(["check", "--format", "short", path], cwd=cwd)
    out = []
    for line in r.stderr.decode(errors="replace").splitlines():
        m = re.match(r"^.*?:\d+:\d+: (error|warning|note): (.*) \[(OH\d{4})\]$", line)
        if m:
            out.append((m.group(1), m.group(3), m.group(2)))
    return r.returncode, sorted(out)


def builds_of(path, cwd=None):
    """Each cluster's YAML and JSON with the source positions masked, or its failure."""
    names = CLUSTER.findall(run(["check", "--dump=ast", path], cwd=cwd).stdout.decode())
    out = {}
    for name in names:
        for fmt in ("yaml", "json"):
            r = run(["build", path, "--cluster", name, "-f", fmt], cwd=cwd)
            out[(name, fmt)] = (r.returncode, SOURCE_POS.sub(r"\1:L:C", r.stdout.decode()))
    return out


def mirror(tmp, path):
    """Makes PATH's folder in TMP, with the inputs/ folder beside it (what the diagnostics
    test files import); returns TMP, where the same relative PATH names the copy."""
    folder = os.path.dirname(path)
    os.makedirs(os.path.join(tmp, folder))
    if os.path.isdir(os.path.join(folder, "inputs")):
        shutil.copytree(os.path.join(folder, "inputs"), os.path.join(tmp, folder, "inputs"))
    return tmp


def check_file(path, formatter=None, full=True):
    """The three properties of one file. FORMATTER (for --selftest) replaces fmt: a pair
    of functions, for the first and the second formatting."""
    original = open(path, "rb").read()
    first = formatter[0](original) if formatter else must(run(["fmt", path]), "fmt %s" % path)
    with tempfile.TemporaryDirectory(prefix="fmtprops-") as tmp:
        root = mirror(tmp, path)
        with open(os.path.join(root, path), "wb") as f:
            f.write(first)
        # 2. idempotent
        second = formatter[1](first) if formatter else must(run(["fmt", path], cwd=root), "fmt of fmt output")
        if second != first:
            raise Failure("%s: fmt is not idempotent:\n%s" % (path, diff(first, second)))
        # 1. comments kept, in order
        want, got = comments_of(tokens(path)), comments_of(tokens(path, cwd=root))
        if want != got:
            raise Failure("%s: comments differ:\n  input:  %r\n  output: %r" % (path, want, got))
        # 3. meaning: the tree, the diagnostics, the templates
        if ast_of(path) != ast_of(path, cwd=root):
            raise Failure("%s: the formatted file parses to another tree:\n%s" %
                          (path, diff(ast_of(path).encode(), ast_of(path, cwd=root).encode())))
        if diagnostics_of(path) != diagnostics_of(path, cwd=root):
            raise Failure("%s: diagnostics differ:\n  input:  %r\n  output: %r" %
                          (path, diagnostics_of(path), diagnostics_of(path, cwd=root)))
        if full:
            a, b = builds_of(path), builds_of(path, cwd=root)
            if not a:
                raise Failure("%s: no cluster found to build" % path)
            for key in a:
                if a[key] != b.get(key):
                    raise Failure("%s: cluster %s builds to different %s:\n%s" %
                                  (path, key[0], key[1], diff(a[key][1].encode(), b[key][1].encode())))


def diff(a, b):
    import difflib
    return "".join(difflib.unified_diff(a.decode(errors="replace").splitlines(True),
                                        b.decode(errors="replace").splitlines(True), "first", "second", n=2))


# ---------------------------------------------------------------- command-line cases

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def check_lists_changed():
    """--check names exactly the files that would change and exits 1; 0 when none."""
    with tempfile.TemporaryDirectory(prefix="fmtcheck-") as tmp:
        clean = os.path.join(tmp, "clean.oha")
        messy = os.path.join(tmp, "messy.oha")
        canonical = must(run(["fmt", "samples/minimal.oha"]), "fmt minimal")
        open(clean, "wb").write(canonical)
        open(messy, "wb").write(b'cluster "x" {\n\n\n  octopus   {admin_email="a@example.com"}\n}\n')
        r = run(["fmt", "--check", clean, messy])
        must(r, "fmt --check with a messy file", rc=1)
        if r.stdout.decode().splitlines() != [messy]:
            raise Failure("--check should list only %s, printed %r" % (messy, r.stdout))
        r = run(["fmt", "--check", clean])
        must(r, "fmt --check on a canonical file")
        if r.stdout or r.stderr:
            raise Failure("--check on a canonical file printed %r %r" % (r.stdout, r.stderr))


@case
def write_rewrites():
    """--write rewrites what changes, leaves canonical files alone (bytes and mtime)."""
    with tempfile.TemporaryDirectory(prefix="fmtwrite-") as tmp:
        clean = os.path.join(tmp, "clean.oha")
        messy = os.path.join(tmp, "messy.oha")
        open(clean, "wb").write(must(run(["fmt", "samples/minimal.oha"]), "fmt minimal"))
        open(messy, "wb").write(b'cluster "x" {\r\n\toctopus {admin_email="a@example.com"} # hi\r\n}\r\n')
        old = 1_000_000_000
        os.utime(clean, (old, old))
        os.utime(messy, (old, old))
        printed = must(run(["fmt", messy]), "fmt messy")
        must(run(["fmt", "--write", clean, messy]), "fmt --write")
        if open(messy, "rb").read() != printed:
            raise Failure("--write did not write what fmt prints")
        if os.stat(clean).st_mtime != old:
            raise Failure("--write touched a canonical file")
        if sorted(os.listdir(tmp)) != ["clean.oha", "messy.oha"]:
            raise Failure("--write left files behind: %r" % os.listdir(tmp))
        must(run(["fmt", "--check", clean, messy]), "--check after --write")


@case
def syntax_error_untouched():
    """A file with syntax errors: exit 1, the errors on stderr, nothing printed or written."""
    with tempfile.TemporaryDirectory(prefix="fmtbad-") as tmp:
        bad = os.path.join(tmp, "bad.oha")
        text = b'cluster "x" {\n  octopus { admin_email = }\n   nodes {count=2}\n}\n'
        open(bad, "wb").write(text)
        for args in (["fmt", bad], ["fmt", "--write", bad], ["fmt", "--check", bad]):
            r = run(args)
            must(r, " ".join(args[:-1]) + " of a syntax error", rc=1)
            if b"OH0004" not in r.stderr:
                raise Failure("%s: no OH0004 reported: %r" % (args, r.stderr))
            if r.stdout:
                raise Failure("%s printed %r" % (args, r.stdout))
            if open(bad, "rb").read() != text or os.listdir(tmp) != ["bad.oha"]:
                raise Failure("%s changed the folder" % args)


@case
def semantic_errors_formatted():
    """fmt does not judge meaning: a file with only semantic errors is formatted, and
    formatting keeps every diagnostic (the tree and the diagnostics compared). The
    stdlib modules (profiles only, nothing to build) are checked the same way."""
    for path in parseable_diagnostics() + sorted(glob.glob("stdlib/**/*.oha", recursive=True)):
        check_file(path, full=False)


@case
def selftest():
    """The checks catch a formatter that drops a comment, changes a value, or is not
    idempotent; so a passing run means something."""
    path = "samples/production.oha"
    fmt_ok = must(run(["fmt", path]), "fmt")
    same = lambda text: text
    broken = [  # (what the formatter does wrong, first, second, the check that must catch it)
        ("drops a comment", lambda t: re.sub(rb"\n *#[^\n]*", b"", t, count=1), same, "comments differ"),
        ("reorders comments", swap_first_comments, same, "comments differ"),
        ("changes a value", lambda t: t.replace(b"count = 3", b"count = 4"), same, "another tree"),
        ("changes a unit", lambda t: t.replace(b"150 GiB", b"150 TiB"), same, "another tree"),
        ("is not idempotent", same, lambda t: t + b"\n", "not idempotent"),
    ]
    for what, first, second, caught_by in broken:
        try:
            check_file(path, formatter=(lambda t, f=first: f(fmt_ok), second))
        except Failure as e:
            if caught_by in str(e):
                continue
            raise Failure("a formatter that %s was caught by the wrong check: %s" % (what, e))
        raise Failure("the checks missed a formatter that %s" % what)


def swap_first_comments(text):
    lines = text.split(b"\n")
    idx = [i for i, l in enumerate(lines) if l.startswith(b"#")][:2]
    lines[idx[0]], lines[idx[1]] = lines[idx[1]], lines[idx[0]]
    return b"\n".join(lines)


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    BIN = os.path.abspath(args.bin)
    if args.list:
        for path in property_files():
            print("file:" + path)
        for name in CASES:
            print(name)
        return 0
    names = args.names or (["file:" + p for p in property_files()] + list(CASES))
    failed = 0
    for name in names:
        try:
            if name.startswith("file:"):
                check_file(name[5:])
            elif name in CASES:
                CASES[name]()
            else:
                check_file(name)
            print("ok   %s" % name)
        except (Failure, subprocess.TimeoutExpired, OSError) as e:
            failed += 1
            print("FAIL %s: %s" % (name, e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
