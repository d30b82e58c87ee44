#include "memmap_bindings.hpp"

#include <pybind11/numpy.h>

#include <algorithm>
#include <string>

#include "arguments.hpp"
#include "maparray/any_array.hpp"
#include "maparray/raw_file.hpp"
#include "mapping_object.hpp"
#include "sources.hpp"

namespace maparray::python {
namespace {

// numpy.memmap's modes, long names included; 'w+' creates.
struct memmap_mode {
  mode how;
  bool create;
};

memmap_mode memmap_mode_of(std::string_view text) {
  if (text == "w+" || text == "write") return {mode::read_write, true};
  try {
    return {mode_of(text), false};
  } catch (const py::value_error&) {
    throw py::value_error(
        "mode must be one of 'r', 'c', 'r+', 'w+' (or 'readonly', 'copyonwrite', "
        "'readwrite', 'write'), not '" +
        std::string(text) + "'");
  }
}

py::array memmap_py(const py::object& subtype, const py::object& source,
                    const py::object& dtype_like, std::string_view mode_text, std::int64_t offset,
                    const py::object& shape, std::string_view order_text) {
  const py::dtype type = element_dtype(dtype_like);
  const memmap_mode m = memmap_mode_of(mode_text);
  const order layout = order_of(order_text);
  if (m.create && shape.is_none()) throw py::value_error("shape must be given if mode == 'w+'");
  if (offset < 0)
    throw py::value_error("offset must be non-negative, got " + std::to_string(offset));
  const std::vector<index_t> dims = shape_of(shape);
  const dtype raw = dtype::primitive(dtype_kind::raw, type.itemsize());
  file_source src = source_of(source);
  any_array a;
  std::int64_t start = 0;  // of the array in the mapping
  const bool created = m.create && src.path;
  {
    py::gil_scoped_release unlocked;
    if (created) {
      // A new file (an existing one is replaced whole), zero-filled, its space reserved.
      const index_t bytes = checked_mul(element_count(dims), type.itemsize(), "array size");
      a = create_file(*src.path, dtype::primitive(dtype_kind::raw, 1),
                      {checked_add(offset, bytes, "file size")}, {.existing = if_exists::replace});
      start = offset;
    } else {
      file f = open_source(std::move(src), m.how);
      f.require_regular();
      refuse_npy_as_raw(f, offset);
      // numpy.memmap grows a file too short for the shape in modes r+ and w+; the new blocks
      // are reserved, so that a full disk is an error now rather than a crash later.
      if (m.how == mode::read_write && std::ranges::find(dims, -1) == dims.end()) {
        const index_t needed = checked_add(
            offset, checked_mul(element_count(dims), type.itemsize(), "array size"), "file size");
        if (f.size() < needed) f.reserve(needed);
      }
      a = map_file(std::move(f), raw, dims, {.mode = m.how, .offset = offset, .order = layout});
    }
  }
  const mapping storage = a.storage();
  std::vector<index_t> extents(a.shape().begin(), a.shape().end());
  if (created) extents = dims;
  return make_contiguous_array(wrap_mapping(storage), type, storage.data() + start, extents, layout,
                               storage.writable(), subtype);
}

}  // namespace

void bind_memmap(py::module_& module) {
  module.def("_memmap", &memmap_py, py::arg("subtype"), py::arg("filename"), py::arg("dtype"),
             py::arg("mode"), py::arg("offset"), py::arg("shape"), py::arg("order"),
             "The work of maparray.memmap.");
}

}  // namespace maparray::python
