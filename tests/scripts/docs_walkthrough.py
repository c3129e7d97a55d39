#!/usr/bin/env python3
"""docs_walkthrough.py: runs the walk-through of docs/getting-started.md as a reader would.

In a temporary folder, in the order of the page: each ```oha block is written to
cluster.oha (and must already be in `octohac fmt` layout); each `octohac …` line of a
```sh block is run with bash and must exit 0; each `$ octohac …` line of a ```console
block is run too and must exit 0, and when the page shows output under it, standard
output and standard error together must be exactly that. Other commands (cmake, aws,
export) are not run. So the page cannot drift from the binary.

    docs_walkthrough.py --bin OCTOHAC [--page docs/getting-started.md] [--self-test]

--self-test changes one shown output line and one command, and fails unless both are
caught. Exit status: 0 when the page holds, 1 otherwise.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

TIMEOUT = 120
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


class Failure(Exception):
    pass


def steps(page):
    """(kind, text, shown output or None) in page order."""
    out = []
    for m in FENCE.finditer(page):
        lang, body = m.group(1), m.group(2)
        if lang == "oha":
            out.append(("file", body, None))
        elif lang == "sh":
            for line in body.splitlines():
                if line.startswith("octohac "):
                    out.append(("run", line, None))
        elif lang == "console":
            cmd, shown = None, []
            for line in body.splitlines() + ["$ "]:
                if line.startswith("$ "):
                    if cmd and cmd.startswith("octohac "):
                        out.append(("run", cmd, "\n".join(shown) + "\n" if shown else None))
                    cmd, shown = line[2:], []
                else:
                    shown.append(line)
    return out


def walk(page, bin_path):
    env = dict(os.environ, NO_COLOR="1", PATH=os.path.dirname(bin_path) + os.pathsep + os.environ["PATH"])
    ran = 0
    with tempfile.TemporaryDirectory(prefix="walkthrough-") as tmp:
        for kind, text, shown in steps(page):
            if kind == "file":
                with open(os.path.join(tmp, "cluster.oha"), "w") as f:
                    f.write(text)
                text = "octohac fmt --check cluster.oha"
            r = subprocess.run(["bash", "-o", "pipefail", "-c", text.replace("octohac ", bin_path + " ", 1)],
                               cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=TIMEOUT)
            got = r.stdout.decode(errors="replace")
            if r.returncode != 0:
                raise Failure("`%s` exited %d:\n%s" % (text, r.returncode, got))
            if shown is not None and got != shown:
                raise Failure("`%s` printed\n%s---- the page shows\n%s----" % (text, got, shown))
            ran += 1
    if ran < 5:
        raise Failure("only %d steps found: is this the walk-through page?" % ran)
    return ran


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--page", default="docs/getting-started.md")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    bin_path = os.path.abspath(args.bin)
    page = open(args.page, encoding="utf-8").read()
    try:
        if args.self_test:
            for what, broken in (("a changed output line", page.replace("0 errors, 1 warning", "0 errors, 2 warnings", 1)),
                                 ("a failing command", page.replace("$ octohac check cluster.oha",
                                                                    "$ octohac check cluster.oha --frob", 1))):
                if broken == page:
                    raise Failure("self-test: could not plant %s" % what)
                try:
                    walk(broken, bin_path)
                except Failure:
                    continue
                raise Failure("self-test: %s was not caught" % what)
            print("ok   self-test")
        else:
            print("ok   %s: %d steps" % (args.page, walk(page, bin_path)))
    except (Failure, subprocess.TimeoutExpired, OSError) as e:
        print("FAIL %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
