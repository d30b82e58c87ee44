// maparray::array<T>: a typed N-dimensional view over bytes that keeps its storage alive.
//
// An array is a pointer, a shape and element strides, plus a lease on the mapping that holds
// the bytes (see mapping.hpp), so it can never outlive them. Copies are cheap (no allocation)
// and share the bytes, like std::span and std::mdspan: a const array still allows writes to its
// elements; use array<const T> for a read-only view. array<T> converts to array<const T>.
//
// Element access: a(i, j, ...) is unchecked; a.at(i, j, ...) throws std::out_of_range.
// Strides are in elements and may be negative or zero only for views made with slice().
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray {

template <class T>
class array;

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

// The checked offset (in elements) of an index tuple, or std::out_of_range.
index_t checked_offset(std::span<const index_t> shape, std::span<const index_t> strides,
                       std::span<const index_t> index);

// The byte range [first, first + size) that a strided view covers, relative to its data pointer.
struct byte_extent {
  index_t first = 0;
  index_t size = 0;
};
byte_extent covered_bytes(std::span<const index_t> shape, std::span<const index_t> strides,
                          index_t itemsize) noexcept;

// Whether `strides` are the contiguous strides of `shape` in `layout`.
bool is_contiguous(std::span<const index_t> shape, std::span<const index_t> strides,
                   order layout) noexcept;

// Where a view's elements start and how they are laid out; built by the formats layer.
struct view_layout {
  std::byte* data = nullptr;
  dims shape;
  dims strides;  // in elements
};

// Lays out an array of `itemsize`-byte elements at `byte_offset` into `storage`: resolves a -1
// in `shape` against `count` elements (default: all whole elements to the end of the storage),
// checks that the elements fit and that the start is aligned to `alignment`. Throws
// std::invalid_argument (bad shape, misaligned start naming the nearest aligned offsets),
// std::out_of_range (past the end), std::overflow_error.
view_layout layout_view(const mapping& storage, index_t byte_offset, const index_t* count,
                        index_t itemsize, index_t alignment, const shape_spec& shape, order layout);

}  // namespace detail

// A typed N-dimensional view of elements T that keeps its storage mapped (see the file comment).
template <class T>
class array {
 public:
  using element_type = T;                  // T, const for a read-only array
  using value_type = std::remove_cv_t<T>;  // T without const
  using size_type = std::size_t;           // sizes and counts of elements
  using index_type = index_t;              // indices and strides, signed 64-bit
  using pointer = T*;                      // pointer to an element
  using reference = T&;                    // reference to an element
  class iterator;

  // An empty one-dimensional array with no storage.
  array() noexcept : shape_{0}, strides_{1} {}

  // A view of `data` laid out by `shape` and element `strides`, kept alive by `keep`. The caller
  // guarantees that every element lies inside the leased storage.
  array(T* data, const dims& shape, const dims& strides, view_lease keep) noexcept
      : data_(data), shape_(shape), strides_(strides), keep_(std::move(keep)) {}

  // A read-only view of a writable array.
  template <class U>
  requires std::is_same_v<T, const U> array(const array<U>& other)
  noexcept  // NOLINT(google-explicit-constructor)
      : array(other.data(), other.shape_dims(), other.stride_dims(), other.lease()) {}

  // The element at index (0, 0, ...); null for an empty array without storage.
  T* data() const noexcept { return data_; }
  // The number of dimensions.
  size_type ndim() const noexcept { return shape_.size(); }
  // The number of elements (1 for a zero-dimensional array).
  size_type size() const noexcept { return static_cast<size_type>(element_count_unchecked()); }
  // Whether the array has no elements.
  bool empty() const noexcept { return size() == 0; }
  // The length of each dimension.
  std::span<const index_t> shape() const noexcept { return shape_.span(); }
  // The length of one axis. Throws std::out_of_range for an axis >= ndim().
  index_t extent(size_type axis) const { return shape_[checked_axis(axis)]; }
  // Element strides, one per axis.
  std::span<const index_t> strides() const noexcept { return strides_.span(); }
  // The shape as a dims value.
  const dims& shape_dims() const noexcept { return shape_; }
  // The element strides as a dims value.
  const dims& stride_dims() const noexcept { return strides_; }
  // The byte size of the elements, ignoring gaps between them.
  size_type size_bytes() const noexcept { return size() * sizeof(T); }

  // Whether the elements are contiguous in C order (last index fastest).
  bool is_c_contiguous() const noexcept {
    return detail::is_contiguous(shape(), strides(), order::c);
  }
  // Whether the elements are contiguous in Fortran order (first index fastest).
  bool is_f_contiguous() const noexcept {
    return detail::is_contiguous(shape(), strides(), order::fortran);
  }
  // Whether the elements are contiguous in either order.
  bool is_contiguous() const noexcept { return is_c_contiguous() || is_f_contiguous(); }

  // Unchecked element access: one index per dimension; an index outside the array is undefined
  // behaviour (use at()).
  template <std::integral... I>
  T& operator()(I... index) const noexcept {
    const index_t idx[] = {0, static_cast<index_t>(index)...};
    index_t offset = 0;
    for (size_type k = 0; k < sizeof...(I); ++k) offset += idx[k + 1] * strides_[k];
    return data_[offset];
  }

  // Checked element access. Throws std::out_of_range if the number of indices is not ndim() or
  // an index is outside its dimension.
  template <std::integral... I>
  T& at(I... index) const {
    const index_t idx[] = {static_cast<index_t>(index)...};
    return data_[detail::checked_offset(shape(), strides(), std::span(idx, sizeof...(I)))];
  }
  // Checked element access with the indices in a span. Throws std::out_of_range as above.
  T& at(std::span<const index_t> index) const {
    return data_[detail::checked_offset(shape(), strides(), index)];
  }

  // The elements as one span in memory order. Throws std::logic_error if the array is not
  // contiguous (a strided slice).
  std::span<T> flat() const {
    if (!is_contiguous()) throw std::logic_error("flat() of a non-contiguous array");
    return {data_, size()};
  }

  // Iterates over the elements in C order (last index fastest), whatever the memory layout.
  iterator begin() const noexcept { return iterator(this, 0); }
  // The iterator past the last element.
  iterator end() const noexcept { return iterator(this, static_cast<index_t>(size())); }

  // The sub-array of rows [first, last) along axis 0; shares storage. Throws std::out_of_range.
  array rows(index_t first, index_t last) const { return slice(0, first, last); }

  // The view of indices first, first + step, ... below last along `axis`; shares storage.
  // A negative step walks backwards from first down to (not including) last; any step is fine.
  // Throws std::out_of_range for an axis or bounds outside the array, std::invalid_argument for
  // step 0, std::overflow_error if the new stride overflows.
  array slice(size_type axis, index_t first, index_t last, index_t step = 1) const {
    const size_type a = checked_axis(axis);
    const index_t n = shape_[a];
    if (step == 0) throw std::invalid_argument("slice step must not be zero");
    const bool forward = step > 0;
    if (forward ? (first < 0 || first > last || last > n)
                : (first >= n || last < -1 || first < last)) {
      throw std::out_of_range("slice [" + std::to_string(first) + ", " + std::to_string(last) +
                              ") is outside axis " + std::to_string(a) + " of length " +
                              std::to_string(n));
    }
    // The bounds are checked, so the distance is in [0, n + 1]; in unsigned arithmetic neither
    // the step's magnitude (for the most negative step) nor the division overflows.
    const index_t distance = forward ? last - first : first - last;
    const auto magnitude =
        forward ? static_cast<std::uint64_t>(step) : 0 - static_cast<std::uint64_t>(step);
    const index_t count =
        distance == 0 ? 0
                      : static_cast<index_t>((static_cast<std::uint64_t>(distance) - 1) / magnitude + 1);
    array view = *this;
    view.shape_[a] = count;
    // A step reaching past the end leaves one element, whose stride then does not matter;
    // multiplying it could overflow.
    if (count > 1) view.strides_[a] = checked_mul(strides_[a], step, "slice stride");
    // An array without elements may have no storage at all: its pointer stays where it is.
    if (!view.empty()) view.data_ = data_ + first * strides_[a];
    return view;
  }

  // Writes the pages this array covers back to its file (see mapping::flush). Throws
  // std::system_error with the errno msync reported.
  void flush(flush_mode how = flush_mode::sync) const {
    if (empty() || !keep_) return;
    const auto extent = detail::covered_bytes(shape(), strides(), sizeof(T));
    const mapping m = storage();
    const auto* base = reinterpret_cast<const std::byte*>(data_) + extent.first;
    m.flush(static_cast<std::size_t>(base - m.data()), static_cast<std::size_t>(extent.size), how);
  }

  // The mapping behind this array.
  mapping storage() const noexcept { return keep_.storage(); }
  // The lease that keeps the storage mapped.
  const view_lease& lease() const noexcept { return keep_; }

  // A std::atomic_ref to one element, for lock-free updates shared between threads and, over
  // shared memory, between processes. Only types whose atomics are always lock-free are allowed,
  // since only those work across processes. Throws std::out_of_range as at(), and
  // std::invalid_argument if the element is not aligned as atomic access requires.
  template <std::integral... I>
  requires(!std::is_const_v<T>) std::atomic_ref<T> atomic(I... index)
  const {
    static_assert(std::atomic_ref<T>::is_always_lock_free,
                  "atomics across processes need an always-lock-free element type");
    T& element = at(index...);
    if (reinterpret_cast<std::uintptr_t>(&element) % std::atomic_ref<T>::required_alignment != 0) {
      throw std::invalid_argument("element is not aligned to " +
                                  std::to_string(std::atomic_ref<T>::required_alignment) +
                                  " bytes, as atomic access requires");
    }
    return std::atomic_ref<T>(element);
  }

  // A random-access iterator over the elements in C order, whatever the memory layout.
  class iterator {
   public:
    // @name Random-access iterator operations
    // @{
    // The types and operations of a random-access iterator, as for a pointer; none throws.
    using iterator_category = std::random_access_iterator_tag;
    using value_type = std::remove_cv_t<T>;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;

    iterator() = default;
    iterator(const array* owner, index_t position) noexcept
        : owner_(owner), position_(position), c_order_(owner->is_c_contiguous()) {}

    reference operator*() const noexcept { return *address(position_); }
    pointer operator->() const noexcept { return address(position_); }
    reference operator[](difference_type n) const noexcept { return *address(position_ + n); }
    iterator& operator++() noexcept {
      ++position_;
      return *this;
    }
    iterator operator++(int) noexcept {
      auto old = *this;
      ++position_;
      return old;
    }
    iterator& operator--() noexcept {
      --position_;
      return *this;
    }
    iterator operator--(int) noexcept {
      auto old = *this;
      --position_;
      return old;
    }
    iterator& operator+=(difference_type n) noexcept {
      position_ += n;
      return *this;
    }
    iterator& operator-=(difference_type n) noexcept {
      position_ -= n;
      return *this;
    }
    friend iterator operator+(iterator it, difference_type n) noexcept { return it += n; }
    friend iterator operator+(difference_type n, iterator it) noexcept { return it += n; }
    friend iterator operator-(iterator it, difference_type n) noexcept { return it -= n; }
    friend difference_type operator-(const iterator& a, const iterator& b) noexcept {
      return a.position_ - b.position_;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.position_ == b.position_;
    }
    friend auto operator<=>(const iterator& a, const iterator& b) noexcept {
      return a.position_ <=> b.position_;
    }
    // @}

   private:
    pointer address(index_t position) const noexcept {
      if (c_order_) return owner_->data_ + position;
      index_t offset = 0;
      for (size_type k = owner_->ndim(); k-- > 0;) {
        const index_t n = owner_->shape_[k];
        offset += (position % n) * owner_->strides_[k];
        position /= n;
      }
      return owner_->data_ + offset;
    }

    const array* owner_ = nullptr;
    index_t position_ = 0;
    bool c_order_ = true;
  };

 private:
  index_t element_count_unchecked() const noexcept {
    index_t n = 1;
    for (index_t d : shape_) n *= d;
    return n;
  }
  size_type checked_axis(size_type axis) const {
    if (axis >= ndim()) {
      throw std::out_of_range("axis " + std::to_string(axis) + " of a " + std::to_string(ndim()) +
                              "-dimensional array");
    }
    return axis;
  }

  T* data_ = nullptr;
  dims shape_;
  dims strides_;
  view_lease keep_;
};

// Options for array_from_buffer().
struct buffer_options {
  std::int64_t offset = 0;           // byte offset of the first element in the buffer
  std::optional<index_t> count{};    // elements; default: every whole element to the end
  maparray::order order = order::c;  // C (row-major) or Fortran (column-major) order
};

// An array over memory the caller owns (any read-write buffer: a std::vector's bytes, memory
// from another library). The caller keeps the bytes alive and in place while the array is used,
// or passes an `owner` that does. Throws as detail::layout_view (misaligned start, shape that
// does not fit).
template <class T>
array<T> array_from_buffer(
    std::span<std::conditional_t<std::is_const_v<T>, const std::byte, std::byte>> bytes,
    const shape_spec& shape = {-1}, const buffer_options& opts = {},
    std::shared_ptr<void> owner = nullptr) {
  // A read-only view is made over non-const bytes only for the mapping's bookkeeping; the array
  // type prevents writes.
  auto* first = const_cast<std::byte*>(bytes.data());
  const mapping storage =
      mapping::borrow({first, bytes.size()}, !std::is_const_v<T>, std::move(owner));
  const auto layout = detail::layout_view(storage, opts.offset, opts.count ? &*opts.count : nullptr,
                                          sizeof(T), alignof(T), shape, opts.order);
  return array<T>(reinterpret_cast<T*>(layout.data), layout.shape, layout.strides, storage.lease());
}

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

// The mapping and layout of a view made by the untyped work of the formats (map_raw,
// create_npy_raw, open_shared_raw, ...); in this header because typed() makes the array<T>.
struct raw_view {
  mapping storage;
  view_layout layout;
};

// The array<T> over a raw_view. Throws std::logic_error if its mapping was closed.
template <class T>
array<T> typed(const raw_view& v) {
  return array<T>(reinterpret_cast<T*>(v.layout.data), v.layout.shape, v.layout.strides,
                  v.storage.lease());
}

}  // namespace detail

}  // namespace maparray
