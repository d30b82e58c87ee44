#include "npz_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>

#include "arguments.hpp"
#include "maparray/npz.hpp"
#include "mapping_object.hpp"
#include "npy_bindings.hpp"
#include "sources.hpp"

namespace maparray::python {
namespace {

// The archive and the one Python Mapping that every array over it has as its base.
struct npz_object {
  npz_archive archive;
  py::object mapping;
};

npz_object open_npz(const py::object& source, std::string_view mode_text,
                    std::size_t max_header_size) {
  const npz_options opts{.mode = mode_of(mode_text),
                         .limits = {.max_header_length = max_header_size}};
  file_source src = source_of(source);
  npz_archive archive = [&] {
    py::gil_scoped_release unlocked;
    if (src.path) return npz_archive::open(*src.path, opts);
    return npz_archive::open(std::move(*src.opened), opts);
  }();
  py::object mapping = wrap_mapping(archive.storage());
  return {std::move(archive), std::move(mapping)};
}

}  // namespace

void bind_npz(py::module_& module) {
  py::class_<npz_object>(module, "_NpzArchive", "A .npz archive mapped once; use maparray.NpzFile.")
      .def(py::init(&open_npz), py::arg("source"), py::arg("mode"), py::arg("max_header_size"))
      .def(
          "members",
          [](const npz_object& self) {
            py::list members;
            for (const npz_member& m : self.archive.members()) {
              members.append(py::make_tuple(m.entry.name, m.key, m.mappable(), m.is_npy(),
                                            m.entry.method, m.entry.size));
            }
            return members;
          },
          "(name, key, mappable, is_npy, method, size) of every member, in order.")
      .def(
          "array",
          [](const npz_object& self, const std::string& name) {
            const any_array a = self.archive.array(self.archive.member(name));
            return make_array(self.mapping, numpy_dtype_of(a.type()), a.data(), a.shape(),
                              a.byte_strides(), a.writable());
          },
          py::arg("name"), "The array in stored .npy member `name`, mapped in place.")
      .def(
          "bytes",
          [](const npz_object& self, const std::string& name) {
            const auto bytes = self.archive.bytes(self.archive.member(name));
            return py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
          },
          py::arg("name"), "A copy of the bytes of stored member `name`.")
      .def_readonly("mapping", &npz_object::mapping, "The Mapping of the whole archive.");
}

}  // namespace maparray::python
