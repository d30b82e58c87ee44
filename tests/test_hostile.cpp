// Things that are not plain files where a file is expected, links where a file is to be
// created, and names with odd characters.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <vector>

#include "maparray/maparray.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::read_all;
using ma::testing::temp_dir;
using ma::testing::write_raw;

namespace {

// What opening a FIFO with `open` gives: the exception's message, "opened", or "blocked" if the
// open still waited for a writer after ten seconds (the FIFO is then opened for writing here,
// which releases it, so that a failing test does not hang).
std::string opening_fifo(const std::filesystem::path& fifo, const std::function<void()>& open) {
  auto attempt = std::async(std::launch::async, [&]() -> std::string {
    try {
      open();
      return "opened";
    } catch (const std::exception& e) {
      return e.what();
    }
  });
  if (attempt.wait_for(std::chrono::seconds(10)) == std::future_status::ready) return attempt.get();
  const int writer = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  attempt.wait();
  if (writer >= 0) ::close(writer);
  return "blocked";
}

// Checks that every way of opening an existing file refuses `fifo` at once, naming it a FIFO.
void expect_fifo_refused(const std::filesystem::path& fifo, const std::function<void()>& open,
                         const char* how) {
  const std::string outcome = opening_fifo(fifo, open);
  EXPECT_NE(outcome.find("FIFO"), std::string::npos) << how << ": " << outcome;
}

}  // namespace

TEST(Hostile, AFifoIsRefusedWithoutWaitingForAWriter) {
  temp_dir dir;
  const auto fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_fifo_refused(fifo, [&] { ma::map_file<const float>(fifo); }, "map_file read");
  expect_fifo_refused(
      fifo, [&] { ma::map_file<float>(fifo, {-1}, {.mode = ma::mode::copy_on_write}); },
      "map_file copy_on_write");
  for (const auto m : {ma::mode::read, ma::mode::copy_on_write, ma::mode::read_write}) {
    expect_fifo_refused(fifo, [&] { ma::mapping::open(fifo, {.mode = m}); }, "mapping::open");
  }
  expect_fifo_refused(fifo, [&] { ma::open_npy(fifo); }, "open");
  expect_fifo_refused(fifo, [&] { ma::npy::read_header(fifo); }, "read_header");
  expect_fifo_refused(fifo, [&] { ma::resize_file(fifo, 8); }, "resize_file");
  expect_fifo_refused(
      fifo, [&] { ma::append_npy<float>(fifo, std::vector<float>{1}); }, "append_npy");
}

TEST(Hostile, AFifoUnderDevShmIsRefusedWithoutWaiting) {
  const std::string name = "maparray-test-fifo-" + std::to_string(::getpid());
  const std::filesystem::path fifo = std::filesystem::path("/dev/shm") / name;
  if (::mkfifo(fifo.c_str(), 0600) != 0) GTEST_SKIP() << "cannot make a FIFO in /dev/shm";
  for (const auto m : {ma::mode::read, ma::mode::copy_on_write, ma::mode::read_write}) {
    expect_fifo_refused(fifo, [&] { ma::open_shared("/" + name, m); }, "open_shared");
  }
  expect_fifo_refused(
      fifo, [&] { ma::create_shared<float>("/" + name, {1}, {.existing = ma::if_exists::open}); },
      "create_shared if_exists::open");
  ::unlink(fifo.c_str());
}

TEST(Hostile, ADirectoryIsIsADirectoryInEveryMode) {
  temp_dir dir;
  const auto expect_eisdir = [&](const std::function<void()>& open, const char* how) {
    try {
      open();
      ADD_FAILURE() << how << ": no error";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::is_a_directory) << how << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find(dir.path().string()), std::string::npos) << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << how << ": " << e.what();
    }
  };
  expect_eisdir([&] { ma::map_file<const float>(dir.path()); }, "map_file read");
  expect_eisdir([&] { ma::map_file<float>(dir.path()); }, "map_file read_write");
  expect_eisdir([&] { ma::map_file<float>(dir.path(), {-1}, {.mode = ma::mode::copy_on_write}); },
                "map_file copy_on_write");
  for (const auto m : {ma::mode::read, ma::mode::copy_on_write, ma::mode::read_write}) {
    expect_eisdir([&] { ma::mapping::open(dir.path(), {.mode = m}); }, "mapping::open");
    expect_eisdir([&] { ma::open_npy(dir.path(), {.mode = m}); }, "open");
  }
  expect_eisdir([&] { ma::npy::read_header(dir.path()); }, "read_header");
  expect_eisdir([&] { ma::resize_file(dir.path(), 0); }, "resize_file");
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
  ma::create_file<float>(link, {4}, {.existing = ma::if_exists::replace});
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
