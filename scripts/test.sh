#!/usr/bin/env bash
# Builds and runs every test: the optimized build (its unit tests, then the packaging, interop,
# docs and slow builds the default test preset leaves out, then the tests labelled `dask`), then
# AddressSanitizer + UndefinedBehaviorSanitizer, then ThreadSanitizer for the tests labelled
# `threads` (threads and processes).
# The MPI tests (label `mpi`, run under mpiexec with 1 to 4 ranks) run in all three: the C++
# ones are labelled `threads` too, and run under ThreadSanitizer with the reports from inside
# Open MPI, which is not instrumented, suppressed (tests/mpi/tsan.supp); the Python ones are
# not (no Python test runs under ThreadSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs="$(nproc)"

run_preset() {
  local preset=$1
  shift
  echo "== $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  ctest --preset "$preset" -j"$jobs" "$@"
}

run_preset default
ctest --preset labelled -j"$jobs"
# maparray.dask on a local cluster over 2 GiB files (label dask).
ctest --preset dask
run_preset asan
run_preset tsan -L threads

# The .npy header and descr parsers under libFuzzer, for a bounded time.
scripts/fuzz.sh 30
