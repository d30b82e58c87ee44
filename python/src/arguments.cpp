#include "arguments.hpp"

#include <string>

namespace maparray::python {

py::dtype element_dtype(const py::object& like) {
  py::dtype type = py::dtype::from_args(like);
  if (type.attr("hasobject").cast<bool>()) {
    throw py::type_error("dtype " + py::str(type).cast<std::string>() +
                         " holds Python objects, which cannot be stored in a file");
  }
  if (type.itemsize() == 0) {
    throw py::value_error("dtype " + py::str(type).cast<std::string>() +
                          " has size zero; give a size (such as 'S8' or 'V8')");
  }
  return type;
}

namespace {

index_t index_of(py::handle value) {
  const auto index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!index) {
    PyErr_Clear();
    throw py::type_error("shape must be an int or a sequence of ints, not " +
                         py::str(py::type::of(value).attr("__name__")).cast<std::string>());
  }
  return index.cast<index_t>();
}

}  // namespace

std::vector<index_t> shape_of(const py::object& shape) {
  if (shape.is_none()) return {-1};
  if (!py::isinstance<py::sequence>(shape)) return {index_of(shape)};
  std::vector<index_t> dims;
  for (const py::handle item : shape) dims.push_back(index_of(item));
  return dims;
}

order order_of(std::string_view text) {
  if (text == "C" || text == "c") return order::c;
  if (text == "F" || text == "f") return order::fortran;
  throw py::value_error("order must be 'C' or 'F', not '" + std::string(text) + "'");
}

mode mode_of(std::string_view text) {
  if (text == "r" || text == "readonly") return mode::read;
  if (text == "r+" || text == "readwrite") return mode::read_write;
  if (text == "c" || text == "copyonwrite") return mode::copy_on_write;
  throw py::value_error(
      "mode must be one of 'r', 'r+', 'c' (or 'readonly', 'readwrite', "
      "'copyonwrite'), not '" +
      std::string(text) + "'");
}

const char* mode_name(mode m) noexcept {
  switch (m) {
    case mode::read:
      return "r";
    case mode::read_write:
      return "r+";
    case mode::copy_on_write:
      return "c";
  }
  return "?";
}

std::size_t byte_count(const py::object& size) {
  if (size.is_none()) return mapping::whole;
  const auto n = size.cast<std::int64_t>();
  if (n < 0) throw py::value_error("size must not be negative, got " + std::to_string(n));
  return static_cast<std::size_t>(n);
}

}  // namespace maparray::python
