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

py::array map_file_py(const py::args& args, const py::kwargs& kwargs) {
  const auto a =
      bind({"map_file",
            {"path", "dtype", "shape", "mode", "offset", "count", "order", "exact_writeback"},
            2,
            7},
           args, kwargs);
  file_source src = source_of(a[0]);
  const py::dtype type = element_dtype(a[1]);
  const auto dims = shape_of(a[2]);
  const map_options opts{.mode = mode_of(a[3], "r+"),
                         .offset = integer_of(a[4], "offset"),
                         .count = optional_integer_of(a[5], "count"),
                         .order = order_of(a[6]),
                         .exact_writeback = flag_of(a[7], "exact_writeback", false)};
  any_array mapped;
  {
    py::gil_scoped_release unlocked;
    file f = open_source(std::move(src), *opts.mode);
    refuse_npy_as_raw(f, opts.offset);
    mapped = map_file(std::move(f), raw_dtype(type), dims, opts);
  }
  return to_numpy(mapped, type, opts.order);
}

py::array create_py(const py::args& args, const py::kwargs& kwargs) {
  const auto a =
      bind({"create", {"path", "dtype", "shape", "sparse", "overwrite", "order"}, 3}, args, kwargs);
  const auto path = path_of(a[0]);
  const py::dtype type = element_dtype(a[1]);
  const auto dims = shape_of(a[2]);
  const create_options opts{
      .existing = flag_of(a[4], "overwrite", false) ? if_exists::replace : if_exists::fail,
      .sparse = flag_of(a[3], "sparse", false),
      .order = order_of(a[5])};
  any_array made;
  {
    py::gil_scoped_release unlocked;
    made = create_file(path, raw_dtype(type), dims, opts);
  }
  return to_numpy(made, type, opts.order);
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

py::array array_from_buffer_py(const py::args& args, const py::kwargs& kwargs) {
  const auto a = bind({"_array_from_buffer", {"buffer", "dtype", "shape", "offset", "count"}, 2},
                      args, kwargs);
  const py::dtype type = element_dtype(a[1]);
  const auto dims = shape_of(a[2]);
  const index_t offset = integer_of(a[3], "offset");
  const auto count = optional_integer_of(a[4], "count");
  auto source = std::make_shared<borrowed_buffer>(a[0]);
  const auto bytes = source->bytes();
  const bool writable = source->writable();
  const py::object owner = wrap_mapping(mapping::borrow(bytes, writable, source));
  const mapping& storage = owner.cast<const mapping_object&>().storage();
  const any_array elements =
      array_from_mapping(storage, opaque_elements(type), dims, {.offset = offset, .count = count});
  return make_contiguous_array(owner, type, elements.data(), elements.shape(), order::c, writable);
}

py::dtype typecode_dtype(const py::object& code_object) {
  const std::string code = text_of(code_object, "typecode", "");
  if (code.size() != 1) {
    throw py::value_error("a typecode is one character, not '" + code + "'");
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

  module.def(
      "map_file", &map_file_py,
      R"doc(map_file(path, dtype, shape=(-1,), mode='r+', offset=0, count=None, order='C', *, exact_writeback=False)

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
exact_writeback: for mode 'r+', write back only the pages written, even where the page cache
    holds the file in large folios (which flush() would write whole); reads through the array
    then get no readahead (slow for a cold sequential pass; see docs/PERFORMANCE.md).

Returns a numpy.ndarray whose .base is a maparray.Mapping. Raises OSError (a
FileNotFoundError if the file is missing), ValueError (a shape that does not fit or divide the
file, an offset or count past its end), OverflowError.
)doc");

  module.def("create", &create_py,
             R"doc(create(path, dtype, shape, sparse=False, overwrite=False, order='C')

Creates the file `path` holding a zero-filled array of `dtype` and `shape` and maps it
read-write. The disk space is reserved up front (posix_fallocate), so a full disk is an
OSError(ENOSPC) now rather than a crash on a later write; sparse=True only sets the length
(faster, but writing into the holes on a full disk kills the process with SIGBUS).
overwrite=True replaces an existing file atomically, keeping its permission bits (and its
owner, where this process may set it); otherwise an existing file is a FileExistsError. Returns a numpy.ndarray whose .base is a maparray.Mapping.
)doc");

  module.def("_array_from_buffer", &array_from_buffer_py,
             "_array_from_buffer(buffer, dtype, shape=None, offset=0, count=None)\n\nThe work of "
             "arrayfrombuffer.arrayfrombuffer(), with a numpy dtype.");
  module.def("_typecode_dtype", &typecode_dtype, py::arg("typecode"),
             "The numpy dtype of a Numeric typecode ('l' is a C long, 'b' an unsigned byte...).");
}
