#include "operands.hpp"

#include <cmath>
#include <complex>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "maparray/exec_options.hpp"
#include "maparray/numeric_type.hpp"
#include "mapping_object.hpp"

namespace maparray::python {

mapping storage_of(const py::array& a) {
  py::object base = a;
  for (int depth = 0; depth < 1000 && !base.is_none(); ++depth) {
    if (py::isinstance<mapping_object>(base)) {
      const mapping& m = state_of(base).storage();
      const auto* first = static_cast<const std::byte*>(a.data());
      const bool inside = m.is_open() && m.data() != nullptr && first >= m.data() &&
                          first + a.nbytes() <= m.data() + m.size();
      return inside ? m : mapping();
    }
    if (PyMemoryView_Check(base.ptr())) {
      base = py::reinterpret_borrow<py::object>(PyMemoryView_GET_BUFFER(base.ptr())->obj
                                                    ? PyMemoryView_GET_BUFFER(base.ptr())->obj
                                                    : Py_None);
    } else {
      base = py::getattr(base, "base", py::none());
    }
  }
  return {};
}

any_array to_any_array(const py::array& a) {
  // The library decides what it computes on: a dtype without a numeric_type (records, strings,
  // objects, long double) is refused here with NumPy's TypeError rather than deep in the engine.
  const py::dtype type = a.dtype();
  std::optional<dtype> element;
  if (type.attr("fields").ptr() == Py_None && type.attr("subdtype").ptr() == Py_None) {
    try {
      element = dtype::parse(type.attr("str").cast<std::string>());
    } catch (const std::invalid_argument&) {  // a descr maparray has no dtype for
    }
  }
  if (!element || !numeric_type_of(*element)) {
    throw py::type_error("maparray computes on bool, integer, float and complex arrays, not " +
                         py::str(py::handle(type)).cast<std::string>());
  }
  const auto rank = static_cast<std::size_t>(a.ndim());
  std::vector<index_t> shape(rank), strides(rank);
  for (std::size_t k = 0; k < rank; ++k) {
    shape[k] = a.shape(static_cast<py::ssize_t>(k));
    strides[k] = a.strides(static_cast<py::ssize_t>(k));
  }
  auto* data = static_cast<std::byte*>(const_cast<void*>(a.data()));
  mapping storage = storage_of(a);
  if (!storage.is_open()) {
    index_t low = 0, high = 0;
    for (std::size_t k = 0; k < rank; ++k) {
      if (shape[k] == 0) low = high = 0;
      const index_t reach = strides[k] * (shape[k] > 0 ? shape[k] - 1 : 0);
      (reach < 0 ? low : high) += reach;
    }
    const auto size =
        a.size() == 0 ? 0 : static_cast<std::size_t>(high - low + element->itemsize());
    storage = mapping::borrow({data + low, size}, a.writeable());
  }
  return any_array(data, *element, dims(std::span<const index_t>(shape)),
                   dims(std::span<const index_t>(strides)), storage.lease(), a.writeable());
}

operand to_operand(const py::handle& x) {
  if (py::isinstance<py::array>(x)) return to_any_array(py::reinterpret_borrow<py::array>(x));
  const py::module_ numpy = py::module_::import("numpy");
  if (py::isinstance(x, numpy.attr("generic"))) {
    return to_any_array(numpy.attr("asarray")(x).cast<py::array>());
  }
  if (PyBool_Check(x.ptr())) return scalar(x.ptr() == Py_True);
  if (PyLong_Check(x.ptr())) {
    int overflow = 0;
    const long long value = PyLong_AsLongLongAndOverflow(x.ptr(), &overflow);
    if (overflow == 0) return scalar(static_cast<std::int64_t>(value));
    if (overflow > 0) {
      const unsigned long long big = PyLong_AsUnsignedLongLong(x.ptr());
      if (!PyErr_Occurred()) return scalar(static_cast<std::uint64_t>(big));
      PyErr_Clear();
    }
    PyErr_Clear();
    PyErr_SetString(PyExc_OverflowError, ("Python integer " + py::str(x).cast<std::string>() +
                                          " out of bounds for int64 and uint64")
                                             .c_str());
    throw py::error_already_set();
  }
  if (PyFloat_Check(x.ptr())) return scalar(PyFloat_AsDouble(x.ptr()));
  if (PyComplex_Check(x.ptr())) {
    return scalar(
        std::complex<double>(PyComplex_RealAsDouble(x.ptr()), PyComplex_ImagAsDouble(x.ptr())));
  }
  return to_any_array(numpy.attr("asarray")(x).cast<py::array>());
}

std::size_t budget_of(const py::object& budget) {
  if (budget.is_none()) return default_memory_budget;
  if (PyFloat_Check(budget.ptr())) {
    if (std::isinf(budget.cast<double>()) && budget.cast<double>() > 0) return unlimited_memory;
    throw py::type_error("memory_budget is a number of bytes, None (64 MiB) or math.inf");
  }
  const auto bytes = budget.cast<long long>();
  if (bytes <= 0) {
    throw py::value_error("memory_budget must be positive (None: 64 MiB, math.inf: no bound)");
  }
  return static_cast<std::size_t>(bytes);
}

}  // namespace maparray::python
