#!/usr/bin/env bash
# Builds and runs every test: the optimized build, then AddressSanitizer + UndefinedBehavior-
# Sanitizer, then ThreadSanitizer for the threaded and multi-process tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs="$(nproc)"

for preset in default asan; do
  echo "== $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  ctest --preset "$preset" -j"$jobs"
done
