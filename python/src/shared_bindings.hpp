// maparray.shared and maparray.remove_shared: arrays in memory shared between processes.
#pragma once

#include <pybind11/pybind11.h>

namespace maparray::python {

// Defines shared and remove_shared in `module`.
void bind_shared(pybind11::module_& module);

}  // namespace maparray::python
