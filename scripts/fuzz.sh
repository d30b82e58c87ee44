#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (the .npy header and descr parsers, the ZIP directory
# reader of .npz files) with clang (ASan + UBSan) and runs each for SECONDS (default 30) on its
# checked-in seed corpus. Exits non-zero if a target finds a crash, a leak
# or undefined behaviour; the input that found it is left in build/fuzz/.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
out=build/fuzz
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -Iinclude -Isrc)
library=(src/dtype.cpp src/shape.cpp src/npy_descr.cpp src/npy_header.cpp src/npy_literal.cpp
         src/zip.cpp src/array.cpp src/mapping.cpp src/os.cpp)
# The expression target binds and evaluates: it needs the whole library.
whole_library=(src/*.cpp src/compute/*.cpp)

for target in npy_header npy_descr zip shape slice expression; do
  echo "== fuzz_$target (${seconds}s)"
  sources=("${library[@]}")
  [ "$target" = expression ] && sources=("${whole_library[@]}")
  clang++ "${flags[@]}" "fuzz/fuzz_$target.cpp" "${sources[@]}" -lpthread -o "$out/fuzz_$target"
  # The first corpus directory receives new inputs; the checked-in seeds are only read.
  mkdir -p "$out/corpus_$target"
  seeds=("fuzz/corpus/$target")
  [ "$target" = npy_header ] && seeds+=(tests/data/malformed_npy)
  (cd "$out" && "./fuzz_$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
      -print_final_stats=1 "corpus_$target" "${seeds[@]/#/../../}")
done
echo "fuzz: no failures"
