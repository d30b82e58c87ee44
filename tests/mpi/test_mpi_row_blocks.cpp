// Block distributions of rows over ranks (maparray::mpi::row_blocks): plain arithmetic, no MPI
// job needed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "maparray/mpi.hpp"

namespace ma = maparray;
using ma::index_t;
using ma::mpi::row_blocks;

namespace {

// Every row has exactly one owner, blocks are contiguous and in rank order.
void expect_consistent(const row_blocks& b) {
  index_t next = 0;
  for (int r = 0; r < b.ranks(); ++r) {
    EXPECT_EQ(b.first(r), next);
    EXPECT_GE(b.count(r), 0);
    for (index_t row = b.first(r); row < b.end(r); ++row) EXPECT_EQ(b.owner(row), r);
    next = b.end(r);
  }
  EXPECT_EQ(next, b.rows());
}

TEST(RowBlocks, EvenGivesTheRemainderToTheFirstRanks) {
  const auto b = row_blocks::even(10, 4);
  EXPECT_EQ(b.counts(), (std::vector<index_t>{3, 3, 2, 2}));
  expect_consistent(b);
}

TEST(RowBlocks, MoreRanksThanRowsLeavesSomeEmpty) {
  const auto b = row_blocks::even(3, 5);
  EXPECT_EQ(b.counts(), (std::vector<index_t>{1, 1, 1, 0, 0}));
  expect_consistent(b);
  EXPECT_EQ(b.owner(2), 2);
  EXPECT_EQ(row_blocks::even(0, 3).counts(), (std::vector<index_t>{0, 0, 0}));
}

TEST(RowBlocks, ExplicitCountsWithEmptyBlocks) {
  const std::vector<index_t> counts{0, 4, 0, 0, 2};
  const auto b = row_blocks::from_counts(counts);
  EXPECT_EQ(b.counts(), counts);
  expect_consistent(b);
  EXPECT_EQ(b.owner(0), 1);
  EXPECT_EQ(b.owner(3), 1);
  EXPECT_EQ(b.owner(4), 4);
  EXPECT_EQ(b.first(2), 4);
  EXPECT_EQ(b.count(2), 0);
}

TEST(RowBlocks, RejectsBadInput) {
  EXPECT_THROW(row_blocks::even(-1, 2), std::invalid_argument);
  EXPECT_THROW(row_blocks::even(5, 0), std::invalid_argument);
  const std::vector<index_t> negative{2, -1};
  EXPECT_THROW(row_blocks::from_counts(negative), std::invalid_argument);
  EXPECT_THROW(row_blocks::from_counts(std::vector<index_t>{}), std::invalid_argument);
  const auto b = row_blocks::even(4, 2);
  EXPECT_THROW((void)b.owner(4), std::out_of_range);
  EXPECT_THROW((void)b.owner(-1), std::out_of_range);
  EXPECT_THROW((void)b.first(2), std::out_of_range);
  EXPECT_THROW((void)b.end(-1), std::out_of_range);
}

TEST(RowBlocks, AlignedPutsBoundariesOnPagesOfElements) {
  // Rows of 3 elements, 4096-byte pages: boundaries on multiples of 4096 rows (12288 elements,
  // a multiple of 4096 whatever the element size).
  const index_t rows = 1'000'000;
  const auto b = row_blocks::aligned(rows, 4, 3, 4096);
  expect_consistent(b);
  const auto even = row_blocks::even(rows, 4);
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(b.first(r) % 4096, 0) << r;
    EXPECT_LE(std::abs(b.end(r) - even.end(r)), 2048) << r;  // the nearest such row
  }
  // Rows of 1024 elements: every fourth row.
  const auto wide = row_blocks::aligned(10, 3, 1024, 4096);
  EXPECT_EQ(wide.counts(), (std::vector<index_t>{4, 4, 2}));
}

TEST(RowBlocks, AlignedIgnoresTheElementType) {
  // Only the shape decides, so arrays of one shape and different dtypes can be combined.
  EXPECT_EQ(row_blocks::aligned(30011, 3, 7, 4096), row_blocks::aligned(30011, 3, 7, 4096));
  const auto b = row_blocks::aligned(30011, 3, 7, 4096);
  for (int r = 1; r < 3; ++r) EXPECT_EQ(b.first(r) * 7 % 4096, 0);
}

TEST(RowBlocks, AlignedSmallArraysGatherOnFewRanks) {
  // 10 elements: no inner page boundary, so one rank holds them all.
  const auto b = row_blocks::aligned(10, 4, 1, 4096);
  expect_consistent(b);
  const auto counts = b.counts();
  EXPECT_EQ(std::count(counts.begin(), counts.end(), 10), 1);
}

TEST(RowBlocks, AlignedWithRowsOfWholePages) {
  // Rows of 3 pages of bytes' worth of elements: every row boundary qualifies.
  EXPECT_EQ(row_blocks::aligned(10, 4, 3 * 4096, 4096), row_blocks::even(10, 4));
  EXPECT_EQ(row_blocks::aligned(0, 4, 5, 4096), row_blocks::even(0, 4));
  EXPECT_EQ(row_blocks::aligned(7, 1, 5, 4096), row_blocks::even(7, 1));
  EXPECT_THROW(row_blocks::aligned(7, 2, 5, 0), std::invalid_argument);
}

}  // namespace
