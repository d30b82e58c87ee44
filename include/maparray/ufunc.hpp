// The elementwise operations maparray knows, with NumPy's names, and how each chooses the type
// it computes in.
//
// Each operation has a set of *loops*: the types it computes in (add: every type; floor_divide:
// no bool and no complex; sqrt: floating and complex). As NumPy does, an operation on inputs
// of given types computes in the first loop type, in promotion order, that every input casts to
// safely, and gives a result of that type (comparisons, logical operations and the is*
// predicates give bool; absolute of a complex gives its real type):
//
//   sqrt(int8) -> float16     sqrt(int32) -> float64     add(uint8, int8) -> int16
//
// Some operations have NumPy's special rules: divide (true division) of integers or bools
// computes in float64, and subtract, negative, positive and sign of bools only are refused.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "maparray/numeric_type.hpp"
#include "maparray/type_rules.hpp"

namespace maparray {

// The elementwise operations, named as NumPy's ufuncs (divide is true division).
enum class ufunc : std::uint8_t {
  // arithmetic
  add,
  subtract,
  multiply,
  divide,
  floor_divide,
  remainder,
  fmod,
  power,
  negative,
  positive,
  absolute,
  square,
  sign,
  // comparison and selection
  minimum,
  maximum,
  fmin,
  fmax,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  logical_and,
  logical_or,
  logical_xor,
  logical_not,
  where,  // where(condition, x, y)
  // bits
  bitwise_and,
  bitwise_or,
  bitwise_xor,
  invert,
  left_shift,
  right_shift,
  // floating point
  isnan,
  isinf,
  isfinite,
  floor,
  ceil,
  trunc,
  rint,
  copysign,
  // powers, exponentials and logarithms
  sqrt,
  cbrt,
  exp,
  exp2,
  expm1,
  log,
  log2,
  log10,
  log1p,
  hypot,
  // trigonometric and hyperbolic
  sin,
  cos,
  tan,
  arcsin,
  arccos,
  arctan,
  arctan2,
  sinh,
  cosh,
  tanh,
  arcsinh,
  arccosh,
  arctanh,
};

// The number of operations.
inline constexpr std::size_t ufunc_count = static_cast<std::size_t>(ufunc::arctanh) + 1;

// A set of numeric types, as one bit per type.
using type_set = std::uint16_t;

// The set holding one type.
constexpr type_set set_of(numeric_type t) noexcept {
  return static_cast<type_set>(1U << static_cast<unsigned>(t));
}

// The type of an operation's result, given the type it computes in.
enum class result_rule : std::uint8_t {
  same,     // the loop type
  boolean,  // bool (comparisons, logical operations, isnan...)
  real,     // the loop type, or its real type for complex loops (absolute)
};

// What maparray knows about one operation.
struct ufunc_info {
  std::string_view name;             // NumPy's name
  int inputs;                        // number of operands
  type_set loops;                    // the types it computes in
  result_rule result;                // the type of the result
  bool integers_in_float64 = false;  // divide: integer and bool inputs compute in float64
  bool refuses_bool = false;         // subtract, negative, positive, sign: not for bools only
};

// Implementation, not API: in this public header because the templates here use it.
namespace detail {
inline constexpr type_set bool_types = 1U << 0;
inline constexpr type_set integer_types = 0x1feU;   // int8 ... uint64
inline constexpr type_set floating_types = 0xe00U;  // float16, float32, float64
inline constexpr type_set complex_types = 0x3000U;
inline constexpr type_set real_types = integer_types | floating_types;
inline constexpr type_set number_types = real_types | complex_types;
inline constexpr type_set all_types = bool_types | number_types;
inline constexpr type_set inexact_types = floating_types | complex_types;

inline constexpr std::array<ufunc_info, ufunc_count> ufunc_table{{
    {"add", 2, all_types, result_rule::same},
    {"subtract", 2, number_types, result_rule::same, false, true},
    {"multiply", 2, all_types, result_rule::same},
    {"divide", 2, inexact_types, result_rule::same, true},
    {"floor_divide", 2, real_types, result_rule::same},
    {"remainder", 2, real_types, result_rule::same},
    {"fmod", 2, real_types, result_rule::same},
    {"power", 2, number_types, result_rule::same},
    {"negative", 1, number_types, result_rule::same, false, true},
    {"positive", 1, number_types, result_rule::same, false, true},
    {"absolute", 1, all_types, result_rule::real},
    {"square", 1, number_types, result_rule::same},
    {"sign", 1, number_types, result_rule::same, false, true},
    {"minimum", 2, all_types, result_rule::same},
    {"maximum", 2, all_types, result_rule::same},
    {"fmin", 2, all_types, result_rule::same},
    {"fmax", 2, all_types, result_rule::same},
    {"equal", 2, all_types, result_rule::boolean},
    {"not_equal", 2, all_types, result_rule::boolean},
    {"less", 2, all_types, result_rule::boolean},
    {"less_equal", 2, all_types, result_rule::boolean},
    {"greater", 2, all_types, result_rule::boolean},
    {"greater_equal", 2, all_types, result_rule::boolean},
    {"logical_and", 2, all_types, result_rule::boolean},
    {"logical_or", 2, all_types, result_rule::boolean},
    {"logical_xor", 2, all_types, result_rule::boolean},
    {"logical_not", 1, all_types, result_rule::boolean},
    {"where", 3, all_types, result_rule::same},
    {"bitwise_and", 2, bool_types | integer_types, result_rule::same},
    {"bitwise_or", 2, bool_types | integer_types, result_rule::same},
    {"bitwise_xor", 2, bool_types | integer_types, result_rule::same},
    {"invert", 1, bool_types | integer_types, result_rule::same},
    {"left_shift", 2, integer_types, result_rule::same},
    {"right_shift", 2, integer_types, result_rule::same},
    {"isnan", 1, all_types, result_rule::boolean},
    {"isinf", 1, all_types, result_rule::boolean},
    {"isfinite", 1, all_types, result_rule::boolean},
    {"floor", 1, floating_types, result_rule::same},
    {"ceil", 1, floating_types, result_rule::same},
    {"trunc", 1, floating_types, result_rule::same},
    {"rint", 1, inexact_types, result_rule::same},
    {"copysign", 2, floating_types, result_rule::same},
    {"sqrt", 1, inexact_types, result_rule::same},
    {"cbrt", 1, floating_types, result_rule::same},
    {"exp", 1, inexact_types, result_rule::same},
    {"exp2", 1, inexact_types, result_rule::same},
    {"expm1", 1, inexact_types, result_rule::same},
    {"log", 1, inexact_types, result_rule::same},
    {"log2", 1, inexact_types, result_rule::same},
    {"log10", 1, inexact_types, result_rule::same},
    {"log1p", 1, inexact_types, result_rule::same},
    {"hypot", 2, floating_types, result_rule::same},
    {"sin", 1, inexact_types, result_rule::same},
    {"cos", 1, inexact_types, result_rule::same},
    {"tan", 1, inexact_types, result_rule::same},
    {"arcsin", 1, inexact_types, result_rule::same},
    {"arccos", 1, inexact_types, result_rule::same},
    {"arctan", 1, inexact_types, result_rule::same},
    {"arctan2", 2, floating_types, result_rule::same},
    {"sinh", 1, inexact_types, result_rule::same},
    {"cosh", 1, inexact_types, result_rule::same},
    {"tanh", 1, inexact_types, result_rule::same},
    {"arcsinh", 1, inexact_types, result_rule::same},
    {"arccosh", 1, inexact_types, result_rule::same},
    {"arctanh", 1, inexact_types, result_rule::same},
}};
}  // namespace detail

// What maparray knows about an operation.
constexpr const ufunc_info& info(ufunc f) noexcept {
  return detail::ufunc_table[static_cast<std::size_t>(f)];
}

// NumPy's name of an operation.
constexpr std::string_view name(ufunc f) noexcept {
  return info(f).name;
}

// The operation of a NumPy name ("add", "true_divide" and "abs" included), or nothing.
std::optional<ufunc> ufunc_from_name(std::string_view name) noexcept;

// The types an operation computes in and gives for some inputs.
struct ufunc_loop {
  numeric_type computes_in;  // every input is cast to it
  numeric_type result;       // the type of the result
};

// The loop an operation uses for inputs of `types` (concrete types; resolve weak numbers with
// result_type() first), or nothing if it has none for them (floor_divide of complex numbers,
// subtract of bools). For where(), the condition is types[0] and is cast to bool; the loop is
// that of x and y.
constexpr std::optional<ufunc_loop> resolve(ufunc f, std::span<const numeric_type> types) noexcept {
  const ufunc_info& u = info(f);
  if (f == ufunc::where) {
    if (types.size() != 3) return std::nullopt;
    const numeric_type t = promote_types(types[1], types[2]);
    return ufunc_loop{t, t};
  }
  if (types.size() != static_cast<std::size_t>(u.inputs)) return std::nullopt;
  bool all_bool = true;
  bool all_integral = true;
  for (numeric_type t : types) {
    all_bool = all_bool && is_bool(t);
    all_integral = all_integral && (is_bool(t) || is_integer(t));
  }
  if (u.refuses_bool && all_bool) return std::nullopt;
  const auto result_of = [&](numeric_type loop) {
    if (u.result == result_rule::boolean) return numeric_type::boolean;
    if (u.result == result_rule::real && is_complex(loop)) {
      return loop == numeric_type::complex64 ? numeric_type::float32 : numeric_type::float64;
    }
    return loop;
  };
  if (u.integers_in_float64 && all_integral) {
    return ufunc_loop{numeric_type::float64, result_of(numeric_type::float64)};
  }
  for (numeric_type loop : all_numeric_types) {
    if ((u.loops & set_of(loop)) == 0) continue;
    bool fits = true;
    for (numeric_type t : types) fits = fits && can_cast(t, loop, casting::safe);
    if (fits) return ufunc_loop{loop, result_of(loop)};
  }
  return std::nullopt;
}

}  // namespace maparray
