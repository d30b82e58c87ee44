#include "maparray/mdspan.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <type_traits>
#include <vector>

#include "maparray/raw_file.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;

namespace {

template <class T>
std::vector<T> file_values(const std::filesystem::path& path) {
  const auto bytes = ma::testing::read_all(path);
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

template <class T>
void write_counting(const std::filesystem::path& path, int n) {
  std::vector<T> values(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = static_cast<T>(i);
  ma::testing::write_raw(path, std::span<const T>(values));
}

}  // namespace

// A read-only array gives an mdspan whose elements cannot be assigned.
static_assert(!std::is_assignable_v<
              decltype(ma::to_mdspan<1>(std::declval<ma::array<const int>>()))::reference, int>);
static_assert(
    std::is_same_v<ma::mdspan_of<long, 2, std::layout_stride, ma::atomic_accessor<long>>::reference,
                   std::atomic_ref<long>>);

TEST(Mdspan, LayoutRightOverACOrderFileWritesLandInTheFile) {
  ma::testing::temp_dir dir;
  const auto path = dir / "c.f64";
  write_counting<double>(path, 12);
  const auto a = ma::map_file<double>(path, {3, 4});
  const auto m = ma::to_mdspan<2, std::layout_right>(a);
  ASSERT_EQ(m.extent(0), 3);
  ASSERT_EQ(m.extent(1), 4);
  for (ma::index_t i = 0; i < 3; ++i) {
    for (ma::index_t j = 0; j < 4; ++j) EXPECT_EQ((m[i, j]), a(i, j));
  }
  m[1, 2] = -3.0;
  a.flush();
  EXPECT_EQ(file_values<double>(path)[6], -3.0);
  EXPECT_THROW((ma::to_mdspan<2, std::layout_left>(a)), std::invalid_argument);
  EXPECT_THROW((ma::to_mdspan<3>(a)), std::invalid_argument);
}

TEST(Mdspan, LayoutLeftOverAFortranArray) {
  ma::testing::temp_dir dir;
  const auto path = dir / "f.f32";
  write_counting<float>(path, 6);
  const auto a = ma::map_file<const float>(path, {2, 3}, {.order = ma::order::fortran});
  const auto m = ma::to_mdspan<2, std::layout_left>(a);
  for (ma::index_t i = 0; i < 2; ++i) {
    for (ma::index_t j = 0; j < 3; ++j) EXPECT_EQ((m[i, j]), a(i, j));
  }
  EXPECT_EQ((m[1, 0]), 1.0f);
  EXPECT_THROW((ma::to_mdspan<2, std::layout_right>(a)), std::invalid_argument);
}

TEST(Mdspan, LayoutStrideForSlicesAndLengthOneDimensions) {
  ma::testing::temp_dir dir;
  const auto path = dir / "s.i32";
  write_counting<std::int32_t>(path, 20);
  const auto a = ma::map_file<std::int32_t>(path, {4, 5});
  const auto every_other = a.slice(1, 0, 5, 2);
  const auto m = ma::to_mdspan<2>(every_other);
  EXPECT_EQ(m.stride(1), 2);
  EXPECT_EQ((m[3, 2]), 19);
  m[2, 1] = 1000;  // row 2, column 2 of the file
  a.flush();
  EXPECT_EQ(file_values<std::int32_t>(path)[12], 1000);

  const auto one_row = ma::to_mdspan<2>(a.rows(3, 4));
  EXPECT_TRUE(one_row.is_unique());
  EXPECT_EQ((one_row[0, 4]), 19);
  EXPECT_THROW(ma::to_mdspan<2>(a.slice(0, 3, -1, -1)), std::invalid_argument);
}

TEST(Mdspan, VisitChoosesTheLayoutFromTheArray) {
  std::vector<double> buffer(12);
  const auto bytes = std::as_writable_bytes(std::span(buffer));
  const auto layout_of = [](const auto& m) {
    using layout = typename std::remove_cvref_t<decltype(m)>::layout_type;
    return std::is_same_v<layout, std::layout_right>  ? 'R'
           : std::is_same_v<layout, std::layout_left> ? 'L'
                                                      : 'S';
  };
  const auto c = ma::array_from_buffer<double>(bytes, {3, 4});
  const auto f = ma::array_from_buffer<double>(bytes, {3, 4}, {.order = ma::order::fortran});
  EXPECT_EQ(ma::visit_mdspan<2>(c, layout_of), 'R');
  EXPECT_EQ(ma::visit_mdspan<2>(f, layout_of), 'L');
  EXPECT_EQ(ma::visit_mdspan<2>(c.slice(1, 0, 4, 2), layout_of), 'S');
}

TEST(Mdspan, AtomicAccessorCountsFromManyThreadsIntoTheFile) {
  ma::testing::temp_dir dir;
  const auto path = dir / "counters.u64";
  const auto a = ma::create_file<std::uint64_t>(path, {2, 8});
  const auto m = ma::to_atomic_mdspan<2, std::layout_right>(a);
  constexpr int threads = 4;
  constexpr int rounds = 2000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&m] {
      for (int r = 0; r < rounds; ++r) {
        for (ma::index_t i = 0; i < 2; ++i) {
          for (ma::index_t j = 0; j < 8; ++j) m[i, j].fetch_add(static_cast<std::uint64_t>(j));
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  a.flush();
  const auto on_disk = file_values<std::uint64_t>(path);
  for (std::size_t k = 0; k < 16; ++k) EXPECT_EQ(on_disk[k], (k % 8) * threads * rounds);
}
