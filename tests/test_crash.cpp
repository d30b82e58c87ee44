// What a writer killed with SIGKILL leaves in its file: exactly the flushed data after a flush,
// and each aligned 8-byte element either old or new (never torn) when killed mid-write.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <random>
#include <thread>

#include "child_process.hpp"
#include "maparray/maparray.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::child_process;
using ma::testing::temp_dir;

TEST(Crash, KilledAfterFlushLeavesTheFlushedData) {
  temp_dir dir;
  const auto path = dir / "data.u64";
  { ma::create_file<std::uint64_t>(path, {100000}); }
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  child_process writer([&] {
    const auto a = ma::map_file<std::uint64_t>(path);
    for (std::size_t i = 0; i < a.size(); ++i) a(i) = i * 3 + 1;
    a.flush();
    char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) return 1;
    ::pause();  // killed here
    return 0;
  });
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  writer.kill();
  EXPECT_EQ(writer.wait(), -SIGKILL);
  const auto a = ma::map_file<const std::uint64_t>(path);
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a(i), i * 3 + 1) << i;
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST(Crash, KilledMidWriteLeavesEachElementOldOrNew) {
  temp_dir dir;
  const auto path = dir / "data.u64";
  constexpr std::size_t n = 1 << 16;
  constexpr std::uint64_t old_value = 0x1111111111111111;
  constexpr std::uint64_t new_value = 0xEEEEEEEEEEEEEEEE;
  std::mt19937 random(12345);
  for (int round = 0; round < 40; ++round) {
    {
      const auto a =
          ma::create_file<std::uint64_t>(path, {n}, {.existing = ma::if_exists::replace});
      std::ranges::fill(a.flat(), old_value);
    }
    child_process writer([&] {
      const auto a = ma::map_file<std::uint64_t>(path);
      for (;;) {  // keep rewriting, so the kill lands mid-write
        for (auto& v : a.flat()) {
          std::atomic_ref(v).store(new_value, std::memory_order_relaxed);
        }
        for (auto& v : a.flat()) {
          std::atomic_ref(v).store(old_value, std::memory_order_relaxed);
        }
      }
      return 0;
    });
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 20000));
    writer.kill();
    ASSERT_EQ(writer.wait(), -SIGKILL);
    const auto a = ma::map_file<const std::uint64_t>(path);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_TRUE(a(i) == old_value || a(i) == new_value) << "element " << i << " is torn";
    }
  }
}

TEST(Crash, AnAppendKilledAtAnyPointLeavesAFileNumpyLoads) {
  temp_dir dir;
  const auto path = dir / "log.npy";
  std::mt19937 random(777);
  for (int round = 0; round < 30; ++round) {
    { ma::create_npy<std::int64_t>(path, {0, 4}, {.existing = ma::if_exists::replace}); }
    child_process appender([&] {
      for (std::int64_t row = 0;; ++row) {
        const std::int64_t values[4] = {row, row, row, row};
        ma::append_npy<std::int64_t>(path, std::span<const std::int64_t>(values));
      }
      return 0;
    });
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 30000));
    appender.kill();
    ASSERT_EQ(appender.wait(), -SIGKILL);
    // Every row the header declares was fully written before the header said so.
    const auto a = ma::open_npy<const std::int64_t>(path);
    ASSERT_EQ(a.extent(1), 4);
    for (ma::index_t row = 0; row < a.extent(0); ++row) {
      for (ma::index_t k = 0; k < 4; ++k) ASSERT_EQ(a(row, k), row) << "round " << round;
    }
    if (round % 10 == 0) {  // and numpy agrees, a few times (starting python is slow)
      const std::string check =
          "/usr/bin/python3 -c \"import numpy as np, sys; a = np.load(sys.argv[1]); "
          "assert a.shape[1] == 4 and (a == np.arange(a.shape[0])[:, None]).all()\" '" +
          path.string() + "'";
      ASSERT_EQ(std::system(check.c_str()), 0) << "numpy could not load the file";
    }
  }
}
