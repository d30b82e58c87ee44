#!/usr/bin/env bash
# Builds the library and the two demo programs only (the preset "demo": no tests, benchmarks,
# tool or Python module), then runs the main demo. Needs only g++, cmake and make.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh demo
cmake --preset demo >/dev/null
cmake --build --preset demo -j"$(nproc)"
mkdir -p build/demo/data
build/demo/examples/example_map_raw_file build/demo/data/tmp.foo
# c = a + b over two 1 GiB float32 files with a 64 MiB memory budget.
build/demo/examples/example_add_big_arrays 1024 build/demo/data
