// NumPy's rules for numeric types: which casts are allowed, which type two types promote to, and
// the result type of an operation whose operands may include Python-style scalars.
//
// The rules are NumPy 2's (NEP 50): an array's type, or a typed scalar's, is *strong*; a number
// written without a type (a Python int, float or complex; a literal in an expression; a number
// on the command line) is *weak* and takes the strong operands' type where its kind allows:
//
//   int16 array + 1      -> int16      (1 must fit int16, else std::out_of_range on conversion)
//   int16 array + 1.5    -> float64    (a float cannot be an int16; float64 is the default)
//   float32 array + 1.5  -> float32
//   float32 array + 1j   -> complex64
//   uint8 array + int8 array -> int16  (both strong: the smallest type both cast to safely)
//
// Everything here is constexpr over numeric_type, so that typed code (array<T> expressions)
// resolves types at compile time with the same rules as run-time code.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <algorithm>
#include <optional>
#include <span>
#include <string_view>

#include "maparray/dtype.hpp"
#include "maparray/numeric_type.hpp"

namespace maparray {

// How much a cast may change values, in NumPy's words (numpy.can_cast's `casting`).
enum class casting {
  no,         // the same type
  equiv,      // the same type, byte order may differ
  safe,       // every value is kept (int16 -> float32, uint8 -> int16)
  same_kind,  // safe, or within a kind (float64 -> float32, int64 -> int8, uint8 -> int8)
  unsafe,     // anything (float -> int truncates)
};

// Whether `from` may be cast to `to` under `rule`, as numpy.can_cast.
constexpr bool can_cast(numeric_type from, numeric_type to, casting rule = casting::safe) noexcept {
  using enum numeric_type;
  if (from == to || rule == casting::unsafe) return true;
  if (rule == casting::no || rule == casting::equiv) return false;
  if (from == boolean) return true;
  const bool same_kind = rule == casting::same_kind;
  if (is_integer(from)) {
    const std::size_t size = size_of(from);
    if (is_integer(to)) {
      // Signed to unsigned is never safe nor within NumPy's notion of a kind; unsigned to
      // signed is within the kind, and safe when the signed type is wider.
      if (is_signed_integer(from) && is_unsigned_integer(to)) return false;
      if (same_kind) return true;
      return is_signed_integer(from) == is_signed_integer(to) ? size_of(to) >= size
                                                              : size_of(to) > size;
    }
    if (same_kind) return !is_bool(to);
    // The smallest float holding every value: 1 byte -> float16, 2 -> float32, wider -> float64.
    const std::size_t float_size = size == 1 ? 2 : size == 2 ? 4 : 8;
    if (is_floating(to)) return size_of(to) >= float_size;
    if (is_complex(to)) return size_of(to) / 2 >= std::max<std::size_t>(float_size, 4);
    return false;
  }
  if (is_floating(from)) {
    if (is_floating(to)) return same_kind || size_of(to) >= size_of(from);
    if (is_complex(to)) return same_kind || size_of(to) / 2 >= size_of(from);
    return false;
  }
  // complex
  return is_complex(to) && (same_kind || size_of(to) >= size_of(from));
}

// The smallest type that both types cast to safely, as numpy.promote_types (int64 and uint64
// promote to float64).
constexpr numeric_type promote_types(numeric_type a, numeric_type b) noexcept {
  for (numeric_type t : all_numeric_types) {
    if (can_cast(a, t) && can_cast(b, t)) return t;
  }
  return numeric_type::complex128;  // not reached: everything casts to complex128 safely
}

// The type of one operand as type resolution sees it: strong (an array or a typed scalar), or
// weak (an untyped number, whose `type` stands for its kind: any integer type for an int, any
// floating type for a float, any complex type for a complex; a weak bool counts as strong).
struct operand_type {
  numeric_type type = numeric_type::float64;  // the type, or for a weak number its kind
  bool weak = false;                          // an untyped number
};

// The result type of combining operands, as numpy.result_type under NEP 50: the promotion of
// the strong types, then raised to the kind of the weakest weak scalar's kind if it is higher
// (a weak float with integers gives float64; a weak complex with float32 gives complex64).
// Only weak operands: int64, float64 or complex128.
constexpr numeric_type result_type(std::span<const operand_type> operands) noexcept {
  using enum numeric_type;
  std::optional<numeric_type> strong;
  numeric_type weak = boolean;  // the highest weak kind seen, as int64 / float64 / complex128
  bool any_weak = false;
  for (const operand_type& o : operands) {
    if (o.weak && !is_bool(o.type)) {
      // Only the kind of a weak number counts: a weak uint64 (an int above int64's range) is
      // an integer like any other.
      const numeric_type kind = is_integer(o.type)    ? int64
                                : is_floating(o.type) ? float64
                                                      : complex128;
      weak = any_weak ? promote_types(weak, kind) : kind;
      any_weak = true;
    } else {
      strong = strong ? promote_types(*strong, o.type) : o.type;
    }
  }
  if (!strong) return any_weak ? weak : boolean;
  if (!any_weak) return *strong;
  const numeric_type s = *strong;
  if (is_complex(weak)) {
    if (is_complex(s)) return s;
    if (s == float16 || s == float32) return complex64;
    return complex128;
  }
  if (is_floating(weak)) return is_inexact(s) ? s : float64;
  // A weak integer: the strong type unless that is bool.
  return is_bool(s) ? int64 : s;
}

// @name The rules on dtypes
// @{
// can_cast, promote_types and result_type on dtypes of any byte order (results in native
// order). casting::no requires the same byte order too, casting::equiv does not. can_cast
// never throws for numeric dtypes and gives false for others unless they are equal.
// promote_types throws std::invalid_argument naming a dtype that is not numeric.
bool can_cast(const dtype& from, const dtype& to, casting rule = casting::safe);
dtype promote_types(const dtype& a, const dtype& b);
// @}

// NumPy's name of a casting rule ("same_kind").
std::string_view name(casting rule) noexcept;
// The casting rule of a name, or nothing.
std::optional<casting> parse_casting(std::string_view text) noexcept;

}  // namespace maparray
