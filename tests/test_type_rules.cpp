// NumPy's type rules as maparray states them: casting, promotion, weak scalars, the loops of
// each operation, float16 and conversions. The Python suite checks the same rules against
// numpy itself (python/tests/test_type_rules.py); these check their properties and the cases
// NumPy documents.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <maparray/maparray.hpp>

namespace ma = maparray;
using nt = ma::numeric_type;

namespace {

TEST(Casting, EveryTypeCastsToItselfAndBoolToEverything) {
  for (nt t : ma::all_numeric_types) {
    for (auto rule : {ma::casting::no, ma::casting::safe, ma::casting::same_kind}) {
      EXPECT_TRUE(ma::can_cast(t, t, rule)) << ma::name(t);
    }
    EXPECT_TRUE(ma::can_cast(nt::boolean, t));
  }
}

TEST(Casting, SafeCastsKeepEveryValue) {
  EXPECT_TRUE(ma::can_cast(nt::uint8, nt::int16));
  EXPECT_FALSE(ma::can_cast(nt::uint8, nt::int8));
  EXPECT_FALSE(ma::can_cast(nt::int8, nt::uint64));
  EXPECT_TRUE(ma::can_cast(nt::int8, nt::float16));
  EXPECT_FALSE(ma::can_cast(nt::int16, nt::float16));
  EXPECT_TRUE(ma::can_cast(nt::int16, nt::float32));
  EXPECT_FALSE(ma::can_cast(nt::int32, nt::float32));
  EXPECT_FALSE(ma::can_cast(nt::int64, nt::float32));
  EXPECT_TRUE(ma::can_cast(nt::int64, nt::float64));  // NumPy calls this safe
  EXPECT_TRUE(ma::can_cast(nt::int16, nt::complex64));
  EXPECT_FALSE(ma::can_cast(nt::int32, nt::complex64));
  EXPECT_TRUE(ma::can_cast(nt::float32, nt::complex64));
  EXPECT_FALSE(ma::can_cast(nt::float64, nt::complex64));
  EXPECT_FALSE(ma::can_cast(nt::complex64, nt::float64));
}

TEST(Casting, SameKindAllowsNarrowingWithinAKindOnly) {
  EXPECT_TRUE(ma::can_cast(nt::float64, nt::float32, ma::casting::same_kind));
  EXPECT_TRUE(ma::can_cast(nt::int64, nt::int8, ma::casting::same_kind));
  EXPECT_TRUE(ma::can_cast(nt::uint8, nt::int8, ma::casting::same_kind));
  EXPECT_FALSE(ma::can_cast(nt::int8, nt::uint8, ma::casting::same_kind));
  EXPECT_FALSE(ma::can_cast(nt::float64, nt::int64, ma::casting::same_kind));
  EXPECT_FALSE(ma::can_cast(nt::complex64, nt::float32, ma::casting::same_kind));
  EXPECT_TRUE(ma::can_cast(nt::complex128, nt::boolean, ma::casting::unsafe));
}

TEST(Casting, OnDtypesByteOrderMattersOnlyForNo) {
  const auto little = ma::dtype::parse("<f8"), big = ma::dtype::parse(">f8");
  EXPECT_FALSE(ma::can_cast(little, big, ma::casting::no));
  EXPECT_TRUE(ma::can_cast(little, big, ma::casting::equiv));
  EXPECT_FALSE(ma::can_cast(ma::dtype::parse("|S4"), little, ma::casting::unsafe));
  EXPECT_EQ(ma::promote_types(ma::dtype::parse(">i2"), ma::dtype::parse("|u1")),
            ma::dtype::parse("<i2").with_order(ma::native_order));
  EXPECT_THROW(ma::promote_types(ma::dtype::parse("|S4"), little), std::invalid_argument);
}

TEST(Promotion, IsSymmetricMinimalAndSafe) {
  for (nt a : ma::all_numeric_types) {
    for (nt b : ma::all_numeric_types) {
      const nt p = ma::promote_types(a, b);
      EXPECT_EQ(p, ma::promote_types(b, a));
      EXPECT_TRUE(ma::can_cast(a, p) && ma::can_cast(b, p));
      // No type earlier in promotion order holds both.
      for (nt t : ma::all_numeric_types) {
        if (t == p) break;
        EXPECT_FALSE(ma::can_cast(a, t) && ma::can_cast(b, t))
            << ma::name(a) << " " << ma::name(b) << " -> " << ma::name(t);
      }
    }
  }
  EXPECT_EQ(ma::promote_types(nt::int64, nt::uint64), nt::float64);
  EXPECT_EQ(ma::promote_types(nt::int8, nt::uint8), nt::int16);
  EXPECT_EQ(ma::promote_types(nt::float16, nt::int16), nt::float32);
  EXPECT_EQ(ma::promote_types(nt::uint32, nt::int8), nt::int64);
}

// NEP 50's examples: Python numbers are weak.
TEST(Promotion, WeakScalarsTakeTheArraysType) {
  const auto weak = [](nt t) { return ma::operand_type{t, true}; };
  const auto strong = [](nt t) { return ma::operand_type{t, false}; };
  const auto result = [](std::initializer_list<ma::operand_type> types) {
    return ma::result_type(std::span(types.begin(), types.size()));
  };
  EXPECT_EQ(result({strong(nt::int16), weak(nt::int64)}), nt::int16);
  EXPECT_EQ(result({strong(nt::int16), weak(nt::float64)}), nt::float64);
  EXPECT_EQ(result({strong(nt::float32), weak(nt::float64)}), nt::float32);
  EXPECT_EQ(result({strong(nt::float16), weak(nt::complex128)}), nt::complex64);
  EXPECT_EQ(result({strong(nt::float64), weak(nt::complex128)}), nt::complex128);
  EXPECT_EQ(result({strong(nt::uint8), weak(nt::uint64)}), nt::uint8);  // the kind counts
  EXPECT_EQ(result({strong(nt::boolean), weak(nt::int64)}), nt::int64);
  EXPECT_EQ(result({weak(nt::int64), weak(nt::float64)}), nt::float64);
  EXPECT_EQ(result({strong(nt::float32), strong(nt::int32)}), nt::float64);
}

TEST(Loops, EachOperationComputesInNumPysLoop) {
  const auto loop = [](ma::ufunc f, std::initializer_list<nt> types) {
    return ma::resolve(f, std::span(types.begin(), types.size()));
  };
  EXPECT_EQ(loop(ma::ufunc::sqrt, {nt::int8})->result, nt::float16);
  EXPECT_EQ(loop(ma::ufunc::sqrt, {nt::int32})->result, nt::float64);
  EXPECT_EQ(loop(ma::ufunc::sqrt, {nt::complex64})->result, nt::complex64);
  EXPECT_EQ(loop(ma::ufunc::divide, {nt::int8, nt::int8})->result, nt::float64);
  EXPECT_EQ(loop(ma::ufunc::divide, {nt::float16, nt::float16})->result, nt::float16);
  EXPECT_EQ(loop(ma::ufunc::add, {nt::uint8, nt::int8})->result, nt::int16);
  EXPECT_EQ(loop(ma::ufunc::add, {nt::boolean, nt::boolean})->result, nt::boolean);
  EXPECT_EQ(loop(ma::ufunc::floor_divide, {nt::boolean, nt::boolean})->result, nt::int8);
  EXPECT_EQ(loop(ma::ufunc::less, {nt::uint64, nt::int64})->computes_in, nt::float64);
  EXPECT_EQ(loop(ma::ufunc::less, {nt::uint64, nt::int64})->result, nt::boolean);
  EXPECT_EQ(loop(ma::ufunc::absolute, {nt::complex64})->result, nt::float32);
  EXPECT_EQ(loop(ma::ufunc::where, {nt::int32, nt::uint8, nt::int8})->result, nt::int16);
  EXPECT_FALSE(loop(ma::ufunc::subtract, {nt::boolean, nt::boolean}));
  EXPECT_FALSE(loop(ma::ufunc::negative, {nt::boolean}));
  EXPECT_FALSE(loop(ma::ufunc::floor_divide, {nt::complex128, nt::complex128}));
  EXPECT_FALSE(loop(ma::ufunc::left_shift, {nt::float32, nt::int8}));
  EXPECT_FALSE(loop(ma::ufunc::add, {nt::int8}));  // wrong number of operands
}

TEST(Loops, NamesAreNumPys) {
  for (std::size_t i = 0; i < ma::ufunc_count; ++i) {
    const auto f = static_cast<ma::ufunc>(i);
    EXPECT_EQ(ma::ufunc_from_name(ma::name(f)), f);
  }
  EXPECT_EQ(ma::ufunc_from_name("true_divide"), ma::ufunc::divide);
  EXPECT_EQ(ma::ufunc_from_name("abs"), ma::ufunc::absolute);
  EXPECT_FALSE(ma::ufunc_from_name("frobnicate"));
  EXPECT_EQ(ma::reduction_from_name("amax"), ma::reduction::max);
  EXPECT_EQ(ma::parse_casting("same_kind"), ma::casting::same_kind);
  EXPECT_FALSE(ma::parse_casting("loose"));
}

TEST(Reductions, ResultTypesAreNumPys) {
  EXPECT_EQ(ma::reduction_result(ma::reduction::sum, nt::int8), nt::int64);
  EXPECT_EQ(ma::reduction_result(ma::reduction::sum, nt::uint16), nt::uint64);
  EXPECT_EQ(ma::reduction_result(ma::reduction::sum, nt::boolean), nt::int64);
  EXPECT_EQ(ma::reduction_result(ma::reduction::sum, nt::float32), nt::float32);
  EXPECT_EQ(ma::reduction_accumulator(ma::reduction::sum, nt::float16), nt::float32);
  EXPECT_EQ(ma::reduction_result(ma::reduction::mean, nt::int32), nt::float64);
  EXPECT_EQ(ma::reduction_result(ma::reduction::mean, nt::float16), nt::float16);
  EXPECT_EQ(ma::reduction_result(ma::reduction::max, nt::uint8), nt::uint8);
  EXPECT_EQ(ma::reduction_result(ma::reduction::any, nt::float64), nt::boolean);
  EXPECT_EQ(ma::reduction_result(ma::reduction::sum, nt::int8, nt::int8), nt::int8);
}

TEST(Float16, EveryHalfSurvivesARoundTripThroughFloat) {
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
    const auto h = ma::float16::from_bits(static_cast<std::uint16_t>(bits));
    const float f = h;
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(static_cast<float>(ma::float16(f)))) << bits;
      continue;
    }
    ASSERT_EQ(ma::float16(f).bits(), bits) << f;
    ASSERT_EQ(ma::float16(static_cast<double>(f)).bits(), bits) << f;
  }
}

TEST(Float16, RoundsToNearestEvenOnceAndOverflowsToInfinity) {
  EXPECT_EQ(ma::float16(1.0f + 0x1p-11f).bits(), ma::float16(1.0f).bits());  // tie: to even
  EXPECT_EQ(static_cast<float>(ma::float16(1.0f + 3 * 0x1p-11f)), 1.0f + 0x1p-9f);
  // Rounded once from double: the bit below the tie decides; through float it would be lost.
  EXPECT_EQ(static_cast<float>(ma::float16(1.0 + 0x1p-11 + 0x1p-40)), 1.0f + 0x1p-10f);
  EXPECT_EQ(static_cast<float>(ma::float16(65519.0f)), 65504.0f);
  EXPECT_TRUE(std::isinf(static_cast<float>(ma::float16(65520.0f))));
  EXPECT_EQ(static_cast<float>(ma::float16(0x1p-24f)), 0x1p-24f);  // smallest subnormal
  EXPECT_EQ(static_cast<float>(ma::float16(0x1p-25f)), 0.0f);      // tie: to even (0)
  EXPECT_EQ(static_cast<float>(ma::float16(0x1p-25f + 0x1p-40f)), 0x1p-24f);
  EXPECT_TRUE(std::signbit(static_cast<float>(ma::float16(-0.0f))));
}

TEST(Convert, FollowsAstypeAndDefinesWhatNumPyLeavesUndefined) {
  EXPECT_EQ(ma::convert<std::int8_t>(std::int64_t{300}), 44);  // wraps
  EXPECT_EQ(ma::convert<std::uint8_t>(std::int8_t{-1}), 255);
  EXPECT_TRUE(ma::convert<bool>(std::nan("")));
  EXPECT_FALSE(ma::convert<bool>(std::complex<double>(0, 0)));
  EXPECT_TRUE(ma::convert<bool>(std::complex<double>(0, 1)));
  EXPECT_EQ(ma::convert<double>(std::complex<double>(2, 5)), 2.0);
  EXPECT_EQ(ma::convert<std::int32_t>(-2.9), -2);
  EXPECT_EQ(ma::convert<std::int32_t>(1e300), std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(ma::convert<std::int64_t>(-1e300), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(ma::convert<std::uint64_t>(0x1p64), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(ma::convert<std::int16_t>(std::nan("")), 0);
  EXPECT_EQ(static_cast<float>(ma::convert<ma::float16>(std::int32_t{70000})),
            std::numeric_limits<float>::infinity());
}

TEST(Scalars, ParseAsPythonAndCheckTheirRange) {
  EXPECT_EQ(ma::scalar::parse("3").type().type, nt::int64);
  EXPECT_TRUE(ma::scalar::parse("3").weak());
  EXPECT_EQ(ma::scalar::parse("-9223372036854775808").as<std::int64_t>(),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(ma::scalar::parse("18446744073709551615").type().type, nt::uint64);
  EXPECT_THROW(ma::scalar::parse("18446744073709551616"), std::overflow_error);
  EXPECT_EQ(ma::scalar::parse("2.5").as<double>(), 2.5);
  EXPECT_EQ(ma::scalar::parse("1e400").as<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ma::scalar::parse("2j").as<std::complex<double>>(), std::complex<double>(0, 2));
  EXPECT_TRUE(std::isnan(ma::scalar::parse("nan").as<double>()));
  EXPECT_EQ(ma::scalar::parse("-inf").as<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(ma::scalar::parse("True").as<bool>());
  for (const char* bad : {"", "x", "1x", "--1", "1e", "0x10", "j"}) {
    EXPECT_THROW(ma::scalar::parse(bad), std::invalid_argument) << bad;
  }
  const ma::scalar big(300);
  EXPECT_FALSE(big.fits(nt::uint8));
  EXPECT_TRUE(big.fits(nt::int16));
  try {
    (void)big.as<std::uint8_t>();
    FAIL() << "no exception";
  } catch (const std::overflow_error& e) {
    EXPECT_EQ(std::string(e.what()), "Python integer 300 out of bounds for uint8");
  }
  EXPECT_EQ(big.as<float>(), 300.0f);
  EXPECT_EQ(ma::scalar(2.0).str(), "2.0");
  EXPECT_EQ(ma::scalar(0.1).str(), "0.1");
  EXPECT_EQ(ma::scalar(std::complex<double>(1, -2)).str(), "(1-2j)");
  EXPECT_EQ(ma::scalar(std::complex<double>(0, 2.5)).str(), "2.5j");
  EXPECT_EQ(ma::scalar::of(std::int8_t{5}).type().type, nt::int8);
  EXPECT_FALSE(ma::scalar::of(std::int8_t{5}).weak());
}

}  // namespace
