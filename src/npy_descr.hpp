// Internal to the npy parser: a parsed descr literal to a dtype.
#pragma once

#include "maparray/dtype.hpp"
#include "npy_literal.hpp"

namespace maparray::npy::detail {

// As numpy.lib.format.descr_to_dtype: a string, or a list of fields (padding fields dropped).
// Throws maparray::format_error.
dtype descr_to_dtype(const py_value& descr);

}  // namespace maparray::npy::detail
