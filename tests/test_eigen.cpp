#include "maparray/eigen.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "maparray/raw_file.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;

namespace {

// The doubles of a file, read with plain reads rather than through a mapping.
std::vector<double> file_doubles(const std::filesystem::path& path) {
  const auto bytes = ma::testing::read_all(path);
  std::vector<double> values(bytes.size() / sizeof(double));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(double));
  return values;
}

// A file of 0, 1, 2, ... as doubles.
void write_counting(const std::filesystem::path& path, int n) {
  std::vector<double> values(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = i;
  ma::testing::write_raw(path, std::span<const double>(values));
}

}  // namespace

static_assert(std::is_same_v<decltype(ma::to_eigen_vector(std::declval<ma::array<const float>>())),
                             ma::eigen_vector_map<const float>>);

TEST(Eigen, RowMajorMapOfACOrderFileWritesLandInTheFile) {
  ma::testing::temp_dir dir;
  const auto path = dir / "m.f64";
  write_counting(path, 12);
  const auto a = ma::map_file<double>(path, {-1, 4});
  auto m = ma::to_eigen_matrix<Eigen::RowMajor>(a);
  ASSERT_EQ(m.rows(), 3);
  ASSERT_EQ(m.cols(), 4);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) EXPECT_EQ(m(i, j), a(i, j));
  }
  m.row(1) *= 10.0;
  m(2, 3) = -1.0;
  a.flush();
  const auto on_disk = file_doubles(path);
  EXPECT_EQ(on_disk, (std::vector<double>{0, 1, 2, 3, 40, 50, 60, 70, 8, 9, 10, -1}));
}

TEST(Eigen, EitherStorageOrderSeesTheSameElementsOfAFortranArray) {
  ma::testing::temp_dir dir;
  const auto path = dir / "f.f64";
  write_counting(path, 6);
  const auto a = ma::map_file<const double>(path, {2, 3}, {.order = ma::order::fortran});
  const auto col = ma::to_eigen_matrix<Eigen::ColMajor>(a);
  const auto row = ma::to_eigen_matrix<Eigen::RowMajor>(a);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(col(i, j), a(i, j));
      EXPECT_EQ(row(i, j), a(i, j));
    }
  }
  // Eigen's own arithmetic agrees with a loop over the array.
  const Eigen::Vector3d v(1.0, -2.0, 0.5);
  const Eigen::Vector2d product = col * v;
  for (int i = 0; i < 2; ++i) {
    EXPECT_DOUBLE_EQ(product(i), a(i, 0) * 1.0 + a(i, 1) * -2.0 + a(i, 2) * 0.5);
  }
}

TEST(Eigen, StridedSlicesKeepTheirStrides) {
  ma::testing::temp_dir dir;
  const auto path = dir / "s.f64";
  write_counting(path, 20);
  const auto a = ma::map_file<double>(path, {4, 5});
  const auto every_other_column = a.slice(1, 0, 5, 2);  // columns 0, 2, 4
  auto m = ma::to_eigen_matrix(every_other_column);
  ASSERT_EQ(m.cols(), 3);
  EXPECT_EQ(m(3, 2), 19.0);
  m.col(1).setConstant(-7.0);  // column 2 of the file
  a.flush();
  const auto on_disk = file_doubles(path);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(on_disk[static_cast<std::size_t>(i * 5 + 2)], -7.0);
  EXPECT_EQ(on_disk[1], 1.0);

  const auto flat = ma::map_file<const double>(path);
  const auto v = ma::to_eigen_vector(flat.slice(0, 1, 20, 3));  // 1, 4, 7, ...
  double expected = 0;
  for (ma::index_t i = 1; i < 20; i += 3) expected += flat(i);
  EXPECT_EQ(v.size(), 7);
  EXPECT_DOUBLE_EQ(v.sum(), expected);
}

TEST(Eigen, WrongRankOrNegativeStridesAreRefused) {
  std::vector<double> buffer(24);
  const auto a =
      ma::array_from_buffer<double>(std::as_writable_bytes(std::span(buffer)), {2, 3, 4});
  EXPECT_THROW(ma::to_eigen_matrix(a), std::invalid_argument);
  EXPECT_THROW(ma::to_eigen_vector(a), std::invalid_argument);
  const auto v = ma::array_from_buffer<double>(std::as_writable_bytes(std::span(buffer)));
  EXPECT_THROW(ma::to_eigen_vector(v.slice(0, 23, -1, -1)), std::invalid_argument);
}

TEST(Eigen, ArrayOverAColumnMajorMatrixSharesItsElements) {
  Eigen::MatrixXd m(3, 4);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) m(i, j) = i * 10 + j;
  }
  const auto a = ma::array_from_eigen(m);
  static_assert(std::is_same_v<decltype(a), const ma::array<double>>);
  ASSERT_EQ(a.ndim(), 2u);
  EXPECT_EQ(a.extent(0), 3);
  EXPECT_EQ(a.extent(1), 4);
  EXPECT_TRUE(a.is_f_contiguous());
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) EXPECT_EQ(a(i, j), m(i, j));
  }
  a(1, 2) = -5.0;
  EXPECT_EQ(m(1, 2), -5.0);
}

TEST(Eigen, ArrayOverRowMajorBlocksVectorsAndConstMatrices) {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(4, 5);
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 5; ++j) m(i, j) = static_cast<float>(i * 5 + j);
  }
  EXPECT_TRUE(ma::array_from_eigen(m).is_c_contiguous());

  auto block = m.block(1, 1, 2, 3);
  const auto b = ma::array_from_eigen(block);
  EXPECT_EQ(b.extent(0), 2);
  EXPECT_EQ(b.extent(1), 3);
  EXPECT_EQ(b(1, 2), m(2, 3));
  EXPECT_FALSE(b.is_contiguous());

  Eigen::VectorXi v = Eigen::VectorXi::LinSpaced(6, 0, 5);
  const auto a = ma::array_from_eigen(v);
  EXPECT_EQ(a.ndim(), 1u);
  EXPECT_EQ(a.flat().size(), 6u);
  EXPECT_EQ(a(5), 5);

  const Eigen::MatrixXd c = Eigen::MatrixXd::Identity(2, 2);
  const auto read_only = ma::array_from_eigen(c);
  static_assert(std::is_same_v<decltype(read_only), const ma::array<const double>>);
  EXPECT_EQ(read_only(1, 1), 1.0);
  EXPECT_FALSE(read_only.storage().writable());

  const Eigen::Map<const Eigen::VectorXi> const_map(v.data(), v.size());
  static_assert(std::is_same_v<decltype(ma::array_from_eigen(const_map)), ma::array<const int>>);
}

TEST(Eigen, AnOwnerKeepsTheMatrixAlive) {
  auto owned = std::make_shared<Eigen::MatrixXd>(Eigen::MatrixXd::Constant(2, 2, 3.5));
  const auto a = ma::array_from_eigen(*owned, owned);
  const std::weak_ptr<Eigen::MatrixXd> watch = owned;
  owned.reset();
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(a(1, 1), 3.5);
}
