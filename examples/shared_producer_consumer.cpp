// Two processes share one array: a producer writes numbers into a ring buffer in named shared
// memory, a consumer in another process reads them out and adds them up.
//
// The array holds two counters and the ring: element 0 counts the items written so far, element
// 1 the items read so far, and the `capacity` elements after them hold the items. Each counter
// has one writer. The producer stores an item with a plain write and then publishes it by
// advancing the write count with memory_order_release; the consumer reads the write count with
// memory_order_acquire, after which the item's plain write is visible to it. The read count
// works the same way in the other direction, so the producer never overwrites an unread item.
//
//   example_shared_producer_consumer [COUNT]       (default: 1000000 items)
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <system_error>

#include <maparray/maparray.hpp>

namespace ma = maparray;

namespace {

constexpr std::int64_t capacity = 1024;
constexpr std::int64_t written = 0;  // element: items the producer has written
constexpr std::int64_t taken = 1;    // element: items the consumer has read
constexpr std::int64_t ring = 2;     // first element of the ring

// Waits, giving the processor away: producer and consumer may share one core.
void wait_until(auto&& ready) {
  while (!ready()) ::sched_yield();
}

void produce(const ma::array<std::uint64_t>& shared, std::uint64_t count) {
  auto items_written = shared.atomic(written);
  auto items_taken = shared.atomic(taken);
  for (std::uint64_t i = 0; i < count; ++i) {
    wait_until([&] { return i - items_taken.load(std::memory_order_acquire) < capacity; });
    shared(ring + static_cast<std::int64_t>(i % capacity)) = i + 1;
    items_written.store(i + 1, std::memory_order_release);  // publishes the item
  }
}

// The consumer reads items and writes only its own counter.
std::uint64_t consume(const ma::array<std::uint64_t>& shared, std::uint64_t count) {
  auto items_written = shared.atomic(written);
  auto items_taken = shared.atomic(taken);
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    wait_until([&] { return items_written.load(std::memory_order_acquire) > i; });
    sum += shared(ring + static_cast<std::int64_t>(i % capacity));
    items_taken.store(i + 1, std::memory_order_release);  // frees the slot
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::string name = "/maparray-example-" + std::to_string(::getpid());

  // The producer creates the array; the consumer, a separate process, opens it by name and
  // learns its shape and element type from it.
  const auto shared = ma::create_shared<std::uint64_t>(name, {ring + capacity});
  int status = 0;
  try {
    const pid_t consumer = ::fork();
    if (consumer < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (consumer == 0) {
      try {
        const auto mine = ma::open_shared<std::uint64_t>(name);
        const std::uint64_t sum = consume(mine, count);
        const std::uint64_t expected = count * (count + 1) / 2;
        std::printf("consumer %d: %llu items, sum %llu (expected %llu)\n", ::getpid(),
                    static_cast<unsigned long long>(count), static_cast<unsigned long long>(sum),
                    static_cast<unsigned long long>(expected));
        std::fflush(stdout);
        ::_exit(sum == expected ? 0 : 1);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        ::_exit(1);
      }
    }

    produce(shared, count);
    std::printf("producer %d: wrote %llu items through a ring of %lld in '%s'\n", ::getpid(),
                static_cast<unsigned long long>(count), static_cast<long long>(capacity),
                name.c_str());
    std::fflush(stdout);
    ::waitpid(consumer, &status, 0);
  } catch (...) {
    ma::remove_shared(name);  // leave nothing behind
    throw;
  }
  ma::remove_shared(name);  // the name goes; the memory goes with the last mapping
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "example_shared_producer_consumer: %s\n", e.what());
  return 1;
}
