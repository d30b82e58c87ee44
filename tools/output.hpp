// Creating the arrays the tool writes: raw files, or .npy files. Always called on a staged
// output's temporary() (see staged_output.hpp).
#pragma once

#include <filesystem>

#include "maparray/any_array.hpp"

namespace maparray::cli {

struct output_array {
  any_array array;
  // Writes the data back to the file (msync). Throws std::system_error.
  void finish() const { array.storage().flush(); }
};

// Creates `path` (which must not exist) as a .npy file if `npy`, else raw, holding a zero-filled
// array of `type`, `shape` and `layout`. For the temporary() of a staged_output, creates the
// staged output's target unpublished instead, for its commit() to publish. Throws
// std::system_error, std::invalid_argument.
output_array create_output(const std::filesystem::path& path, bool npy, const dtype& type,
                           const dims& shape, order layout, bool sparse = false);

}  // namespace maparray::cli
