// Conversions of the module's Python arguments into the library's terms.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string_view>
#include <vector>

#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray::python {

namespace py = pybind11;

// numpy.dtype(like), refusing types that cannot live in a file: those holding Python objects
// (their bytes are pointers) and those of size zero. Throws py::type_error, py::value_error.
py::dtype element_dtype(const py::object& like);

// A shape from None (meaning (-1,)), an int, or a sequence of ints. Throws py::type_error.
std::vector<index_t> shape_of(const py::object& shape);

// 'C' or 'F' (either case). Throws py::value_error.
order order_of(std::string_view text);

// numpy.memmap's mode names: 'r' / 'readonly', 'r+' / 'readwrite', 'c' / 'copyonwrite'.
// Throws py::value_error for others.
mode mode_of(std::string_view text);

// The short name of a mode: 'r', 'r+' or 'c'. Never throws.
const char* mode_name(mode m) noexcept;

// A byte count where None means "to the end". Throws py::value_error for negative sizes.
std::size_t byte_count(const py::object& size);

}  // namespace maparray::python
