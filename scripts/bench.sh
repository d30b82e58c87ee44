#!/usr/bin/env bash
# Runs the compute benchmarks (bench/bench_compute.cpp) and the same operations with
# numpy.memmap in one run, and writes the results with their ratios to the "Compute" section
# of docs/PERFORMANCE.md; then, as root, the out-of-core add in a memory cgroup
# (bench/out_of_core.py), written to the "Out of core" section; then expressions in the page
# cache (bench/hot_expressions.py) and out of core (bench/out_of_core_expressions.py).
#
#   scripts/bench.sh [MIB]      size of each float32 array (default 2048); REPEATS=5 by default
#   OOC_LIMIT_MIB=256           the cgroup's memory limit (its arrays: 8 times that)
set -euo pipefail
cd "$(dirname "$0")/.."
mib="${1:-2048}"
repeats="${REPEATS:-5}"
work="$(mktemp -d "${MAPARRAY_BENCH_DIR:-${TMPDIR:-/tmp}}/maparray-bench-XXXXXX")"
# The out-of-core run's files go to disk, never to a tmpfs.
mkdir -p "${MAPARRAY_OOC_DIR:-$PWD/build}"
ooc_dir="$(mktemp -d "${MAPARRAY_OOC_DIR:-$PWD/build}/maparray-ooc-XXXXXX")"
trap 'rm -rf "$work" "$ooc_dir"' EXIT

cmake --preset release >/dev/null
cmake --build --preset release -j2 --target bench_compute add_files
# The Python the release build's module was built for (cmake/python.cmake chooses it).
python="$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' build/release/CMakeCache.txt)"
[ -n "$python" ] || python=python3
load="$(cut -d' ' -f1-3 /proc/loadavg)"
MAPARRAY_BENCH_MIB="$mib" MAPARRAY_BENCH_DIR="$work" build/release/bench/bench_compute \
  --benchmark_filter='BM_(Sum|Add|Scattered)' --benchmark_repetitions="$repeats" \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="$work/cpp.json" --benchmark_out_format=json
# That Python has numpy; OpenBLAS tuning variables of the environment are not meant for it.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" bench/numpy_compute.py \
  "$work" "$repeats" > "$work/numpy.json"
"$python" bench/compute_report.py "$work/cpp.json" "$work/numpy.json" \
  docs/PERFORMANCE.md "scripts/bench.sh $mib" "$mib" "$load"
echo "bench: wrote the Compute section of docs/PERFORMANCE.md"

# The out-of-core run needs root and a memory cgroup.
status=0
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" bench/out_of_core.py \
  build/release/bench/add_files "$ooc_dir" docs/PERFORMANCE.md \
  "OOC_LIMIT_MIB=${OOC_LIMIT_MIB:-256} scripts/bench.sh $mib" "${OOC_LIMIT_MIB:-256}" "$repeats" \
  || status=$?
case "$status" in
  0) echo "bench: wrote the Out of core section of docs/PERFORMANCE.md" ;;
  3) echo "bench: out-of-core run skipped (see above)" ;;
  *) exit "$status" ;;
esac

# Expressions: d = a*b + c with the files in the page cache (maparray.evaluate, numexpr over
# numpy.memmap, numpy with out=; printed as JSON), then out of core in a memory cgroup as root.
cmake --build --preset release -j2 --target maparray_cli _maparray
PYTHONPATH=build/release/python "$python" bench/hot_expressions.py "$work" "$mib" "$repeats"
status=0
(cd bench && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH="$PWD/../build/release/python" \
  "$python" out_of_core_expressions.py "$PWD/../build/release/tools/maparray" "$ooc_dir" \
  ../docs/PERFORMANCE.md "scripts/bench.sh $mib" "${OOC_LIMIT_MIB:-256}" "$mib" "$repeats") \
  || status=$?
case "$status" in
  0) echo "bench: wrote the Out of core: expressions section of docs/PERFORMANCE.md" ;;
  3) echo "bench: out-of-core expressions skipped (see above)" ;;
  *) exit "$status" ;;
esac
