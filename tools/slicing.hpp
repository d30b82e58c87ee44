// numpy's basic indexing written as text: "2:5,::-1", "0", "-3:" — one part per axis, missing
// trailing axes taken whole, an integer part selecting one index and dropping its axis.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "maparray/any_array.hpp"

namespace maparray::cli {

// One part of a slice: an index (the axis goes away) or start:stop:step.
struct slice_part {
  bool is_index = false;
  index_t index = 0;
  std::optional<index_t> start, stop;
  index_t step = 1;
};

// Parses the text of a slice, without an array. Throws std::invalid_argument for text that is
// not one (a usage error: "1:x", "::0", "1:2:3:4", an empty index).
std::vector<slice_part> parse_slice(const std::string& text);

// The view of `a` that numpy's a[text] gives (no copy), for `parts` parsed from `text`. Throws
// std::out_of_range for an integer index outside its axis or more parts than axes.
any_array slice_array(const any_array& a, const std::vector<slice_part>& parts,
                      const std::string& text);

}  // namespace maparray::cli
