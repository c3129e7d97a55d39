#!/usr/bin/env bash
# ps_syntax.sh: the PowerShell syntax check of the node bootstrap.
# Usage: ps_syntax.sh TEST_BOOTSTRAP_BIN OCTOHAC_BIN WORKDIR
# Writes every bootstrap script, UserData loader and byte-order-mark command, both as
# test_bootstrap renders them for hand-built clusters (--emit) and as `octohac build -f json`
# emits them for the samples, and the NodeCommand script of each sample's operations template
# (`build --operations`), parses each with the tree-sitter PowerShell grammar
# (ps_syntax.mjs), and then makes sure the check itself can fail: the deliberately broken
# ps_syntax.broken.ps1 must be rejected.
set -euo pipefail
bin=$1
octohac=$2
work=$3
here=$(cd "$(dirname "$0")" && pwd)
samples="production polling existing-vpc self-managed-ad shared-queue"

rm -rf "$work"
mkdir -p "$work/unit" "$work/samples"
"$bin" --emit "$work/unit"
for sample in $samples; do
  "$octohac" build -f json -o "$work/$sample.json" "samples/$sample.oha"
  node "$here/ps_syntax.mjs" --extract "$work/$sample.json" "$work/samples" "$sample"
  # the operations template's NodeCommand, which every Automation document runs
  "$octohac" build --operations -f json -o "$work/$sample.operations.json" "samples/$sample.oha"
  node "$here/ps_syntax.mjs" --extract-operations "$work/$sample.operations.json" "$work/samples" "$sample"
done
shopt -s nullglob
scripts=("$work"/unit/*.ps1 "$work"/samples/*.ps1)
if [ ${#scripts[@]} -lt 30 ]; then
  echo "ps_syntax: expected the rendered scripts in $work, found ${#scripts[@]}" >&2
  exit 1
fi

node "$here/ps_syntax.mjs" "${scripts[@]}"

set +e
node "$here/ps_syntax.mjs" "$here/ps_syntax.broken.ps1" > "$work/broken.out" 2>&1
status=$?
set -e
if [ $status -ne 1 ] || ! grep -q 'ps_syntax.broken.ps1:[0-9]*:[0-9]*: ' "$work/broken.out"; then
  echo "ps_syntax: the check accepted a broken script (exit $status):" >&2
  cat "$work/broken.out" >&2
  exit 1
fi
echo "ps_syntax: the broken script is rejected as it should be:"
cat "$work/broken.out"
echo "ps_syntax: ${#scripts[@]} scripts parsed without error"
