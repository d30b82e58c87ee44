// Mapping files another part of the program has already opened: map_file(file, ...) and
// open(file, ...) take the descriptor, its open flags decide what is allowed, and errors name
// the path the file carries.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "maparray/any_array.hpp"
#include "maparray/npy.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::temp_dir;
using ma::testing::write_raw;

TEST(OpenFiles, MapFileTakesAnOpenDescriptor) {
  temp_dir dir;
  const std::vector<std::int32_t> values{1, 2, 3, 4, 5, 6};
  write_raw(dir / "x.i32", std::span<const std::int32_t>(values));
  const auto i32 = ma::dtype_of<std::int32_t>();
  auto a = ma::map_file(ma::file::open(dir / "x.i32", O_RDWR), i32, {-1, 2},
                        {.mode = ma::mode::read_write, .offset = 4, .count = 4});
  ASSERT_EQ(a.shape()[0], 2);
  std::int32_t first;
  std::memcpy(&first, a.data(), 4);
  EXPECT_EQ(first, 2);
  EXPECT_EQ(a.storage().path(), dir / "x.i32");
  // A descriptor opened read-only cannot be mapped for writing: the error names the path.
  try {
    ma::map_file(ma::file::open(dir / "x.i32", O_RDONLY), i32, {-1},
                 {.mode = ma::mode::read_write});
    FAIL() << "mapped a read-only descriptor for writing";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::permission_denied);
    EXPECT_NE(std::string(e.what()).find("x.i32"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ma::map_file(ma::file::open(dir / "x.i32", O_RDONLY), i32, {-1, 4}),
               std::invalid_argument);
}

TEST(OpenFiles, OpenTakesAnOpenNpyFile) {
  temp_dir dir;
  {
    auto made = ma::create_npy<double>(dir / "d.npy", {2, 2});
    made(1, 1) = 4.5;
  }
  const auto a = ma::open_npy(ma::file::open(dir / "d.npy", O_RDONLY));
  ASSERT_EQ(a.ndim(), 2u);
  double last;
  std::memcpy(&last, a.data() + 3 * 8, 8);
  EXPECT_EQ(last, 4.5);
  EXPECT_FALSE(a.writable());
  EXPECT_THROW(ma::open_npy(ma::file::open(dir.path(), O_RDONLY)),
               std::system_error);  // a directory: EISDIR, in every mode
}
