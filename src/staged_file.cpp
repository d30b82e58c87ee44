#include "maparray/staged_file.hpp"

#include <fcntl.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include "existing_file.hpp"
#include "sys.hpp"
#include "temporary_file.hpp"

namespace maparray {
namespace detail {

staged_file stage(const std::filesystem::path& path, const shape_spec& shape,
                  const create_options& opts, index_t itemsize, std::span<const std::byte> prefix) {
  if (itemsize <= 0) {
    throw std::invalid_argument("cannot stage '" + path.string() + "' with elements of " +
                                std::to_string(itemsize) + " bytes");
  }
  for (index_t d : shape.values()) {
    if (d < 0) {
      throw std::invalid_argument("cannot stage '" + path.string() + "' with shape " +
                                  to_string(shape.values()) + ": dimensions must be >= 0");
    }
  }
  const index_t bytes = checked_mul(element_count(shape.values()), itemsize, "array size");
  const auto prefix_size = static_cast<index_t>(prefix.size());
  const index_t total = checked_add(prefix_size, bytes, "file size");
  require_accepted(opts.existing, {if_exists::fail, if_exists::replace}, "stage", path.string());
  if (opts.existing == if_exists::fail) {
    // Fail before anyone computes what would go into the file; commit checks again, atomically.
    std::error_code error;
    if (std::filesystem::exists(std::filesystem::symlink_status(path, error))) {
      sys::throw_error(EEXIST, "open", path);
    }
  }
  file f = open_temporary_beside(path, opts.permissions);
  created_file_guard guard(f.path());
  if (opts.sparse) {
    sys::truncate(f, total);
  } else {
    sys::reserve(f, total);
  }
  sys::write_at(f, prefix, 0);
  f.close();
  guard.keep();
  return {
      .path = path, .temporary = f.path(), .data_offset = prefix_size, .existing = opts.existing};
}

}  // namespace detail

staged_file stage_file(const std::filesystem::path& path, const dtype& type,
                       const shape_spec& shape, const create_options& opts) {
  return detail::stage(path, shape, opts, type.itemsize(), {});
}

void commit_staged(const staged_file& f) {
  detail::require_accepted(f.existing, {if_exists::fail, if_exists::replace}, "commit_staged",
                           f.path.string());
  {
    const file written = file::open(f.temporary, O_RDONLY | O_NONBLOCK);
    written.require_regular();
    sys::sync_data(written);
  }
  if (f.existing == if_exists::replace) {
    sys::rename(f.temporary, f.path);
  } else {
    sys::rename_exclusive(f.temporary, f.path);
  }
  const auto directory = f.path.parent_path();
  sys::sync_directory(directory.empty() ? std::filesystem::path(".") : directory);
}

void discard_staged(const staged_file& f) noexcept {
  sys::remove_quietly(f.temporary);
}

}  // namespace maparray
