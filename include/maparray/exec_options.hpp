// maparray::exec_options: how a computation runs (threads, memory budget, progress, cancel).
//
// Every computation in maparray (transform, the operations, reductions, evaluate) runs through
// one engine: the arrays are cut into chunks along their memory order, chunks are shared by
// `threads` threads, the next chunks of the inputs are read ahead while one is computed, and
// under a memory budget finished output chunks are written back early and the pages of
// finished chunks are dropped behind the cursor, so that the pages the computation holds stay
// within the budget whatever the size of the files. Pages that were already in the page cache
// when the computation reached them stay there (only the computation's own mapping of them is
// dropped): a budget never evicts data someone else is using.
//
// The default budget is the same in every face (C++, the tool, Python): default_memory_budget,
// 64 MiB. unlimited_memory turns the bound off, which is fastest when everything fits in memory:
// nothing is written back early and nothing is dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <stop_token>

namespace maparray {

// The memory budget a computation has unless told otherwise: 64 MiB, in every face.
inline constexpr std::size_t default_memory_budget = std::size_t{64} << 20;
// A memory budget that means no bound.
inline constexpr std::size_t unlimited_memory = std::numeric_limits<std::size_t>::max();

// How a computation runs. Members may be left out, in this order, with designated
// initializers: {.threads = 2, .memory_budget = 256 << 20}.
struct exec_options {
  // Worker threads, the calling thread included; 0: one per core.
  unsigned threads = 0;
  // Upper bound in bytes on the pages of the inputs and the output that the computation keeps
  // resident (see the file comment); unlimited_memory for none. The engine holds at most
  // 3 * threads + 1 chunks of every array; a budget too small for that with chunks of 4096
  // elements runs on fewer threads, down to one, and is then exceeded by that minimum.
  // 0 is refused (std::invalid_argument): it would mean no memory at all.
  std::size_t memory_budget = default_memory_budget;
  // Bytes of the widest array per chunk; 0: 4 MiB (less if the budget demands it). Rounded
  // to whole multiples of 4096 elements so that chunks of contiguous arrays are whole pages.
  std::size_t chunk_bytes = 0;
  // Called after each finished chunk with the bytes of all arrays processed so far and in all;
  // from the worker threads, one call at a time, with `done` increasing to `total`. Called
  // once with (0, 0) for a computation over no elements.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress{};
  // When stop is requested, workers stop before their next chunk and the computation throws
  // cancelled_error.
  std::stop_token stop{};
  // Switches for measuring what each memory technique of the engine brings (the benchmarks
  // turn them off one by one); leave them on.
  bool populate = true;    // fault each chunk's pages in with one MADV_POPULATE_* call
  bool read_ahead = true;  // MADV_WILLNEED on the inputs' chunks `threads` ahead
};

}  // namespace maparray
