#include "shared_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "maparray/shared.hpp"
#include "mapping_object.hpp"

namespace maparray::python {
namespace {

// The library dtype of a numpy dtype that shared memory can hold: a primitive type.
dtype shared_dtype(const py::dtype& type) {
  if (type.attr("fields").cast<py::object>().is_none() && type.attr("subdtype").is_none()) {
    return dtype::parse(type.attr("str").cast<std::string>());
  }
  throw py::type_error("shared arrays hold primitive types, not " +
                       py::str(py::handle(type)).cast<std::string>());
}

py::array to_numpy(const detail::shared_view& shared) {
  const py::dtype type(shared.type.str());
  const auto& layout = shared.view.layout;
  std::vector<index_t> strides(layout.strides.begin(), layout.strides.end());
  for (auto& s : strides) s *= type.itemsize();
  return make_array(wrap_mapping(shared.view.storage), type, layout.data, layout.shape.span(),
                    strides, shared.view.storage.writable());
}

py::array shared_py(const std::optional<std::string>& name, const py::object& dtype_like,
                    const py::object& shape, bool create, bool exist_ok, std::string_view mode_text,
                    std::string_view order_text) {
  if (create || !name) {
    if (dtype_like.is_none() || shape.is_none()) {
      throw py::value_error("creating a shared array needs a dtype and a shape");
    }
    const dtype type = shared_dtype(element_dtype(dtype_like));
    const auto dims = shape_of(shape);
    const order layout = order_of(order_text);
    detail::shared_view made;
    {
      py::gil_scoped_release unlocked;
      made = name ? detail::create_shared_raw(*name, type, dims,
                                              {.open_existing = exist_ok, .order = layout})
                  : detail::create_anonymous_raw(type, dims, layout);
    }
    return to_numpy(made);
  }
  std::optional<dtype> type;
  if (!dtype_like.is_none()) type = shared_dtype(element_dtype(dtype_like));
  std::optional<shape_spec> dims;
  if (!shape.is_none()) dims.emplace(shape_of(shape));
  const mode how = mode_of(mode_text);
  detail::shared_view opened;
  {
    py::gil_scoped_release unlocked;
    opened = detail::open_shared_raw(*name, how, type ? &*type : nullptr, dims ? &*dims : nullptr);
  }
  return to_numpy(opened);
}

}  // namespace

void bind_shared(py::module_& module) {
  module.def("shared", &shared_py, py::arg("name"), py::arg("dtype") = py::none(),
             py::arg("shape") = py::none(), py::arg("create") = false, py::kw_only(),
             py::arg("exist_ok") = false, py::arg("mode") = "r+", py::arg("order") = "C",
             R"doc(
An array in memory shared between processes (POSIX shared memory, /dev/shm on Linux).

shared(name, dtype, shape, create=True) creates the zero-filled array `name` ('/counters': one
slash, then up to 255 characters without '/'), readable and writable by this user only. An
existing name is a FileExistsError unless exist_ok=True, which opens it instead (its dtype and
shape must match), so cooperating processes may all call it.

shared(name) opens an existing array with the dtype, shape and order it was created with; a
dtype or shape given is checked. mode: 'r+' (default), 'r' or 'c'.

shared(None, dtype, shape) makes an anonymous shared array: it has no name, a child process
started with fork() shares it, and it vanishes with the last process using it.

The array is a numpy.ndarray whose .base is a maparray.Mapping; use maparray.atomic_add and
maparray.compare_exchange to update elements from several processes at once. A named array
outlives its processes until remove_shared(name).
Raises FileExistsError, FileNotFoundError, PermissionError, OSError(ENOSPC), ValueError (a bad
name, a dtype or shape that does not match), TypeError (records cannot be shared),
maparray.FormatError (the name holds something else).
)doc");
  module.def(
      "remove_shared",
      [](const std::string& name) {
        py::gil_scoped_release unlocked;
        return remove_shared(name);
      },
      py::arg("name"), R"doc(
Removes the name of a shared array. Processes that have it mapped keep using it; its memory
is freed when the last lets go. Returns False if there was no such name.
)doc");
}

}  // namespace maparray::python
