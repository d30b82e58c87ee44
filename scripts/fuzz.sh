#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (the .npy header and descr parsers, the ZIP directory
# reader of .npz files, shapes, slices, expressions) with the CMake preset fuzz (clang, ASan +
# UBSan) and runs each for SECONDS (default 30) on its checked-in seed corpus. Exits non-zero if
# a target finds a crash, a leak or undefined behaviour; the input that found it is left in
# build/fuzz/.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
out=build/fuzz  # the fuzz preset's build directory
# The preset builds the library with -fsanitize=fuzzer-no-link,address,undefined and each target
# with -fsanitize=fuzzer,address,undefined (fuzz/CMakeLists.txt).
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"

for target in npy_header npy_descr zip shape slice expression; do
  echo "== fuzz_$target (${seconds}s)"
  # The first corpus directory receives new inputs; the checked-in seeds are only read.
  mkdir -p "$out/corpus_$target"
  seeds=("fuzz/corpus/$target")
  [ "$target" = npy_header ] && seeds+=(tests/data/malformed_npy)
  (cd "$out" && "./fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
      -print_final_stats=1 "corpus_$target" "${seeds[@]/#/../../}")
done
echo "fuzz: no failures"
