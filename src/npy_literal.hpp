// The subset of Python literals that .npy headers are written in, parsed as ast.literal_eval
// would: strings (any quotes, u/r prefixes, escapes, implicit concatenation), integers (any
// base, underscores, a unary sign), True, False, None, tuples, lists and dicts, with any
// whitespace, comments and line continuations between tokens. Internal to the npy parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// Python's repr() of a string (UTF-8 in, UTF-8 out). Never throws except std::bad_alloc.
std::string python_repr(std::string_view utf8);

// Appends code point `c` to `out` as UTF-8. Never throws except std::bad_alloc.
void append_utf8(std::string& out, char32_t c);

// Decodes the next code point of `s` at `pos` (advancing it), or returns false for malformed
// UTF-8 (overlong, surrogate, out of range, truncated). Never throws.
bool next_code_point(std::string_view s, std::size_t& pos, char32_t& c) noexcept;

}  // namespace maparray::npy::detail
