// A full filesystem: creating or growing a file fails cleanly with ENOSPC and removes what it
// created. The tests mount a 4 MiB tmpfs, and a loop-mounted ext4 image where a disk file system
// behaves differently, so they need root (and skip with a reason otherwise).
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "maparray/maparray.hpp"
#include "loop_ext4.hpp"
#include "resource_counts.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::entries_in;
using ma::testing::temp_dir;

namespace {

class FullDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a small filesystem needs root";
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, "size=4m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }

  template <class F>
  void expect_enospc(F operation) {
    try {
      operation();
      ADD_FAILURE() << "expected ENOSPC";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::no_space_on_device) << e.what();
    }
  }

  temp_dir dir_;
  bool mounted_ = false;
};

}  // namespace

TEST_F(FullDisk, CreatingMoreThanFitsFailsAndLeavesNothing) {
  expect_enospc([&] { ma::create_file<double>(dir_ / "big", {1 << 20}); });  // 8 MiB
  EXPECT_EQ(entries_in(dir_.path()), 0u);
}

TEST_F(FullDisk, OverwriteOnAFullDiskKeepsTheOldFile) {
  {
    const auto a = ma::create_file<double>(dir_ / "data", {1000});
    a(999) = 42;
  }
  expect_enospc([&] {
    ma::create_file<double>(dir_ / "data", {1 << 20}, {.existing = ma::if_exists::replace});
  });
  EXPECT_EQ(entries_in(dir_.path()), 1u);
  EXPECT_EQ(ma::map_file<const double>(dir_ / "data")(999), 42.0);
}

TEST_F(FullDisk, FilesThatFitStillWorkAfterAFailure) {
  expect_enospc([&] { ma::create_file<float>(dir_ / "big", {2 << 20}); });
  const auto small = ma::create_file<float>(dir_ / "small", {1 << 18});  // 1 MiB
  small(12345) = 1.5f;
  small.flush();
  EXPECT_EQ(ma::map_file<const float>(dir_ / "small")(12345), 1.5f);
}

TEST_F(FullDisk, GrowingPastTheEndFailsAndKeepsTheFile) {
  { ma::create_file<std::uint8_t>(dir_ / "grow", {1 << 20}); }
  expect_enospc([&] { ma::resize_file(dir_ / "grow", 16 << 20); });
  EXPECT_EQ(ma::map_file<const std::uint8_t>(dir_ / "grow").size(), 1u << 20);
}

namespace {

// The same on ext4, whose posix_fallocate keeps the blocks it could allocate (and the length
// they reach) when it runs out of space part way.
class FullExt4 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!disk_.mounted()) GTEST_SKIP() << disk_.why();
  }

  // The free space in bytes.
  static std::int64_t free_space(const std::filesystem::path& path) {
    return static_cast<std::int64_t>(std::filesystem::space(path).available);
  }

  ma::testing::loop_ext4 disk_{32 << 20};
};

}  // namespace

TEST_F(FullExt4, GrowingPastTheFreeSpaceKeepsTheLengthAndFreesTheSpace) {
  const auto path = disk_ / "grow";
  {
    auto a = ma::create_file<std::uint8_t>(path, {4096});
    a(4095) = 7;
  }
  const auto free = free_space(disk_.mount_point());
  try {
    ma::resize_file(path, 64 << 20);
    FAIL() << "grew past the free space";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_space_on_device) << e.what();
  }
  EXPECT_EQ(std::filesystem::file_size(path), 4096u);
  EXPECT_GE(free_space(disk_.mount_point()), free - (64 << 10));  // metadata at most
  EXPECT_EQ(ma::map_file<const std::uint8_t>(path)(4095), 7);
}

TEST_F(FullExt4, AnAppendPastTheFreeSpaceChangesNothing) {
  const auto path = disk_ / "log.npy";
  {
    auto a = ma::create_npy<std::int64_t>(path, {4, 2});
    a(3, 1) = 42;
  }
  const auto size = std::filesystem::file_size(path);
  const auto free = free_space(disk_.mount_point());
  const std::vector<std::int64_t> rows(static_cast<std::size_t>(free / 8 + (1 << 20)), 1);
  EXPECT_THROW(ma::append_npy<std::int64_t>(path, rows), std::system_error);
  EXPECT_EQ(std::filesystem::file_size(path), size);
  EXPECT_GE(free_space(disk_.mount_point()), free - (64 << 10));
  const auto a = ma::open_npy<const std::int64_t>(path);
  EXPECT_EQ(a.shape_dims(), (ma::dims{4, 2}));
  EXPECT_EQ(a(3, 1), 42);
  // What fits still goes in.
  ma::append_npy<std::int64_t>(path, std::vector<std::int64_t>{5, 6});
  EXPECT_EQ(ma::open_npy<const std::int64_t>(path)(4, 1), 6);
}

TEST_F(FullExt4, AnAppenderDroppedWithoutCommitGivesTheSpaceBack) {
  const auto path = disk_ / "part.npy";
  ma::create_npy<std::int32_t>(path, {0, 4});
  const auto size = std::filesystem::file_size(path);
  const auto free = free_space(disk_.mount_point());
  {
    ma::npy_appender append(path, (free / 16) / 2);  // half the disk
    const std::vector<std::int32_t> row = {1, 2, 3, 4};
    append.write(std::as_bytes(std::span(row)));
  }
  EXPECT_EQ(std::filesystem::file_size(path), size);
  EXPECT_GE(free_space(disk_.mount_point()), free - (64 << 10));
}
