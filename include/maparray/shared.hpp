// Arrays in memory shared between processes.
//
// Named shared arrays live in POSIX shared memory (shm_open; on Linux, files in /dev/shm). They
// outlive the processes that use them until remove_shared(name). Anonymous shared arrays live
// in a memory file (memfd_create): they have no name and vanish when the last process lets go
// of them; a child inherits them across fork(), and any other process can be handed one as a
// file descriptor (over a Unix socket with SCM_RIGHTS, or inherited across exec) and open it
// with open_shared_fd().
//
// Both kinds describe themselves: the object starts with a header page recording the element
// dtype, the shape and the order, and the elements start at the next page boundary (so every
// element is aligned, as atomics need). An opener need not repeat the shape or the element type;
// where it does, they are checked.
//
// Every process sees every other's writes: the pages are the same memory. For ordering between
// processes use the atomics of array<T>::atomic() (see docs/shared.md for the memory ordering
// they give); plain element writes from two processes at once are a data race.
//
// Trust: a process that can open a named object read-write can also truncate it, after which
// other processes' accesses past the new end fault (SIGBUS), and it sees everything written to
// the array. Named objects are created with mode 0600, so only the same user can. Another user
// could still create a name first and wait for a victim to open it; so an existing name is
// opened only if it is a regular object owned by this process's effective user that no other
// user may write, unless the caller says otherwise (shared_trust, shared_options). Anything
// else is a permission error (EACCES), and is never mapped. Anonymous objects are sealed
// against any size change.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>
#include <type_traits>

#include "maparray/any_array.hpp"
#include "maparray/array.hpp"
#include "maparray/dtype.hpp"
#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray {

// Which existing named objects an opener accepts (see "Trust" above).
struct shared_trust {
  // The permission bits the object may grant other users: a group or other write bit outside
  // these is refused. 0660 accepts an object a group shares on purpose.
  mode_t permissions = 0600;
  // Also accept an object owned by another user.
  bool other_owners = false;
};

// Options for create_shared().
struct shared_options {
  // What to do if the name exists already: fail with EEXIST, or open that array (its dtype and
  // shape must be the ones asked for), so that cooperating processes can all call
  // create_shared() and whichever comes first creates it. A shared array is never replaced
  // (others may have it mapped): if_exists::replace is refused.
  if_exists existing = if_exists::fail;
  // Permission bits of a new object, filtered by the umask; with if_exists::open, also the write
  // permission an existing object may grant other users (as shared_trust::permissions).
  mode_t permissions = 0600;
  // C (row-major) or Fortran (column-major) order.
  maparray::order order = order::c;
  // With if_exists::open, also accept an existing object owned by another user.
  bool other_owners = false;
};

namespace detail {

// In this public header because the typed templates below call them.
// What the untyped functions below return: the mapping and layout of the elements, and their
// dtype as recorded in the header.
struct shared_view {
  raw_view view;
  dtype type;
};

// The work of the functions below, for a run-time dtype. `expected_type` and `expected_shape`
// (either may be null) are checked against the header when an existing array is opened.
shared_view create_shared_raw(std::string_view name, const dtype& type, const shape_spec& shape,
                              const shared_options& opts);
shared_view open_shared_raw(std::string_view name, maparray::mode how, const dtype* expected_type,
                            const shape_spec* expected_shape, const shared_trust& trust = {});
shared_view create_anonymous_raw(const dtype& type, const shape_spec& shape, order layout);
// As above, taking opts.order; throws std::invalid_argument unless opts.existing is fail.
shared_view create_anonymous_raw(const dtype& type, const shape_spec& shape,
                                 const shared_options& opts);
shared_view open_fd_raw(int fd, maparray::mode how, const dtype* expected_type,
                        const shape_spec* expected_shape);

template <class T>
maparray::mode mode_for() {
  return std::is_const_v<T> ? mode::read : mode::read_write;
}

}  // namespace detail

// Creates the named shared array `name` of `shape` (no -1), zero-filled, and maps it read-write.
// A name is one '/' followed by 1 to 255 characters, none of them '/' or NUL, and not "." or
// "..". The memory is reserved at once (posix_fallocate), so a full /dev/shm is an ENOSPC error
// here rather than SIGBUS on a later write. On any error nothing is left behind.
// opts.existing may be fail or open.
// Throws std::invalid_argument (bad name, negative dimension, a dtype that cannot be shared,
// opts.existing replace), std::system_error (EEXIST if the name exists and opts.existing is
// fail; ENOSPC; EACCES, also for an existing object opts does not trust), std::overflow_error;
// with if_exists::open, also as open_shared() when opening.
template <numeric_element T>
requires(!std::is_const_v<T>) array<T> create_shared(std::string_view name, const shape_spec& shape,
                                                     const shared_options& opts = {}) {
  return detail::typed<T>(detail::create_shared_raw(name, dtype_of<T>(), shape, opts).view);
}

// Opens the named shared array `name`, with the shape and order it was created with:
// read-only for array<const T>, read-write for array<T>. If the array's creator is still
// creating it, waits for it (up to a second or two). Only an object owned by this user that
// no other user may write is opened (see "Trust" above).
// Throws type_error (the array's dtype is not T's; what() names the array and both dtypes),
// std::invalid_argument (bad name; a FIFO or a device under the name), std::system_error
// (ENOENT if there is no such name, EACCES, also for an object not trusted),
// maparray::format_error (the object is not a maparray shared array, or its header is damaged
// or was never completed).
template <numeric_element T>
array<T> open_shared(std::string_view name) {
  const dtype type = dtype_of<T>();
  return detail::typed<T>(
      detail::open_shared_raw(name, detail::mode_for<T>(), &type, nullptr).view);
}

// As open_shared<T>(name), checking that the array has `shape` (which may contain one -1).
// Throws as open_shared<T>(name), and std::invalid_argument if the shape differs.
template <numeric_element T>
array<T> open_shared(std::string_view name, const shape_spec& shape) {
  const dtype type = dtype_of<T>();
  return detail::typed<T>(detail::open_shared_raw(name, detail::mode_for<T>(), &type, &shape).view);
}
// As open_shared<T>(name, shape), accepting what `trust` allows. Throws as above.
template <numeric_element T>
array<T> open_shared(std::string_view name, const shape_spec& shape, const shared_trust& trust) {
  const dtype type = dtype_of<T>();
  return detail::typed<T>(
      detail::open_shared_raw(name, detail::mode_for<T>(), &type, &shape, trust).view);
}

// Removes the name `name`; processes that have the array mapped keep using it, and its memory
// is freed when the last of them lets go. Returns false if there was no such name.
// Throws std::invalid_argument (bad name), std::system_error (EACCES).
bool remove_shared(std::string_view name);

// Creates an anonymous shared array of `shape` (no -1) in opts.order, zero-filled, read-write.
// Its memory file is reachable as storage().fd() (close-on-exec, sealed against resizing) for
// passing to another process. It has no name, so opts.existing must be fail, and
// opts.permissions and opts.other_owners play no part (only holders of the descriptor reach it).
// Throws std::invalid_argument (negative dimension, a dtype that cannot be shared, opts.existing
// other than fail), std::system_error (ENOMEM, ENOSPC, EMFILE), std::overflow_error.
template <numeric_element T>
requires(!std::is_const_v<T>) array<T> create_anonymous_shared(const shape_spec& shape,
                                                               const shared_options& opts = {}) {
  return detail::typed<T>(detail::create_anonymous_raw(dtype_of<T>(), shape, opts).view);
}
// The former signature of create_anonymous_shared<T>(). Throws as the above.
template <numeric_element T>
requires(!std::is_const_v<T>)
[[deprecated("use create_anonymous_shared<T>(shape, {.order = layout})")]] array<T>
    create_anonymous_shared(const shape_spec& shape, order layout) {
  return detail::typed<T>(detail::create_anonymous_raw(dtype_of<T>(), shape, layout).view);
}

// Opens the shared array behind the file descriptor `fd`: an anonymous array received from
// another process, or a named one's descriptor. `fd` stays the caller's: the array keeps its
// own duplicate. Read-only for array<const T>, read-write for array<T> (which needs `fd` open
// for writing). Throws type_error (the dtype is not T's), std::invalid_argument (the shape
// differs from `shape`), std::system_error (EBADF, EACCES), maparray::format_error (not a
// maparray shared array).
template <numeric_element T>
array<T> open_shared_fd(int fd) {
  const dtype type = dtype_of<T>();
  return detail::typed<T>(detail::open_fd_raw(fd, detail::mode_for<T>(), &type, nullptr).view);
}
// As above, also checking that the array's shape is `shape`. Throws as above.
template <numeric_element T>
array<T> open_shared_fd(int fd, const shape_spec& shape) {
  const dtype type = dtype_of<T>();
  return detail::typed<T>(detail::open_fd_raw(fd, detail::mode_for<T>(), &type, &shape).view);
}

// The same, for an element type known at run time (tools, the Python module). `type` may be any
// dtype that dtype::parse() reads back (no records) with an itemsize above zero. Throws as the
// typed create_shared().
any_array create_shared(std::string_view name, const dtype& type, const shape_spec& shape,
                        const shared_options& opts = {});
// open_shared() for a run-time element type, accepting what `trust` allows; `how` is read,
// read_write or copy_on_write (a private copy). Throws as open_shared<T>().
any_array open_shared(std::string_view name, maparray::mode how = mode::read,
                      const shared_trust& trust = {});
// As above, also checking the array against what the caller knows of it: its dtype must be
// `type` and its shape `shape` (which may contain one -1), each where given.
// Throws as open_shared<T>(name, shape): std::invalid_argument if the dtype or the shape differs.
any_array open_shared(std::string_view name, maparray::mode how, const std::optional<dtype>& type,
                      const std::optional<shape_spec>& shape, const shared_trust& trust = {});
// create_anonymous_shared() for a run-time element type. Throws as create_anonymous_shared<T>().
any_array create_anonymous_shared(const dtype& type, const shape_spec& shape,
                                  const shared_options& opts = {});
// The former signature of the above. Throws as create_anonymous_shared<T>().
[[deprecated("use create_anonymous_shared(type, shape, {.order = layout})")]] inline any_array
create_anonymous_shared(const dtype& type, const shape_spec& shape, order layout) {
  return create_anonymous_shared(type, shape, shared_options{.order = layout});
}
// open_shared_fd() for a run-time element type. Throws as open_shared_fd<T>().
any_array open_shared_fd(int fd, maparray::mode how = mode::read);

}  // namespace maparray
