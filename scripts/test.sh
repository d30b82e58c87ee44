#!/usr/bin/env bash
# Builds and runs every test, mostly as CMake workflow presets (CMakePresets.json): the optimized
# build (its unit tests, then the packaging, interop, docs and slow builds the default test
# preset leaves out, then the tests labelled `dask`), then AddressSanitizer +
# UndefinedBehaviorSanitizer, then ThreadSanitizer for the tests labelled `threads` (threads and
# processes), then the fuzzers.
# The MPI tests (label `mpi`, run under mpiexec with 1 to 4 ranks) run in all three: the C++
# ones are labelled `threads` too, and run under ThreadSanitizer with the reports from inside
# Open MPI, which is not instrumented, suppressed (tests/mpi/tsan.supp); the Python ones are
# not (no Python test runs under ThreadSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Every core for the builds and for the test presets that do not set their own job count.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-$(nproc)}"

# The unit tests, then the packaging, interop, docs and slow ones (CMakePresets.json).
cmake --workflow --preset ci
# maparray.dask on a local cluster over 2 GiB files (label dask).
CTEST_PARALLEL_LEVEL=1 ctest --preset dask  # one at a time, as ever
cmake --workflow --preset asan
cmake --workflow --preset tsan-threads

# The .npy header and descr parsers, ZIP directories, shapes, slices and expressions under
# libFuzzer, for a bounded time.
scripts/fuzz.sh 30
