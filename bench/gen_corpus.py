#!/usr/bin/env python3
"""gen_corpus.py: writes N .oha files for the `check` benchmark, cycling through the
samples with a unique cluster name each, 100 files per folder (so `check DIR` recurses).

  gen_corpus.py N OUT_DIR
"""

import glob
import os
import re
import sys


def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    samples = []
    for path in sorted(glob.glob(os.path.join(root, "samples", "*.oha"))):
        with open(path, encoding="utf-8") as f:
            samples.append((os.path.splitext(os.path.basename(path))[0], f.read()))
    for i in range(count):
        name, text = samples[i % len(samples)]
        text = re.sub(r'cluster "([^"]+)"', lambda m: f'cluster "{m.group(1)[:20]}-{i:05d}"', text)
        folder = os.path.join(out, f"d{i // 100:03d}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{name}-{i:05d}.oha"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
