#include "maparray/staged_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include "injected_failure.hpp"
#include "maparray/block.hpp"
#include "maparray/npy.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::index_t;
using ma::testing::expect_injected_failure;
using ma::testing::temp_dir;

namespace {

std::size_t files_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

// Writes 0, 1, 2... into the staged (10, 6) int32 array through two blocks of rows.
void write_rows(const ma::staged_file& f, ma::order order = ma::order::c) {
  const ma::file_layout l{.type = ma::dtype_of<std::int32_t>(),
                          .shape = {10, 6},
                          .order = order,
                          .offset = f.data_offset};
  for (index_t row : {0, 5}) {
    const index_t start[] = {row, 0};
    const index_t extent[] = {5, 6};
    auto a = ma::map_block(f.temporary, l, start, extent, ma::mode::read_write).as<std::int32_t>();
    for (index_t i = 0; i < 5; ++i) {
      for (index_t j = 0; j < 6; ++j) a(i, j) = static_cast<std::int32_t>((row + i) * 6 + j);
    }
  }
}

}  // namespace

TEST(StagedFile, AppearsAtItsPathOnlyOnCommit) {
  temp_dir dir;
  const auto path = dir / "out.i32";
  const auto f = ma::stage_file(path, ma::dtype_of<std::int32_t>(), {10, 6});
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(f.temporary.parent_path(), dir.path());
  EXPECT_EQ(f.data_offset, 0);
  EXPECT_EQ(std::filesystem::file_size(f.temporary), 240u);
  write_rows(f);
  EXPECT_FALSE(std::filesystem::exists(path));
  ma::commit_staged(f);
  EXPECT_FALSE(std::filesystem::exists(f.temporary));
  const auto a = ma::map_file<const std::int32_t>(path);
  for (index_t k = 0; k < 60; ++k) EXPECT_EQ(a(k), k);
  EXPECT_EQ(files_in(dir.path()), 1u);
}

TEST(StagedFile, SpaceIsReservedUnlessSparse) {
  temp_dir dir;
  const auto reserved = ma::stage_file(dir / "a", ma::dtype_of<double>(), {1 << 20});
  const auto sparse =
      ma::stage_file(dir / "b", ma::dtype_of<double>(), {1 << 20}, {.sparse = true});
  struct stat r {
  }, s{};
  ASSERT_EQ(::stat(reserved.temporary.c_str(), &r), 0);
  ASSERT_EQ(::stat(sparse.temporary.c_str(), &s), 0);
  EXPECT_GE(r.st_blocks * 512, 8 << 20);
  EXPECT_LT(s.st_blocks * 512, 8 << 20);
  EXPECT_EQ(s.st_size, 8 << 20);
}

TEST(StagedFile, NpyHasTheHeaderCreateNpyWrites) {
  temp_dir dir;
  const auto path = dir / "out.npy";
  const auto f = ma::stage_npy(path, ma::dtype_of<std::int32_t>(), {10, 6});
  const auto header =
      ma::npy::format_header(ma::dtype_of<std::int32_t>(), ma::dims{10, 6}.span(), false);
  EXPECT_EQ(f.data_offset, static_cast<index_t>(header.size()));
  write_rows(f);
  ma::commit_staged(f);
  const auto a = ma::open_npy<const std::int32_t>(path);
  ASSERT_EQ(a.shape()[0], 10);
  ASSERT_EQ(a.shape()[1], 6);
  for (index_t i = 0; i < 10; ++i) {
    for (index_t j = 0; j < 6; ++j) EXPECT_EQ(a(i, j), i * 6 + j);
  }
}

TEST(StagedFile, FortranOrderNpy) {
  temp_dir dir;
  const auto path = dir / "out.npy";
  const auto f =
      ma::stage_npy(path, ma::dtype_of<std::int32_t>(), {10, 6}, {.order = ma::order::fortran});
  write_rows(f, ma::order::fortran);
  ma::commit_staged(f);
  const auto a = ma::open_npy<const std::int32_t>(path);
  EXPECT_FALSE(a.is_c_contiguous());
  for (index_t i = 0; i < 10; ++i) {
    for (index_t j = 0; j < 6; ++j) EXPECT_EQ(a(i, j), i * 6 + j);
  }
}

TEST(StagedFile, ExistingPathIsRefusedUnlessOverwrite) {
  temp_dir dir;
  const auto path = dir / "out.i32";
  ma::create_file<std::int32_t>(path, {3});
  try {
    ma::stage_file(path, ma::dtype_of<std::int32_t>(), {10, 6});
    ADD_FAILURE() << "an existing file was not refused";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::file_exists);
  }
  EXPECT_EQ(files_in(dir.path()), 1u);  // no temporary file left

  const auto f = ma::stage_file(path, ma::dtype_of<std::int32_t>(), {10, 6},
                                {.existing = ma::if_exists::replace});
  write_rows(f);
  EXPECT_EQ(std::filesystem::file_size(path), 12u);  // the old file until commit
  ma::commit_staged(f);
  EXPECT_EQ(std::filesystem::file_size(path), 240u);
}

TEST(StagedFile, IfExistsOpenIsRefused) {
  temp_dir dir;
  const auto path = dir / "out.i32";
  EXPECT_THROW(ma::stage_file(path, ma::dtype_of<std::int32_t>(), {10, 6},
                              {.existing = ma::if_exists::open}),
               std::invalid_argument);
  EXPECT_EQ(files_in(dir.path()), 0u);
  auto f = ma::stage_file(path, ma::dtype_of<std::int32_t>(), {10, 6});
  f.existing = ma::if_exists::open;
  EXPECT_THROW(ma::commit_staged(f), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(path));
  ma::discard_staged(f);
}

TEST(StagedFile, CommitRefusesAFileThatAppearedMeanwhile) {
  temp_dir dir;
  const auto path = dir / "out.i32";
  const auto f = ma::stage_file(path, ma::dtype_of<std::int32_t>(), {10, 6});
  ma::create_file<std::int32_t>(path, {3});
  try {
    ma::commit_staged(f);
    ADD_FAILURE() << "commit replaced a file";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::file_exists) << e.what();
  }
  EXPECT_EQ(std::filesystem::file_size(path), 12u);
  EXPECT_TRUE(std::filesystem::exists(f.temporary));
  ma::discard_staged(f);
  EXPECT_FALSE(std::filesystem::exists(f.temporary));
  ma::discard_staged(f);  // twice is harmless
  EXPECT_EQ(files_in(dir.path()), 1u);
}

TEST(StagedFile, RefusesBadShapes) {
  temp_dir dir;
  EXPECT_THROW(ma::stage_file(dir / "a", ma::dtype_of<std::int32_t>(), {-1, 6}),
               std::invalid_argument);
  EXPECT_THROW(ma::stage_npy(dir / "a", ma::dtype_of<std::int32_t>(), {-1, 6}),
               std::invalid_argument);
  EXPECT_THROW(ma::stage_file(dir / "a", ma::dtype{}, {6}), std::invalid_argument);
  EXPECT_THROW(ma::stage_file(dir / "a", ma::dtype_of<double>(), {index_t{1} << 62}),
               std::overflow_error);
  EXPECT_THROW(ma::stage_file(dir / "no" / "a", ma::dtype_of<double>(), {6}), std::system_error);
  EXPECT_EQ(files_in(dir.path()), 0u);
}

TEST(StagedFile, FailuresLeaveNothingAtThePath) {
  temp_dir dir;
  const auto path = dir / "out.npy";
  const auto type = ma::dtype_of<std::int32_t>();
  expect_injected_failure("posix_fallocate", ENOSPC, [&] { ma::stage_npy(path, type, {10, 6}); });
  expect_injected_failure("pwrite", EIO, [&] { ma::stage_npy(path, type, {10, 6}); });
  EXPECT_EQ(files_in(dir.path()), 0u);

  const auto f = ma::stage_npy(path, type, {10, 6});
  write_rows(f);
  expect_injected_failure("fdatasync", EIO, [&] { ma::commit_staged(f); });
  expect_injected_failure("rename", EIO, [&] { ma::commit_staged(f); });
  EXPECT_FALSE(std::filesystem::exists(path));
  ma::discard_staged(f);
  EXPECT_EQ(files_in(dir.path()), 0u);

  // A failed directory sync comes after the rename: the file is whole, and the error reported.
  const auto g = ma::stage_npy(path, type, {10, 6});
  write_rows(g);
  expect_injected_failure("fsync", EIO, [&] { ma::commit_staged(g); });
  EXPECT_EQ(ma::open_npy<const std::int32_t>(path)(9, 5), 59);
}

TEST(StagedFile, CommitOfAMissingTemporaryFileFails) {
  temp_dir dir;
  const auto f = ma::stage_file(dir / "out", ma::dtype_of<std::int32_t>(), {4});
  ma::discard_staged(f);
  try {
    ma::commit_staged(f);
    ADD_FAILURE() << "commit of a discarded file succeeded";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}
