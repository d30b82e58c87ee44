// The elementwise operations on single values: NumPy's results at the edges where C++'s own
// operators differ (division, signs, overflow, NaN, shifts, complex numbers). The expected
// values are what numpy 1.24 prints for the same operations.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <maparray/ops.hpp>

namespace ma = maparray;
namespace op = maparray::op;

namespace {

using i8 = std::int8_t;
using c16 = std::complex<double>;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

TEST(Ops, IntegerDivisionFollowsPythonAndNeverTraps) {
  const i8 x[] = {7, -7, 7, -7, -128, 5};
  const i8 y[] = {2, 2, -2, -2, -1, 0};
  const i8 floor[] = {3, -4, -4, 3, -128, 0};
  const i8 rem[] = {1, 1, -1, -1, 0, 0};
  const i8 fmod[] = {1, -1, 1, -1, 0, 0};
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(op::floor_divide{}(x[k], y[k]), floor[k]) << k;
    EXPECT_EQ(op::remainder{}(x[k], y[k]), rem[k]) << k;
    EXPECT_EQ(op::fmod{}(x[k], y[k]), fmod[k]) << k;
  }
  static_assert(std::is_same_v<decltype(op::floor_divide{}(i8{}, i8{})), i8>);
}

TEST(Ops, FloatFloorDivisionAndRemainderFollowPython) {
  const double x[] = {7.5, -7.5, 7.5, -7.5, 1.0, 0.0, -1.0, 0.0};
  const double y[] = {2.0, 2.0, -2.0, -2.0, 0.0, 0.0, 0.0, -3.0};
  const double floor[] = {3.0, -4.0, -4.0, 3.0, inf, nan, -inf, -0.0};
  const double rem[] = {1.5, 0.5, -0.5, -1.5, nan, nan, nan, -0.0};
  for (int k = 0; k < 8; ++k) {
    const double q = op::floor_divide{}(x[k], y[k]);
    const double r = op::remainder{}(x[k], y[k]);
    if (std::isnan(floor[k])) {
      EXPECT_TRUE(std::isnan(q)) << k;
    } else {
      EXPECT_EQ(q, floor[k]) << k;
      EXPECT_EQ(std::signbit(q), std::signbit(floor[k])) << k;
    }
    if (std::isnan(rem[k])) {
      EXPECT_TRUE(std::isnan(r)) << k;
    } else {
      EXPECT_EQ(r, rem[k]) << k;
      EXPECT_EQ(std::signbit(r), std::signbit(rem[k])) << k;
    }
  }
}

TEST(Ops, TrueDivisionOfIntegersIsFloat64) {
  static_assert(std::is_same_v<decltype(op::divide{}(7, 2)), double>);
  static_assert(std::is_same_v<decltype(op::divide{}(i8{7}, i8{2})), double>);
  static_assert(
      std::is_same_v<decltype(op::divide{}(ma::float16(7.0f), ma::float16(2.0f))), ma::float16>);
  EXPECT_EQ(op::divide{}(7, 2), 3.5);
  EXPECT_EQ(op::divide{}(1, 0), inf);
}

TEST(Ops, IntegersWrapAround) {
  EXPECT_EQ(op::add{}(std::uint8_t{200}, std::uint8_t{100}), 44);
  EXPECT_EQ(op::multiply{}(std::int32_t{1} << 30, std::int32_t{4}), 0);
  EXPECT_EQ(op::negative{}(std::numeric_limits<std::int64_t>::min()),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(op::absolute{}(i8{-128}), -128);
  EXPECT_EQ(op::negative{}(std::uint8_t{1}), 255);
  EXPECT_EQ(op::power{}(std::int64_t{3}, std::int64_t{40}), -6289078614652622815LL);
  EXPECT_EQ(op::power{}(std::uint8_t{2}, std::uint8_t{9}), 0);
  EXPECT_EQ(op::power{}(std::int32_t{0}, std::int32_t{0}), 1);
  EXPECT_THROW(op::power{}(std::int32_t{2}, std::int32_t{-1}), std::invalid_argument);
  EXPECT_EQ(op::power{}(std::uint32_t{2}, std::uint32_t{31}), 1U << 31);
}

TEST(Ops, ShiftsBeyondTheWidthGiveZeroOrMinusOne) {
  EXPECT_EQ(op::left_shift{}(i8{1}, i8{7}), -128);
  EXPECT_EQ(op::left_shift{}(i8{1}, i8{8}), 0);
  EXPECT_EQ(op::left_shift{}(i8{-1}, i8{1}), -2);
  EXPECT_EQ(op::left_shift{}(i8{1}, i8{-1}), 0);
  EXPECT_EQ(op::right_shift{}(i8{-128}, i8{7}), -1);
  EXPECT_EQ(op::right_shift{}(i8{64}, i8{9}), 0);
  EXPECT_EQ(op::right_shift{}(i8{-5}, i8{9}), -1);
}

TEST(Ops, NaNWinsInMinimumAndLosesInFmin) {
  EXPECT_TRUE(std::isnan(op::minimum{}(nan, 1.0)));
  EXPECT_TRUE(std::isnan(op::minimum{}(1.0, nan)));
  EXPECT_TRUE(std::isnan(op::maximum{}(1.0, nan)));
  EXPECT_EQ(op::fmin{}(nan, 1.0), 1.0);
  EXPECT_EQ(op::fmax{}(1.0, nan), 1.0);
  EXPECT_EQ(op::maximum{}(c16(1, 5), c16(1, 6)), c16(1, 6));
  EXPECT_EQ(op::maximum{}(c16(2, 0), c16(1, 9)), c16(2, 0));
  EXPECT_TRUE(std::isnan(op::maximum{}(c16(nan, 0), c16(0, 1)).real()));
  EXPECT_TRUE(op::less{}(c16(1, 2), c16(1, 3)));
  EXPECT_FALSE(op::less{}(c16(1, nan), c16(2, 0)));
}

TEST(Ops, SignRintAndPredicates) {
  EXPECT_EQ(op::sign{}(-0.0), 0.0);
  EXPECT_FALSE(std::signbit(op::sign{}(-0.0)));
  EXPECT_EQ(op::sign{}(-3.0), -1.0);
  EXPECT_TRUE(std::isnan(op::sign{}(nan)));
  EXPECT_EQ(op::sign{}(i8{-5}), -1);
  EXPECT_EQ(op::sign{}(c16(3, 4)), c16(0.6, 0.8));
  EXPECT_EQ(op::rint{}(0.5), 0.0);
  EXPECT_EQ(op::rint{}(1.5), 2.0);
  EXPECT_EQ(op::rint{}(2.5), 2.0);
  EXPECT_TRUE(op::isnan{}(c16(0, nan)));
  EXPECT_FALSE(op::isinf{}(i8{5}));
  EXPECT_TRUE(op::isfinite{}(i8{5}));
  EXPECT_TRUE(op::logical_and{}(nan, 2.0));  // NaN is true
  EXPECT_FALSE(op::logical_xor{}(3, 4));
}

TEST(Ops, ComplexArithmeticIsNumPys) {
  EXPECT_EQ(op::power{}(c16(1, 2), c16(3, 0)), c16(-11, -2));
  const c16 inverse_square = op::power{}(c16(1, 2), c16(-2, 0));
  EXPECT_NEAR(inverse_square.real(), -0.12, 1e-15);
  EXPECT_NEAR(inverse_square.imag(), -0.16, 1e-15);
  EXPECT_TRUE(std::isnan(op::power{}(c16(0, 0), c16(-1, 0)).real()));
  EXPECT_EQ(op::divide{}(c16(1, 1), c16(0, 0)), c16(inf, inf));
  const c16 q = op::divide{}(c16(1, 2), c16(3, -4));
  EXPECT_NEAR(q.real(), -0.2, 1e-16);
  EXPECT_NEAR(q.imag(), 0.4, 1e-16);
  EXPECT_EQ(op::absolute{}(c16(3, 4)), 5.0);
  static_assert(std::is_same_v<decltype(op::absolute{}(std::complex<float>{})), float>);
  EXPECT_EQ(op::sqrt{}(c16(-4, 0)), c16(0, 2));
  EXPECT_TRUE(std::isnan(op::sqrt{}(-4.0)));
  const c16 small(1e-10, 1e-10);
  // exp(z) - 1 without cancellation: the real part, expm1(x)cos(y) - 2sin^2(y/2), is
  // x + (x^2 - y^2) / 2 + ... here.
  EXPECT_NEAR(op::expm1{}(small).real(), 1e-10, 1e-25);  // x + (x^2 - y^2) / 2
  EXPECT_NEAR(op::expm1{}(small).imag(), std::exp(1e-10) * std::sin(1e-10), 1e-25);
}

TEST(Ops, SmallIntegersComputeInTheSmallestFloat) {
  static_assert(std::is_same_v<decltype(op::sqrt{}(i8{4})), ma::float16>);
  static_assert(std::is_same_v<decltype(op::sqrt{}(std::int16_t{4})), float>);
  static_assert(std::is_same_v<decltype(op::sqrt{}(std::int32_t{4})), double>);
  static_assert(std::is_same_v<decltype(op::floor{}(i8{4})), ma::float16>);
  EXPECT_EQ(static_cast<float>(op::sqrt{}(i8{16})), 4.0f);
  // float16 computes in float and rounds once: 1 + 2^-11 is not a half, 1 + 2^-10 is.
  EXPECT_EQ(static_cast<float>(op::add{}(ma::float16(1.0f), ma::float16(0x1p-10f))),
            1.0f + 0x1p-10f);
  EXPECT_EQ(static_cast<float>(op::add{}(ma::float16(1.0f), ma::float16(0x1p-11f))), 1.0f);
}

}  // namespace
