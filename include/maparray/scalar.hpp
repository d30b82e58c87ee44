// maparray::scalar: one number as an operand of a computation, weak or strong (type_rules.hpp).
//
// A number written without a type (a C++ int or double passed to a run-time operation, a Python
// int or float, a literal in an expression, a number on the command line) is weak: it takes
// the type of the arrays it meets. scalar::of<T>() makes a strong one, which counts as a
// zero-dimensional array of T (NumPy's numpy.float32(3)).
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <complex>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "maparray/convert.hpp"
#include "maparray/numeric_type.hpp"
#include "maparray/type_rules.hpp"

namespace maparray {

// A number, weak or strong, as an operand (see the file comment).
class scalar {
 public:
  // Weak 0.
  scalar() noexcept : scalar(std::int64_t{0}) {}
  // A weak bool, integer, float or complex number: what an untyped literal of that kind is.
  // (A weak bool counts as a strong bool, as in NumPy.)
  template <class T>
  requires(std::is_arithmetic_v<T> || std::is_same_v<T, std::complex<double>>) scalar(T value)
  noexcept {  // NOLINT(google-explicit-constructor): numbers convert freely
    if constexpr (std::is_same_v<T, bool>) {
      set(numeric_type::boolean, value, false);
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
      if (value > static_cast<std::uint64_t>(INT64_MAX)) {
        set(numeric_type::uint64, static_cast<std::uint64_t>(value), true);
      } else {
        set(numeric_type::int64, static_cast<std::int64_t>(value), true);
      }
    } else if constexpr (std::is_integral_v<T>) {
      set(numeric_type::int64, static_cast<std::int64_t>(value), true);
    } else if constexpr (std::is_floating_point_v<T>) {
      set(numeric_type::float64, static_cast<double>(value), true);
    } else {
      set(numeric_type::complex128, value, true);
    }
  }

  // A strong scalar of type T, as a zero-dimensional array of T would be.
  template <computable T>
  static scalar of(T value) noexcept {
    scalar s;
    s.set(numeric_type_of<T>(), value, false);
    return s;
  }

  // A number as Python writes it: 3, -7, 2.5, 1e-3, 2j, nan, inf, -inf, True, False (also
  // true and false). Integers up to 2**64 - 1 (and down to -2**63) are weak integers, the
  // others weak floats or complex numbers. Throws std::invalid_argument naming the text,
  // std::overflow_error for an integer beyond 64 bits.
  static scalar parse(std::string_view text);

  // The scalar's type for type resolution.
  operand_type type() const noexcept { return {type_, weak_}; }
  // Whether the scalar is weak.
  bool weak() const noexcept { return weak_; }

  // The value as a T. A weak integer must fit an integer T exactly: throws std::overflow_error
  // with NumPy's message ("Python integer 300 out of bounds for uint8") otherwise. Every
  // other conversion is convert<T>'s (floats round, complex to real keeps the real part).
  template <computable T>
  T as() const {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (weak_ && is_integer(type_) && !fits(numeric_type_of<T>()))
        throw_out_of_bounds(numeric_type_of<T>());
    }
    return visit(type_, [&]<class S>(S) { return convert<T>(load<S>()); });
  }

  // Whether a weak integer's value fits `target` (always true for other scalars and for
  // non-integer targets).
  bool fits(numeric_type target) const noexcept;

  // The value as text, as Python prints it ("3", "2.5", "(1+2j)", "True"). Throws only
  // std::bad_alloc.
  std::string str() const;

 private:
  template <class T>
  void set(numeric_type type, T value, bool weak) noexcept {
    type_ = type;
    weak_ = weak;
    static_assert(sizeof(T) <= sizeof(bytes_));
    std::memcpy(bytes_, &value, sizeof(T));
  }
  template <class T>
  T load() const noexcept {
    T value;
    std::memcpy(&value, bytes_, sizeof(T));
    return value;
  }
  [[noreturn]] void throw_out_of_bounds(numeric_type target) const;

  numeric_type type_ = numeric_type::int64;
  bool weak_ = true;
  alignas(16) unsigned char bytes_[16] = {};
};

}  // namespace maparray
