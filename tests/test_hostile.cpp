// Things that are not plain files where a file is expected, links where a file is to be
// created, and names with odd characters.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <vector>

#include "maparray/maparray.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::read_all;
using ma::testing::temp_dir;
using ma::testing::write_raw;

TEST(Hostile, AFifoIsRefusedWithoutWaitingForAWriter) {
  temp_dir dir;
  const auto fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto attempt = std::async(std::launch::async, [&] {
    try {
      ma::map_file<const float>(fifo);
      return std::string("mapped");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
  });
  ASSERT_EQ(attempt.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "opening a FIFO blocked";
  EXPECT_NE(attempt.get().find("FIFO"), std::string::npos);
}

TEST(Hostile, ADirectoryIsRefused) {
  temp_dir dir;
  try {
    ma::map_file<const float>(dir.path());
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("directory"), std::string::npos) << e.what();
  }
}

TEST(Hostile, ACharacterDeviceIsRefused) {
  EXPECT_THROW(ma::map_file<const float>("/dev/zero"), std::invalid_argument);
  EXPECT_THROW(ma::map_file<const float>("/dev/null"), std::invalid_argument);
}

TEST(Hostile, CreateNeverFollowsASymlinkAtTheTarget) {
  temp_dir dir;
  const auto victim = dir / "victim";
  write_raw<char>(victim, std::vector<char>{'k', 'e', 'e', 'p'});
  const auto link = dir / "link";
  std::filesystem::create_symlink(victim, link);
  try {
    ma::create_file<float>(link, {4});
    FAIL() << "expected an error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::file_exists);
  }
  // A dangling link is refused too: O_EXCL never creates through a link.
  const auto dangling = dir / "dangling";
  std::filesystem::create_symlink(dir / "nowhere", dangling);
  EXPECT_THROW(ma::create_file<float>(dangling, {4}), std::system_error);
  EXPECT_FALSE(std::filesystem::exists(dir / "nowhere"));
  // overwrite replaces the link itself; the file it pointed to is untouched.
  ma::create_file<float>(link, {4}, {.overwrite = true});
  EXPECT_FALSE(std::filesystem::is_symlink(link));
  EXPECT_EQ(std::filesystem::file_size(link), 16u);
  EXPECT_EQ(read_all(victim), (std::vector<char>{'k', 'e', 'e', 'p'}));
}

TEST(Hostile, MappingThroughASymlinkMapsItsTarget) {
  temp_dir dir;
  write_raw<float>(dir / "data", std::vector<float>{1, 2, 3});
  std::filesystem::create_symlink(dir / "data", dir / "alias");
  EXPECT_EQ(ma::map_file<const float>(dir / "alias")(2), 3.0f);
}

TEST(Hostile, OddCharactersInNames) {
  temp_dir dir;
  for (const char* name : {"with space", "-leading-dash", "new\nline", "quote'\"", "ünïcødé-名前",
                           "*?[glob]", "tab\there"}) {
    const auto path = dir / name;
    const auto a = ma::create_file<std::int32_t>(path, {3});
    a(2) = 7;
    a.flush();
    EXPECT_EQ(ma::map_file<const std::int32_t>(path)(2), 7) << name;
  }
}

TEST(Hostile, AFileWithoutReadPermissionIsASystemErrorForNonRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file; permissions cannot be tested";
  temp_dir dir;
  write_raw<float>(dir / "secret", std::vector<float>{1});
  std::filesystem::permissions(dir / "secret", std::filesystem::perms::none);
  try {
    ma::map_file<const float>(dir / "secret");
    FAIL() << "expected an error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::permission_denied);
  }
}

TEST(Hostile, AReadOnlyFileCannotBeMappedForWriting) {
  temp_dir dir;
  write_raw<float>(dir / "ro", std::vector<float>{1});
  std::filesystem::permissions(dir / "ro", std::filesystem::perms::owner_read);
  if (::geteuid() == 0) {
    // Root may open it for writing; the mapping then works, which is correct for root.
    EXPECT_NO_THROW(ma::map_file<float>(dir / "ro"));
  } else {
    EXPECT_THROW(ma::map_file<float>(dir / "ro"), std::system_error);
  }
  // copy_on_write never needs write permission.
  const auto c = ma::map_file<float>(dir / "ro", {-1}, {.mode = ma::mode::copy_on_write});
  c(0) = 5;
  EXPECT_EQ(c(0), 5.0f);
}
