// Elements of a run-time dtype as C++ values: dispatch from a dtype to the matching C++ type,
// loads and stores that swap bytes for files in the other byte order, float16 decoding, and
// a walk over the elements of strided arrays in C order.
#pragma once

#include <bit>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "maparray/any_array.hpp"
#include "maparray/dtype.hpp"

namespace maparray::cli {

// An IEEE half-precision number, stored as its bits; converts to float for reading only.
struct half {
  std::uint16_t bits;
  explicit operator float() const noexcept;
};

template <class T>
struct is_complex : std::false_type {};
template <class T>
struct is_complex<std::complex<T>> : std::true_type {};

// Calls f(T{}) with a value-initialised T of the C++ type whose dtype has `t`'s kind and size
// (byte order is the caller's business: see load()). Throws std::invalid_argument for types
// without one (strings, records, 128-bit floats).
template <class F>
decltype(auto) visit_numeric(const dtype& t, F&& f) {
  const auto size = t.itemsize();
  switch (t.kind()) {
    case dtype_kind::boolean:
      return f(bool{});
    case dtype_kind::signed_integer:
      if (size == 1) return f(std::int8_t{});
      if (size == 2) return f(std::int16_t{});
      if (size == 4) return f(std::int32_t{});
      if (size == 8) return f(std::int64_t{});
      break;
    case dtype_kind::unsigned_integer:
      if (size == 1) return f(std::uint8_t{});
      if (size == 2) return f(std::uint16_t{});
      if (size == 4) return f(std::uint32_t{});
      if (size == 8) return f(std::uint64_t{});
      break;
    case dtype_kind::floating:
      if (size == 2) return f(half{});
      if (size == 4) return f(float{});
      if (size == 8) return f(double{});
      break;
    case dtype_kind::complex:
      if (size == 8) return f(std::complex<float>{});
      if (size == 16) return f(std::complex<double>{});
      break;
    default:
      break;
  }
  throw std::invalid_argument("dtype " + t.str() + " is not supported here");
}

// Reverses the bytes of each scalar of `n` bytes in [p, p + total). Never throws.
inline void swap_bytes(std::byte* p, std::size_t total, std::size_t n) noexcept {
  for (std::size_t at = 0; at + n <= total; at += n) {
    for (std::size_t i = 0, j = n - 1; i < j; ++i, --j) std::swap(p[at + i], p[at + j]);
  }
}

template <class T>
constexpr std::size_t scalar_size() {
  if constexpr (is_complex<T>::value)
    return sizeof(typename T::value_type);
  else
    return sizeof(T);
}

// The element at `p` (any alignment), swapping bytes if `swap`. A bool is any nonzero byte,
// as numpy reads it (a byte other than 0 or 1 loaded as a C++ bool would be undefined). Never
// throws.
template <class T>
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
template <class T>
void store(std::byte* p, T value, bool swap) noexcept {
  std::memcpy(p, &value, sizeof(T));
  if (swap) swap_bytes(p, sizeof(T), scalar_size<T>());
}

// Whether elements of `t` must be byte-swapped to be read on this machine. Never throws.
inline bool needs_swap(const dtype& t) noexcept {
  return !t.is_native();
}

// `value` as a To, the way numpy's astype does it for representable values; out-of-range
// floating-point values saturate and NaN becomes 0 when the target is an integer (where C++
// leaves the result undefined). Never throws.
template <class To, class From>
To cast_value(From value) noexcept {
  if constexpr (std::is_same_v<From, half>) {
    return cast_value<To>(static_cast<float>(value));
  } else if constexpr (is_complex<From>::value && !is_complex<To>::value) {
    return cast_value<To>(value.real());
  } else if constexpr (is_complex<To>::value) {
    using C = typename To::value_type;
    if constexpr (is_complex<From>::value) {
      return To(static_cast<C>(value.real()), static_cast<C>(value.imag()));
    } else {
      return To(static_cast<C>(value), C{});
    }
  } else if constexpr (std::is_same_v<To, bool>) {
    return value != From{};
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (std::isnan(value)) return To{};
    if (value <= static_cast<From>(std::numeric_limits<To>::min()))
      return std::numeric_limits<To>::min();
    if (value >= static_cast<From>(std::numeric_limits<To>::max()))
      return std::numeric_limits<To>::max();
    return static_cast<To>(value);
  } else {
    return static_cast<To>(value);
  }
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

namespace maparray::cli {

// Writes elements [first, last) of `src` (numbered in C order) to `dst` as R values, converting
// with cast_value and swapping bytes as src's dtype needs. Throws std::invalid_argument if
// src's dtype has no C++ type.
template <class R>
void copy_as(const any_array& src, std::size_t first, std::size_t last, R* dst) {
  const bool swap = needs_swap(src.type());
  visit_numeric(src.type(), [&]<class S>(S) {
    if (src.is_c_contiguous()) {
      const std::byte* p = src.data() + first * sizeof(S);
      for (std::size_t n = first; n < last; ++n, p += sizeof(S))
        *dst++ = cast_value<R>(load<S>(p, swap));
    } else {
      walk<1>(src.shape(), {&src}, first, last,
              [&](const std::byte* p) { *dst++ = cast_value<R>(load<S>(p, swap)); });
    }
  });
}

}  // namespace maparray::cli
