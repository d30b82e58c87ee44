// Exception types of maparray.
//
// The library reports problems with exceptions only:
//   - std::system_error    an operating-system call failed; what() names the call and the path;
//   - maparray::format_error  a file's contents are malformed (bad .npy header, file too short);
//   - maparray::busy_error    an operation was refused because arrays still use a mapping;
//   - std::invalid_argument / std::out_of_range  the caller asked for something impossible.
#pragma once

#include <stdexcept>
#include <string>

namespace maparray {

// A file's contents do not describe a valid array. what() names the file and the problem.
class format_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An operation needs exclusive use of a mapping (close, resize) while arrays still view it.
class busy_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace maparray
