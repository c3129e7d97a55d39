#!/usr/bin/env python3
"""resolve_cli.py: command-line tests of import resolution (docs/imports-and-profiles.md).

Checks, through `octohac check`, the search order of imports: -I directories before
OCTOHAC_PATH entries (in order, empty entries skipped) before the built-in stdlib; the
look-list of OH0501 in that order; `..` allowed into a -I directory and rejected
elsewhere; a root read from standard input importing relative to the working
directory; the same file reached by two paths loaded once; and an import tried as
written before `.oha` is added (`./x.inc` reads `x.inc`, else `x.inc.oha`).

Which file an import resolved to is observed through the profiles it defines: each
candidate defines a differently named profile, and a `uses` of a profile that was not
loaded is OH0503. Only OH05xx codes are asserted on, so the tests do not depend on
the later stages.

    resolve_cli.py --octohac BIN
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

SHORT = re.compile(r"^(.*?):(\d+):(\d+): (error|warning|note): (.*) \[(OH\d{4})\]$")
failures = []


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def check(octohac, cwd, args, env_path=None, stdin=None, fmt="short"):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("OCTOHAC_PATH", None)
    if env_path is not None:
        env["OCTOHAC_PATH"] = env_path
    p = subprocess.run([octohac, "check", "--format", fmt] + args, cwd=cwd, env=env,
                       input=stdin.encode() if stdin is not None else None,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode >= 3 or p.returncode < 0:
        failures.append(f"octohac check {' '.join(args)} crashed (exit {p.returncode}):\n{err}")
    diags = []
    for line in err.splitlines():
        m = SHORT.match(line)
        if m:
            diags.append((m.group(6), m.group(1), int(m.group(2)), m.group(5)))
    return p.returncode, diags, err


def resolution_codes(diags):
    return sorted(d[0] for d in diags if d[0].startswith("OH05") or d[0] == "OH0007")


def expect(name, got, want, detail=""):
    if got != want:
        failures.append(f"{name}: got {got!r}, expected {want!r}\n{detail}")
    else:
        print(f"ok   {name}")


CLUSTER = """
cluster "octopus" uses {profile} {{
  directory {{ create = true, domain = "corp.example.com" }}
  octopus {{ admin_email = "ops@example.com" }}
}}
"""


def root_using(profile, imports=('std/profiles',)):
    lines = "".join(f'import "{i}"\n' for i in imports)
    return lines + CLUSTER.format(profile=profile)


def test_search_order(octohac, tmp):
    write(tmp, "inc_a/std/profiles.oha", "profile from_a { }\n")
    write(tmp, "inc_b/std/profiles.oha", "profile from_b { }\n")
    for p in ("production", "from_a", "from_b"):
        write(tmp, f"uses_{p}.oha", root_using(p))

    def case(name, profile, want, args=(), env=None):
        _, diags, err = check(octohac, tmp, list(args) + [f"uses_{profile}.oha"], env)
        expect(name, resolution_codes(diags), want, err)

    case("embedded stdlib without -I or OCTOHAC_PATH", "production", [])
    case("-I shadows the embedded std/profiles", "from_a", [], ["-I", "inc_a"])
    case("a shadowed stdlib module is not merged in", "production", ["OH0503"], ["-I", "inc_a"])
    case("OCTOHAC_PATH is searched", "from_b", [], env="inc_b")
    case("-I before OCTOHAC_PATH", "from_a", [], ["-I", "inc_a"], "inc_b")
    case("-I before OCTOHAC_PATH (the loser is unused)", "from_b", ["OH0503"], ["-I", "inc_a"], "inc_b")
    case("OCTOHAC_PATH entries in order", "from_a", [], env="inc_a:inc_b")
    case("OCTOHAC_PATH entries in order (the later loses)", "from_b", ["OH0503"], env="inc_a:inc_b")
    case("empty and missing OCTOHAC_PATH entries are skipped", "from_b", [], env="::no-such-dir::inc_b:")
    case("-I order", "from_b", [], ["-I", "inc_b", "-I", "inc_a"])


def test_look_list(octohac, tmp):
    write(tmp, "missing.oha", 'import "shared/nope"\n' + CLUSTER.format(profile="none"))
    _, diags, err = check(octohac, tmp, ["-I", "inc_a", "missing.oha"], "inc_b", fmt="human")
    looked = re.findall(r"= note: looked for `([^`]*)`", err)
    expect("OH0501 lists the importing folder, -I, then OCTOHAC_PATH, each as written then .oha", looked,
           ["shared/nope", "shared/nope.oha", "inc_a/shared/nope", "inc_a/shared/nope.oha",
            "inc_b/shared/nope", "inc_b/shared/nope.oha"], err)
    _, diags, err = check(octohac, tmp, ["-I", "inc_a", "missing.oha"], "inc_b")
    expect("a missing import is OH0501 (and no OH0503 follows from it)", resolution_codes(diags),
           ["OH0501"], err)


def test_dotdot(octohac, tmp):
    write(tmp, "shared/base.oha", "profile shared_base { }\n")
    write(tmp, "proj/main.oha", root_using("shared_base", ["../shared/base.oha"]))
    _, diags, err = check(octohac, tmp, ["proj/main.oha"])
    expect("`..` out of the root file's folder is rejected", resolution_codes(diags), ["OH0501"], err)
    _, diags, err = check(octohac, tmp, ["-I", "shared", "proj/main.oha"])
    expect("`..` into a -I directory is allowed", resolution_codes(diags), [], err)
    write(tmp, "proj/by_name.oha", root_using("shared_base", ["base"]))
    _, diags, err = check(octohac, tmp, ["-I", "shared", "proj/by_name.oha"])
    expect("the same file by name through -I", resolution_codes(diags), [], err)


def test_stdin(octohac, tmp):
    write(tmp, "lib/team.oha", "profile team { }\n")
    text = root_using("team", ["./lib/team.oha", "std/profiles"])
    _, diags, err = check(octohac, tmp, ["-"], stdin=text)
    expect("a root on standard input imports relative to the working directory",
           resolution_codes(diags), [], err)
    _, diags, err = check(octohac, os.path.join(tmp, "lib"), ["-"], stdin=text)
    expect("... so from another directory the import is missing", resolution_codes(diags), ["OH0501"], err)
    files = sorted({d[1] for d in diags})
    expect("diagnostics name standard input `<stdin>`", files, ["<stdin>"], err)


def test_loaded_once(octohac, tmp):
    write(tmp, "once/lib/p.oha", "profile p { }\n")
    write(tmp, "once/lib/q.oha", 'import "./p.oha"\nprofile q { }\n')
    write(tmp, "once/main.oha", root_using("q", ["./lib/p.oha", "lib/q", "./lib/./p.oha", "lib/../lib/p"]))
    _, diags, err = check(octohac, tmp, ["-I", "once/lib", "once/main.oha"])
    expect("one file imported by four paths is loaded once", resolution_codes(diags), [], err)
    os.symlink(os.path.join(tmp, "once", "lib"), os.path.join(tmp, "once", "alias"))
    write(tmp, "once/linked.oha", root_using("q", ["./lib/p.oha", "./alias/p.oha", "lib/q"]))
    _, diags, err = check(octohac, tmp, ["once/linked.oha"])
    expect("a file reached through a symlink is the same file", resolution_codes(diags), [], err)


def test_as_written(octohac, tmp):
    write(tmp, "written/x.inc", "profile inc_as_written { }\n")
    write(tmp, "written/x.inc.oha", "profile inc_with_ext { }\n")
    write(tmp, "written/y.inc.oha", "profile y_with_ext { }\n")
    write(tmp, "written/lib/z.inc", "profile z_by_name { }\n")
    for name, profile, imports in (("first", "inc_as_written", ["./x.inc"]),
                                   ("shadowed", "inc_with_ext", ["./x.inc"]),
                                   ("fallback", "y_with_ext", ["./y.inc"]),
                                   ("by-name", "z_by_name", ["z.inc"])):
        write(tmp, f"written/{name}.oha", root_using(profile, imports))
    case = lambda name, args: resolution_codes(check(octohac, tmp, args + [f"written/{name}.oha"])[1])
    expect("`./x.inc` reads the file x.inc as written", case("first", []), [])
    expect("... before x.inc.oha, which is then not loaded", case("shadowed", []), ["OH0503"])
    expect("`./y.inc` falls back to y.inc.oha", case("fallback", []), [])
    expect("an import by name is tried as written too, in a -I directory", case("by-name", ["-I", "written/lib"]), [])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--octohac", required=True)
    opts = ap.parse_args()
    octohac = os.path.abspath(opts.octohac)
    with tempfile.TemporaryDirectory(prefix="octohac-resolve-") as tmp:
        tmp = os.path.realpath(tmp)
        test_search_order(octohac, tmp)
        test_look_list(octohac, tmp)
        test_dotdot(octohac, tmp)
        test_stdin(octohac, tmp)
        test_loaded_once(octohac, tmp)
        test_as_written(octohac, tmp)
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
