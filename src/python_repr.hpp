// Python's text rules that both dtype (a record's descr) and the .npy layer need: repr() of a
// string and UTF-8 encoding and decoding. Private to the library.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maparray::detail {

// Python's repr() of a string (UTF-8 in, UTF-8 out). Never throws except std::bad_alloc.
std::string python_repr(std::string_view utf8);

// Appends code point `c` to `out` as UTF-8. Never throws except std::bad_alloc.
void append_utf8(std::string& out, char32_t c);

// Decodes the next code point of `s` at `pos` (advancing it), or returns false for malformed
// UTF-8 (overlong, surrogate, out of range, truncated). Never throws.
bool next_code_point(std::string_view s, std::size_t& pos, char32_t& c) noexcept;

}  // namespace maparray::detail
