#include "npy_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <chrono>
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

// The header-length limit as a Python caller gives it: max_header_size, a non-negative int.
npy::limits limits_of(const py::object& value) {
  return {.max_header_length = byte_count(value, "max_header_size", 10000)};
}

// How long to wait for the header lock: lock_timeout in seconds, as a float or an int.
std::chrono::milliseconds lock_timeout_of(const py::object& value) {
  if (!value) return npy_options{}.lock_timeout;
  const auto seconds = py::reinterpret_steal<py::object>(PyNumber_Float(value.ptr()));
  if (!seconds || PyBool_Check(value.ptr())) {
    PyErr_Clear();
    throw py::type_error("lock_timeout must be a number of seconds, not " +
                         py::str(py::type::of(value).attr("__name__")).cast<std::string>());
  }
  const double s = seconds.cast<double>();
  if (!(s >= 0) || s > 1e9) {
    throw py::value_error("lock_timeout must be between 0 and 1e9 seconds, not " +
                          py::str(value).cast<std::string>());
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000));
}

// Runs `work`, saying a header longer than the limit in the Python caller's terms.
template <class F>
decltype(auto) with_python_limit_names(F&& work) {
  try {
    return work();
  } catch (const format_error& e) {
    std::string what = e.what();
    const std::string cpp = "raise npy::limits::max_header_length";
    if (const auto at = what.find(cpp); at != std::string::npos) {
      what.replace(at, cpp.size(), "pass a larger max_header_size");
      throw format_error(what);
    }
    throw;
  }
}

// A mapped .npy file (or raw file, given a dtype) from `source` as an array of `subtype` (None:
// numpy.ndarray). `opts` holds the mode and, for a .npy file, its limits and lock timeout.
py::array open_source_py(const py::object& source, const npy_options& opts,
                         const py::object& dtype_like, const py::object& shape,
                         const py::object& subtype) {
  const mode how = *opts.mode;
  file_source src = source_of(source);
  if (dtype_like && !dtype_like.is_none()) {
    // A raw file: the caller says what it holds.
    const py::dtype type = element_dtype(dtype_like);
    const auto dims = shape_of(shape);
    any_array mapped;
    {
      py::gil_scoped_release unlocked;
      file f = open_source(std::move(src), how);
      refuse_npy_as_raw(f, 0);
      mapped = map_file(std::move(f), dtype::primitive(dtype_kind::raw, type.itemsize()), dims,
                        {.mode = how, .exact_writeback = opts.exact_writeback});
    }
    return make_contiguous_array(wrap_mapping(mapped.storage()), type, mapped.data(),
                                 mapped.shape(), order::c, mapped.writable(), subtype);
  }
  if (shape && !shape.is_none()) {
    throw py::value_error("a .npy file has its own shape; give no shape");
  }
  any_array opened;
  with_python_limit_names([&] {
    py::gil_scoped_release unlocked;
    opened = open_npy(open_source(std::move(src), how), opts);
  });
  const py::dtype type = numpy_dtype_of(opened.type());
  return make_array(wrap_mapping(opened.storage()), type, opened.data(), opened.shape(),
                    opened.byte_strides(), opened.writable(), subtype);
}

// open_memmap's modes r, r+ and c, and load(mmap_mode=...).
py::array open_memmap_py(const py::object& source, const py::object& mode_text,
                         const py::object& dtype_like, const py::object& shape,
                         const py::object& max_header_size, const py::object& subtype) {
  const npy_options opts{.mode = mode_of(mode_text, "r"), .limits = limits_of(max_header_size)};
  return open_source_py(source, opts, dtype_like, shape, subtype);
}

py::array open_py(const py::args& args, const py::kwargs& kwargs) {
  const auto a = bind(
      {"open",
       {"path", "mode", "dtype", "shape", "max_header_size", "lock_timeout", "exact_writeback"},
       1,
       4},
      args, kwargs);
  const npy_options opts{.mode = mode_of(a[1], "r"),
                         .limits = limits_of(a[4]),
                         .lock_timeout = lock_timeout_of(a[5]),
                         .exact_writeback = flag_of(a[6], "exact_writeback", false)};
  return open_source_py(a[0], opts, a[2], a[3], py::none());
}

// A new .npy file as an array of `subtype` (None: numpy.ndarray).
py::array create_npy_subtype(const std::filesystem::path& path, const py::object& dtype_like,
                             const py::object& shape, order layout, bool overwrite, bool sparse,
                             const py::object& subtype) {
  py::dtype type = element_dtype(dtype_like);
  std::vector<index_t> dims = shape_of(shape);
  const py::object sub = type.attr("subdtype");
  if (!sub.is_none()) {  // numpy.save stores ('f4', (3,)) elements as a trailing dimension
    type = sub[py::int_(0)].cast<py::dtype>();
    for (const py::handle d : sub[py::int_(1)]) dims.push_back(d.cast<index_t>());
  }
  const dtype element = dtype_of_numpy(type);
  const create_options opts{.existing = overwrite ? if_exists::replace : if_exists::fail,
                            .sparse = sparse,
                            .order = layout};
  any_array made;
  {
    py::gil_scoped_release unlocked;
    made = create_npy(path, element, dims, opts);
  }
  return make_array(wrap_mapping(made.storage()), type, made.data(), made.shape(),
                    made.byte_strides(), made.writable(), subtype);
}

py::array create_npy_py(const py::args& args, const py::kwargs& kwargs) {
  const auto a =
      bind({"create_npy", {"path", "dtype", "shape", "order", "overwrite", "sparse"}, 3, 4}, args,
           kwargs);
  return create_npy_subtype(path_of(a[0]), a[1], a[2], order_of(a[3]),
                            flag_of(a[4], "overwrite", false), flag_of(a[5], "sparse", false),
                            py::none());
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
  return create_npy_subtype(path, dtype_like, shape, fortran_order ? order::fortran : order::c,
                            true, false, subtype);
}

void append_npy_py(const py::args& args, const py::kwargs& kwargs) {
  const auto a =
      bind({"append_npy", {"path", "rows", "max_header_size", "lock_timeout"}, 2, 2}, args, kwargs);
  const auto path = path_of(a[0]);
  const npy_options base{.limits = limits_of(a[2]), .lock_timeout = lock_timeout_of(a[3])};
  npy::header head;
  with_python_limit_names([&] {
    py::gil_scoped_release unlocked;
    head = npy::read_header(path, base.limits);
  });
  const py::dtype type = numpy_dtype_of(head.type);
  const py::module_ numpy = py::module_::import("numpy");
  // The rows as the file's dtype, in the file's memory order.
  const py::array data = numpy.attr(head.fortran_order ? "asfortranarray" : "ascontiguousarray")(
      a[1], py::arg("dtype") = type);
  // The library checks the dtype and the shape against the file's, under its lock.
  const std::span<std::byte> bytes(static_cast<std::byte*>(const_cast<void*>(data.data())),
                                   static_cast<std::size_t>(data.nbytes()));
  const std::vector<index_t> dims(data.shape(), data.shape() + data.ndim());
  const any_array rows =
      array_from_mapping(mapping::borrow(bytes, false), head.type, dims,
                         {.order = head.fortran_order ? order::fortran : order::c});
  with_python_limit_names([&] {
    py::gil_scoped_release unlocked;
    append_npy(path, rows, base);
  });
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
  module.def("_open_memmap", &open_memmap_py, py::arg("source"), py::arg("mode"), py::arg("dtype"),
             py::arg("shape"), py::arg("max_header_size"), py::arg("subtype"),
             "The work of open_memmap's modes r, r+ and c, and of load(mmap_mode=...).");
  module.def("_create_memmap", &create_memmap_py, py::arg("subtype"), py::arg("path"),
             py::arg("dtype"), py::arg("shape"), py::arg("fortran_order"), py::arg("version"),
             "The work of open_memmap's mode w+.");
  module.def(
      "open", &open_py,
      R"doc(open(path, mode='r', dtype=None, shape=None, *, max_header_size=10000, lock_timeout=60.0, exact_writeback=False)

Maps a .npy file as an array with the file's dtype, shape and order (no data is read).
`path` may also be a file object with fileno() or a file descriptor.

mode: 'r' (default) read-only, 'r+' writes reach the file, 'c' copy-on-write.
dtype, shape: for a raw file instead, what it holds (as map_file; shape defaults to flat). A
    .npy file is never read as raw: with dtype given it is a FormatError.
max_header_size: the longest header accepted, as numpy.load's max_header_size.
lock_timeout: how many seconds to wait for an append in another process to finish its header
    (TimeoutError after that).
exact_writeback: for mode 'r+', write back only the pages written (see map_file).

Returns a numpy.ndarray whose .base is a maparray.Mapping. Raises maparray.FormatError for a
malformed file (bad header, data shorter than the header says), OSError, ValueError.
)doc");
  module.def("create_npy", &create_npy_py,
             R"doc(create_npy(path, dtype, shape, order='C', *, overwrite=False, sparse=False)

Creates the .npy file `path` holding a zero-filled array of `dtype` and `shape` in `order`,
with the header numpy.save writes (numpy.load reads it; it can grow with append_npy), and maps
it read-write. Space is reserved up front unless sparse=True; an existing file is a
FileExistsError unless overwrite=True (which keeps the replaced file's permission bits). Returns a numpy.ndarray whose .base is a Mapping.
)doc");
  module.def("npy_header", &npy_header_py, py::arg("path"), py::kw_only(),
             py::arg("max_header_size") = 10000, R"doc(
Reads and checks the header of the .npy file `path` without mapping anything. Returns a dict:
'dtype' (numpy.dtype), 'shape' (tuple), 'fortran_order' (bool) and 'offset' (the byte offset of
the data in the file), as numpy.load would see them. Raises maparray.FormatError for a
malformed header or a file shorter than its header says, OSError.
)doc");
  module.def("append_npy", &append_npy_py,
             R"doc(append_npy(path, rows, *, max_header_size=10000, lock_timeout=60.0)

Appends rows to the .npy file `path` in place: along axis 0 of a C-order file, the last axis
of a Fortran-order one. `rows` is converted to the file's dtype; its shape must be the file's
apart from the growing axis, or it may be one-dimensional holding whole rows. The space is
reserved first and the data written and synced before the header, so an interrupted append
leaves the old, loadable file, and a full disk changes nothing. Arrays already open over the
file keep their old extent; open it again to see the new rows. lock_timeout: seconds to wait
for another append or reader of the header.
Raises ValueError (a partial row, a mismatched shape, no room left in the header),
maparray.FormatError, TimeoutError, OSError.
)doc");
}

}  // namespace maparray::python
