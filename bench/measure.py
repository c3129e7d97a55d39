#!/usr/bin/env python3
"""measure.py: the median wall time and the peak memory of RUNS whole-process runs of a
command, run by bench/runner (a small C program, so each child's peak resident memory is
its own), printed as one tab-separated line:
`<label>\t<median ms>\t<min ms>\t<max ms>\t<median cpu ms>\t<peak KiB>\t<runs>`
(cpu: user + system time, less inflated than wall time on a busy machine).

  measure.py --runner RUNNER [--allow-exit N]... LABEL RUNS -- COMMAND ARG...
One extra first run warms the page cache and is not counted. A run that exits with a
code not allowed (0 unless --allow-exit) aborts the benchmark.
"""

import argparse
import statistics
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("label")
    ap.add_argument("runs", type=int)
    ap.add_argument("--allow-exit", type=int, action="append", default=[0])
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    argv = args.command[1:] if args.command and args.command[0] == "--" else args.command
    out = subprocess.run([args.runner, str(args.runs + 1)] + argv, check=True,
                         stdout=subprocess.PIPE, text=True).stdout.split("\n")[1:]
    rows = [line.split() for line in out if line.strip()]
    times = [float(r[0]) for r in rows]
    cpu = [float(r[3]) for r in rows]
    peak = max(int(r[1]) for r in rows)
    bad = [int(r[2]) for r in rows if int(r[2]) not in args.allow_exit]
    if bad:
        sys.exit(f"measure: `{' '.join(argv)}` exited {bad[0]}")
    print(f"{args.label}\t{statistics.median(times):.2f}\t{min(times):.2f}\t{max(times):.2f}"
          f"\t{statistics.median(cpu):.2f}\t{peak}\t{len(times)}")


if __name__ == "__main__":
    main()
