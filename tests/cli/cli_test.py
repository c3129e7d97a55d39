#!/usr/bin/env python3
"""CLI tests for octohac: every command, flag, exit code and diagnostics format of
docs/cli.md, run against the real binary. Each case is one CTest test.

    cli_test.py --list                 the case names (CMake reads them at configure time)
    cli_test.py --bin OCTOHAC CASE...  run cases; exit 1 on the first failure
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "samples")
SARIF_SCHEMA = os.path.join(ROOT, "tests", "data", "sarif-schema-2.1.0-rtm.5.json")
BIN = None
CASES = {}

# ---------------------------------------------------------------- inputs

MINIMAL = """cluster "octopus" {
  directory { create = true, domain = "corp.example.com" }
  octopus   { admin_email = "ops@example.com" }
}
"""
# Valid, but with a warning: OH4003 (database.deletion = delete).
WARNING_ONLY = """cluster "octopus" {
  directory { create = true, domain = "corp.example.com" }
  octopus   { admin_email = "ops@example.com" }
  database  { deletion = delete }
}
"""
# A syntax error: OH0004 at 3:19 (a value is missing).
SYNTAX_ERROR = """cluster "octopus" {
  directory { create = true, domain = "corp.example.com" }
  nodes { count = }
}
"""
# A semantic error: OH2001 (one node).
ONE_NODE = """cluster "octopus" {
  directory { create = true, domain = "corp.example.com" }
  octopus   { admin_email = "ops@example.com" }
  nodes     { count = 1 }
}
"""
TWO_CLUSTERS = MINIMAL.replace('"octopus"', '"alpha"') + "\n" + MINIMAL.replace('"octopus"', '"beta"')
UNFORMATTED = """cluster "octopus" {
      directory { create = true, domain = "corp.example.com" }
 octopus   {   admin_email = "ops@example.com"   }
}
"""


class Failure(Exception):
    pass


def case(fn):
    CASES[fn.__name__] = fn
    return fn


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self):
        return "exit %d\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            self.rc, self.out.decode("utf-8", "replace")[:4000], self.err.decode("utf-8", "replace")[:4000])

    @property
    def stdout(self):
        return self.out.decode("utf-8")

    @property
    def stderr(self):
        return self.err.decode("utf-8", "replace")


def run(*args, stdin=b"", env=None, cwd=None):
    full_env = dict(os.environ)
    full_env.pop("OCTOHAC_PATH", None)
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    proc = subprocess.run([BIN] + list(args), input=stdin, capture_output=True, env=full_env,
                          cwd=cwd, timeout=120)
    return Result(proc)


def expect(cond, message, result=None):
    if not cond:
        raise Failure(message + ("\n" + repr(result) if result is not None else ""))


def expect_rc(result, code, what):
    expect(result.rc == code, "%s: expected exit %d" % (what, code), result)


def expect_no_stdout(result, what):
    expect(result.out == b"", "%s: expected nothing on standard output" % what, result)


class Tmp:
    """A temporary folder with helpers to write files into it."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="octohac-cli-")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    def listing(self):
        out = []
        for base, _dirs, files in os.walk(self.dir):
            out += [os.path.relpath(os.path.join(base, f), self.dir) for f in files]
        return sorted(out)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def cfn_yaml(text):
    """Parses a template, turning CloudFormation's short-form tags into plain values."""
    class Loader(yaml.SafeLoader):
        pass

    def short_form(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {("Ref" if suffix == "Ref" else "Fn::" + suffix): value}

    Loader.add_multi_constructor("!", short_form)
    return yaml.load(text, Loader=Loader)


def json_report(*paths):
    r = run("check", "--format", "json", *paths)
    expect(r.rc in (0, 1), "check --format json failed", r)
    return json.loads(r.stdout)


# ---------------------------------------------------------------- version and help

@case
def version_flag():
    for args in (["--version"], ["version"]):
        r = run(*args)
        expect_rc(r, 0, " ".join(args))
        expect(re.fullmatch(r"octohac \d+\.\d+\.\d+\n", r.stdout), "version line", r)
        expect(r.err == b"", "nothing on stderr", r)


@case
def help_general():
    for args in (["--help"], ["-h"], ["help"]):
        r = run(*args)
        expect_rc(r, 0, " ".join(args))
        for command in ("build", "check", "fmt", "explain", "graph", "plan", "version", "help"):
            expect(re.search(r"^  %s " % command, r.stdout, re.M), "help lists `%s`" % command, r)


@case
def help_per_command():
    for command in ("build", "check", "lint", "fmt", "explain", "graph", "plan", "version", "help"):
        for args in (["help", command], [command, "--help"], [command, "-h"]):
            r = run(*args)
            expect_rc(r, 0, " ".join(args))
            expect(r.stdout.startswith("usage: octohac "), "usage line", r)
    r = run("help", "build")
    for flag in ("--cluster", "-o", "--check", "--stack-policy", "--operations", "-I", "--werror", "--color", "--format"):
        expect(flag in r.stdout, "build help mentions %s" % flag, r)


@case
def help_unknown_command():
    r = run("help", "frobnicate")
    expect_rc(r, 2, "help frobnicate")
    expect("unknown command `frobnicate`" in r.stderr, "message", r)


# ---------------------------------------------------------------- usage errors (exit 2)

@case
def no_arguments():
    r = run()
    expect_rc(r, 2, "no arguments")
    expect_no_stdout(r, "no arguments")
    expect("usage: octohac" in r.stderr, "usage on stderr", r)


@case
def unknown_command():
    r = run("buidl", "x.oha")
    expect_rc(r, 2, "unknown command")
    expect("unknown command `buidl`" in r.stderr and "did you mean `build`" in r.stderr, "did you mean", r)
    expect("usage: octohac" in r.stderr, "usage printed", r)
    r = run("--frobnicate")
    expect_rc(r, 2, "unknown global option")


@case
def unknown_flag():
    with Tmp() as t:
        f = t.write("a.oha", MINIMAL)
        for args in (["build", f, "--frob"], ["check", "--frob", f], ["fmt", "-z", f],
                     ["graph", f, "--nope"], ["explain", "--x", "OH2003"], ["version", "--all"]):
            r = run(*args)
            expect_rc(r, 2, " ".join(args))
            expect_no_stdout(r, " ".join(args))
            expect("unknown option" in r.stderr and "usage: octohac" in r.stderr,
                   "unknown option message and the command's usage", r)
        r = run("build", f, "--clustr", "octopus")
        expect("did you mean `--cluster`" in r.stderr, "did you mean for a flag", r)


@case
def flag_values():
    with Tmp() as t:
        f = t.write("a.oha", MINIMAL)
        bad = [["build", f, "-o"], ["build", f, "--cluster"], ["check", f, "--format", "xml"],
               ["build", f, "-f", "toml"], ["check", f, "--color", "sometimes"], ["check", "--dump=bytes", f],
               ["graph", f, "--format", "svg"], ["fmt", "--check=yes", f], ["build"], ["build", f, f],
               ["check"], ["fmt"], ["explain"], ["graph"], ["build", f, "-o", "x.yaml", "--check", "x.yaml"],
               ["fmt", "--check", "--write", f]]
        for args in bad:
            r = run(*args)
            expect_rc(r, 2, " ".join(args))
            expect_no_stdout(r, " ".join(args))


# ---------------------------------------------------------------- check

@case
def check_missing_file():
    with Tmp() as t:
        missing = t.path("nope.oha")
        r = run("check", missing)
        expect_rc(r, 2, "check of a missing file")
        expect("cannot read" in r.stderr and "nope.oha" in r.stderr, "message names the file", r)
        r = run("build", missing)
        expect_rc(r, 2, "build of a missing file")
        expect_no_stdout(r, "build of a missing file")


@case
def check_reports_others_after_unreadable():
    with Tmp() as t:
        bad = t.write("bad.oha", SYNTAX_ERROR)
        r = run("check", "--format", "short", t.path("missing.oha"), bad)
        expect_rc(r, 2, "unreadable file among others")
        expect("[OH0004]" in r.stderr, "the other file is still reported", r)
        expect(r.stderr.endswith("1 error, 0 warnings in 1 file\n"), "the unreadable file is not counted", r)
        r = run("check", "--format", "json", t.path("missing.oha"), bad)
        expect_rc(r, 2, "json with an unreadable file")
        doc = json.loads(r.stdout)
        expect(doc["files"] == 1 and doc["errors"] == 1, "json counts the readable file only", r)


@case
def check_clean_samples():
    samples = sorted(os.path.join(SAMPLES, f) for f in os.listdir(SAMPLES) if f.endswith(".oha"))
    for sample in samples:
        r = run("check", sample)
        expect(r.rc == 0, "%s checks cleanly" % sample, r)
        expect(re.search(r"^0 errors, \d+ warnings? in 1 file\n\Z", r.stderr, re.M), "summary line", r)
    r = run("check", SAMPLES)
    expect_rc(r, 0, "check samples/")
    expect(re.search(r"^0 errors, \d+ warnings? in %d files\n\Z" % len(samples), r.stderr, re.M),
           "summary over the folder", r)


@case
def check_syntax_error():
    with Tmp() as t:
        f = t.write("bad.oha", SYNTAX_ERROR)
        r = run("check", "--format", "short", f)
        expect_rc(r, 1, "check of a syntax error")
        expect(re.search(r"^%s:3:19: error: .* \[OH0004\]$" % re.escape(f), r.stderr, re.M), "short line", r)
        expect(r.stderr.endswith("1 error, 0 warnings in 1 file\n"), "summary", r)
        r = run("check", f)
        expect_rc(r, 1, "human format")
        expect("error[OH0004]" in r.stderr and "--> %s:3:19" % f in r.stderr, "human header and location", r)


@case
def check_semantic_error():
    with Tmp() as t:
        f = t.write("one.oha", ONE_NODE)
        r = run("check", "--format", "short", f)
        expect_rc(r, 1, "one node")
        expect("[OH2001]" in r.stderr, "OH2001 reported", r)


@case
def check_stdin():
    r = run("check", "--format", "short", "-", stdin=SYNTAX_ERROR.encode())
    expect_rc(r, 1, "check - with an error")
    expect(re.search(r"^<stdin>:3:19: error: .*\[OH0004\]$", r.stderr, re.M), "named <stdin>", r)
    r = run("check", "-", stdin=MINIMAL.encode())
    expect_rc(r, 0, "check - clean")
    r = run("check", "-", stdin=b"")
    expect(r.rc in (0, 1), "empty standard input is not a crash", r)


@case
def check_directory_recursion():
    with Tmp() as t:
        t.write("b.oha", SYNTAX_ERROR)
        t.write("a/z.oha", SYNTAX_ERROR)
        t.write("a/c/d.oha", SYNTAX_ERROR)
        t.write("a/notes.txt", "not a cluster file {")
        t.write(".hidden/x.oha", SYNTAX_ERROR)
        r = run("check", "--format", "short", t.dir)
        expect_rc(r, 1, "folder with errors")
        files = [line.split(":")[0] for line in r.stderr.splitlines() if "[OH0004]" in line]
        want = [t.path("a/c/d.oha"), t.path("a/z.oha"), t.path("b.oha")]
        expect(files == want, "sorted recursive order %r, got %r" % (want, files), r)
        expect(r.stderr.endswith("3 errors, 0 warnings in 3 files\n"), "summary", r)


@case
def check_werror():
    with Tmp() as t:
        f = t.write("warn.oha", WARNING_ONLY)
        report = json_report(f)
        expect(report["errors"] == 0 and report["warnings"] > 0, "precondition: warnings only: %r" % report)
        expect_rc(run("check", f), 0, "warnings alone pass")
        r = run("check", "--werror", f)
        expect_rc(r, 1, "--werror fails on warnings")
        expect_rc(run("build", f), 0, "build with warnings")
        out = t.write("out.yaml", "old\n")
        r = run("build", "--werror", f, "-o", out)
        expect_rc(r, 1, "build --werror")
        expect_no_stdout(r, "build --werror")
        expect(read(out) == b"old\n", "OUT untouched after --werror")


@case
def lint_alias():
    with Tmp() as t:
        f = t.write("bad.oha", SYNTAX_ERROR)
        a = run("check", "--format", "short", f)
        b = run("lint", "--format", "short", f)
        expect(a.rc == b.rc == 1 and a.err == b.err, "lint is check", b)


@case
def check_dump():
    sample = os.path.join(SAMPLES, "minimal.oha")
    for kind in ("tokens", "ast"):
        r = run("check", "--dump=" + kind, sample)
        expect_rc(r, 0, "--dump=" + kind)
        expect(len(r.out) > 0, "a dump is printed", r)
        again = run("check", "--dump", kind, sample)
        expect(again.out == r.out, "the dump is stable")
    r = run("check", "--dump=tokens", sample, sample)
    expect_rc(r, 2, "--dump takes one file")


@case
def check_color():
    with Tmp() as t:
        f = t.write("bad.oha", SYNTAX_ERROR)
        expect(b"\x1b[" in run("check", "--color", "always", f).err, "always colours")
        expect(b"\x1b[" not in run("check", "--color", "never", f).err, "never does not")
        expect(b"\x1b[" not in run("check", f).err, "auto does not colour a pipe")
        expect(b"\x1b[" not in run("check", "--color=auto", f, env={"NO_COLOR": "1"}).err, "NO_COLOR")


@case
def include_path():
    with Tmp() as t:
        t.write("lib/team/base.oha", 'profile base {\n  octopus { admin_email = "ops@example.com" }\n}\n')
        main = t.write("work/main.oha", 'import "team/base"\n\ncluster "octopus" uses base {\n'
                       '  directory { create = true, domain = "corp.example.com" }\n}\n')
        r = run("check", "--format", "short", main)
        expect_rc(r, 1, "import not found without -I")
        expect("[OH0501]" in r.stderr, "OH0501", r)
        expect_rc(run("check", "-I", t.path("lib"), main), 0, "-I DIR")
        expect_rc(run("check", "--include=" + t.path("lib"), main), 0, "--include=DIR")
        expect_rc(run("check", "-I", t.path("nowhere"), "-I", t.path("lib"), main), 0, "-I repeated")
        env = {"OCTOHAC_PATH": t.path("nowhere") + "::" + t.path("lib")}
        expect_rc(run("check", main, env=env), 0, "OCTOHAC_PATH")
        expect_rc(run("build", main, env=env), 0, "build with OCTOHAC_PATH")


# ---------------------------------------------------------------- build

@case
def build_stdout():
    sample = os.path.join(SAMPLES, "production.oha")
    r = run("build", sample)
    expect_rc(r, 0, "build production.oha")
    expect(r.stdout.startswith("# Generated by octohac"), "the first line", r)
    doc = cfn_yaml(r.stdout)
    expect(isinstance(doc, dict) and "Resources" in doc, "a template with Resources")
    j = run("build", sample, "-f", "json")
    expect_rc(j, 0, "build -f json")
    expect(json.loads(j.stdout).keys() == doc.keys(), "the JSON has the same sections")
    again = run("build", sample)
    expect(again.out == r.out, "deterministic output")


@case
def build_json_size():
    """OH3002 measures the format written. The production sample (with the `production`
    profile's alarms) is over 51,200 bytes in YAML and in indented JSON, and each note names
    the format and its size; its compact JSON is under the limit, with no note. Without its
    alarms the YAML is under too."""
    sample = os.path.join(SAMPLES, "production.oha")
    for fmt, args in (("YAML", []), ("JSON", ["-f", "json"])):
        r = run("build", sample, *args)
        expect_rc(r, 0, "an OH3002 note does not fail the build")
        expect(len(r.out) > 51200 and "the %s template is %d bytes" % (fmt, len(r.out)) in r.stderr,
               "production: OH3002 for the %s with its size" % fmt, r)
    r = run("build", sample, "-f", "json", "--compact")
    expect_rc(r, 0, "build -f json --compact")
    expect(len(r.out) < 51200 and "OH3002" not in r.stderr,
           "production's compact JSON is under 51,200 bytes (%d bytes), no note" % len(r.out), r)
    with Tmp() as t, open(sample, encoding="utf-8") as f:
        quiet, n = re.subn(r"(?m)^  alerts \{.*\}$", "  alerts { enabled = false }", f.read())
        expect(n == 1, "production.oha has one `alerts` line to switch off")
        sample = t.path("production.oha")
        with open(sample, "w", encoding="utf-8") as g:
            g.write(quiet)
        y = run("build", sample)
        expect_rc(y, 0, "build production.oha")
        expect(len(y.out) <= 51200 and "OH3002" not in y.stderr, "the YAML is under the inline limit, no note", y)
        j = run("build", sample, "-f", "json")
        expect_rc(j, 0, "an OH3002 note does not fail the build")
        expect(len(j.out) > 51200, "the indented JSON is over the inline limit (%d bytes)" % len(j.out))
        expect("note[OH3002]" in j.stderr and "the JSON template is %d bytes" % len(j.out) in j.stderr,
               "JSON over the limit prints OH3002 with its own size", j)
        expect("--compact" in j.stderr, "the note offers --compact", j)
        c = run("build", sample, "-f", "json", "--compact")
        expect_rc(c, 0, "build -f json --compact")
        expect(len(c.out) < 51200, "the compact JSON is under 51,200 bytes (%d bytes)" % len(c.out))
        expect("OH3002" not in c.stderr, "no note for the compact JSON", c)
        expect(json.loads(c.stdout) == json.loads(j.stdout), "compact and indented JSON are the same document")
        expect(c.stdout.count("\n") == 1 and c.stdout.endswith("}\n"), "compact JSON is one line", c)
        expect(c.out == run("build", sample, "--compact", "-f", "json").out, "deterministic")
        with Tmp() as u:
            out = u.path("stack.json")
            expect_rc(run("build", sample, "--compact", "-o", out), 0, "--compact with an OUT ending in .json")
            expect(read(out) == c.out, "-o writes the compact JSON")
            expect_rc(run("build", sample, "--compact", "--check", out), 0, "--check compares the compact form")
            expect_rc(run("build", sample, "-f", "json", "--check", out), 1, "... which differs from the indented one")
            for args, what in ((["--compact"], "YAML to standard output"),
                               (["--compact", "-o", u.path("stack.yaml")], "an OUT ending in .yaml"),
                               (["-f", "yaml", "--compact"], "-f yaml")):
                r = run("build", sample, *args)
                expect_rc(r, 2, "--compact with " + what)
                expect("--compact" in r.stderr and not r.out, "--compact with %s: says why, writes nothing" % what, r)
            expect(not os.path.exists(u.path("stack.yaml")), "nothing written")


@case
def build_non_ascii_bootstrap():
    """A value outside ASCII reaches the node bootstrap: the YAML and the JSON carry it as
    UTF-8, the same in both, and cfn-init's first command gives the script a byte order mark
    (docs/bootstrap.md). An ASCII script gets no such command."""
    with open(os.path.join(SAMPLES, "self-managed-ad.oha"), encoding="utf-8") as f:
        text = f.read()
    ou = "OU=Octopus,OU=Soci\u00e9t\u00e9,OU=\u0150rs\u00e9g,DC=corp,DC=example,DC=com"
    expect("OU=Octopus,OU=Servers," in text, "self-managed-ad.oha sets the OU this test replaces")
    with Tmp() as t:
        f = t.write("accented.oha", text.replace("OU=Octopus,OU=Servers,DC=corp,DC=example,DC=com", ou))
        y = run("build", f)
        expect_rc(y, 0, "build with a non-ASCII OU")
        j = run("build", f, "-f", "json")
        expect_rc(j, 0, "build -f json with a non-ASCII OU")
        doc = json.loads(j.stdout)
        from_yaml = cfn_yaml(y.stdout)["Resources"]   # (cfn_yaml keeps `!GetAtt A.B` dotted)
        expect(from_yaml["NodeBootstrap"] == doc["Resources"]["NodeBootstrap"], "the bootstrap in YAML and JSON")
        def fsx_ou(resources):
            windows = resources["FileSystem"]["Properties"]["WindowsConfiguration"]
            return windows["SelfManagedActiveDirectoryConfiguration"]["OrganizationalUnitDistinguishedName"]
        expect(fsx_ou(from_yaml) == fsx_ou(doc["Resources"]) == ou, "the file system's OU in YAML and JSON")
        init = doc["Resources"]["NodeBootstrap"]["Metadata"]["AWS::CloudFormation::Init"]["config"]
        commands = list(init["commands"])
        expect(commands[0] == "0-byte-order-mark", "the byte order mark comes first: %s" % commands)
        expect("UTF8Encoding" in init["commands"]["0-byte-order-mark"]["command"], "it rewrites as UTF-8")
        script = init["files"]["C:\\octohac\\bootstrap.ps1"]["content"]["Fn::Sub"][0]
        expect("-OUPath '%s'" % ou in script, "the OU is in the script as written")
        plain = json.loads(run("build", os.path.join(SAMPLES, "self-managed-ad.oha"), "-f", "json").stdout)
        plain_cmds = plain["Resources"]["NodeBootstrap"]["Metadata"]["AWS::CloudFormation::Init"]["config"]["commands"]
        expect("0-byte-order-mark" not in plain_cmds, "no byte order mark for an ASCII script")


@case
def build_stdin():
    with open(os.path.join(SAMPLES, "minimal.oha"), "rb") as f:
        text = f.read()
    r = run("build", "-", stdin=text)
    expect_rc(r, 0, "build -")
    expect("Resources" in cfn_yaml(r.stdout), "a template")


@case
def build_errors_write_nothing():
    with Tmp() as t:
        for text in (SYNTAX_ERROR, ONE_NODE):
            f = t.write("bad.oha", text)
            r = run("build", f)
            expect_rc(r, 1, "build with errors")
            expect_no_stdout(r, "build with errors")


@case
def build_output_file():
    with Tmp() as t:
        sample = os.path.join(SAMPLES, "minimal.oha")
        ref = run("build", sample)
        out = t.path("stack.yaml")
        r = run("build", sample, "-o", out)
        expect_rc(r, 0, "-o")
        expect_no_stdout(r, "-o")
        expect(read(out) == ref.out, "OUT holds what stdout would")
        expect(t.listing() == ["stack.yaml"], "no temporary file left: %r" % t.listing())
        jout = t.path("stack.json")
        expect_rc(run("build", sample, "--output", jout), 0, "--output x.json")
        json.loads(read(jout))
        forced = t.path("forced.txt")
        expect_rc(run("build", sample, "-f", "json", "-o", forced), 0, "-f json wins")
        expect(read(forced) == read(jout), "-f json equals .json output")
        yout = t.path("stack.json.yaml")
        expect_rc(run("build", sample, "-o", yout), 0, ".yaml")
        expect(read(yout) == ref.out, "a non-.json extension gives YAML")


@case
def build_output_replaces_atomically():
    with Tmp() as t:
        sample = os.path.join(SAMPLES, "minimal.oha")
        out = t.write("stack.yaml", "old contents\n")
        os.chmod(out, 0o640)
        expect_rc(run("build", sample, "-o", out), 0, "-o over an existing file")
        expect(read(out).startswith(b"# Generated by octohac"), "replaced")
        expect(os.stat(out).st_mode & 0o777 == 0o640, "permission bits kept")
        expect(t.listing() == ["stack.yaml"], "no temporary file left: %r" % t.listing())


@case
def build_unwritable_output():
    with Tmp() as t:
        sample = os.path.join(SAMPLES, "minimal.oha")
        blocker = t.write("file", "I am a file, not a folder\n")
        for out in (os.path.join(blocker, "stack.yaml"), t.path("no/such/dir/stack.yaml")):
            r = run("build", sample, "-o", out)
            expect_rc(r, 2, "unwritable OUT")
            expect_no_stdout(r, "unwritable OUT")
            expect("cannot write" in r.stderr, "message", r)
        os.mkdir(t.path("adir"))
        r = run("build", sample, "-o", t.path("adir"))
        expect_rc(r, 2, "OUT is a folder")
        expect(t.listing() == ["file"], "no file created: %r" % t.listing())
        if os.geteuid() != 0:
            ro = t.path("ro")
            os.mkdir(ro, 0o555)
            r = run("build", sample, "-o", os.path.join(ro, "stack.yaml"))
            expect_rc(r, 2, "read-only folder")
            expect(os.listdir(ro) == [], "nothing created in a read-only folder")


@case
def build_errors_leave_output_untouched():
    with Tmp() as t:
        original = b"# a committed template\nResources: {}\n"
        out = t.write("stack.yaml", original)
        for text in (SYNTAX_ERROR, ONE_NODE):
            f = t.write("bad.oha", text)
            r = run("build", f, "-o", out)
            expect_rc(r, 1, "errors with -o")
            expect_no_stdout(r, "errors with -o")
            expect(read(out) == original, "OUT byte-identical after errors")
        expect(sorted(t.listing()) == ["bad.oha", "stack.yaml"], "no temporary file: %r" % t.listing())


@case
def build_check_output():
    with Tmp() as t:
        sample = os.path.join(SAMPLES, "minimal.oha")
        out = t.path("stack.yaml")
        r = run("build", sample, "--check", out)
        expect_rc(r, 1, "--check with a missing OUT")
        expect(not os.path.exists(out), "--check writes nothing")
        expect_rc(run("build", sample, "-o", out), 0, "-o")
        r = run("build", sample, "--check", out)
        expect_rc(r, 0, "--check up to date")
        expect_no_stdout(r, "--check")
        with open(out, "ab") as f:
            f.write(b"# edited\n")
        stale = read(out)
        r = run("build", sample, "--check", out)
        expect_rc(r, 1, "--check stale")
        expect(out in r.stderr, "names the stale file", r)
        expect(read(out) == stale, "--check never writes")
        jout = t.path("stack.json")
        expect_rc(run("build", sample, "-o", jout), 0, "-o json")
        expect_rc(run("build", sample, "--check", jout), 0, "--check json by extension")
        # the hint repeats every flag that shaped the output: running it makes --check pass
        for flags in (["--cluster", "octopus"], ["-f", "json", "--compact"],
                      ["--stack-policy", t.path("policy.json")]):
            out = t.path("hinted.txt")
            r = run("build", sample, "--check", out, *flags)
            expect_rc(r, 1, "--check %s with a missing OUT" % flags)
            hint = re.search(r"regenerate it with `octohac (build [^`]*)`", r.stderr)
            expect(hint is not None, "a regeneration hint", r)
            args = hint.group(1).split()
            expect(all(f in args for f in flags), "the hint keeps %r: %s" % (flags, hint.group(1)), r)
            expect_rc(run(*args), 0, "the hint runs")
            expect_rc(run("build", sample, "--check", out, *flags), 0, "--check passes after the hint: %s" % flags)
            os.remove(out)


STATEFUL_TYPES = {"AWS::RDS::DBInstance", "AWS::FSx::FileSystem", "AWS::DirectoryService::MicrosoftAD",
                  "AWS::SecretsManager::Secret", "AWS::ElastiCache::ReplicationGroup", "AWS::Logs::LogGroup",
                  "AWS::KMS::Key"}


def is_stateful(rid, resource):
    """Of the SSM parameters only the version record holds state (the agent's configuration does not)."""
    if resource["Type"] == "AWS::SSM::Parameter":
        return rid == "OctopusVersionParameter"
    return resource["Type"] in STATEFUL_TYPES


@case
def build_stack_policy():
    """--stack-policy: Update:Replace and Update:Delete denied on exactly the stateful resources
    of the template (by logical id, in its order), every other update allowed."""
    with Tmp() as t:
        for name, expected in (
                ("shared-queue.oha", ["DatabaseSecret", "DatabaseLoginSecret", "AdminSecret", "MasterKeySecret", "LicenseSecret",
                                      "RedisSecret", "DirectoryAdminSecret", "Directory", "OctopusVersionParameter",
                                      "Database", "FileSystem", "Redis", "MonitoringKey", "NodeLogGroup"]),
                ("existing-vpc.oha", ["AdminSecret", "MasterKeySecret", "OctopusVersionParameter", "FileSystem"])):
            sample = os.path.join(SAMPLES, name)
            out, policy = t.path(name + ".yaml"), t.path(name + ".policy.json")
            r = run("build", sample, "-o", out, "--stack-policy", policy)
            expect_rc(r, 0, "build --stack-policy " + name)
            expect(read(out) == run("build", sample).out, "the template is unchanged by --stack-policy")
            doc = json.loads(read(policy))
            expect(doc == {"Statement": [
                {"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*",
                 "Resource": ["LogicalResourceId/" + rid for rid in expected]},
                {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]},
                "the policy of %s: %r" % (name, doc))
            template = cfn_yaml(read(out).decode("utf-8"))
            stateful = [rid for rid, res in template["Resources"].items() if is_stateful(rid, res)]
            expect(stateful == expected, "every stateful resource of %s is protected: %r" % (name, stateful))
            expect(read(policy).endswith(b"}\n") and b"\t" not in read(policy), "two-space JSON, final newline")
        # to standard output, the policy beside; --check checks both
        policy = t.path("p.json")
        r = run("build", os.path.join(SAMPLES, "minimal.oha"), "--stack-policy", policy)
        expect_rc(r, 0, "--stack-policy with the template on stdout")
        expect(r.out.startswith(b"# Generated by octohac") and os.path.exists(policy), "both written", r)
        stack = t.path("stack.yaml")
        expect_rc(run("build", os.path.join(SAMPLES, "minimal.oha"), "-o", stack), 0, "-o")
        expect_rc(run("build", os.path.join(SAMPLES, "minimal.oha"), "--check", stack, "--stack-policy", policy), 0,
                  "--check with an up-to-date policy")
        stale = t.write("stale.json", "{}\n")
        r = run("build", os.path.join(SAMPLES, "minimal.oha"), "--check", stack, "--stack-policy", stale)
        expect_rc(r, 1, "--check with a stale policy")
        expect(stale in r.stderr and read(stale) == b"{}\n", "names the stale policy, writes nothing", r)
        r = run("build", os.path.join(SAMPLES, "minimal.oha"), "-o", stack, "--stack-policy", stack)
        expect_rc(r, 2, "the policy and the template in one file")
        # one file written two ways: the policy would replace the template (or the source)
        before = read(stack)
        os.mkdir(t.path("sub"))
        for spelt in (os.path.join(os.path.dirname(stack), ".", "stack.yaml"),
                      os.path.join(t.path("sub"), "..", "stack.yaml")):
            for mode in ("-o", "--check"):
                r = run("build", os.path.join(SAMPLES, "minimal.oha"), mode, stack, "--stack-policy", spelt)
                expect_rc(r, 2, "the policy and the template in one file, written %s" % spelt)
                expect("one file" in r.stderr and read(stack) == before, "refused, nothing written", r)
        source = t.write("src.oha", read(os.path.join(SAMPLES, "minimal.oha")).decode("utf-8"))
        r = run("build", source, "--stack-policy", os.path.join(t.path("sub"), "..", "src.oha"))
        expect_rc(r, 2, "the policy over the source")
        expect(read(source) == read(os.path.join(SAMPLES, "minimal.oha")), "the source kept", r)
        fresh = t.path("fresh.yaml")
        r = run("build", os.path.join(SAMPLES, "minimal.oha"), "-o", fresh, "--stack-policy", "./" + os.path.relpath(fresh))
        expect_rc(r, 2, "a template and a policy not yet written, one spelt relative")
        expect(not os.path.exists(fresh), "nothing written", r)


@case
def build_stack_policy_failed_build_writes_neither():
    with Tmp() as t:
        policy, stack = t.path("policy.json"), t.path("stack.yaml")
        for text in (SYNTAX_ERROR, ONE_NODE, WARNING_ONLY):
            f = t.write("bad.oha", text)
            extra = ["--werror"] if text is WARNING_ONLY else []
            for args in (["-o", stack], []):
                r = run("build", f, *args, "--stack-policy", policy, *extra)
                expect_rc(r, 1, "a failed build with --stack-policy")
                expect_no_stdout(r, "a failed build with --stack-policy")
                expect(t.listing() == ["bad.oha"], "neither file written: %r" % t.listing())
        # an unwritable policy: the template is not written either
        sample = os.path.join(SAMPLES, "minimal.oha")
        for args in (["-o", stack], []):
            r = run("build", sample, *args, "--stack-policy", t.path("no/such/dir/policy.json"))
            expect_rc(r, 2, "an unwritable policy")
            expect_no_stdout(r, "an unwritable policy")
            expect("cannot write" in r.stderr and "policy.json" in r.stderr, "names the policy", r)
            expect(t.listing() == ["bad.oha"], "no template without its policy: %r" % t.listing())
        # an unwritable template: an existing policy is left untouched
        old = t.write("policy.json", "old\n")
        r = run("build", sample, "-o", t.path("no/such/dir/stack.yaml"), "--stack-policy", old)
        expect_rc(r, 2, "an unwritable template")
        expect(read(old) == b"old\n", "the policy untouched when the template cannot be written", r)
        expect(t.listing() == ["bad.oha", "policy.json"], "no temporary file: %r" % t.listing())


@case
def operations_empty_tag():
    """A tag with an empty value (OH4011) stays on the cluster's resources and is left off the
    operations template's documents, whose schema refuses it; the build succeeds."""
    with Tmp() as t:
        t.write("c.oha", MINIMAL.rstrip().rstrip("}") + '  tags { owner = "", team = "platform" }\n}\n')
        r = run("build", "c.oha", "--operations", "-f", "json", cwd=t.dir)
        expect_rc(r, 0, "build --operations")
        expect("warning[OH4011]" in r.stderr and "--> c.oha:4:18" in r.stderr, "OH4011 at the value", r)
        ops = json.loads(r.stdout)
        docs = [x for x in ops["Resources"].values() if x["Type"] == "AWS::SSM::Document"]
        expect(docs and all([tag["Key"] for tag in d["Properties"]["Tags"]] == ["team", "octohac:cluster"]
                            for d in docs), "the documents go without `owner`", r)
        main = json.loads(run("build", "c.oha", "-f", "json", cwd=t.dir).stdout)
        expect({"Key": "owner", "Value": ""} in main["Resources"]["Vpc"]["Properties"]["Tags"],
               "the cluster's resources keep it")


@case
def build_operations():
    """--operations: the operations template instead of the main one, with every output option;
    a failed build writes nothing; --stack-policy is refused; the main template is unchanged."""
    sample = os.path.join(SAMPLES, "production.oha")
    with Tmp() as t:
        r = run("build", sample, "--operations")
        expect_rc(r, 0, "build --operations")
        yaml_text = r.stdout
        for needle in ("AWS::SSM::Document", "AutomationRole", "ClusterStack", "UpgradeCommand",
                       "aws ssm start-automation-execution"):
            expect(needle in yaml_text, "the operations template has %s" % needle, r)
        expect("AWS::EC2::Instance" not in yaml_text, "no resource of the main template", r)
        expect(run("build", sample).out != r.out, "the main template is another one")
        j = run("build", sample, "--operations", "-f", "json")
        expect_rc(j, 0, "--operations -f json")
        doc = json.loads(j.out)
        expect(doc["Parameters"]["ClusterStack"]["Type"] == "String", "ClusterStack parameter", j)
        c = run("build", sample, "--operations", "-f", "json", "--compact")
        expect_rc(c, 0, "--operations --compact")
        expect(json.loads(c.out) == doc and c.out.count(b"\n") == 1 and len(c.out) < len(j.out),
               "the compact JSON is the same document on one line", c)
        out = t.path("ops.json")
        expect_rc(run("build", sample, "--operations", "-o", out), 0, "--operations -o x.json")
        expect(read(out) == j.out, "-o writes the JSON the extension asks for")
        expect_rc(run("build", sample, "--operations", "--check", out), 0, "--check of a current file")
        stale = t.write("stale.json", "{}\n")
        r = run("build", sample, "--operations", "--check", stale)
        expect_rc(r, 1, "--check of a stale file")
        expect("--operations" in r.stderr, "the regeneration hint repeats --operations", r)
        r = run("build", sample, "--operations", "--stack-policy", t.path("policy.json"))
        expect_rc(r, 2, "--operations with --stack-policy")
        expect_no_stdout(r, "--operations with --stack-policy")
        expect("--stack-policy" in r.stderr, "names the option", r)
        expect(not os.path.exists(t.path("policy.json")), "no policy written", r)
        for text in (SYNTAX_ERROR, ONE_NODE, WARNING_ONLY):
            f = t.write("bad.oha", text)
            extra = ["--werror"] if text is WARNING_ONLY else []
            for args in (["-o", t.path("bad-ops.yaml")], []):
                r = run("build", f, "--operations", *args, *extra)
                expect_rc(r, 1, "a failed --operations build")
                expect_no_stdout(r, "a failed --operations build")
                expect(not os.path.exists(t.path("bad-ops.yaml")), "nothing written", r)


@case
def build_cluster_selection():
    with Tmp() as t:
        f = t.write("two.oha", TWO_CLUSTERS)
        r = run("build", f)
        expect_rc(r, 2, "several clusters and none named")
        expect_no_stdout(r, "several clusters")
        expect("alpha" in r.stderr and "beta" in r.stderr, "lists the names", r)
        r = run("build", f, "--cluster", "beta")
        expect_rc(r, 0, "--cluster beta")
        expect("beta" in r.stdout, "the template is beta's", r)
        r = run("build", f, "--cluster", "bta")
        expect_rc(r, 2, "unknown cluster")
        expect("did you mean `beta`" in r.stderr, "did you mean", r)
        empty = t.write("empty.oha", "# nothing here\n")
        expect_rc(run("build", empty), 2, "no cluster at all")
        expect_rc(run("check", f), 0, "check takes every cluster")


# ---------------------------------------------------------------- explain

@case
def explain():
    r = run("explain", "OH2003")
    expect_rc(r, 0, "explain OH2003")
    expect(r.stdout.startswith("OH2003 (error): "), "title line", r)
    expect(len(r.stdout.splitlines()) > 3, "why and an example", r)
    expect(run("explain", "oh2003").out == r.out, "codes are case-insensitive")
    r = run("explain", "OH9999")
    expect_rc(r, 2, "unknown code")
    expect_no_stdout(r, "unknown code")
    r = run("explain", "OH203")
    expect_rc(r, 2, "misspelt code")


# ---------------------------------------------------------------- diagnostics formats

def error_and_warning_files(t):
    return [t.write("a/bad.oha", SYNTAX_ERROR), t.write("b/one.oha", ONE_NODE), t.write("c/warn.oha", WARNING_ONLY),
            t.write("d/two.oha", TWO_CLUSTERS)]


@case
def format_json():
    with Tmp() as t:
        files = error_and_warning_files(t)
        r = run("check", "--format", "json", *files)
        expect_rc(r, 1, "json with errors")
        doc = json.loads(r.stdout)
        expect(doc["version"] == 1 and doc["files"] == 4, "header", r)
        diags = doc["diagnostics"]
        expect(doc["errors"] == sum(d["severity"] == "error" for d in diags), "error count")
        expect(doc["warnings"] == sum(d["severity"] == "warning" for d in diags), "warning count")
        keys = {"code", "severity", "message", "file", "line", "column", "end_line", "end_column", "help", "notes"}
        for d in diags:
            expect(set(d) == keys, "diagnostic keys %r" % sorted(d))
            expect(re.fullmatch(r"OH\d{4}", d["code"]), "code")
            expect(d["severity"] in ("error", "warning", "note"), "severity")
            for n in d["notes"]:
                expect(set(n) == {"message", "file", "line", "column"}, "note keys %r" % sorted(n))
        syntax = [d for d in diags if d["code"] == "OH0004"]
        expect(syntax and syntax[0]["file"] == files[0] and (syntax[0]["line"], syntax[0]["column"]) == (3, 19),
               "OH0004 at 3:19: %r" % syntax)
        expect(any(d["code"] == "OH2001" for d in diags), "OH2001 present")
        expect(r.err == b"", "json prints no summary on stderr", r)
        clean = json.loads(run("check", "--format", "json", os.path.join(SAMPLES, "minimal.oha")).stdout)
        expect(clean["errors"] == 0, "a clean file")


def sarif_structure(doc):
    """The SARIF 2.1.0 rules octohac relies on, from the spec, beyond what the schema says."""
    expect(doc["version"] == "2.1.0" and len(doc["runs"]) == 1, "one run of 2.1.0")
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    expect(len(ids) == len(set(ids)), "rule ids unique")
    for rule in rules:
        expect(rule["fullDescription"]["text"], "fullDescription for %s" % rule["id"])
        expect(rule["shortDescription"]["text"], "shortDescription for %s" % rule["id"])
    for res in run_["results"]:
        expect(res["ruleId"] in ids, "every ruleId has a rule")
        expect(ids[res["ruleIndex"]] == res["ruleId"], "ruleIndex points at its rule")
        expect(res["level"] in ("error", "warning", "note"), "level")
        region = res["locations"][0]["physicalLocation"]["region"]
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            expect(isinstance(region.get(key), int) and region[key] >= 1, "region.%s" % key)
        expect((region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"]),
               "the region ends after it starts")
    used = {res["ruleId"] for res in run_["results"]}
    expect(used == set(ids), "rules are exactly the codes used")


@case
def format_sarif():
    import jsonschema
    with Tmp() as t:
        files = error_and_warning_files(t)
        r = run("check", "--format", "sarif", *files)
        expect_rc(r, 1, "sarif with errors")
        doc = json.loads(r.stdout)
        with open(SARIF_SCHEMA) as f:
            schema = json.load(f)
        jsonschema.Draft4Validator.check_schema(schema)
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(doc))
        expect(not errors, "valid against the SARIF 2.1.0 schema: %s" % "; ".join(e.message for e in errors[:5]))
        sarif_structure(doc)
        results = doc["runs"][0]["results"]
        syntax = [res for res in results if res["ruleId"] == "OH0004"]
        region = syntax[0]["locations"][0]["physicalLocation"]["region"]
        expect((region["startLine"], region["startColumn"]) == (3, 19), "OH0004 region %r" % region)
        uri = syntax[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        expect(uri == "file://" + files[0], "absolute paths become file URIs: %r" % uri)
        # A broken document must fail the same validation, so the check can fail.
        broken = json.loads(r.stdout)
        broken["runs"][0]["results"][0]["level"] = "fatal"
        expect(list(jsonschema.Draft4Validator(schema).iter_errors(broken)), "the schema catches a bad level")
    clean = run("check", "--format", "sarif", os.path.join(SAMPLES, "production.oha"))
    expect_rc(clean, 0, "sarif of a clean sample")
    clean_doc = json.loads(clean.stdout)
    expect(not list(jsonschema.Draft4Validator(schema).iter_errors(clean_doc)), "a clean report is valid SARIF")
    sarif_structure(clean_doc)
    rel = run("check", "--format", "sarif", "-", stdin=SYNTAX_ERROR.encode())
    loc = json.loads(rel.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    expect(loc["artifactLocation"]["uri"] == "%3Cstdin%3E", "<stdin> percent-encoded: %r" % loc)


@case
def format_github():
    with Tmp() as t:
        files = error_and_warning_files(t)
        r = run("check", "--format", "github", *files)
        expect_rc(r, 1, "github with errors")
        line_re = re.compile(r"::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),endLine=(\d+),"
                             r"endColumn=(\d+),title=(OH\d{4})::(.+)")
        lines = r.stdout.splitlines()
        expect(lines, "annotations printed", r)
        for line in lines:
            expect(line_re.fullmatch(line), "annotation syntax: %r" % line)
        first = [m for m in map(line_re.fullmatch, lines) if m.group(7) == "OH0004"][0]
        expect(first.group(1) == "error" and first.group(2) == files[0], "OH0004 on the right file")
        expect((first.group(3), first.group(4)) == ("3", "19"), "OH0004 at 3:19")
        expect(any(m.group(1) == "warning" for m in map(line_re.fullmatch, lines)), "a warning annotation")
    # The escaping of `%`, CR, LF, `:` and `,` is tested exactly in tests/cli/test_util.c.


@case
def format_junit():
    with Tmp() as t:
        files = error_and_warning_files(t)
        r = run("check", "--format", "junit", *files)
        expect_rc(r, 1, "junit with errors")
        root = ET.fromstring(r.out)
        expect(root.tag == "testsuites", "root element")
        suites = root.findall("testsuite")
        expect([s.get("name") for s in suites] == files, "one testsuite per file, in order")
        two = suites[3]
        expect([c.get("name") for c in two.findall("testcase")] == ["alpha", "beta"], "one testcase per cluster")
        one = suites[1].findall("testcase")
        failures = [f for c in one for f in c.findall("failure")]
        expect(any(f.get("type") == "OH2001" for f in failures), "OH2001 failure")
        syntax = suites[0].find("testcase").find("failure")
        expect(syntax.get("type") == "OH0004" and syntax.get("line") == "3" and syntax.get("column") == "19",
               "failure carries code, line and column")
        total = sum(int(s.get("failures")) for s in suites)
        expect(int(root.get("failures")) == total, "failure totals add up")
        expect(all(s.get("failures") == "0" for s in suites[2:]), "warnings are not failures")
        skipped = suites[0].findall("testcase")[1]
        expect(skipped.get("name") == "octopus" and skipped.find("skipped") is not None,
               "a cluster of a file with syntax errors is skipped, not passed")


@case
def format_short_and_human():
    with Tmp() as t:
        f = t.write("bad.oha", SYNTAX_ERROR)
        short = run("check", "--format", "short", f)
        human = run("check", "--format", "human", f)
        default = run("check", f)
        expect(short.rc == human.rc == default.rc == 1, "exit 1", short)
        expect(human.err == default.err, "human is the default")
        expect(len(short.stderr.splitlines()) == 2, "one line per diagnostic plus the summary", short)
        expect_no_stdout(short, "short")


# ---------------------------------------------------------------- fmt

@case
def fmt_modes():
    with Tmp() as t:
        f = t.write("messy.oha", UNFORMATTED)
        printed = run("fmt", f)
        expect_rc(printed, 0, "fmt prints")
        expect(printed.out != UNFORMATTED.encode(), "the layout changed", printed)
        expect(read(f) == UNFORMATTED.encode(), "fmt without --write does not touch the file")
        r = run("fmt", "--check", f)
        expect_rc(r, 1, "fmt --check on a messy file")
        expect(r.stdout.strip() == f, "names the file", r)
        r = run("fmt", "--write", f)
        expect_rc(r, 0, "fmt --write")
        expect(read(f) == printed.out, "--write writes what fmt prints")
        expect(t.listing() == ["messy.oha"], "no temporary file: %r" % t.listing())
        r = run("fmt", "--check", f)
        expect_rc(r, 0, "fmt --check after --write")
        expect_no_stdout(r, "clean --check")
        expect(run("fmt", f).out == read(f), "idempotent")
        expect_rc(run("fmt", "-", stdin=UNFORMATTED.encode()), 0, "fmt -")
        expect_rc(run("fmt", "--write", "-", stdin=b""), 2, "--write on stdin")
        bad = t.write("bad.oha", SYNTAX_ERROR)
        r = run("fmt", "--write", bad)
        expect_rc(r, 1, "fmt of a syntax error")
        expect(read(bad) == SYNTAX_ERROR.encode(), "left alone")
        expect_rc(run("fmt", t.path("missing.oha")), 2, "fmt of a missing file")


# ---------------------------------------------------------------- graph

@case
def graph_formats():
    sample = os.path.join(SAMPLES, "production.oha")
    r = run("graph", sample)
    expect_rc(r, 0, "graph")
    expect(r.stdout.lstrip().startswith(("digraph", "graph", "strict")), "DOT by default", r)
    expect(run("graph", sample, "--format", "dot").out == r.out, "--format dot is the default")
    m = run("graph", sample, "--format", "mermaid")
    expect_rc(m, 0, "mermaid")
    expect(m.stdout.lstrip().startswith(("flowchart", "graph")), "Mermaid flowchart", m)
    with Tmp() as t:
        f = t.write("two.oha", TWO_CLUSTERS)
        expect_rc(run("graph", f), 2, "graph with several clusters")
        expect_rc(run("graph", f, "--cluster", "alpha"), 0, "graph --cluster")
        bad = t.write("bad.oha", ONE_NODE.replace("count = 1", "count = many"))
        r = run("graph", bad)
        expect_rc(r, 1, "graph of an invalid file")
        expect_no_stdout(r, "graph of an invalid file")


# ---------------------------------------------------------------- plan

PLAN_OLD_YAML = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Ami:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      Tags:
      - Key: name
        Value: !Sub "${Vpc}-a"
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: vpc-1
      ServiceName: com.amazonaws.us-east-1.s3
      DnsOptions:
        DnsRecordIpType: ipv4
        PrivateDnsPreference: ALL_DOMAINS
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub "group of ${Subnet}"
      VpcId: vpc-1
"""


def plan_json(t, old, new, *extra):
    r = run("plan", old, new, "--format", "json", *extra, cwd=t.dir)
    return r, (json.loads(r.stdout) if r.rc in (0, 1) else None)


@case
def plan_usage():
    with Tmp() as t:
        f = t.write("a.oha", MINIMAL)
        for args in (["plan"], ["plan", f], ["plan", f, f, f], ["plan", f, f, "--format", "sarif"],
                     ["plan", f, f, "--color", "sometimes"], ["plan", f, t.path("missing.yaml")],
                     ["plan", f, t.path("missing.oha")]):
            r = run(*args)
            expect_rc(r, 2, " ".join(args))
            expect_no_stdout(r, " ".join(args))
        t.write("bad.yaml", "Resources: [unclosed\n")
        t.write("notcfn.json", '{"a": 1}')
        t.write("broken.oha", 'cluster "x" {\n  nodes { count = "three" }\n}\n')
        for other in ("bad.yaml", "notcfn.json", "broken.oha"):
            r = run("plan", f, t.path(other))
            expect_rc(r, 2, "plan with " + other)
            expect_no_stdout(r, "plan with " + other)
        r = run("plan", f, t.path("bad.yaml"))
        expect("YAML error at line" in r.stderr, "the YAML error is reported", r)


@case
def plan_no_change():
    with Tmp() as t:
        f = t.write("a.oha", MINIMAL)
        for fmt in ("yaml", "json"):
            expect_rc(run("build", f, "-o", t.path("a." + fmt)), 0, "build " + fmt)
            r, doc = plan_json(t, "a." + fmt, "a.oha")
            expect_rc(r, 0, "plan of the built template against its .oha")
            expect(doc["resources"] == [] and doc["findings"] == [] and doc["version"] == 1, "no change", r)
        r = run("plan", "a.yaml", "a.json", cwd=t.dir)
        expect_rc(r, 0, "yaml against json")
        expect("No changes" in r.stdout, "human says no changes", r)


@case
def plan_yaml_short_forms_and_propagation():
    with Tmp() as t:
        t.write("old.yaml", PLAN_OLD_YAML)
        t.write("same.yaml", PLAN_OLD_YAML)
        r, doc = plan_json(t, "old.yaml", "same.yaml")
        expect_rc(r, 0, "a template against itself")
        expect(doc["resources"] == [], "no change", r)
        # a new VPC CIDR: the VPC is replaced, the subnet through !Ref, !GetAtt and !Sub, the
        # security group through the subnet's id in !Sub (GroupDescription is create-only)
        t.write("new.yaml", PLAN_OLD_YAML.replace("CidrBlock: 10.0.0.0/16", "CidrBlock: 10.1.0.0/16"))
        r, doc = plan_json(t, "old.yaml", "new.yaml")
        expect_rc(r, 0, "no stateful resource: exit 0")
        actions = {res["id"]: res["action"] for res in doc["resources"]}
        expect(actions == {"Vpc": "replace", "Subnet": "replace", "Sg": "replace"}, "propagation: %r" % actions, r)
        subnet = next(res for res in doc["resources"] if res["id"] == "Subnet")
        paths = {c["path"]: (c["effect"], c["because_replaced"]) for c in subnet["changes"]}
        expect(paths["Properties.VpcId"] == ("replace", "Vpc"), "the Ref is the cause", r)
        expect(paths["Properties.Tags[0].Value"] == ("update", "Vpc"), "the Sub in a tag updates", r)
        # nested paths compare exactly: DnsOptions.DnsRecordIpType is not create-only, its
        # sibling PrivateDnsPreference is
        t.write("dns.yaml", PLAN_OLD_YAML.replace("DnsRecordIpType: ipv4", "DnsRecordIpType: dualstack"))
        r, doc = plan_json(t, "old.yaml", "dns.yaml")
        expect([(x["id"], x["action"]) for x in doc["resources"]] == [("Endpoint", "update")], "sibling", r)
        t.write("pref.yaml", PLAN_OLD_YAML.replace("ALL_DOMAINS", "SPECIFIED_DOMAINS"))
        r, doc = plan_json(t, "old.yaml", "pref.yaml")
        expect([(x["id"], x["action"]) for x in doc["resources"]] == [("Endpoint", "replace")], "nested", r)
        expect(doc["resources"][0]["changes"][0]["path"] == "Properties.DnsOptions.PrivateDnsPreference", "path", r)


@case
def plan_exit_and_formats():
    with Tmp() as t:
        f = t.write("a.oha", MINIMAL)
        expect_rc(run("build", f, "-o", t.path("a.yaml")), 0, "build")
        t.write("b.oha", MINIMAL.replace("corp.example.com", "corp2.example.com"))
        r, doc = plan_json(t, "a.yaml", "b.oha")
        expect_rc(r, 1, "a directory replacement is an error")
        codes = [x["code"] for x in doc["findings"]]
        expect("OH6001" in codes, "OH6001: %r" % codes, r)
        loc = next(x["location"] for x in doc["findings"] if x["code"] == "OH6001")
        expect(loc and loc["file"] == "b.oha" and loc["line"] >= 1, "points at the .oha line", r)
        r = run("plan", "a.yaml", "b.oha", "--format", "markdown", cwd=t.dir)
        expect_rc(r, 1, "markdown exit")
        expect(r.stdout.startswith("### octohac plan:") and "| replace | `Directory` |" in r.stdout, "markdown", r)
        # a hand-written template's id and type stay in their cells
        t.write("p1.json", '{"Resources": {"A|B": {"Type": "X|\\nY", "Properties": {"N": 1}}}}')
        t.write("p2.json", '{"Resources": {"A|B": {"Type": "X|\\nY", "Properties": {"N": 2}}}}')
        r = run("plan", "p1.json", "p2.json", "--format", "markdown", cwd=t.dir)
        row = [line for line in r.stdout.splitlines() if line.startswith("| may be replaced ")]
        expect(row == ["| may be replaced | `A\\|B` | `X\\| Y` | `Properties.N`: may be replaced |"], "escaped cells: %r" % row, r)
        # ... and in the human form their control characters are shown, not sent to the terminal
        t.write("e1.json", '{"Resources": {"A\\u001b[2J": {"Type": "X\\u0007", "Properties": {"N\\n": 1}}}}')
        t.write("e2.json", '{"Resources": {"A\\u001b[2J": {"Type": "X\\u0007", "Properties": {"N\\n": 2}}}}')
        r = run("plan", "e1.json", "e2.json", "--color", "never", cwd=t.dir)
        expect("\033" not in r.stdout and "\007" not in r.stdout and "A\\x1B[2J  X\\x07" in r.stdout
               and "Properties.N\\x0A: may be replaced" in r.stdout, "control characters escaped", r)
        r = run("plan", "a.yaml", "b.oha", "--color", "always", cwd=t.dir)
        expect("\033[" in r.stdout, "--color always colours", r)
        r = run("plan", "a.yaml", "b.oha", "--color", "never", cwd=t.dir)
        expect("\033[" not in r.stdout and "error[OH6001]" in r.stdout, "--color never", r)


PLAN_NAMED = """Resources:
  Web:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Name: octopus-web
      Port: 80
      Protocol: HTTP
      VpcId: vpc-1
"""


@case
def plan_removed_and_fixed_name():
    with Tmp() as t:
        t.write("a.oha", MINIMAL)
        t.write("b.oha", MINIMAL.replace('directory { create = true, domain = "corp.example.com" }',
                                         'directory {\n    id = "d-1234567890"\n    domain = "corp.example.com"\n'
                                         '    dns_ips = [10.0.0.10, 10.0.1.10]\n  }'))
        r, doc = plan_json(t, "a.oha", "b.oha")
        expect_rc(r, 1, "removing the managed directory")
        removed = {x["id"] for x in doc["resources"] if x["action"] == "remove"}
        expect({"Directory", "DirectoryAdminSecret"} <= removed, "removed: %r" % removed, r)
        # both are kept (DeletionPolicy Retain: the kept file system needs its directory): OH6009
        kept = [x for x in doc["findings"] if x["code"] == "OH6009"]
        expect(len(kept) == 2 and all(x["location"]["file"] == "a.oha" for x in kept),
               "OH6009 at the old file's lines: %r" % kept, r)
        r = run("plan", "a.oha", "b.oha", "--color", "never", cwd=t.dir)
        expect(re.search(r"warning\[OH6009\]: `Directory` leaves the stack.*\n +--> a\.oha:2:3\n", r.stdout),
               "span", r)
        t.write("named.yaml", PLAN_NAMED)
        t.write("port.yaml", PLAN_NAMED.replace("Port: 80", "Port: 8080"))
        t.write("renamed.yaml", PLAN_NAMED.replace("Port: 80", "Port: 8080").replace("octopus-web", "octopus-web2"))
        r, doc = plan_json(t, "named.yaml", "port.yaml")
        expect_rc(r, 1, "a named target group replaced under its name")
        expect([x["code"] for x in doc["findings"]] == ["OH6005"] and doc["findings"][0]["location"] is None,
               "OH6005 without a .oha location", r)
        r, doc = plan_json(t, "named.yaml", "renamed.yaml")
        expect_rc(r, 0, "a new name does not collide")
        expect(doc["resources"][0]["action"] == "replace" and doc["findings"] == [], "replaced, no finding", r)


@case
def source_locations():
    """Where each resource comes from is one table in the template's metadata, not a Metadata
    entry per resource: a line added at the top of the file changes no resource (a change set
    would list every resource whose Metadata changed as modified). plan still reads the
    per-resource `Metadata.octohac.source` of templates built before the table."""
    with Tmp() as t:
        t.write("a.oha", MINIMAL)
        t.write("b.oha", "# a comment moves every line down\n" + MINIMAL)
        a = json.loads(run("build", "a.oha", "-f", "json", cwd=t.dir).stdout)
        b = json.loads(run("build", "b.oha", "-f", "json", cwd=t.dir).stdout)
        expect(a["Resources"] == b["Resources"], "moving the lines changes no resource")
        where = a["Metadata"]["octohac"]["locations"]
        expect(list(where) == ["a.oha"] and where["a.oha"]["Directory"] == "2:3"
               and set(where["a.oha"]) == set(a["Resources"]), "every resource located: %r" % where)
        expect(all("octohac" not in r.get("Metadata", {}) for r in a["Resources"].values()),
               "no per-resource octohac metadata")
        r, doc = plan_json(t, "a.oha", "b.oha")
        expect_rc(r, 0, "a moved line is no change")
        expect(doc["resources"] == [] and doc["findings"] == [], "nothing changes", r)
        old = {"Resources": {"Web": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                                     "Metadata": {"octohac": {"source": "old.oha:7:3"}},
                                     "Properties": {"Port": 80, "Protocol": "HTTP", "VpcId": "vpc-1"}}}}
        t.write("old.json", json.dumps(old))
        t.write("empty.json", json.dumps({"Resources": {}}))
        r, doc = plan_json(t, "old.json", "empty.json")
        removed = [x for x in doc["resources"] if x["id"] == "Web"]
        expect(len(removed) == 1 and removed[0]["action"] == "remove" and removed[0]["source"] == "old.oha:7:3",
               "the old per-resource source is read: %r" % removed, r)


@case
def plan_new_image():
    """A new `nodes.ami` replaces every node in one update (OH6006); the help points at patching
    in place with PatchNodes, since one image serves every node and the update cannot be split."""
    with Tmp() as t:
        old = MINIMAL.rstrip().rstrip("}") + '  nodes { ami = "ami-0123456789abcdef0" }\n}\n'
        t.write("a.oha", old)
        t.write("b.oha", old.replace("ami-0123456789abcdef0", "ami-0fedcba9876543210"))
        r, doc = plan_json(t, "a.oha", "b.oha")
        expect_rc(r, 0, "warnings only")
        found = [x for x in doc["findings"] if x["code"] == "OH6006"]
        expect(len(found) == 1 and "PatchNodes" in found[0]["help"]
               and found[0]["notes"] == ["because `Properties.ImageId` changes: replace"], "OH6006: %r" % found, r)
        t.write("c.oha", old.replace("nodes {", "nodes { instance = m6i.2xlarge,"))
        r, doc = plan_json(t, "a.oha", "c.oha")
        found = [x for x in doc["findings"] if x["code"] == "OH6007"]
        expect(len(found) == 1 and "two updates" in found[0]["help"] and "PatchNodes" not in found[0]["help"],
               "another cause keeps the two-updates help: %r" % found, r)


@case
def plan_malformed_metadata():
    """A resource whose Metadata is not a mapping is compared whole (fuzz_plan found the
    mapping walk reading a list's items as keys)."""
    with Tmp() as t:
        t.write("list.yaml", "Resources:\n  A:\n    Type: X\n    Metadata: [1, 2]\n")
        t.write("map.yaml", "Resources:\n  A:\n    Type: X\n    Metadata: {k: 1}\n")
        for old, new in (("list.yaml", "map.yaml"), ("map.yaml", "list.yaml")):
            r, doc = plan_json(t, old, new)
            expect_rc(r, 0, "plan %s %s" % (old, new))
            expect([c["path"] for c in doc["resources"][0]["changes"]] == ["Metadata"], "Metadata changes", r)
        r, doc = plan_json(t, "list.yaml", "list.yaml")
        expect_rc(r, 0, "a list against itself")
        expect(doc["resources"] == [], "no change", r)


@case
def plan_scaling():
    """Scaling in warns that the node goes without draining (OH6010), pointing at the `nodes`
    block of the old file, and in per-node polling mode names the polling address its tentacles
    lose; scaling out in per-node polling mode is a note (OH6011) that does not change the exit
    status; scaling out without per-node polling says nothing."""
    with Tmp() as t:
        with open(os.path.join(SAMPLES, "polling.oha"), encoding="utf-8") as f:
            text = f.read()
        t.write("p3.oha", text)
        t.write("p2.oha", re.sub(r"count\s*=\s*3", "count = 2", text, count=1))
        r, doc = plan_json(t, "p3.oha", "p2.oha")
        expect_rc(r, 0, "a warning only")
        found = [x for x in doc["findings"] if x["code"] == "OH6010"]
        expect(len(found) == 1 and found[0]["severity"] == "warning" and "`Node3` is removed" in found[0]["message"]
               and found[0]["location"]["file"] == "p3.oha" and "PollingAddress3" in found[0]["notes"][0]
               and "RemoveNode" in found[0]["help"], "OH6010 for node 3: %r" % found, r)
        r, doc = plan_json(t, "p2.oha", "p3.oha")
        expect_rc(r, 0, "a note does not fail the plan")
        expect([(x["code"], x["severity"]) for x in doc["findings"]] == [("OH6011", "note")]
               and "PollingAddress3" in doc["findings"][0]["help"], "OH6011 for node 3", r)
        t.write("m.oha", MINIMAL)
        m3 = MINIMAL.rstrip().rstrip("}") + "  nodes { count = 3 }\n}\n"
        t.write("m3.oha", m3)
        r, doc = plan_json(t, "m.oha", "m3.oha")
        expect_rc(r, 0, "scaling out")
        expect(doc["findings"] == [], "no finding without per-node polling", r)
        r, doc = plan_json(t, "m3.oha", "m.oha")
        expect([x["code"] for x in doc["findings"]] == ["OH6010"] and doc["findings"][0]["notes"] == [],
               "OH6010 without the polling note", r)


@case
def plan_and_stack_policy_agree():
    """`plan` reports the removal of exactly the stateful resources the stack policy protects:
    switching the production sample's alerts off removes the log group and its key, which are
    kept (DeletionPolicy Retain), so each is OH6009's warning rather than OH6003's error (exit
    0), and they are the resources `--stack-policy` denies Update:Delete on."""
    sample = os.path.join(SAMPLES, "production.oha")
    with Tmp() as t, open(sample, encoding="utf-8") as f:
        quiet, n = re.subn(r"(?m)^  alerts \{.*\}$", "  alerts { enabled = false }", f.read())
        expect(n == 1, "production.oha has one `alerts` line to switch off")
        t.write("quiet.oha", quiet)
        r, doc = plan_json(t, sample, "quiet.oha")
        expect_rc(r, 0, "a removal that keeps the resources is not destructive")
        kept = sorted(re.match(r"`(\w+)`", x["message"]).group(1) for x in doc["findings"] if x["code"] == "OH6009")
        expect(kept == ["MonitoringKey", "NodeLogGroup"], "OH6009 for the log group and its key: %r" % kept, r)
        expect(all(x["severity"] == "warning" for x in doc["findings"]), "no error finding", r)
        policy = t.path("policy.json")
        expect_rc(run("build", sample, "-o", t.path("stack.yaml"), "--stack-policy", policy), 0, "build")
        denied = {x.split("/")[1] for x in json.loads(read(policy))["Statement"][0]["Resource"]}
        gone = {x["id"] for x in doc["resources"] if x["action"] == "remove"}
        expect(gone & denied == set(kept), "the policy denies deleting what plan reports: %r" % (gone & denied), r)
        # the same removal from a template whose resources are not kept is OH6003's error
        with open(t.path("stack.yaml"), encoding="utf-8") as g:
            deleting = g.read().replace("DeletionPolicy: Retain", "DeletionPolicy: Delete")
        t.write("deleting.yaml", deleting)
        r, doc = plan_json(t, "deleting.yaml", "quiet.oha")
        expect_rc(r, 1, "removing stateful resources that are deleted")
        lost = sorted(re.match(r"`(\w+)`", x["message"]).group(1) for x in doc["findings"] if x["code"] == "OH6003")
        expect(lost == ["MonitoringKey", "NodeLogGroup"], "OH6003 for the deleted ones: %r" % lost, r)

# ---------------------------------------------------------------- docs, completion, hooks, install

def long_flags(command):
    r = run("help", command)
    return sorted(set(re.findall(r"(--[a-z][a-z-]*)", r.stdout)))


@case
def explain_list():
    r = run("explain", "--list")
    expect_rc(r, 0, "explain --list")
    lines = r.stdout.splitlines()
    expect(len(lines) > 50, "every code is listed", r)
    for line in lines:
        expect(re.fullmatch(r"OH\d{4}\t(error|warning|note)\t\S.*", line), "line format: %r" % line)
    codes = [line.split("\t")[0] for line in lines]
    expect("OH2003" in codes and "OH5001" in codes, "known codes listed")
    for code in codes:
        expect_rc(run("explain", code), 0, "explain %s" % code)
    expect_rc(run("explain", "--list", "OH2003"), 2, "--list with a code")


@case
def docs_cover_every_flag():
    with open(os.path.join(ROOT, "docs", "cli.md")) as f:
        cli_md = f.read()
    with open(os.path.join(ROOT, "docs", "octohac.1")) as f:
        man = f.read().replace("\\-", "-")
    with open(os.path.join(ROOT, "docs", "octohac.bash-completion")) as f:
        completion = f.read()
    for command in ("build", "check", "fmt", "explain", "graph", "plan"):
        expect(command in completion, "completion knows `%s`" % command)
        expect("## `%s`" % command in cli_md, "docs/cli.md has a section for `%s`" % command)
        for flag in long_flags(command):
            expect(flag in cli_md, "docs/cli.md mentions %s of %s" % (flag, command))
            expect(flag in man, "the man page mentions %s of %s" % (flag, command))
            expect(flag in completion, "the completion offers %s of %s" % (flag, command))
    if shutil.which("groff"):
        r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", os.path.join(ROOT, "docs", "octohac.1")],
                           capture_output=True, text=True)
        expect(r.returncode == 0 and r.stderr == "", "the man page renders without warnings: " + r.stderr)


def complete(line, path_dir):
    """The completions bash offers for LINE (the cursor at its end)."""
    words = line.split(" ")
    script = ('source %s; COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE=%s; COMP_POINT=${#COMP_LINE}; _octohac; '
              'printf "%%s\\n" "${COMPREPLY[@]}"') % (
        os.path.join(ROOT, "docs", "octohac.bash-completion"), " ".join("'%s'" % w for w in words),
        len(words) - 1, "'%s'" % line)
    env = dict(os.environ, PATH=path_dir + os.pathsep + os.environ.get("PATH", ""))
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True, text=True, env=env,
                       cwd=ROOT)
    expect(r.returncode == 0, "completion script ran: " + r.stderr)
    return [w for w in r.stdout.splitlines() if w]


@case
def bash_completion():
    with Tmp() as t:
        os.symlink(BIN, t.path("octohac"))
        expect("build" in complete("octohac bu", t.dir), "commands")
        expect(complete("octohac check --for", t.dir) == ["--format"], "flags")
        expect(set(complete("octohac check --format ", t.dir)) ==
               {"human", "short", "json", "sarif", "github", "junit"}, "check formats")
        expect(set(complete("octohac build x.oha -f ", t.dir)) == {"yaml", "json"}, "build formats")
        expect(complete("octohac explain OH200", t.dir)[:2] == ["OH2001", "OH2002"], "codes from the binary")
        expect("samples/minimal.oha" in complete("octohac build samples/mi", t.dir), ".oha files")
        f = t.write("two.oha", TWO_CLUSTERS)
        expect(complete("octohac build %s --cluster " % f, t.dir) == ["alpha", "beta"], "cluster names")
        expect(set(complete("octohac plan a.yaml b.oha --format ", t.dir)) == {"human", "json", "markdown"},
               "plan formats")
        t.write("deployed.yaml", "Resources: {}\n")
        t.write("notes.txt", "")
        offered = complete("octohac plan %s/" % t.dir, t.dir)
        expect(t.path("deployed.yaml") in offered and t.path("two.oha") in offered and
               t.path("notes.txt") not in offered, "plan offers .oha files and templates: %r" % offered)


@case
def precommit_hooks():
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml")) as f:
        hooks = yaml.safe_load(f)
    ids = {h["id"] for h in hooks}
    expect(ids == {"octohac-check", "octohac-fmt", "octohac-fmt-check"}, "hook ids %r" % ids)
    with Tmp() as t:
        for hook in hooks:
            expect(hook["language"] == "system" and re.search(hook["files"], "x.oha"), "hook %s" % hook["id"])
            entry = hook["entry"].split()
            expect(entry[0] == "octohac", "runs octohac")
            good = t.write("good.oha", run("fmt", os.path.join(SAMPLES, "minimal.oha")).out)
            r = run(*entry[1:], good)
            expect_rc(r, 0, "hook %s on a good file" % hook["id"])
            bad = t.write("bad.oha", SYNTAX_ERROR)
            r = run(*entry[1:], bad)
            expect_rc(r, 1, "hook %s on a bad file" % hook["id"])


@case
def install_rules():
    build_dir = os.path.dirname(BIN)
    if not os.path.exists(os.path.join(build_dir, "cmake_install.cmake")):
        return
    with Tmp() as t:
        r = subprocess.run(["cmake", "--install", build_dir, "--prefix", t.dir], capture_output=True, text=True)
        expect(r.returncode == 0, "cmake --install: " + r.stdout + r.stderr)
        listing = t.listing()
        for want in ("bin/octohac", "share/man/man1/octohac.1", "share/bash-completion/completions/octohac"):
            expect(want in listing, "installs %s: %r" % (want, listing))
        r = subprocess.run([t.path("bin/octohac"), "--version"], capture_output=True, text=True)
        expect(r.returncode == 0 and r.stdout.startswith("octohac "), "the installed binary runs")


def main(argv):
    global BIN
    if argv[1:] == ["--list"]:
        print("\n".join(CASES))
        return 0
    if len(argv) < 4 or argv[1] != "--bin":
        print(__doc__, file=sys.stderr)
        return 2
    BIN = os.path.abspath(argv[2])
    status = 0
    for name in argv[3:]:
        try:
            CASES[name]()
            print("ok   %s" % name)
        except Failure as e:
            print("FAIL %s: %s" % (name, e))
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
