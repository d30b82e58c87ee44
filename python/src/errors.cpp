#include "errors.hpp"

#include <stdexcept>
#include <string>
#include <system_error>

#include "maparray/error.hpp"

namespace maparray::python {
namespace py = pybind11;
namespace {

// maparray.FormatError; one reference is kept for the life of the process, so that no Python
// object is destroyed after the interpreter has finalized.
PyObject* format_error_type = nullptr;
// maparray.DTypeError (maparray::type_error), kept likewise.
PyObject* dtype_error_type = nullptr;

// Splits the os layer's message "<call> '<path>': <reason>" into the path, or returns false.
bool path_of(const std::system_error& e, std::string& path) {
  std::string text = e.what();
  const std::string reason = ": " + e.code().message();
  if (text.size() > reason.size() && text.ends_with(reason)) {
    text.resize(text.size() - reason.size());
  }
  const auto open_quote = text.find(" '");
  if (open_quote == std::string::npos || !text.ends_with('\'') || text.size() < open_quote + 3) {
    return false;
  }
  path = text.substr(open_quote + 2, text.size() - open_quote - 3);
  return true;
}

// Raises OSError(errno, strerror, filename), which Python turns into the matching subclass.
void set_os_error(const std::system_error& e) {
  const bool has_errno = e.code().category() == std::generic_category() ||
                         e.code().category() == std::system_category();
  if (!has_errno) {
    PyErr_SetString(PyExc_OSError, e.what());
    return;
  }
  std::string path;
  py::object filename = py::none();
  if (path_of(e, path)) {
    filename = py::reinterpret_steal<py::object>(
        PyUnicode_DecodeFSDefaultAndSize(path.data(), static_cast<Py_ssize_t>(path.size())));
    if (!filename) {
      PyErr_Clear();
      filename = py::none();
    }
  }
  const py::tuple args = py::make_tuple(e.code().value(), e.code().message(), std::move(filename));
  PyErr_SetObject(PyExc_OSError, args.ptr());
}

}  // namespace

void register_errors(py::module_& module) {
  if (format_error_type == nullptr) {
    format_error_type = PyErr_NewExceptionWithDoc(
        "maparray.FormatError",
        "A file's contents do not describe a valid array (a bad .npy header, a file shorter "
        "than its header says). A subclass of ValueError.",
        PyExc_ValueError, nullptr);
    if (format_error_type == nullptr) throw py::error_already_set();
  }
  module.attr("FormatError") = py::handle(format_error_type);
  if (dtype_error_type == nullptr) {
    // A TypeError, as numpy's for types an operation does not take, and a ValueError, as the
    // C++ type_error is an invalid_argument (and as a dtype mismatch was before it had a class).
    PyObject* bases = PyTuple_Pack(2, PyExc_TypeError, PyExc_ValueError);
    if (bases == nullptr) throw py::error_already_set();
    dtype_error_type = PyErr_NewExceptionWithDoc(
        "maparray.DTypeError",
        "An element type (dtype) other than the one a file or array has, or one an operation "
        "has no loop for. A subclass of both TypeError and ValueError.",
        bases, nullptr);
    Py_DECREF(bases);
    if (dtype_error_type == nullptr) throw py::error_already_set();
  }
  module.attr("DTypeError") = py::handle(dtype_error_type);

  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const format_error& e) {
      PyErr_SetString(format_error_type, e.what());
    } catch (const busy_error& e) {
      PyErr_SetString(PyExc_BufferError, e.what());
    } catch (const std::system_error& e) {
      set_os_error(e);
    } catch (const type_error& e) {
      PyErr_SetString(dtype_error_type, e.what());
    } catch (const axis_error& e) {
      // numpy.AxisError is both a ValueError and an IndexError, as NumPy raises it.
      const py::object axis_error_type = py::module_::import("numpy").attr("AxisError");
      PyErr_SetString(axis_error_type.ptr(), e.what());
    } catch (const std::logic_error& e) {
      // invalid_argument, out_of_range and the closed-mapping errors: the caller asked for
      // something impossible.
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
}

}  // namespace maparray::python
