// Numbers typed on the command line (--fill values, scalar operands), kept exact for integers.
#pragma once

#include <cstdint>
#include <string>

#include "maparray/dtype.hpp"

namespace maparray::cli {

struct scalar {
  bool integral = false;     // written without a point or exponent: 3, -7, 0x10 is not accepted
  std::int64_t integer = 0;  // the value if integral and it fits int64
  bool is_large_unsigned = false;  // integral, above int64's range, within uint64's
  std::uint64_t large = 0;
  double real = 0;  // the value as a double (nan, inf accepted)
};

// Parses "3", "-7", "2.5", "1e9", "nan", "inf", "-inf", "true", "false".
// Throws std::invalid_argument naming the text.
scalar parse_scalar(const std::string& text);

// Writes `value` as one element of `type` at `out` (in type's byte order). Throws
// std::invalid_argument if the value does not fit the type exactly (3.5 or 300 as an int8;
// NaN as an integer); a float value is rounded to the nearest float of a narrower type.
void store_scalar(const scalar& value, const dtype& type, std::byte* out);

// The text of `value` as typed. Never throws except std::bad_alloc.
std::string scalar_text(const scalar& value);

}  // namespace maparray::cli
