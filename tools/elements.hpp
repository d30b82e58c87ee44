// Elements of a numeric dtype in a file's own byte order: loads and stores that swap bytes for
// files in the other byte order, and a walk over the elements of strided arrays in C order.
// Which C++ type holds an element is the library's rule (maparray::visit, numeric_type.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "maparray/any_array.hpp"
#include "maparray/numeric_type.hpp"

namespace maparray::cli {

// Reverses the bytes of each scalar of `n` bytes in [p, p + total). Never throws.
inline void swap_bytes(std::byte* p, std::size_t total, std::size_t n) noexcept {
  for (std::size_t at = 0; at + n <= total; at += n) {
    for (std::size_t i = 0, j = n - 1; i < j; ++i, --j) std::swap(p[at + i], p[at + j]);
  }
}

// The size of the scalars that make up a T: a complex number is two, each swapped on its own.
template <computable T>
constexpr std::size_t scalar_size() noexcept {
  constexpr numeric_type n = numeric_type_of<T>();
  return is_complex(n) ? size_of(n) / 2 : size_of(n);
}

// The element at `p` (any alignment), swapping bytes if `swap`. A bool is any nonzero byte,
// as numpy reads it (a byte other than 0 or 1 loaded as a C++ bool would be undefined). Never
// throws.
template <computable T>
T load(const std::byte* p, bool swap) noexcept {
  if constexpr (std::is_same_v<T, bool>) return *p != std::byte{0};
  std::byte buffer[sizeof(T)];
  std::memcpy(buffer, p, sizeof(T));
  if (swap) swap_bytes(buffer, sizeof(T), scalar_size<T>());
  T value;
  std::memcpy(&value, buffer, sizeof(T));
  return value;
}

// Stores `value` at `p` (any alignment), swapping bytes if `swap`. Never throws.
template <computable T>
void store(std::byte* p, T value, bool swap) noexcept {
  std::memcpy(p, &value, sizeof(T));
  if (swap) swap_bytes(p, sizeof(T), scalar_size<T>());
}

// Walks the elements of arrays of one shape together, in C order: fn(p0, p1, ...) gets the
// address of the current element of each array. `first` and `last` select a range of C-order
// element numbers. Never throws unless fn does.
template <std::size_t N, class Fn>
void walk(std::span<const index_t> shape, const std::array<const any_array*, N>& arrays,
          std::size_t first, std::size_t last, Fn&& fn) {
  if (first >= last) return;
  const std::size_t rank = shape.size();
  std::vector<index_t> index(rank, 0);
  std::array<std::byte*, N> at{};
  // Decompose `first` into an index and point at it.
  std::size_t rest = first;
  for (std::size_t axis = rank; axis-- > 0;) {
    const auto extent = static_cast<std::size_t>(shape[axis]);
    index[axis] = static_cast<index_t>(rest % extent);
    rest /= extent;
  }
  for (std::size_t k = 0; k < N; ++k) {
    at[k] = arrays[k]->data();
    for (std::size_t axis = 0; axis < rank; ++axis)
      at[k] += index[axis] * arrays[k]->byte_strides()[axis];
  }
  for (std::size_t n = first; n < last; ++n) {
    std::apply(fn, at);
    // Step to the next index, carrying into outer axes.
    for (std::size_t axis = rank; axis-- > 0;) {
      for (std::size_t k = 0; k < N; ++k) at[k] += arrays[k]->byte_strides()[axis];
      if (++index[axis] < shape[axis]) break;
      for (std::size_t k = 0; k < N; ++k) at[k] -= shape[axis] * arrays[k]->byte_strides()[axis];
      index[axis] = 0;
    }
  }
}

}  // namespace maparray::cli
