// maparray.open, create_npy and append_npy: .npy files as numpy arrays, mapped in place.
#pragma once

#include <pybind11/numpy.h>

#include "maparray/dtype.hpp"

#include <pybind11/pybind11.h>

namespace maparray::python {

// The numpy dtype of a library dtype, as numpy reads it from a .npy header. Throws
// format_error for a dtype numpy describes with another size.
pybind11::dtype numpy_dtype(const dtype& type);

// Defines open, create_npy and append_npy in `module`, and _open_memmap and _create_memmap
// for maparray.open_memmap.
void bind_npy(pybind11::module_& module);

}  // namespace maparray::python
