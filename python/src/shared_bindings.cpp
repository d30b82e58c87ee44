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

py::array to_numpy(const any_array& shared) {
  return make_array(wrap_mapping(shared.storage()), py::dtype(shared.type().str()), shared.data(),
                    shared.shape(), shared.byte_strides(), shared.writable());
}

py::array shared_py(const py::args& args, const py::kwargs& kwargs) {
  const auto a = bind({"shared",
                       {"name", "dtype", "shape", "create", "exist_ok", "mode", "order",
                        "permissions", "other_owners"},
                       1, 4},
                      args, kwargs);
  std::optional<std::string> name;
  if (!a[0].is_none()) name = text_of(a[0], "name", "");
  const bool create = flag_of(a[3], "create", false);
  const bool exist_ok = flag_of(a[4], "exist_ok", false);
  const auto permissions = static_cast<mode_t>(integer_of(a[7], "permissions", 0600));
  if ((permissions & ~static_cast<mode_t>(0777)) != 0) {
    throw py::value_error("permissions must be bits of 0o777");
  }
  const bool other_owners = flag_of(a[8], "other_owners", false);
  const bool no_dtype = !a[1] || a[1].is_none();
  const bool no_shape = !a[2] || a[2].is_none();
  if (create || !name) {
    if (no_dtype || no_shape) {
      throw py::value_error("creating a shared array needs a dtype and a shape");
    }
    const dtype type = shared_dtype(element_dtype(a[1]));
    const auto dims = shape_of(a[2]);
    const order layout = order_of(a[6]);
    any_array made;
    {
      py::gil_scoped_release unlocked;
      made = name ? create_shared(*name, type, dims,
                                  {.existing = exist_ok ? if_exists::open : if_exists::fail,
                                   .permissions = permissions,
                                   .order = layout,
                                   .other_owners = other_owners})
                  : create_anonymous_shared(type, dims, {.order = layout});
    }
    return to_numpy(made);
  }
  std::optional<dtype> type;
  if (!no_dtype) type = shared_dtype(element_dtype(a[1]));
  std::optional<shape_spec> dims;
  if (!no_shape) dims.emplace(shape_of(a[2]));
  const mode how = mode_of(a[5], "r+");
  any_array opened;
  {
    py::gil_scoped_release unlocked;
    opened = open_shared(*name, how, type, dims,
                         {.permissions = permissions, .other_owners = other_owners});
  }
  return to_numpy(opened);
}

}  // namespace

void bind_shared(py::module_& module) {
  module.def("shared", &shared_py,
             R"doc(shared(name, dtype=None, shape=None, create=False, *, exist_ok=False, mode='r+', order='C', permissions=0o600, other_owners=False)

An array in memory shared between processes (POSIX shared memory, /dev/shm on Linux).

shared(name, dtype, shape, create=True) creates the zero-filled array `name` ('/counters': one
slash, then up to 255 characters without '/'), readable and writable by this user only. An
existing name is a FileExistsError unless exist_ok=True, which opens it instead (its dtype and
shape must match), so cooperating processes may all call it.

shared(name) opens an existing array with the dtype, shape and order it was created with; a
dtype or shape given is checked. mode: 'r+' (default), 'r' or 'c'.

An existing name is opened only if it belongs to this user and no other user may write it:
another user could have made it first, to read what is written to it or to truncate it under
this process. permissions=0o660 (which is also the mode of a new array) accepts group write,
for a group sharing memory on purpose; other_owners=True accepts another user's array.

shared(None, dtype, shape) makes an anonymous shared array: it has no name, a child process
started with fork() shares it, and it vanishes with the last process using it.

The array is a numpy.ndarray whose .base is a maparray.Mapping; use maparray.atomic_add and
maparray.compare_exchange to update elements from several processes at once. A named array
outlives its processes until remove_shared(name).
Raises FileExistsError, FileNotFoundError, PermissionError (also for an array not trusted),
OSError(ENOSPC), ValueError (a bad name, a dtype or shape that does not match, a FIFO), TypeError (records cannot be shared),
maparray.FormatError (the name holds something else).
)doc");
  module.def(
      "remove_shared",
      [](const py::args& args, const py::kwargs& kwargs) {
        const std::string name =
            text_of(bind({"remove_shared", {"name"}, 1}, args, kwargs)[0], "name", "");
        py::gil_scoped_release unlocked;
        return remove_shared(name);
      },
      R"doc(remove_shared(name)

Removes the name of a shared array. Processes that have it mapped keep using it; its memory
is freed when the last lets go. Returns False if there was no such name.
)doc");
}

}  // namespace maparray::python
