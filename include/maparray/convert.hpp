// maparray::convert<To>(value): one element converted as NumPy's astype converts it.
//
// Integers wrap modulo 2^bits (int64 300 -> int8 44); anything to bool is "not zero" (NaN is
// true); complex to real keeps the real part; float64 to float16 rounds once. Where NumPy
// leaves the result undefined (it is whatever the processor gives), convert() defines it:
// a floating-point value out of an integer type's range saturates to the type's bounds and NaN
// becomes 0, so that no conversion is undefined behaviour in C++. convert() is noexcept:
// it never throws.
#pragma once

#include <cmath>
#include <complex>
#include <limits>
#include <type_traits>

#include "maparray/numeric_type.hpp"

namespace maparray {

// Implementation, not API: in this public header because the templates here use it.
namespace detail {
template <class T>
struct is_complex_number : std::false_type {};
template <class T>
struct is_complex_number<std::complex<T>> : std::true_type {};
template <class T>
inline constexpr bool is_complex_v = is_complex_number<std::remove_cv_t<T>>::value;
}  // namespace detail

// `value` as a To, with NumPy's astype semantics (see the file comment).
template <class To, class From>
constexpr To convert(From value) noexcept {
  if constexpr (std::is_same_v<To, From>) {
    return value;
  } else if constexpr (std::is_same_v<From, float16>) {
    return convert<To>(static_cast<float>(value));
  } else if constexpr (std::is_same_v<To, bool>) {
    if constexpr (detail::is_complex_v<From>) {
      return value.real() != 0 || value.imag() != 0;
    } else {
      return value != From{};  // NaN != 0, so NaN is true
    }
  } else if constexpr (detail::is_complex_v<From> && !detail::is_complex_v<To>) {
    return convert<To>(value.real());
  } else if constexpr (detail::is_complex_v<To>) {
    using R = typename To::value_type;
    if constexpr (detail::is_complex_v<From>) {
      return To(static_cast<R>(value.real()), static_cast<R>(value.imag()));
    } else {
      return To(convert<R>(value), R{});
    }
  } else if constexpr (std::is_same_v<To, float16>) {
    if constexpr (std::is_same_v<From, float>) {
      return float16(value);
    } else {
      return float16(static_cast<double>(value));
    }
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (value != value) return To{0};
    // The bounds as From, compared so that the cast below is always in range: the upper bound
    // 2^bits (or 2^(bits-1)) is exact in every floating type.
    constexpr From upper = static_cast<From>(std::numeric_limits<To>::max() / 2 + 1) * From{2};
    if (value >= upper) return std::numeric_limits<To>::max();
    if (value <= static_cast<From>(std::numeric_limits<To>::min())) {
      return std::numeric_limits<To>::min();
    }
    return static_cast<To>(value);
  } else {
    // Integer to integer wraps modulo 2^bits (defined in C++20); integer to floating point
    // and floating point to floating point round to nearest.
    return static_cast<To>(value);
  }
}

}  // namespace maparray
