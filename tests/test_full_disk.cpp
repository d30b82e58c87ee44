// A full filesystem: creating or growing a file fails cleanly with ENOSPC and removes what it
// created. The test mounts a 4 MiB tmpfs, so it needs root (and skips with a reason otherwise).
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "maparray/maparray.hpp"
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
  expect_enospc([&] { ma::create_file<double>(dir_ / "data", {1 << 20}, {.overwrite = true}); });
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
