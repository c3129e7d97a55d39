#!/usr/bin/env bash
# bench/run.sh: builds octohac in release mode and measures whole-process runs:
#   - `build` of each sample (median of BUILD_RUNS runs, and the peak memory);
#   - `check` of a generated corpus of 1,000 files and of 10,000 files (linear growth);
#   - the Jsonnet peer (../shared/peers/octopus.jsonnet) beside `build`, when Debian's
#     `jsonnet` and the peer are present, with the ratio.
#   - the instructions `build` executes per sample, when valgrind is present (stable
#     where wall time is not: the machine may be shared).
#   - `plan` of two production-size inputs (the 8-node production cluster against an edit of
#     it, as two .oha files and as the deployed YAML template against the .oha), beside a
#     `build` of the same cluster: time, and instructions when valgrind is present.
# Prints a tab-separated table (times in ms, memory in KiB) and the machine. Nothing
# asserts on time; record the numbers in bench/RESULTS.md.
#   bench/run.sh [BUILD_RUNS=30] [CHECK_RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_RUNS=${1:-30}
CHECK_RUNS=${2:-5}
BUILD_DIR=$ROOT/build-bench
PEER=${OCTOHAC_PEER:-$ROOT/../shared/peers/octopus.jsonnet}

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j2 --target octohac >/dev/null
BIN=$BUILD_DIR/octohac
cc -O2 -o "$BUILD_DIR/runner" bench/runner.c
MEASURE="python3 $ROOT/bench/measure.py --runner $BUILD_DIR/runner"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 bench/gen_corpus.py 1000 "$WORK/corpus-1000"
python3 bench/gen_corpus.py 10000 "$WORK/corpus-10000"

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# compiler: $(cc --version | head -1); octohac $("$BIN" --version 2>/dev/null | head -1)"
printf 'what\tmedian_ms\tmin_ms\tmax_ms\tcpu_ms\tpeak_KiB\truns\n'
for sample in samples/*.oha; do
  $MEASURE "build $(basename "$sample")" "$BUILD_RUNS" -- "$BIN" build "$sample"
done
# plan: production.oha with 8 nodes (the size limit's case), against the same with larger nodes
sed 's/count = 3/count = 8/' samples/production.oha > "$WORK/prod8.oha"
sed 's/count = 3/count = 8/; s/instance = m6i.xlarge/instance = m6i.2xlarge/' samples/production.oha > "$WORK/prod8-edit.oha"
"$BIN" build "$WORK/prod8.oha" -o "$WORK/prod8.yaml"
PLAN_CASES=("build prod8.oha|build $WORK/prod8.oha"
            "plan prod8.oha prod8-edit.oha|plan $WORK/prod8.oha $WORK/prod8-edit.oha"
            "plan prod8.yaml prod8-edit.oha|plan $WORK/prod8.yaml $WORK/prod8-edit.oha")
for c in "${PLAN_CASES[@]}"; do
  # shellcheck disable=SC2086
  $MEASURE "${c%%|*}" "$BUILD_RUNS" -- "$BIN" ${c#*|}
done
$MEASURE --allow-exit 1 "check 1000 files" "$CHECK_RUNS" -- "$BIN" check "$WORK/corpus-1000"
$MEASURE --allow-exit 1 "check 10000 files" "$CHECK_RUNS" -- "$BIN" check "$WORK/corpus-10000"

# Instructions executed (valgrind's callgrind): unlike wall time, independent of the load
# of a shared machine.
if command -v valgrind >/dev/null 2>&1; then
  for sample in samples/*.oha; do
    n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" build "$sample" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    printf 'instructions build %s\t%s\n' "$(basename "$sample")" "$n"
  done
  for c in "${PLAN_CASES[@]}"; do
    # shellcheck disable=SC2086
    n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" ${c#*|} 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    printf 'instructions %s\t%s\n' "${c%%|*}" "$n"
  done
fi

if command -v jsonnet >/dev/null 2>&1 && [ -f "$PEER" ]; then
  octo=$($MEASURE "build production.oha (again, for the ratio)" "$BUILD_RUNS" -- "$BIN" build samples/production.oha)
  peer=$($MEASURE "jsonnet octopus.jsonnet (production)" "$BUILD_RUNS" -- jsonnet --ext-str variant=production "$PEER")
  poll=$($MEASURE "build polling.oha (again, for the ratio)" "$BUILD_RUNS" -- "$BIN" build samples/polling.oha)
  peerp=$($MEASURE "jsonnet octopus.jsonnet (polling)" "$BUILD_RUNS" -- jsonnet --ext-str variant=polling "$PEER")
  printf '%s\n%s\n%s\n%s\n' "$octo" "$peer" "$poll" "$peerp"
  awk -F'\t' -v a="$(cut -f2 <<<"$peer")" -v b="$(cut -f2 <<<"$octo")" \
      'BEGIN { printf "# ratio jsonnet/octohac (production): %.1fx\n", a / b }'
  awk -F'\t' -v a="$(cut -f2 <<<"$peerp")" -v b="$(cut -f2 <<<"$poll")" \
      'BEGIN { printf "# ratio jsonnet/octohac (polling): %.1fx\n", a / b }'
else
  echo "# jsonnet or the peer ($PEER) is missing: no comparison"
fi
