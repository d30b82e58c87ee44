// Every failing system call surfaces as a std::system_error with its errno, and leaves no
// descriptor, mapping or file behind. Failures are injected through the os layer.
#include <gtest/gtest.h>

#include <cerrno>
#include <numeric>
#include <vector>

#include "injected_failure.hpp"
#include "maparray/maparray.hpp"
#include "resource_counts.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::entries_in;
using ma::testing::mapped_regions;
using ma::testing::open_descriptors;
using ma::testing::temp_dir;
using ma::testing::write_raw;

namespace {

class Faults : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<float> values(4096);
    std::iota(values.begin(), values.end(), 0.0f);
    write_raw<float>(existing(), values);
    // Warm up whatever the runtime maps once, so that counts compare like with like.
    static_cast<void>(ma::map_file<const float>(existing())(0));
    fds_ = open_descriptors();
    maps_ = mapped_regions(dir_.path());
    files_ = entries_in(dir_.path());
  }
  void TearDown() override {
    ma::sys::clear_injected_failures();
    EXPECT_EQ(open_descriptors(), fds_) << "a descriptor leaked";
    EXPECT_EQ(mapped_regions(dir_.path()), maps_) << "a mapping leaked";
    EXPECT_EQ(entries_in(dir_.path()), files_) << "a file was left behind";
  }
  std::filesystem::path existing() const { return dir_ / "existing.f32"; }
  std::filesystem::path fresh() const { return dir_ / "fresh.f32"; }

  // Runs `operation` with `call` failing with `error`, and checks the exception.
  template <class F>
  void expect_failure(const char* call, int error, F operation, int skip = 0) {
    ma::testing::expect_injected_failure(call, error, operation, skip);
  }

  temp_dir dir_;
  std::size_t fds_ = 0, maps_ = 0, files_ = 0;
};

}  // namespace

TEST_F(Faults, OpenFailures) {
  expect_failure("open", EACCES, [&] { ma::map_file<const float>(existing()); });
  expect_failure("open", EMFILE, [&] { ma::create_file<float>(fresh(), {10}); });
  expect_failure("open", ENOSPC, [&] {
    ma::create_file<float>(existing(), {10}, {.existing = ma::if_exists::replace});
  });
}

TEST_F(Faults, FstatFailure) {
  expect_failure("fstat", EIO, [&] { ma::map_file<const float>(existing()); });
  expect_failure("fstat", EIO, [&] { ma::create_file<float>(fresh(), {10}); });
}

TEST_F(Faults, MmapFailure) {
  expect_failure("mmap", ENOMEM, [&] { ma::map_file<float>(existing(), {-1, 4}); });
  expect_failure("mmap", ENOMEM, [&] { ma::create_file<float>(fresh(), {10}); });
  expect_failure("mmap", ENOMEM, [&] {
    ma::create_file<float>(existing(), {5}, {.existing = ma::if_exists::replace});
  });
  EXPECT_EQ(std::filesystem::file_size(existing()), 4096u * 4) << "overwrite lost the old file";
}

TEST_F(Faults, ReserveAndTruncateFailures) {
  expect_failure("posix_fallocate", ENOSPC, [&] { ma::create_file<float>(fresh(), {1 << 20}); });
  expect_failure("posix_fallocate", EDQUOT, [&] {
    ma::create_file<float>(existing(), {1 << 20}, {.existing = ma::if_exists::replace});
  });
  expect_failure("ftruncate", EFBIG,
                 [&] { ma::create_file<float>(fresh(), {1 << 20}, {.sparse = true}); });
  expect_failure("posix_fallocate", ENOSPC, [&] { ma::resize_file(existing(), 1 << 24); });
  EXPECT_EQ(std::filesystem::file_size(existing()), 4096u * 4);
}

TEST_F(Faults, RenameFailureKeepsTheOldFile) {
  expect_failure("rename", EXDEV, [&] {
    ma::create_file<float>(existing(), {3}, {.existing = ma::if_exists::replace});
  });
  EXPECT_EQ(ma::map_file<const float>(existing())(4095), 4095.0f);
}

TEST_F(Faults, FlushReportsTheRealErrno) {
  const auto a = ma::map_file<float>(existing());
  a(7) = 1.0f;
  expect_failure("msync", EIO, [&] { a.flush(); });
  expect_failure("msync", ENOSPC, [&] { a.storage().flush(0, 4, ma::flush_mode::async); });
  EXPECT_NO_THROW(a.flush());  // the next flush works again
}

TEST_F(Faults, AdviceAndResidencyFailures) {
  const auto a = ma::map_file<const float>(existing());
  expect_failure("madvise", EINVAL, [&] { a.storage().advise(ma::advice::random); });
  expect_failure("madvise", EIO, [&] { a.storage().prefetch(); });
  expect_failure("mincore", ENOMEM, [&] { static_cast<void>(a.storage().resident_bytes()); });
}

TEST_F(Faults, LockFailure) {
  expect_failure("flock", ENOLCK, [&] {
    ma::map_file<const float>(existing(), {-1}, {.lock = ma::file_lock::shared});
  });
}

TEST_F(Faults, SkipLetsEarlierCallsThrough) {
  // The second open fails: the first (of the existing file) succeeds and must be released.
  const auto a = ma::map_file<const float>(existing());
  expect_failure(
      "open", EMFILE,
      [&] {
        const auto b = ma::map_file<const float>(existing());
        const auto c = ma::map_file<const float>(existing());
      },
      1);
}
