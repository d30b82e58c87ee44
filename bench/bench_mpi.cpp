// The distributed side of bench/mpi_bench.py, which runs it under mpiexec with 1 and 2 ranks
// and without MPI, and writes the "Distributed (MPI)" section of docs/PERFORMANCE.md. Each run
// prints one JSON object (from rank 0) with the time of one timed pass.
//
//   bench_mpi prepare DIR MIB          a.npy and b.npy: float32 arrays of MIB MiB (one rank)
//   bench_mpi sum DIR THREADS          collective open_npy + mpi::sum of a.npy
//   bench_mpi add DIR THREADS          mpi::add(a, b, c) into a new c.npy (made before the clock)
//   bench_mpi add-existing DIR THREADS the same into a c.npy whose pages are all in memory (one
//                                      untimed add first): the engine without new pages
//   bench_mpi engine-sum DIR THREADS   the same without MPI: map + maparray::sum
//   bench_mpi engine-add DIR THREADS   the same without MPI: maparray::add into a new file
//   bench_mpi engine-add-existing DIR THREADS
//   bench_mpi fetch_add DIR OPS        OPS fetch_adds per rank on one counter (on rank 0)
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <maparray/maparray.hpp>
#include <maparray/mpi.hpp>

namespace ma = maparray;
namespace mm = maparray::mpi;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// `opened` is the part of `seconds` spent opening (the collective open of a sum), or 0.
void report(const std::string& op, int ranks, unsigned threads, double seconds, double check,
            double opened = 0) {
  std::printf(
      "{\"op\": \"%s\", \"ranks\": %d, \"threads\": %u, \"seconds\": %.6f, \"open\": %.6f, "
      "\"check\": %.17g}\n",
      op.c_str(), ranks, threads, seconds, opened, check);
}

// The engine alone, in one process without MPI.
int engine(const std::string& op, const fs::path& dir, unsigned threads) {
  if (op == "engine-sum") {
    const auto start = clock_type::now();
    const auto a = ma::open_npy<const float>(dir / "a.npy");
    const double total = ma::sum(a, {.threads = threads});
    report(op, 0, threads, seconds_since(start), total);
    return 0;
  }
  if (op != "engine-add" && op != "engine-add-existing") {
    throw std::invalid_argument("unknown operation " + op);
  }
  const auto a = ma::open_npy<const float>(dir / "a.npy");
  const auto b = ma::open_npy<const float>(dir / "b.npy");
  const auto c = ma::create_npy<float>(dir / "c.npy", {static_cast<ma::index_t>(a.size())},
                                       {.existing = ma::if_exists::replace});
  if (op == "engine-add-existing") ma::add(a, b, c, {.threads = threads});
  const auto start = clock_type::now();
  ma::add(a, b, c, {.threads = threads});
  const double seconds = seconds_since(start);
  report(op, 0, threads, seconds, c(static_cast<ma::index_t>(a.size()) - 1));
  return 0;
}

int distributed(const std::string& op, const fs::path& dir, std::int64_t arg) {
  MPI_Comm world = MPI_COMM_WORLD;
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(world, &rank);
  MPI_Comm_size(world, &ranks);
  const auto threads = static_cast<unsigned>(arg);
  if (op == "prepare") {
    const ma::index_t n = arg * (1 << 20) / 4;
    for (const char* name : {"a.npy", "b.npy"}) {
      auto x = mm::create_npy<float>(world, dir / name, {n}, {.existing = ma::if_exists::replace});
      const auto local = x.local();
      ma::index_t i = x.blocks().first(rank);
      for (auto& v : local) v = static_cast<float>(i++ % 1000) * (name[0] == 'a' ? 0.5f : 0.25f);
      x.flush();
    }
    return 0;
  }
  if (op == "sum") {
    MPI_Barrier(world);
    const auto start = clock_type::now();
    const auto a = mm::open_npy<const float>(world, dir / "a.npy");
    const double opened = seconds_since(start);
    const double total = mm::sum(a, {.threads = threads});
    const double seconds = seconds_since(start);
    if (rank == 0) report(op, ranks, threads, seconds, total, opened);
    return 0;
  }
  if (op == "add" || op == "add-existing") {
    const auto a = mm::open_npy<const float>(world, dir / "a.npy");
    const auto b = mm::open_npy<const float>(world, dir / "b.npy");
    const auto c = mm::create_npy<float>(world, dir / "c.npy", {a.size()},
                                         {.existing = ma::if_exists::replace});
    if (op == "add-existing") mm::add(a, b, c, {.threads = threads});
    MPI_Barrier(world);
    const auto start = clock_type::now();
    mm::add(a, b, c, {.threads = threads});
    const double seconds = seconds_since(start);
    const double last = c.get({a.size() - 1});
    if (rank == 0) report(op, ranks, threads, seconds, last);
    return 0;
  }
  if (op == "fetch_add") {
    const auto counter = mm::create_npy<std::uint64_t>(world, dir / "counter.npy", {1},
                                                       {.existing = ma::if_exists::replace});
    counter.sync();
    const auto start = clock_type::now();
    for (std::int64_t k = 0; k < arg; ++k) counter.fetch_add({0}, 1);
    counter.sync();
    const double seconds = seconds_since(start);
    const auto total = static_cast<double>(counter.atomic_load({0}));
    if (rank == 0) report(op, ranks, 1, seconds, total);
    return 0;
  }
  throw std::invalid_argument("unknown operation " + op);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s OPERATION DIR NUMBER (see the file comment)\n", argv[0]);
    return 2;
  }
  const std::string op = argv[1];
  const fs::path dir = argv[2];
  const std::int64_t number = std::stoll(argv[3]);
  try {
    if (op.starts_with("engine-")) return engine(op, dir, static_cast<unsigned>(number));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_mpi: %s\n", e.what());
    return 1;
  }
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  int status = 0;
  try {
    status = distributed(op, dir, number);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_mpi: %s\n", e.what());
    status = 1;
  }
  MPI_Finalize();
  return status;
}
