#!/usr/bin/env python3
"""oversize_test.py OCTOHAC: feeds `octohac check --format short -` a valid but 9 MiB
input on standard input and requires OH0007 at <stdin>:1:1 and exit code 1. (A file
that size is not worth keeping in the repository.)"""
import subprocess
import sys

octohac = sys.argv[1]
data = (b"# padding padding padding padding padding padding padding padding padding\n" * 130000)
assert len(data) > 8 * 1024 * 1024
p = subprocess.run([octohac, "check", "--format", "short", "-"], input=data,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
err = p.stderr.decode("utf-8", "replace")
ok = p.returncode == 1 and "<stdin>:1:1: error:" in err and "[OH0007]" in err
if not ok:
    print(f"exit {p.returncode}, stderr:\n{err}", file=sys.stderr)
    sys.exit(1)
print("OH0007 reported for a 9 MiB standard input")
