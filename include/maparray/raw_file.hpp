// Raw binary files as arrays: map_file() maps an existing file (or part of it) in one call,
// create_file() makes a new file of an explicit length.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <type_traits>

#include "maparray/any_array.hpp"
#include "maparray/array.hpp"
#include "maparray/dtype.hpp"
#include "maparray/if_exists.hpp"
#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray {

// Options for map_file(). Members may be left out, in this order, with designated initializers:
// {.mode = mode::copy_on_write, .offset = 4096, .count = 240, .order = order::fortran}.
struct map_options {
  // Default: read for array<const T>, read_write for array<T>.
  std::optional<maparray::mode> mode{};
  // Byte offset of the first element; need not be page-aligned, but must suit T's alignment.
  std::int64_t offset = 0;
  // Number of elements to map; default: every element from offset to the end of the file.
  std::optional<index_t> count{};
  // C (row-major) or Fortran (column-major) order.
  maparray::order order = order::c;
  // An advisory lock held as long as the mapping: file_lock::shared for readers, so that a
  // cooperating writer (resize_file) cannot shrink the file under them. Not taken by default.
  file_lock lock = file_lock::none;
  // For read_write: write back only the pages written, at the cost of readahead through the
  // mapping (see mapping::options::exact_writeback).
  bool exact_writeback = false;
};

// Options for create_file().
//
// A new file is made without a name (O_TMPFILE) in the target's directory and appears under
// its name only once its space is reserved and its header written, so that a process killed
// meanwhile leaves nothing behind. Where the file system has no unnamed files, it is made
// under a temporary name beside the target instead, which every error removes (a killed
// process leaves it).
struct create_options {
  // What to do if a file exists at the path: fail (EEXIST), or replace it, atomically (rename),
  // keeping the replaced file's permission bits and, where this process may set it, its owner.
  // The creating functions do not open an existing file: if_exists::open is refused.
  if_exists existing = if_exists::fail;
  // Set the length with ftruncate, leaving a sparse file, instead of reserving every block with
  // posix_fallocate. Faster, but a later write into a hole on a full disk raises SIGBUS.
  bool sparse = false;
  // Permission bits of a new file, filtered by the umask.
  mode_t permissions = 0666;
  // C (row-major) or Fortran (column-major) order.
  maparray::order order = order::c;
  // Leave the file without its name until publish(storage()): for outputs that must appear
  // whole or not at all. Until then the file vanishes when its mapping is closed or its last
  // array dropped.
  bool publish_later = false;
};

namespace detail {

// In this public header because the map_file<T> and create_file<T> templates call them.
// The untyped work of map_file() and create_file(), for elements of `itemsize` bytes.
// `writable_view` says whether the caller's element type allows writes. create_raw() writes
// `prefix` (a file header) before the elements, which start right after it.
raw_view map_raw(const std::filesystem::path& path, const shape_spec& shape,
                 const map_options& opts, bool writable_view, index_t itemsize, index_t alignment);
// As above for a file already open, whose ownership it takes.
raw_view map_raw(file f, const shape_spec& shape, const map_options& opts, bool writable_view,
                 index_t itemsize, index_t alignment);
raw_view create_raw(const std::filesystem::path& path, const shape_spec& shape,
                    const create_options& opts, index_t itemsize, index_t alignment,
                    std::span<const std::byte> prefix = {});

}  // namespace detail

// Maps the file at `path` as an array of T: the whole file flattened by default, or `shape`
// with at most one -1 inferred from the file size, or opts.count elements from byte opts.offset.
// array<const T> maps read-only; array<T> maps read_write (shared) unless opts.mode says
// copy_on_write. An empty file gives an empty array.
// Throws std::system_error (cannot open or map; what() names the call and the path),
// std::invalid_argument (mode read for a writable T, a shape that does not divide or does not
// fit the file, an offset not aligned for T), std::out_of_range (offset or count past the end
// of the file), std::overflow_error (shape times element size overflows 64 bits).
template <class T>
array<T> map_file(const std::filesystem::path& path, const shape_spec& shape = {-1},
                  const map_options& opts = {}) {
  return detail::typed<T>(
      detail::map_raw(path, shape, opts, !std::is_const_v<T>, sizeof(T), alignof(T)));
}

// Creates the file `path` holding a zero-filled array of `shape` (no -1) and maps it
// read_write. The space is reserved up front unless opts.sparse; the file appears under its
// name only then (see create_options).
// opts.existing may be fail or replace.
// Throws std::system_error (EEXIST if the file exists and opts.existing is fail, ENOSPC if the
// disk is full — in which case nothing is left behind), std::invalid_argument (negative
// dimension, opts.existing open), std::overflow_error (the array, even an empty one, is too big
// to address).
template <class T>
requires(!std::is_const_v<T>) array<T> create_file(const std::filesystem::path& path,
                                                   const shape_spec& shape,
                                                   const create_options& opts = {}) {
  return detail::typed<T>(detail::create_raw(path, shape, opts, sizeof(T), alignof(T)));
}

// Gives a file created with create_options::publish_later its name, once everything has been
// written to it: atomically, replacing a file there only if it was created with
// if_exists::replace (then keeping the replaced file's permission bits and, where permitted,
// its owner). Does not flush: flush first for the data to be on disk. Not thread-safe with
// another publish() of the same file. Throws std::system_error (EEXIST if a file appeared at
// the name meanwhile and it was created with if_exists::fail; the file then stays unpublished),
// std::logic_error if `storage` is not an unpublished file or is closed.
void publish(const mapping& storage);

// Options for resize_file().
struct resize_options {
  // Set the new length with ftruncate, leaving a sparse file, instead of reserving the new
  // blocks with posix_fallocate (see create_options::sparse).
  bool sparse = false;
};

// Changes the length of the file at `path`: shrinking truncates, growing reserves the new blocks
// (posix_fallocate) unless opts.sparse. It first takes the exclusive advisory lock, so it
// refuses while a cooperating process has the file mapped with {.lock = file_lock::shared}: use
// it to shrink files that others may map. A failed growth leaves the file's length as it was.
// Throws std::system_error (EWOULDBLOCK while locked, ENOSPC, EISDIR, and the errors of open),
// std::invalid_argument for a negative length or a path that is not a regular file.
void resize_file(const std::filesystem::path& path, std::int64_t length,
                 const resize_options& opts = {});
// The former signature of resize_file(). Throws as resize_file().
[[deprecated("use resize_file(path, length, {.sparse = sparse})")]] inline void resize_file(
    const std::filesystem::path& path, std::int64_t length, bool sparse) {
  resize_file(path, length, resize_options{.sparse = sparse});
}

// Maps a raw file as elements of a run-time `type`; as map_file<T>, without the alignment
// requirement (as<T>() checks it). mode defaults to read. Throws as map_file<T>.
any_array map_file(const std::filesystem::path& path, const dtype& type,
                   const shape_spec& shape = {-1}, const map_options& opts = {});

// As above for a file already open (a descriptor another part of the program opened), taking
// ownership of it; its open flags must allow opts.mode (O_RDWR for read_write). Error messages
// name f.path(). Throws as map_file<T>.
any_array map_file(file f, const dtype& type, const shape_spec& shape = {-1},
                   const map_options& opts = {});

// Creates a raw file of a run-time `type`; as create_file<T>. Throws as create_file<T>.
any_array create_file(const std::filesystem::path& path, const dtype& type, const shape_spec& shape,
                      const create_options& opts = {});

}  // namespace maparray
