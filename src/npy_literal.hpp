// The subset of Python literals that .npy headers are written in, parsed as ast.literal_eval
// would: strings (any quotes, u/r prefixes, escapes, implicit concatenation), integers (any
// base, underscores, a unary sign), True, False, None, tuples, lists and dicts, with any
// whitespace, comments and line continuations between tokens. Internal to the npy parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "python_repr.hpp"

namespace maparray::npy::detail {

struct py_value {
  enum class kind { string, integer, boolean, none, tuple, list, dict };
  kind type = kind::none;
  std::string text;          // string: UTF-8
  std::int64_t integer = 0;  // integer, when !too_big
  bool too_big = false;      // integer: outside the 64-bit range
  bool boolean = false;
  std::vector<py_value> items;  // tuple, list; dict: key, value, key, value...
};

// Options for parse_literal().
struct literal_syntax {
  // Drop an 'L' after an integer, as numpy does for headers of versions 1.0 and 2.0 that
  // Python 2 may have written.
  bool long_suffix = false;
};

// The name of a kind for messages ("a string", "a tuple"). Never throws.
const char* kind_name(py_value::kind k) noexcept;

// Parses `text` (UTF-8) as one literal, surrounded by optional whitespace. Nesting deeper than
// 64 levels is refused. Throws maparray::format_error saying what and where.
py_value parse_literal(std::string_view text, const literal_syntax& syntax = {});

// The npy parser's UTF-8 and repr() helpers are the library's (python_repr.hpp).
using maparray::detail::append_utf8;
using maparray::detail::next_code_point;
using maparray::detail::python_repr;

}  // namespace maparray::npy::detail
