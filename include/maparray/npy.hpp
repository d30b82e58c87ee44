// NumPy's .npy format: parsing and formatting of headers (pure functions over bytes, so that
// they can be fuzzed), and files that are mapped, created and grown in place.
//
// A .npy file is a magic string, a version (1.0, 2.0 or 3.0), a header length, a header that is
// a Python literal dict {'descr': ..., 'fortran_order': ..., 'shape': (...)}, padding, and then
// the array's bytes. See docs/npy.md for what is accepted and what is rejected and why.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "maparray/any_array.hpp"
#include "maparray/array.hpp"
#include "maparray/dtype.hpp"
#include "maparray/error.hpp"
#include "maparray/mapping.hpp"
#include "maparray/raw_file.hpp"
#include "maparray/shape.hpp"
#include "maparray/staged_file.hpp"

namespace maparray {
namespace npy {

// Limits that protect a reader from hostile files.
struct limits {
  // The largest header accepted, in bytes, as numpy's max_header_size (whose default is also
  // 10000). Checked before the header is read or anything is allocated for it.
  std::size_t max_header_length = 10000;
};

// A parsed .npy header.
struct header {
  std::uint8_t major_version = 1;  // format version: 1, 2 or 3
  std::uint8_t minor_version = 0;  // always 0 in versions 1 to 3
  dtype type;                      // the element type ('descr')
  dims shape;                      // the array's shape ('shape')
  bool fortran_order = false;      // column-major element order ('fortran_order')
  // Byte offset of the array's first byte from the start of the file.
  std::int64_t data_offset = 0;
  // Bytes of array data that follow: element count times item size (overflow-checked).
  std::int64_t data_length = 0;
};

// The bytes of the magic string and version that every .npy file starts with.
inline constexpr std::size_t prefix_length = 8;

// Whether `start`, a file's first bytes, begins with the .npy magic string "\x93NUMPY". Never
// throws.
bool has_magic(std::span<const std::byte> start) noexcept;

// From the first bytes of a file (at least 12, or fewer if the file is shorter), the number of
// bytes the whole header occupies, i.e. the data offset. Checks the magic string, the version
// and the header length against `lim`, in that order. Throws format_error.
std::int64_t header_extent(std::span<const std::byte> start, const limits& lim = {});

// Parses a header from `bytes`, which start at the beginning of the file and hold at least the
// whole header (more is fine: the data is not looked at). Validates in numpy's order: magic,
// version, header length, a Python literal dict with exactly the keys descr, fortran_order and
// shape, shape a tuple of non-negative integers whose product times the item size fits in 63
// bits, fortran_order a bool, descr a valid descriptor. Throws format_error saying what is
// wrong (the caller adds the file name).
header parse_header(std::span<const std::byte> bytes, const limits& lim = {});

// Parses a descr, given as the Python literal text (UTF-8) of a header's 'descr' value ("'<f4'"
// or "[('x', '<f4'), ('y', '<i8', (2,))]"), into a dtype. Padding fields ('', '|V4') are dropped
// and leave gaps, as numpy does. Throws format_error (also for text that is not UTF-8).
dtype parse_descr(std::string_view literal);

// The Python literal numpy writes for `type` as a header's 'descr' value. Throws
// std::invalid_argument for a record with overlapping or out-of-order fields, which numpy
// cannot describe either.
std::string format_descr(const dtype& type);

// The header bytes (magic through final newline) that numpy.save writes for an array of `type`,
// `shape` and layout: version 1.0 unless the header needs 2.0 (longer than 65535 bytes) or 3.0
// (field names outside Latin-1); spare room for the growing axis to reach 21 digits; padding so
// that the data starts on a 64-byte boundary. `fortran_order` is written only when the layout
// differs from C order (at least two dimensions above 1 and none 0), as numpy does. Throws
// std::invalid_argument (a dtype numpy cannot describe, a negative dimension),
// std::overflow_error.
std::vector<std::byte> format_header(const dtype& type, std::span<const index_t> shape,
                                     bool fortran_order);

// Whether numpy marks an array of `shape` in Fortran order as fortran_order: only when that
// layout is not also C order.
bool fortran_order_differs(std::span<const index_t> shape) noexcept;

// Reads the header of the file at `path`. Throws std::system_error, format_error naming the
// file (including a file shorter than the header says).
header read_header(const std::filesystem::path& path, const limits& lim = {});

}  // namespace npy

// Options for open_npy().
struct npy_options {
  // Default: read for array<const T> and for the untyped open_npy(), read_write for array<T>.
  std::optional<maparray::mode> mode{};
  // The dtype the file must have, compared exactly (field names, offsets, byte order). Needed
  // for record element types unless itemsize_only is set.
  std::optional<dtype> expect{};
  // For a record element type T: accept any dtype whose item size is sizeof(T). The caller
  // vouches that T's layout matches the file.
  bool itemsize_only = false;
  // Bounds on what a header may ask for (header length), against hostile files.
  npy::limits limits{};
  // An advisory lock held as long as the mapping, as map_options::lock: file_lock::shared keeps
  // a cooperating writer (resize_file) from shrinking the file. Appending is not held back by
  // it. Not taken by default.
  file_lock lock = file_lock::none;
  // How long to wait for the header lock: readers take it shared while they read the header,
  // appenders exclusively while they append. Another process holding it longer (an append of
  // many gigabytes, or a program that took a record lock on the file and keeps it) makes the
  // call fail with ETIMEDOUT instead of waiting forever. Zero: do not wait.
  std::chrono::milliseconds lock_timeout = std::chrono::minutes(1);
  // For read_write: write back only the pages written, at the cost of readahead through the
  // mapping (see mapping::options::exact_writeback).
  bool exact_writeback = false;
};

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

struct npy_view {
  mapping storage;
  npy::header head;
  view_layout layout;
};

// The untyped work of open_npy(): reads the header, checks the data is all there and
// maps it. Throws as open_npy().
npy_view map_npy(const std::filesystem::path& path, const npy_options& opts, bool writable_view,
                 index_t alignment);
// As above for a file already open, whose ownership it takes.
npy_view map_npy(file f, const npy_options& opts, bool writable_view, index_t alignment);

// Checks the file's dtype against the caller's: `wanted` (from dtype_of<T>), opts.expect, or
// opts.itemsize_only with `size`. Throws type_error naming the file and both types, saying
// how to convert a byte-order mismatch; std::invalid_argument if nothing to check against.
void check_npy_type(const std::filesystem::path& path, const dtype& actual,
                    const std::optional<dtype>& wanted, const npy_options& opts, index_t size);

// Creates a .npy file of `type` and `shape` and maps its data read-write.
raw_view create_npy_raw(const std::filesystem::path& path, const dtype& type,
                        const shape_spec& shape, const create_options& opts, index_t alignment);

// Appends `rows` rows held in `bytes` to a .npy file, checking its dtype as check_npy_type()
// with `wanted` and `size`; without `rows`, as many as `bytes` holds. Throws as append_npy().
void append_npy_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes,
                      std::optional<index_t> rows, const std::optional<dtype>& wanted,
                      const npy_options& opts, index_t size);

template <class T>
std::optional<dtype> dtype_if_numeric() {
  if constexpr (numeric_element<T>) {
    return dtype_of<T>();
  } else {
    return std::nullopt;
  }
}

}  // namespace detail

// Maps the .npy file at `path` as an array of T with the file's shape and order. The file's
// dtype must be dtype_of<T>() for numeric T; for a record struct T pass opts.expect (the exact
// dtype) or set opts.itemsize_only. array<const T> maps read-only, array<T> read-write (shared)
// unless opts.mode says copy_on_write. Bytes after the data are allowed and ignored.
// Throws std::system_error (cannot open or map; what() names the call and the path; EWOULDBLOCK
// if opts.lock conflicts), format_error (malformed header, a file shorter than its header says),
// type_error (a dtype other than T's or opts.expect: what() names the file and both dtypes and
// says how to convert a byte-order mismatch), std::invalid_argument (not a regular file, mode
// read for a writable T, a record T with neither expect nor itemsize_only, data not aligned for
// T).
template <class T>
array<T> open_npy(const std::filesystem::path& path, const npy_options& opts = {}) {
  auto v = detail::map_npy(path, opts, !std::is_const_v<T>, alignof(T));
  detail::check_npy_type(path, v.head.type, detail::dtype_if_numeric<std::remove_cv_t<T>>(), opts,
                         sizeof(T));
  return array<T>(reinterpret_cast<T*>(v.layout.data), v.layout.shape, v.layout.strides,
                  v.storage.lease());
}

// Maps the .npy file at `path` with its own dtype, for tools. opts.mode defaults to read;
// opts.expect, if given, is checked. Throws as open_npy<T>().
any_array open_npy(const std::filesystem::path& path, const npy_options& opts = {});
// As above for a file already open (a descriptor another part of the program opened), taking
// ownership of it; its open flags must allow opts.mode. Error messages name f.path(). Throws as
// open_npy<T>().
any_array open_npy(file f, const npy_options& opts = {});

// The former name of open_npy(path, opts). Throws as open_npy().
[[deprecated("use open_npy")]] inline any_array open(const std::filesystem::path& path,
                                                     const npy_options& opts = {}) {
  return open_npy(path, opts);
}
// The former name of open_npy(f, opts). Throws as open_npy().
[[deprecated("use open_npy")]] inline any_array open(file f, const npy_options& opts = {}) {
  return open_npy(std::move(f), opts);
}

// Creates the .npy file `path` holding a zero-filled array of T and `shape` (no -1) in
// opts.order, with the header numpy.save writes, and maps its data read-write. The space is
// reserved up front unless opts.sparse; an existing file is an error unless opts.existing is
// if_exists::replace (then it is replaced atomically). Throws std::system_error (EEXIST,
// ENOSPC...), std::invalid_argument (negative dimension, opts.existing open),
// std::overflow_error.
template <numeric_element T>
requires(!std::is_const_v<T>) array<T> create_npy(const std::filesystem::path& path,
                                                  const shape_spec& shape,
                                                  const create_options& opts = {}) {
  return detail::typed<T>(detail::create_npy_raw(path, dtype_of<T>(), shape, opts, alignof(T)));
}

// As create_npy<T>() for a run-time dtype (any byte order, strings, records). Throws as
// create_npy<T>(), and std::invalid_argument for a record numpy cannot describe or elements of
// zero bytes.
any_array create_npy(const std::filesystem::path& path, const dtype& type, const shape_spec& shape,
                     const create_options& opts = {});

// Stages the .npy file `path` (see staged_file.hpp): a zero-filled array of `type` and `shape`
// (no -1) in opts.order with the header create_npy() writes, under a temporary name until
// commit_staged(); its data_offset is where the elements start. Nothing is mapped. Throws as
// stage_file(), and std::invalid_argument for a record numpy cannot describe.
staged_file stage_npy(const std::filesystem::path& path, const dtype& type, const shape_spec& shape,
                      const create_options& opts = {});

// Appends rows to a .npy file as one change: the rows, written in as many pieces as the caller
// likes, become part of the array together when commit() rewrites the header's shape, or not
// at all. Rows grow axis 0 of a C-order file and the last axis of a Fortran-order file.
//
// The constructor takes the header lock (other appenders and readers of the header wait for
// it up to their npy_options::lock_timeout), checks the file, and reserves the space of every
// row at once, so that a full disk fails there, before anything is written. The data is
// synced before the header is rewritten (and synced), so a crash at any point leaves a
// loadable file: the old array, or the whole new one. An appender destroyed without commit()
// gives the file its old length back. Bytes after the old data are overwritten; arrays already
// open over the file stay valid and keep their old extent. Not thread-safe.
class npy_appender {
 public:
  // Prepares to append `rows` rows to the .npy file at `path`, whose dtype must be
  // opts.expect if that is given. Throws std::system_error (ENOSPC, ETIMEDOUT when the header
  // lock is not free within opts.lock_timeout, EISDIR...), format_error (malformed file),
  // type_error (a dtype other than expected), std::invalid_argument (negative rows, a 0-d file,
  // not a regular file, a header with no room left for the longer shape: rewrite the file with
  // create_npy to grow it further), std::overflow_error.
  npy_appender(const std::filesystem::path& path, index_t rows, const npy_options& opts = {});
  // As above, with the number of rows decided by `rows_of`, which is called with the file's
  // header under the lock before anything is changed (it may check the header, and throw to
  // refuse; what it throws is passed on). opts.expect is not checked.
  npy_appender(const std::filesystem::path& path, const npy_options& opts,
               const std::function<index_t(const npy::header&)>& rows_of);
  npy_appender(const npy_appender&) = delete;
  npy_appender& operator=(const npy_appender&) = delete;
  // Without commit(), truncates the file back to its old length. Never throws (destructors are
  // noexcept).
  ~npy_appender();

  // The file's header as it was before the append.
  const npy::header& header() const noexcept { return head_; }
  // The bytes of one row (the product of the other dimensions times the item size). Never
  // throws.
  index_t row_bytes() const noexcept { return row_bytes_; }
  // The bytes still to be written before commit().
  std::int64_t remaining() const noexcept { return end_ - next_; }

  // Writes the next `bytes` of the new rows, in the file's memory order. Throws
  // std::invalid_argument past the bytes announced, std::system_error, std::logic_error after
  // commit().
  void write(std::span<const std::byte> bytes);
  // Makes the rows part of the array: syncs the data, rewrites the header's shape and syncs it.
  // Throws std::logic_error unless every announced byte was written (or after commit()),
  // std::system_error.
  void commit();

 private:
  file file_;
  npy::header head_;
  index_t row_bytes_ = 0;
  std::vector<std::byte> new_header_;
  std::int64_t old_size_ = 0;
  std::int64_t next_ = 0;
  std::int64_t end_ = 0;
  bool committed_ = false;
};

// Appends whole rows to the .npy file at `path`: along axis 0 of a C-order file, along the last
// axis of a Fortran-order file. `elements` is in the file's memory order and its size must be a
// multiple of a row (the product of the other dimensions); a span cannot say how many rows of
// zero bytes it holds, so for a file with an empty dimension besides the growing one append an
// array instead. One change, as npy_appender: an interrupted append leaves a loadable file with
// the old shape. Arrays already open over the file stay valid and keep their old extent. Bytes
// after the old data are overwritten.
// Throws std::system_error, format_error (malformed file), type_error (dtype other than T's),
// std::invalid_argument (a 0-d file, a partial row, a header with no room left for the longer
// shape: rewrite the file with create_npy to grow it further).
template <class T>
void append_npy(const std::filesystem::path& path, std::span<const T> elements,
                const npy_options& opts = {}) {
  detail::append_npy_bytes(path, std::as_bytes(elements), std::nullopt,
                           detail::dtype_if_numeric<std::remove_cv_t<T>>(), opts, sizeof(T));
}

// As above, for the elements of `rows` taken in the file's memory order (C order for a C-order
// file, Fortran order otherwise); rows' shape must be the file's apart from the growing axis
// (then its length along that axis is the number of rows, even when they hold no bytes), or
// rows may be one-dimensional holding whole rows. Throws as above.
template <class T>
void append_npy(const std::filesystem::path& path, const array<T>& rows,
                const npy_options& opts = {}) {
  using value = std::remove_cv_t<T>;
  const auto head = npy::read_header(path, opts.limits);
  const bool fortran = head.fortran_order;
  if (rows.ndim() > 1 && rows.ndim() != head.shape.size()) {
    throw std::invalid_argument("cannot append an array of shape " + to_string(rows.shape()) +
                                " to '" + path.string() + "' of shape " +
                                to_string(head.shape.span()));
  }
  if (rows.ndim() > 1) {
    for (std::size_t k = 0; k < rows.ndim(); ++k) {
      const std::size_t growing = fortran ? rows.ndim() - 1 : 0;
      if (k != growing && rows.shape()[k] != head.shape[k]) {
        throw std::invalid_argument("cannot append an array of shape " + to_string(rows.shape()) +
                                    " to '" + path.string() + "' of shape " +
                                    to_string(head.shape.span()));
      }
    }
  }
  std::vector<value> buffer;
  buffer.reserve(rows.size());
  if (!fortran || rows.ndim() <= 1) {
    for (const auto& x : rows) buffer.push_back(x);
  } else {
    // Fortran order: the first index varies fastest.
    std::vector<index_t> index(rows.ndim(), 0);
    for (std::size_t n = 0; n < rows.size(); ++n) {
      buffer.push_back(rows.at(std::span<const index_t>(index)));
      for (std::size_t k = 0; k < index.size(); ++k) {
        if (++index[k] < rows.shape()[k]) break;
        index[k] = 0;
      }
    }
  }
  std::optional<index_t> count;
  if (rows.ndim() > 1) count = rows.shape()[fortran ? rows.ndim() - 1 : 0];
  detail::append_npy_bytes(path, std::as_bytes(std::span<const value>(buffer)), count,
                           detail::dtype_if_numeric<value>(), opts, sizeof(value));
}

// As above for a run-time dtype: appends the elements of `rows`, whose dtype must be the file's
// exactly (records included; opts.expect, if given, is checked too), taken in the file's memory
// order. rows' shape must be the file's apart from the growing axis, or rows may be zero- or
// one-dimensional holding whole rows. Elements already in that order are written from where
// they lie, others are gathered a chunk at a time. One change, as npy_appender.
// Throws std::system_error, format_error (malformed file), type_error (a dtype other than
// rows'), std::invalid_argument (a 0-d file, a shape that does not fit the file's, a partial
// row, a header with no room left for the longer shape), std::overflow_error.
void append_npy(const std::filesystem::path& path, const any_array& rows,
                const npy_options& opts = {});

}  // namespace maparray
