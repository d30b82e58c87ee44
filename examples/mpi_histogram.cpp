// A histogram of a distributed array, built by a four-process MPI job (any number of ranks
// works): the pattern of Global Arrays' task counter, on arrays that live in files.
//
//   mpirun -n 4 example_mpi_histogram DIR [ROWS]      (Open MPI 4: see docs/distributed.md)
//
// 1. Collectively create DIR/data.npy (ROWS x 4 float64, default 1000000 rows); each rank fills
//    only its own rows, through its local block.
// 2. Collectively create DIR/histogram.npy (64 int64 bins) and DIR/counter.npy (one counter).
// 3. Every rank repeatedly claims the next chunk of rows with an atomic fetch_add on the counter,
//    reads that chunk with a one-sided get (wherever its rows live), counts its values into a
//    private histogram, and adds that into the shared histogram with a one-sided accumulate.
//    Ranks that finish early take more chunks: the load balances itself.
// 4. Collective sum and mean check the result; a collective flush writes everything to the
//    files, which numpy.load reads on any node: numpy.load("DIR/histogram.npy").
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include <maparray/mpi.hpp>

namespace ma = maparray;
namespace mm = maparray::mpi;

namespace {

constexpr ma::index_t columns = 4;
constexpr ma::index_t bins = 64;
constexpr ma::index_t chunk_rows = 4096;

// The value at global element (i, j): spread over [0, 1).
double value_at(ma::index_t i, ma::index_t j) {
  const double x = std::sin(static_cast<double>(i * columns + j) * 12.9898) * 43758.5453;
  return x - std::floor(x);
}

int run(const std::filesystem::path& dir, ma::index_t rows) {
  MPI_Comm world = MPI_COMM_WORLD;
  int rank = 0;
  MPI_Comm_rank(world, &rank);
  mm::collective(world, [&] {
    if (rank == 0) std::filesystem::create_directories(dir);
  });

  // 1. The data: each rank fills its own rows.
  auto data = mm::create_npy<double>(world, dir / "data.npy", {rows, columns},
                                     {.existing = ma::if_exists::replace});
  const ma::array<double> mine = data.local();
  const ma::index_t first = data.blocks().first(rank);
  for (ma::index_t i = 0; i < mine.extent(0); ++i) {
    for (ma::index_t j = 0; j < columns; ++j) mine(i, j) = value_at(first + i, j);
  }

  // 2. The shared histogram and the task counter, zero-filled.
  auto histogram = mm::create_npy<std::int64_t>(world, dir / "histogram.npy", {bins},
                                                {.existing = ma::if_exists::replace});
  auto counter = mm::create_npy<std::uint64_t>(world, dir / "counter.npy", {1},
                                               {.existing = ma::if_exists::replace});
  data.sync();  // every rank's rows are written before anyone reads them

  // 3. Claim chunks until none is left.
  std::vector<double> chunk;
  int chunks_done = 0;
  for (;;) {
    const auto claimed = static_cast<ma::index_t>(counter.fetch_add({0}, 1));
    const ma::index_t start = claimed * chunk_rows;
    if (start >= rows) break;
    chunk.resize(static_cast<std::size_t>(std::min(chunk_rows, rows - start) * columns));
    data.get({start, 0}, chunk);
    std::vector<std::int64_t> counts(bins, 0);
    for (double v : chunk) {
      ++counts[static_cast<std::size_t>(std::min(static_cast<ma::index_t>(v * bins), bins - 1))];
    }
    histogram.accumulate({0}, counts);
    ++chunks_done;
  }

  // 4. Check collectively and write everything back to the files.
  const std::int64_t counted = mm::sum(histogram);
  const double average = mm::mean(data);
  data.flush();
  histogram.flush();
  std::vector<int> per_rank(static_cast<std::size_t>(data.ranks()));
  MPI_Gather(&chunks_done, 1, MPI_INT, per_rank.data(), 1, MPI_INT, 0, world);
  if (rank == 0) {
    std::printf("%d ranks, %lld rows of %lld values, %lld counted, mean %.4f\n", data.ranks(),
                static_cast<long long>(rows), static_cast<long long>(columns),
                static_cast<long long>(counted), average);
    for (std::size_t r = 0; r < per_rank.size(); ++r) {
      std::printf("rank %zu: rows %lld to %lld, %d chunks counted\n", r,
                  static_cast<long long>(data.blocks().first(static_cast<int>(r))),
                  static_cast<long long>(data.blocks().end(static_cast<int>(r))), per_rank[r]);
    }
    std::printf("histogram written to %s\n", (dir / "histogram.npy").c_str());
  }
  return counted == rows * columns ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // One thread at a time calls MPI: what Open MPI 4's one-sided component for files needs.
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  int status = 1;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [ROWS]\n", argv[0]);
  } else {
    try {
      status = run(argv[1], argc > 2 ? std::stoll(argv[2]) : 1'000'000);
    } catch (const std::exception& e) {
      // Collective errors: every rank has the same message; rank 0 prints it.
      int rank = 0;
      MPI_Comm_rank(MPI_COMM_WORLD, &rank);
      if (rank == 0) std::fprintf(stderr, "example_mpi_histogram: %s\n", e.what());
    }
  }
  MPI_Finalize();
  return status;
}
