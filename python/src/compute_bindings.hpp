// maparray.add / subtract / multiply / divide / minimum / maximum and sum / min / max / mean:
// the library's out-of-core compute engine over numpy arrays, run without the GIL.
#pragma once

#include <pybind11/pybind11.h>

namespace maparray::python {

// Defines the operations in `module`.
void bind_compute(pybind11::module_& module);

}  // namespace maparray::python
