// Collective compute (maparray/mpi_compute.hpp): every rank runs maparray's engine on its
// slab; the results must be the single-machine results, byte for byte for elementwise
// operations, and exact for integer reductions.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

#include "maparray/compute.hpp"
#include "maparray/expression.hpp"
#include "maparray/mpi.hpp"
#include "maparray/npy.hpp"
#include "mpi_fixture.hpp"

namespace ma = maparray;
namespace mm = maparray::mpi;
using ma::index_t;

namespace {

class DistributedCompute : public ma::testing::MpiTest {
 protected:
  // Rows that split unevenly over 3 and 4 ranks and span several engine chunks per rank.
  static constexpr index_t rows = 30011;
  static constexpr index_t columns = 7;

  // A distributed float32 array with values that exercise rounding: f(i) for flat index i.
  mm::global_array<float> make(const std::string& name, float scale) {
    auto a = mm::create_npy<float>(MPI_COMM_WORLD, *this / name, {rows, columns});
    const auto local = a.local();
    const index_t first = a.blocks().first(rank) * columns;
    index_t k = first;
    for (auto& x : local) x = std::sin(static_cast<float>(k++) * scale) * 1000.0f + scale;
    a.flush();
    return a;
  }

  // The data bytes of a .npy file, read without mapping it.
  static std::vector<char> data_of(const std::filesystem::path& path) {
    const auto head = ma::npy::read_header(path);
    std::ifstream in(path, std::ios::binary);
    in.seekg(head.data_offset);
    std::vector<char> bytes(static_cast<std::size_t>(head.data_length));
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return bytes;
  }
};

TEST_F(DistributedCompute, AddIsByteIdenticalToTheSingleMachineEngine) {
  auto a = make("a.npy", 0.37f);
  auto b = make("b.npy", 1.91f);
  auto c = mm::create_npy<float>(MPI_COMM_WORLD, *this / "c.npy", {rows, columns});
  mm::add(a, b, c, {.threads = 2, .memory_budget = 1 << 20});
  auto d = mm::create_npy<float>(MPI_COMM_WORLD, *this / "d.npy", {rows, columns});
  mm::transform(
      d, [](float x, float y, float z) { return x * y - z; }, a, b, c);
  c.flush();
  d.flush();
  if (rank == 0) {
    const auto sa = ma::open_npy<const float>(*this / "a.npy");
    const auto sb = ma::open_npy<const float>(*this / "b.npy");
    auto sc = ma::create_npy<float>(*this / "single_c.npy", {rows, columns});
    ma::add(sa, sb, sc);
    auto sd = ma::create_npy<float>(*this / "single_d.npy", {rows, columns});
    ma::transform(
        sd, [](float x, float y, float z) { return x * y - z; }, sa, sb,
        ma::array<const float>(sc));
    sc.flush();
    sd.flush();
    EXPECT_EQ(data_of(*this / "c.npy"), data_of(*this / "single_c.npy"));
    EXPECT_EQ(data_of(*this / "d.npy"), data_of(*this / "single_d.npy"));
  }
}

TEST_F(DistributedCompute, NamedOperationsWithScalars) {
  auto a = mm::create_npy<std::int32_t>(MPI_COMM_WORLD, *this / "i.npy", {rows});
  const auto local = a.local();
  index_t k = a.blocks().first(rank);
  for (auto& x : local) x = static_cast<std::int32_t>(k++ % 1000) - 500;
  mm::multiply(a, 3, a);
  mm::subtract(7, a, a);
  mm::maximum(a, 0, a);
  // True division of integers gives float64, which same_kind casting refuses to put back in
  // int32, as numpy's np.divide(a, 2, out=a) does; floor division stays int32.
  EXPECT_THROW(mm::divide(a, 2, a), ma::type_error);
  mm::apply(ma::ufunc::floor_divide, {a.any(), 2}, a.any());
  for (index_t i : {index_t{0}, index_t{499}, index_t{1234}, rows - 1}) {
    const std::int32_t x = static_cast<std::int32_t>(i % 1000) - 500;
    EXPECT_EQ(a.get({i}), std::max(7 - 3 * x, 0) / 2) << i;
  }
}

TEST_F(DistributedCompute, ReductionsMatchTheSingleMachineEngine) {
  auto a = make("r.npy", 0.71f);
  auto n = mm::create_npy<std::int64_t>(MPI_COMM_WORLD, *this / "n.npy", {rows, columns});
  mm::transform(
      n, [](float x) { return static_cast<std::int64_t>(x * 1e6f); }, a);
  n.flush();
  const double s = mm::sum(a);
  const float lo = mm::min(a);
  const float hi = mm::max(a);
  const double m = mm::mean(a);
  const std::int64_t si = mm::sum(n);
  // An associative operation that is not a sum: every bit of every element counts.
  const std::int64_t bits =
      mm::reduce(n, std::int64_t{0x5a5a}, [](std::int64_t x, std::int64_t y) { return x ^ y; });
  // Every rank got the same bits.
  double root = s;
  MPI_Bcast(&root, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  EXPECT_EQ(std::memcmp(&root, &s, sizeof s), 0);

  const auto sa = ma::open_npy<const float>(*this / "r.npy");
  const auto sn = ma::open_npy<const std::int64_t>(*this / "n.npy");
  EXPECT_NEAR(s, ma::sum(sa), 1e-9 * std::abs(ma::sum(sa)) + 1e-6);
  EXPECT_NEAR(m, ma::mean(sa), 1e-9);
  EXPECT_EQ(lo, ma::min(sa));
  EXPECT_EQ(hi, ma::max(sa));
  EXPECT_EQ(si, ma::sum(sn));
  std::int64_t expected = 0x5a5a;
  for (const auto y : sn) expected ^= y;
  EXPECT_EQ(bits, expected);
}

TEST_F(DistributedCompute, ReductionsOverEmptySlabs) {
  // Everything on rank 0; the other ranks hold nothing.
  std::vector<index_t> counts(static_cast<std::size_t>(ranks), 0);
  counts[0] = 5;
  auto a = mm::create_npy<double>(MPI_COMM_WORLD, *this / "e.npy", {5}, {.rows_per_rank = counts});
  if (rank == 0) {
    const auto local = a.local();
    for (index_t i = 0; i < 5; ++i) local(i) = static_cast<double>(i) - 2.0;
  }
  mm::add(a, a, a);  // ranks without rows have nothing to do, and still take part
  mm::transform(
      a, [](double x) { return x / 2; }, a);
  EXPECT_EQ(mm::min(a), -2.0);
  EXPECT_EQ(mm::max(a), 2.0);
  EXPECT_EQ(mm::sum(a), 0.0);
  EXPECT_EQ(mm::reduce(a, 100.0, [](double x, double y) { return x + y; }), 100.0);
  auto empty = mm::create_npy<double>(MPI_COMM_WORLD, *this / "none.npy", {0});
  EXPECT_EQ(mm::sum(empty), 0.0);
  EXPECT_THROW(mm::min(empty), std::invalid_argument);
  EXPECT_TRUE(std::isnan(mm::mean(empty)));
  EXPECT_EQ(mm::reduce(empty, 3.0, [](double x, double y) { return x * y; }), 3.0);
}

TEST_F(DistributedCompute, NaNPropagatesThroughTheCombination) {
  auto a = mm::create_npy<double>(MPI_COMM_WORLD, *this / "nan.npy", {4 * ranks},
                                  {.page_aligned = false});
  if (rank == ranks - 1) a.local()(1) = std::nan("");
  EXPECT_TRUE(std::isnan(mm::max(a)));
  EXPECT_TRUE(std::isnan(mm::min(a)));
}

TEST_F(DistributedCompute, OneSidedWritesBeforeTheCallAreSeen) {
  auto a = mm::create_npy<std::int64_t>(MPI_COMM_WORLD, *this / "seen.npy", {100});
  // Every rank puts into elements that other ranks own; no explicit sync before the sum.
  a.fetch_add({99 - rank}, 1000);
  EXPECT_EQ(mm::sum(a), 1000 * ranks);
}

}  // namespace

// The run-time forms give numpy's types and values, and the same bits on every rank.
TEST_F(DistributedCompute, RunTimeExpressionsAndReductionsFollowNumpy) {
  auto a = mm::create_npy<std::int16_t>(MPI_COMM_WORLD, *this / "x.npy", {rows});
  auto out = mm::create_npy<float>(MPI_COMM_WORLD, *this / "y.npy", {rows});
  index_t k = a.blocks().first(rank);
  for (auto& x : a.local()) x = static_cast<std::int16_t>(k++ % 200 - 100);
  // int16 * 0.5 is float64 in numpy; same_kind casting puts it into float32.
  mm::evaluate(ma::expression::parse("a * 0.5 + 1"), {{"a", a.any()}}, out.any());
  for (index_t i : {index_t{0}, index_t{150}, rows - 1}) {
    EXPECT_EQ(out.get({i}), static_cast<float>((i % 200 - 100) * 0.5 + 1)) << i;
  }
  // sum of int16 accumulates in int64; mean of int16 is float64; max keeps int16.
  std::int64_t total = 0;
  mm::reduce(ma::reduction::sum, a.any(),
             ma::any_array(ma::array_from_buffer<std::int64_t>(
                 std::as_writable_bytes(std::span(&total, 1)), ma::dims{})));
  std::int64_t expected = 0;
  for (index_t i = 0; i < rows; ++i) expected += i % 200 - 100;
  EXPECT_EQ(total, expected);
  double mean = 0;
  mm::reduce(ma::reduction::mean, a.any(),
             ma::any_array(ma::array_from_buffer<double>(
                 std::as_writable_bytes(std::span(&mean, 1)), ma::dims{})));
  EXPECT_DOUBLE_EQ(mean, static_cast<double>(expected) / static_cast<double>(rows));
  std::int16_t top = 0;
  mm::reduce(ma::reduction::max, a.any(),
             ma::any_array(ma::array_from_buffer<std::int16_t>(
                 std::as_writable_bytes(std::span(&top, 1)), ma::dims{})));
  EXPECT_EQ(top, 99);
  // A reduction inside an expression, or along an axis, is refused on every rank.
  EXPECT_THROW(mm::evaluate(ma::expression::parse("sum(a)"), {{"a", a.any()}}, out.any()),
               std::invalid_argument);
  EXPECT_THROW(mm::reduce(ma::reduction::sum, a.any(),
                          ma::any_array(ma::array_from_buffer<std::int64_t>(
                              std::as_writable_bytes(std::span(&total, 1)), ma::dims{})),
                          {.axis = 0}),
               std::invalid_argument);
}
