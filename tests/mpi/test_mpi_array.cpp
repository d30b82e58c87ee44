// Distributed arrays over one file (maparray/mpi.hpp), run under mpiexec with 1 to 4 ranks:
// collective open and create, the local blocks, global and local indices, one-sided get, put
// and accumulate across ranks, and atomics that every rank hammers at once.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <numeric>
#include <vector>

#include "maparray/mpi.hpp"
#include "maparray/npy.hpp"
#include "maparray/raw_file.hpp"
#include "mpi_fixture.hpp"

namespace ma = maparray;
namespace mm = maparray::mpi;
using ma::index_t;

namespace {

class DistributedArray : public ma::testing::MpiTest {};

// The value every test writes at global element (i, j).
double value_at(index_t i, index_t j) {
  return static_cast<double>(i * 1000 + j);
}

// Fills this rank's rows with value_at(global row, column).
void fill_local(const mm::global_array<double>& a) {
  const auto local = a.local();
  const index_t first = a.blocks().first(a.rank());
  for (index_t i = 0; i < local.extent(0); ++i) {
    for (index_t j = 0; j < local.extent(1); ++j) local(i, j) = value_at(first + i, j);
  }
}

TEST_F(DistributedArray, CreateFillFlushAndReadOnOneMachine) {
  const index_t rows = 10 + ranks;  // uneven for 3 and 4 ranks
  const auto path = *this / "a.npy";
  auto a = mm::create_npy<double>(MPI_COMM_WORLD, path, {rows, 3}, {.page_aligned = false});
  EXPECT_EQ(a.ranks(), ranks);
  EXPECT_EQ(a.rank(), rank);
  EXPECT_EQ(a.size(), rows * 3);
  EXPECT_EQ(a.blocks(), mm::row_blocks::even(rows, ranks));
  const auto local = a.local();
  EXPECT_EQ(local.extent(0), a.blocks().count(rank));
  EXPECT_EQ(local.extent(1), 3);
  fill_local(a);
  a.flush();
  // Any process can now map the file on its own and see every rank's rows.
  const auto whole = ma::open_npy<const double>(path);
  ASSERT_EQ(whole.extent(0), rows);
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < 3; ++j) EXPECT_EQ(whole(i, j), value_at(i, j)) << i << "," << j;
  }
  // The header is padded so that the data starts on a page boundary.
  EXPECT_EQ(a.any().data_offset() % 4096, 0);
  a.close();
}

TEST_F(DistributedArray, OpenExistingFileWithExplicitRowsIncludingZero) {
  const index_t rows = 7;
  const auto path = *this / "b.npy";
  if (rank == 0) {
    auto w = ma::create_npy<double>(path, {rows, 2});
    for (index_t i = 0; i < rows; ++i) {
      for (index_t j = 0; j < 2; ++j) w(i, j) = value_at(i, j);
    }
    w.flush();
  }
  MPI_Barrier(MPI_COMM_WORLD);
  // The last rank takes every row; the others none.
  std::vector<index_t> counts(static_cast<std::size_t>(ranks), 0);
  counts.back() = rows;
  auto a = mm::open_npy<const double>(MPI_COMM_WORLD, path, {.rows_per_rank = counts});
  EXPECT_EQ(a.blocks().counts(), counts);
  const auto local = a.local();
  EXPECT_EQ(local.extent(0), rank == ranks - 1 ? rows : 0);
  EXPECT_EQ(local.extent(1), 2);
  if (rank == ranks - 1) {
    EXPECT_EQ(local(6, 1), value_at(6, 1));
  }
  // Any rank reads any element.
  for (index_t i = 0; i < rows; ++i) EXPECT_EQ(a.get({i, 1}), value_at(i, 1));
  EXPECT_FALSE(a.any().local().writable());
}

TEST_F(DistributedArray, SlabsArePageAlignedByDefault) {
  const index_t rows = 100'000;
  auto a = mm::create_npy<double>(MPI_COMM_WORLD, *this / "aligned.npy", {rows, 3});
  EXPECT_TRUE(a.any().page_aligned());
  EXPECT_EQ(a.blocks(), mm::row_blocks::aligned(rows, ranks, 3, 4096));
  if (a.blocks().count(rank) > 0 && a.blocks().first(rank) > 0) {
    EXPECT_EQ(a.local().storage().offset() % 4096, 0);
  }
  // A file written by numpy (data at byte 128) gets the same split, but its slabs share pages.
  const auto path = *this / "numpy.npy";
  if (rank == 0) ma::create_npy<double>(path, {rows, 3});
  MPI_Barrier(MPI_COMM_WORLD);
  auto b = mm::open_npy<const double>(MPI_COMM_WORLD, path);
  EXPECT_EQ(b.blocks(), a.blocks());
  EXPECT_EQ(b.any().page_aligned(), ranks == 1);
}

TEST_F(DistributedArray, MoreRanksThanRows) {
  const index_t rows = ranks > 1 ? ranks - 1 : 1;
  auto a =
      mm::create_npy<double>(MPI_COMM_WORLD, *this / "c.npy", {rows, 4}, {.page_aligned = false});
  const auto counts = a.blocks().counts();
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), index_t{0}), rows);
  if (ranks > 1) {
    EXPECT_EQ(counts.back(), 0);
  }
  fill_local(a);
  a.sync();
  for (index_t i = 0; i < rows; ++i) EXPECT_EQ(a.get({i, 3}), value_at(i, 3));
}

TEST_F(DistributedArray, EmptyArray) {
  auto a = mm::create_npy<float>(MPI_COMM_WORLD, *this / "empty.npy", {0, 5});
  EXPECT_EQ(a.size(), 0);
  EXPECT_EQ(a.local().size(), 0u);
  a.flush();
  EXPECT_THROW(a.get({0, 0}), std::out_of_range);
}

TEST_F(DistributedArray, GlobalAndLocalIndices) {
  const index_t rows = 9;
  auto a = mm::create_npy<std::int32_t>(MPI_COMM_WORLD, *this / "i.npy", {rows, 2, 3},
                                        {.page_aligned = false});
  for (index_t i = 0; i < rows; ++i) {
    const ma::dims index{i, 1, 2};
    const int owner = a.owner(index);
    EXPECT_EQ(owner, a.blocks().owner(i));
    const auto where = a.to_local(index);
    EXPECT_EQ(where.rank, owner);
    EXPECT_EQ(where.index, (ma::dims{i - a.blocks().first(owner), 1, 2}));
    EXPECT_EQ(a.to_global(where.rank, where.index), index);
    EXPECT_EQ(a.is_local(index), owner == rank);
  }
  EXPECT_THROW(a.owner({rows, 0, 0}), std::out_of_range);
  EXPECT_THROW(a.owner({0, 2, 0}), std::out_of_range);
  EXPECT_THROW(a.owner({0, 0}), std::out_of_range);
  EXPECT_THROW(a.to_global(ranks, {0, 0, 0}), std::out_of_range);
  EXPECT_THROW(a.to_global(0, {a.blocks().count(0), 0, 0}), std::out_of_range);
}

TEST_F(DistributedArray, PutAndGetRangesAcrossRanks) {
  const index_t rows = 13;
  auto a =
      mm::create_npy<double>(MPI_COMM_WORLD, *this / "p.npy", {rows, 5}, {.page_aligned = false});
  // The last rank writes the whole array in one put; everyone reads it back in one get.
  std::vector<double> all(static_cast<std::size_t>(rows * 5));
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = static_cast<double>(k) + 0.5;
  if (rank == ranks - 1) a.put({0, 0}, all);
  a.sync();
  std::vector<double> back(all.size());
  a.get({0, 0}, back);
  EXPECT_EQ(back, all);
  // Local loads see the remote writes after sync().
  const auto local = a.local();
  const index_t first = a.blocks().first(rank);
  for (index_t i = 0; i < local.extent(0); ++i)
    EXPECT_EQ(local(i, 4), all[static_cast<std::size_t>((first + i) * 5 + 4)]);
  a.sync();
  // A range starting mid-row, spanning rank boundaries.
  std::vector<double> part(23);
  a.get({1, 3}, part);
  EXPECT_TRUE(std::equal(part.begin(), part.end(), all.begin() + 8));
  // Ranges past the end are refused on the calling rank, before anything is sent.
  std::vector<double> too_long(3);
  EXPECT_THROW(a.get({rows - 1, 4}, too_long), std::out_of_range);
  EXPECT_THROW(a.put({rows - 1, 3}, too_long), std::out_of_range);
  EXPECT_THROW(
      a.any().get({0, 0}, std::span<std::byte>(reinterpret_cast<std::byte*>(back.data()), 7)),
      std::invalid_argument);
}

TEST_F(DistributedArray, AccumulateFromEveryRank) {
  const index_t n = 1000;
  auto a = mm::create_npy<std::int64_t>(MPI_COMM_WORLD, *this / "acc.npy", {n});
  std::vector<std::int64_t> ones(static_cast<std::size_t>(n), 1);
  std::vector<std::int64_t> mine(static_cast<std::size_t>(n), rank);
  a.sync();
  a.accumulate({0}, ones);
  a.sync();  // every sum before any max
  a.accumulate({0}, mine, mm::accumulate_op::max);
  a.sync();
  std::vector<std::int64_t> back(static_cast<std::size_t>(n));
  a.get({0}, back);
  // max(ranks, ranks - 1) after every rank's sum, then every rank's max.
  for (auto v : back) EXPECT_EQ(v, ranks);
}

TEST_F(DistributedArray, AllRanksHammerOneCounter) {
  constexpr index_t adds = 2000;
  constexpr index_t swaps = 500;
  auto a = mm::create_npy<std::uint64_t>(MPI_COMM_WORLD, *this / "counter.npy", {2});
  a.sync();
  // Element 0: fetch_add from every rank; each previous value is handed out exactly once.
  std::vector<std::uint64_t> seen;
  seen.reserve(adds);
  for (index_t k = 0; k < adds; ++k) seen.push_back(a.fetch_add({0}, 1));
  // Element 1: the same count by compare-exchange loops.
  for (index_t k = 0; k < swaps; ++k) {
    std::uint64_t expected = a.atomic_load({1});
    while (!a.compare_exchange({1}, expected, expected + 1)) {
    }
  }
  a.sync();
  EXPECT_EQ(a.atomic_load({0}), static_cast<std::uint64_t>(adds * ranks));
  EXPECT_EQ(a.atomic_load({1}), static_cast<std::uint64_t>(swaps * ranks));
  std::vector<std::uint64_t> every(static_cast<std::size_t>(adds * ranks));
  MPI_Allgather(seen.data(), static_cast<int>(adds), MPI_UINT64_T, every.data(),
                static_cast<int>(adds), MPI_UINT64_T, MPI_COMM_WORLD);
  std::sort(every.begin(), every.end());
  for (std::size_t k = 0; k < every.size(); ++k) ASSERT_EQ(every[k], k);
}

TEST_F(DistributedArray, FloatAtomicsAndStores) {
  auto a = mm::create_npy<double>(MPI_COMM_WORLD, *this / "f.npy", {3});
  a.sync();
  a.fetch_add({2}, 0.5);
  double expected = 0.0;
  if (rank == 0) {
    EXPECT_TRUE(a.compare_exchange({1}, expected, -0.0));
    double positive_zero = 0.0;
    EXPECT_FALSE(a.compare_exchange({1}, positive_zero, 1.0));  // compared by bits
    EXPECT_TRUE(std::signbit(positive_zero));
    a.atomic_store({0}, 42.0);
  }
  a.sync();
  EXPECT_EQ(a.atomic_load({2}), 0.5 * ranks);
  EXPECT_EQ(a.atomic_load({0}), 42.0);
  a.sync();
  if (rank == ranks - 1) {
    EXPECT_EQ(a.fetch_op({0}, 7.0, mm::accumulate_op::min), 42.0);
  }
  a.sync();
  EXPECT_EQ(a.get({0}), 7.0);
  EXPECT_THROW(a.fetch_op({0}, 1.0, mm::accumulate_op::band), std::invalid_argument);
}

TEST_F(DistributedArray, ReadOnlyArraysRefuseWrites) {
  const auto path = *this / "ro.npy";
  mm::create_npy<std::int32_t>(MPI_COMM_WORLD, path, {8}).close();
  auto any = mm::open_npy(MPI_COMM_WORLD, path);  // read-only by default
  EXPECT_EQ(any.mode(), ma::mode::read);
  std::int32_t v = 1;
  EXPECT_THROW(any.put({0}, std::as_bytes(std::span(&v, 1))), std::invalid_argument);
  EXPECT_THROW(any.fetch_op({0}, &v, &v, mm::accumulate_op::sum), std::invalid_argument);
  any.fetch_op({0}, nullptr, &v, mm::accumulate_op::replace);  // an atomic load is fine
  EXPECT_EQ(v, 0);
  EXPECT_THROW(any.as<std::int32_t>(), std::invalid_argument);
  EXPECT_THROW(any.as<float>(), ma::type_error);
  EXPECT_EQ(any.as<const std::int32_t>().get({7}), 0);
}

TEST_F(DistributedArray, RawFileWithOffsetAndInferredShape) {
  const auto path = *this / "raw.f32";
  const index_t rows = 11;
  if (rank == 0) {
    std::vector<float> data(static_cast<std::size_t>(rows * 4));
    std::iota(data.begin(), data.end(), 0.0f);
    std::ofstream out(path, std::ios::binary);
    const char header[16] = "sixteen bytes..";
    out.write(header, 16);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size() * sizeof(float)));
  }
  MPI_Barrier(MPI_COMM_WORLD);
  auto a = mm::map_file<float>(MPI_COMM_WORLD, path, {-1, 4}, {.offset = 16});
  ASSERT_EQ(a.shape()[0], rows);
  EXPECT_EQ(a.get({10, 3}), 43.0f);
  const auto local = a.local();
  if (local.size() > 0) {
    EXPECT_EQ(local(0, 0), static_cast<float>(a.blocks().first(rank) * 4));
  }
  // Creating a raw file distributed, then reading it on one machine.
  auto c = mm::create_file<std::int16_t>(MPI_COMM_WORLD, *this / "new.i16", {rows, 2});
  for (index_t i = 0; i < c.local().extent(0); ++i) {
    c.local()(i, 1) = static_cast<std::int16_t>(c.blocks().first(rank) + i);
  }
  c.flush();
  const auto whole = ma::map_file<const std::int16_t>(*this / "new.i16", {-1, 2});
  ASSERT_EQ(whole.extent(0), rows);
  for (index_t i = 0; i < rows; ++i) EXPECT_EQ(whole(i, 1), i);
}

TEST_F(DistributedArray, OverwriteReplacesOnlyOnSuccess) {
  const auto path = *this / "o.npy";
  mm::create_npy<float>(MPI_COMM_WORLD, path, {4}).close();
  EXPECT_THROW(mm::create_npy<float>(MPI_COMM_WORLD, path, {4}), std::system_error);
  auto b =
      mm::create_npy<double>(MPI_COMM_WORLD, path, {6, 2}, {.existing = ma::if_exists::replace});
  EXPECT_EQ(b.path(), path);
  b.flush();
  const auto head = ma::npy::read_header(path);
  EXPECT_EQ(head.shape, (ma::dims{6, 2}));
  // No temporary file is left beside it.
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(DistributedArray, CloseKeepsLocalViewsValid) {
  auto a = mm::create_npy<std::int32_t>(MPI_COMM_WORLD, *this / "close.npy", {ranks * 3});
  const auto local = a.local();
  auto copy = a;  // handles share one state
  a.close();
  EXPECT_FALSE(copy.is_open());
  EXPECT_THROW(copy.get({0}), std::logic_error);
  EXPECT_THROW(copy.sync(), std::logic_error);
  a.close();                    // twice is fine
  for (auto& x : local) x = 5;  // the slab is still mapped
  EXPECT_EQ(local.size(), static_cast<std::size_t>(a.blocks().count(rank)));
}

}  // namespace
