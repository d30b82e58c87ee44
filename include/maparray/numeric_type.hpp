// maparray::numeric_type: the fourteen element types maparray computes on, and visit().
//
// A dtype says how elements are stored (kind, size, byte order); a numeric_type names the C++
// type that holds one element's value: bool, the eight integer types, float16, float, double,
// std::complex<float> and std::complex<double>. visit() turns a run-time dtype into a call of
// a generic function with a value of that C++ type, which is how the run-time layers (the
// compute engine, the tool, the Python module) reach typed code:
//
//   ma::visit(array.type(), [&](auto zero) { use(array.as<const decltype(zero)>()); });
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "maparray/dtype.hpp"
#include "maparray/float16.hpp"

namespace maparray {

// The numeric element types, in NumPy's order of type promotion.
enum class numeric_type : std::uint8_t {
  boolean,
  int8,
  uint8,
  int16,
  uint16,
  int32,
  uint32,
  int64,
  uint64,
  float16,
  float32,
  float64,
  complex64,
  complex128,
};

// The number of numeric types.
inline constexpr std::size_t numeric_type_count = 14;

// Every numeric type, in promotion order.
inline constexpr std::array<numeric_type, numeric_type_count> all_numeric_types{
    numeric_type::boolean,   numeric_type::int8,      numeric_type::uint8,   numeric_type::int16,
    numeric_type::uint16,    numeric_type::int32,     numeric_type::uint32,  numeric_type::int64,
    numeric_type::uint64,    numeric_type::float16,   numeric_type::float32, numeric_type::float64,
    numeric_type::complex64, numeric_type::complex128};

// The C++ type of each numeric type: element_type_t<numeric_type::float32> is float.
template <numeric_type N>
using element_type_t = std::tuple_element_t<
    static_cast<std::size_t>(N),
    std::tuple<bool, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t, std::int32_t,
               std::uint32_t, std::int64_t, std::uint64_t, float16, float, double,
               std::complex<float>, std::complex<double>>>;

// Implementation, not API: in this public header because the templates here use it.
namespace detail {
// long long and long are both 64 bits here but distinct C++ types; both map to int64.
template <class T>
constexpr std::optional<numeric_type> try_numeric_type_of() noexcept {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>)
    return numeric_type::boolean;
  else if constexpr (std::is_same_v<U, float16>)
    return numeric_type::float16;
  else if constexpr (std::is_same_v<U, float>)
    return numeric_type::float32;
  else if constexpr (std::is_same_v<U, double>)
    return numeric_type::float64;
  else if constexpr (std::is_same_v<U, std::complex<float>>)
    return numeric_type::complex64;
  else if constexpr (std::is_same_v<U, std::complex<double>>)
    return numeric_type::complex128;
  else if constexpr (std::is_integral_v<U> && !std::is_same_v<U, char>) {
    constexpr bool s = std::is_signed_v<U>;
    if constexpr (sizeof(U) == 1)
      return s ? numeric_type::int8 : numeric_type::uint8;
    else if constexpr (sizeof(U) == 2)
      return s ? numeric_type::int16 : numeric_type::uint16;
    else if constexpr (sizeof(U) == 4)
      return s ? numeric_type::int32 : numeric_type::uint32;
    else if constexpr (sizeof(U) == 8)
      return s ? numeric_type::int64 : numeric_type::uint64;
    else
      return std::nullopt;
  } else {
    return std::nullopt;
  }
}
}  // namespace detail

// C++ types with a numeric_type: bool, the integer types of 1 to 8 bytes (not plain char),
// float16, float, double, std::complex<float> and std::complex<double>.
template <class T>
concept computable = detail::try_numeric_type_of<T>()
.has_value();

// The numeric type of a C++ type.
template <computable T>
constexpr numeric_type numeric_type_of() noexcept {
  return *detail::try_numeric_type_of<T>();
}

// The numeric type of a dtype's kind and size (the byte order is ignored: see is_native()), or
// nothing for strings, records, raw bytes and 128-bit floats.
std::optional<numeric_type> numeric_type_of(const dtype& type) noexcept;

// The dtype of a numeric type, in native byte order. Throws only std::bad_alloc.
dtype to_dtype(numeric_type type);

// NumPy's name: "bool", "int8", ..., "float16", "complex128".
std::string_view name(numeric_type type) noexcept;

// The size of one element in bytes.
constexpr std::size_t size_of(numeric_type type) noexcept {
  constexpr std::array<std::uint8_t, numeric_type_count> sizes{1, 1, 1, 2, 2, 4, 4,
                                                               8, 8, 2, 4, 8, 8, 16};
  return sizes[static_cast<std::size_t>(type)];
}

// @name Kinds of numeric type
// @{
// Whether a type is of a kind; none throws.
constexpr bool is_bool(numeric_type t) noexcept {
  return t == numeric_type::boolean;
}
constexpr bool is_integer(numeric_type t) noexcept {
  return t >= numeric_type::int8 && t <= numeric_type::uint64;
}
constexpr bool is_signed_integer(numeric_type t) noexcept {
  return is_integer(t) && (static_cast<int>(t) % 2) == 1;
}
constexpr bool is_unsigned_integer(numeric_type t) noexcept {
  return is_integer(t) && !is_signed_integer(t);
}
constexpr bool is_floating(numeric_type t) noexcept {
  return t >= numeric_type::float16 && t <= numeric_type::float64;
}
constexpr bool is_complex(numeric_type t) noexcept {
  return t >= numeric_type::complex64;
}
constexpr bool is_inexact(numeric_type t) noexcept {
  return t >= numeric_type::float16;
}
// @}

// Calls f(T{}) with the C++ type T of `type` and returns what f returns (every instantiation
// must return the same type). Throws what f throws.
template <class F>
decltype(auto) visit(numeric_type type, F&& f) {
  switch (type) {
    case numeric_type::boolean:
      return f(bool{});
    case numeric_type::int8:
      return f(std::int8_t{});
    case numeric_type::uint8:
      return f(std::uint8_t{});
    case numeric_type::int16:
      return f(std::int16_t{});
    case numeric_type::uint16:
      return f(std::uint16_t{});
    case numeric_type::int32:
      return f(std::int32_t{});
    case numeric_type::uint32:
      return f(std::uint32_t{});
    case numeric_type::int64:
      return f(std::int64_t{});
    case numeric_type::uint64:
      return f(std::uint64_t{});
    case numeric_type::float16:
      return f(float16{});
    case numeric_type::float32:
      return f(float{});
    case numeric_type::float64:
      return f(double{});
    case numeric_type::complex64:
      return f(std::complex<float>{});
    case numeric_type::complex128:
      break;
  }
  return f(std::complex<double>{});
}

// Calls f(T{}) with the C++ type of a numeric dtype's kind and size; the byte order is the
// caller's business (dtype::is_native()). Throws std::invalid_argument naming the dtype if it
// is not numeric (strings, records, raw bytes, 128-bit floats), and what f throws.
template <class F>
decltype(auto) visit(const dtype& type, F&& f) {
  const auto n = numeric_type_of(type);
  if (!n) {
    throw std::invalid_argument("dtype " + type.str() +
                                " is not a numeric type maparray computes on (bool, integers, "
                                "float16/32/64, complex64/128)");
  }
  return visit(*n, std::forward<F>(f));
}

}  // namespace maparray
