// The chunk scheduler: cuts a plan into chunks, shares them among threads, keeps threads within
// a window of the oldest unfinished chunk under a memory budget, reports progress and stops
// on request. What happens to the pages of each chunk is the page manager's business.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "../sys.hpp"
#include "maparray/error.hpp"
#include "page_manager.hpp"

namespace maparray::detail {

namespace {

// Elements per chunk are a multiple of this, so that chunks of contiguous arrays are whole
// pages for every element size.
constexpr index_t granule = 4096;

// The operand whose chunks should start on page boundaries: the output if it is one
// contiguous run, else the first input that is.
const planned_operand* page_aligned_operand(const plan& p) {
  if (p.shape.size() != 1) return nullptr;
  const planned_operand* best = nullptr;
  for (const auto& o : p.operands) {
    if (o.strides[0] != o.itemsize) continue;
    if (o.writes) return &o;
    if (!best) best = &o;
  }
  return best;
}

}  // namespace

schedule make_schedule(const plan& p, const exec_options& opts, index_t extra_bytes_per_element) {
  if (opts.memory_budget == 0) {
    throw std::invalid_argument(
        "a memory budget of 0 bytes allows no computation; give a size, or unlimited");
  }
  schedule s;
  s.threads = opts.threads != 0 ? opts.threads : std::max(1U, std::thread::hardware_concurrency());
  index_t widest = 1;
  index_t per_element = extra_bytes_per_element;
  for (const auto& o : p.operands) {
    widest = std::max(widest, o.itemsize);
    per_element += o.itemsize;
  }
  const auto wanted = static_cast<index_t>(opts.chunk_bytes != 0 ? opts.chunk_bytes : 4 << 20);
  index_t chunk = std::max<index_t>(wanted / widest, 1);
  if (opts.memory_budget != unlimited_memory) {
    // Threads run at most 2 * threads chunks past the oldest unfinished one; inputs are read
    // `threads` chunks ahead, the output dropped `threads` chunks behind (giving its write-back
    // time to finish): at most 3 * threads + 1 chunks of each array are held.
    const auto budget = static_cast<index_t>(
        std::min<std::size_t>(opts.memory_budget, std::numeric_limits<index_t>::max()));
    while (s.threads > 1 && granule * per_element * (3 * s.threads + 1) > budget) --s.threads;
    chunk = std::min(chunk, budget / (per_element * (3 * s.threads + 1)));
  }
  chunk = std::max(granule, chunk / granule * granule);
  s.chunk_elements = chunk;
  if (const planned_operand* aligned = page_aligned_operand(p);
      aligned != nullptr && p.count > chunk) {
    const auto page = static_cast<index_t>(sys::page_size());
    const auto misaligned = static_cast<index_t>(reinterpret_cast<std::uintptr_t>(aligned->data) %
                                                 static_cast<std::uintptr_t>(page));
    const index_t to_boundary = (page - misaligned) % page;
    if (to_boundary % aligned->itemsize == 0) {
      const index_t first_boundary = to_boundary / aligned->itemsize;
      s.phase = (chunk - first_boundary % chunk) % chunk;
    }
  }
  s.chunks = p.count == 0 ? 0 : (p.count + s.phase + chunk - 1) / chunk;
  s.threads = static_cast<unsigned>(std::min<index_t>(s.threads, std::max<index_t>(s.chunks, 1)));
  return s;
}

void run(const plan& p, const exec_options& opts, const schedule& s,
         const std::function<void(index_t chunk, index_t begin, index_t end)>& chunk) {
  if (s.chunks == 0) {
    if (opts.progress) opts.progress(0, 0);
    return;
  }
  const bool budgeted = opts.memory_budget != unlimited_memory;
  index_t per_element = 0;
  for (const auto& o : p.operands) per_element += o.itemsize;
  page_manager pages(p, opts, s);

  std::mutex lock;
  std::condition_variable advanced;  // the watermark moved
  const index_t window = 2 * static_cast<index_t>(s.threads);
  std::mutex progress_lock;
  std::mutex release_lock;
  std::uint64_t reported = 0;
  std::vector<char> finished(static_cast<std::size_t>(s.chunks));
  index_t watermark = 0;  // every chunk below it is finished
  index_t released = 0;   // every chunk below it has had its pages dropped (under `lock`)
  std::uint64_t done = 0;
  const std::uint64_t total =
      static_cast<std::uint64_t>(p.count) * static_cast<std::uint64_t>(per_element);
  std::atomic<index_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;

  const auto finish = [&](index_t c, index_t elements) {
    std::uint64_t now = 0;
    index_t mark = 0;
    {
      const std::scoped_lock guard(lock);
      finished[static_cast<std::size_t>(c)] = 1;
      while (watermark < s.chunks && finished[static_cast<std::size_t>(watermark)]) ++watermark;
      advanced.notify_all();
      done += static_cast<std::uint64_t>(elements) * static_cast<std::uint64_t>(per_element);
      now = done;
      mark = watermark;
    }
    // One thread at a time drops pages, catching up with the latest watermark; a thread that
    // finds another doing it leaves its part to that one, which looks at the watermark again
    // after letting go of the lock, so that no finished chunk is left unreleased.
    for (;;) {
      std::unique_lock guard(release_lock, std::try_to_lock);
      if (!guard.owns_lock()) break;
      pages.release_below(mark);
      guard.unlock();
      const std::scoped_lock state(lock);
      released = std::max(released, mark);
      advanced.notify_all();
      if (watermark == mark) break;
      mark = watermark;
    }
    // Reported once the pages are dropped; a thread that fell behind another skips its report.
    if (opts.progress) {
      const std::scoped_lock guard(progress_lock);
      if (now > reported) {
        reported = now;
        opts.progress(now, total);
      }
    }
  };

  const auto work = [&] {
    try {
      for (;;) {
        if (failed.load(std::memory_order_relaxed) || opts.stop.stop_requested()) return;
        const index_t c = next.fetch_add(1, std::memory_order_relaxed);
        if (c >= s.chunks) return;
        if (budgeted) {
          // A thread may run ahead of the oldest unreleased chunk (whose thread the scheduler
          // may have paused) only by a bounded window, which bounds the pages held.
          std::unique_lock guard(lock);
          // Measured from the chunks whose pages are dropped, not only finished: a release
          // waiting for an output's write-back then holds the others back too.
          advanced.wait(guard, [&] { return c < released + window || failed.load(); });
        }
        pages.before(c);
        const auto [begin, end] = s.bounds(c, p.count);
        chunk(c, begin, end);
        pages.after(c);
        finish(c, end - begin);
      }
    } catch (...) {
      const std::scoped_lock guard(lock);
      if (!error) error = std::current_exception();
      failed = true;
      advanced.notify_all();
    }
  };

  {
    std::vector<std::jthread> helpers;
    for (unsigned t = 1; t < s.threads; ++t) helpers.emplace_back(work);
    work();
  }
  if (error) std::rethrow_exception(error);
  pages.finish(watermark);
  if (watermark < s.chunks) {
    throw cancelled_error("operation cancelled after " + std::to_string(done) + " of " +
                          std::to_string(total) + " bytes");
  }
}

}  // namespace maparray::detail
