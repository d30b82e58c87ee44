// The chunked, threaded engine behind transform() and the reductions: the iteration plan, the
// chunk schedule, read-ahead, write-behind and drop-behind.
#include "maparray/compute.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>

#include "maparray/os.hpp"

namespace maparray::detail {

namespace {

std::string operand_name(std::size_t j, std::size_t count) {
  if (count == 1) return "the input";
  return j == 0 ? "the output" : "input " + std::to_string(j);
}

std::uintptr_t align_down(std::uintptr_t value) {
  const std::uintptr_t page = sys::page_size();
  return value / page * page;
}

// Whether an operand's elements lie at strictly increasing addresses in iteration order:
// along every axis, one step moves past everything the inner axes cover.
bool is_forward(const dims& shape, const dims& strides, index_t itemsize) {
  index_t covered = itemsize;
  for (std::size_t k = shape.size(); k-- > 0;) {
    if (strides[k] < covered) return false;
    covered += strides[k] * (shape[k] - 1);
  }
  return true;
}

// What the engine does to the memory of one operand.
struct managed {
  const operand* o = nullptr;
  bool drop = false;           // drop pages behind the cursor (shared file pages only)
  bool dense = false;          // no gaps between elements: every page of a chunk is written
  std::uintptr_t cleared = 0;  // pages below this address have been dropped
};

// The byte offset of the element at linear iteration position `at` from o.data.
index_t offset_of(const plan& p, const operand& o, index_t at) {
  index_t offset = 0;
  for (std::size_t k = p.shape.size(); k-- > 0;) {
    offset += (at % p.shape[k]) * o.strides[k];
    at /= p.shape[k];
  }
  return offset;
}

// Starts writing back, or writes back and waits for, the file pages under [first, last).
void write_back(const operand& o, std::uintptr_t first, std::uintptr_t last, bool wait) {
  if (last <= first) return;
  const auto* base = reinterpret_cast<const std::byte*>(first);
  const std::int64_t file_offset = o.storage.offset() + (base - o.storage.data());
  const unsigned flags =
      wait ? SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER
           : SYNC_FILE_RANGE_WRITE;
  if (::sync_file_range(o.storage.fd(), file_offset, static_cast<off_t>(last - first), flags) !=
      0) {
    sys::throw_errno("sync_file_range", o.storage.path());
  }
}

// Drops the pages under [first, last) (page-aligned, or last at the end of the operand) from
// this process and from the page cache. An output's pages are written back first, since
// the page cache keeps dirty pages.
void drop_pages(const operand& o, std::uintptr_t first, std::uintptr_t last) {
  if (last <= first) return;
  if (o.writes) write_back(o, first, last, true);
  const auto* data = o.storage.data();
  const auto* base = reinterpret_cast<const std::byte*>(first);
  // The first page of an operand may start before data() (the mapping's leading bytes).
  const std::size_t lead = base < data ? static_cast<std::size_t>(data - base) : 0;
  if (last - first <= lead) return;
  const std::size_t offset = static_cast<std::size_t>(base + lead - data);
  const std::size_t size =
      std::min(static_cast<std::size_t>(last - first) - lead, o.storage.size() - offset);
  o.storage.advise(advice::dontneed, offset, size);
  // Only a hint: the kernel keeps pages it cannot drop, and no failure changes any data.
  // Rounded up to whole pages, since the kernel keeps a partial last page.
  const std::uintptr_t page = sys::page_size();
  const std::uintptr_t end = (last + page - 1) / page * page;
  ::posix_fadvise(o.storage.fd(),
                  o.storage.offset() + static_cast<off_t>(offset) - static_cast<off_t>(lead),
                  static_cast<off_t>(end - first), POSIX_FADV_DONTNEED);
}

}  // namespace

tuning engine_tuning;

plan make_plan(const char* what, std::span<const operand_view> views) {
  const auto shape = views[0].shape;
  for (std::size_t j = 1; j < views.size(); ++j) {
    if (!std::ranges::equal(views[j].shape, shape)) {
      throw std::invalid_argument(std::string(what) + ": " + operand_name(j, views.size()) +
                                  " has shape " + to_string(views[j].shape) + " but " +
                                  operand_name(0, views.size()) + " has shape " + to_string(shape));
    }
  }
  plan p;
  p.count = 1;
  for (index_t n : shape) p.count *= n;
  for (const auto& v : views) {
    operand o;
    o.data = v.data;
    o.itemsize = v.itemsize;
    o.storage = v.storage;
    o.writes = v.writes;
    p.operands.push_back(std::move(o));
  }
  if (p.count == 0) return p;

  // The axes longer than one, with byte strides; the driver's (operand 0's) made positive by
  // walking reversed axes from their other end.
  std::vector<std::size_t> axes;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] > 1) axes.push_back(k);
  }
  std::vector<std::vector<index_t>> stride(views.size(), std::vector<index_t>(shape.size()));
  for (std::size_t j = 0; j < views.size(); ++j) {
    for (std::size_t k : axes) stride[j][k] = views[j].strides[k] * views[j].itemsize;
  }
  for (std::size_t k : axes) {
    if (stride[0][k] >= 0) continue;
    for (std::size_t j = 0; j < views.size(); ++j) {
      p.operands[j].data += (shape[k] - 1) * stride[j][k];
      stride[j][k] = -stride[j][k];
    }
  }
  // Outer axes first, in the driver's memory order.
  std::ranges::stable_sort(
      axes, [&](std::size_t a, std::size_t b) { return stride[0][a] > stride[0][b]; });
  // Merge an axis into the next inner one where every operand is contiguous across them.
  std::vector<index_t> extent;
  std::vector<std::vector<index_t>> merged(views.size());
  for (std::size_t k : axes) {
    bool joins = !extent.empty();
    for (std::size_t j = 0; joins && j < views.size(); ++j) {
      joins = merged[j].back() == stride[j][k] * shape[k];
    }
    if (joins) {
      extent.back() *= shape[k];
      for (std::size_t j = 0; j < views.size(); ++j) merged[j].back() = stride[j][k];
    } else {
      extent.push_back(shape[k]);
      for (std::size_t j = 0; j < views.size(); ++j) merged[j].push_back(stride[j][k]);
    }
  }
  if (extent.empty()) {  // a zero-dimensional array, or all axes of length one
    extent.push_back(1);
    for (std::size_t j = 0; j < views.size(); ++j) merged[j].push_back(views[j].itemsize);
  }
  p.shape = dims(std::span<const index_t>(extent));
  for (std::size_t j = 0; j < views.size(); ++j) {
    p.operands[j].strides = dims(std::span<const index_t>(merged[j]));
    p.operands[j].forward = is_forward(p.shape, p.operands[j].strides, views[j].itemsize);
  }
  return p;
}

schedule make_schedule(const plan& p, const exec_options& opts) {
  constexpr index_t granule = 4096;  // elements: whole pages for every element size
  schedule s;
  s.threads = opts.threads != 0 ? opts.threads : std::max(1U, std::thread::hardware_concurrency());
  index_t widest = 1;
  index_t per_element = 0;
  for (const auto& o : p.operands) {
    widest = std::max(widest, o.itemsize);
    per_element += o.itemsize;
  }
  const auto wanted = static_cast<index_t>(opts.chunk_bytes != 0 ? opts.chunk_bytes : 4 << 20);
  index_t chunk = std::max<index_t>(wanted / widest, 1);
  if (opts.memory_budget != 0) {
    // Threads run at most 2 * threads chunks past the oldest unfinished one; inputs are read
    // `threads` chunks ahead, the output dropped `threads` chunks behind (giving its write-back
    // time to finish): at most 3 * threads + 1 chunks of each array are held.
    const auto budget = static_cast<index_t>(opts.memory_budget);
    while (s.threads > 1 && granule * per_element * (3 * s.threads + 1) > budget) --s.threads;
    chunk = std::min(chunk, budget / (per_element * (3 * s.threads + 1)));
  }
  chunk = std::max(granule, chunk / granule * granule);
  s.chunk_elements = chunk;
  s.chunks = p.count == 0 ? 0 : (p.count + chunk - 1) / chunk;
  s.threads = static_cast<unsigned>(std::min<index_t>(s.threads, std::max<index_t>(s.chunks, 1)));
  return s;
}

void run(const plan& p, const exec_options& opts, const schedule& s,
         const std::function<void(index_t chunk, index_t begin, index_t end)>& chunk) {
  if (s.chunks == 0) return;
  const bool budgeted = opts.memory_budget != 0;
  std::vector<managed> memory;
  index_t per_element = 0;
  for (const auto& o : p.operands) {
    per_element += o.itemsize;
    const auto& region = o.storage.region();
    if (!o.forward || !region || !o.storage.is_open() || region->source == region::kind::borrowed) {
      continue;
    }
    managed m;
    m.o = &o;
    // Dropping private pages would lose their changes; anonymous ones, their contents.
    m.drop = budgeted && region->source == region::kind::file &&
             o.storage.mode() != mode::copy_on_write && o.storage.fd() >= 0;
    m.dense = p.shape.size() == 1 && o.strides[0] == o.itemsize;
    m.cleared = align_down(reinterpret_cast<std::uintptr_t>(o.data));
    memory.push_back(m);
  }
  const auto range = [&](const managed& m, index_t c) {
    const index_t begin = c * s.chunk_elements;
    const index_t end = std::min(p.count, begin + s.chunk_elements);
    const auto first = reinterpret_cast<std::uintptr_t>(m.o->data + offset_of(p, *m.o, begin));
    const auto last =
        reinterpret_cast<std::uintptr_t>(m.o->data + offset_of(p, *m.o, end - 1) + m.o->itemsize);
    return std::pair{first, last};
  };
  const auto relative = [](const operand& o, std::uintptr_t address) {
    return static_cast<std::size_t>(reinterpret_cast<const std::byte*>(address) - o.storage.data());
  };

  // The kernel's own readahead (megabytes per fault on some disks) would read far past the
  // budget; with a budget, the engine reads exactly the chunks ahead itself.
  const auto set_advice = [&](advice hint) {
    for (const auto& m : memory) {
      if (!m.drop) continue;
      const auto first = range(m, 0).first;
      m.o->storage.advise(hint, relative(*m.o, first), range(m, s.chunks - 1).second - first);
    }
  };
  set_advice(advice::random);

  std::mutex lock;
  std::condition_variable advanced;  // the watermark moved
  const index_t window = 2 * static_cast<index_t>(s.threads);
  std::mutex progress_lock;
  std::uint64_t reported = 0;
  std::vector<char> finished(static_cast<std::size_t>(s.chunks));
  index_t watermark = 0;  // every chunk below it is finished
  std::uint64_t done = 0;
  const std::uint64_t total =
      static_cast<std::uint64_t>(p.count) * static_cast<std::uint64_t>(per_element);
  std::atomic<index_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;

  const auto finish = [&](index_t c) {
    struct pending {
      const operand* o;
      std::uintptr_t first, last;
    };
    std::vector<pending> drops;
    std::uint64_t now = 0;
    {
      const std::scoped_lock guard(lock);
      finished[static_cast<std::size_t>(c)] = 1;
      while (watermark < s.chunks && finished[static_cast<std::size_t>(watermark)]) ++watermark;
      advanced.notify_all();
      const index_t begin = c * s.chunk_elements;
      done += static_cast<std::uint64_t>(std::min(p.count, begin + s.chunk_elements) - begin) *
              static_cast<std::uint64_t>(per_element);
      for (auto& m : memory) {
        if (!m.drop) continue;
        const index_t upto = watermark - (m.o->writes ? static_cast<index_t>(s.threads) : 0);
        if (upto <= 0) continue;
        const std::uintptr_t until = align_down(range(m, upto - 1).second);
        if (until > m.cleared) {
          drops.push_back({m.o, m.cleared, until});
          m.cleared = until;
        }
      }
      now = done;
    }
    for (const auto& d : drops) drop_pages(*d.o, d.first, d.last);
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
          // A thread may run ahead of the oldest unfinished chunk (whose thread the scheduler
          // may have paused) only by a bounded window, which bounds the pages held.
          std::unique_lock guard(lock);
          advanced.wait(guard, [&] { return c < watermark + window || failed.load(); });
        }
        for (const auto& m : memory) {
          const auto [first, last] = range(m, c);
          const index_t ahead = c + static_cast<index_t>(s.threads);
          if (m.drop && (m.o->writes || c < static_cast<index_t>(s.threads))) {
            // Nothing read this chunk ahead; with readahead off, faults would read page by page.
            m.o->storage.advise(advice::willneed, relative(*m.o, first), last - first);
          }
          if (!m.o->writes && ahead < s.chunks && engine_tuning.read_ahead) {
            const auto [a_first, a_last] = range(m, ahead);
            m.o->storage.advise(advice::willneed, relative(*m.o, a_first), a_last - a_first);
          }
          if (engine_tuning.populate) {
            m.o->storage.prefetch(m.o->writes ? access::write : access::read, relative(*m.o, first),
                                  last - first);
          }
        }
        const index_t begin = c * s.chunk_elements;
        chunk(c, begin, std::min(p.count, begin + s.chunk_elements));
        for (const auto& m : memory) {
          if (m.drop && m.o->writes) {
            // The chunk's whole pages are unmapped before their write-back starts: writing back
            // a page still mapped write-protects it and flushes the TLB of every core running
            // this process, one page at a time (with two threads, an interrupt per page; see
            // the notes in docs/PERFORMANCE.md). Unmapping flushes once per batch of pages, and
            // the page cache keeps them dirty. Edge pages, which a neighbouring chunk's thread
            // may still be writing, stay mapped until drop_pages takes them.
            const auto [first, last] = range(m, c);
            const std::uintptr_t inner_first = align_down(first + sys::page_size() - 1);
            const std::uintptr_t inner_last = align_down(last);
            if (inner_last > inner_first) {
              m.o->storage.advise(advice::dontneed, relative(*m.o, inner_first),
                                  inner_last - inner_first);
            }
            write_back(*m.o, first, last, false);
          }
        }
        finish(c);
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
  set_advice(advice::normal);
  // Drop what is left behind the cursor, the output's last chunks included.
  for (auto& m : memory) {
    if (!m.drop) continue;
    const index_t upto = watermark;
    if (upto <= 0) continue;
    drop_pages(*m.o, m.cleared, range(m, upto - 1).second);
    m.cleared = range(m, upto - 1).second;
  }
  if (watermark < s.chunks) {
    throw cancelled_error("operation cancelled after " + std::to_string(done) + " of " +
                          std::to_string(total) + " bytes");
  }
}

}  // namespace maparray::detail
