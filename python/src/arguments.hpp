// Conversions of the module's Python arguments into the library's terms.
//
// The functions take their arguments as Python objects and convert them here, so that a bad
// argument is reported as Python reports one, in Python's terms: TypeError for the wrong kind
// of object, OverflowError for an integer beyond 64 bits, ValueError for a value out of range;
// never pybind11's "incompatible function arguments" or "Unable to cast".
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "maparray/dtype.hpp"
#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray::python {

namespace py = pybind11;

// The parameters of a function as a Python def would declare them: `required` of `names`
// come first; those from `keyword_only` on may only be passed by keyword.
struct signature {
  const char* function;
  std::vector<const char*> names;
  std::size_t required = 0;
  std::size_t keyword_only = static_cast<std::size_t>(-1);
};

// The arguments of a call bound to `sig` as Python binds them: one per name, a null object for
// an optional one not given. Throws py::type_error with Python's own words for a missing,
// repeated, unexpected or surplus argument.
std::vector<py::object> bind(const signature& sig, const py::args& args, const py::kwargs& kwargs);

// `value` (null: `fallback`) as a 64-bit integer; `what` names it in errors. Accepts what
// operator.index() accepts. Throws py::type_error, OverflowError beyond 64 bits.
index_t integer_of(const py::object& value, const char* what, index_t fallback = 0);
// As integer_of(), with None (or null) meaning nothing.
std::optional<index_t> optional_integer_of(const py::object& value, const char* what);
// A byte count or offset: a non-negative integer, or None (or null) for `whole`. Throws
// py::type_error, py::value_error if negative, OverflowError.
std::size_t byte_count(const py::object& value, const char* what,
                       std::size_t whole = mapping::whole);
// True or False (numpy's bool too). Throws py::type_error for anything else.
bool flag_of(const py::object& value, const char* what, bool fallback);
// A str. Throws py::type_error for anything else.
std::string text_of(const py::object& value, const char* what, const char* fallback);
// A path as open() takes one: str, bytes or os.PathLike. Throws py::type_error, py::value_error
// for an embedded NUL.
std::filesystem::path path_of(const py::object& value);

// numpy.dtype(like), refusing types that cannot live in a file: those holding Python objects
// (their bytes are pointers) and those of size zero. Throws py::type_error, py::value_error.
py::dtype element_dtype(const py::object& like);

// Opaque elements of `type`'s size ('|V<itemsize>'), for laying out elements that only numpy
// interprets (subarrays, dates, any dtype the library does not describe). Throws
// std::invalid_argument for a size of zero or above 2^31-1.
dtype opaque_elements(const py::dtype& type);

// A shape from None (meaning (-1,)), an int, or a sequence of ints. Throws py::type_error,
// OverflowError.
std::vector<index_t> shape_of(const py::object& shape);

// 'C' or 'F' (either case). Throws py::type_error, py::value_error.
order order_of(const py::object& text);
order order_of(std::string_view text);

// numpy.memmap's mode names: 'r' / 'readonly', 'r+' / 'readwrite', 'c' / 'copyonwrite'.
// Throws py::type_error, py::value_error for others.
mode mode_of(const py::object& text, const char* fallback);
mode mode_of(std::string_view text);

// The short name of a mode: 'r', 'r+' or 'c'. Never throws.
const char* mode_name(mode m) noexcept;

}  // namespace maparray::python
