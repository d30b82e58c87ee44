// How long mapping a file takes, from a 4 KiB file to a 1 TiB sparse one: the cost must not
// grow with the file, since nothing is read until it is touched.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <maparray/maparray.hpp>

namespace ma = maparray;

namespace {

std::filesystem::path sparse_file(std::int64_t bytes) {
  const auto path =
      std::filesystem::temp_directory_path() /
      ("maparray-bench-open-" + std::to_string(::getpid()) + "-" + std::to_string(bytes));
  if (!std::filesystem::exists(path)) {
    ma::create_file<std::byte>(path, {bytes}, {.sparse = true});
  }
  return path;
}

// Open, map, read the last element, unmap, close.
void BM_MapFileAndReadLast(benchmark::State& state) {
  const std::int64_t bytes = state.range(0);
  const auto path = sparse_file(bytes);
  for (auto _ : state) {
    const auto a = ma::map_file<const double>(path);
    benchmark::DoNotOptimize(a(a.size() - 1));
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_MapFileAndReadLast)
    ->Arg(std::int64_t{1} << 12)
    ->Arg(std::int64_t{1} << 30)
    ->Arg(std::int64_t{1} << 40)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
