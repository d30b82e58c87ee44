#include "maparray/shape.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <list>
#include <vector>

namespace ma = maparray;

TEST(Shape, InfersTheSingleMinusOne) {
  EXPECT_EQ(ma::resolve_shape({-1, 24}, 240), (ma::dims{10, 24}));
  EXPECT_EQ(ma::resolve_shape({4, -1, 3}, 24), (ma::dims{4, 2, 3}));
  EXPECT_EQ(ma::resolve_shape({-1}, 0), (ma::dims{0}));
}

TEST(Shape, MinusOneNextToAZeroDimensionInfersZeroOnlyForNoElements) {
  EXPECT_EQ(ma::resolve_shape({0, -1}, 0), (ma::dims{0, 0}));
  EXPECT_THROW(ma::resolve_shape({0, -1}, 5), std::invalid_argument);
}

TEST(Shape, RejectsTwoMinusOnesAndOtherNegatives) {
  EXPECT_THROW(ma::resolve_shape({-1, -1}, 4), std::invalid_argument);
  EXPECT_THROW(ma::resolve_shape({-2, 2}, 4), std::invalid_argument);
  EXPECT_THROW(ma::resolve_shape({3, -5}, 4), std::invalid_argument);
}

TEST(Shape, RejectsAMinusOneThatDoesNotDivide) {
  try {
    ma::resolve_shape({-1, 24}, 250);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("250"), std::string::npos) << e.what();
  }
}

TEST(Shape, ProductOverflowIsAnError) {
  const ma::index_t big = std::numeric_limits<ma::index_t>::max() / 2;
  EXPECT_THROW(ma::element_count(ma::dims{big, 3}), std::overflow_error);
  EXPECT_THROW(ma::resolve_shape({big, 4}, 1), std::overflow_error);
  EXPECT_THROW(ma::checked_mul(big, 3, "x"), std::overflow_error);
  EXPECT_THROW(ma::checked_add(std::numeric_limits<ma::index_t>::max(), 1, "x"),
               std::overflow_error);
}

TEST(Shape, EmptyArraysWhoseStridesWouldOverflowAreTooBig) {
  // numpy's "array is too big": the product of the dimensions other than zero, times the item
  // size, must fit, so that every stride fits even when there are no elements.
  const ma::index_t max = std::numeric_limits<ma::index_t>::max();
  EXPECT_THROW(ma::require_addressable(ma::dims{0, max}, 8), std::overflow_error);
  EXPECT_THROW(ma::require_addressable(ma::dims{0, max / 2, 4}, 1), std::overflow_error);
  EXPECT_THROW(ma::require_addressable(ma::dims{max, 0, 2}, 1), std::overflow_error);
  EXPECT_NO_THROW(ma::require_addressable(ma::dims{0, max}, 1));
  EXPECT_NO_THROW(ma::require_addressable(ma::dims{0, max / 8}, 8));
  EXPECT_THROW(ma::require_addressable(ma::dims{-1}, 1), std::invalid_argument);
}

TEST(Shape, SlicesResolveAsPythonsSliceIndices) {
  const auto check = [](ma::slice_spec s, ma::index_t n, ma::index_t start, ma::index_t count,
                        ma::index_t step) {
    const auto r = ma::resolve_slice(s, n);
    EXPECT_EQ(r.start, start);
    EXPECT_EQ(r.count, count);
    EXPECT_EQ(r.step, step);
  };
  check({}, 10, 0, 10, 1);
  check({2, 5, {}}, 10, 2, 3, 1);
  check({{}, {}, -1}, 10, 9, 10, -1);
  check({-3, {}, {}}, 10, 7, 3, 1);
  check({{}, {}, 3}, 10, 0, 4, 3);
  check({8, 2, -2}, 10, 8, 3, -2);
  check({100, {}, {}}, 10, 10, 0, 1);
  check({{}, -100, {}}, 10, 0, 0, 1);
  check({{}, {}, {}}, 0, 0, 0, 1);
  // Steps and bounds at the ends of the integer range, which must not overflow.
  const ma::index_t max = std::numeric_limits<ma::index_t>::max();
  const ma::index_t min = std::numeric_limits<ma::index_t>::min();
  check({{}, {}, max}, 10, 0, 1, max);
  check({{}, {}, min}, 10, 9, 1, min);
  check({{}, {}, -max}, 10, 9, 1, -max);
  check({min, max, {}}, 10, 0, 10, 1);
  check({max, min, -1}, 10, 9, 10, -1);
  check({min, max, max}, max, 0, 1, max);
  check({{}, {}, 2}, max, 0, max / 2 + 1, 2);
  check({{}, {}, -1}, max, max - 1, max, -1);
  EXPECT_THROW(ma::resolve_slice({{}, {}, 0}, 10), std::invalid_argument);
  EXPECT_THROW(ma::resolve_slice({}, -1), std::invalid_argument);
}

TEST(Shape, AcceptsAnyRunTimeRangeOfIntegers) {
  std::vector<std::int64_t> v{2, -1};
  std::list<int> l{3, 1, 2};
  EXPECT_EQ(ma::resolve_shape(v, 6), (ma::dims{2, 3}));
  EXPECT_EQ(ma::shape_spec(l).values(), (ma::dims{3, 1, 2}));
}

TEST(Shape, RejectsMoreThanMaxRankDimensions) {
  std::vector<int> too_many(ma::max_rank + 1, 1);
  EXPECT_THROW(ma::shape_spec{too_many}, std::invalid_argument);
  std::vector<int> just_enough(ma::max_rank, 1);
  EXPECT_EQ(ma::shape_spec{just_enough}.values().size(), ma::max_rank);
}

TEST(Shape, ContiguousStridesForBothOrders) {
  EXPECT_EQ(ma::contiguous_strides(ma::dims{2, 3, 4}, ma::order::c), (ma::dims{12, 4, 1}));
  EXPECT_EQ(ma::contiguous_strides(ma::dims{2, 3, 4}, ma::order::fortran), (ma::dims{1, 2, 6}));
  EXPECT_EQ(ma::contiguous_strides(ma::dims{}, ma::order::c), (ma::dims{}));
}

TEST(Shape, PrintsLikePython) {
  EXPECT_EQ(ma::to_string(ma::dims{}), "()");
  EXPECT_EQ(ma::to_string(ma::dims{5}), "(5,)");
  EXPECT_EQ(ma::to_string(ma::dims{2, 3}), "(2, 3)");
}
