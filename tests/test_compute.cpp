// transform(), the named operations and the reductions, checked against plain loops over every
// shape class (empty, zero-dimensional, 1-d, 2-d C and Fortran order, strided and reversed
// slices) and element type, with chunks small enough that every run has many of them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stop_token>
#include <string>
#include <vector>

#include <maparray/maparray.hpp>

#include "temp_dir.hpp"

namespace ma = maparray;

namespace {

// Small chunks (4096 elements) on three threads, so that the arrays below span several chunks
// shared out of order between threads.
const ma::exec_options many_chunks{.threads = 3, .chunk_bytes = 1};

enum class layout {
  empty,
  empty_2d,
  zero_d,
  one_d,
  c_2d,
  fortran_2d,
  row_step,
  column_slice,
  reversed_3d
};
const layout all_layouts[] = {layout::empty,    layout::empty_2d,     layout::zero_d,
                              layout::one_d,    layout::c_2d,         layout::fortran_2d,
                              layout::row_step, layout::column_slice, layout::reversed_3d};

std::string name(layout l) {
  const char* names[] = {"empty",      "empty_2d", "zero_d",       "one_d",      "c_2d",
                         "fortran_2d", "row_step", "column_slice", "reversed_3d"};
  return names[static_cast<int>(l)];
}

// A value for the k-th element: varied, exact in every type, never zero when `nonzero`.
template <class T>
T value(std::size_t k, int seed, bool nonzero = false) {
  const auto v = static_cast<int>((k * 7 + static_cast<std::size_t>(seed) * 13) % 101);
  if (nonzero) return static_cast<T>(v % 9 + 1);
  if constexpr (std::is_floating_point_v<T>) return static_cast<T>(v) * T(0.25) - T(12);
  if constexpr (std::is_signed_v<T>) return static_cast<T>(v - 50);
  return static_cast<T>(v);
}

// A new file-backed array of `l` whose elements (in C order) are value<T>(k, seed).
template <class T>
ma::array<T> make(const ma::testing::temp_dir& dir, const std::string& file, layout l, int seed,
                  bool nonzero = false) {
  const auto path = dir / file;
  ma::array<T> a;
  const ma::create_options fresh{.existing = ma::if_exists::replace};
  switch (l) {
    case layout::empty:
      a = ma::create_file<T>(path, {0}, fresh);
      break;
    case layout::empty_2d:
      a = ma::create_file<T>(path, {5, 0}, fresh);
      break;
    case layout::zero_d:
      a = ma::create_file<T>(path, ma::dims{}, fresh);
      break;
    case layout::one_d:
      a = ma::create_file<T>(path, {10001}, fresh);
      break;
    case layout::c_2d:
      a = ma::create_file<T>(path, {150, 70}, fresh);
      break;
    case layout::fortran_2d:
      a = ma::create_file<T>(path, {150, 70},
                             {.existing = ma::if_exists::replace, .order = ma::order::fortran});
      break;
    case layout::row_step:
      a = ma::create_file<T>(path, {300, 70}, fresh).slice(0, 1, 300, 2);
      break;
    case layout::column_slice:
      a = ma::create_file<T>(path, {150, 100}, fresh).slice(1, 10, 80);
      break;
    case layout::reversed_3d:
      a = ma::create_file<T>(path, {20, 3, 180}, fresh).slice(2, 179, -1, -1).slice(0, 19, -1, -2);
      break;
  }
  std::size_t k = 0;
  for (auto& x : a) x = value<T>(k++, seed, nonzero);
  return a;
}

template <class T>
std::vector<T> elements(const ma::array<T>& a) {
  return {a.begin(), a.end()};
}

template <class T>
class Compute : public ::testing::Test {};
using element_types = ::testing::Types<float, double, std::int8_t, std::uint8_t, std::int16_t,
                                       std::int32_t, std::uint32_t, std::int64_t>;
TYPED_TEST_SUITE(Compute, element_types);

TYPED_TEST(Compute, NamedOperationsMatchPlainLoops) {
  using T = TypeParam;
  ma::testing::temp_dir dir;
  for (layout l : all_layouts) {
    SCOPED_TRACE(name(l));
    const auto a = make<T>(dir, "a", l, 1);
    const auto b = make<T>(dir, "b", l, 2, true);
    const ma::array<const T> ca = a;
    const auto out = make<T>(dir, "out", l, 3);
    const auto x = elements(a);
    const auto y = elements(b);
    // The reference: NumPy's operation on one pair of elements (ops.hpp, tested on its own
    // in test_ops.cpp), converted into the output's type.
    const auto check = [&](auto f) {
      const auto got = elements(out);
      ASSERT_EQ(got.size(), x.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        ASSERT_EQ(got[i], ma::convert<T>(f(x[i], y[i]))) << "element " << i;
      }
    };
    ma::add(ca, b, out, many_chunks);
    check(ma::op::add{});
    ma::subtract(a, b, out, many_chunks);
    check(ma::op::subtract{});
    ma::multiply(a, b, out, many_chunks);
    check(ma::op::multiply{});
    ma::floor_divide(a, b, out, many_chunks);
    check(ma::op::floor_divide{});
    ma::minimum(a, b, out, many_chunks);
    check(ma::op::minimum{});
    ma::maximum(a, b, out, many_chunks);
    check(ma::op::maximum{});
    ma::add(a, 3, out, many_chunks);
    check([](T p, T) { return ma::op::add{}(p, T(3)); });
    ma::subtract(100, b, out, many_chunks);
    check([](T, T q) { return ma::op::subtract{}(T(100), q); });
    ma::multiply(2, a, out);  // default options
    check([](T p, T) { return ma::op::multiply{}(T(2), p); });
    // True division gives floating point: into a float64 output for every input type.
    const auto quotient = make<double>(dir, "quotient", l, 4);
    ma::divide(a, b, quotient, many_chunks);
    const auto q = elements(quotient);
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(q[i], ma::convert<double>(ma::op::divide{}(x[i], y[i]))) << "element " << i;
    }
  }
}

TYPED_TEST(Compute, ReductionsMatchPlainLoops) {
  using T = TypeParam;
  ma::testing::temp_dir dir;
  for (layout l : all_layouts) {
    SCOPED_TRACE(name(l));
    const auto a = make<T>(dir, "a", l, 5);
    const auto x = elements(a);
    long double total = 0;
    for (T v : x) total += static_cast<long double>(v);
    EXPECT_EQ(static_cast<long double>(ma::sum(a, many_chunks)), total);
    // reduce() converts each element to the type of init before folding.
    std::int64_t folded = 7;
    for (T v : x) folded += static_cast<std::int64_t>(v);
    EXPECT_EQ(ma::reduce(a, std::int64_t{7}, std::plus<>{}, many_chunks), folded);
    if (x.empty()) {
      EXPECT_THROW(ma::min(a), std::invalid_argument);
      EXPECT_THROW(ma::max(a), std::invalid_argument);
      EXPECT_TRUE(std::isnan(ma::mean(a)));  // NumPy's mean of nothing
      continue;
    }
    T lo = x[0];
    T hi = x[0];
    for (T v : x) {
      lo = v < lo ? v : lo;
      hi = hi < v ? v : hi;
    }
    EXPECT_EQ(ma::min(a, many_chunks), lo);
    EXPECT_EQ(ma::max(ma::array<const T>(a), many_chunks), hi);
    EXPECT_DOUBLE_EQ(ma::mean(a, many_chunks),
                     static_cast<double>(total / static_cast<long double>(x.size())));
  }
}

TEST(Transform, OneToFourInputsOfMixedTypes) {
  ma::testing::temp_dir dir;
  for (layout l : all_layouts) {
    SCOPED_TRACE(name(l));
    const auto a = make<float>(dir, "a", l, 1);
    const auto b = make<std::int32_t>(dir, "b", l, 2);
    const auto c = make<double>(dir, "c", l, 3);
    const auto d = make<std::uint8_t>(dir, "d", l, 4);
    const auto out = make<double>(dir, "out", l, 5);
    const auto xa = elements(a);
    const auto xc = elements(c);
    const auto xb = elements(b);
    const auto xd = elements(d);
    ma::transform(
        out, [](float p) { return p * 2.0; }, a, many_chunks);
    auto got = elements(out);
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], xa[i] * 2.0);
    ma::transform(
        out, [](float p, std::int32_t q) { return p - q; }, a, b, many_chunks);
    got = elements(out);
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], double(xa[i] - float(xb[i])));
    ma::transform(
        out, [](float p, std::int32_t q, double r) { return p + q * r; }, a, b, c, many_chunks);
    got = elements(out);
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], xa[i] + xb[i] * xc[i]);
    ma::transform(
        out, [](float p, std::int32_t q, double r, std::uint8_t s) { return p + q + r + s; }, a, b,
        c, d, many_chunks);
    got = elements(out);
    for (std::size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i], xa[i] + float(xb[i]) + xc[i] + xd[i]);
    }
  }
}

TEST(Transform, InputsOfOtherLayoutsThanTheOutput) {
  ma::testing::temp_dir dir;
  const auto c_order = make<int>(dir, "c", layout::c_2d, 1);
  auto fortran = ma::create_file<int>(dir / "f", {150, 70}, {.order = ma::order::fortran});
  for (ma::index_t i = 0; i < 150; ++i) {
    for (ma::index_t j = 0; j < 70; ++j) fortran(i, j) = static_cast<int>(i * 1000 + j);
  }
  const auto out = ma::create_file<int>(dir / "out", {150, 70}, {.order = ma::order::fortran});
  ma::add(c_order, fortran, out, many_chunks);
  for (ma::index_t i = 0; i < 150; ++i) {
    for (ma::index_t j = 0; j < 70; ++j) ASSERT_EQ(out(i, j), c_order(i, j) + fortran(i, j));
  }
}

TEST(Transform, InPlace) {
  ma::testing::temp_dir dir;
  const auto a = make<float>(dir, "a", layout::one_d, 1);
  const auto before = elements(a);
  ma::multiply(a, 2.0f, a, many_chunks);
  for (std::size_t i = 0; i < before.size(); ++i) ASSERT_EQ(a(i), before[i] * 2.0f);
}

TEST(Transform, ArraysInMemoryOfAnyKind) {
  std::vector<double> x(9000, 1.5), y(9000, 2.0), z(9000);
  const auto a = ma::array_from_buffer<const double>(std::as_bytes(std::span(x)));
  const auto b = ma::array_from_buffer<const double>(std::as_bytes(std::span(y)));
  const auto c = ma::array_from_buffer<double>(std::as_writable_bytes(std::span(z)));
  ma::add(a, b, c, {.threads = 2, .memory_budget = 1 << 20});
  for (double v : z) ASSERT_EQ(v, 3.5);
  auto anon = ma::mapping::anonymous(9000 * sizeof(double));
  const ma::array<double> d(reinterpret_cast<double*>(anon.data()), {9000}, {1}, anon.lease());
  ma::add(a, 1.0, d, {.threads = 2, .memory_budget = 1 << 20});
  EXPECT_EQ(ma::sum(d), 9000 * 2.5);  // a budget never drops anonymous memory
}

TEST(Transform, ShapesThatDoNotBroadcastAreAnInvalidArgumentNamingThem) {
  ma::testing::temp_dir dir;
  const auto a = ma::create_file<float>(dir / "a", {3, 4});
  const auto b = ma::create_file<float>(dir / "b", {4, 3});
  const auto out = ma::create_file<float>(dir / "out", {3, 4});
  try {
    ma::add(a, b, out);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("could not be broadcast together with shapes (3,4) (4,3)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ma::transform(
                   out, [](float v) { return v; }, b),
               std::invalid_argument);
}

TEST(Transform, InputsBroadcastToTheOutput) {
  std::vector<double> row{1, 2, 3}, column{10, 20}, z(6);
  const auto r = ma::array_from_buffer<const double>(std::as_bytes(std::span(row)));
  const auto c = ma::array_from_buffer<const double>(std::as_bytes(std::span(column)), {2, 1});
  const auto out = ma::array_from_buffer<double>(std::as_writable_bytes(std::span(z)), {2, 3});
  ma::transform(
      out, [](double x, double y) { return x * y; }, r, c);
  EXPECT_EQ(z, (std::vector<double>{10, 20, 30, 20, 40, 60}));
}

TEST(Operations, IntegersWrapAndFloorDivisionByZeroGivesZero) {
  std::vector<std::int32_t> x{std::numeric_limits<std::int32_t>::max(),
                              std::numeric_limits<std::int32_t>::min(), 7, -7};
  std::vector<std::int32_t> y{1, -1, 0, 2};
  std::vector<std::int32_t> z(4);
  const auto a = ma::array_from_buffer<const std::int32_t>(std::as_bytes(std::span(x)));
  const auto b = ma::array_from_buffer<const std::int32_t>(std::as_bytes(std::span(y)));
  const auto c = ma::array_from_buffer<std::int32_t>(std::as_writable_bytes(std::span(z)));
  ma::add(a, b, c);
  EXPECT_EQ(z[0], std::numeric_limits<std::int32_t>::min());
  ma::floor_divide(a, b, c);
  EXPECT_EQ(z, (std::vector<std::int32_t>{std::numeric_limits<std::int32_t>::max(),
                                          std::numeric_limits<std::int32_t>::min(), 0, -4}));
  // True division of integers is float64, which an int32 output may not hold.
  EXPECT_THROW(ma::divide(a, b, c), ma::type_error);
}

TEST(Reductions, NaNPropagatesThroughMinAndMax) {
  std::vector<float> x(10000, 1.0f);
  x[6000] = std::nanf("");
  const auto a = ma::array_from_buffer<const float>(std::as_bytes(std::span(x)));
  EXPECT_TRUE(std::isnan(ma::min(a, many_chunks)));
  EXPECT_TRUE(std::isnan(ma::max(a, many_chunks)));
}

TEST(Reductions, FloatSumIsAccurateOverManyElements) {
  // 2^24 + 1 ones: a float running sum stops at 2^24.
  std::vector<float> x((1 << 24) + 1, 1.0f);
  const auto a = ma::array_from_buffer<const float>(std::as_bytes(std::span(x)));
  EXPECT_EQ(ma::sum(a), double((1 << 24) + 1));
  // Large and small values: the pairwise double sum keeps the small ones.
  std::vector<double> y(100000, 1e-3);
  y[0] = 1e12;
  const auto b = ma::array_from_buffer<const double>(std::as_bytes(std::span(y)));
  EXPECT_NEAR(ma::sum(b), 1e12 + 99999 * 1e-3, 1e-3);
}

TEST(Reductions, ResultDoesNotDependOnTheThreads) {
  std::vector<float> x(100000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.0f / float(i + 1);
  const auto a = ma::array_from_buffer<const float>(std::as_bytes(std::span(x)));
  const double one = ma::sum(a, {.threads = 1, .chunk_bytes = 1});
  EXPECT_EQ(ma::sum(a, {.threads = 4, .chunk_bytes = 1}), one);
}

TEST(Progress, ReportsIncreasingBytesUpToTheTotal) {
  ma::testing::temp_dir dir;
  const auto a = make<float>(dir, "a", layout::one_d, 1);
  const auto b = make<float>(dir, "b", layout::one_d, 3);
  const auto out = make<float>(dir, "out", layout::one_d, 2);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
  ma::add(
      a, b, out,
      {.threads = 1, .chunk_bytes = 1, .progress = [&](std::uint64_t done, std::uint64_t total) {
         calls.emplace_back(done, total);
       }});
  ASSERT_EQ(calls.size(), 3u);  // 10001 elements in chunks of 4096, one report each
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_GT(calls[i].first, calls[i - 1].first);
  EXPECT_EQ(calls.back().first, 10001u * 3 * sizeof(float));
  EXPECT_EQ(calls.back().second, 10001u * 3 * sizeof(float));
  // With threads, a report that fell behind another is skipped; the rest still increase to
  // the total.
  calls.clear();
  ma::add(
      a, b, out,
      {.threads = 3, .chunk_bytes = 1, .progress = [&](std::uint64_t done, std::uint64_t total) {
         calls.emplace_back(done, total);
       }});
  ASSERT_FALSE(calls.empty());
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_GT(calls[i].first, calls[i - 1].first);
  EXPECT_EQ(calls.back().first, calls.back().second);
}

TEST(Cancellation, StopsBeforeTheNextChunkAndThrows) {
  std::vector<double> x(100000, 1.0), z(100000, 0.0);
  const auto a = ma::array_from_buffer<const double>(std::as_bytes(std::span(x)));
  const auto c = ma::array_from_buffer<double>(std::as_writable_bytes(std::span(z)));
  std::stop_source stop;
  int calls = 0;
  const ma::exec_options opts{.threads = 1,
                              .chunk_bytes = 1,
                              .progress =
                                  [&](std::uint64_t, std::uint64_t) {
                                    ++calls;
                                    stop.request_stop();
                                  },
                              .stop = stop.get_token()};
  EXPECT_THROW(ma::add(a, 1.0, c, opts), ma::cancelled_error);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(z[0], 2.0);                                 // the first chunk ran
  EXPECT_EQ(z[99999], 0.0);                             // the last did not
  EXPECT_THROW(ma::sum(a, opts), ma::cancelled_error);  // already stopped: nothing runs
}

TEST(Errors, WhatTheFunctionThrowsReachesTheCaller) {
  std::vector<int> x(50000, 1), z(50000);
  const auto a = ma::array_from_buffer<const int>(std::as_bytes(std::span(x)));
  const auto c = ma::array_from_buffer<int>(std::as_writable_bytes(std::span(z)));
  std::atomic<int> seen{0};
  EXPECT_THROW(ma::transform(c,
                             [&](int v) {
                               if (seen.fetch_add(1) == 20000)
                                 throw std::domain_error("bad element");
                               return v;
                             },
                             a, {.threads = 3, .chunk_bytes = 1}),
               std::domain_error);
}

// The pages of two inputs and an output, each larger than the budget, that are resident
// (in this process or the page cache) stay near the budget during and after the run.
TEST(MemoryBudget, ResidentPagesStayWithinTheBudget) {
  ma::testing::temp_dir dir;
  constexpr ma::index_t n = 4 << 20;  // 16 MiB per array
  constexpr std::size_t budget = 2 << 20;
  constexpr std::size_t slack = 1 << 20;  // pages the kernel reads besides the chunks
  for (const char* name : {"a", "b"}) {
    auto a = ma::create_file<float>(dir / name, {n});
    for (ma::index_t i = 0; i < n; i += 1024) a(i) = float(i);
    a.flush();
  }
  // Out of the page cache, now that no mapping holds the pages.
  for (const char* name : {"a", "b"}) {
    const int fd = ::open((dir / name).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    ::close(fd);
  }
  const auto a = ma::map_file<const float>(dir / "a");
  const auto b = ma::map_file<const float>(dir / "b");
  const auto c = ma::create_file<float>(dir / "c", {n});
  const auto resident = [&] {
    return a.storage().resident_bytes() + b.storage().resident_bytes() +
           c.storage().resident_bytes();
  };
  ASSERT_LE(resident(), slack);
  std::size_t peak = 0;
  ma::add(a, b, c,
          {.threads = 2, .memory_budget = budget, .progress = [&](std::uint64_t, std::uint64_t) {
             peak = std::max(peak, resident());
           }});
  EXPECT_LE(peak, budget + slack);
  EXPECT_LE(resident(), slack);
  for (ma::index_t i = 0; i < n; i += 1024) ASSERT_EQ(c(i), 2.0f * float(i));
  // Every element, read back with a fresh mapping after the pages were dropped.
  EXPECT_EQ(ma::sum(ma::map_file<const float>(dir / "c"), {.memory_budget = budget}),
            2.0 * ma::sum(a));
}

// A copy_on_write output's changes live only in its private pages: a budget must never drop
// them, and the file must stay as it was.
TEST(MemoryBudget, CopyOnWriteOutputKeepsItsChangesAndLeavesTheFile) {
  ma::testing::temp_dir dir;
  const ma::index_t n = 16 * 4096;
  const auto a = ma::create_file<float>(dir / "a", {n});
  for (ma::index_t i = 0; i < n; ++i) a(i) = static_cast<float>(i);
  ma::create_file<float>(dir / "c", {n});
  const auto c = ma::map_file<float>(dir / "c", {-1}, {.mode = ma::mode::copy_on_write});
  ma::add(a, 1.0f, c, {.threads = 2, .memory_budget = 1 << 20, .chunk_bytes = 4096 * 4});
  for (ma::index_t i = 0; i < n; ++i) ASSERT_EQ(c(i), static_cast<float>(i) + 1.0f);
  EXPECT_EQ(ma::sum(ma::map_file<const float>(dir / "c")), 0.0);
}

// Under a budget each finished output chunk is unmapped and written back while other threads
// still write the chunks beside it. With the output 12 bytes past a page boundary every chunk
// boundary falls inside a page both chunks write: no element may be lost.
TEST(MemoryBudget, OutputChunksSharingEdgePagesLoseNoElement) {
  ma::testing::temp_dir dir;
  const ma::index_t n = 64 * 4096 + 5;
  const auto a = ma::create_file<float>(dir / "a", {n});
  for (ma::index_t i = 0; i < n; ++i) a(i) = static_cast<float>(i % 4099);
  a.flush();
  ma::create_file<float>(dir / "c", {n + 3});
  const auto c = ma::map_file<float>(dir / "c", {n}, {.offset = 12});
  for (int pass = 1; pass <= 4; ++pass) {
    ma::multiply(a, static_cast<float>(pass), c,
                 {.threads = 2, .memory_budget = 1 << 20, .chunk_bytes = 4096 * 4});
    for (ma::index_t i = 0; i < n; ++i) {
      ASSERT_EQ(c(i), static_cast<float>(pass) * static_cast<float>(i % 4099)) << "pass " << pass;
    }
  }
}

}  // namespace

namespace {

TEST(AnyArray, OperationsOnRunTimeDtypesPromoteAsNumPy) {
  ma::testing::temp_dir dir;
  const auto a = ma::create_file(dir / "a", ma::dtype::parse("<f4"), {100, 90});
  const auto ints = ma::create_file(dir / "i", ma::dtype::parse("<i4"), {100, 90});
  const auto out = ma::create_file(dir / "out", ma::dtype::parse("<f8"), {100, 90});
  const auto x = a.as<float>();
  const auto y = ints.as<std::int32_t>();
  for (ma::index_t i = 0; i < 100; ++i) {
    for (ma::index_t j = 0; j < 90; ++j) {
      x(i, j) = float(i) + 0.5f;
      y(i, j) = static_cast<std::int32_t>(j) - 40;
    }
  }
  // float32 * int32 computes in float64, as numpy.result_type says.
  EXPECT_EQ(ma::describe(ma::ufunc::multiply, std::array<ma::operand, 2>{a, ints}).type,
            ma::dtype::parse("<f8"));
  ma::multiply(a, ints, out, many_chunks);
  const auto z = out.as<const double>();
  for (ma::index_t i = 0; i < 100; ++i) {
    for (ma::index_t j = 0; j < 90; ++j) {
      ASSERT_EQ(z(i, j), (double(i) + 0.5) * double(static_cast<std::int32_t>(j) - 40));
    }
  }
  // A big-endian operand is read as numpy reads it.
  const auto swapped = ma::create_file(dir / "s", ma::dtype::parse(">f4"), {100, 90});
  ma::add(a, 0.0, swapped);
  ma::subtract(swapped, a, out);
  for (ma::index_t i = 0; i < 100; ++i) ASSERT_EQ(z(i, 7), 0.0);
  const auto text = ma::create_file(dir / "t", ma::dtype::parse("|S4"), {100, 90});
  EXPECT_THROW(ma::add(text, 1, out), ma::type_error);
}

}  // namespace
