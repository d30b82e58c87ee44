// Printing arrays the way numpy's str() does: elements in nested brackets, aligned columns,
// lines wrapped at 75 characters, and the middle of arrays over 1000 elements elided with
// "..." (numpy's threshold and edge items).
#pragma once

#include <string>

#include "maparray/any_array.hpp"

namespace maparray::cli {

// The text numpy's str(a) gives for an array of the same dtype and values: numbers (floats in
// numpy's default 8-digit precision, with its switch to scientific notation), byte and unicode
// strings, raw bytes and records (see element_format.hpp). Throws std::invalid_argument for a
// dtype without a C++ type (a 16-byte float).
std::string print_array(const any_array& a);

}  // namespace maparray::cli
