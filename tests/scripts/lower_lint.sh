#!/usr/bin/env bash
# lower_lint.sh TEST_LOWER OCTOHAC OUTDIR: cfn-lint (AWS's linter) on every sample's YAML (the main
# and the operations template) and on
# the topologies of test_lower that no sample has (cfn-lint takes seconds per template, so not
# all of them). Any error, warning or informational finding fails.
set -euo pipefail
test_lower=$1 octohac=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
"$test_lower" "$out" >/dev/null
for sample in samples/*.oha; do
  "$octohac" build "$sample" -o "$out/$(basename "$sample" .oha).yaml" 2>/dev/null
  # and its operations template (build --operations)
  "$octohac" build --operations "$sample" -o "$out/$(basename "$sample" .oha).operations.yaml" 2>/dev/null
done
# Classic LB, nat = none, param()s everywhere, an existing share, an existing database
extra=(classic nat-none parameters share-existing role)
cfn-lint "$out"/*.yaml $(printf "$out/%s.json " "${extra[@]}")
echo "lower_lint: $(ls "$out"/*.yaml | wc -l) sample templates (main and operations) and ${#extra[@]} topologies pass cfn-lint"
