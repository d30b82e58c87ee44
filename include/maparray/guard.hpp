// Safe access to mappings whose file may shrink underneath them.
//
// When another process truncates a mapped file, touching a page past the new end raises SIGBUS,
// which kills the process in every mmap library. Two defences, for two situations:
//
// - Cooperating processes: map with {.lock = file_lock::shared} and shrink files only with
//   resize_file(), which takes the exclusive lock and so refuses while anyone has the file
//   mapped (see raw_file.hpp).
// - Untrusted writers: read through guarded_copy() / guarded_load(), which turn the SIGBUS into a
//   std::system_error. They install a SIGBUS handler once, per process; a fault outside a
//   guarded call is passed on to the handler that was there before (or the default action), so
//   other users of SIGBUS are not disturbed. Thread-safe: each thread's guard is its own.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>

#include "maparray/array.hpp"

namespace maparray {

// Copies `from` into `to` (same size). Throws std::system_error with EFAULT if a page of `from`
// or `to` cannot be accessed (its file was truncated, or its storage failed with an I/O error);
// `to` may then be partly written. Throws std::invalid_argument if the sizes differ.
void guarded_copy(std::span<std::byte> to, std::span<const std::byte> from);

// Reads one element as guarded_copy() does. Throws std::system_error with EFAULT.
template <class T>
requires std::is_trivially_copyable_v<T> std::remove_cv_t<T> guarded_load(const T& element) {
  std::remove_cv_t<T> value;
  guarded_copy(std::as_writable_bytes(std::span(&value, 1)), std::as_bytes(std::span(&element, 1)));
  return value;
}

// Copies a contiguous array's elements into `to` (of the same size) as guarded_copy() does.
// Throws std::invalid_argument (sizes differ, or the array is not contiguous),
// std::system_error with EFAULT.
template <class T>
void guarded_copy(const array<const T>& from, std::span<std::remove_const_t<T>> to) {
  guarded_copy(std::as_writable_bytes(to), std::as_bytes(from.flat()));
}

}  // namespace maparray
