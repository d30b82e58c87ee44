#include "maparray/any_array.hpp"
#include "maparray/raw_file.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
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
  EXPECT_THROW(a.as<const double>(), ma::type_error);
}

TEST(AnyArray, ByteOrderMismatchSaysHowToConvert) {
  temp_dir dir;
  write_raw<std::uint32_t>(dir / "x", std::vector<std::uint32_t>(4));
  const auto swapped = ma::native_order == ma::byte_order::little ? ">u4" : "<u4";
  const auto a = ma::map_file(dir / "x", ma::dtype::parse(swapped));
  try {
    a.as<const std::uint32_t>();
    FAIL() << "expected an error";
  } catch (const ma::type_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("byte order"), std::string::npos) << what;
    EXPECT_NE(what.find((dir / "x").string()), std::string::npos) << what;  // the file
    EXPECT_NE(what.find(swapped), std::string::npos) << what;
    EXPECT_NE(what.find(ma::dtype_of<std::uint32_t>().str()), std::string::npos) << what;
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
  EXPECT_THROW(a.as_bytes_of<double[2]>(), ma::type_error);
}

TEST(AnyArray, ZeroSizeElementsAreRefusedNotDividedBy) {
  temp_dir dir;
  write_raw<std::uint8_t>(dir / "x", std::vector<std::uint8_t>(8));
  const auto empty_record = ma::dtype::record({}, 0);
  EXPECT_THROW(ma::map_file(dir / "x", empty_record), std::invalid_argument);
  EXPECT_THROW(ma::create_file(dir / "y", empty_record, {4}), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "y"));
}

TEST(AnyArray, ViewsPartOfAMappingWithARunTimeDtype) {
  std::vector<std::int16_t> values(12);
  std::iota(values.begin(), values.end(), std::int16_t{0});
  const auto storage = ma::mapping::borrow(std::as_writable_bytes(std::span(values)), true);
  // Elements 1..6 (bytes 2..14) as 2 x 3 in Fortran order: an unaligned start is allowed.
  const auto a = ma::array_from_mapping(storage, ma::dtype_of<std::int16_t>(), {2, -1},
                                        {.offset = 2, .count = 6, .order = ma::order::fortran});
  ASSERT_EQ(a.ndim(), 2u);
  EXPECT_EQ(a.shape()[1], 3);
  EXPECT_EQ(a.byte_strides()[0], 2);
  EXPECT_EQ(a.byte_strides()[1], 4);
  EXPECT_TRUE(a.is_f_contiguous());
  EXPECT_TRUE(a.writable());
  EXPECT_EQ(a.data(), storage.data() + 2);
  EXPECT_EQ(storage.views(), 1);  // the array keeps the mapping
  auto typed = a.as<std::int16_t>();
  EXPECT_EQ(typed(1, 2), 6);
  typed(0, 0) = 99;
  EXPECT_EQ(values[1], 99);
  // Every whole element by default; an odd offset is fine for opaque elements.
  const auto bytes = ma::array_from_mapping(storage, ma::dtype::parse("|V3"), {-1}, {.offset = 3});
  EXPECT_EQ(bytes.size(), 7u);
  const auto read_only = ma::array_from_mapping(
      ma::mapping::borrow(std::as_writable_bytes(std::span(values)), false), ma::dtype_of<float>());
  EXPECT_FALSE(read_only.writable());
  EXPECT_EQ(read_only.size(), 6u);
}

TEST(AnyArray, ViewOfAMappingRefusesWhatDoesNotFit) {
  std::vector<std::byte> bytes(10);
  const auto storage = ma::mapping::borrow(bytes, true);
  const auto i4 = ma::dtype_of<std::int32_t>();
  EXPECT_THROW(ma::array_from_mapping(storage, i4, {3}), std::invalid_argument);
  EXPECT_THROW(ma::array_from_mapping(storage, i4, {-1}), std::invalid_argument);  // 10 % 4
  EXPECT_THROW(ma::array_from_mapping(storage, i4, {-1}, {.count = 3}), std::out_of_range);
  EXPECT_THROW(ma::array_from_mapping(storage, i4, {-1}, {.offset = 11}), std::out_of_range);
  EXPECT_THROW(ma::array_from_mapping(storage, i4, {-1}, {.offset = -1}), std::invalid_argument);
  EXPECT_THROW(ma::array_from_mapping(storage, ma::dtype(), {-1}), std::invalid_argument);
  EXPECT_THROW(ma::array_from_mapping(ma::mapping(), i4, {-1}), std::logic_error);
  auto closed = ma::mapping::borrow(bytes, true);
  closed.close();
  EXPECT_THROW(ma::array_from_mapping(closed, i4, {-1}, {.count = 1}), std::logic_error);
  EXPECT_EQ(storage.views(), 0);
}
