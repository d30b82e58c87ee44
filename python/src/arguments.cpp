#include "arguments.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace maparray::python {
namespace {

std::string type_name(const py::handle& value) {
  return py::str(py::type::of(value).attr("__name__")).cast<std::string>();
}

bool given(const py::object& value) {
  return value && !value.is_none();
}

std::string quoted_names(const std::vector<const char*>& names) {
  std::string text;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k > 0) text += names.size() == 2 ? " and " : k + 1 == names.size() ? ", and " : ", ";
    text += "'" + std::string(names[k]) + "'";
  }
  return text;
}

}  // namespace

std::vector<py::object> bind(const signature& sig, const py::args& args, const py::kwargs& kwargs) {
  const std::string function = std::string(sig.function) + "()";
  const std::size_t positional = std::min(sig.keyword_only, sig.names.size());
  if (args.size() > positional) {
    const std::string range = sig.required == positional ? std::to_string(positional)
                                                         : "from " + std::to_string(sig.required) +
                                                               " to " + std::to_string(positional);
    throw py::type_error(function + " takes " + range + " positional argument" +
                         (positional == 1 ? "" : "s") + " but " + std::to_string(args.size()) +
                         (args.size() == 1 ? " was" : " were") + " given");
  }
  std::vector<py::object> bound(sig.names.size());
  for (std::size_t k = 0; k < args.size(); ++k)
    bound[k] = py::reinterpret_borrow<py::object>(args[k]);
  for (const auto& [key, value] : kwargs) {
    const std::string name = py::str(key).cast<std::string>();
    std::size_t k = 0;
    while (k < sig.names.size() && name != sig.names[k]) ++k;
    if (k == sig.names.size()) {
      throw py::type_error(function + " got an unexpected keyword argument '" + name + "'");
    }
    if (bound[k])
      throw py::type_error(function + " got multiple values for argument '" + name + "'");
    bound[k] = py::reinterpret_borrow<py::object>(value);
  }
  std::vector<const char*> missing;
  for (std::size_t k = 0; k < sig.required; ++k) {
    if (!bound[k]) missing.push_back(sig.names[k]);
  }
  if (!missing.empty()) {
    throw py::type_error(function + " missing " + std::to_string(missing.size()) + " required " +
                         "argument" + (missing.size() == 1 ? "" : "s") + ": " +
                         quoted_names(missing));
  }
  return bound;
}

index_t integer_of(const py::object& value, const char* what, index_t fallback) {
  if (!value) return fallback;
  const auto index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!index) {
    PyErr_Clear();
    throw py::type_error(std::string(what) + " must be an integer, not " + type_name(value));
  }
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (overflow != 0) {
    throw std::overflow_error(std::string(what) + " " + py::str(index).cast<std::string>() +
                              " does not fit in a signed 64-bit integer");
  }
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  return static_cast<index_t>(v);
}

std::optional<index_t> optional_integer_of(const py::object& value, const char* what) {
  if (!given(value)) return std::nullopt;
  return integer_of(value, what);
}

std::size_t byte_count(const py::object& value, const char* what, std::size_t whole) {
  if (!given(value)) return whole;
  const index_t n = integer_of(value, what);
  if (n < 0)
    throw py::value_error(std::string(what) + " must not be negative, got " + std::to_string(n));
  return static_cast<std::size_t>(n);
}

bool flag_of(const py::object& value, const char* what, bool fallback) {
  if (!value) return fallback;
  if (PyBool_Check(value.ptr())) return value.ptr() == Py_True;
  if (py::isinstance(value, py::module_::import("numpy").attr("bool_"))) {
    return PyObject_IsTrue(value.ptr()) == 1;
  }
  throw py::type_error(std::string(what) + " must be True or False, not " + type_name(value));
}

std::string text_of(const py::object& value, const char* what, const char* fallback) {
  if (!value) return fallback;
  if (!PyUnicode_Check(value.ptr())) {
    throw py::type_error(std::string(what) + " must be a str, not " + type_name(value));
  }
  return value.cast<std::string>();
}

std::filesystem::path path_of(const py::object& value) {
  // As open() does: os.fspath(), then str or bytes in the file system's encoding.
  const auto fspath = py::reinterpret_steal<py::object>(PyOS_FSPath(value.ptr()));
  if (!fspath) throw py::error_already_set();
  PyObject* encoded = nullptr;
  if (PyUnicode_FSConverter(fspath.ptr(), &encoded) == 0) throw py::error_already_set();
  const auto bytes = py::reinterpret_steal<py::bytes>(encoded);
  return std::filesystem::path(static_cast<std::string>(bytes));
}

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

dtype opaque_elements(const py::dtype& type) {
  return dtype::primitive(dtype_kind::raw, type.itemsize(), byte_order::not_applicable);
}

std::vector<index_t> shape_of(const py::object& shape) {
  if (!given(shape)) return {-1};
  if (!py::isinstance<py::sequence>(shape)) {
    try {
      return {integer_of(shape, "shape")};
    } catch (const py::type_error&) {
      throw py::type_error("shape must be an int or a sequence of ints, not " + type_name(shape));
    }
  }
  std::vector<index_t> dims;
  for (const py::handle item : shape) {
    dims.push_back(integer_of(py::reinterpret_borrow<py::object>(item), "a dimension of shape"));
  }
  return dims;
}

order order_of(std::string_view t) {
  if (t == "C" || t == "c") return order::c;
  if (t == "F" || t == "f") return order::fortran;
  throw py::value_error("order must be 'C' or 'F', not '" + std::string(t) + "'");
}

order order_of(const py::object& text) {
  return order_of(text_of(text, "order", "C"));
}

mode mode_of(const py::object& text, const char* fallback) {
  return mode_of(text_of(text, "mode", fallback));
}

mode mode_of(std::string_view t) {
  if (t == "r" || t == "readonly") return mode::read;
  if (t == "r+" || t == "readwrite") return mode::read_write;
  if (t == "c" || t == "copyonwrite") return mode::copy_on_write;
  throw py::value_error(
      "mode must be one of 'r', 'r+', 'c' (or 'readonly', 'readwrite', 'copyonwrite'), not '" +
      std::string(t) + "'");
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

}  // namespace maparray::python
