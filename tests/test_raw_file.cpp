#include "maparray/raw_file.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

#include "child_process.hpp"
#include "maparray/any_array.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::child_process;
using ma::testing::read_all;
using ma::testing::temp_dir;
using ma::testing::write_raw;

namespace {

std::filesystem::path int64_file(const temp_dir& dir, std::size_t n) {
  std::vector<std::int64_t> values(n);
  std::iota(values.begin(), values.end(), 0);
  const auto path = dir / "tmp.foo";
  write_raw<std::int64_t>(path, values);
  return path;
}

template <class T>
T value_at(const std::vector<char>& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

}  // namespace

TEST(MapFile, WholeFileFlattenedReadOnly) {
  temp_dir dir;
  const auto path = int64_file(dir, 480);
  const auto a = ma::map_file<const std::int64_t>(path);
  EXPECT_EQ(a.ndim(), 1u);
  EXPECT_EQ(a.size(), 480u);
  EXPECT_EQ(a(479), 479);
  EXPECT_EQ(a.storage().mode(), ma::mode::read);
}

TEST(MapFile, FloatRowsOfTwentyFourWrittenAndFlushed) {
  temp_dir dir;
  const auto path = int64_file(dir, 480);  // 3840 bytes = 960 floats = 40 rows of 24
  const auto b = ma::map_file<float>(path, {-1, 24});
  EXPECT_EQ(b.extent(0), 40);
  EXPECT_EQ(b.extent(1), 24);
  b(2, 3) = 7.0f;
  b.flush();
  EXPECT_EQ(value_at<float>(read_all(path), (2 * 24 + 3) * sizeof(float)), 7.0f);
}

TEST(MapFile, PartOfAFileByOffsetAndCount) {
  temp_dir dir;
  const auto path = int64_file(dir, 480);
  const auto part = ma::map_file<const std::int64_t>(path, {-1}, {.offset = 800, .count = 50});
  EXPECT_EQ(part.size(), 50u);
  EXPECT_EQ(part(0), 100);
  EXPECT_EQ(part(49), 149);
  EXPECT_EQ(part.storage().offset(), 800);
  EXPECT_EQ(part.storage().size(), 400u);
  const auto rows = ma::map_file<const std::int64_t>(path, {-1, 5}, {.offset = 8, .count = 50});
  EXPECT_EQ(rows.extent(0), 10);
  EXPECT_EQ(rows(9, 4), 50);
}

TEST(MapFile, AllOptionsInDesignatedOrder) {
  temp_dir dir;
  const auto path = int64_file(dir, 2048);
  const auto c = ma::map_file<std::int64_t>(
      path, {-1, 24},
      {.mode = ma::mode::copy_on_write, .offset = 4096, .count = 240, .order = ma::order::fortran});
  EXPECT_EQ(c.extent(0), 10);
  EXPECT_TRUE(c.is_f_contiguous());
  EXPECT_EQ(c(1, 0), 513);  // first element is value 512 at byte 4096
  EXPECT_EQ(c(0, 1), 522);
  c(0, 0) = -1;
  EXPECT_EQ(value_at<std::int64_t>(read_all(path), 4096), 512);  // private: file unchanged
}

TEST(MapFile, WritableArrayNeedsAWritableMode) {
  temp_dir dir;
  const auto path = int64_file(dir, 8);
  EXPECT_THROW(ma::map_file<std::int64_t>(path, {-1}, {.mode = ma::mode::read}),
               std::invalid_argument);
  EXPECT_EQ(
      ma::map_file<const std::int64_t>(path, {-1}, {.mode = ma::mode::read_write}).storage().mode(),
      ma::mode::read_write);
}

TEST(MapFile, ShapeErrors) {
  temp_dir dir;
  const auto path = int64_file(dir, 10);  // 80 bytes
  EXPECT_THROW(ma::map_file<const std::int64_t>(path, {-1, 3}), std::invalid_argument);
  EXPECT_THROW(ma::map_file<const std::int64_t>(path, {-1, -1}), std::invalid_argument);
  EXPECT_THROW(ma::map_file<const std::int64_t>(path, {-2, 5}), std::invalid_argument);
  EXPECT_THROW(ma::map_file<const std::int64_t>(path, {11}), std::invalid_argument);
  EXPECT_THROW(ma::map_file<const std::int64_t>(path, {3}, {.count = 4}), std::invalid_argument);
  EXPECT_THROW(ma::map_file<const std::int64_t>(path, {-1}, {.offset = 81}), std::out_of_range);
  EXPECT_THROW(ma::map_file<const std::int64_t>(path, {-1}, {.offset = 8, .count = 10}),
               std::out_of_range);
  EXPECT_THROW(ma::map_file<const std::int64_t>(path, {-1}, {.offset = -8}), std::invalid_argument);
  EXPECT_THROW(ma::map_file<const std::int64_t>(path, {1LL << 62, 4}), std::overflow_error);
  // 80 bytes are not a whole number of 12-byte... use a 3-byte offset instead: 77 bytes left.
  EXPECT_THROW(ma::map_file<const std::uint8_t>(path, {-1, 2}, {.offset = 3}),
               std::invalid_argument);
  EXPECT_EQ(ma::map_file<const std::int64_t>(path, {2, 3}).size(), 6u);  // a prefix is fine
  // An empty array whose strides would overflow is as impossible as a full one.
  const ma::index_t max = std::numeric_limits<ma::index_t>::max();
  EXPECT_THROW(ma::create_file<double>(dir / "e", {0, max}), std::overflow_error);
  EXPECT_THROW(ma::create_file<char>(dir / "e", {0, max / 2, 4}), std::overflow_error);
  EXPECT_FALSE(std::filesystem::exists(dir / "e"));
}

TEST(MapFile, AnOffsetThatLeavesAPartialElementIsNamedInTheError) {
  temp_dir dir;
  const auto path = int64_file(dir, 10);  // 80 bytes: 79 from offset 1
  try {
    ma::map_file(path, ma::dtype::parse("<u4"), {-1}, {.offset = 1});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("79 bytes"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("from offset 1 "), std::string::npos) << e.what();
  }
}

TEST(MapFile, MisalignedOffsetForTheElementType) {
  temp_dir dir;
  const auto path = int64_file(dir, 10);
  try {
    ma::map_file<const double>(path, {-1}, {.offset = 12, .count = 2});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("8 and 16"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(ma::map_file<const std::uint8_t>(path, {-1}, {.offset = 13}));
}

TEST(MapFile, EmptyFileGivesAnEmptyArray) {
  temp_dir dir;
  const auto path = dir / "empty";
  write_raw<char>(path, {});
  const auto a = ma::map_file<float>(path);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_NO_THROW(a.flush());
  const auto b = ma::map_file<const float>(path, {0, 24});
  EXPECT_EQ(b.extent(1), 24);
  const auto c = ma::map_file<const float>(path, {-1, 24});
  EXPECT_EQ(c.extent(0), 0);
}

TEST(MapFile, MissingFile) {
  temp_dir dir;
  EXPECT_THROW(ma::map_file<const float>(dir / "nope"), std::system_error);
}

TEST(CreateFile, ExplicitLengthZeroFilled) {
  temp_dir dir;
  const auto path = dir / "new.f64";
  const auto c = ma::create_file<double>(path, {1000, 1000});
  EXPECT_EQ(std::filesystem::file_size(path), 8'000'000u);
  EXPECT_EQ(c(999, 999), 0.0);
  EXPECT_TRUE(std::all_of(c.begin(), c.end(), [](double v) { return v == 0.0; }));
  c(999, 999) = 1.5;
  c.flush();
  EXPECT_EQ(value_at<double>(read_all(path), 8'000'000 - 8), 1.5);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_GE(st.st_blocks * 512, 8'000'000) << "space was not reserved";
}

TEST(CreateFile, SparseReservesNothing) {
  temp_dir dir;
  const auto path = dir / "sparse.f32";
  const auto c = ma::create_file<float>(path, {1 << 20}, {.sparse = true});
  EXPECT_EQ(std::filesystem::file_size(path), 4u << 20);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_LT(st.st_blocks * 512, 4 << 20);
  EXPECT_EQ(c(12345), 0.0f);
}

TEST(CreateFile, RefusesToReplaceUnlessAsked) {
  temp_dir dir;
  const auto path = int64_file(dir, 10);
  try {
    ma::create_file<float>(path, {4});
    FAIL() << "expected an error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::file_exists);
  }
  EXPECT_EQ(std::filesystem::file_size(path), 80u);  // nothing lost
  const auto c = ma::create_file<float>(path, {4}, {.existing = ma::if_exists::replace});
  EXPECT_EQ(std::filesystem::file_size(path), 16u);
  EXPECT_EQ(c.storage().path(), path);
  c(3) = 2.0f;
  c.flush();
  EXPECT_EQ(value_at<float>(read_all(path), 12), 2.0f);
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(CreateFile, IfExistsOpenIsRefusedBeforeAnythingIsTouched) {
  temp_dir dir;
  const auto path = int64_file(dir, 10);
  EXPECT_THROW(ma::create_file<float>(path, {4}, {.existing = ma::if_exists::open}),
               std::invalid_argument);
  EXPECT_THROW(ma::create_file<float>(dir / "new.f32", {4}, {.existing = ma::if_exists::open}),
               std::invalid_argument);
  EXPECT_EQ(std::filesystem::file_size(path), 80u);
  EXPECT_FALSE(std::filesystem::exists(dir / "new.f32"));
}

TEST(CreateFile, PermissionBits) {
  temp_dir dir;
  const mode_t old = ::umask(022);
  const auto path = dir / "private.bin";
  ma::create_file<char>(path, {1}, {.permissions = 0640});
  ma::create_file<char>(dir / "default.bin", {1});
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  ASSERT_EQ(::stat((dir / "default.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(CreateFile, ReplacingKeepsTheReplacedFilesPermissionsAndOwner) {
  temp_dir dir;
  const bool root = ::geteuid() == 0;
  const mode_t old = ::umask(022);
  for (const mode_t bits : {0600, 0640, 0604}) {
    const auto path = dir / "private.bin";
    write_raw<char>(path, std::vector<char>{'x'});
    ASSERT_EQ(::chmod(path.c_str(), bits), 0);
    // Root can hand the file to another user first, as the victim of a careless --force.
    if (root) {
      ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
    }
    ma::create_file<float>(path, {4}, {.existing = ma::if_exists::replace});
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, bits);
    if (root) {
      EXPECT_EQ(st.st_uid, 65534u);
      EXPECT_EQ(st.st_gid, 65534u);
    }
    EXPECT_EQ(st.st_size, 16);
  }
  ::umask(old);
}

TEST(CreateFile, AProcessKilledWhileCreatingLeavesNothingBehind) {
  temp_dir dir;
  const auto path = dir / "data";
  for (const bool overwrite : {false, true}) {
    if (overwrite) write_raw<char>(path, std::vector<char>{'o', 'l', 'd'});
    child_process child([&] {
      // A file-size limit below the new file's size: reserving its space raises SIGXFSZ,
      // which kills the process in the middle of create_file.
      ::signal(SIGXFSZ, SIG_DFL);
      const rlimit small{1 << 20, 1 << 20};
      ::setrlimit(RLIMIT_FSIZE, &small);
      ma::create_file<double>(
          path, {1 << 20},
          {.existing = overwrite ? ma::if_exists::replace : ma::if_exists::fail});  // 8 MiB
      return 0;
    });
    EXPECT_EQ(child.wait(), -SIGXFSZ);
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
      names.push_back(entry.path().filename().string());
    if (overwrite) {
      EXPECT_EQ(names, std::vector<std::string>{"data"});
      EXPECT_EQ(read_all(path), (std::vector<char>{'o', 'l', 'd'}));
    } else {
      EXPECT_TRUE(names.empty()) << names.front();
    }
  }
}

TEST(CreateFile, ShapeErrorsCreateNothing) {
  temp_dir dir;
  EXPECT_THROW(ma::create_file<float>(dir / "a", {-1, 4}), std::invalid_argument);
  EXPECT_THROW(ma::create_file<float>(dir / "b", {1LL << 62, 4}), std::overflow_error);
  EXPECT_FALSE(std::filesystem::exists(dir / "a"));
  EXPECT_FALSE(std::filesystem::exists(dir / "b"));
}

TEST(CreateFile, MissingDirectoryIsASystemError) {
  temp_dir dir;
  EXPECT_THROW(ma::create_file<float>(dir / "no" / "such" / "dir", {4}), std::system_error);
}

TEST(CreateFile, EmptyShapeCreatesAnEmptyFile) {
  temp_dir dir;
  const auto a = ma::create_file<double>(dir / "zero", {0, 5});
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(std::filesystem::file_size(dir / "zero"), 0u);
}

TEST(CreateFile, ATebibyteSparseFileMapsAndReadsNearItsEnd) {
  temp_dir dir;
  const auto path = dir / "huge.f64";
  const ma::index_t n = (ma::index_t{1} << 40) / 8;
  {
    const auto a = ma::create_file<double>(path, {n}, {.sparse = true});
    a(n - 1) = 3.25;
    a.flush();
  }
  const auto b = ma::map_file<const double>(path, {-1, 1024});
  EXPECT_EQ(b.extent(0), n / 1024);
  EXPECT_EQ(b(n / 1024 - 1, 1023), 3.25);
  EXPECT_EQ(b(n / 2048, 7), 0.0);
}
