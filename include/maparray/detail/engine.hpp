// The compute engine's interface to the rest of the library: how a computation's arrays are
// walked (the plan), how the walk is cut into chunks (the schedule) and how chunks run on
// threads with read-ahead, write-behind and drop-behind (run). Internal: it is in a header
// only because transform() and the typed reductions are templates that call it.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "maparray/array.hpp"
#include "maparray/exec_options.hpp"
#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray::detail {

// One array taking part in a computation, as the engine sees it: bytes and byte strides.
struct planned_operand {
  std::byte* data = nullptr;
  index_t itemsize = 0;
  dims strides;  // in bytes, along the plan's iteration axes; 0 where the array is broadcast
  mapping storage;
  bool writes = false;
  // Set by make_plan: the elements lie at strictly increasing addresses in iteration order,
  // so a chunk covers one byte range that the engine can read ahead and drop behind.
  bool forward = false;
  // Set by the caller for an output it writes to its file with pwrite (from a buffer) instead
  // of through the mapping: the page manager then neither reads its pages ahead nor unmaps
  // them, and still starts their write-back and drops them behind.
  bool written_by_pwrite = false;
};

// The iteration space shared by all operands: the driver operand's axes reordered into its
// memory order, unit axes dropped, and axes merged where every operand is contiguous across
// them. A contiguous computation becomes one axis.
struct plan {
  dims shape;
  index_t count = 0;  // elements
  std::vector<planned_operand> operands;
};

// Input to make_plan: an array's first element, item size, shape and byte strides. Every view
// has the computation's shape; a broadcast view has stride 0 along the axes it repeats on.
struct operand_view {
  std::byte* data;
  index_t itemsize;
  std::span<const index_t> shape;
  std::span<const index_t> strides;  // in bytes
  mapping storage;
  bool writes;
};

// Checks that every view has the shape of views[0] and builds the plan, iterating in the
// memory order of views[driver]. `what` names the operation in messages. Throws
// std::invalid_argument naming the mismatching operand and both shapes.
plan make_plan(const char* what, std::span<const operand_view> views, std::size_t driver = 0);

// How a plan's elements are cut into chunks and shared by threads.
struct schedule {
  index_t chunk_elements = 0;
  index_t chunks = 0;
  unsigned threads = 1;
  // The first chunk is this many elements shorter, so that the chunks of the output (or the
  // driver) start on page boundaries even when the array does not (a .npy file's data).
  index_t phase = 0;
  // The elements [begin, end) of chunk c.
  std::pair<index_t, index_t> bounds(index_t c, index_t count) const noexcept {
    const index_t begin = std::max<index_t>(0, c * chunk_elements - phase);
    return {begin, std::min(count, (c + 1) * chunk_elements - phase)};
  }
};

// The schedule for a plan under `opts`. `extra_bytes_per_element` counts memory the
// computation holds per element beyond the operands' own (partial results). Throws
// std::invalid_argument for a memory budget of 0.
schedule make_schedule(const plan& p, const exec_options& opts,
                       index_t extra_bytes_per_element = 0);

// Runs `chunk(index, begin, end)` over the chunks of [0, plan.count) on s.threads threads,
// with read-ahead, write-behind, drop-behind and progress as exec_options.hpp describes.
// Returns after every chunk ran. Throws what a chunk threw (the first one), std::system_error
// if writing back the output failed, cancelled_error.
void run(const plan& p, const exec_options& opts, const schedule& s,
         const std::function<void(index_t chunk, index_t begin, index_t end)>& chunk);

// Calls row(pointers, byte_strides, n) for each run of elements of [begin, end) along the
// plan's last axis; pointers are the operands' first elements of the run.
template <std::size_t N, class Row>
void for_each_row(const plan& p, index_t begin, index_t end, Row&& row) {
  const std::size_t nd = p.shape.size();
  std::array<index_t, max_rank> index{};
  index_t rest = begin;
  for (std::size_t k = nd; k-- > 0;) {
    index[k] = rest % p.shape[k];
    rest /= p.shape[k];
  }
  std::array<std::byte*, N> at{};
  std::array<index_t, N> step{};
  const auto point = [&] {
    for (std::size_t j = 0; j < N; ++j) {
      const planned_operand& o = p.operands[j];
      at[j] = o.data;
      for (std::size_t k = 0; k < nd; ++k) at[j] += index[k] * o.strides[k];
    }
  };
  point();
  for (std::size_t j = 0; j < N; ++j) step[j] = p.operands[j].strides[nd - 1];
  const index_t inner = p.shape[nd - 1];
  for (index_t position = begin; position < end;) {
    const index_t n = std::min(inner - index[nd - 1], end - position);
    row(at, step, n);
    position += n;
    if (position == end) break;
    // Carry into the outer axes and start the next row there.
    index[nd - 1] = 0;
    for (std::size_t k = nd - 1; k-- > 0;) {
      if (++index[k] < p.shape[k]) break;
      index[k] = 0;
    }
    point();
  }
}

// As for_each_row, for a number of operands known at run time: row(pointers, byte_strides, n)
// gets spans of p.operands.size() entries.
template <class Row>
void for_each_row(const plan& p, index_t begin, index_t end, Row&& row) {
  const std::size_t nd = p.shape.size();
  const std::size_t count = p.operands.size();
  std::array<index_t, max_rank> index{};
  index_t rest = begin;
  for (std::size_t k = nd; k-- > 0;) {
    index[k] = rest % p.shape[k];
    rest /= p.shape[k];
  }
  std::vector<std::byte*> at(count);
  std::vector<index_t> step(count);
  const auto point = [&] {
    for (std::size_t j = 0; j < count; ++j) {
      const planned_operand& o = p.operands[j];
      at[j] = o.data;
      for (std::size_t k = 0; k < nd; ++k) at[j] += index[k] * o.strides[k];
    }
  };
  point();
  for (std::size_t j = 0; j < count; ++j) step[j] = p.operands[j].strides[nd - 1];
  const index_t inner = p.shape[nd - 1];
  for (index_t position = begin; position < end;) {
    const index_t n = std::min(inner - index[nd - 1], end - position);
    row(std::span<std::byte* const>(at), std::span<const index_t>(step), n);
    position += n;
    if (position == end) break;
    index[nd - 1] = 0;
    for (std::size_t k = nd - 1; k-- > 0;) {
      if (++index[k] < p.shape[k]) break;
      index[k] = 0;
    }
    point();
  }
}

// The byte offset from o.data of the element at iteration position `at`.
inline index_t offset_of(const plan& p, const planned_operand& o, index_t at) noexcept {
  index_t offset = 0;
  for (std::size_t k = p.shape.size(); k-- > 0;) {
    offset += (at % p.shape[k]) * o.strides[k];
    at /= p.shape[k];
  }
  return offset;
}

// The engine's view of an array<T>.
template <class T>
operand_view view_of(const array<T>& a, std::span<index_t> byte_strides, bool writes) noexcept {
  for (std::size_t k = 0; k < a.ndim(); ++k) {
    byte_strides[k] = a.strides()[k] * static_cast<index_t>(sizeof(T));
  }
  return {reinterpret_cast<std::byte*>(const_cast<std::remove_const_t<T>*>(a.data())),
          static_cast<index_t>(sizeof(T)),
          a.shape(),
          byte_strides.first(a.ndim()),
          a.storage(),
          writes};
}

}  // namespace maparray::detail
