#!/usr/bin/env bash
# Builds and runs every test: the optimized build (its unit tests, then the packaging, interop
# and docs builds the default test preset leaves out), then AddressSanitizer + UndefinedBehavior-
# Sanitizer, then ThreadSanitizer for the tests labelled `threads` (threads and processes).
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
run_preset asan
run_preset tsan -L threads

# The .npy header and descr parsers under libFuzzer, for a bounded time.
scripts/fuzz.sh 30
