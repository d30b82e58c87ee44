#!/usr/bin/env bash
# Runs the compute benchmarks (bench/bench_compute.cpp) and the same operations with
# numpy.memmap in one run, and writes the results with their ratios to the "Compute" section
# of docs/PERFORMANCE.md.
#
#   scripts/bench.sh [MIB]      size of each float32 array (default 2048); REPEATS=5 by default
set -euo pipefail
cd "$(dirname "$0")/.."
mib="${1:-2048}"
repeats="${REPEATS:-5}"
work="$(mktemp -d "${MAPARRAY_BENCH_DIR:-${TMPDIR:-/tmp}}/maparray-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT

cmake --preset release >/dev/null
cmake --build --preset release -j2 --target bench_compute
load="$(cut -d' ' -f1-3 /proc/loadavg)"
MAPARRAY_BENCH_MIB="$mib" MAPARRAY_BENCH_DIR="$work" build/release/bench/bench_compute \
  --benchmark_filter='BM_(Sum|Add|Scattered)' --benchmark_repetitions="$repeats" \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="$work/cpp.json" --benchmark_out_format=json
# Debian's Python has numpy; OpenBLAS tuning variables of the environment are not meant for it.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/numpy_compute.py \
  "$work" "$repeats" > "$work/numpy.json"
/usr/bin/python3 bench/compute_report.py "$work/cpp.json" "$work/numpy.json" \
  docs/PERFORMANCE.md "scripts/bench.sh $mib" "$mib" "$load"
echo "bench: wrote the Compute section of docs/PERFORMANCE.md"
