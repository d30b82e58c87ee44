#!/usr/bin/env bash
# Builds everything (optimized) and runs the main demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
mkdir -p build/demo
build/release/examples/example_map_raw_file build/demo/tmp.foo
# c = a + b over two 1 GiB float32 files with a 64 MiB memory budget.
build/release/examples/example_add_big_arrays 1024 build/demo
