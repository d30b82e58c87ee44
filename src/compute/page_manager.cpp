#include "page_manager.hpp"

#include <fcntl.h>

#include <algorithm>

#include "../sys.hpp"

namespace maparray::detail {

namespace {

std::uintptr_t align_down(std::uintptr_t value) {
  const std::uintptr_t page = sys::page_size();
  return value / page * page;
}

// Starts writing back, or writes back and waits for, the file pages under [first, last).
void write_back(const planned_operand& o, std::uintptr_t first, std::uintptr_t last, bool wait) {
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
// this process, and from the page cache unless `keep_cached`. An output's pages are written
// back first when they leave the page cache, since the page cache keeps dirty pages.
void drop_pages(const planned_operand& o, std::uintptr_t first, std::uintptr_t last,
                bool keep_cached) {
  if (last <= first) return;
  if (o.writes && !keep_cached) write_back(o, first, last, true);
  const auto* data = o.storage.data();
  const auto* base = reinterpret_cast<const std::byte*>(first);
  // The first page of an operand may start before data() (the mapping's leading bytes).
  const std::size_t lead = base < data ? static_cast<std::size_t>(data - base) : 0;
  if (last - first <= lead) return;
  const std::size_t offset = static_cast<std::size_t>(base + lead - data);
  const std::size_t size =
      std::min(static_cast<std::size_t>(last - first) - lead, o.storage.size() - offset);
  o.storage.advise(advice::dontneed, offset, size);
  if (keep_cached) return;
  // Only a hint: the kernel keeps pages it cannot drop, and no failure changes any data.
  // Rounded up to whole pages, since the kernel keeps a partial last page.
  const std::uintptr_t page = sys::page_size();
  const std::uintptr_t end = (last + page - 1) / page * page;
  ::posix_fadvise(o.storage.fd(),
                  o.storage.offset() + static_cast<off_t>(offset) - static_cast<off_t>(lead),
                  static_cast<off_t>(end - first), POSIX_FADV_DONTNEED);
}

}  // namespace

page_manager::page_manager(const plan& p, const exec_options& opts, const schedule& s)
    : plan_(p), opts_(opts), schedule_(s) {
  const bool budgeted = opts.memory_budget != unlimited_memory;
  for (const auto& o : p.operands) {
    const memory_source source = o.storage.source();
    if (!o.forward || (source != memory_source::file && source != memory_source::anonymous)) {
      continue;
    }
    managed m;
    m.o = &o;
    // Dropping private pages would lose their changes; anonymous ones, their contents.
    m.drop = budgeted && source == memory_source::file && o.storage.mode() != mode::copy_on_write &&
             o.storage.fd() >= 0;
    m.cleared = align_down(reinterpret_cast<std::uintptr_t>(o.data));
    if (m.drop) {
      m.cached = std::make_unique<std::atomic<std::uint8_t>[]>(static_cast<std::size_t>(s.chunks));
    }
    memory_.push_back(std::move(m));
  }
  set_advice(advice::random);
}

std::pair<std::uintptr_t, std::uintptr_t> page_manager::range(const managed& m, index_t c) const {
  const auto [begin, end] = schedule_.bounds(c, plan_.count);
  const auto first = reinterpret_cast<std::uintptr_t>(m.o->data + offset_of(plan_, *m.o, begin));
  const auto last =
      reinterpret_cast<std::uintptr_t>(m.o->data + offset_of(plan_, *m.o, end - 1) + m.o->itemsize);
  return {first, last};
}

std::size_t page_manager::relative(const planned_operand& o, std::uintptr_t address) const {
  return static_cast<std::size_t>(reinterpret_cast<const std::byte*>(address) - o.storage.data());
}

bool page_manager::look_at(managed& m, index_t c) {
  auto& state = m.cached[static_cast<std::size_t>(c)];
  std::uint8_t expected = 0;
  if (!state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) return false;
  bool all = false;
  try {
    const auto [first, last] = range(m, c);
    // mincore of a file mapping tells whether each page is in the page cache, mapped here or
    // not.
    const std::size_t resident = m.o->storage.resident_bytes(relative(*m.o, first), last - first);
    all = resident >= last - align_down(first);
  } catch (...) {
    state.store(2, std::memory_order_release);  // never leave others waiting for the answer
    throw;
  }
  state.store(all ? 3 : 2, std::memory_order_release);
  return true;
}

bool page_manager::was_cached(managed& m, index_t c) {
  auto& state = m.cached[static_cast<std::size_t>(c)];
  if (state.load(std::memory_order_acquire) == 0) look_at(m, c);
  std::uint8_t now;
  while ((now = state.load(std::memory_order_acquire)) == 1) {
    // Another thread is calling mincore for this chunk; it takes microseconds.
  }
  return now == 3;
}

void page_manager::before(index_t c) {
  const auto threads = static_cast<index_t>(schedule_.threads);
  for (auto& m : memory_) {
    const auto [first, last] = range(m, c);
    if (m.drop) {
      // Looked at before anything of this computation reads it: chunks read ahead were looked
      // at by the thread that read them ahead.
      const bool first_look = look_at(m, c);
      if (m.o->written_by_pwrite) {
        // Nothing to read: the chunk's bytes arrive whole with pwrite.
      } else if (m.o->writes || c < threads || first_look) {
        // Nothing read this chunk ahead; with readahead off, faults would read page by page.
        m.o->storage.advise(advice::willneed, relative(*m.o, first), last - first);
      }
    }
    const index_t ahead = c + threads;
    if (!m.o->writes && ahead < schedule_.chunks && opts_.read_ahead &&
        (!m.drop || look_at(m, ahead))) {
      const auto [a_first, a_last] = range(m, ahead);
      m.o->storage.advise(advice::willneed, relative(*m.o, a_first), a_last - a_first);
    }
    if (opts_.populate && !m.o->written_by_pwrite) {
      m.o->storage.prefetch(m.o->writes ? access::write : access::read, relative(*m.o, first),
                            last - first);
    }
  }
}

void page_manager::after(index_t c) {
  for (auto& m : memory_) {
    if (!m.drop || !m.o->writes) continue;
    // The chunk's whole pages are unmapped before their write-back starts: writing back a page
    // still mapped write-protects it and flushes the TLB of every core running this process,
    // one page at a time (with two threads, an interrupt per page; see the notes in
    // docs/PERFORMANCE.md). Unmapping flushes once per batch of pages, and the page cache
    // keeps them dirty. Edge pages, which a neighbouring chunk's thread may still be writing,
    // stay mapped until release() takes them.
    const auto [first, last] = range(m, c);
    const std::uintptr_t inner_first = align_down(first + sys::page_size() - 1);
    const std::uintptr_t inner_last = align_down(last);
    if (inner_last > inner_first && !m.o->written_by_pwrite) {
      m.o->storage.advise(advice::dontneed, relative(*m.o, inner_first), inner_last - inner_first);
    }
    write_back(*m.o, first, last, false);
  }
}

void page_manager::release(managed& m, index_t upto) {
  // Consecutive chunks that were (or were not) cached before go together in one call.
  while (m.released < upto) {
    const bool keep = was_cached(m, m.released);
    index_t next = m.released + 1;
    while (next < upto && was_cached(m, next) == keep) ++next;
    const std::uintptr_t until = align_down(range(m, next - 1).second);
    if (until > m.cleared) {
      drop_pages(*m.o, m.cleared, until, keep);
      m.cleared = until;
    }
    m.released = next;
  }
}

void page_manager::release_below(index_t watermark) {
  const auto threads = static_cast<index_t>(schedule_.threads);
  for (auto& m : memory_) {
    if (m.drop) release(m, watermark - (m.o->writes ? threads : 0));
  }
}

void page_manager::finish(index_t watermark) {
  set_advice(advice::normal);
  // Drop what is left behind the cursor, the output's last chunks included, up to the end of
  // the last finished chunk (not only its whole pages).
  for (auto& m : memory_) {
    if (!m.drop || watermark <= 0) continue;
    release(m, watermark);
    const std::uintptr_t end = range(m, watermark - 1).second;
    if (end > m.cleared) {
      drop_pages(*m.o, m.cleared, end, was_cached(m, watermark - 1));
      m.cleared = end;
    }
  }
}

void page_manager::set_advice(advice hint) {
  if (schedule_.chunks == 0) return;
  for (const auto& m : memory_) {
    if (!m.drop) continue;
    const auto first = range(m, 0).first;
    m.o->storage.advise(hint, relative(*m.o, first), range(m, schedule_.chunks - 1).second - first);
  }
}

}  // namespace maparray::detail
