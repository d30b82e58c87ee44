// Which MPI datatype and operation serve a dtype and an accumulate_op. Not installed.
#pragma once

#include <mpi.h>

#include "maparray/dtype.hpp"
#include "maparray/mpi.hpp"

namespace maparray::mpi::detail {

// The MPI datatype of one element of `type`, for accumulate and the atomics: native-order bool,
// integers, float32, float64, complex64 and complex128. Throws std::invalid_argument naming
// `what` and the dtype for others (float16, strings, records, a foreign byte order).
MPI_Datatype numeric_datatype(const dtype& type, const char* what);

// The MPI operation of `op`, after checking that MPI defines it for `type` (sum and prod for
// numbers, min and max for integers and floats, the bitwise ones for integers, replace for
// all). Throws std::invalid_argument naming `what`, the operation and the dtype.
MPI_Op operation(accumulate_op op, const dtype& type, const char* what);

// The datatype compare-and-swap uses for `type`: its own for bool and integers, the unsigned
// integer of its size for floats (which are compared by their bits). Throws
// std::invalid_argument for other types.
MPI_Datatype swap_datatype(const dtype& type);

}  // namespace maparray::mpi::detail
