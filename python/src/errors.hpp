// How the C++ library's exceptions surface in Python.
//
//   maparray::format_error  -> maparray.FormatError (a ValueError)
//   maparray::busy_error    -> BufferError (as Python's mmap refuses close() while exported)
//   std::system_error       -> OSError with errno, strerror and filename set (so a missing file
//                              is a FileNotFoundError, as with open())
//   std::invalid_argument, std::out_of_range, other std::logic_error (a closed mapping)
//                           -> ValueError
// Everything else keeps pybind11's translation (std::overflow_error -> OverflowError, ...).
#pragma once

#include <pybind11/pybind11.h>

namespace maparray::python {

// Creates maparray.FormatError in `module` and registers the translation above.
void register_errors(pybind11::module_& module);

}  // namespace maparray::python
