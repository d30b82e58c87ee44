// The extension module maparray._maparray; the package maparray re-exports it (see
// python/maparray/__init__.py, which adds the functions written in Python).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <optional>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "atomics.hpp"
#include "block_bindings.hpp"
#include "compute_bindings.hpp"
#include "errors.hpp"
#include "maparray/maparray.hpp"
#include "mapping_object.hpp"
#include "memmap_bindings.hpp"
#include "npy_bindings.hpp"
#include "npz_bindings.hpp"
#include "shared_bindings.hpp"
#include "sources.hpp"

namespace maparray::python {
namespace {

// A raw element type of the dtype's size: the library lays out bytes, numpy interprets them.
dtype raw_dtype(const py::dtype& type) {
  return dtype::primitive(dtype_kind::raw, type.itemsize());
}

// A numpy array over a contiguous untyped array of the library, with a new Mapping as its base.
py::array to_numpy(const any_array& a, const py::dtype& type, order layout) {
  const py::object owner = wrap_mapping(a.storage());
  return make_contiguous_array(owner, type, a.data(), a.shape(), layout, a.writable());
}

py::array map_file_py(const py::object& source, const py::object& dtype_like,
                      const py::object& shape, std::string_view mode_text, std::int64_t offset,
                      std::optional<index_t> count, std::string_view order_text) {
  const py::dtype type = element_dtype(dtype_like);
  const map_options opts{
      .mode = mode_of(mode_text), .offset = offset, .count = count, .order = order_of(order_text)};
  const auto dims = shape_of(shape);
  file_source src = source_of(source);
  any_array a;
  {
    py::gil_scoped_release unlocked;
    file f = open_source(std::move(src), *opts.mode);
    refuse_npy_as_raw(f, offset);
    a = map_file(std::move(f), raw_dtype(type), dims, opts);
  }
  return to_numpy(a, type, opts.order);
}

py::array create_py(const std::filesystem::path& path, const py::object& dtype_like,
                    const py::object& shape, bool sparse, bool overwrite,
                    std::string_view order_text) {
  const py::dtype type = element_dtype(dtype_like);
  const create_options opts{
      .overwrite = overwrite, .sparse = sparse, .order = order_of(order_text)};
  const auto dims = shape_of(shape);
  any_array a;
  {
    py::gil_scoped_release unlocked;
    a = create_file(path, raw_dtype(type), dims, opts);
  }
  return to_numpy(a, type, opts.order);
}

// A buffer export of another object, released (with the GIL) when the last array over it dies.
class borrowed_buffer {
 public:
  explicit borrowed_buffer(const py::object& source) {
    if (PyObject_GetBuffer(source.ptr(), &view_, PyBUF_WRITABLE) == 0) return;
    PyErr_Clear();
    if (PyObject_GetBuffer(source.ptr(), &view_, PyBUF_SIMPLE) != 0) throw py::error_already_set();
  }
  borrowed_buffer(const borrowed_buffer&) = delete;
  borrowed_buffer& operator=(const borrowed_buffer&) = delete;
  ~borrowed_buffer() {
    if (!Py_IsInitialized()) return;  // at exit: the object is gone already
    const PyGILState_STATE state = PyGILState_Ensure();
    PyBuffer_Release(&view_);
    PyGILState_Release(state);
  }

  std::span<std::byte> bytes() const noexcept {
    return {static_cast<std::byte*>(view_.buf), static_cast<std::size_t>(view_.len)};
  }
  bool writable() const noexcept { return view_.readonly == 0; }

 private:
  Py_buffer view_{};
};

py::array array_from_buffer_py(const py::object& buffer, const py::object& dtype_like,
                               const py::object& shape, std::int64_t offset,
                               std::optional<index_t> count) {
  const py::dtype type = element_dtype(dtype_like);
  auto source = std::make_shared<borrowed_buffer>(buffer);
  const auto bytes = source->bytes();
  const bool writable = source->writable();
  const py::object owner = wrap_mapping(mapping::borrow(bytes, writable, source));
  const mapping& storage = owner.cast<const mapping_object&>().storage();
  const auto layout = detail::layout_view(storage, offset, count ? &*count : nullptr,
                                          type.itemsize(), 1, shape_of(shape), order::c);
  return make_contiguous_array(owner, type, layout.data, layout.shape.span(), order::c, writable);
}

py::dtype typecode_dtype(std::string_view code) {
  if (code.size() != 1) {
    throw py::value_error("a typecode is one character, not '" + std::string(code) + "'");
  }
  return py::dtype(dtype::from_typecode(code[0]).str());
}

}  // namespace
}  // namespace maparray::python

PYBIND11_MODULE(_maparray, module) {
  using namespace maparray::python;
  module.doc() = "The compiled part of maparray; use the package maparray.";
  module.attr("__version__") = std::string(maparray::version_string);
  register_errors(module);
  bind_mapping(module);
  bind_atomics(module);
  bind_npy(module);
  bind_shared(module);
  bind_compute(module);
  bind_blocks(module);
  bind_memmap(module);
  bind_npz(module);

  module.def("map_file", &map_file_py, py::arg("path"), py::arg("dtype"),
             py::arg("shape") = py::make_tuple(-1), py::arg("mode") = "r+", py::arg("offset") = 0,
             py::arg("count") = py::none(), py::arg("order") = "C", R"doc(
Maps the file at `path` as an array of `dtype` (anything numpy.dtype() accepts). `path` may
also be a file object with fileno() or a file descriptor. A .npy file is not mapped from an
offset inside its header (its header would become elements): that is a FormatError.

shape: an int or a tuple with at most one -1, inferred from the file size; default: the whole
    file, flattened.
mode: 'r' read-only, 'r+' writes reach the file, 'c' copy-on-write (writes stay in this
    process); numpy.memmap's long names work too.
offset: byte offset of the first element; need not be page- or element-aligned.
count: number of elements to map; default: all whole elements from offset to the end.
order: 'C' (row-major) or 'F' (column-major).

Returns a numpy.ndarray whose .base is a maparray.Mapping. Raises OSError (a
FileNotFoundError if the file is missing), ValueError (a shape that does not fit or divide the
file, an offset or count past its end), OverflowError.
)doc");

  module.def("create", &create_py, py::arg("path"), py::arg("dtype"), py::arg("shape"),
             py::arg("sparse") = false, py::arg("overwrite") = false, py::arg("order") = "C",
             R"doc(
Creates the file `path` holding a zero-filled array of `dtype` and `shape` and maps it
read-write. The disk space is reserved up front (posix_fallocate), so a full disk is an
OSError(ENOSPC) now rather than a crash on a later write; sparse=True only sets the length
(faster, but writing into the holes on a full disk kills the process with SIGBUS).
overwrite=True replaces an existing file atomically; otherwise an existing file is a
FileExistsError. Returns a numpy.ndarray whose .base is a maparray.Mapping.
)doc");

  module.def("_array_from_buffer", &array_from_buffer_py, py::arg("buffer"), py::arg("dtype"),
             py::arg("shape") = py::none(), py::arg("offset") = 0, py::arg("count") = py::none(),
             "The work of arrayfrombuffer.arrayfrombuffer(), with a numpy dtype.");
  module.def("_typecode_dtype", &typecode_dtype, py::arg("typecode"),
             "The numpy dtype of a Numeric typecode ('l' is a C long, 'b' an unsigned byte...).");
}
