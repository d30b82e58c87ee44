// maparray.Mapping: the Python face of one maparray::mapping, and the numpy arrays over it.
//
// Every array the module returns is a plain numpy.ndarray whose .base is a Mapping. Numpy keeps
// no buffer export for such arrays, so the Mapping counts them itself: each array is registered
// with a weak reference whose callback drops the array's lease on the mapping when the array
// dies. Buffer exports (memoryview(m), numpy.frombuffer(m)) hold a lease too. close() is thus
// refused with BufferError while any array or export still points into the mapping, and no
// array can ever see unmapped memory.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>

#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray::python {

namespace py = pybind11;

struct array_registry;

class mapping_object {
 public:
  explicit mapping_object(mapping storage);

  const mapping& storage() const noexcept { return storage_; }
  mapping& storage() noexcept { return storage_; }
  const std::shared_ptr<array_registry>& registry() const noexcept { return registry_; }
  // The mapped file's path made absolute when the mapping was made (the working directory may
  // change later), or the shared-memory name; empty for other memory.
  const std::filesystem::path& absolute_path() const noexcept { return absolute_path_; }

 private:
  mapping storage_;
  std::filesystem::path absolute_path_;
  std::shared_ptr<array_registry> registry_;
};

// The Mapping behind the Python object `self`. For an instance whose __init__ never ran
// (Mapping.__new__(Mapping)), whose C++ object pybind11 leaves unconstructed, a closed, empty
// mapping that nothing changes. Throws py::type_error if `self` is not a Mapping.
mapping_object& state_of(const py::handle& self);

// Wraps `storage` in a new Python Mapping. Throws std::bad_alloc.
py::object wrap_mapping(mapping storage);

// A numpy array of `type` at `data` (inside the mapping of `owner`, a Python Mapping) with
// `shape` and `byte_strides`, read-only unless `writable`. Its base is `owner`, and it holds a
// lease on the mapping until it is destroyed. It is an instance of `subtype`, a subclass of
// numpy.ndarray, if one is given (its __array_finalize__ is called with None). Throws
// std::logic_error if the mapping is closed.
py::array make_array(const py::object& owner, const py::dtype& type, std::byte* data,
                     std::span<const index_t> shape, std::span<const index_t> byte_strides,
                     bool writable, const py::object& subtype = py::none());

// A contiguous array of `type` at `data` with `shape` in `layout`, as make_array(). A subarray
// dtype (numpy.dtype(('f4', (3,)))) is expanded into trailing dimensions as numpy does, the whole
// shape laid out in `layout`.
py::array make_contiguous_array(const py::object& owner, const py::dtype& type, std::byte* data,
                                std::span<const index_t> shape, order layout, bool writable,
                                const py::object& subtype = py::none());

// Defines maparray.Mapping in `module`.
void bind_mapping(py::module_& module);

}  // namespace maparray::python
