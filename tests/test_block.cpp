#include "maparray/block.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "injected_failure.hpp"
#include "maparray/raw_file.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::index_t;
using ma::testing::temp_dir;
using ma::testing::write_raw;

namespace {

const ma::dtype int32 = ma::dtype_of<std::int32_t>();

ma::file_layout layout(ma::dims shape, ma::order order = ma::order::c, std::int64_t offset = 0) {
  return {.type = int32, .shape = shape, .order = order, .offset = offset};
}

// A raw file of `prefix` zero bytes, then 0, 1, 2... as int32 (the flat index in file order).
std::filesystem::path iota_file(const temp_dir& dir, std::size_t count, std::size_t prefix = 0) {
  std::vector<std::int32_t> values(prefix / 4 + count, 0);
  std::iota(values.begin() + static_cast<std::ptrdiff_t>(prefix / 4), values.end(), 0);
  const auto path = dir / "iota.i32";
  write_raw<std::int32_t>(path, values);
  return path;
}

}  // namespace

TEST(BlockBytes, SpanFromFirstToLastElementInCOrder) {
  // A (6, 10) array of int32 at offset 128: rows of 40 bytes.
  const auto l = layout({6, 10}, ma::order::c, 128);
  const index_t start[] = {2, 3};
  const index_t extent[] = {3, 4};
  const auto r = ma::block_bytes(l, start, extent);
  EXPECT_EQ(r.offset, 128 + (2 * 10 + 3) * 4);
  EXPECT_EQ(r.length, ((4 * 10 + 6) - (2 * 10 + 3) + 1) * 4);
}

TEST(BlockBytes, SpanInFortranOrder) {
  const auto l = layout({6, 10}, ma::order::fortran);
  const index_t start[] = {2, 3};
  const index_t extent[] = {3, 4};
  const auto r = ma::block_bytes(l, start, extent);
  EXPECT_EQ(r.offset, (3 * 6 + 2) * 4);
  EXPECT_EQ(r.length, ((6 * 6 + 4) - (3 * 6 + 2) + 1) * 4);
}

TEST(BlockBytes, WholeRowsAreExactlyTheirBytes) {
  const auto l = layout({100, 7, 3});
  const index_t start[] = {10, 0, 0};
  const index_t extent[] = {20, 7, 3};
  const auto r = ma::block_bytes(l, start, extent);
  EXPECT_EQ(r.offset, 10 * 21 * 4);
  EXPECT_EQ(r.length, 20 * 21 * 4);
}

TEST(BlockBytes, EmptyBlockAndZeroDimensionalArray) {
  const index_t start[] = {6, 0};
  const index_t extent[] = {0, 10};
  EXPECT_EQ(ma::block_bytes(layout({6, 10}, ma::order::c, 64), start, extent).length, 0);
  const auto scalar = ma::block_bytes(layout(ma::dims{}, ma::order::c, 64), {}, {});
  EXPECT_EQ(scalar.offset, 64);
  EXPECT_EQ(scalar.length, 4);
}

TEST(BlockBytes, RefusesBadBlocks) {
  const auto l = layout({6, 10});
  const index_t two[] = {0, 0};
  const index_t one[] = {0};
  const index_t past[] = {4, 3};
  const index_t negative[] = {-1, 0};
  const index_t extent[] = {3, 4};
  EXPECT_THROW(ma::block_bytes(l, one, extent), std::invalid_argument);
  EXPECT_THROW(ma::block_bytes(l, negative, extent), std::invalid_argument);
  EXPECT_THROW(ma::block_bytes(l, past, extent), std::out_of_range);
  EXPECT_THROW(ma::block_bytes(l, two, negative), std::invalid_argument);
  EXPECT_THROW(ma::block_bytes(layout({6, 10}, ma::order::c, -8), two, extent),
               std::invalid_argument);
  const ma::file_layout huge{.type = int32, .shape = {index_t{1} << 62, 4}};
  EXPECT_THROW(ma::block_bytes(huge, two, extent), std::overflow_error);
  const ma::file_layout empty_records{.type = ma::dtype{}, .shape = {6, 10}};
  EXPECT_THROW(ma::block_bytes(empty_records, two, extent), std::invalid_argument);
}

TEST(MapBlock, ReadsTheBlockWithTheArraysStrides) {
  temp_dir dir;
  const auto path = iota_file(dir, 60, 128);
  const index_t start[] = {2, 3};
  const index_t extent[] = {3, 4};
  const auto block = ma::map_block(path, layout({6, 10}, ma::order::c, 128), start, extent);
  ASSERT_EQ(block.ndim(), 2u);
  EXPECT_EQ(block.byte_strides()[0], 40);
  EXPECT_EQ(block.byte_strides()[1], 4);
  EXPECT_FALSE(block.writable());
  const auto a = block.as<const std::int32_t>();
  for (index_t i = 0; i < 3; ++i) {
    for (index_t j = 0; j < 4; ++j) EXPECT_EQ(a(i, j), (2 + i) * 10 + 3 + j);
  }
  // Only the block's span is mapped.
  EXPECT_EQ(block.storage().size(), static_cast<std::size_t>(((4 * 10 + 6) - 23 + 1) * 4));
  EXPECT_EQ(block.storage().offset(), 128 + 23 * 4);
}

TEST(MapBlock, FortranOrder) {
  temp_dir dir;
  const auto path = iota_file(dir, 60);
  const index_t start[] = {1, 5};
  const index_t extent[] = {4, 2};
  const auto a = ma::map_block(path, layout({6, 10}, ma::order::fortran), start, extent)
                     .as<const std::int32_t>();
  for (index_t i = 0; i < 4; ++i) {
    for (index_t j = 0; j < 2; ++j) EXPECT_EQ(a(i, j), (5 + j) * 6 + 1 + i);
  }
}

TEST(MapBlock, EmptyBlockMapsNothing) {
  temp_dir dir;
  const auto path = iota_file(dir, 60);
  const index_t start[] = {0, 10};
  const index_t extent[] = {6, 0};
  const auto block = ma::map_block(path, layout({6, 10}), start, extent);
  EXPECT_EQ(block.size(), 0u);
  EXPECT_EQ(block.storage().size(), 0u);
}

TEST(MapBlock, FileTooShortOrMissing) {
  temp_dir dir;
  const auto path = iota_file(dir, 50);  // 10 elements short of (6, 10)
  const index_t start[] = {5, 0};
  const index_t extent[] = {1, 10};
  EXPECT_THROW(ma::map_block(path, layout({6, 10}), start, extent), std::out_of_range);
  const index_t first[] = {0, 0};
  EXPECT_NO_THROW(ma::map_block(path, layout({6, 10}), first, extent));
  try {
    ma::map_block(dir / "missing", layout({6, 10}), first, extent);
    ADD_FAILURE() << "no error for a missing file";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  }
  // A directory: EISDIR, as from every open.
  EXPECT_THROW(ma::map_block(dir.path(), layout({6, 10}), first, extent), std::system_error);
}

// Writers of disjoint blocks share pages (rows of 4000 bytes cut into columns of 100 elements)
// yet need no lock: each writes only its bytes of the same page-cache pages.
TEST(MapBlock, ThreadsWriteDisjointBlocksSharingPagesWithoutALock) {
  temp_dir dir;
  const auto path = dir / "out.i32";
  const ma::dims shape{64, 1000};
  ma::create_file<std::int32_t>(path, {64, 1000});
  std::vector<std::thread> writers;
  for (index_t column = 0; column < 1000; column += 100) {
    writers.emplace_back([&, column] {
      const index_t start[] = {0, column};
      const index_t extent[] = {64, 100};
      auto a = ma::map_block(path, layout(shape), start, extent, ma::mode::read_write)
                   .as<std::int32_t>();
      for (index_t i = 0; i < 64; ++i) {
        for (index_t j = 0; j < 100; ++j)
          a(i, j) = static_cast<std::int32_t>(i * 1000 + column + j);
      }
      a.storage().flush();
    });
  }
  for (auto& t : writers) t.join();
  const auto all = ma::map_file<const std::int32_t>(path);
  for (index_t k = 0; k < 64 * 1000; ++k) ASSERT_EQ(all(k), k);
}

TEST(MapBlock, ProcessesWriteDisjointBlocksOfOneFile) {
  temp_dir dir;
  const auto path = dir / "out.i32";
  const ma::dims shape{1000, 64};
  ma::create_file<std::int32_t>(path, {1000, 64});
  std::vector<std::unique_ptr<ma::testing::child_process>> children;
  for (index_t column = 0; column < 64; column += 16) {
    children.push_back(std::make_unique<ma::testing::child_process>([&, column] {
      const index_t start[] = {0, column};
      const index_t extent[] = {1000, 16};
      auto a = ma::map_block(path, layout(shape, ma::order::fortran), start, extent,
                             ma::mode::read_write)
                   .as<std::int32_t>();
      for (index_t i = 0; i < 1000; ++i) {
        for (index_t j = 0; j < 16; ++j)
          a(i, j) = static_cast<std::int32_t>((column + j) * 1000 + i);
      }
      return 0;  // no flush: the shared mapping's pages are the file's pages
    }));
  }
  for (auto& child : children) EXPECT_EQ(child->wait(), 0);
  const auto all = ma::map_file<const std::int32_t>(path);
  for (index_t k = 0; k < 64 * 1000; ++k) ASSERT_EQ(all(k), k);
}

namespace {

// The elements of the block [start, start + extent) of a (6, 10, 7) int32 array holding its
// flat C-order index, contiguous in `order`.
std::vector<std::int32_t> expected_block(const index_t (&start)[3], const index_t (&extent)[3],
                                         ma::order order) {
  std::vector<std::int32_t> values;
  const auto at = [&](index_t i, index_t j, index_t k) {
    values.push_back(
        static_cast<std::int32_t>(((start[0] + i) * 10 + start[1] + j) * 7 + start[2] + k));
  };
  if (order == ma::order::c) {
    for (index_t i = 0; i < extent[0]; ++i)
      for (index_t j = 0; j < extent[1]; ++j)
        for (index_t k = 0; k < extent[2]; ++k) at(i, j, k);
  } else {
    for (index_t k = 0; k < extent[2]; ++k)
      for (index_t j = 0; j < extent[1]; ++j)
        for (index_t i = 0; i < extent[0]; ++i) at(i, j, k);
  }
  return values;
}

std::span<std::byte> bytes_of(std::vector<std::int32_t>& v) {
  return std::as_writable_bytes(std::span(v));
}

}  // namespace

TEST(BlockCopy, ReadsTheBlockContiguouslyInTheFilesOrder) {
  temp_dir dir;
  const auto path = iota_file(dir, 6 * 10 * 7, 64);
  const index_t start[] = {1, 2, 3};
  const index_t extent[] = {4, 5, 3};
  std::vector<std::int32_t> out(60, -1);
  ma::read_block(path, layout({6, 10, 7}, ma::order::c, 64), start, extent, bytes_of(out));
  EXPECT_EQ(out, expected_block(start, extent, ma::order::c));
  // Whole rows and whole planes: fewer, longer runs.
  const index_t rows[] = {2, 3, 0};
  const index_t row_extent[] = {2, 4, 7};
  std::vector<std::int32_t> runs(56, -1);
  ma::read_block(path, layout({6, 10, 7}, ma::order::c, 64), rows, row_extent, bytes_of(runs));
  EXPECT_EQ(runs, expected_block(rows, row_extent, ma::order::c));
  const index_t planes[] = {4, 0, 0};
  const index_t plane_extent[] = {2, 10, 7};
  std::vector<std::int32_t> whole(140, -1);
  ma::read_block(path, layout({6, 10, 7}, ma::order::c, 64), planes, plane_extent, bytes_of(whole));
  EXPECT_EQ(whole, expected_block(planes, plane_extent, ma::order::c));
}

TEST(BlockCopy, WritesOnlyTheBlockInEitherOrder) {
  for (const auto order : {ma::order::c, ma::order::fortran}) {
    temp_dir dir;
    const auto path = dir / "out.i32";
    ma::create_file<std::int32_t>(path, {6 * 10 * 7});
    const index_t start[] = {1, 2, 3};
    const index_t extent[] = {4, 5, 3};
    // The same values, block by block, as the (6, 10, 7) C-order iota laid out in `order`.
    auto values = expected_block(start, extent, order);
    ma::write_block(path, layout({6, 10, 7}, order), start, extent, bytes_of(values));
    std::vector<std::int32_t> back(60, -1);
    ma::read_block(path, layout({6, 10, 7}, order), start, extent, bytes_of(back));
    EXPECT_EQ(back, values);
    // Nothing outside the block was written.
    const auto all = ma::map_file<const std::int32_t>(path);
    std::size_t written = 0;
    for (std::size_t k = 0; k < all.size(); ++k) written += all(static_cast<index_t>(k)) != 0;
    EXPECT_EQ(written, 60u);  // the block's values are all above 0
  }
}

TEST(BlockCopy, ZeroDimensionalAndEmptyBlocks) {
  temp_dir dir;
  const auto path = iota_file(dir, 3, 8);
  std::int32_t scalar = -1;
  ma::read_block(path, layout(ma::dims{}, ma::order::c, 12), {}, {},
                 std::as_writable_bytes(std::span(&scalar, 1)));
  EXPECT_EQ(scalar, 1);
  const index_t start[] = {0};
  const index_t extent[] = {0};
  ma::read_block(path, layout({3}, ma::order::c, 8), start, extent, {});
  ma::write_block(path, layout({3}, ma::order::c, 8), start, extent, {});
}

TEST(BlockCopy, RefusesAWrongSizeAndReportsSystemErrors) {
  temp_dir dir;
  const auto path = iota_file(dir, 60);
  const index_t start[] = {0, 0};
  const index_t extent[] = {2, 3};
  std::vector<std::int32_t> out(5);
  EXPECT_THROW(ma::read_block(path, layout({6, 10}), start, extent, bytes_of(out)),
               std::invalid_argument);
  out.resize(6);
  const index_t past[] = {5, 0};
  EXPECT_THROW(ma::read_block(path, layout({6, 10}), past, extent, bytes_of(out)),
               std::out_of_range);
  EXPECT_THROW(ma::write_block(dir / "missing", layout({6, 10}), start, extent, bytes_of(out)),
               std::system_error);
  EXPECT_THROW(ma::write_block(path, layout({7, 10}), past, extent, bytes_of(out)),
               std::out_of_range);  // the file is not extended
  EXPECT_EQ(std::filesystem::file_size(path), 240u);
  ma::testing::expect_injected_failure("pread", EIO, [&] {
    ma::read_block(path, layout({6, 10}), start, extent, bytes_of(out));
  });
  ma::testing::expect_injected_failure(
      "pwrite", ENOSPC,
      [&] {
        ma::write_block(path, layout({6, 10}), start, extent, bytes_of(out));
      },
      1);
}
