#!/usr/bin/env bash
# ps_syntax.sh: the PowerShell syntax check of the node bootstrap.
# Usage: ps_syntax.sh TEST_BOOTSTRAP_BIN WORKDIR
# Writes every rendered bootstrap script and UserData loader (test_bootstrap --emit), parses
# each with the tree-sitter PowerShell grammar (ps_syntax.mjs), and then makes sure the check
# itself can fail: the deliberately broken ps_syntax.broken.ps1 must be rejected.
set -euo pipefail
bin=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$work"
mkdir -p "$work"
"$bin" --emit "$work"
shopt -s nullglob
scripts=("$work"/*.ps1)
if [ ${#scripts[@]} -lt 10 ]; then
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
