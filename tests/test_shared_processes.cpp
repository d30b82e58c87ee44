// Shared arrays between real processes (fork): inheritance, descriptor passing, files mapped by
// two processes, and atomics that give exact results under contention, even when one of the
// processes is killed. The same workloads also run as threads of one process, where
// ThreadSanitizer can check them (it cannot see across processes; see docs/shared.md).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "maparray/raw_file.hpp"
#include "maparray/shared.hpp"
#include "shared_names.hpp"
#include "temp_dir.hpp"
#include "unix_socket.hpp"

namespace ma = maparray;
using ma::testing::child_process;

namespace {

// Waits, yielding the processor, until `done()` is true: there may be fewer cores than processes.
template <class F>
void spin_until(F&& done) {
  while (!done()) ::sched_yield();
}

// ThreadSanitizer makes every atomic operation many times slower; the counts shrink with it so
// that the suite stays fast. The results are exact either way.
#if defined(__SANITIZE_THREAD__)
constexpr std::int64_t scale = 20;
#else
constexpr std::int64_t scale = 1;
#endif
constexpr int workers = 4;
constexpr std::int64_t adds_per_worker = 1'000'000 / scale;
constexpr std::int64_t counter_count = 64;
constexpr std::int64_t slot_count = 100'000 / scale;

// Cells of the control array that the parent and its children coordinate through.
namespace cell {
constexpr std::int64_t ready = 0;     // workers waiting at the start line
constexpr std::int64_t go = 1;        // set by the parent to start them
constexpr std::int64_t progress = 2;  // iterations the doomed worker has finished
constexpr std::int64_t reported = 3;  // one cell per worker: what it says it did
constexpr std::int64_t count = reported + workers;
}  // namespace cell

class SharedProcesses : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_TRUE(names.leftovers().empty()) << names.leftovers().front(); }

  ma::testing::shared_names names;
  // Coordination between the parent and its children, inherited across fork().
  ma::array<std::int64_t> control = ma::create_anonymous_shared<std::int64_t>({cell::count});
};

// Announces a worker and waits for the parent's start signal, so that all workers overlap.
void start_line(const ma::array<std::int64_t>& control) {
  control.atomic(cell::ready).fetch_add(1);
  spin_until([&] { return control.atomic(cell::go).load() != 0; });
}

// Starts `count` workers once all are waiting. Lets the workers run in parallel as much as the
// machine allows.
void release_workers(const ma::array<std::int64_t>& control, int count) {
  spin_until([&] { return control.atomic(cell::ready).load() == count; });
  control.atomic(cell::go).store(1);
}

// Worker `w` adds w + 1 to counter i % 64 for i in [0, n).
void add(const ma::array<std::uint64_t>& counters, int w, std::int64_t n, std::uint64_t unit = 1) {
  for (std::int64_t i = 0; i < n; ++i) {
    counters.atomic(i % counter_count).fetch_add(unit * static_cast<std::uint64_t>(w + 1));
  }
}

// What counter k holds after add() by workers 0 .. count-1.
std::uint64_t expected_total(std::int64_t k, int count, std::int64_t n) {
  const auto hits = static_cast<std::uint64_t>(n / counter_count + (k < n % counter_count));
  return hits * static_cast<std::uint64_t>(count * (count + 1) / 2);
}

// Worker `w` tries to claim every slot for itself (0 -> w + 1); returns how many it won.
std::int64_t claim(const ma::array<std::uint32_t>& slots, int w) {
  std::int64_t won = 0;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(slots.size()); ++i) {
    std::uint32_t expected = 0;
    if (slots.atomic(i).compare_exchange_strong(expected, static_cast<std::uint32_t>(w + 1))) {
      ++won;
    }
  }
  return won;
}

// Checks that every slot has exactly one owner and that each owner's count is what it reported.
void expect_each_slot_claimed_once(const ma::array<std::uint32_t>& slots,
                                   const ma::array<std::int64_t>& control, int count) {
  std::vector<std::int64_t> owned(count + 1, 0);
  for (std::uint32_t owner : slots) {
    ASSERT_GE(owner, 1u);
    ASSERT_LE(owner, static_cast<std::uint32_t>(count));
    ++owned[owner];
  }
  std::int64_t total = 0;
  for (int w = 0; w < count; ++w) {
    EXPECT_EQ(owned[w + 1], control(cell::reported + w)) << "worker " << w;
    total += control(cell::reported + w);
  }
  EXPECT_EQ(total, static_cast<std::int64_t>(slots.size()));
}

TEST_F(SharedProcesses, AChildInheritsAnAnonymousArrayAcrossFork) {
  auto a = ma::create_anonymous_shared<std::int32_t>({100});
  a(0) = 5;
  child_process child([&] {
    if (a(0) != 5) return 1;
    for (int i = 1; i < 100; ++i) a(i) = i * i;
    return 0;
  });
  ASSERT_EQ(child.wait(), 0);
  for (int i = 1; i < 100; ++i) EXPECT_EQ(a(i), i * i);
}

TEST_F(SharedProcesses, ADescriptorSentOverASocketOpensTheSameArray) {
  int sockets[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets), 0);
  // The child exists before the array does, so it can only reach it through the descriptor.
  child_process child([&] {
    const int fd = ma::testing::receive_fd(sockets[1]);
    auto b = ma::open_shared_fd<double>(fd, {3, 4});
    ::close(fd);
    b(2, 3) = b(0, 0) + 1;
    return 0;
  });
  auto a = ma::create_anonymous_shared<double>({3, 4});
  a(0, 0) = 1.5;
  ma::testing::send_fd(sockets[0], a.storage().fd());
  ASSERT_EQ(child.wait(), 0);
  EXPECT_EQ(a(2, 3), 2.5);
  ::close(sockets[0]);
  ::close(sockets[1]);
}

TEST_F(SharedProcesses, TwoProcessesMappingOneFileSeeEachOthersWrites) {
  ma::testing::temp_dir dir;
  const auto path = dir / "shared.i64";
  ma::create_file<std::int64_t>(path, {4});
  // Each process maps the file itself: the mappings are separate, the pages are the same.
  child_process child([&] {
    const auto b = ma::map_file<std::int64_t>(path);
    spin_until([&] { return b.atomic(1).load(std::memory_order_acquire) == 1; });
    b(2) = b(0) * 2;
    b.atomic(1).store(2, std::memory_order_release);
    return 0;
  });
  const auto a = ma::map_file<std::int64_t>(path);
  a(0) = 21;
  a.atomic(1).store(1, std::memory_order_release);
  spin_until([&] { return a.atomic(1).load(std::memory_order_acquire) == 2; });
  EXPECT_EQ(a(2), 42);
  ASSERT_EQ(child.wait(), 0);
  a.flush();
  const auto bytes = ma::testing::read_all(path);  // and the file itself holds both writes
  std::int64_t on_disk[4];
  ASSERT_EQ(bytes.size(), sizeof on_disk);
  std::memcpy(on_disk, bytes.data(), sizeof on_disk);
  EXPECT_EQ(on_disk[0], 21);
  EXPECT_EQ(on_disk[2], 42);
}

TEST_F(SharedProcesses, FetchAddFromFourProcessesGivesExactTotals) {
  const auto name = names.next();
  const auto counters = ma::create_shared<std::uint64_t>(name, {counter_count});
  std::deque<child_process> children;  // killed by their destructors if a check fails
  for (int w = 0; w < workers; ++w) {
    children.emplace_back([&, w] {
      const auto mine = ma::open_shared<std::uint64_t>(name, {counter_count});  // own mapping
      start_line(control);
      add(mine, w, adds_per_worker);
      return 0;
    });
  }
  release_workers(control, workers);
  for (auto& child : children) ASSERT_EQ(child.wait(), 0);
  for (std::int64_t k = 0; k < counter_count; ++k) {
    EXPECT_EQ(counters(k), expected_total(k, workers, adds_per_worker)) << "counter " << k;
  }
  EXPECT_TRUE(ma::remove_shared(name));
}

TEST_F(SharedProcesses, ProcessesRacingToCreateOneNameAllGetTheSameArray) {
  const auto name = names.next();
  std::deque<child_process> children;  // killed by their destructors if a check fails
  for (int w = 0; w < workers; ++w) {
    children.emplace_back([&, w] {
      start_line(control);
      // Whoever comes first creates it; the others wait for its header and open it.
      const auto a =
          ma::create_shared<std::int64_t>(name, {8, 8}, {.existing = ma::if_exists::open});
      a.atomic(w, w).fetch_add(1);
      a.atomic(7, 7).fetch_add(1);
      return 0;
    });
  }
  release_workers(control, workers);
  for (auto& child : children) ASSERT_EQ(child.wait(), 0);
  const auto a = ma::open_shared<const std::int64_t>(name, {8, 8});
  for (int w = 0; w < workers; ++w) EXPECT_EQ(a(w, w), 1);
  EXPECT_EQ(a(7, 7), workers);
  EXPECT_TRUE(ma::remove_shared(name));
}

TEST_F(SharedProcesses, AnOpenerWaitsForAHeaderBeingWritten) {
  const auto model = names.next();
  const auto name = names.next();
  {
    auto a = ma::create_shared<std::int32_t>(model, {10});
    a(9) = 77;
  }
  // The bytes of a finished array, to be copied into an object that starts out empty.
  const auto bytes = ma::testing::read_all(ma::testing::shm_directory / model.substr(1));
  const int fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  child_process child([&] { return ma::open_shared<std::int32_t>(name)(9) == 77 ? 0 : 1; });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // As a creator does: everything but the 8-byte magic first, then the magic.
  ASSERT_EQ(::pwrite(fd, bytes.data() + 8, bytes.size() - 8, 8),
            static_cast<ssize_t>(bytes.size() - 8));
  ASSERT_EQ(::pwrite(fd, bytes.data(), 8, 0), 8);
  ::close(fd);
  EXPECT_EQ(child.wait(), 0);
  EXPECT_TRUE(ma::remove_shared(model));
  EXPECT_TRUE(ma::remove_shared(name));
}

TEST_F(SharedProcesses, FourProcessesClaimEverySlotExactlyOnce) {
  const auto slots = ma::create_anonymous_shared<std::uint32_t>({slot_count});
  std::deque<child_process> children;  // killed by their destructors if a check fails
  for (int w = 0; w < workers; ++w) {
    children.emplace_back([&, w] {
      start_line(control);
      control(cell::reported + w) = claim(slots, w);
      return 0;
    });
  }
  release_workers(control, workers);
  for (auto& child : children) ASSERT_EQ(child.wait(), 0);
  expect_each_slot_claimed_once(slots, control, workers);
}

TEST_F(SharedProcesses, AProcessKilledMidRunLeavesTheOthersResultsIntact) {
  const auto counter_name = names.next();
  const auto slot_name = names.next();
  const auto counters = ma::create_shared<std::uint64_t>(counter_name, {counter_count});
  const auto slots = ma::create_shared<std::uint32_t>(slot_name, {slot_count});
  constexpr int survivors = workers - 1;
  constexpr int victim = survivors;  // the last worker
  // Survivors add 1 to the low half of the counters; the victim adds to the high half, so the
  // low halves must come out exact whatever the victim did before it died.
  constexpr std::uint64_t victim_unit = std::uint64_t{1} << 32;
  std::deque<child_process> children;  // killed by their destructors if a check fails
  for (int w = 0; w < survivors; ++w) {
    children.emplace_back([&, w] {
      const auto my_counters = ma::open_shared<std::uint64_t>(counter_name);
      const auto my_slots = ma::open_shared<std::uint32_t>(slot_name);
      start_line(control);
      control(cell::reported + w) = claim(my_slots, w);
      add(my_counters, 0, adds_per_worker);
      return 0;
    });
  }
  child_process doomed([&]() -> int {
    const auto my_counters = ma::open_shared<std::uint64_t>(counter_name);
    const auto my_slots = ma::open_shared<std::uint32_t>(slot_name);
    start_line(control);
    // Claims slots from the end, one per 8 additions, and never stops by itself.
    std::int64_t next_slot = slot_count - 1;
    for (std::int64_t i = 0;; ++i) {
      my_counters.atomic(i % counter_count).fetch_add(victim_unit);
      if (i % 8 == 0 && next_slot >= 0) {
        std::uint32_t expected = 0;
        my_slots.atomic(next_slot--).compare_exchange_strong(expected, victim + 1);
      }
      control.atomic(cell::progress).store(i + 1, std::memory_order_release);
    }
  });
  release_workers(control, workers);
  spin_until([&] { return control.atomic(cell::progress).load() >= 1000; });
  doomed.kill(SIGKILL);
  EXPECT_EQ(doomed.wait(), -SIGKILL);
  for (auto& child : children) ASSERT_EQ(child.wait(), 0);

  std::uint64_t victim_adds = 0;
  for (std::int64_t k = 0; k < counter_count; ++k) {
    EXPECT_EQ(counters(k) & 0xffff'ffff, expected_total(k, 1, adds_per_worker) * survivors)
        << "counter " << k;
    victim_adds += counters(k) >> 32;
  }
  EXPECT_GE(victim_adds, 1000u);
  // Every slot has one owner: a survivor that reported it, or the victim (who may have won
  // none, if the survivors swept past before it ran).
  std::vector<std::int64_t> owned(survivors + 1, 0);
  for (std::uint32_t owner : slots) {
    ASSERT_GE(owner, 1u);
    ASSERT_LE(owner, static_cast<std::uint32_t>(workers));
    if (owner != victim + 1) ++owned[owner];
  }
  for (int w = 0; w < survivors; ++w) EXPECT_EQ(owned[w + 1], control(cell::reported + w));
  EXPECT_TRUE(ma::remove_shared(counter_name));
  EXPECT_TRUE(ma::remove_shared(slot_name));
}

// The same workloads as threads of one process: what ThreadSanitizer can check.
TEST_F(SharedProcesses, FetchAddFromFourThreadsGivesExactTotals) {
  const auto name = names.next();
  const auto counters = ma::create_shared<std::uint64_t>(name, {counter_count});
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      const auto mine = ma::open_shared<std::uint64_t>(name);  // a second mapping of the pages
      start_line(control);
      add(mine, w, adds_per_worker);
    });
  }
  release_workers(control, workers);
  for (auto& t : threads) t.join();
  for (std::int64_t k = 0; k < counter_count; ++k) {
    EXPECT_EQ(counters(k), expected_total(k, workers, adds_per_worker)) << "counter " << k;
  }
  EXPECT_TRUE(ma::remove_shared(name));
}

TEST_F(SharedProcesses, FourThreadsClaimEverySlotExactlyOnce) {
  const auto slots = ma::create_anonymous_shared<std::uint32_t>({slot_count});
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      start_line(control);
      control.atomic(cell::reported + w).store(claim(slots, w));
    });
  }
  release_workers(control, workers);
  for (auto& t : threads) t.join();
  expect_each_slot_claimed_once(slots, control, workers);
}

}  // namespace
