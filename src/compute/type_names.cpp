// Names and run-time forms of the type rules: numeric types and dtypes, ufunc, reduction and
// casting names, the result types of reductions.
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "maparray/error.hpp"
#include "maparray/reduction.hpp"
#include "maparray/type_rules.hpp"
#include "maparray/ufunc.hpp"

namespace maparray {

std::optional<numeric_type> numeric_type_of(const dtype& type) noexcept {
  const index_t size = type.itemsize();
  switch (type.kind()) {
    case dtype_kind::boolean:
      return numeric_type::boolean;
    case dtype_kind::signed_integer:
    case dtype_kind::unsigned_integer: {
      const bool s = type.kind() == dtype_kind::signed_integer;
      if (size == 1) return s ? numeric_type::int8 : numeric_type::uint8;
      if (size == 2) return s ? numeric_type::int16 : numeric_type::uint16;
      if (size == 4) return s ? numeric_type::int32 : numeric_type::uint32;
      if (size == 8) return s ? numeric_type::int64 : numeric_type::uint64;
      return std::nullopt;
    }
    case dtype_kind::floating:
      if (size == 2) return numeric_type::float16;
      if (size == 4) return numeric_type::float32;
      if (size == 8) return numeric_type::float64;
      return std::nullopt;
    case dtype_kind::complex:
      if (size == 8) return numeric_type::complex64;
      if (size == 16) return numeric_type::complex128;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

dtype to_dtype(numeric_type type) {
  return visit(type, []<class T>(T) { return dtype_of<T>(); });
}

std::string_view name(numeric_type type) noexcept {
  constexpr std::array<std::string_view, numeric_type_count> names{
      "bool",  "int8",   "uint8",   "int16",   "uint16",  "int32",     "uint32",
      "int64", "uint64", "float16", "float32", "float64", "complex64", "complex128"};
  return names[static_cast<std::size_t>(type)];
}

std::optional<ufunc> ufunc_from_name(std::string_view text) noexcept {
  if (text == "true_divide") return ufunc::divide;
  if (text == "abs") return ufunc::absolute;
  if (text == "mod") return ufunc::remainder;
  for (std::size_t i = 0; i < ufunc_count; ++i) {
    if (detail::ufunc_table[i].name == text) return static_cast<ufunc>(i);
  }
  return std::nullopt;
}

std::string_view name(reduction r) noexcept {
  constexpr std::array<std::string_view, 7> names{"sum",  "prod", "min", "max",
                                                  "mean", "any",  "all"};
  return names[static_cast<std::size_t>(r)];
}

std::optional<reduction> reduction_from_name(std::string_view text) noexcept {
  if (text == "amin") return reduction::min;
  if (text == "amax") return reduction::max;
  if (text == "product") return reduction::prod;
  for (int i = 0; i < 7; ++i) {
    if (name(static_cast<reduction>(i)) == text) return static_cast<reduction>(i);
  }
  return std::nullopt;
}

std::string_view name(casting rule) noexcept {
  constexpr std::array<std::string_view, 5> names{"no", "equiv", "safe", "same_kind", "unsafe"};
  return names[static_cast<std::size_t>(rule)];
}

std::optional<casting> parse_casting(std::string_view text) noexcept {
  for (int i = 0; i < 5; ++i) {
    if (name(static_cast<casting>(i)) == text) return static_cast<casting>(i);
  }
  return std::nullopt;
}

bool can_cast(const dtype& from, const dtype& to, casting rule) {
  const auto f = numeric_type_of(from);
  const auto t = numeric_type_of(to);
  if (!f || !t) return from == to;
  if (rule == casting::no) return *f == *t && from.order() == to.order();
  if (rule == casting::equiv) return *f == *t;
  return can_cast(*f, *t, rule);
}

dtype promote_types(const dtype& a, const dtype& b) {
  const auto check = [](const dtype& t) {
    const auto n = numeric_type_of(t);
    if (!n) throw std::invalid_argument("dtype " + t.str() + " is not a numeric type");
    return *n;
  };
  return to_dtype(promote_types(check(a), check(b)));
}

// Reductions.

numeric_type reduction_result(reduction r, numeric_type input,
                              std::optional<numeric_type> requested) {
  if (requested)
    return r == reduction::any || r == reduction::all ? numeric_type::boolean : *requested;
  switch (r) {
    case reduction::sum:
    case reduction::prod:
      if (is_bool(input)) return numeric_type::int64;
      if (is_integer(input) && size_of(input) < 8) {
        return is_signed_integer(input) ? numeric_type::int64 : numeric_type::uint64;
      }
      return input;
    case reduction::mean:
      return is_inexact(input) ? input : numeric_type::float64;
    case reduction::min:
    case reduction::max:
      return input;
    case reduction::any:
    case reduction::all:
      break;
  }
  return numeric_type::boolean;
}

numeric_type reduction_accumulator(reduction r, numeric_type input,
                                   std::optional<numeric_type> requested) noexcept {
  numeric_type acc = numeric_type::boolean;
  if (r != reduction::any && r != reduction::all) {
    acc = requested ? *requested : reduction_result(r, input);
  }
  return acc == numeric_type::float16 ? numeric_type::float32 : acc;
}

dims reduced_shape(std::span<const index_t> shape, const reduce_options& how) {
  std::vector<index_t> result;
  if (!how.axis) {
    if (how.keepdims) result.assign(shape.size(), 1);
    return dims(std::span<const index_t>(result));
  }
  const auto rank = static_cast<int>(shape.size());
  const int axis = *how.axis < 0 ? *how.axis + rank : *how.axis;
  if (axis < 0 || axis >= rank) {
    throw axis_error("axis " + std::to_string(*how.axis) +
                     " is out of bounds for array of dimension " + std::to_string(rank));
  }
  for (int k = 0; k < rank; ++k) {
    if (k != axis) {
      result.push_back(shape[static_cast<std::size_t>(k)]);
    } else if (how.keepdims) {
      result.push_back(1);
    }
  }
  return dims(std::span<const index_t>(result));
}

}  // namespace maparray
