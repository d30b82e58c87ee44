#include "mapping_object.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "arguments.hpp"
#include "maparray/any_array.hpp"
#include "maparray/array.hpp"
#include "maparray/error.hpp"
#include "sources.hpp"

namespace maparray::python {

// The arrays alive over one mapping: weak reference -> (the reference itself, the array's lease).
// Dropping an entry drops the lease.
struct array_registry {
  std::unordered_map<PyObject*, std::pair<py::object, view_lease>> live;
};

namespace {

std::filesystem::path absolute_of(const std::filesystem::path& path) {
  if (path.empty()) return path;
  std::error_code ec;
  const auto whole = std::filesystem::absolute(path, ec);
  return ec ? path : whole.lexically_normal();
}

}  // namespace

mapping_object::mapping_object(mapping storage)
    : storage_(std::move(storage)),
      absolute_path_(absolute_of(storage_.path())),
      registry_(std::make_shared<array_registry>()) {}

mapping_object& state_of(const py::handle& self) {
  if (!py::isinstance<mapping_object>(self)) {
    throw py::type_error("expected a maparray.Mapping, not " +
                         py::str(py::type::of(self).attr("__name__")).cast<std::string>());
  }
  auto* instance = reinterpret_cast<py::detail::instance*>(self.ptr());
  auto holder = instance->get_value_and_holder(py::detail::get_type_info(typeid(mapping_object)));
  // Never changed: closing an empty mapping does nothing.
  static mapping_object unopened{mapping()};
  if (!holder.holder_constructed()) return unopened;
  return *static_cast<mapping_object*>(holder.value_ptr());
}

py::object wrap_mapping(mapping storage) {
  return py::cast(mapping_object(std::move(storage)));
}

namespace {

// Where a zero-size array points when its mapping has no bytes: numpy needs some address to
// keep the base it is given, and never reads from it.
alignas(64) std::byte empty_storage[64];

}  // namespace

namespace {

// As pybind11's py::array constructor, for a subclass of numpy.ndarray.
py::array new_subclass_array(const py::object& subtype, const py::dtype& type, std::byte* data,
                             std::span<const index_t> shape, std::span<const index_t> byte_strides,
                             bool writable, const py::object& owner) {
  if (!PyType_Check(subtype.ptr()) ||
      !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(subtype.ptr()),
                        py::detail::npy_api::get().PyArray_Type_)) {
    throw py::type_error("subtype must be a subclass of numpy.ndarray");
  }
  std::vector<Py_intptr_t> dims(shape.begin(), shape.end());
  std::vector<Py_intptr_t> strides(byte_strides.begin(), byte_strides.end());
  auto& api = py::detail::npy_api::get();
  auto result = py::reinterpret_steal<py::array>(api.PyArray_NewFromDescr_(
      reinterpret_cast<PyTypeObject*>(subtype.ptr()), type.inc_ref().ptr(),
      static_cast<int>(dims.size()), dims.data(), strides.data(), data,
      writable ? py::detail::npy_api::NPY_ARRAY_WRITEABLE_ : 0, nullptr));
  if (!result) throw py::error_already_set();
  if (api.PyArray_SetBaseObject_(result.ptr(), owner.inc_ref().ptr()) != 0) {
    throw py::error_already_set();
  }
  return result;
}

}  // namespace

py::array make_array(const py::object& owner, const py::dtype& type, std::byte* data,
                     std::span<const index_t> shape, std::span<const index_t> byte_strides,
                     bool writable, const py::object& subtype) {
  auto& self = state_of(owner);
  view_lease lease = self.storage().lease();  // throws if closed
  std::byte* at = data != nullptr ? data : empty_storage;
  py::array result;
  if (subtype.is_none()) {
    std::vector<py::ssize_t> dims(shape.begin(), shape.end());
    std::vector<py::ssize_t> strides(byte_strides.begin(), byte_strides.end());
    result = py::array(type, std::move(dims), std::move(strides), at, owner);
    if (!writable) py::setattr(result.attr("flags"), "writeable", py::bool_(false));
  } else {
    result = new_subclass_array(subtype, type, at, shape, byte_strides, writable, owner);
  }

  // The callback holds the registry only weakly, so no reference cycle keeps a Mapping alive.
  std::weak_ptr<array_registry> registry = self.registry();
  py::cpp_function forget([registry](py::handle reference) {
    if (auto r = registry.lock()) r->live.erase(reference.ptr());
  });
  auto reference = py::reinterpret_steal<py::object>(PyWeakref_NewRef(result.ptr(), forget.ptr()));
  if (!reference) throw py::error_already_set();
  PyObject* key = reference.ptr();
  self.registry()->live.emplace(key, std::make_pair(std::move(reference), std::move(lease)));
  return result;
}

py::array make_contiguous_array(const py::object& owner, const py::dtype& type, std::byte* data,
                                std::span<const index_t> shape, order layout, bool writable,
                                const py::object& subtype) {
  std::vector<index_t> extents(shape.begin(), shape.end());
  py::dtype element = type;
  const py::object sub = type.attr("subdtype");
  if (!sub.is_none()) {
    element = sub[py::int_(0)].cast<py::dtype>();
    for (const py::handle d : sub[py::int_(1)]) extents.push_back(d.cast<index_t>());
  }
  const dims strides = contiguous_strides(dims(std::span<const index_t>(extents)), layout);
  std::vector<index_t> byte_strides(strides.begin(), strides.end());
  for (auto& s : byte_strides) s *= element.itemsize();
  return make_array(owner, element, data, extents, byte_strides, writable, subtype);
}

namespace {

// What a buffer export of a Mapping holds: a lease, so close() is refused while it lives.
struct buffer_export {
  view_lease lease;
};

int get_buffer(PyObject* object, Py_buffer* view, int flags) {
  try {
    const mapping& storage = state_of(object).storage();
    if (!storage.is_open()) {
      PyErr_SetString(PyExc_ValueError, "the mapping is closed");
      return -1;
    }
    auto state = std::make_unique<buffer_export>(buffer_export{storage.lease()});
    void* data = storage.data() != nullptr ? storage.data() : empty_storage;
    if (PyBuffer_FillInfo(view, object, data, static_cast<Py_ssize_t>(storage.size()),
                          storage.writable() ? 0 : 1, flags) != 0) {
      return -1;  // a writable buffer asked of a read-only mapping: BufferError is set
    }
    view->internal = state.release();
    return 0;
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_BufferError, e.what());
    return -1;
  }
}

void release_buffer(PyObject*, Py_buffer* view) {
  delete static_cast<buffer_export*>(view->internal);
  view->internal = nullptr;
}

maparray::advice advice_of(std::string_view text) {
  static const std::pair<std::string_view, maparray::advice> names[] = {
      {"normal", advice::normal},     {"sequential", advice::sequential},
      {"random", advice::random},     {"willneed", advice::willneed},
      {"dontneed", advice::dontneed}, {"hugepage", advice::hugepage},
  };
  for (const auto& [name, value] : names) {
    if (name == text) return value;
  }
  throw py::value_error(
      "advice must be one of 'normal', 'sequential', 'random', 'willneed', "
      "'dontneed', 'hugepage', not '" +
      std::string(text) + "'");
}

// A lease for the duration of a call that runs without the GIL, so that another thread cannot
// close the mapping meanwhile.
view_lease hold(const mapping_object& self) {
  return self.storage().lease();
}

}  // namespace

void bind_mapping(py::module_& module) {
  py::class_<mapping_object> cls(module, "Mapping", py::buffer_protocol(), R"doc(
One mapped region of a file, of shared memory or of memory borrowed from another buffer.

Every array maparray returns is a plain numpy.ndarray whose .base is a Mapping (views of it
have the array as their base; maparray.mapping_of() walks the chain). The Mapping stays mapped
while any array over it exists. close() unmaps it at once and raises BufferError while arrays
(or memoryviews of the Mapping) still use it, so no array ever reads unmapped memory.

A Mapping exports the buffer protocol (bytes, read-only for mode 'r'), and is a context
manager that closes it on exit.

Mapping(path, mode='r', offset=0, size=None) maps bytes [offset, offset + size) of a file (to
its end by default; path may also be a file object or a descriptor); Mapping.array() makes
arrays over it.
)doc");
  auto* heap_type = reinterpret_cast<PyHeapTypeObject*>(cls.ptr());
  heap_type->as_buffer.bf_getbuffer = get_buffer;
  heap_type->as_buffer.bf_releasebuffer = release_buffer;

  cls.def(py::init([](const py::args& args, const py::kwargs& kwargs) {
            const auto a = bind({"Mapping", {"path", "mode", "offset", "size"}, 1}, args, kwargs);
            file_source src = source_of(a[0]);
            const mapping::options opts{.mode = mode_of(a[1], "r"),
                                        .offset = integer_of(a[2], "offset"),
                                        .length = optional_integer_of(a[3], "size")};
            py::gil_scoped_release unlocked;
            return mapping_object(mapping::adopt(open_source(std::move(src), opts.mode), opts));
          }),
          "__init__(path, mode='r', offset=0, size=None)");

  cls.def(
      "array",
      [](const py::object& self, const py::args& args, const py::kwargs& kwargs) {
        const auto a =
            bind({"array", {"dtype", "shape", "offset", "count", "order"}, 0}, args, kwargs);
        const mapping& storage = state_of(self).storage();
        const py::dtype type = element_dtype(a[0] ? a[0] : py::str("u1"));
        const auto dims = shape_of(a[1]);
        const index_t offset = integer_of(a[2], "offset");
        const auto count = optional_integer_of(a[3], "count");
        const order layout_order = order_of(a[4]);
        if (!storage.is_open()) throw py::value_error("the mapping is closed");
        const any_array elements =
            array_from_mapping(storage, opaque_elements(type), dims,
                               {.offset = offset, .count = count, .order = layout_order});
        return make_contiguous_array(self, type, elements.data(), elements.shape(), layout_order,
                                     storage.writable());
      },
      R"doc(array(dtype='u1', shape=None, offset=0, count=None, order='C')

A new array over this mapping: `count` elements of `dtype` (default: all whole elements)
starting `offset` bytes into the mapping, in `shape` (one dimension may be -1), in C or
Fortran `order`. The offset need not be aligned; numpy handles unaligned arrays.
Raises ValueError if the elements do not fit or the mapping is closed.
)doc");

  cls.def(
      "flush",
      [](const py::object& object, const py::args& args, const py::kwargs& kwargs) {
        const mapping_object& self = state_of(object);
        const auto a = bind({"flush", {"offset", "size", "sync"}, 0}, args, kwargs);
        const std::size_t offset = byte_count(a[0], "offset", 0);
        const std::size_t bytes = byte_count(a[1], "size");
        const bool sync = flag_of(a[2], "sync", true);
        const view_lease lease = hold(self);
        py::gil_scoped_release unlocked;
        self.storage().flush(offset, bytes, sync ? flush_mode::sync : flush_mode::async);
      },
      R"doc(flush(offset=0, size=None, sync=True)

Writes the modified pages of bytes [offset, offset + size) (default: all) back to the file;
only pages actually modified are written. With sync=False, starts the write-back and returns.
Does nothing for read-only, copy-on-write and borrowed memory. Raises OSError with the errno
the kernel reported (EIO, ENOSPC...), ValueError for a range outside the mapping or a closed
mapping.
)doc");

  cls.def(
      "close",
      [](const py::object& self) {
        // Arrays that are only unreachable garbage in a reference cycle still count; the
        // caller can gc.collect() and retry.
        state_of(self).storage().close();
      },
      R"doc(close()

Unmaps the region and closes its file now. Raises BufferError while arrays or memoryviews
still use the mapping (delete them first); closing twice does nothing.
)doc");

  cls.def(
      "advise",
      [](const py::object& object, const py::args& args, const py::kwargs& kwargs) {
        const mapping_object& self = state_of(object);
        const auto a = bind({"advise", {"advice", "offset", "size"}, 1}, args, kwargs);
        const maparray::advice hint = advice_of(text_of(a[0], "advice", ""));
        const std::size_t offset = byte_count(a[1], "offset", 0);
        self.storage().advise(hint, offset, byte_count(a[2], "size"));
      },
      R"doc(advise(advice, offset=0, size=None)

Tells the kernel how bytes [offset, offset + size) will be used (madvise): 'normal',
'sequential', 'random' (stops readahead, for scattered access), 'willneed', 'dontneed' (drops
the pages; clean file pages are re-read later; refused for copy-on-write and borrowed memory,
whose written pages it would discard) or 'hugepage'. Raises OSError if the kernel refuses,
ValueError for other names or a range outside the mapping.
)doc");

  cls.def(
      "prefetch",
      [](const py::object& object, const py::args& args, const py::kwargs& kwargs) {
        const mapping_object& self = state_of(object);
        const auto a = bind({"prefetch", {"offset", "size", "write"}, 0, 2}, args, kwargs);
        const std::size_t offset = byte_count(a[0], "offset", 0);
        const std::size_t bytes = byte_count(a[1], "size");
        const bool write = flag_of(a[2], "write", false);
        const view_lease lease = hold(self);
        py::gil_scoped_release unlocked;
        self.storage().prefetch(write ? access::write : access::read, offset, bytes);
      },
      R"doc(prefetch(offset=0, size=None, *, write=False)

Reads bytes [offset, offset + size) (default: all) into memory now, so that later accesses
do not wait for the disk. write=True also makes the pages writable (marking shared file pages
dirty), for pages about to be overwritten. Raises OSError, ValueError.
)doc");

  cls.def(
      "resident_bytes",
      [](const py::object& object, const py::args& args, const py::kwargs& kwargs) {
        const mapping_object& self = state_of(object);
        const auto a = bind({"resident_bytes", {"offset", "size"}, 0}, args, kwargs);
        const std::size_t offset = byte_count(a[0], "offset", 0);
        return self.storage().resident_bytes(offset, byte_count(a[1], "size"));
      },
      "resident_bytes(offset=0, size=None)\n\nHow many bytes of [offset, offset + size) are in "
      "memory now (mincore), in whole pages.");

  cls.def(
      "fileno", [](const py::object& self) { return state_of(self).storage().fd(); },
      "The descriptor of the mapped file, or -1 for memory without one.");
  cls.def("__enter__", [](const py::object& self) { return self; });
  cls.def("__exit__",
          [](const py::object& self, const py::args&) { state_of(self).storage().close(); });
  cls.def("__len__", [](const py::object& self) { return state_of(self).storage().size(); });
  cls.def("__repr__", [](const py::object& self) {
    const mapping& m = state_of(self).storage();
    const std::string where = m.path().empty() ? "memory" : "'" + m.path().string() + "'";
    if (!m.is_open()) return "<maparray.Mapping " + where + " closed>";
    return "<maparray.Mapping " + where + " mode '" + mode_name(m.mode()) + "', " +
           std::to_string(m.size()) + " bytes at offset " + std::to_string(m.offset()) + ", " +
           std::to_string(m.views()) + " user(s)>";
  });

  cls.def_property_readonly(
      "closed", [](const py::object& self) { return !state_of(self).storage().is_open(); },
      "True once close() has succeeded.");
  cls.def_property_readonly(
      "path",
      [](const py::object& self) -> py::object {
        const auto& p = state_of(self).absolute_path();
        if (p.empty()) return py::none();
        // A str, decoded as os.fsdecode() does (undecodable bytes as surrogate escapes).
        return py::reinterpret_steal<py::object>(PyUnicode_DecodeFSDefault(p.c_str()));
      },
      "The mapped file's absolute path (or the shared-memory name), None for other memory.");
  cls.def_property_readonly(
      "mode", [](const py::object& self) { return mode_name(state_of(self).storage().mode()); },
      "'r' (read-only), 'r+' (writes reach the file) or 'c' (copy-on-write: writes stay in "
      "this process).");
  cls.def_property_readonly(
      "size", [](const py::object& self) { return state_of(self).storage().size(); },
      "The mapped length in bytes.");
  cls.def_property_readonly(
      "offset", [](const py::object& self) { return state_of(self).storage().offset(); },
      "The file offset of the first mapped byte.");
  cls.def_property_readonly(
      "users",
      [](const py::object& self) {
        const auto n = state_of(self).storage().views();
        return n < 0 ? std::int64_t{0} : n;
      },
      "How many arrays and buffer exports use the mapping now; close() needs 0.");
}

}  // namespace maparray::python
