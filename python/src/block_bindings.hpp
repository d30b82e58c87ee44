// maparray.map_block, read_block and write_block, and the staged files behind
// maparray.dask.to_npy: the pieces that let many processes each map, read and write their own
// block of one file.
#pragma once

#include <pybind11/pybind11.h>

namespace maparray::python {

// Defines map_block, read_block, write_block, _block_bytes, _stage, _commit_staged and
// _discard_staged in `module`.
void bind_blocks(pybind11::module_& module);

}  // namespace maparray::python
