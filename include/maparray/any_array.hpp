// maparray::any_array: an array whose element type is known only at run time, as a dtype.
//
// Tools that handle any file (the command-line tool, the Python module) work with any_array;
// programs that know their element type convert it with as<T>(), which checks the dtype.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "maparray/array.hpp"
#include "maparray/dtype.hpp"
#include "maparray/error.hpp"

namespace maparray {

// An N-dimensional array of a run-time dtype, with byte strides; shares its storage like array<T>.
class any_array {
 public:
  any_array() = default;
  // A view of `data` with element type `type`, `shape` and `byte_strides`, kept alive by `keep`.
  // The caller guarantees every element lies inside the leased storage.
  any_array(std::byte* data, dtype type, const dims& shape, const dims& byte_strides,
            view_lease keep, bool writable) noexcept
      : data_(data),
        type_(std::move(type)),
        shape_(shape),
        strides_(byte_strides),
        keep_(std::move(keep)),
        writable_(writable) {}

  // The same elements as a typed array (read-only if T is const). Throws only
  // std::bad_alloc.
  template <numeric_element T>
  any_array(const array<T>& a)  // NOLINT(google-explicit-constructor): a view converts freely
      : data_(reinterpret_cast<std::byte*>(const_cast<std::remove_const_t<T>*>(a.data()))),
        type_(dtype_of<std::remove_const_t<T>>()),
        shape_(a.shape_dims()),
        strides_(a.stride_dims()),
        keep_(a.lease()),
        writable_(!std::is_const_v<T>) {
    for (auto& s : strides_) s *= static_cast<index_t>(sizeof(T));
  }

  // The first element.
  std::byte* data() const noexcept { return data_; }
  // The element type.
  const dtype& type() const noexcept { return type_; }
  // The number of dimensions.
  std::size_t ndim() const noexcept { return shape_.size(); }
  // The length of each dimension.
  std::span<const index_t> shape() const noexcept { return shape_.span(); }
  // Strides in bytes, as NumPy gives them.
  std::span<const index_t> byte_strides() const noexcept { return strides_.span(); }
  // The number of elements (1 for a zero-dimensional array).
  std::size_t size() const noexcept;
  // The byte size of the elements, ignoring gaps between them.
  std::size_t size_bytes() const noexcept {
    return size() * static_cast<std::size_t>(type_.itemsize());
  }
  // Whether the elements may be written (as<T>() with a non-const T).
  bool writable() const noexcept { return writable_; }
  // Whether the elements are contiguous in C order.
  bool is_c_contiguous() const noexcept { return is_contiguous_in(order::c); }
  // Whether the elements are contiguous in Fortran order.
  bool is_f_contiguous() const noexcept { return is_contiguous_in(order::fortran); }
  // The mapping behind this array.
  mapping storage() const noexcept { return keep_.storage(); }
  // The lease that keeps the storage mapped.
  const view_lease& lease() const noexcept { return keep_; }

  // The same elements as array<T>. Throws type_error if dtype_of<T>() is not type() (naming
  // the file or shared object, if any, and both dtypes, and saying how to convert a byte-order
  // mismatch); std::invalid_argument if T is not const and the array is read-only, or if the
  // data or strides are not aligned for T.
  template <numeric_element T>
  array<T> as() const {
    check_view(dtype_of<T>(), !std::is_const_v<T>, alignof(T));
    dims strides = strides_;
    for (auto& s : strides) s /= static_cast<index_t>(sizeof(T));
    return array<T>(reinterpret_cast<T*>(data_), shape_, strides, keep_);
  }

  // As as<T>() for any T, checking only that T's size is the itemsize: for record structs
  // whose layout the caller has matched to the dtype. Throws as as<T>().
  template <class T>
  requires std::is_trivially_copyable_v<T> array<T> as_bytes_of()
  const {
    check_view(type_, !std::is_const_v<T>, alignof(T), sizeof(T));
    dims strides = strides_;
    for (auto& s : strides) s /= static_cast<index_t>(sizeof(T));
    return array<T>(reinterpret_cast<T*>(data_), shape_, strides, keep_);
  }

 private:
  bool is_contiguous_in(order layout) const noexcept;
  void check_view(const dtype& wanted, bool write, std::size_t alignment,
                  std::size_t size = 0) const;

  std::byte* data_ = nullptr;
  dtype type_;
  dims shape_{0};
  dims strides_{0};
  view_lease keep_;
  bool writable_ = false;
};

// Views bytes of an open mapping (a file's, shared memory, memory wrapped by mapping::borrow, or
// an array's storage()) as elements of a run-time `type`: opts.count elements (default: every
// whole element to the end) from opts.offset bytes into the mapping, in `shape` (at most one
// -1) and opts.order, as array_from_buffer<T> does for a span. The offset need not be aligned
// (as<T>() checks alignment). The array is writable if the mapping is, and keeps it mapped.
// Throws std::invalid_argument (a negative offset or count, elements of zero bytes, a shape that
// does not fit or does not hold `count` elements), std::out_of_range (offset or count past the
// end of the mapping), std::overflow_error, std::logic_error (a closed or empty handle).
any_array array_from_mapping(const mapping& storage, const dtype& type,
                             const shape_spec& shape = {-1}, const buffer_options& opts = {});

}  // namespace maparray
