// Arrays keep their storage alive; closing is refused while they live; nothing leaks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "maparray/maparray.hpp"
#include "resource_counts.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::mapped_regions;
using ma::testing::open_descriptors;
using ma::testing::temp_dir;
using ma::testing::write_raw;

namespace {

std::filesystem::path floats(const temp_dir& dir) {
  std::vector<float> values(1024);
  std::iota(values.begin(), values.end(), 0.0f);
  write_raw<float>(dir / "x.f32", values);
  return dir / "x.f32";
}

}  // namespace

TEST(Lifetime, AnArrayOutlivesEveryHandleToItsMapping) {
  temp_dir dir;
  ma::array<const float> kept;
  {
    const auto a = ma::map_file<const float>(floats(dir), {-1, 32});
    kept = a.rows(10, 12);
  }
  EXPECT_EQ(kept(1, 31), 383.0f);
}

TEST(Lifetime, CloseWithLiveArraysThrowsBusyAndKeepsThemValid) {
  temp_dir dir;
  auto a = ma::map_file<float>(floats(dir));
  auto m = a.storage();
  const auto copy = a;
  EXPECT_EQ(m.views(), 2);
  EXPECT_THROW(m.close(), ma::busy_error);
  EXPECT_EQ(copy(5), 5.0f);
  a = {};
  EXPECT_THROW(m.close(), ma::busy_error);
  EXPECT_EQ(copy(6), 6.0f);
}

TEST(Lifetime, CloseAfterTheLastArraySucceeds) {
  temp_dir dir;
  ma::mapping m;
  {
    const auto a = ma::map_file<const float>(floats(dir));
    m = a.storage();
  }
  EXPECT_EQ(m.views(), 0);
  EXPECT_NO_THROW(m.close());
  EXPECT_FALSE(m.is_open());
}

TEST(Lifetime, MovingAnArrayMovesItsLease) {
  temp_dir dir;
  auto a = ma::map_file<const float>(floats(dir));
  const auto m = a.storage();
  auto b = std::move(a);
  EXPECT_EQ(m.views(), 1);
  EXPECT_EQ(b(1), 1.0f);
}

TEST(Lifetime, TenThousandArraysLeaveNoDescriptorOrMappingBehind) {
  temp_dir dir;
  const auto path = floats(dir);
  // Warm up anything the library or the C++ runtime maps once.
  static_cast<void>(ma::map_file<const float>(path)(0));
  const std::size_t fds = open_descriptors();
  const std::size_t maps = mapped_regions(dir.path());
  {
    // The counts do see a live array, so that the checks below can fail.
    const auto live = ma::map_file<const float>(path);
    EXPECT_EQ(open_descriptors(), fds + 1);
    EXPECT_EQ(mapped_regions(dir.path()), maps + 1);
  }
  double total = 0;
  for (int i = 0; i < 10000; ++i) {
    const auto a =
        ma::map_file<const float>(path, {-1, 8}, {.offset = 4 * (i % 100), .count = 800});
    const auto b = a.rows(1, 3);
    total += b(1, 1);
  }
  EXPECT_GT(total, 0);
  EXPECT_EQ(open_descriptors(), fds);
  EXPECT_EQ(mapped_regions(dir.path()), maps);
}

TEST(Lifetime, FailedOpensLeaveNoDescriptorBehind) {
  temp_dir dir;
  const auto path = floats(dir);
  const std::size_t fds = open_descriptors();
  for (int i = 0; i < 1000; ++i) {
    EXPECT_THROW(ma::map_file<const float>(path, {-1, 7}), std::invalid_argument);
    EXPECT_THROW(ma::map_file<const float>(path, {-1}, {.offset = 5000}), std::out_of_range);
    EXPECT_THROW(ma::create_file<float>(path, {3}), std::system_error);
  }
  EXPECT_EQ(open_descriptors(), fds);
}
