#!/usr/bin/env bash
# lower_lint.sh TEST_LOWER OCTOHAC OUTDIR: cfn-lint (AWS's linter) on every topology test_lower
# builds and on every sample's YAML. Any error, warning or informational finding fails.
set -euo pipefail
test_lower=$1 octohac=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
"$test_lower" "$out" >/dev/null
for sample in samples/*.oha; do
  "$octohac" build "$sample" -o "$out/$(basename "$sample" .oha).yaml" 2>/dev/null
done
cfn-lint "$out"/*.json "$out"/*.yaml
echo "lower_lint: $(ls "$out" | wc -l) templates pass cfn-lint"
