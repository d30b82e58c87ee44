// maparray.open, create_npy, append_npy and npy_header: .npy files as numpy arrays, mapped in
// place.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "maparray/dtype.hpp"

namespace maparray::python {

// The numpy dtype of a library dtype, through the descr literal numpy itself would read from a
// .npy header (so padding and titles mean what numpy makes of them). Throws format_error for a
// type numpy has no equivalent of.
pybind11::dtype numpy_dtype_of(const dtype& type);

// The library dtype of a numpy dtype (no subarray at the top), through numpy's own descr.
// Throws format_error, std::invalid_argument.
dtype dtype_of_numpy(const pybind11::dtype& type);

// Defines open, create_npy, append_npy and npy_header in `module`, and _open_memmap and
// _create_memmap for maparray.open_memmap.
void bind_npy(pybind11::module_& module);

}  // namespace maparray::python
