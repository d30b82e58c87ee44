// maparray._NpzArchive: a .npz archive mapped once, whose stored .npy members become numpy
// arrays in place. maparray.NpzFile (python/maparray/_npz.py) is the face users see.
#pragma once

#include <pybind11/pybind11.h>

namespace maparray::python {

// Defines _NpzArchive in `module`.
void bind_npz(pybind11::module_& module);

}  // namespace maparray::python
