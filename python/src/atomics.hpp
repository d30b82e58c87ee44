// maparray.atomic_add and maparray.compare_exchange: lock-free atomic updates of single
// elements of any writable numpy array, for counters and claim tables in memory shared between
// threads and processes (shared memory, or a file mapped 'r+' by several processes).
#pragma once

#include <pybind11/pybind11.h>

namespace maparray::python {

// Defines atomic_add and compare_exchange in `module`.
void bind_atomics(pybind11::module_& module);

}  // namespace maparray::python
