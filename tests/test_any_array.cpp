#include "maparray/any_array.hpp"
#include "maparray/raw_file.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::temp_dir;
using ma::testing::write_raw;

TEST(AnyArray, MapsARawFileWithARunTimeDtype) {
  temp_dir dir;
  std::vector<float> values(48);
  std::iota(values.begin(), values.end(), 0.0f);
  write_raw<float>(dir / "x.f32", values);
  const auto a = ma::map_file(dir / "x.f32", ma::dtype::parse("float32"), {-1, 12});
  EXPECT_EQ(a.type(), ma::dtype_of<float>());
  EXPECT_EQ(a.shape()[0], 4);
  EXPECT_EQ(a.byte_strides()[0], 48);
  EXPECT_TRUE(a.is_c_contiguous());
  EXPECT_FALSE(a.writable());
  const auto typed = a.as<const float>();
  EXPECT_EQ(typed(3, 11), 47.0f);
  EXPECT_THROW(a.as<float>(), std::invalid_argument);  // read-only
  EXPECT_THROW(a.as<const double>(), std::invalid_argument);
}

TEST(AnyArray, ByteOrderMismatchSaysHowToConvert) {
  temp_dir dir;
  write_raw<std::uint32_t>(dir / "x", std::vector<std::uint32_t>(4));
  const auto swapped = ma::native_order == ma::byte_order::little ? ">u4" : "<u4";
  const auto a = ma::map_file(dir / "x", ma::dtype::parse(swapped));
  try {
    a.as<const std::uint32_t>();
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("byte order"), std::string::npos) << e.what();
  }
}

TEST(AnyArray, UnalignedDataIsRefusedByAs) {
  temp_dir dir;
  write_raw<std::uint64_t>(dir / "x", std::vector<std::uint64_t>(4));
  const auto a = ma::map_file(dir / "x", ma::dtype::parse("<u4"), {-1}, {.offset = 2, .count = 3});
  EXPECT_EQ(a.size(), 3u);
  EXPECT_THROW(a.as<const std::uint32_t>(), std::invalid_argument);
}

TEST(AnyArray, CreatesRawFilesOfAnyDtype) {
  temp_dir dir;
  const auto a = ma::create_file(dir / "s", ma::dtype::parse("|S5"), {3});
  EXPECT_EQ(std::filesystem::file_size(dir / "s"), 15u);
  EXPECT_TRUE(a.writable());
  EXPECT_EQ(a.size_bytes(), 15u);
}

TEST(AnyArray, AsBytesOfChecksOnlyTheItemsize) {
  struct point {
    float x, y;
  };
  temp_dir dir;
  const auto a = ma::create_file(dir / "p", ma::dtype::parse("|V8"), {4});
  const auto points = a.as_bytes_of<point>();
  points(3).y = 2.0f;
  EXPECT_EQ(points(3).y, 2.0f);
  EXPECT_THROW(a.as_bytes_of<double[2]>(), std::invalid_argument);
}

TEST(AnyArray, ZeroSizeElementsAreRefusedNotDividedBy) {
  temp_dir dir;
  write_raw<std::uint8_t>(dir / "x", std::vector<std::uint8_t>(8));
  const auto empty_record = ma::dtype::record({}, 0);
  EXPECT_THROW(ma::map_file(dir / "x", empty_record), std::invalid_argument);
  EXPECT_THROW(ma::create_file(dir / "y", empty_record, {4}), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "y"));
}
