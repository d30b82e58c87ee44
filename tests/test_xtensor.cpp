#include "maparray/xtensor.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <vector>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "maparray/error.hpp"
#include "maparray/raw_file.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;

namespace {

std::vector<float> file_floats(const std::filesystem::path& path) {
  const auto bytes = ma::testing::read_all(path);
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

void write_counting(const std::filesystem::path& path, int n) {
  std::vector<float> values(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = static_cast<float>(i);
  ma::testing::write_raw(path, std::span<const float>(values));
}

}  // namespace

TEST(Xtensor, AdaptorSeesTheArrayAndWritesLandInTheFile) {
  ma::testing::temp_dir dir;
  const auto path = dir / "x.f32";
  write_counting(path, 24);
  const auto a = ma::map_file<float>(path, {2, 3, 4});
  auto x = ma::to_xtensor(a);
  ASSERT_EQ(x.dimension(), 3u);
  EXPECT_EQ(x.shape()[0], 2u);
  EXPECT_EQ(x.shape()[2], 4u);
  for (ma::index_t i = 0; i < 2; ++i) {
    for (ma::index_t j = 0; j < 3; ++j) {
      for (ma::index_t k = 0; k < 4; ++k) EXPECT_EQ(x(i, j, k), a(i, j, k));
    }
  }
  EXPECT_FLOAT_EQ(xt::sum(x)(), 23.0f * 24.0f / 2.0f);
  xt::view(x, 1, xt::all(), 0) = 100.0f;  // elements 12, 16, 20
  x(0, 0, 1) += 0.5f;
  a.flush();
  const auto on_disk = file_floats(path);
  EXPECT_EQ(on_disk[12], 100.0f);
  EXPECT_EQ(on_disk[16], 100.0f);
  EXPECT_EQ(on_disk[20], 100.0f);
  EXPECT_EQ(on_disk[13], 13.0f);
  EXPECT_EQ(on_disk[1], 1.5f);
}

TEST(Xtensor, FortranAndSlicedArraysKeepTheirLayout) {
  ma::testing::temp_dir dir;
  const auto path = dir / "f.f32";
  write_counting(path, 12);
  const auto f = ma::map_file<const float>(path, {3, 4}, {.order = ma::order::fortran});
  const auto xf = ma::to_xtensor(f);
  for (ma::index_t i = 0; i < 3; ++i) {
    for (ma::index_t j = 0; j < 4; ++j) EXPECT_EQ(xf(i, j), f(i, j));
  }
  const auto rows = ma::map_file<const float>(path, {3, 4});
  const auto sliced = rows.slice(1, 1, 4, 2);  // columns 1 and 3
  const auto xs = ma::to_xtensor(sliced);
  ASSERT_EQ(xs.shape()[1], 2u);
  EXPECT_EQ(xs(2, 1), 11.0f);
  EXPECT_FLOAT_EQ(xt::sum(xs)(), 1.0f + 3 + 5 + 7 + 9 + 11);
  // Element-by-element arithmetic matches the same sums over the array.
  const xt::xarray<float> doubled = xs * 2.0f;
  for (ma::index_t i = 0; i < 3; ++i) {
    for (ma::index_t j = 0; j < 2; ++j) EXPECT_EQ(doubled(i, j), 2.0f * sliced(i, j));
  }
  // A row of length one broadcasts against a full matrix.
  const auto first_row = ma::to_xtensor(rows.rows(0, 1));
  const xt::xarray<float> differences = ma::to_xtensor(rows) - first_row;
  EXPECT_EQ(differences(2, 3), 8.0f);
  EXPECT_EQ(differences(1, 0), 4.0f);
}

TEST(Xtensor, AdaptorKeepsTheMappingAlive) {
  ma::testing::temp_dir dir;
  const auto path = dir / "k.f32";
  write_counting(path, 8);
  ma::mapping storage;
  std::optional<ma::xtensor_view<const float>> x;
  {
    const auto a = ma::map_file<const float>(path);
    storage = a.storage();
    x.emplace(ma::to_xtensor(a));
  }
  EXPECT_THROW(storage.close(), ma::busy_error);
  EXPECT_EQ((*x)(7), 7.0f);
  x.reset();
  EXPECT_NO_THROW(storage.close());
}

TEST(Xtensor, NegativeStridesAreRefused) {
  std::vector<float> buffer(6);
  const auto a = ma::array_from_buffer<float>(std::as_writable_bytes(std::span(buffer)));
  EXPECT_THROW(ma::to_xtensor(a.slice(0, 5, -1, -1)), std::invalid_argument);
  const auto empty = ma::to_xtensor(a.slice(0, 2, 2));
  EXPECT_EQ(empty.size(), 0u);
}
