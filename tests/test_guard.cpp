// Files truncated under a live mapping: guarded reads turn SIGBUS into exceptions, and advisory
// locks keep cooperating processes from truncating each other's files.
#include "maparray/guard.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <numeric>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "maparray/raw_file.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::child_process;
using ma::testing::temp_dir;
using ma::testing::write_raw;

namespace {

constexpr std::size_t values_per_page = 4096 / sizeof(double);

// A file of `pages` pages of doubles 0, 1, 2, ...
std::filesystem::path doubles(const temp_dir& dir, std::size_t pages) {
  std::vector<double> values(pages * values_per_page);
  std::iota(values.begin(), values.end(), 0.0);
  write_raw<double>(dir / "x.f64", values);
  return dir / "x.f64";
}

void shrink(const std::filesystem::path& path, off_t length) {
  ASSERT_EQ(::truncate(path.c_str(), length), 0);
}

// ThreadSanitizer takes SIGBUS raised inside its own memcpy as fatal and never runs the
// guard's handler, so recovering from a fault cannot be tested under it.
#if defined(__SANITIZE_THREAD__)
#define SKIP_UNDER_TSAN() GTEST_SKIP() << "ThreadSanitizer does not let a SIGBUS handler recover"
#else
#define SKIP_UNDER_TSAN() static_cast<void>(0)
#endif

}  // namespace

TEST(Guard, LoadsInsideTheFileSucceed) {
  temp_dir dir;
  const auto a = ma::map_file<const double>(doubles(dir, 4));
  EXPECT_EQ(ma::guarded_load(a(1000)), 1000.0);
  std::vector<double> copy(a.size());
  ma::guarded_copy(a, std::span(copy));
  EXPECT_EQ(copy.back(), static_cast<double>(a.size() - 1));
}

TEST(Guard, ReadingPastATruncatedEndThrowsInsteadOfCrashing) {
  SKIP_UNDER_TSAN();
  temp_dir dir;
  const auto path = doubles(dir, 4);
  const auto a = ma::map_file<const double>(path);
  shrink(path, 4096);
  EXPECT_EQ(ma::guarded_load(a(10)), 10.0);
  try {
    static_cast<void>(ma::guarded_load(a(3 * values_per_page)));
    FAIL() << "expected an error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::bad_address);
  }
  std::vector<double> copy(a.size());
  EXPECT_THROW(ma::guarded_copy(a, std::span(copy)), std::system_error);
  // The thread is fine afterwards, and guards again.
  EXPECT_THROW(static_cast<void>(ma::guarded_load(a(2 * values_per_page))), std::system_error);
  EXPECT_EQ(ma::guarded_load(a(5)), 5.0);
}

TEST(Guard, ThreadsGuardIndependently) {
  SKIP_UNDER_TSAN();
  temp_dir dir;
  const auto path = doubles(dir, 8);
  const auto a = ma::map_file<const double>(path);
  shrink(path, 4 * 4096);
  std::vector<std::thread> threads;
  std::atomic<int> faults{0}, reads{0};
  int pages_in_file = 0;  // how many of the loads below fall in the four remaining pages
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 500; ++i) pages_in_file += (i + t) % 8 < 4;
  }
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::size_t page = static_cast<std::size_t>((i + t) % 8);
        try {
          if (ma::guarded_load(a(page * values_per_page)) ==
              static_cast<double>(page * values_per_page)) {
            ++reads;
          }
        } catch (const std::system_error&) {
          ++faults;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(reads.load(), pages_in_file);
  EXPECT_EQ(faults.load(), 2000 - pages_in_file);
}

TEST(Guard, SizesMustMatch) {
  std::vector<std::byte> a(4), b(5);
  EXPECT_THROW(ma::guarded_copy(a, b), std::invalid_argument);
}

TEST(Guard, AFaultOutsideAGuardStillReachesThePreviousHandler) {
  SKIP_UNDER_TSAN();
  temp_dir dir;
  const auto path = doubles(dir, 4);
  child_process child([&] {
    struct sigaction action {};
    action.sa_handler = [](int) { ::_exit(42); };
    ::sigaction(SIGBUS, &action, nullptr);
    const auto a = ma::map_file<const double>(path);
    ::truncate(path.c_str(), 0);
    try {
      static_cast<void>(ma::guarded_load(a(0)));  // installs the guard's handler
      return 1;
    } catch (const std::system_error&) {
    }
    volatile double unguarded = a(1);  // must reach the test's own handler
    static_cast<void>(unguarded);
    return 2;
  });
  EXPECT_EQ(child.wait(), 42);
}

TEST(Guard, AFaultOutsideAGuardWithNoOtherHandlerStillKills) {
  temp_dir dir;
  const auto path = doubles(dir, 4);
  child_process child([&] {
    const auto a = ma::map_file<const double>(path);
    ::truncate(path.c_str(), 0);
    try {
      static_cast<void>(ma::guarded_load(a(0)));
    } catch (const std::system_error&) {
    }
    volatile double unguarded = a(1);
    static_cast<void>(unguarded);
    return 0;
  });
  // Sanitizers catch SIGBUS themselves and exit with an error instead; both end the process.
  EXPECT_NE(child.wait(), 0);
}

// The body of the next test, run in a fresh process (this program, started again with
// MAPARRAY_TEST_TRUNCATED_FILE set) that inherited SIGBUS as ignored: it installs the guard's
// handler, then touches a page past the end of a truncated file outside any guard.
TEST(Guard, FaultWithSigbusInheritedAsIgnored) {
  const char* path = std::getenv("MAPARRAY_TEST_TRUNCATED_FILE");
  if (path == nullptr) GTEST_SKIP() << "run by the test below, in a process of its own";
  const auto a = ma::map_file<const double>(path);
  ASSERT_EQ(::truncate(path, 0), 0);
  EXPECT_THROW(static_cast<void>(ma::guarded_load(a(0))), std::system_error);
  volatile double unguarded = a(1);  // a real fault cannot be ignored: the process must die
  static_cast<void>(unguarded);
}

TEST(Guard, AFaultOutsideAGuardKillsEvenWhenSigbusWasInheritedAsIgnored) {
  SKIP_UNDER_TSAN();
  temp_dir dir;
  const auto path = doubles(dir, 4);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGBUS, SIG_IGN);  // as a parent may leave it across exec
    ::setenv("MAPARRAY_TEST_TRUNCATED_FILE", path.c_str(), 1);
    ::execl("/proc/self/exe", "test_guard", "--gtest_filter=Guard.FaultWithSigbusInheritedAsIgnored",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // A handler that returned on the ignored disposition would retry the access forever.
  siginfo_t info{};
  for (int tenth = 0; tenth < 100; ++tenth) {
    info.si_pid = 0;
    ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT), 0);
    if (info.si_pid != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (info.si_pid == 0) ::kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_NE(info.si_pid, 0) << "the process spun on the fault instead of dying";
  // Sanitizers catch SIGBUS themselves and exit with an error instead; both end the process.
  EXPECT_TRUE(WIFSIGNALED(status) ? WTERMSIG(status) == SIGBUS : WEXITSTATUS(status) != 0)
      << "status " << status;
  EXPECT_NE(WIFEXITED(status) ? WEXITSTATUS(status) : 0, 127) << "could not start the test again";
}

TEST(Lock, ResizeIsRefusedWhileAnotherProcessHoldsASharedLock) {
  temp_dir dir;
  const auto path = doubles(dir, 4);
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  child_process reader([&] {
    const auto a = ma::map_file<const double>(path, {-1}, {.lock = ma::file_lock::shared});
    char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) return 3;
    if (::read(done[0], &byte, 1) != 1) return 4;
    return a(4 * values_per_page - 1) == 4.0 * values_per_page - 1 ? 0 : 5;
  });
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  try {
    ma::resize_file(path, 4096);
    FAIL() << "resize must be refused while the file is locked";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::operation_would_block) << e.what();
  }
  // Another reader may share the lock.
  EXPECT_NO_THROW(ma::map_file<const double>(path, {-1}, {.lock = ma::file_lock::shared}));
  ASSERT_EQ(::write(done[1], &byte, 1), 1);
  EXPECT_EQ(reader.wait(), 0);
  ma::resize_file(path, 4096);
  EXPECT_EQ(std::filesystem::file_size(path), 4096u);
  for (int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
}

TEST(Lock, ResizeGrowsWithReservedSpace) {
  temp_dir dir;
  const auto path = doubles(dir, 1);
  ma::resize_file(path, 1 << 20);
  EXPECT_EQ(std::filesystem::file_size(path), 1u << 20);
  EXPECT_EQ(ma::map_file<const double>(path)(0), 0.0);
  EXPECT_THROW(ma::resize_file(path, -1), std::invalid_argument);
}

std::int64_t allocated_bytes(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return static_cast<std::int64_t>(st.st_blocks) * 512;
}

TEST(Lock, ResizeWithSparseLeavesAHole) {
  temp_dir dir;
  const auto path = doubles(dir, 1);
  ma::resize_file(path, 8 << 20, {.sparse = true});
  EXPECT_EQ(std::filesystem::file_size(path), 8u << 20);
  EXPECT_LT(allocated_bytes(path), 4 << 20);
  ma::resize_file(path, 16 << 20);
  EXPECT_GE(allocated_bytes(path), 16 << 20);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  ma::resize_file(path, 24 << 20, true);  // the former signature
#pragma GCC diagnostic pop
  EXPECT_EQ(std::filesystem::file_size(path), 24u << 20);
  EXPECT_LT(allocated_bytes(path), 20 << 20);
}

TEST(Lock, AnExclusiveLockShutsOutSharedOnes) {
  temp_dir dir;
  const auto path = doubles(dir, 1);
  const auto writer = ma::map_file<double>(path, {-1}, {.lock = ma::file_lock::exclusive});
  child_process other([&] {
    try {
      ma::map_file<const double>(path, {-1}, {.lock = ma::file_lock::shared});
      return 1;
    } catch (const std::system_error& e) {
      return e.code() == std::errc::operation_would_block ? 0 : 2;
    }
  });
  EXPECT_EQ(other.wait(), 0);
}
