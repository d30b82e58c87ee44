#include "maparray/array.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

namespace ma = maparray;

namespace {

// An array over a vector holding 0, 1, 2, ...
template <class T>
struct counted_buffer {
  explicit counted_buffer(std::size_t n) : values(n) {
    std::iota(values.begin(), values.end(), T{});
  }
  std::span<std::byte> bytes() { return std::as_writable_bytes(std::span(values)); }
  std::vector<T> values;
};

}  // namespace

// Writing through an array of const elements must not compile.
template <class A>
concept writable_element = requires(A a) {
  a(0) = 1;
};
static_assert(writable_element<ma::array<float>>);
static_assert(!writable_element<ma::array<const float>>);
static_assert(std::is_convertible_v<ma::array<float>, ma::array<const float>>);
static_assert(!std::is_convertible_v<ma::array<const float>, ma::array<float>>);

TEST(Array, ShapeStridesAndElementsInCOrder) {
  counted_buffer<std::int64_t> buf(24);
  const auto a = ma::array_from_buffer<std::int64_t>(buf.bytes(), {-1, 3, 4});
  EXPECT_EQ(a.ndim(), 3u);
  EXPECT_EQ(a.size(), 24u);
  EXPECT_EQ(a.extent(0), 2);
  EXPECT_TRUE(std::ranges::equal(a.strides(), std::vector<ma::index_t>{12, 4, 1}));
  EXPECT_EQ(a(1, 2, 3), 23);
  EXPECT_EQ(a(0, 1, 0), 4);
  EXPECT_TRUE(a.is_c_contiguous());
  EXPECT_FALSE(a.is_f_contiguous());
}

TEST(Array, FortranOrderStridesTheOtherWay) {
  counted_buffer<float> buf(6);
  const auto a = ma::array_from_buffer<float>(buf.bytes(), {2, 3}, {.order = ma::order::fortran});
  EXPECT_TRUE(std::ranges::equal(a.strides(), std::vector<ma::index_t>{1, 2}));
  EXPECT_EQ(a(1, 0), 1.0f);
  EXPECT_EQ(a(0, 1), 2.0f);
  EXPECT_TRUE(a.is_f_contiguous());
  // Iteration is in logical C order whatever the layout.
  std::vector<float> seen(a.begin(), a.end());
  EXPECT_EQ(seen, (std::vector<float>{0, 2, 4, 1, 3, 5}));
}

TEST(Array, AtChecksEveryIndex) {
  counted_buffer<int> buf(12);
  const auto a = ma::array_from_buffer<int>(buf.bytes(), {3, 4});
  EXPECT_EQ(a.at(2, 3), 11);
  EXPECT_THROW(a.at(3, 0), std::out_of_range);
  EXPECT_THROW(a.at(0, 4), std::out_of_range);
  EXPECT_THROW(a.at(-1, 0), std::out_of_range);
  EXPECT_THROW(a.at(0), std::out_of_range);
  EXPECT_THROW(a.at(0, 0, 0), std::out_of_range);
  EXPECT_THROW(a.extent(2), std::out_of_range);
}

TEST(Array, WritesGoToTheBuffer) {
  counted_buffer<double> buf(8);
  const auto a = ma::array_from_buffer<double>(buf.bytes(), {2, 4});
  a(1, 1) = -3.5;
  EXPECT_EQ(buf.values[5], -3.5);
  const ma::array<const double> ro = a;
  EXPECT_EQ(ro(1, 1), -3.5);
}

TEST(Array, FlatSpanAndIterators) {
  counted_buffer<std::uint16_t> buf(10);
  const auto a = ma::array_from_buffer<std::uint16_t>(buf.bytes(), {2, 5});
  const auto flat = a.flat();
  EXPECT_EQ(flat.size(), 10u);
  EXPECT_EQ(flat.data(), a.data());
  EXPECT_EQ(std::accumulate(a.begin(), a.end(), 0), 45);
  EXPECT_EQ(a.end() - a.begin(), 10);
  auto it = a.begin();
  it += 7;
  EXPECT_EQ(*it, 7);
  EXPECT_EQ(it[-2], 5);
  std::ranges::sort(a.begin(), a.end(), std::greater<>{});
  EXPECT_EQ(buf.values.front(), 9);
}

TEST(Array, RowsAndSlicesShareStorage) {
  counted_buffer<int> buf(20);
  const auto a = ma::array_from_buffer<int>(buf.bytes(), {5, 4});
  const auto middle = a.rows(1, 3);
  EXPECT_EQ(middle.extent(0), 2);
  EXPECT_EQ(middle(0, 0), 4);
  EXPECT_TRUE(middle.is_c_contiguous());
  middle(1, 3) = 100;
  EXPECT_EQ(buf.values[11], 100);

  const auto columns = a.slice(1, 1, 4, 2);  // columns 1 and 3
  EXPECT_EQ(columns.extent(1), 2);
  EXPECT_EQ(columns(2, 1), 100);  // element 11, written through `middle` above
  EXPECT_FALSE(columns.is_contiguous());
  EXPECT_THROW(static_cast<void>(columns.flat()), std::logic_error);
  std::vector<int> seen(columns.begin(), columns.end());
  EXPECT_EQ(seen, (std::vector<int>{1, 3, 5, 7, 9, 100, 13, 15, 17, 19}));

  const auto reversed = a.slice(0, 4, -1, -1);
  EXPECT_EQ(reversed.extent(0), 5);
  EXPECT_EQ(reversed(0, 0), 16);
  EXPECT_EQ(reversed(4, 0), 0);

  EXPECT_THROW(a.rows(3, 6), std::out_of_range);
  EXPECT_THROW(a.rows(3, 2), std::out_of_range);
  EXPECT_THROW(a.slice(0, 0, 1, 0), std::invalid_argument);
  EXPECT_THROW(a.slice(2, 0, 1), std::out_of_range);
  EXPECT_EQ(a.rows(2, 2).size(), 0u);
}

TEST(Array, SlicesWithHugeStepsDoNotOverflow) {
  counted_buffer<int> buf(10);
  const auto a = ma::array_from_buffer<int>(buf.bytes());
  const ma::index_t max = std::numeric_limits<ma::index_t>::max();
  const ma::index_t min = std::numeric_limits<ma::index_t>::min();
  const auto forward = a.slice(0, 0, 10, max);
  ASSERT_EQ(forward.extent(0), 1);
  EXPECT_EQ(forward(0), 0);
  const auto backward = a.slice(0, 9, -1, min);
  ASSERT_EQ(backward.extent(0), 1);
  EXPECT_EQ(backward(0), 9);
  const auto two = a.slice(0, 1, 10, 8);
  ASSERT_EQ(two.extent(0), 2);
  EXPECT_EQ(two(1), 9);
  EXPECT_EQ(a.slice(0, 3, 3, max).extent(0), 0);
  EXPECT_EQ(a.slice(0, 3, 3, min).extent(0), 0);
}

TEST(Array, ZeroDimensionalHasOneElement) {
  counted_buffer<int> buf(1);
  const auto a = ma::array_from_buffer<int>(buf.bytes(), {});
  EXPECT_EQ(a.ndim(), 0u);
  EXPECT_EQ(a.size(), 1u);
  a() = 9;
  EXPECT_EQ(a.at(), 9);
}

TEST(Array, BufferShapeErrors) {
  counted_buffer<std::int64_t> buf(10);
  EXPECT_THROW(ma::array_from_buffer<std::int64_t>(buf.bytes(), {-1, 4}), std::invalid_argument);
  EXPECT_THROW(ma::array_from_buffer<std::int64_t>(buf.bytes(), {11}), std::invalid_argument);
  EXPECT_THROW(ma::array_from_buffer<std::int64_t>(buf.bytes(), {-1}, {.offset = 88}),
               std::out_of_range);
  EXPECT_THROW(ma::array_from_buffer<std::int64_t>(buf.bytes(), {-1}, {.count = 11}),
               std::out_of_range);
  // A trailing partial element is not silently dropped when the shape is inferred.
  EXPECT_THROW(ma::array_from_buffer<std::int64_t>(buf.bytes().first(20), {-1}),
               std::invalid_argument);
  // But a fixed shape may use a prefix.
  EXPECT_EQ(ma::array_from_buffer<std::int64_t>(buf.bytes(), {2, 2}).size(), 4u);
}

TEST(Array, MisalignedOffsetNamesTheNearestAlignedOffsets) {
  counted_buffer<std::int64_t> buf(10);
  try {
    ma::array_from_buffer<std::int64_t>(buf.bytes(), {-1}, {.offset = 12, .count = 2});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(" 8 "), std::string::npos) << what;
    EXPECT_NE(what.find("16"), std::string::npos) << what;
  }
  const auto a = ma::array_from_buffer<std::int64_t>(buf.bytes(), {-1}, {.offset = 16, .count = 2});
  EXPECT_EQ(a(0), 2);
}

TEST(Array, ReadOnlyBuffer) {
  const std::vector<std::int32_t> values{1, 2, 3, 4};
  const auto a =
      ma::array_from_buffer<const std::int32_t>(std::as_bytes(std::span(values)), {2, 2});
  EXPECT_EQ(a(1, 0), 3);
  EXPECT_FALSE(a.storage().writable());
}

TEST(Array, AtomicsOnElements) {
  counted_buffer<std::uint64_t> buf(4);
  const auto a = ma::array_from_buffer<std::uint64_t>(buf.bytes(), {2, 2});
  EXPECT_EQ(a.atomic(1, 1).fetch_add(5), 3u);
  EXPECT_EQ(buf.values[3], 8u);
  std::uint64_t expected = 8;
  EXPECT_TRUE(a.atomic(1, 1).compare_exchange_strong(expected, 1));
  EXPECT_EQ(buf.values[3], 1u);
  EXPECT_THROW(a.atomic(2, 0), std::out_of_range);
}

TEST(Array, DefaultIsEmpty) {
  const ma::array<float> a;
  EXPECT_EQ(a.size(), 0u);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.begin(), a.end());
  EXPECT_NO_THROW(a.flush());
  EXPECT_FALSE(a.storage().is_open());
}
