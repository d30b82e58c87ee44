#include "npy_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <optional>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "maparray/npy.hpp"
#include "mapping_object.hpp"
#include "sources.hpp"

namespace maparray::python {
namespace {

py::module_ npy_format() {
  return py::module_::import("numpy.lib.format");
}

}  // namespace

py::dtype numpy_dtype_of(const dtype& type) {
  const py::object literal =
      py::module_::import("ast").attr("literal_eval")(npy::format_descr(type));
  auto result = npy_format().attr("descr_to_dtype")(literal).cast<py::dtype>();
  if (result.itemsize() != type.itemsize()) {
    throw format_error("dtype " + type.str() + " has no numpy equivalent of the same size");
  }
  return result;
}

dtype dtype_of_numpy(const py::dtype& type) {
  const py::object descr = npy_format().attr("dtype_to_descr")(type);
  return npy::parse_descr(py::repr(descr).cast<std::string>());
}

namespace {

// A mapped .npy file (or raw file, given a dtype) from `source` as an array of `subtype` (None:
// numpy.ndarray).
py::array open_source_py(const py::object& source, std::string_view mode_text,
                         const py::object& dtype_like, const py::object& shape,
                         std::size_t max_header_size, const py::object& subtype) {
  const mode how = mode_of(mode_text);
  file_source src = source_of(source);
  if (!dtype_like.is_none()) {
    // A raw file: the caller says what it holds.
    const py::dtype type = element_dtype(dtype_like);
    const auto dims = shape_of(shape);
    any_array a;
    {
      py::gil_scoped_release unlocked;
      file f = open_source(std::move(src), how);
      refuse_npy_as_raw(f, 0);
      a = map_file(std::move(f), dtype::primitive(dtype_kind::raw, type.itemsize()), dims,
                   {.mode = how});
    }
    return make_contiguous_array(wrap_mapping(a.storage()), type, a.data(), a.shape(), order::c,
                                 a.writable(), subtype);
  }
  if (!shape.is_none()) throw py::value_error("a .npy file has its own shape; give no shape");
  any_array a;
  {
    py::gil_scoped_release unlocked;
    a = open(open_source(std::move(src), how),
             {.mode = how, .limits = {.max_header_length = max_header_size}});
  }
  const py::dtype type = numpy_dtype_of(a.type());
  return make_array(wrap_mapping(a.storage()), type, a.data(), a.shape(), a.byte_strides(),
                    a.writable(), subtype);
}

py::array open_py(const py::object& source, std::string_view mode_text,
                  const py::object& dtype_like, const py::object& shape,
                  std::size_t max_header_size) {
  return open_source_py(source, mode_text, dtype_like, shape, max_header_size, py::none());
}

// A new .npy file as an array of `subtype` (None: numpy.ndarray).
py::array create_npy_subtype(const std::filesystem::path& path, const py::object& dtype_like,
                             const py::object& shape, std::string_view order_text, bool overwrite,
                             bool sparse, const py::object& subtype) {
  py::dtype type = element_dtype(dtype_like);
  std::vector<index_t> dims = shape_of(shape);
  const py::object sub = type.attr("subdtype");
  if (!sub.is_none()) {  // numpy.save stores ('f4', (3,)) elements as a trailing dimension
    type = sub[py::int_(0)].cast<py::dtype>();
    for (const py::handle d : sub[py::int_(1)]) dims.push_back(d.cast<index_t>());
  }
  const dtype element = dtype_of_numpy(type);
  const create_options opts{
      .overwrite = overwrite, .sparse = sparse, .order = order_of(order_text)};
  any_array a;
  {
    py::gil_scoped_release unlocked;
    a = create_npy(path, element, dims, opts);
  }
  return make_array(wrap_mapping(a.storage()), type, a.data(), a.shape(), a.byte_strides(),
                    a.writable(), subtype);
}

py::array create_npy_py(const std::filesystem::path& path, const py::object& dtype_like,
                        const py::object& shape, std::string_view order_text, bool overwrite,
                        bool sparse) {
  return create_npy_subtype(path, dtype_like, shape, order_text, overwrite, sparse, py::none());
}

// numpy.lib.format.open_memmap's mode 'w+': a new .npy file, replacing an existing one. The
// version written is the smallest that holds the header; another one asked for is refused.
py::array create_memmap_py(const py::object& subtype, const std::filesystem::path& path,
                           const py::object& dtype_like, const py::object& shape,
                           bool fortran_order, const py::object& version) {
  if (!version.is_none()) {
    py::dtype type = element_dtype(dtype_like);
    std::vector<index_t> dims = shape_of(shape);
    const py::object sub = type.attr("subdtype");
    if (!sub.is_none()) {
      type = sub[py::int_(0)].cast<py::dtype>();
      for (const py::handle d : sub[py::int_(1)]) dims.push_back(d.cast<index_t>());
    }
    const auto head = npy::format_header(dtype_of_numpy(type), dims, fortran_order);
    const auto written = py::make_tuple(static_cast<int>(head[6]), static_cast<int>(head[7]));
    if (!version.equal(written)) {
      throw py::value_error("maparray writes .npy version " +
                            py::repr(py::handle(written)).cast<std::string>() +
                            " for this header, the smallest that holds it, not " +
                            py::repr(version).cast<std::string>() + "; pass version=None");
    }
  }
  return create_npy_subtype(path, dtype_like, shape, fortran_order ? "F" : "C", true, false,
                            subtype);
}

void append_npy_py(const std::filesystem::path& path, const py::object& rows,
                   std::size_t max_header_size) {
  const npy::limits limits{.max_header_length = max_header_size};
  npy::header head;
  {
    py::gil_scoped_release unlocked;
    head = npy::read_header(path, limits);
  }
  const py::dtype type = numpy_dtype_of(head.type);
  const py::module_ numpy = py::module_::import("numpy");
  // The rows as the file's dtype, in the file's memory order.
  const py::array data = numpy.attr(head.fortran_order ? "asfortranarray" : "ascontiguousarray")(
      rows, py::arg("dtype") = type);
  const auto rank = static_cast<std::size_t>(data.ndim());
  if (rank > 1) {
    bool fits = rank == head.shape.size();
    const std::size_t growing = head.fortran_order ? rank - 1 : 0;
    for (std::size_t k = 0; fits && k < rank; ++k) {
      fits = k == growing || data.shape(static_cast<py::ssize_t>(k)) == head.shape[k];
    }
    if (!fits) {
      throw py::value_error("cannot append an array of shape " +
                            py::str(data.attr("shape")).cast<std::string>() + " to '" +
                            path.string() + "' of shape " + to_string(head.shape.span()));
    }
  }
  const std::span<const std::byte> bytes(static_cast<const std::byte*>(data.data()),
                                         static_cast<std::size_t>(data.nbytes()));
  const npy_options opts{.expect = head.type, .limits = limits};
  py::gil_scoped_release unlocked;
  detail::append_npy_bytes(path, bytes, std::nullopt, opts, head.type.itemsize());
}

py::dict npy_header_py(const std::filesystem::path& path, std::size_t max_header_size) {
  npy::header head;
  {
    py::gil_scoped_release unlocked;
    head = npy::read_header(path, {.max_header_length = max_header_size});
  }
  py::dict result;
  result["dtype"] = numpy_dtype_of(head.type);
  result["shape"] = py::tuple(py::cast(std::vector<index_t>(head.shape.begin(), head.shape.end())));
  result["fortran_order"] = head.fortran_order;
  result["offset"] = head.data_offset;
  return result;
}

}  // namespace

void bind_npy(py::module_& module) {
  module.def("_open_memmap", &open_source_py, py::arg("source"), py::arg("mode"), py::arg("dtype"),
             py::arg("shape"), py::arg("max_header_size"), py::arg("subtype"),
             "The work of open_memmap's modes r, r+ and c, and of load(mmap_mode=...).");
  module.def("_create_memmap", &create_memmap_py, py::arg("subtype"), py::arg("path"),
             py::arg("dtype"), py::arg("shape"), py::arg("fortran_order"), py::arg("version"),
             "The work of open_memmap's mode w+.");
  module.def("open", &open_py, py::arg("path"), py::arg("mode") = "r",
             py::arg("dtype") = py::none(), py::arg("shape") = py::none(), py::kw_only(),
             py::arg("max_header_size") = 10000,
             R"doc(
Maps a .npy file as an array with the file's dtype, shape and order (no data is read).
`path` may also be a file object with fileno() or a file descriptor.

mode: 'r' (default) read-only, 'r+' writes reach the file, 'c' copy-on-write.
dtype, shape: for a raw file instead, what it holds (as map_file; shape defaults to flat). A
    .npy file is never read as raw: with dtype given it is a FormatError.
max_header_size: the longest header accepted, as numpy.load's max_header_size.

Returns a numpy.ndarray whose .base is a maparray.Mapping. Raises maparray.FormatError for a
malformed file (bad header, data shorter than the header says), OSError, ValueError.
)doc");
  module.def("create_npy", &create_npy_py, py::arg("path"), py::arg("dtype"), py::arg("shape"),
             py::arg("order") = "C", py::kw_only(), py::arg("overwrite") = false,
             py::arg("sparse") = false, R"doc(
Creates the .npy file `path` holding a zero-filled array of `dtype` and `shape` in `order`,
with the header numpy.save writes (numpy.load reads it; it can grow with append_npy), and maps
it read-write. Space is reserved up front unless sparse=True; an existing file is a
FileExistsError unless overwrite=True. Returns a numpy.ndarray whose .base is a Mapping.
)doc");
  module.def("npy_header", &npy_header_py, py::arg("path"), py::kw_only(),
             py::arg("max_header_size") = 10000, R"doc(
Reads and checks the header of the .npy file `path` without mapping anything. Returns a dict:
'dtype' (numpy.dtype), 'shape' (tuple), 'fortran_order' (bool) and 'offset' (the byte offset of
the data in the file), as numpy.load would see them. Raises maparray.FormatError for a
malformed header or a file shorter than its header says, OSError.
)doc");
  module.def("append_npy", &append_npy_py, py::arg("path"), py::arg("rows"), py::kw_only(),
             py::arg("max_header_size") = 10000, R"doc(
Appends rows to the .npy file `path` in place: along axis 0 of a C-order file, the last axis
of a Fortran-order one. `rows` is converted to the file's dtype; its shape must be the file's
apart from the growing axis, or it may be one-dimensional holding whole rows. The data is
written and synced before the header, so an interrupted append leaves the old, loadable file.
Arrays already open over the file keep their old extent; open it again to see the new rows.
Raises ValueError (a partial row, a mismatched shape, no room left in the header),
maparray.FormatError, OSError.
)doc");
}

}  // namespace maparray::python
