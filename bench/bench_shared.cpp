// Atomic throughput on a shared array: workers that are processes (fork) against workers that
// are threads of one process, the limit. Both kinds work on the same kind of memory (an
// anonymous shared array) through the same array<T>::atomic(); only the kind of worker differs.
//
// Each benchmark iteration is one round: every worker does `ops` operations, and the time from
// the start signal to the last worker's finish is the iteration's time (manual time), so forking
// and thread creation are not counted. items_per_second counts operations of all workers.
//
// Run (results and reading in docs/PERFORMANCE.md, "Shared memory"):
//   bench_shared --benchmark_repetitions=7 --benchmark_enable_random_interleaving=true
//                --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include <maparray/maparray.hpp>

namespace ma = maparray;

namespace {

enum class workload {
  add_one_counter,  // fetch_add(1) on one counter shared by all workers
  add_own_line,     // fetch_add(1) on a counter in the worker's own cache line: no contention
  cas_one_counter,  // load + compare_exchange_strong increment loop on one shared counter
  cas_claim,        // compare_exchange_strong(0 -> id) on every slot of a claim table
};

constexpr std::int64_t ops = 200'000;       // per worker per round
constexpr std::int64_t line_elements = 16;  // 128 bytes of uint64: one or two cache lines
constexpr std::int64_t round_cell = 0;      // round number to run; -1 means stop
constexpr std::int64_t done_cell = 1;       // workers that finished the current round

void spin_until(auto&& done) {
  while (!done()) ::sched_yield();
}

// One worker's share of a round.
void work(workload w, const ma::array<std::uint64_t>& data, int id) {
  switch (w) {
    case workload::add_one_counter:
      for (std::int64_t i = 0; i < ops; ++i) data.atomic(0).fetch_add(1);
      break;
    case workload::add_own_line:
      for (std::int64_t i = 0; i < ops; ++i) data.atomic((id + 1) * line_elements).fetch_add(1);
      break;
    case workload::cas_one_counter:
      for (std::int64_t i = 0; i < ops; ++i) {
        auto counter = data.atomic(0);
        std::uint64_t seen = counter.load(std::memory_order_relaxed);
        while (!counter.compare_exchange_strong(seen, seen + 1)) {
        }
      }
      break;
    case workload::cas_claim:
      for (std::int64_t i = 0; i < ops; ++i) {
        std::uint64_t expected = 0;
        data.atomic(i).compare_exchange_strong(expected, static_cast<std::uint64_t>(id + 1));
      }
      break;
  }
}

// A team of workers that run rounds on command, as processes or as threads.
class team {
 public:
  team(bool processes, int size, workload w)
      : size_(size),
        processes_(processes),
        control_(ma::create_anonymous_shared<std::int64_t>({2})),
        data_(ma::create_anonymous_shared<std::uint64_t>(
            {std::max<std::int64_t>(ops, (size + 2) * line_elements)})) {
    for (int id = 0; id < size; ++id) {
      auto body = [this, w, id] {
        for (std::int64_t round = 1;; ++round) {
          spin_until([&] { return control_.atomic(round_cell).load() != round - 1; });
          if (control_.atomic(round_cell).load() < 0) return;
          work(w, data_, id);
          control_.atomic(done_cell).fetch_add(1);
        }
      };
      if (processes) {
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
          body();
          ::_exit(0);
        }
        children_.push_back(pid);
      } else {
        threads_.emplace_back(body);
      }
    }
  }
  team(const team&) = delete;
  team& operator=(const team&) = delete;
  ~team() {
    control_.atomic(round_cell).store(-1);
    for (auto& t : threads_) t.join();
    for (pid_t pid : children_) ::waitpid(pid, nullptr, 0);
  }

  // Runs one round and returns its duration in seconds.
  double run_round() {
    std::ranges::fill(data_.flat(), 0);  // a fresh claim table, outside the timing
    control_.atomic(done_cell).store(0);
    const auto start = std::chrono::steady_clock::now();
    control_.atomic(round_cell).fetch_add(1);
    spin_until([&] { return control_.atomic(done_cell).load() == size_; });
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

 private:
  int size_;
  bool processes_;
  ma::array<std::int64_t> control_;
  ma::array<std::uint64_t> data_;
  std::vector<std::thread> threads_;
  std::vector<pid_t> children_;
};

void run(benchmark::State& state, workload w) {
  const bool processes = state.range(0) != 0;
  const auto size = static_cast<int>(state.range(1));
  team workers(processes, size, w);
  for (auto _ : state) state.SetIterationTime(workers.run_round());
  state.SetItemsProcessed(state.iterations() * ops * size);
}

void BM_FetchAddOneCounter(benchmark::State& state) {
  run(state, workload::add_one_counter);
}
void BM_FetchAddOwnLine(benchmark::State& state) {
  run(state, workload::add_own_line);
}
void BM_CasOneCounter(benchmark::State& state) {
  run(state, workload::cas_one_counter);
}
void BM_CasClaimTable(benchmark::State& state) {
  run(state, workload::cas_claim);
}

// procs: 0 = threads of this process, 1 = forked processes. workers: how many.
void arguments(benchmark::internal::Benchmark* b) {
  b->ArgNames({"procs", "workers"})->UseManualTime()->Unit(benchmark::kMillisecond);
  for (int workers : {1, 2, 4}) {
    for (int procs : {0, 1}) b->Args({procs, workers});
  }
}
BENCHMARK(BM_FetchAddOneCounter)->Apply(arguments);
BENCHMARK(BM_FetchAddOwnLine)->Apply(arguments);
BENCHMARK(BM_CasOneCounter)->Apply(arguments);
BENCHMARK(BM_CasClaimTable)->Apply(arguments);

}  // namespace

BENCHMARK_MAIN();
