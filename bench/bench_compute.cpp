// Out-of-core compute against its limits: a sum over a page-cache-hot file against a raw loop
// over a MAP_POPULATE mapping (the limit) and a plain mmap first pass; c = a + b into a new file
// and into an existing one against the same loop over arrays in RAM; and the pages written by
// scattered writes + flush into files in four states.
// scripts/bench.sh runs this next to numpy.memmap and writes docs/PERFORMANCE.md.
//
// Environment: MAPARRAY_BENCH_MIB (size of each array, default 256), MAPARRAY_BENCH_DIR
// (where the files go, default the temporary directory). Times are wall-clock per pass.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <maparray/maparray.hpp>

namespace ma = maparray;

namespace {

std::int64_t bench_bytes() {
  const char* mib = std::getenv("MAPARRAY_BENCH_MIB");
  return (mib ? std::atoll(mib) : 256) << 20;
}

std::filesystem::path bench_dir() {
  const char* dir = std::getenv("MAPARRAY_BENCH_DIR");
  return dir ? std::filesystem::path(dir) : std::filesystem::temp_directory_path();
}

// An input file of float32 values (i mod 1000 for "a", twice that for "b"), read once so that
// it is hot in the page cache. Made once per process, kept for scripts/bench.sh's numpy run.
std::filesystem::path input(const char* name, float scale) {
  const auto path = bench_dir() / (std::string(name) + ".f32");
  const std::int64_t bytes = bench_bytes();
  if (!std::filesystem::exists(path) || std::filesystem::file_size(path) != std::uint64_t(bytes)) {
    std::vector<float> block(1 << 20);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (std::int64_t i = 0; i < bytes / 4; i += std::int64_t(block.size())) {
      for (std::size_t j = 0; j < block.size(); ++j) block[j] = scale * float((i + j) % 1000);
      out.write(reinterpret_cast<const char*>(block.data()), std::streamsize(block.size() * 4));
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  while (in.read(buffer.data(), std::streamsize(buffer.size()))) {
  }
  return path;
}

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// The physical limit of a float32 sum: sixteen float32 running sums (four vector registers),
// so that the loop is bound by memory bandwidth, not by the latency of a chain of additions.
float raw_sum(const float* x, std::size_t n) {
  float lane[16] = {};
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (int k = 0; k < 16; ++k) lane[k] += x[i + k];
  }
  for (; i < n; ++i) lane[0] += x[i];
  float total = 0;
  for (float v : lane) total += v;
  return total;
}

// The limit: the loop alone, over pages mapped beforehand with MAP_POPULATE.
void BM_SumRawLoopPopulated(benchmark::State& state) {
  const auto path = input("a", 1);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const auto bytes = std::size_t(bench_bytes());
  for (auto _ : state) {
    void* p = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    const auto start = clock_type::now();
    benchmark::DoNotOptimize(raw_sum(static_cast<const float*>(p), bytes / 4));
    state.SetIterationTime(seconds_since(start));
    ::munmap(p, bytes);
  }
  ::close(fd);
  state.SetBytesProcessed(state.iterations() * std::int64_t(bytes));
}

// A plain mmap first pass: every page faults (a few at a time, with fault-around).
void BM_SumRawFirstPass(benchmark::State& state) {
  const auto path = input("a", 1);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const auto bytes = std::size_t(bench_bytes());
  for (auto _ : state) {
    const auto start = clock_type::now();
    void* p = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
    benchmark::DoNotOptimize(raw_sum(static_cast<const float*>(p), bytes / 4));
    state.SetIterationTime(seconds_since(start));
    ::munmap(p, bytes);
  }
  ::close(fd);
  state.SetBytesProcessed(state.iterations() * std::int64_t(bytes));
}

// maparray's first pass: map the file and sum it as numpy does. Args: threads, populate,
// read-ahead.
void BM_SumMaparray(benchmark::State& state) {
  const auto path = input("a", 1);
  const ma::exec_options opts{.threads = unsigned(state.range(0)),
                              .memory_budget = ma::unlimited_memory,
                              .populate = state.range(1) != 0,
                              .read_ahead = state.range(2) != 0};
  float total = 0;
  const ma::any_array result(reinterpret_cast<std::byte*>(&total), ma::dtype_of<float>(), {}, {},
                             {}, true);
  for (auto _ : state) {
    const auto start = clock_type::now();
    const auto a = ma::map_file<const float>(path);
    ma::reduce(ma::reduction::sum, a, result, {}, opts);  // numpy's sum: float32, pairwise
    benchmark::DoNotOptimize(total);
    state.SetIterationTime(seconds_since(start));
  }
  state.SetBytesProcessed(state.iterations() * bench_bytes());
}

// The fastest repetition: the add into a new file is bimodal on a machine that makes new pages
// slowly at times (docs/PERFORMANCE.md), and its median alone would hide the fast mode.
double fastest(const std::vector<double>& times) {
  return std::ranges::min(times);
}

// c = a + b into a new file (made before the clock starts, removed after it stops).
// Args: threads, populate.
void BM_AddNewFile(benchmark::State& state) {
  const auto a = ma::map_file<const float>(input("a", 1));
  const auto b = ma::map_file<const float>(input("b", 2));
  const auto out = bench_dir() / "c.f32";
  const ma::exec_options opts{.threads = unsigned(state.range(0)),
                              .memory_budget = ma::unlimited_memory,
                              .populate = state.range(1) != 0};
  for (auto _ : state) {
    state.PauseTiming();
    {
      const auto c = ma::create_file<float>(out, {std::int64_t(a.size())},
                                            {.existing = ma::if_exists::replace});
      const auto start = clock_type::now();
      ma::add(a, b, c, opts);
      state.SetIterationTime(seconds_since(start));
      if (c(a.size() - 1) != a(a.size() - 1) + b(b.size() - 1)) state.SkipWithError("wrong sum");
    }
    std::filesystem::remove(out);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * 3 * bench_bytes());
}

// c = a + b into an existing file whose pages are all in the page cache and mapped: the engine
// alone, without the cost of making the pages of a new file.
void BM_AddExistingFile(benchmark::State& state) {
  const auto a = ma::map_file<const float>(input("a", 1));
  const auto b = ma::map_file<const float>(input("b", 2));
  const auto c = ma::create_file<float>(bench_dir() / "c-existing.f32", {std::int64_t(a.size())},
                                        {.existing = ma::if_exists::replace});
  ma::add(a, b, c);  // makes and maps every page of c before the first timed pass
  for (auto _ : state) {
    const auto start = clock_type::now();
    ma::add(a, b, c, {.threads = unsigned(state.range(0))});
    state.SetIterationTime(seconds_since(start));
  }
  std::filesystem::remove(bench_dir() / "c-existing.f32");
  state.SetBytesProcessed(state.iterations() * 3 * bench_bytes());
}

// The same add over arrays already in RAM (every page faulted in beforehand), one thread.
void BM_AddInRam(benchmark::State& state) {
  const std::size_t n = std::size_t(bench_bytes()) / 4;
  std::vector<float> a(n, 1.0f), b(n, 2.0f), c(n, 0.0f);
  for (auto _ : state) {
    const auto start = clock_type::now();
    float* __restrict out = c.data();
    const float* __restrict x = a.data();
    const float* __restrict y = b.data();
    for (std::size_t i = 0; i < n; ++i) out[i] = x[i] + y[i];
    benchmark::ClobberMemory();
    state.SetIterationTime(seconds_since(start));
  }
  state.SetBytesProcessed(state.iterations() * 3 * bench_bytes());
}

std::int64_t write_bytes_so_far() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::int64_t value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return -1;
}

// The files of the scattered-writes benchmark.
enum class scattered_file {
  created,   // new, from create_file: its blocks reserved but never written
  existing,  // holding data, none of it in the page cache
  read,      // holding data, every page read first by plain loads through the mapping
  engine,    // holding data, read first by ma::sum
};

// A 1 GiB (at most the bench size) file of data, written once, out of the page cache.
std::filesystem::path scattered_data_file(std::int64_t bytes) {
  const auto path = bench_dir() / "scattered-data.f32";
  if (!std::filesystem::exists(path) || std::filesystem::file_size(path) != std::uint64_t(bytes)) {
    const auto a = ma::create_file<float>(path, {bytes / 4}, {.existing = ma::if_exists::replace});
    ma::transform(
        a, [](float) { return 1.0f; }, ma::array<const float>(a));
    a.flush();
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
  return path;
}

// k scattered element writes into a 1 GiB (at most the bench size) file, then flush: the
// pages written (write_bytes of /proc/self/io, counted when a page is dirtied) against the
// distinct pages touched. Args: k, the scattered_file case.
void BM_ScatteredWritesFlush(benchmark::State& state) {
  const std::int64_t k = state.range(0);
  const auto kind = scattered_file(state.range(1));
  const std::int64_t bytes = std::min<std::int64_t>(bench_bytes(), std::int64_t{1} << 30);
  const std::int64_t n = bytes / 4;
  const auto page = std::int64_t(::sysconf(_SC_PAGESIZE));
  std::mt19937_64 random(42);
  double pages = 0;
  double touched = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const auto a = kind == scattered_file::created
                       ? ma::create_file<float>(bench_dir() / "scattered.f32", {n},
                                                {.existing = ma::if_exists::replace})
                       : ma::map_file<float>(scattered_data_file(bytes));
    if (kind == scattered_file::read) {
      float first_of_pages = 0;
      for (std::int64_t i = 0; i < n; i += page / 4) first_of_pages += a(i);
      benchmark::DoNotOptimize(first_of_pages);
    }
    if (kind == scattered_file::engine) benchmark::DoNotOptimize(ma::sum(a));
    a.flush();
    std::vector<std::int64_t> at(static_cast<std::size_t>(k));
    for (auto& i : at) i = std::int64_t(random() % std::uint64_t(n));
    const std::int64_t before = write_bytes_so_far();
    state.ResumeTiming();
    const auto start = clock_type::now();
    for (const std::int64_t i : at) a(i) = 2.0f;
    a.flush();
    state.SetIterationTime(seconds_since(start));
    pages = double(write_bytes_so_far() - before) / double(page);
    std::vector<std::int64_t> pages_of(at.size());
    std::ranges::transform(at, pages_of.begin(), [&](std::int64_t i) { return i * 4 / page; });
    std::ranges::sort(pages_of);
    touched = double(std::ranges::unique(pages_of).begin() - pages_of.begin());
  }
  std::filesystem::remove(bench_dir() / "scattered.f32");
  state.counters["k"] = double(k);
  state.counters["pages_written"] = pages;
  state.counters["pages_touched"] = touched;
}

BENCHMARK(BM_SumRawLoopPopulated)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SumRawFirstPass)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SumMaparray)
    ->ArgNames({"threads", "populate", "readahead"})
    ->Args({2, 1, 1})
    ->Args({1, 1, 1})
    ->Args({2, 0, 1})
    ->Args({2, 1, 0})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddNewFile)
    ->ArgNames({"threads", "populate"})
    ->Args({2, 1})
    ->Args({1, 1})
    ->Args({2, 0})
    ->ComputeStatistics("min", fastest)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddExistingFile)
    ->ArgNames({"threads"})
    ->Arg(2)
    ->Arg(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddInRam)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScatteredWritesFlush)
    ->ArgNames({"k", "file"})
    ->Args({1000, int(scattered_file::created)})
    ->Args({1000, int(scattered_file::existing)})
    ->Args({1000, int(scattered_file::read)})
    ->Args({1000, int(scattered_file::engine)})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
