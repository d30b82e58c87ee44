// What a function that makes a named file or shared-memory object does when the name is taken.
#pragma once

namespace maparray {

// The answer to "what if the name exists already?", in the spirit of Boost.Interprocess's
// create_only and open_or_create. Every options struct of a function that creates something
// named has a field `if_exists existing = if_exists::fail`, and every such function says which
// of these it accepts; it throws std::invalid_argument for any other.
enum class if_exists {
  fail,     // an existing name is an error (std::system_error with EEXIST)
  replace,  // make a new file and put it in the place of the existing one, atomically
  open,     // use the existing object instead, if it is what was asked for
};

}  // namespace maparray
