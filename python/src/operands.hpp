// Python values as the library's compute operands: numpy arrays (over their Mapping where they
// have one), numbers with NumPy 2's weak typing, memory budgets.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>

#include "maparray/any_array.hpp"
#include "maparray/operand.hpp"

namespace maparray::python {

namespace py = pybind11;

// The Mapping a numpy array's memory lies in, found through its chain of bases, or an empty
// handle. Never throws except py::error_already_set.
mapping storage_of(const py::array& a);

// A numpy array as the library sees it: over its Mapping if it has one (so the engine can read
// ahead and drop pages behind), otherwise over its memory borrowed for the call. Throws
// py::type_error for dtypes maparray does not compute on.
any_array to_any_array(const py::array& a);

// A Python argument as an operand: numpy arrays and numpy scalars are strong (a numpy scalar
// counts as a zero-dimensional array), Python bool, int, float and complex are weak, anything
// else goes through numpy.asarray. Throws py::type_error, OverflowError for an int beyond 64
// bits.
operand to_operand(const py::handle& x);

// A memory budget from Python: None (the default, 64 MiB), a positive int, math.inf (no bound).
// Throws py::type_error, py::value_error.
std::size_t budget_of(const py::object& budget);

}  // namespace maparray::python
