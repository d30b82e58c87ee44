// Expressions: the parser (precedence, errors), evaluation in one pass (types, broadcasting,
// values against plain loops), reductions over everything and along each axis, and the C++
// operators that build the same expressions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <maparray/maparray.hpp>

#include "temp_dir.hpp"

namespace ma = maparray;

namespace {

const ma::exec_options many_chunks{.threads = 3, .chunk_bytes = 1};

template <class T>
ma::any_array over(std::vector<T>& values, const ma::shape_spec& shape = {-1}) {
  return ma::array_from_buffer<T>(std::as_writable_bytes(std::span(values)), shape);
}

// The value of a constant expression, as a double.
double value_of(const std::string& text) {
  double result = 0;
  ma::evaluate(ma::expression::parse(text), {},
               ma::any_array(ma::array_from_buffer<double>(
                   std::as_writable_bytes(std::span(&result, 1)), ma::dims{})),
               {}, ma::casting::unsafe);
  return result;
}

TEST(Parser, PrecedenceIsPythons) {
  EXPECT_EQ(value_of("1 + 2 * 3"), 7);
  EXPECT_EQ(value_of("-2 ** 2"), -4);
  EXPECT_EQ(value_of("2.0 ** -1"), 0.5);
  EXPECT_THROW(value_of("2 ** -1"), std::invalid_argument);  // integers, as numpy.power(2, -1)
  EXPECT_EQ(value_of("2 ** 3 ** 2"), 512);
  EXPECT_EQ(value_of("7 // 2 * 2"), 6);
  EXPECT_EQ(value_of("-7 % 3"), 2);
  EXPECT_EQ(value_of("(1 + 2) * 3"), 9);
  EXPECT_EQ(value_of("1 << 2 + 1"), 8);
  EXPECT_EQ(value_of("6 & 3 | 8"), 10);
  EXPECT_EQ(value_of("5 ^ 1 & 3"), 4);
  EXPECT_EQ(value_of("~0"), -1);
  EXPECT_EQ(value_of("3 > 2"), 1);
  EXPECT_EQ(value_of("where(1 < 2, 10, 20)"), 10);
  EXPECT_EQ(value_of("arctan2(0, -1)"), std::atan2(0.0, -1.0));
  EXPECT_EQ(value_of("1e3 + .5 + 1."), 1001.5);
  EXPECT_EQ(value_of("True + True"), 1);  // bool + bool is logical or
}

TEST(Parser, ErrorsNameThePosition) {
  const auto position = [](const std::string& text) -> std::size_t {
    try {
      (void)ma::expression::parse(text);
    } catch (const ma::expression_error& e) {
      return e.position();
    }
    ADD_FAILURE() << "no error for '" << text << "'";
    return 0;
  };
  EXPECT_EQ(position("a + (b"), 6u);
  EXPECT_EQ(position("a + * b"), 4u);
  EXPECT_EQ(position("a $ b"), 2u);
  EXPECT_EQ(position("frob(a)"), 0u);
  EXPECT_EQ(position("sqrt(a, b)"), 0u);
  EXPECT_EQ(position("a < b < c"), 6u);
  EXPECT_EQ(position("1 + sum(a)"), 4u);
  EXPECT_EQ(position("12x"), 0u);
  EXPECT_EQ(position("99999999999999999999"), 0u);
  EXPECT_EQ(position(""), 0u);
  EXPECT_EQ(position("sum(a, axis=b)"), 12u);
  EXPECT_THROW((void)ma::expression::parse(std::string(5000, '(') + "a" + std::string(5000, ')')),
               ma::expression_error);
  EXPECT_THROW((void)ma::expression::parse(std::string(5000, '-') + "a"), ma::expression_error);
  EXPECT_EQ(ma::expression::parse("b*a + sqrt(a)").names(), (std::vector<std::string>{"a", "b"}));
}

TEST(Evaluate, OneExpressionOverArraysOfManyChunks) {
  const std::size_t n = 50000;
  std::vector<float> a(n), b(n), c(n), d(n);
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = float(i % 1000) * 0.5f;
    b[i] = float(i % 7) - 3;
    c[i] = float(i % 13);
  }
  ma::evaluate(ma::expression::parse("a*b + 2*c"), {{"a", over(a)}, {"b", over(b)}, {"c", over(c)}},
               over(d), many_chunks);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(d[i], a[i] * b[i] + 2 * c[i]) << i;
  ma::evaluate(ma::expression::parse("where(a > 100, sqrt(a), -a) + maximum(b, 0)"),
               {{"a", over(a)}, {"b", over(b)}}, over(d), many_chunks);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(d[i], (a[i] > 100 ? std::sqrt(a[i]) : -a[i]) + std::max(b[i], 0.0f)) << i;
  }
}

TEST(Evaluate, WeakNumbersKeepTheArraysType) {
  std::vector<std::int16_t> i16{1, 2, 3};
  std::vector<std::uint8_t> u8{0, 1, 255};
  std::vector<float> f32{1, 2, 3};
  const auto type_of = [](const std::string& text, const ma::operand_map& names) {
    return ma::describe(ma::expression::parse(text), names).type.name();
  };
  EXPECT_EQ(type_of("a + 1", {{"a", over(i16)}}), "int16");
  EXPECT_EQ(type_of("a + 1.5", {{"a", over(i16)}}), "float64");
  EXPECT_EQ(type_of("a * 2.5", {{"a", over(f32)}}), "float32");
  EXPECT_EQ(type_of("a * 1j", {{"a", over(f32)}}), "complex64");
  EXPECT_EQ(type_of("a / 2", {{"a", over(i16)}}), "float64");
  EXPECT_EQ(type_of("a + b", {{"a", over(i16)}, {"b", over(u8)}}), "int16");
  EXPECT_EQ(type_of("sqrt(b)", {{"b", over(u8)}}), "float16");
  EXPECT_EQ(type_of("a + k", {{"a", over(f32)}, {"k", ma::scalar::of(2.0)}}), "float64");
  EXPECT_EQ(type_of("sum(b)", {{"b", over(u8)}}), "uint64");
  EXPECT_EQ(type_of("mean(a)", {{"a", over(i16)}}), "float64");
  EXPECT_THROW(type_of("b + 300", {{"b", over(u8)}}), std::overflow_error);
  std::vector<std::uint8_t> flag_bytes{0, 1, 1};
  const ma::any_array flags(reinterpret_cast<std::byte*>(flag_bytes.data()),
                            ma::dtype::parse("|b1"), {3}, {1}, {}, false);
  EXPECT_THROW(type_of("f - f", {{"f", flags}}), ma::type_error);
  EXPECT_THROW(type_of("-f", {{"f", flags}}), ma::type_error);
  EXPECT_EQ(type_of("f + f", {{"f", flags}}), "bool");
  EXPECT_THROW(type_of("a + missing", {{"a", over(f32)}}), std::invalid_argument);
  // NumPy 2 compares with a Python int that the array's type cannot hold exactly.
  std::vector<std::uint8_t> result(3);
  ma::evaluate(ma::expression::parse("(b < -1) | (b == 256) | (b > 1000)"), {{"b", over(u8)}},
               over(result));
  EXPECT_EQ(result, (std::vector<std::uint8_t>{0, 0, 0}));
  ma::evaluate(ma::expression::parse("b < 256"), {{"b", over(u8)}}, over(result));
  EXPECT_EQ(result, (std::vector<std::uint8_t>{1, 1, 1}));
}

TEST(Evaluate, OperandsBroadcastAndTheOutputIsChecked) {
  std::vector<double> column{1, 2}, row{10, 20, 30}, out(6), wrong(4);
  ma::evaluate(ma::expression::parse("c * r"), {{"c", over(column, {2, 1})}, {"r", over(row)}},
               over(out, {2, 3}));
  EXPECT_EQ(out, (std::vector<double>{10, 20, 30, 20, 40, 60}));
  // Operands broadcast to a larger output, as NumPy's out= allows.
  ma::evaluate(ma::expression::parse("r + 1"), {{"r", over(row)}}, over(out, {2, 3}));
  EXPECT_EQ(out, (std::vector<double>{11, 21, 31, 11, 21, 31}));
  EXPECT_THROW(ma::evaluate(ma::expression::parse("c * r"),
                            {{"c", over(column, {2, 1})}, {"r", over(row)}}, over(wrong, {2, 2})),
               std::invalid_argument);
  std::vector<std::int32_t> ints(3);
  EXPECT_THROW(ma::evaluate(ma::expression::parse("r / 2"), {{"r", over(row)}}, over(ints)),
               ma::type_error);
  // same_kind allows float64 into float32; safe does not.
  std::vector<float> narrow(3);
  ma::evaluate(ma::expression::parse("r / 2"), {{"r", over(row)}}, over(narrow));
  EXPECT_EQ(narrow, (std::vector<float>{5, 10, 15}));
  EXPECT_THROW(ma::evaluate(ma::expression::parse("r / 2"), {{"r", over(row)}}, over(narrow), {},
                            ma::casting::safe),
               ma::type_error);
}

TEST(Evaluate, InPlaceIsAllowedAndOtherOverlapsAreRefused) {
  std::vector<double> x(20000);
  std::iota(x.begin(), x.end(), 0.0);
  const auto a = ma::array_from_buffer<double>(std::as_writable_bytes(std::span(x)));
  ma::evaluate(ma::expression::parse("a * 2 + 1"), {{"a", ma::any_array(a)}}, a, many_chunks);
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(x[i], 2.0 * double(i) + 1) << i;
  EXPECT_THROW(ma::evaluate(ma::expression::parse("a + 1"),
                            {{"a", ma::any_array(a.slice(0, 0, 10000))}}, a.slice(0, 1, 10001)),
               std::invalid_argument);
  const ma::array<const double> read_only = a;
  EXPECT_THROW(ma::evaluate(ma::expression::parse("1 + 1"), {}, ma::any_array(read_only)),
               std::invalid_argument);
}

TEST(Evaluate, IntegerPowerOfANegativeExponentThrows) {
  std::vector<std::int32_t> x{2, 2, 2}, e{1, -1, 2}, out(3);
  EXPECT_THROW(ma::power(over(x), over(e), over(out)), std::invalid_argument);
}

TEST(Evaluate, BoolBytesOtherThanOneAreTrue) {
  std::vector<std::uint8_t> bytes{0, 1, 2, 255};
  const ma::any_array flags(reinterpret_cast<std::byte*>(bytes.data()), ma::dtype::parse("|b1"),
                            {4}, {1}, {}, false);
  std::vector<std::int64_t> out(4);
  ma::evaluate(ma::expression::parse("f + 0"), {{"f", flags}}, over(out));
  EXPECT_EQ(out, (std::vector<std::int64_t>{0, 1, 1, 1}));
  std::int64_t total = 0;
  ma::reduce(ma::reduction::sum, flags,
             ma::any_array(ma::array_from_buffer<std::int64_t>(
                 std::as_writable_bytes(std::span(&total, 1)), ma::dims{})));
  EXPECT_EQ(total, 3);
}

// Every reduction of a 3-d array along every axis (and everything), against plain loops, in
// C and Fortran order, with chunks that split rows and planes.
TEST(Reduce, AlongEachAxisMatchesPlainLoops) {
  const ma::index_t n0 = 7, n1 = 300, n2 = 45;
  for (ma::order layout : {ma::order::c, ma::order::fortran}) {
    std::vector<std::int32_t> values(static_cast<std::size_t>(n0 * n1 * n2));
    const auto a = ma::array_from_buffer<std::int32_t>(std::as_writable_bytes(std::span(values)),
                                                       {n0, n1, n2}, {.order = layout});
    for (ma::index_t i = 0; i < n0; ++i) {
      for (ma::index_t j = 0; j < n1; ++j) {
        for (ma::index_t k = 0; k < n2; ++k)
          a(i, j, k) = static_cast<std::int32_t>((i * 31 + j * 7 + k * 3) % 97 - 40);
      }
    }
    const ma::index_t extent[3] = {n0, n1, n2};
    for (int axis = 0; axis < 3; ++axis) {
      SCOPED_TRACE("axis " + std::to_string(axis));
      const int p = (axis + 1) % 3, q = (axis + 2) % 3;
      const ma::index_t np = extent[std::min(p, q)], nq = extent[std::max(p, q)];
      std::vector<std::int64_t> sums(static_cast<std::size_t>(np * nq));
      std::vector<std::int32_t> maxima(sums.size());
      std::vector<double> means(sums.size());
      const auto out_sum =
          ma::array_from_buffer<std::int64_t>(std::as_writable_bytes(std::span(sums)), {np, nq});
      const auto out_max =
          ma::array_from_buffer<std::int32_t>(std::as_writable_bytes(std::span(maxima)), {np, nq});
      const auto out_mean =
          ma::array_from_buffer<double>(std::as_writable_bytes(std::span(means)), {np, nq});
      for (unsigned threads : {1U, 3U}) {
        const ma::exec_options opts{.threads = threads, .chunk_bytes = 1};
        ma::reduce(ma::reduction::sum, a, out_sum, {.axis = axis}, opts);
        ma::reduce(ma::reduction::max, a, out_max, {.axis = axis - 3}, opts);
        ma::reduce(ma::reduction::mean, a, out_mean, {.axis = axis}, opts);
        for (ma::index_t u = 0; u < np; ++u) {
          for (ma::index_t v = 0; v < nq; ++v) {
            std::int64_t sum = 0;
            std::int32_t largest = std::numeric_limits<std::int32_t>::min();
            for (ma::index_t r = 0; r < extent[axis]; ++r) {
              ma::index_t index[3];
              index[axis] = r;
              index[std::min(p, q)] = u;
              index[std::max(p, q)] = v;
              const std::int32_t x = a(index[0], index[1], index[2]);
              sum += x;
              largest = std::max(largest, x);
            }
            ASSERT_EQ(out_sum(u, v), sum) << u << "," << v;
            ASSERT_EQ(out_max(u, v), largest) << u << "," << v;
            ASSERT_DOUBLE_EQ(out_mean(u, v), double(sum) / double(extent[axis]));
          }
        }
      }
    }
    std::int64_t total = 0;
    ma::reduce(ma::reduction::sum, a,
               ma::any_array(ma::array_from_buffer<std::int64_t>(
                   std::as_writable_bytes(std::span(&total, 1)), ma::dims{})),
               {}, many_chunks);
    EXPECT_EQ(total, std::accumulate(values.begin(), values.end(), std::int64_t{0}));
  }
}

TEST(Reduce, KeepdimsEmptyAxesAndBadAxes) {
  std::vector<double> x(12);
  std::iota(x.begin(), x.end(), 1.0);
  std::vector<double> kept(4);
  ma::reduce(ma::reduction::prod, over(x, {3, 4}), over(kept, {1, 4}),
             {.axis = 0, .keepdims = true});
  EXPECT_EQ(kept, (std::vector<double>{1 * 5 * 9, 2 * 6 * 10, 3 * 7 * 11, 4 * 8 * 12}));
  EXPECT_THROW(ma::reduce(ma::reduction::sum, over(x, {3, 4}), over(kept, {4}), {.axis = 2}),
               ma::axis_error);
  EXPECT_EQ(ma::reduced_shape(std::vector<ma::index_t>{3, 0, 2}, {.axis = 1}), (ma::dims{3, 2}));
  std::vector<double> none;
  std::vector<double> sums(3);
  ma::reduce(ma::reduction::sum, over(none, {3, 0}), over(sums), {.axis = 1});
  EXPECT_EQ(sums, (std::vector<double>{0, 0, 0}));
  EXPECT_THROW(ma::reduce(ma::reduction::min, over(none, {3, 0}), over(sums), {.axis = 1}),
               std::invalid_argument);
  std::vector<double> empty_out;
  ma::reduce(ma::reduction::min, over(none, {0, 3}), over(empty_out), {.axis = 0 + 1});
  double mean = 0;
  ma::reduce(ma::reduction::mean, over(none, {0}),
             ma::any_array(ma::array_from_buffer<double>(
                 std::as_writable_bytes(std::span(&mean, 1)), ma::dims{})));
  EXPECT_TRUE(std::isnan(mean));
}

TEST(Reduce, FloatSumsArePairwiseAndTheSameOnEveryRun) {
  const std::size_t n = 3'000'000;
  std::vector<float> x(n, 1.0f);
  float sum = 0;
  const auto out = ma::any_array(
      ma::array_from_buffer<float>(std::as_writable_bytes(std::span(&sum, 1)), ma::dims{}));
  ma::reduce(ma::reduction::sum, over(x), out, {}, many_chunks);
  EXPECT_EQ(sum, float(n));  // a running float32 sum would stop at 2^24
  std::vector<float> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = 1.0f / float(i % 1000 + 1);
  ma::reduce(ma::reduction::sum, over(y), out, {}, {.threads = 1, .chunk_bytes = 1});
  const float one_thread = sum;
  ma::reduce(ma::reduction::sum, over(y), out, {}, {.threads = 4, .chunk_bytes = 1});
  EXPECT_EQ(sum, one_thread);
}

TEST(ArrayExpression, OperatorsBuildTheSameExpressionsAsText) {
  const std::size_t n = 30000;
  std::vector<float> av(n), bv(n), cv(n), dv(n), ev(n);
  for (std::size_t i = 0; i < n; ++i) {
    av[i] = float(i % 100);
    bv[i] = float(i % 3) + 0.5f;
    cv[i] = float(i % 11) - 5;
  }
  const auto a = ma::array_from_buffer<float>(std::as_writable_bytes(std::span(av)));
  const auto b = ma::array_from_buffer<float>(std::as_writable_bytes(std::span(bv)));
  const auto c = ma::array_from_buffer<float>(std::as_writable_bytes(std::span(cv)));
  const auto d = ma::array_from_buffer<float>(std::as_writable_bytes(std::span(dv)));
  ma::evaluate(d, a * b + 2.0f * c, many_chunks);
  ma::evaluate(ma::expression::parse("a*b + 2*c"),
               {{"a", ma::any_array(a)}, {"b", ma::any_array(b)}, {"c", ma::any_array(c)}},
               over(ev), many_chunks);
  EXPECT_EQ(dv, ev);
  ma::evaluate(d, ma::where(a > 50.0, ma::sqrt(a), -c) / b);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(dv[i], (av[i] > 50 ? std::sqrt(av[i]) : -cv[i]) / bv[i]) << i;
  }
  const double dot = ma::evaluate_as<double>(ma::reduce(ma::reduction::sum, a * b), many_chunks);
  double expected = 0;
  for (std::size_t i = 0; i < n; ++i) expected += double(av[i] * bv[i]);
  EXPECT_NEAR(dot, expected, expected * 1e-6);
  EXPECT_THROW(ma::evaluate(d, a + ma::reduce(ma::reduction::sum, ma::array_expression(b))),
               std::invalid_argument);
}

// A computation over files under a memory budget gives the same result as in memory.
TEST(Evaluate, FilesUnderABudget) {
  ma::testing::temp_dir dir;
  const ma::index_t n = 1 << 20;
  auto a = ma::create_npy<float>(dir / "a.npy", {n});
  auto b = ma::create_npy<float>(dir / "b.npy", {n});
  for (ma::index_t i = 0; i < n; ++i) {
    a(i) = float(i % 4093);
    b(i) = float(i % 17);
  }
  const auto out = ma::create_npy<float>(dir / "out.npy", {n});
  ma::evaluate(out, a * b + 1.0, {.threads = 2, .memory_budget = 1 << 20});
  for (ma::index_t i = 0; i < n; ++i) ASSERT_EQ(out(i), a(i) * b(i) + 1) << i;
  double total = ma::evaluate_as<double>(
      ma::reduce(ma::reduction::sum, ma::array_expression(ma::any_array(out)) - 1.0),
      {.threads = 2, .memory_budget = 1 << 20});
  double expected = 0;
  for (ma::index_t i = 0; i < n; ++i) expected += double(a(i) * b(i));
  EXPECT_NEAR(total, expected, expected * 1e-5);  // a float32 sum, added pairwise
}

}  // namespace
