#include "sources.hpp"

#include <pybind11/stl/filesystem.h>

#include <fcntl.h>

#include <array>
#include <string>
#include <system_error>

#include "arguments.hpp"
#include "maparray/error.hpp"
#include "maparray/file.hpp"
#include "maparray/npy.hpp"

namespace maparray::python {
namespace {

// What /proc/self/fd says `fd` is: the file's absolute path, or "/proc/self/fd/N" if it has none.
std::filesystem::path name_of_descriptor(int fd) {
  const std::filesystem::path link = "/proc/self/fd/" + std::to_string(fd);
  std::error_code ec;
  auto target = std::filesystem::read_symlink(link, ec);
  if (ec || !target.is_absolute()) return link;
  return target;
}

py::object absolute(const py::handle& name) {
  return py::module_::import("os.path").attr("abspath")(name);
}

}  // namespace

file_source source_of(const py::object& source) {
  file_source result;
  result.filename = py::none();
  int fd = -1;
  if (PyLong_Check(source.ptr()) && !PyBool_Check(source.ptr())) {
    fd = source.cast<int>();
  } else if (!py::isinstance<py::str>(source) && !py::isinstance<py::bytes>(source) &&
             py::hasattr(source, "fileno")) {
    if (py::hasattr(source, "flush")) source.attr("flush")();
    fd = source.attr("fileno")().cast<int>();
    const py::object name = py::getattr(source, "name", py::none());
    if (py::isinstance<py::str>(name)) result.filename = absolute(name);
  } else {
    result.path = path_of(source);  // TypeError, or ValueError for an embedded NUL
    result.filename = absolute(py::module_::import("os").attr("fspath")(source));
    return result;
  }
  result.opened = file::duplicate(fd, name_of_descriptor(fd));
  return result;
}

file open_source(file_source source, mode how) {
  file f = source.opened
               ? std::move(*source.opened)
               : file::open_regular(*source.path, how == mode::read_write ? O_RDWR : O_RDONLY);
  f.require_regular();  // a FIFO or a device passed as an open file is refused too
  return f;
}

void refuse_npy_as_raw(const file& f, std::int64_t offset) {
  std::array<std::byte, npy::prefix_length + 4> start{};
  const std::size_t got = f.read_at(start, 0);
  const std::span<const std::byte> head(start.data(), got);
  if (!npy::has_magic(head)) return;
  std::int64_t extent = -1;
  try {
    extent = npy::header_extent(head);
  } catch (const format_error&) {
    // A malformed .npy file is still not raw data.
  }
  if (extent >= 0 && offset >= extent) return;
  throw format_error("'" + f.path().string() +
                     "' is a .npy file: mapping it as raw data would read its header as "
                     "elements; use maparray.open() or maparray.load()" +
                     (extent >= 0
                          ? " (or offset=" + std::to_string(extent) + ", where its data starts)"
                          : std::string()));
}

}  // namespace maparray::python
