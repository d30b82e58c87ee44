#include "block_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <string>
#include <tuple>
#include <vector>

#include "arguments.hpp"
#include "maparray/block.hpp"
#include "maparray/npy.hpp"
#include "maparray/staged_file.hpp"
#include "mapping_object.hpp"
#include "npy_bindings.hpp"

namespace maparray::python {
namespace {

// An element dtype without a subarray shape: blocks are cut from the array's own dimensions.
// Throws py::type_error, py::value_error.
py::dtype block_dtype(const py::object& like) {
  py::dtype type = element_dtype(like);
  if (!type.attr("subdtype").is_none()) {
    throw py::value_error("dtype " + py::str(py::handle(type)).cast<std::string>() +
                          " has a subarray shape; give its base dtype and add the subarray's "
                          "dimensions to the shape");
  }
  return type;
}

std::vector<index_t> indices_of(const py::object& values, const char* what) {
  if (!py::isinstance<py::sequence>(values)) {
    throw py::type_error(std::string(what) + " must be a sequence of ints, one per dimension");
  }
  return shape_of(values);
}

file_layout layout_of(const py::dtype& type, const std::vector<index_t>& shape,
                      std::string_view order_text, std::int64_t offset) {
  return {.type = dtype::primitive(dtype_kind::raw, type.itemsize()),
          .shape = dims(std::span<const index_t>(shape)),
          .order = order_of(order_text),
          .offset = offset};
}

py::array map_block_py(const std::filesystem::path& path, const py::object& dtype_like,
                       const py::object& shape, const py::object& start, const py::object& extent,
                       std::int64_t offset, std::string_view order_text,
                       std::string_view mode_text) {
  const py::dtype type = block_dtype(dtype_like);
  const auto dims_of_shape = indices_of(shape, "shape");
  const auto first = indices_of(start, "start");
  const auto count = indices_of(extent, "extent");
  const file_layout layout = layout_of(type, dims_of_shape, order_text, offset);
  const mode how = mode_of(mode_text);
  any_array block;
  {
    py::gil_scoped_release unlocked;
    block = map_block(path, layout, first, count, how);
  }
  return make_array(wrap_mapping(block.storage()), type, block.data(), block.shape(),
                    block.byte_strides(), block.writable());
}

py::array read_block_py(const std::filesystem::path& path, const py::object& dtype_like,
                        const py::object& shape, const py::object& start, const py::object& extent,
                        std::int64_t offset, std::string_view order_text) {
  const py::dtype type = block_dtype(dtype_like);
  const auto first = indices_of(start, "start");
  const auto count = indices_of(extent, "extent");
  const file_layout layout = layout_of(type, indices_of(shape, "shape"), order_text, offset);
  block_bytes(layout, first, count);  // a bad block is refused before anything is allocated
  const dims strides = contiguous_strides(count, layout.order);
  std::vector<py::ssize_t> byte_strides(strides.begin(), strides.end());
  for (auto& s : byte_strides) s *= type.itemsize();
  py::array out(type, std::vector<py::ssize_t>(count.begin(), count.end()), byte_strides);
  const std::span<std::byte> bytes(static_cast<std::byte*>(out.mutable_data()),
                                   static_cast<std::size_t>(out.nbytes()));
  py::gil_scoped_release unlocked;
  read_block(path, layout, first, count, bytes);
  return out;
}

void write_block_py(const std::filesystem::path& path, const py::object& dtype_like,
                    const py::object& shape, const py::object& start, const py::object& block,
                    std::int64_t offset, std::string_view order_text) {
  const py::dtype type = block_dtype(dtype_like);
  const file_layout layout = layout_of(type, indices_of(shape, "shape"), order_text, offset);
  // The block as the file's dtype (casts within a kind only, as numpy's "same_kind"), its
  // elements contiguous in the file's order; copied only where it is not so already.
  const py::array data = py::module_::import("numpy").attr("asarray")(block).attr("astype")(
      type, py::arg("order") = order_text, py::arg("casting") = "same_kind",
      py::arg("copy") = false);
  const auto first = indices_of(start, "start");
  const std::vector<index_t> count(data.shape(), data.shape() + data.ndim());
  const std::span<const std::byte> bytes(static_cast<const std::byte*>(data.data()),
                                         static_cast<std::size_t>(data.nbytes()));
  py::gil_scoped_release unlocked;
  write_block(path, layout, first, count, bytes);
}

std::tuple<std::filesystem::path, std::int64_t> stage_py(const std::filesystem::path& path,
                                                         const py::object& dtype_like,
                                                         const py::object& shape,
                                                         std::string_view order_text, bool npy,
                                                         bool overwrite, bool sparse) {
  const py::dtype type = block_dtype(dtype_like);
  const auto dims_of_shape = indices_of(shape, "shape");
  const create_options opts{.existing = overwrite ? if_exists::replace : if_exists::fail,
                            .sparse = sparse,
                            .order = order_of(order_text)};
  const dtype element =
      npy ? dtype_of_numpy(type) : dtype::primitive(dtype_kind::raw, type.itemsize());
  staged_file staged;
  {
    py::gil_scoped_release unlocked;
    staged = npy ? stage_npy(path, element, dims_of_shape, opts)
                 : stage_file(path, element, dims_of_shape, opts);
  }
  return {staged.temporary, staged.data_offset};
}

}  // namespace

void bind_blocks(py::module_& module) {
  module.def("map_block", &map_block_py, py::arg("path"), py::arg("dtype"), py::arg("shape"),
             py::arg("start"), py::arg("extent"), py::kw_only(), py::arg("offset") = 0,
             py::arg("order") = "C", py::arg("mode") = "r", R"doc(
Maps one block of an array stored in the file `path`: the array has `dtype`, `shape` and
`order` ('C' or 'F') and starts `offset` bytes into the file (a .npy file's
npy_header(path)['offset']); the block is the elements [start, start + extent), one entry per
dimension. Only the bytes from the block's first element to its last are mapped, so each of
many processes can map its own block of one huge file.

mode: 'r' (default) read-only, 'r+' writes reach the file, 'c' copy-on-write. Processes may
write blocks that share no element at the same time, without a lock, even where the blocks
share pages.

Returns a numpy.ndarray of shape `extent` whose strides are the whole array's and whose .base
is a maparray.Mapping. Raises ValueError (a block outside the array, a file too short for it),
OSError, OverflowError.
)doc");

  module.def("read_block", &read_block_py, py::arg("path"), py::arg("dtype"), py::arg("shape"),
             py::arg("start"), py::arg("extent"), py::kw_only(), py::arg("offset") = 0,
             py::arg("order") = "C", R"doc(
Copies one block of an array stored in the file `path` (laid out as for map_block) into a new
numpy array in memory, in the file's order, with one read per contiguous run of the file and
nothing mapped: a block of a few columns of a C-order file spans whole rows, and mapped, every
page it touches would bring its neighbours into memory too. Raises as map_block.
)doc");
  module.def("write_block", &write_block_py, py::arg("path"), py::arg("dtype"), py::arg("shape"),
             py::arg("start"), py::arg("block"), py::kw_only(), py::arg("offset") = 0,
             py::arg("order") = "C", R"doc(
Writes `block` (converted to `dtype`, within a kind of type only, as numpy's "same_kind"
casting) into its place [start, start + block.shape) of the array stored in the file `path`
(laid out as for map_block), with one write per contiguous run of the file. Only the block's
own bytes are written, so processes may write disjoint blocks of one file at the same time
without a lock, even where they share pages. The file is not extended: it must already hold
the block. The data reaches the file's pages; a sync of the file puts it on the disk. Raises
as map_block, and TypeError for a cast across kinds (float to int).
)doc");
  module.def(
      "_block_bytes",
      [](const py::object& dtype_like, const py::object& shape, const py::object& start,
         const py::object& extent, std::int64_t offset, std::string_view order_text) {
        const py::dtype type = block_dtype(dtype_like);
        const auto r = block_bytes(layout_of(type, indices_of(shape, "shape"), order_text, offset),
                                   indices_of(start, "start"), indices_of(extent, "extent"));
        return std::make_tuple(r.offset, r.length);
      },
      py::arg("dtype"), py::arg("shape"), py::arg("start"), py::arg("extent"),
      py::arg("offset") = 0, py::arg("order") = "C",
      "(offset, length): the bytes of the file that the block spans, first to last element.");
  module.def("_stage", &stage_py, py::arg("path"), py::arg("dtype"), py::arg("shape"),
             py::arg("order") = "C", py::kw_only(), py::arg("npy") = true,
             py::arg("overwrite") = false, py::arg("sparse") = false,
             "Creates the file for `path` under a temporary name beside it (with a .npy header "
             "if npy), its space reserved unless sparse; returns (temporary path, data offset). "
             "An existing path is FileExistsError unless overwrite.");
  module.def(
      "_commit_staged",
      [](const std::filesystem::path& path, const std::filesystem::path& temporary,
         bool overwrite) {
        py::gil_scoped_release unlocked;
        commit_staged({.path = path,
                       .temporary = temporary,
                       .existing = overwrite ? if_exists::replace : if_exists::fail});
      },
      py::arg("path"), py::arg("temporary"), py::arg("overwrite"),
      "Syncs the staged file `temporary` and renames it to `path` (FileExistsError if a file "
      "is there, unless overwrite), then syncs the directory.");
  module.def(
      "_discard_staged",
      [](const std::filesystem::path& temporary) {
        staged_file staged;
        staged.temporary = temporary;
        discard_staged(staged);
      },
      py::arg("temporary"), "Removes a staged file that will not be committed, if it exists.");
}

}  // namespace maparray::python
