#!/usr/bin/env bash
# Runs the distributed benchmarks (bench/bench_mpi.cpp, driven by bench/mpi_bench.py): sum and
# add of two float32 arrays with 1 and 2 MPI ranks against the single-process engine, and MPI
# fetch-add against shared-memory atomics, in one run; writes the "Distributed (MPI)" section
# of docs/PERFORMANCE.md.
#
#   scripts/bench-mpi.sh [MIB]      size of each array (default 2048); REPEATS=5 by default
set -euo pipefail
cd "$(dirname "$0")/.."
mib="${1:-2048}"
repeats="${REPEATS:-5}"
work="$(mktemp -d "${MAPARRAY_BENCH_DIR:-${TMPDIR:-/tmp}}/maparray-bench-mpi-XXXXXX")"
trap 'rm -rf "$work"' EXIT

cmake --preset release >/dev/null
cmake --build --preset release -j2 --target bench_mpi bench_shared
# The Python the release build's module was built for (cmake/python.cmake chooses it).
python="$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' build/release/CMakeCache.txt)"
[ -n "$python" ] || python=python3
"$python" bench/mpi_bench.py build/release "$work" "$mib" "$repeats" docs/PERFORMANCE.md \
  "scripts/bench-mpi.sh $mib"
echo "bench-mpi: wrote the Distributed (MPI) section of docs/PERFORMANCE.md"
