// c = a + b over two float32 files into a new file, through maparray with a memory budget: the
// maparray side of bench/out_of_core.py, which runs it inside a memory cgroup. Prints the
// seconds from opening the inputs to the output being written back to disk.
//
//   add_files A B C BUDGET_MIB [THREADS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <maparray/maparray.hpp>

namespace ma = maparray;

int main(int argc, char** argv) try {
  if (argc < 5) {
    std::fprintf(stderr, "usage: add_files A B C BUDGET_MIB [THREADS]\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto a = ma::map_file<const float>(argv[1]);
  const auto b = ma::map_file<const float>(argv[2]);
  const auto c = ma::create_file<float>(argv[3], a.shape(), {.existing = ma::if_exists::replace});
  const ma::exec_options opts{.threads = argc > 5 ? static_cast<unsigned>(std::atoi(argv[5])) : 0U,
                              .memory_budget = static_cast<std::size_t>(std::atoll(argv[4])) << 20};
  ma::add(a, b, c, opts);
  c.flush();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("%.4f\n", elapsed.count());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "add_files: %s\n", e.what());
  return 1;
}
