// maparray.open, create_npy and append_npy: .npy files as numpy arrays, mapped in place.
#pragma once

#include <pybind11/pybind11.h>

namespace maparray::python {

// Defines open, create_npy and append_npy in `module`.
void bind_npy(pybind11::module_& module);

}  // namespace maparray::python
