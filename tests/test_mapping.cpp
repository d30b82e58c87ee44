#include "maparray/mapping.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <thread>
#include <vector>

#include "maparray/error.hpp"
#include "sys.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::read_all;
using ma::testing::temp_dir;
using ma::testing::write_raw;

namespace {

// A file of `n` bytes whose byte i is i % 251, so any offset mistake shows.
std::filesystem::path pattern_file(const temp_dir& dir, std::size_t n) {
  std::vector<unsigned char> bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<unsigned char>(i % 251);
  const auto path = dir / "pattern.bin";
  write_raw<unsigned char>(path, bytes);
  return path;
}

}  // namespace

TEST(Mapping, MapsAWholeFile) {
  temp_dir dir;
  const auto path = pattern_file(dir, 10000);
  const auto m = ma::mapping::open(path);
  ASSERT_EQ(m.size(), 10000u);
  EXPECT_EQ(m.offset(), 0);
  EXPECT_EQ(m.mode(), ma::mode::read);
  EXPECT_EQ(m.path(), path);
  EXPECT_EQ(static_cast<int>(m.data()[9999]), 9999 % 251);
}

TEST(Mapping, MapsAnUnalignedPartAndHidesThePageAlignment) {
  temp_dir dir;
  const auto path = pattern_file(dir, 3 * ma::sys::page_size() + 123);
  for (std::int64_t offset : {0L, 1L, 4095L, 4096L, 5000L}) {
    const auto m = ma::mapping::open(path, {.offset = offset, .length = 300});
    ASSERT_EQ(m.size(), 300u);
    EXPECT_EQ(m.offset(), offset);
    EXPECT_GE(m.mapped_length(), m.size());
    EXPECT_EQ(m.mapped_length() - m.size(),
              static_cast<std::size_t>(offset) % ma::sys::page_size());
    for (std::size_t i = 0; i < m.size(); ++i) {
      ASSERT_EQ(static_cast<int>(m.data()[i]), static_cast<int>((offset + i) % 251));
    }
  }
}

TEST(Mapping, LengthDefaultsToTheRestOfTheFile) {
  temp_dir dir;
  const auto path = pattern_file(dir, 1000);
  EXPECT_EQ(ma::mapping::open(path, {.offset = 999}).size(), 1u);
  EXPECT_EQ(ma::mapping::open(path, {.offset = 1000}).size(), 0u);
}

TEST(Mapping, RangesPastTheEndAreErrors) {
  temp_dir dir;
  const auto path = pattern_file(dir, 1000);
  EXPECT_THROW(ma::mapping::open(path, {.offset = 1001}), std::out_of_range);
  EXPECT_THROW(ma::mapping::open(path, {.offset = 10, .length = 991}), std::out_of_range);
  EXPECT_THROW(ma::mapping::open(path, {.offset = -1}), std::invalid_argument);
  EXPECT_THROW(ma::mapping::open(path, {.length = -1}), std::invalid_argument);
}

TEST(Mapping, AMissingFileIsASystemErrorNamingThePathAndCall) {
  temp_dir dir;
  try {
    ma::mapping::open(dir / "missing.bin");
    FAIL() << "expected an error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find("missing.bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("open"), std::string::npos) << e.what();
  }
}

TEST(Mapping, ADirectoryIsASystemError) {
  temp_dir dir;
  EXPECT_THROW(ma::mapping::open(dir.path(), {.mode = ma::mode::read_write}), std::system_error);
}

TEST(Mapping, AnEmptyFileGivesAnEmptyMapping) {
  temp_dir dir;
  const auto path = dir / "empty.bin";
  write_raw<char>(path, {});
  auto m = ma::mapping::open(path, {.mode = ma::mode::read_write});
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.data(), nullptr);
  EXPECT_NO_THROW(m.flush());
  EXPECT_EQ(m.resident_bytes(), 0u);
  EXPECT_NO_THROW(m.close());
}

TEST(Mapping, ReadWriteReachesTheFile) {
  temp_dir dir;
  const auto path = pattern_file(dir, 5000);
  {
    const auto m = ma::mapping::open(path, {.mode = ma::mode::read_write, .offset = 4097});
    m.data()[0] = std::byte{0xAB};
    m.flush();
  }
  EXPECT_EQ(static_cast<unsigned char>(read_all(path)[4097]), 0xAB);
}

TEST(Mapping, CopyOnWriteNeverChangesTheFile) {
  temp_dir dir;
  const auto path = pattern_file(dir, 5000);
  const auto before = read_all(path);
  {
    const auto m = ma::mapping::open(path, {.mode = ma::mode::copy_on_write});
    std::memset(m.data(), 0x5A, m.size());
    m.flush();
    EXPECT_EQ(static_cast<int>(m.data()[10]), 0x5A);
    const auto other = ma::mapping::open(path);
    EXPECT_EQ(static_cast<int>(other.data()[10]), 10);
  }
  EXPECT_EQ(read_all(path), before);
}

TEST(Mapping, CopyOnWriteWorksOnAReadOnlyFile) {
  temp_dir dir;
  const auto path = pattern_file(dir, 100);
  std::filesystem::permissions(path, std::filesystem::perms::owner_read);
  const auto m = ma::mapping::open(path, {.mode = ma::mode::copy_on_write});
  m.data()[0] = std::byte{1};
  EXPECT_EQ(static_cast<int>(m.data()[0]), 1);
}

TEST(Mapping, FlushRangesAreChecked) {
  temp_dir dir;
  const auto path = pattern_file(dir, 3 * ma::sys::page_size());
  const auto m = ma::mapping::open(path, {.mode = ma::mode::read_write, .offset = 10});
  EXPECT_NO_THROW(m.flush(5000, 100));
  EXPECT_NO_THROW(m.flush(0, m.size(), ma::flush_mode::async));
  EXPECT_THROW(m.flush(m.size() + 1, 0), std::out_of_range);
  EXPECT_THROW(m.flush(10, m.size()), std::out_of_range);
}

TEST(Mapping, EveryAdviceIsAccepted) {
  temp_dir dir;
  const auto path = pattern_file(dir, 64 * 1024);
  const auto m = ma::mapping::open(path, {.offset = 100});
  for (auto a : {ma::advice::normal, ma::advice::sequential, ma::advice::random,
                 ma::advice::willneed, ma::advice::dontneed}) {
    EXPECT_NO_THROW(m.advise(a));
    EXPECT_NO_THROW(m.advise(a, 5000, 1000));
  }
  // Transparent huge pages for file mappings depend on the kernel; anonymous memory has them
  // where THP is enabled at all, and otherwise the error must be a system_error, not a crash.
  const auto anon = ma::mapping::anonymous(4 << 20);
  try {
    anon.advise(ma::advice::hugepage);
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::invalid_argument) << e.what();
  }
}

TEST(Mapping, DontneedIsRefusedWhereItWouldDiscardPrivateWrites) {
  temp_dir dir;
  const auto path = pattern_file(dir, 4 * ma::sys::page_size());
  const auto cow = ma::mapping::open(path, {.mode = ma::mode::copy_on_write});
  cow.data()[5000] = std::byte{200};
  EXPECT_THROW(cow.advise(ma::advice::dontneed), std::invalid_argument);
  EXPECT_THROW(cow.advise(ma::advice::dontneed, 4096, 4096), std::invalid_argument);
  EXPECT_EQ(cow.data()[5000], std::byte{200});  // the private write survives
  EXPECT_NO_THROW(cow.advise(ma::advice::random));

  const auto anon = ma::mapping::anonymous(4 * ma::sys::page_size());
  anon.data()[10] = std::byte{7};
  EXPECT_THROW(anon.advise(ma::advice::dontneed), std::invalid_argument);
  EXPECT_EQ(anon.data()[10], std::byte{7});

  // Whole pages of its own, so that a wrongly accepted advice could not zero anything else.
  const std::size_t size = 3 * ma::sys::page_size();
  const std::unique_ptr<std::byte, decltype(&std::free)> own(
      static_cast<std::byte*>(std::aligned_alloc(ma::sys::page_size(), size)), &std::free);
  ASSERT_NE(own, nullptr);
  std::memset(own.get(), 9, size);
  const auto borrowed = ma::mapping::borrow({own.get(), size}, true);
  EXPECT_THROW(borrowed.advise(ma::advice::dontneed), std::invalid_argument);
  EXPECT_EQ(own.get()[100], std::byte{9});

  // Shared file pages only leave this process; the file keeps the write.
  const auto shared = ma::mapping::open(path, {.mode = ma::mode::read_write});
  shared.data()[5000] = std::byte{201};
  EXPECT_NO_THROW(shared.advise(ma::advice::dontneed));
  EXPECT_EQ(shared.data()[5000], std::byte{201});
}

TEST(Mapping, PrefetchMakesPagesResident) {
  temp_dir dir;
  const std::size_t size = 256 * ma::sys::page_size();
  const auto path = pattern_file(dir, size);
  const auto m = ma::mapping::open(path);
  m.advise(ma::advice::dontneed);
  m.prefetch();
  EXPECT_EQ(m.resident_bytes(), size);
  EXPECT_EQ(m.resident_bytes(0, ma::sys::page_size()), ma::sys::page_size());
}

TEST(Mapping, PrefetchForWriteNeedsAWritableMapping) {
  temp_dir dir;
  const auto path = pattern_file(dir, 8192);
  EXPECT_THROW(ma::mapping::open(path).prefetch(ma::access::write), std::logic_error);
  const auto rw = ma::mapping::open(path, {.mode = ma::mode::read_write});
  EXPECT_NO_THROW(rw.prefetch(ma::access::write));
}

TEST(Mapping, ResidentBytesOfFreshAnonymousMemoryIsZero) {
  const auto m = ma::mapping::anonymous(64 * ma::sys::page_size());
  EXPECT_EQ(m.resident_bytes(), 0u);
  m.data()[0] = std::byte{1};
  EXPECT_EQ(m.resident_bytes(), ma::sys::page_size());
}

TEST(Mapping, DescriptorsAreCloseOnExec) {
  temp_dir dir;
  const auto path = pattern_file(dir, 100);
  const auto m = ma::mapping::open(path);
  ASSERT_GE(m.fd(), 0);
  EXPECT_TRUE(::fcntl(m.fd(), F_GETFD) & FD_CLOEXEC);
}

TEST(Mapping, CloseUnmapsAndRefusesWhileLeased) {
  temp_dir dir;
  const auto path = pattern_file(dir, 100);
  auto m = ma::mapping::open(path);
  {
    const auto lease = m.lease();
    EXPECT_EQ(m.views(), 1);
    EXPECT_THROW(m.close(), ma::busy_error);
    EXPECT_TRUE(m.is_open());
    EXPECT_NE(m.data(), nullptr);
  }
  EXPECT_EQ(m.views(), 0);
  m.close();
  EXPECT_FALSE(m.is_open());
  EXPECT_EQ(m.data(), nullptr);
  EXPECT_EQ(m.fd(), -1);
  EXPECT_NO_THROW(m.close());
  EXPECT_THROW(m.lease(), std::logic_error);
  EXPECT_THROW(m.flush(), std::logic_error);
  EXPECT_THROW(m.resident_bytes(), std::logic_error);
}

TEST(Mapping, CloseRacingWithLeasesNeverLeavesALeaseOnAClosedRegion) {
  for (int round = 0; round < 200; ++round) {
    auto m = ma::mapping::anonymous(4096);
    std::atomic<bool> leased_after_close{false};
    std::thread taker([&] {
      try {
        const auto lease = m.lease();
        // While we hold the lease the region must stay mapped.
        leased_after_close = lease.storage().data() == nullptr;
      } catch (const std::logic_error&) {
      }
    });
    try {
      ma::mapping(m).close();  // another handle to the same region
    } catch (const ma::busy_error&) {
    }
    taker.join();
    EXPECT_FALSE(leased_after_close);
  }
}

TEST(Mapping, BorrowedMemoryIsNeverUnmapped) {
  std::vector<std::byte> bytes(10000, std::byte{7});
  {
    auto m = ma::mapping::borrow(bytes, true);
    EXPECT_EQ(m.data(), bytes.data());
    EXPECT_EQ(m.size(), bytes.size());
    EXPECT_NO_THROW(m.flush());
    EXPECT_GT(m.resident_bytes(), 0u);
    m.close();
  }
  EXPECT_EQ(bytes[9999], std::byte{7});
}
