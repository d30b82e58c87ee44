// maparray::operand: an argument of a run-time computation, an array or a number.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <map>
#include <span>
#include <string>
#include <variant>

#include "maparray/any_array.hpp"
#include "maparray/scalar.hpp"
#include "maparray/type_rules.hpp"

namespace maparray {

// An array (any_array) or a number (scalar; plain C++ numbers convert to weak scalars).
class operand {
 public:
  // An array operand.
  operand(any_array a) noexcept : value_(std::move(a)) {}  // NOLINT(google-explicit-constructor)
  // A typed array operand. Throws only std::bad_alloc.
  template <numeric_element T>
  operand(const array<T>& a) : value_(any_array(a)) {}  // NOLINT(google-explicit-constructor)
  // A number operand.
  operand(scalar s) noexcept : value_(s) {}  // NOLINT(google-explicit-constructor)
  // A weak number.
  template <class T>
  requires(std::is_arithmetic_v<T> || std::is_same_v<T, std::complex<double>>) operand(T value)
  noexcept : value_(scalar(value)) {}  // NOLINT(google-explicit-constructor)

  // Whether this is an array.
  bool is_array() const noexcept { return std::holds_alternative<any_array>(value_); }
  // The array. Throws std::bad_variant_access for a number.
  const any_array& array() const { return std::get<any_array>(value_); }
  // The number. Throws std::bad_variant_access for an array.
  const scalar& number() const { return std::get<scalar>(value_); }
  // The shape: an array's, or () for a number.
  std::span<const index_t> shape() const noexcept {
    return is_array() ? std::get<any_array>(value_).shape() : std::span<const index_t>{};
  }

 private:
  std::variant<any_array, scalar> value_;
};

// Named operands of an expression: {{"a", a}, {"b", b}, {"k", 2.5}}.
using operand_map = std::map<std::string, operand, std::less<>>;

}  // namespace maparray
