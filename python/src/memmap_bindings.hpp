// The work of maparray.memmap, numpy.memmap's counterpart (python/maparray/_memmap.py): a raw
// file from a path, a file object or a descriptor, created (mode w+) or grown (w+ and r+) as
// numpy.memmap does, mapped as an instance of the memmap class.
#pragma once

#include <pybind11/pybind11.h>

namespace maparray::python {

// Defines _memmap in `module`.
void bind_memmap(pybind11::module_& module);

}  // namespace maparray::python
