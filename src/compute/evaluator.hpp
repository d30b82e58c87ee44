// Running a bound program (program.hpp) through the compute engine.
#pragma once

#include "maparray/any_array.hpp"
#include "maparray/exec_options.hpp"
#include "program.hpp"

namespace maparray::detail {

// Writes the program's elementwise result into `out`, which has its shape and a numeric dtype.
// Throws std::invalid_argument for a read-only out, what the kernels throw, std::system_error,
// cancelled_error.
void run_elementwise(const program& p, const any_array& out, const exec_options& opts);

// Writes the program's reduction into `out`, which has its result shape (with or without the
// kept axis) and a numeric dtype. Throws as run_elementwise(), and std::invalid_argument for
// min or max of nothing.
void run_reduction(const program& p, const any_array& out, const exec_options& opts);

}  // namespace maparray::detail
