// any_global_array: queries, index mapping, one-sided operations through the window, and the
// collective sync, flush and close.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "datatypes.hpp"
#include "maparray/mpi.hpp"
#include "state.hpp"

namespace maparray::mpi {
namespace detail {

global_state::~global_state() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor cannot report it
  }
}

void global_state::close() {
  if (window != MPI_WIN_NULL) {
    check(MPI_Win_unlock_all(window), "MPI_Win_unlock_all");
    check(MPI_Win_free(&window), "MPI_Win_free");
  }
  if (comm != MPI_COMM_NULL) check(MPI_Comm_free(&comm), "MPI_Comm_free");
}

namespace {

// The largest transfer of one MPI call, so that every count fits MPI's int.
constexpr index_t max_call_bytes = index_t{1} << 30;

// The flat (C-order) position of a global index, after checking it. Throws std::out_of_range.
index_t flat_index(const global_state& s, const dims& index) {
  if (index.size() != s.shape.size()) {
    throw std::out_of_range("an index of " + std::to_string(index.size()) + " entries for a " +
                            std::to_string(s.shape.size()) + "-dimensional array");
  }
  index_t flat = 0;
  for (std::size_t k = 0; k < index.size(); ++k) {
    if (index[k] < 0 || index[k] >= s.shape[k]) {
      throw std::out_of_range("index " + to_string(index.span()) +
                              " is outside the array of shape " + to_string(s.shape.span()));
    }
    flat = flat * s.shape[k] + index[k];
  }
  return flat;
}

// The element count of `bytes` bytes, checking that [start, start + count) lies in the array.
// Throws std::invalid_argument, std::out_of_range.
index_t range_count(const global_state& s, index_t start, std::size_t bytes, const char* what) {
  const index_t itemsize = s.type.itemsize();
  if (bytes % static_cast<std::size_t>(itemsize) != 0) {
    throw std::invalid_argument(std::string(what) + " of " + std::to_string(bytes) +
                                " bytes: not a whole number of " + std::to_string(itemsize) +
                                "-byte elements");
  }
  const auto count = static_cast<index_t>(bytes) / itemsize;
  const index_t size = element_count(s.shape.span());
  if (count > size - start) {
    throw std::out_of_range(std::string(what) + " of " + std::to_string(count) +
                            " elements from flat position " + std::to_string(start) +
                            " reaches past the end of the array (" + std::to_string(size) +
                            " elements)");
  }
  return count;
}

// Calls piece(rank, displacement, count, done) for each part of the flat range
// [start, start + count) that lies on one rank and fits one MPI call; displacement is in
// elements from the start of that rank's slab, done the elements before the part.
template <class Piece>
void for_each_piece(const global_state& s, index_t start, index_t count, Piece&& piece) {
  const index_t per_call = std::max<index_t>(1, max_call_bytes / s.type.itemsize());
  index_t done = 0;
  while (done < count) {
    const index_t flat = start + done;
    const int rank = s.blocks.owner(flat / s.row_elements);
    const index_t slab_first = s.blocks.first(rank) * s.row_elements;
    const index_t slab_end = s.blocks.end(rank) * s.row_elements;
    const index_t n = std::min({count - done, slab_end - flat, per_call});
    piece(rank, flat - slab_first, n, done);
    done += n;
  }
}

// The open window, or std::logic_error.
MPI_Win open_window(const global_state& s, const char* what) {
  if (s.window == MPI_WIN_NULL) {
    throw std::logic_error(std::string(what) + " on a closed distributed array");
  }
  return s.window;
}

void require_writable(const global_state& s, const char* what) {
  if (s.access == mode::read) {
    throw std::invalid_argument(std::string(what) + " into '" + s.path.string() +
                                "', which every rank mapped read-only");
  }
}

}  // namespace
}  // namespace detail

bool any_global_array::is_open() const noexcept {
  return state_ && state_->window != MPI_WIN_NULL;
}

const detail::global_state& any_global_array::state() const {
  if (!state_) throw std::logic_error("an empty distributed-array handle");
  return *state_;
}

MPI_Comm any_global_array::comm() const {
  return state().comm;
}
int any_global_array::rank() const {
  return state().rank;
}
int any_global_array::ranks() const {
  return state().ranks;
}
const dtype& any_global_array::type() const {
  return state().type;
}
std::span<const index_t> any_global_array::shape() const {
  return state().shape.span();
}
index_t any_global_array::size() const {
  return element_count(shape());
}
index_t any_global_array::row_elements() const {
  return state().row_elements;
}
const row_blocks& any_global_array::blocks() const {
  return state().blocks;
}
const std::filesystem::path& any_global_array::path() const {
  return state().path;
}
std::int64_t any_global_array::data_offset() const {
  return state().data_offset;
}
maparray::mode any_global_array::mode() const {
  return state().access;
}
bool any_global_array::page_aligned() const {
  return state().page_aligned;
}
const any_array& any_global_array::local() const {
  return state().local;
}

int any_global_array::owner(const dims& index) const {
  const auto& s = state();
  return s.blocks.owner(detail::flat_index(s, index) / s.row_elements);
}

local_position any_global_array::to_local(const dims& index) const {
  const int rank = owner(index);
  dims local = index;
  local[0] -= state().blocks.first(rank);
  return {rank, local};
}

dims any_global_array::to_global(int rank, const dims& local_index) const {
  const auto& s = state();
  const index_t first = s.blocks.first(rank);  // checks the rank
  dims index = local_index;
  if (!index.empty()) index[0] += first;
  if (local_index.empty() || local_index[0] < 0 || local_index[0] >= s.blocks.count(rank)) {
    throw std::out_of_range("local index " + to_string(local_index.span()) +
                            " is outside the block of rank " + std::to_string(rank) + " (" +
                            std::to_string(s.blocks.count(rank)) + " rows)");
  }
  detail::flat_index(s, index);  // checks the other entries
  return index;
}

void any_global_array::get(const dims& start, std::span<std::byte> out) const {
  const auto& s = state();
  const MPI_Win window = detail::open_window(s, "get");
  const index_t first = detail::flat_index(s, start);
  const index_t count = detail::range_count(s, first, out.size(), "get");
  const index_t itemsize = s.type.itemsize();
  detail::for_each_piece(s, first, count, [&](int rank, index_t at, index_t n, index_t done) {
    const int bytes = static_cast<int>(n * itemsize);
    detail::check(
        MPI_Get(out.data() + done * itemsize, bytes, MPI_BYTE, rank, at, bytes, MPI_BYTE, window),
        "MPI_Get");
  });
  detail::check(MPI_Win_flush_all(window), "MPI_Win_flush_all");
}

void any_global_array::put(const dims& start, std::span<const std::byte> in) const {
  const auto& s = state();
  const MPI_Win window = detail::open_window(s, "put");
  detail::require_writable(s, "put");
  const index_t first = detail::flat_index(s, start);
  const index_t count = detail::range_count(s, first, in.size(), "put");
  const index_t itemsize = s.type.itemsize();
  detail::for_each_piece(s, first, count, [&](int rank, index_t at, index_t n, index_t done) {
    const int bytes = static_cast<int>(n * itemsize);
    detail::check(
        MPI_Put(in.data() + done * itemsize, bytes, MPI_BYTE, rank, at, bytes, MPI_BYTE, window),
        "MPI_Put");
  });
  detail::check(MPI_Win_flush_all(window), "MPI_Win_flush_all");
}

void any_global_array::accumulate(const dims& start, std::span<const std::byte> in,
                                  accumulate_op op) const {
  const auto& s = state();
  const MPI_Win window = detail::open_window(s, "accumulate");
  detail::require_writable(s, "accumulate");
  const MPI_Datatype element = detail::numeric_datatype(s.type, "accumulate");
  const MPI_Op operation = detail::operation(op, s.type, "accumulate");
  const index_t first = detail::flat_index(s, start);
  const index_t count = detail::range_count(s, first, in.size(), "accumulate");
  const index_t itemsize = s.type.itemsize();
  detail::for_each_piece(s, first, count, [&](int rank, index_t at, index_t n, index_t done) {
    detail::check(MPI_Accumulate(in.data() + done * itemsize, static_cast<int>(n), element, rank,
                                 at, static_cast<int>(n), element, operation, window),
                  "MPI_Accumulate");
  });
  detail::check(MPI_Win_flush_all(window), "MPI_Win_flush_all");
}

void any_global_array::fetch_op(const dims& index, const void* operand, void* result,
                                accumulate_op op) const {
  const auto& s = state();
  const char* what = operand ? "fetch_op" : "atomic_load";
  const MPI_Win window = detail::open_window(s, what);
  const MPI_Datatype element = detail::numeric_datatype(s.type, what);
  MPI_Op operation = MPI_NO_OP;
  if (operand) {
    detail::require_writable(s, what);
    operation = detail::operation(op, s.type, what);
  }
  const index_t flat = detail::flat_index(s, index);
  const int rank = s.blocks.owner(flat / s.row_elements);
  const index_t at = flat - s.blocks.first(rank) * s.row_elements;
  detail::check(MPI_Fetch_and_op(operand, result, element, rank, at, operation, window),
                "MPI_Fetch_and_op");
  detail::check(MPI_Win_flush(rank, window), "MPI_Win_flush");
}

bool any_global_array::compare_exchange(const dims& index, void* expected,
                                        const void* desired) const {
  const auto& s = state();
  const MPI_Win window = detail::open_window(s, "compare_exchange");
  detail::require_writable(s, "compare_exchange");
  const MPI_Datatype element = detail::swap_datatype(s.type);
  const index_t flat = detail::flat_index(s, index);
  const int rank = s.blocks.owner(flat / s.row_elements);
  const index_t at = flat - s.blocks.first(rank) * s.row_elements;
  std::byte previous[8];
  detail::check(MPI_Compare_and_swap(desired, expected, previous, element, rank, at, window),
                "MPI_Compare_and_swap");
  detail::check(MPI_Win_flush(rank, window), "MPI_Win_flush");
  const auto size = static_cast<std::size_t>(s.type.itemsize());
  const bool swapped = std::memcmp(previous, expected, size) == 0;
  std::memcpy(expected, previous, size);
  return swapped;
}

void any_global_array::sync() const {
  const auto& s = state();
  const MPI_Win window = detail::open_window(s, "sync");
  detail::check(MPI_Win_flush_all(window), "MPI_Win_flush_all");
  detail::check(MPI_Win_sync(window), "MPI_Win_sync");
  detail::check(MPI_Barrier(s.comm), "MPI_Barrier");
  detail::check(MPI_Win_sync(window), "MPI_Win_sync");
}

void any_global_array::flush(flush_mode how) const {
  sync();
  const auto& s = state();
  collective(s.comm, [&] {
    const mapping slab = s.local.storage();
    if (slab.is_open()) slab.flush(how);
  });
}

void any_global_array::close() {
  if (state_) state_->close();
}

}  // namespace maparray::mpi
