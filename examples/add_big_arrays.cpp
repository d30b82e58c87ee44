// The original package's scenario at today's scale: two float32 arrays of 1 GiB each in files,
// added into a third file with at most 64 MiB of their pages in memory at any time. Checks a
// sample of the result and prints the time, the throughput and the peak resident memory.
//
//   example_add_big_arrays [MIB [DIR]]     (default: 1024 MiB per array, in the current directory)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include <maparray/maparray.hpp>

namespace ma = maparray;

namespace {

// Writes element i = scale * (i mod 1000) through the same bounded-memory engine, so that
// creating the inputs does not fill memory either. transform() hands fn references to the
// elements themselves, so an element's address gives its index.
void fill(const ma::array<float>& a, float scale, const ma::exec_options& opts) {
  const float* base = a.data();
  ma::transform(
      a, [&](const float& x) { return scale * static_cast<float>((&x - base) % 1000); },
      ma::array<const float>(a), opts);
}

long peak_resident_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) try {
  const long mib = argc > 1 ? std::atol(argv[1]) : 1024;
  const std::filesystem::path dir = argc > 2 ? argv[2] : ".";
  if (mib <= 0) throw std::invalid_argument("size must be a positive number of MiB");
  const ma::index_t n = static_cast<ma::index_t>(mib) * (1 << 20) / 4;
  const ma::exec_options opts{.threads = 2, .memory_budget = 64 << 20};

  const auto a = ma::create_file<float>(dir / "a.f32", {n}, {.existing = ma::if_exists::replace});
  const auto b = ma::create_file<float>(dir / "b.f32", {n}, {.existing = ma::if_exists::replace});
  fill(a, 1.0f, opts);
  fill(b, 2.0f, opts);
  const auto c = ma::create_file<float>(dir / "c.f32", {n}, {.existing = ma::if_exists::replace});

  const auto start = std::chrono::steady_clock::now();
  ma::add(a, b, c, opts);  // c = a + b
  c.flush();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const long peak_kib = peak_resident_kib();  // before the check below maps pages of its own

  // 4096 elements spread over the whole array (a step not dividing 1000, so that the residues
  // vary), and the last one.
  const auto wrong = [&](ma::index_t i) {
    const float expected = 3.0f * static_cast<float>(i % 1000);
    if (c(i) == expected) return false;
    std::fprintf(stderr, "c[%lld] = %g, expected %g\n", static_cast<long long>(i), c(i), expected);
    return true;
  };
  c.storage().advise(ma::advice::random);  // read just the pages checked, not megabytes around
  const ma::index_t step = n / 4096 / 1000 * 1000 + 1;
  for (ma::index_t i = 0; i < n; i += step) {
    if (wrong(i)) return 1;
  }
  if (wrong(n - 1)) return 1;
  const double moved = 3.0 * static_cast<double>(n) * 4 / (1 << 20);
  std::printf("c = a + b over %ld MiB float32 arrays (memory budget 64 MiB, 2 threads)\n", mib);
  std::printf("elapsed %.3f s, %.0f MiB/s of arrays read and written\n", elapsed.count(),
              moved / elapsed.count());
  std::printf("peak resident memory of the process: %.1f MiB\n", peak_kib / 1024.0);
  std::printf("sample of the result checked: ok\n");
  for (const char* name : {"a.f32", "b.f32", "c.f32"}) std::filesystem::remove(dir / name);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "example_add_big_arrays: %s\n", e.what());
  return 1;
}
