// Where the module's functions take their files from: a path (str, bytes, os.PathLike), a
// file object with fileno() (as numpy.memmap accepts), or a file descriptor (an int).
#pragma once

#include <pybind11/pybind11.h>

#include <filesystem>
#include <optional>

#include "maparray/mapping.hpp"
#include "maparray/file.hpp"

namespace maparray::python {

namespace py = pybind11;

// A file named by path, or one already open (a duplicate of the caller's descriptor, which
// stays the caller's). An open file is named, in error messages and Mapping.path, by the path
// /proc/self/fd gives for it.
struct file_source {
  std::optional<std::filesystem::path> path;
  std::optional<file> opened;
  // The name numpy.memmap gives it: the path, or a file object's name attribute (absolute
  // either way); None for a bare descriptor.
  py::object filename;
};

// Resolves `source`. A file object is flushed first, so that what it buffered is in the file.
// Throws py::type_error for anything else, std::system_error if a descriptor is not open.
file_source source_of(const py::object& source);

// The file of `source`, opened (if it was a path) for `how`: read-write for mode read_write,
// read-only otherwise. A FIFO is not waited for (the library refuses it). Throws
// std::system_error naming the path.
file open_source(file_source source, mode how);

// Refuses to read a .npy file as raw data from a byte offset inside its header: the header
// would become elements. Throws format_error naming the file and saying what to call instead;
// std::system_error if the file cannot be read.
void refuse_npy_as_raw(const file& f, std::int64_t offset);

}  // namespace maparray::python
