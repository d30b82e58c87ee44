// What the engine does to the memory of a computation's arrays, chunk by chunk: read the next
// chunks ahead, fault a chunk's pages in at once, write finished output back early and drop
// the pages of finished chunks behind the cursor under a memory budget. The scheduler
// (scheduler.cpp) decides when; this class knows how.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "maparray/detail/engine.hpp"

namespace maparray::detail {

class page_manager {
 public:
  // Decides which operands are managed; sets MADV_RANDOM on those whose pages are dropped, so
  // that the kernel's own readahead does not read far past the budget. Throws std::system_error.
  page_manager(const plan& p, const exec_options& opts, const schedule& s);

  // Before chunk c is computed: reads chunk c + threads ahead and faults chunk c's pages in.
  // Called from any worker thread. Throws std::system_error.
  void before(index_t c);
  // After chunk c is computed: starts writing back the output's finished pages. Throws
  // std::system_error.
  void after(index_t c);
  // The chunks below `watermark` are all finished: drops what lies behind them (the output
  // `threads` chunks later, giving its write-back time to finish). Called by one thread at a
  // time. Throws std::system_error if writing back fails.
  void release_below(index_t watermark);
  // At the end of a computation that finished chunks below `watermark`: restores the normal
  // access advice and drops everything left behind. Throws std::system_error.
  void finish(index_t watermark);

 private:
  struct managed {
    const planned_operand* o = nullptr;
    bool drop = false;           // drop pages behind the cursor (shared file pages only)
    std::uintptr_t cleared = 0;  // pages below this address have been dropped
    index_t released = 0;        // chunks below this one have been dropped
    // Per chunk: 0 not looked at, 1 being looked at, 2 not cached before, 3 cached before.
    std::unique_ptr<std::atomic<std::uint8_t>[]> cached;
  };

  std::pair<std::uintptr_t, std::uintptr_t> range(const managed& m, index_t c) const;
  std::size_t relative(const planned_operand& o, std::uintptr_t address) const;
  // Records whether chunk c of m was in the page cache before this computation touched it;
  // returns true if this call looked (false: it was looked at already).
  bool look_at(managed& m, index_t c);
  bool was_cached(managed& m, index_t c);
  void release(managed& m, index_t upto);
  void set_advice(advice hint);

  const plan& plan_;
  const exec_options& opts_;
  const schedule& schedule_;
  std::vector<managed> memory_;
};

}  // namespace maparray::detail
