// Printing arrays the way numpy's str() does: elements in nested brackets, aligned columns,
// lines wrapped at 75 characters, and the middle of arrays over 1000 elements elided with
// "..." (numpy's threshold and edge items).
#pragma once

#include <string>

#include "maparray/any_array.hpp"

namespace maparray::cli {

// The text numpy's str(a) gives for an array of the same numeric dtype and values (floats
// use numpy's default 8-digit precision and its switch to scientific notation). Throws
// std::invalid_argument for non-numeric dtypes.
std::string print_array(const any_array& a);

}  // namespace maparray::cli
