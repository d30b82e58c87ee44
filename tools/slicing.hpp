// numpy's basic indexing written as text: "2:5,::-1", "0", "-3:" — one part per axis, missing
// trailing axes taken whole, an integer part selecting one index and dropping its axis.
#pragma once

#include <string>

#include "maparray/any_array.hpp"

namespace maparray::cli {

// The view of `a` that numpy's a[text] gives (no copy). Throws std::invalid_argument for text
// that is not a slice, std::out_of_range for an integer index outside its axis or more parts
// than axes.
any_array slice_array(const any_array& a, const std::string& text);

}  // namespace maparray::cli
