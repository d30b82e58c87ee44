#!/usr/bin/env bash
# Builds everything (optimized) and runs the main demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
mkdir -p build/demo
build/release/examples/example_map_raw_file build/demo/tmp.foo
