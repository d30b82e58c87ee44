// maparray::mpi: one file's array spread over the ranks of an MPI communicator.
//
// The array is the file: a .npy or raw file on a file system every rank can reach. Opening and
// creating are collective calls on a communicator; the array is split into blocks of rows
// along its first axis, and every rank maps only its own block (its "slab"), which is an
// ordinary maparray::array<T> (local()). Nothing is loaded or saved: a slab bigger than a
// node's memory is paged by the kernel like any mapped file.
//
// Any rank reads and writes any element with one-sided operations through an MPI window over
// the mapped slabs: get, put, accumulate, and atomic fetch-add and compare-exchange. Compute
// over whole arrays (mpi_compute.hpp) is collective: each rank runs maparray's engine on its
// slab and reductions are combined through MPI.
//
// The names follow the distributed-array libraries HPC users know: Global Arrays (get, put,
// accumulate, read-and-increment, "distribution" and "locate") and DASH (local(), global and
// local indices, owner of an index). See docs/distributed.md for the guide.
//
// Rules that hold for every function here:
//   - Collective calls (marked so) must be made by every rank of the communicator, in the same
//     order, with the same arguments. Their errors are collective too: if the call fails on
//     any rank, it throws on every rank, the same exception type with the same message
//     ("rank 2 of 4: open 'x.npy': No such file or directory"), and no rank is left waiting.
//   - MPI calls come from one thread of a process at a time (MPI_THREAD_SERIALIZED is enough);
//     the engine's compute threads make none. Open MPI's one-sided "pt2pt" component, the one
//     that works over file mappings without special kernel support, refuses
//     MPI_THREAD_MULTIPLE.
//   - Handles are cheap to copy and share one state; the MPI window of an array is freed by
//     close() (collective) or, failing that, when the last handle on each rank goes, which must
//     then happen at the same point on every rank and before MPI_Finalize.
//
// Memory ordering and completion of one-sided operations (docs/distributed.md has examples):
//   - get, put, accumulate, fetch_add, compare_exchange, atomic_load and atomic_store are
//     blocking: when one returns, the operation is complete at its target (MPI_Win_flush), so
//     operations of one rank take effect in its program order.
//   - fetch_add, compare_exchange, accumulate, atomic_load and atomic_store on one element are
//     atomic with respect to each other (MPI's accumulate atomicity), whichever ranks issue
//     them, provided they use the same element type. They are not atomic with respect to get,
//     put, or plain loads and stores through local().
//   - A rank's own loads and stores through local() and the one-sided operations of other
//     ranks on the same elements are ordered only by sync() (collective): writes made either
//     way before sync() on every rank are seen either way after it.
//   - flush() (collective) is sync() plus writing every rank's dirty pages back to the file:
//     any process on any node that maps or reads the file after it sees every rank's writes.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <mpi.h>
#include <sys/types.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "maparray/any_array.hpp"
#include "maparray/array.hpp"
#include "maparray/dtype.hpp"
#include "maparray/error.hpp"
#include "maparray/if_exists.hpp"
#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray::mpi {

// An MPI call failed. what() names the call and gives MPI's error string; error_class() is the
// MPI error class (MPI_ERR_WIN, ...).
class mpi_error : public std::runtime_error {
 public:
  // Throws only std::bad_alloc.
  mpi_error(const std::string& what, int error_class)
      : std::runtime_error(what), error_class_(error_class) {}
  // The MPI error class.
  int error_class() const noexcept { return error_class_; }

 private:
  int error_class_;
};

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

// Every rank passes the exception its part of a collective call threw (or none). Returns on
// every rank if none threw; otherwise throws on every rank the exception of the lowest rank
// that failed, rebuilt with the same type (std::system_error with its errno, format_error,
// std::invalid_argument, ...; other types as std::runtime_error) and its message prefixed with
// "rank R of N: " (and how many other ranks failed). Throws mpi_error if MPI itself fails.
void agree(MPI_Comm comm, std::exception_ptr local_error);

}  // namespace detail

// Runs fn() on this rank as part of a collective call on `comm`: every rank must call it. If
// fn throws on any rank, collective() throws on every rank, as detail::agree() describes; if
// no rank's fn throws, it returns on every rank once all have finished fn (it synchronizes
// like a barrier). Use it to make a rank's local work fail or succeed as one.
template <class Fn>
void collective(MPI_Comm comm, Fn&& fn) {
  std::exception_ptr error;
  try {
    std::forward<Fn>(fn)();
  } catch (...) {
    error = std::current_exception();
  }
  detail::agree(comm, error);
}

// A block distribution of rows (indices along axis 0) over ranks: rank r owns the rows
// [first(r), end(r)), in rank order, each rank one contiguous block, possibly empty. Global
// Arrays calls this the distribution, DASH the pattern.
class row_blocks {
 public:
  // No rows on one rank. Throws only std::bad_alloc.
  row_blocks() : ends_{0} {}

  // `rows` split over `ranks` as evenly as possible: the first rows % ranks ranks get one row
  // more. Throws std::invalid_argument for rows < 0 or ranks < 1.
  static row_blocks even(index_t rows, int ranks);

  // As even(), but with every boundary between two ranks' blocks moved to the nearest row
  // whose element count from the start is a multiple of `page`: rows of `row_elements`
  // elements. Where the array's data starts on a page boundary of its file (as in every file
  // that create_npy and create_file make), no file page then holds elements of two ranks,
  // whatever the element size (see docs/distributed.md for why that matters on a cluster), and
  // arrays of one shape get one distribution whatever their dtype. Small arrays may end up on
  // few ranks. Throws std::invalid_argument as even(), or for row_elements < 0, a page of 0 or
  // above 2^31 bytes.
  static row_blocks aligned(index_t rows, int ranks, index_t row_elements, std::size_t page);

  // Explicit row counts, one per rank (zero allowed). Throws std::invalid_argument for an empty
  // list or a negative count, std::overflow_error.
  static row_blocks from_counts(std::span<const index_t> counts);

  // The number of ranks.
  int ranks() const noexcept { return static_cast<int>(ends_.size()); }
  // The number of rows in all.
  index_t rows() const noexcept { return ends_.back(); }
  // The first row of `rank`'s block. Throws std::out_of_range for a rank outside [0, ranks()).
  index_t first(int rank) const;
  // One past the last row of `rank`'s block. Throws as first().
  index_t end(int rank) const;
  // The rows of `rank`'s block. Throws as first().
  index_t count(int rank) const { return end(rank) - first(rank); }
  // The rank whose block holds `row` (Global Arrays' locate, DASH's unit_at). Throws
  // std::out_of_range for a row outside [0, rows()).
  int owner(index_t row) const;
  // The row counts, one per rank. Throws only std::bad_alloc.
  std::vector<index_t> counts() const;

  // Same boundaries.
  friend bool operator==(const row_blocks& a, const row_blocks& b) noexcept {
    return a.ends_ == b.ends_;
  }

 private:
  std::vector<index_t> ends_;  // ends_[r] = end(r)
};

// Options for the collective opens (open_npy, map_file). Every rank must pass the same.
struct open_options {
  // Default: read for a const element type and for run-time dtypes, read_write otherwise.
  // copy_on_write gives every rank a private copy of its slab (one-sided writes then change
  // only the target's copy, never the file).
  std::optional<maparray::mode> mode{};
  // Raw files only: the byte offset of the array's first element in the file.
  std::int64_t offset = 0;
  // Rows of axis 0 per rank, one entry per rank, summing to the array's first dimension;
  // empty: split evenly (see page_aligned).
  std::vector<index_t> rows_per_rank{};
  // For an even split: split at page-aligned rows (row_blocks::aligned), so that, in a file
  // whose data starts on a page boundary, no page is written by two nodes. Off:
  // row_blocks::even, the exactly even split.
  bool page_aligned = true;
};

// Options for the collective creates (create_npy, create_file). Every rank must pass the same.
struct create_options {
  // What to do if a file exists at the path: fail (EEXIST), or replace it (only once every
  // rank has mapped the new one; until then the old file stays). if_exists::open is refused
  // (std::invalid_argument).
  if_exists existing = if_exists::fail;
  // Set the length with ftruncate instead of reserving every block (see maparray::
  // create_options::sparse: a later write into a hole on a full disk raises SIGBUS).
  bool sparse = false;
  // Permission bits of the new file, filtered by the umask.
  mode_t permissions = 0666;
  // As open_options::rows_per_rank.
  std::vector<index_t> rows_per_rank{};
  // As open_options::page_aligned. (create_npy always pads the .npy header so that the data
  // starts on a page boundary; numpy reads it like any other header.)
  bool page_aligned = true;
};

// The operation of accumulate() and of the fetch-and-op atomics: MPI's predefined operations.
enum class accumulate_op {
  sum,      // target = target + value (MPI_SUM); numbers
  prod,     // target = target * value (MPI_PROD); numbers
  min,      // target = min(target, value) (MPI_MIN); integers and floats
  max,      // target = max(target, value) (MPI_MAX); integers and floats
  band,     // target = target & value (MPI_BAND); integers
  bor,      // target = target | value (MPI_BOR); integers
  bxor,     // target = target ^ value (MPI_BXOR); integers
  replace,  // target = value (MPI_REPLACE); any numeric type, an atomic store
};

// Where an element of a distributed array lives: the owning rank and its index in that rank's
// local() block.
struct local_position {
  int rank = 0;  // the owning rank
  dims index;    // the index in that rank's local() block
};

// Implementation, not API: declared here because the classes below hold a pointer to it.
namespace detail {
struct global_state;
}

template <numeric_element T>
class global_array;

// A distributed array whose element type is known at run time (the Python module, tools); a
// cheap handle to state shared by its copies. global_array<T> is the typed face.
class any_global_array {
 public:
  // An empty handle: is_open() is false and everything but is_open() throws std::logic_error.
  any_global_array() = default;
  // Used by the opening functions.
  explicit any_global_array(std::shared_ptr<detail::global_state> state) noexcept
      : state_(std::move(state)) {}

  // Whether the handle refers to an array whose window is not closed.
  bool is_open() const noexcept;

  // @name Queries (local, never collective)
  // @{
  // Each throws std::logic_error for an empty handle; after close() they still answer.
  // The array's communicator: a duplicate of the one it was opened with (MPI_COMM_NULL after
  // close()).
  MPI_Comm comm() const;
  // This rank, and the number of ranks, in comm().
  int rank() const;
  int ranks() const;
  // The element type (the file's).
  const dtype& type() const;
  // The global shape, the number of dimensions and of elements.
  std::span<const index_t> shape() const;
  std::size_t ndim() const { return shape().size(); }
  index_t size() const;
  // Elements per row: the product of all dimensions but the first.
  index_t row_elements() const;
  // Who owns which rows.
  const row_blocks& blocks() const;
  // The file, and the byte offset of the array's first element in it.
  const std::filesystem::path& path() const;
  std::int64_t data_offset() const;
  // How every rank mapped its slab.
  maparray::mode mode() const;
  // Whether every boundary between two ranks' slabs lies on a page boundary of the file (of
  // the largest page size of any rank), so that no page holds elements of two ranks.
  bool page_aligned() const;
  // This rank's block: rows [blocks().first(rank()), blocks().end(rank())) of the global array,
  // with their global shape otherwise; row 0 of local() is that first row.
  const any_array& local() const;
  // @}

  // @name Global and local indices
  // @{
  // The rank owning the element at the global `index` (one entry per dimension), its position
  // in that rank's local() block, and back. Throw std::out_of_range for an index outside the
  // array (or a local index outside the rank's block, or a rank outside [0, ranks())), and
  // std::logic_error for an empty handle.
  int owner(const dims& index) const;
  local_position to_local(const dims& index) const;
  dims to_global(int rank, const dims& local_index) const;
  // Whether this rank owns the element at the global `index`. Throws as owner().
  bool is_local(const dims& index) const { return owner(index) == rank(); }
  // @}

  // @name One-sided operations (not collective)
  // @{
  // Elements are taken in C order from the global index `start` onward, so a range may
  // continue over several rows and ranks; its size in bytes must be a whole number of elements.
  // Each call is complete at its targets when it returns (see the file comment for ordering).
  // They throw std::out_of_range for a range outside the array, std::invalid_argument for a
  // size that is not whole elements, an operation the dtype does not have (accumulate and the
  // atomics need a native-order numeric dtype) or a write to a read-only array (mode read),
  // std::logic_error after close() or for an empty handle, mpi_error if MPI fails. Errors here
  // are the calling rank's alone: these calls are not collective.
  //
  // Copies elements into `out`.
  void get(const dims& start, std::span<std::byte> out) const;
  // Copies elements from `in` into the array.
  void put(const dims& start, std::span<const std::byte> in) const;
  // Combines elements of `in` into the array with `op`, element by element atomically.
  void accumulate(const dims& start, std::span<const std::byte> in, accumulate_op op) const;
  // Atomically replaces the element at `index` with op(element, *operand) and stores its
  // previous value at `result` (MPI_Fetch_and_op). With operand null the element is only read
  // (an atomic load). Both point at one element of type() in native order.
  void fetch_op(const dims& index, const void* operand, void* result, accumulate_op op) const;
  // Atomically: if the element at `index` has the bits of *expected, replaces it with
  // *desired. Returns whether it did; *expected receives the element's previous value either
  // way. Floats are compared by their bits. Needs elements of 1, 2, 4 or 8 bytes.
  bool compare_exchange(const dims& index, void* expected, const void* desired) const;
  // @}

  // Collective. Orders local loads and stores with other ranks' one-sided operations (see the
  // file comment) and waits for every rank (Global Arrays' sync). Throws mpi_error,
  // std::logic_error after close().
  void sync() const;
  // Collective. sync(), then every rank writes its slab's dirty pages back to the file
  // (msync), so that any process on any node that maps or reads the file afterwards sees every
  // rank's writes. Throws (on every rank) std::system_error if any rank's write-back failed,
  // mpi_error, std::logic_error after close().
  void flush(flush_mode how = flush_mode::sync) const;
  // Collective. Frees the MPI window and the communicator. local() views stay valid (they
  // keep the slab mapped); one-sided operations and sync() throw std::logic_error afterwards.
  // Closing twice does nothing. Throws mpi_error.
  void close();

  // The same array with the element type T, sharing this handle's state. Throws type_error if
  // dtype_of<T>() is not type() (naming the file and both dtypes), std::invalid_argument if T
  // is not const and the array is read-only; std::logic_error for an empty handle.
  template <numeric_element T>
  global_array<T> as() const {
    return global_array<T>(*this);
  }

 private:
  const detail::global_state& state() const;

  std::shared_ptr<detail::global_state> state_;
};

// A distributed array of elements T (see the file comment); a cheap handle to state shared by
// its copies. global_array<const T> is read-only.
template <numeric_element T>
class global_array {
 public:
  using element_type = T;                  // T, const for a read-only array
  using value_type = std::remove_cv_t<T>;  // T without const

  // An empty handle.
  global_array() noexcept = default;
  // The typed face of `any`. Throws as any_global_array::as<T>().
  explicit global_array(any_global_array any) : any_(std::move(any)) {
    if (any_.type() != dtype_of<value_type>()) {
      throw type_error("the distributed array of '" + any_.path().string() +
                       "' holds elements of dtype " + any_.type().str() + ", not " +
                       dtype_of<value_type>().str() + " as requested");
    }
    if (!std::is_const_v<T> && any_.mode() == maparray::mode::read) {
      throw std::invalid_argument("a read-only distributed array viewed with a writable type");
    }
  }

  // The untyped handle sharing this array's state.
  const any_global_array& any() const noexcept { return any_; }
  // @name Queries, indices and collective calls
  // @{
  // As the any_global_array members of the same names, which say what they throw.
  bool is_open() const noexcept { return any_.is_open(); }
  MPI_Comm comm() const { return any_.comm(); }
  int rank() const { return any_.rank(); }
  int ranks() const { return any_.ranks(); }
  std::span<const index_t> shape() const { return any_.shape(); }
  std::size_t ndim() const { return any_.ndim(); }
  index_t size() const { return any_.size(); }
  const row_blocks& blocks() const { return any_.blocks(); }
  const std::filesystem::path& path() const { return any_.path(); }
  int owner(const dims& index) const { return any_.owner(index); }
  bool is_local(const dims& index) const { return any_.is_local(index); }
  local_position to_local(const dims& index) const { return any_.to_local(index); }
  dims to_global(int rank, const dims& local_index) const {
    return any_.to_global(rank, local_index);
  }
  void sync() const { any_.sync(); }
  void flush(flush_mode how = flush_mode::sync) const { any_.flush(how); }
  void close() { any_.close(); }
  // @}

  // This rank's block as an ordinary array (DASH's local, Global Arrays' access). Throws
  // std::logic_error for an empty handle.
  array<T> local() const { return any_.local().template as<T>(); }

  // One element, wherever it lives. Throws as any_global_array::get().
  value_type get(const dims& index) const {
    value_type v;
    any_.get(index, std::as_writable_bytes(std::span(&v, 1)));
    return v;
  }
  // out.size() elements in C order from `start`. Throws as any_global_array::get().
  void get(const dims& start, std::span<value_type> out) const {
    any_.get(start, std::as_writable_bytes(out));
  }
  // Writes one element. Throws as any_global_array::put().
  void put(const dims& index, value_type value) const requires(!std::is_const_v<T>) {
    any_.put(index, std::as_bytes(std::span(&value, 1)));
  }
  // Writes in.size() elements in C order from `start`. Throws as any_global_array::put().
  void put(const dims& start, std::span<const value_type> in) const requires(!std::is_const_v<T>) {
    any_.put(start, std::as_bytes(in));
  }
  // Combines in.size() elements in C order from `start` with `op` (Global Arrays' acc with
  // MPI's operations). Throws as any_global_array::accumulate().
  void accumulate(const dims& start, std::span<const value_type> in,
                  accumulate_op op = accumulate_op::sum) const requires(!std::is_const_v<T>) {
    any_.accumulate(start, std::as_bytes(in), op);
  }
  // Atomically adds `value` to the element and returns its previous value (Global Arrays'
  // read_inc). Integers wrap around. Throws as any_global_array::fetch_op().
  value_type fetch_add(const dims& index, value_type value) const requires(!std::is_const_v<T>) {
    value_type previous;
    any_.fetch_op(index, &value, &previous, accumulate_op::sum);
    return previous;
  }
  // Atomically applies `op` with `value` to the element and returns its previous value.
  // Throws as any_global_array::fetch_op().
  value_type fetch_op(const dims& index, value_type value, accumulate_op op) const
      requires(!std::is_const_v<T>) {
    value_type previous;
    any_.fetch_op(index, &value, &previous, op);
    return previous;
  }
  // As std::atomic's compare_exchange_strong: if the element equals `expected` (bit for bit),
  // replaces it with `desired` and returns true; otherwise stores the element in `expected`
  // and returns false. Throws as any_global_array::compare_exchange().
  bool compare_exchange(const dims& index, value_type& expected, value_type desired) const
      requires(!std::is_const_v<T>) {
    return any_.compare_exchange(index, &expected, &desired);
  }
  // Reads the element atomically with respect to the atomics above. Throws as fetch_op().
  value_type atomic_load(const dims& index) const {
    value_type value;
    any_.fetch_op(index, nullptr, &value, accumulate_op::replace);
    return value;
  }
  // Writes the element atomically with respect to the atomics above. Throws as fetch_op().
  void atomic_store(const dims& index, value_type value) const requires(!std::is_const_v<T>) {
    value_type previous;
    any_.fetch_op(index, &value, &previous, accumulate_op::replace);
  }

 private:
  any_global_array any_;
};

// @name Collective opening and creation
// @{
// Every rank of `comm` calls these together with the same arguments (checked: differing
// arguments fail on every rank, naming what differs). Rank 0 reads or writes the .npy header;
// every rank then maps its own slab of the file and the MPI window over the slabs is created.
// Errors are collective (see the file comment): std::system_error (a missing or unwritable
// file, EEXIST, ENOSPC on creation...), format_error (a malformed .npy file), type_error (a
// file whose dtype is not the one asked for: what() names the file and both dtypes),
// std::invalid_argument (arguments that differ between ranks, a
// Fortran-order or zero-dimensional array, which have no rows to split, row counts that do
// not match the array, a writable view of a read-only mode, create_options::existing open),
// std::out_of_range, mpi_error (with Open MPI 4, window creation over file mappings needs
// `--mca osc pt2pt`), and std::logic_error if MPI is not initialized. On failure nothing is
// left behind: a file the call created is removed, an existing file that if_exists::replace
// would replace is kept.

// Opens the .npy file at `path`, distributed over `comm`. Its dtype must be T's.
any_global_array open_npy(MPI_Comm comm, const std::filesystem::path& path,
                          const open_options& opts = {});
template <numeric_element T>
global_array<T> open_npy(MPI_Comm comm, const std::filesystem::path& path,
                         const open_options& opts = {});

// Creates the .npy file `path` holding a zero-filled array of `shape` (no -1), distributed
// over `comm`, mapped read-write. numpy.load reads it.
any_global_array create_npy(MPI_Comm comm, const std::filesystem::path& path, const dtype& type,
                            const shape_spec& shape, const create_options& opts = {});
template <numeric_element T>
requires(!std::is_const_v<T>) global_array<T> create_npy(MPI_Comm comm,
                                                         const std::filesystem::path& path,
                                                         const shape_spec& shape,
                                                         const create_options& opts = {}) {
  return global_array<T>(create_npy(comm, path, dtype_of<T>(), shape, opts));
}

// Maps the raw file at `path` as an array of `type` and `shape` (one -1 may be inferred from
// the file size) from byte opts.offset, distributed over `comm`.
any_global_array map_file(MPI_Comm comm, const std::filesystem::path& path, const dtype& type,
                          const shape_spec& shape = {-1}, const open_options& opts = {});
template <numeric_element T>
global_array<T> map_file(MPI_Comm comm, const std::filesystem::path& path,
                         const shape_spec& shape = {-1}, open_options opts = {}) {
  if (!opts.mode) opts.mode = std::is_const_v<T> ? maparray::mode::read : mode::read_write;
  return global_array<T>(map_file(comm, path, dtype_of<T>(), shape, opts));
}

// Creates the raw file `path` holding a zero-filled array of `type` and `shape` (no -1),
// distributed over `comm`, mapped read-write.
any_global_array create_file(MPI_Comm comm, const std::filesystem::path& path, const dtype& type,
                             const shape_spec& shape, const create_options& opts = {});
template <numeric_element T>
requires(!std::is_const_v<T>) global_array<T> create_file(MPI_Comm comm,
                                                          const std::filesystem::path& path,
                                                          const shape_spec& shape,
                                                          const create_options& opts = {}) {
  return global_array<T>(create_file(comm, path, dtype_of<T>(), shape, opts));
}
// @}

// Implementation, not API: in this public header because the templates here use it.
namespace detail {
// open_npy() checking the file's dtype against `expected` collectively (a type_error naming
// both types, as maparray::open_npy<T>).
any_global_array open_npy_checked(MPI_Comm comm, const std::filesystem::path& path,
                                  const open_options& opts, const dtype& expected);
}  // namespace detail

template <numeric_element T>
global_array<T> open_npy(MPI_Comm comm, const std::filesystem::path& path,
                         const open_options& opts) {
  open_options o = opts;
  if (!o.mode) o.mode = std::is_const_v<T> ? maparray::mode::read : mode::read_write;
  return global_array<T>(detail::open_npy_checked(comm, path, o, dtype_of<std::remove_cv_t<T>>()));
}

}  // namespace maparray::mpi

#include "maparray/mpi_compute.hpp"
