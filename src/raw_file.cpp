#include "maparray/raw_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "existing_file.hpp"
#include "region.hpp"
#include "sys.hpp"
#include "temporary_file.hpp"

namespace maparray::detail {
namespace {

// A new file on its way to `target`: unnamed where the file system allows it, else under a
// temporary name beside it (returned in `temporary`).
file open_unpublished(const std::filesystem::path& target, mode_t permissions,
                      std::filesystem::path& temporary) {
  file f = sys::open_unnamed(target, permissions);
  if (f.is_open()) return f;
  f = open_temporary_beside(target, permissions);
  temporary = f.path();
  return f;
}

// Refuses early, before any space is reserved, to create over an existing name (the final
// link or rename refuses atomically). Throws std::system_error with EEXIST.
void refuse_existing(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) sys::throw_error(EEXIST, "open", path);
}

// Zero-size elements (an empty record) would make every shape fit any file; refuse them before
// anything is opened or created.
void require_itemsize(const std::filesystem::path& path, index_t itemsize) {
  if (itemsize <= 0) {
    throw std::invalid_argument("'" + path.string() + "': elements of " + std::to_string(itemsize) +
                                " bytes cannot form an array");
  }
}

}  // namespace

raw_view map_raw(const std::filesystem::path& path, const shape_spec& shape,
                 const map_options& opts, bool writable_view, index_t itemsize, index_t alignment) {
  require_itemsize(path, itemsize);
  const maparray::mode mode = opts.mode.value_or(writable_view ? mode::read_write : mode::read);
  // O_NONBLOCK keeps open() of a FIFO from waiting for a writer; adopt() refuses it.
  return map_raw(file::open(path, (mode == mode::read_write ? O_RDWR : O_RDONLY) | O_NONBLOCK),
                 shape, opts, writable_view, itemsize, alignment);
}

raw_view map_raw(file f, const shape_spec& shape, const map_options& opts, bool writable_view,
                 index_t itemsize, index_t alignment) {
  const std::filesystem::path path = f.path();
  require_itemsize(path, itemsize);
  const maparray::mode mode = opts.mode.value_or(writable_view ? mode::read_write : mode::read);
  if (writable_view && mode == mode::read) {
    throw std::invalid_argument("cannot map '" + path.string() +
                                "' read-only as a writable array; use a const element type");
  }
  if (opts.offset < 0)
    throw std::invalid_argument("negative offset " + std::to_string(opts.offset));
  const std::int64_t size = f.size();
  if (opts.offset > size) {
    throw std::out_of_range("offset " + std::to_string(opts.offset) + " is past the end of '" +
                            path.string() + "' (" + std::to_string(size) + " bytes)");
  }
  // Map exactly the bytes the array needs, so that storage().size() is the array's extent.
  std::optional<std::int64_t> length;
  if (opts.count) {
    length = checked_mul(*opts.count < 0 ? 0 : *opts.count, itemsize, "count x element size");
    if (*length > size - opts.offset) length.reset();  // layout_view reports it precisely
  } else if (std::ranges::find(shape.values(), index_t{-1}) == shape.values().end()) {
    const index_t needed = checked_mul(element_count(shape.values()), itemsize, "array size");
    if (needed <= size - opts.offset) length = needed;
  }
  raw_view v;
  v.storage = mapping::adopt(std::move(f), {.mode = mode,
                                            .offset = opts.offset,
                                            .length = length,
                                            .lock = opts.lock,
                                            .exact_writeback = opts.exact_writeback});
  v.layout = layout_view(v.storage, 0, opts.count ? &*opts.count : nullptr, itemsize, alignment,
                         shape, opts.order);
  return v;
}

raw_view create_raw(const std::filesystem::path& path, const shape_spec& shape,
                    const create_options& opts, index_t itemsize, index_t alignment,
                    std::span<const std::byte> prefix) {
  require_itemsize(path, itemsize);
  for (index_t d : shape.values()) {
    if (d < 0) {
      throw std::invalid_argument("cannot create '" + path.string() + "' with shape " +
                                  to_string(shape.values()) + ": dimensions must be >= 0");
    }
  }
  require_addressable(shape.values(), itemsize);
  const index_t bytes = checked_mul(element_count(shape.values()), itemsize, "array size");
  const auto prefix_size = static_cast<index_t>(prefix.size());
  const index_t total = checked_add(prefix_size, bytes, "file size");
  require_accepted(opts.existing, {if_exists::fail, if_exists::replace}, "create", path.string());
  if (opts.existing == if_exists::fail) refuse_existing(path);
  std::filesystem::path temporary;
  file f = open_unpublished(path, opts.permissions, temporary);
  created_file_guard guard(temporary);
  if (opts.sparse) {
    sys::truncate(f, total);
  } else {
    sys::reserve(f, total);
  }
  sys::write_at(f, prefix, 0);
  raw_view v;
  v.storage = mapping::adopt(std::move(f),
                             {.mode = mode::read_write, .offset = prefix_size, .length = bytes});
  // From here the region removes the temporary name if the file is never published.
  region& r = *region_access::of(v.storage);
  r.name = path;
  r.pending.reset(new region::pending_name{path, temporary, opts.existing});
  guard.keep();
  if (!opts.publish_later) publish(v.storage);
  v.layout = layout_view(v.storage, 0, nullptr, itemsize, alignment, shape, opts.order);
  return v;
}

}  // namespace maparray::detail

namespace maparray {

void publish(const mapping& storage) {
  const auto& region = detail::region_access::of(storage);
  if (!storage.is_open() || !region->pending) {
    throw std::logic_error("publish: '" + storage.path().string() +
                           "' is not a file waiting to be published");
  }
  const auto& pending = *region->pending;
  const file& f = region->backing;
  const bool replace = pending.existing == if_exists::replace;
  if (replace) sys::copy_permissions(f, pending.target);
  if (!pending.temporary.empty()) {
    if (replace) {
      sys::rename(pending.temporary, pending.target);
    } else {
      sys::rename_exclusive(pending.temporary, pending.target);
    }
  } else if (!replace) {
    sys::link(f, pending.target);
  } else {
    // A link cannot replace a file: link under a temporary name, then rename over the target.
    const auto name = detail::with_temporary_name(
        pending.target, [&](const std::filesystem::path& n) { sys::link(f, n); });
    try {
      sys::rename(name, pending.target);
    } catch (...) {
      sys::remove_quietly(name);
      throw;
    }
  }
  region->pending.reset();
}

void resize_file(const std::filesystem::path& path, std::int64_t length,
                 const resize_options& opts) {
  if (length < 0) {
    throw std::invalid_argument("cannot resize '" + path.string() + "' to a negative length");
  }
  const file f = file::open_regular(path, O_RDWR);
  f.lock(file_lock::exclusive);
  if (opts.sparse || length < f.size()) {
    sys::truncate(f, length);
  } else {
    sys::reserve(f, length);
  }
}

namespace {

any_array untyped(const detail::raw_view& v, const dtype& type) {
  dims strides = v.layout.strides;
  for (auto& s : strides) s *= type.itemsize();
  return any_array(v.layout.data, type, v.layout.shape, strides, v.storage.lease(),
                   v.storage.writable());
}

}  // namespace

any_array map_file(const std::filesystem::path& path, const dtype& type, const shape_spec& shape,
                   const map_options& opts) {
  const bool writable = opts.mode.value_or(mode::read) != mode::read;
  return untyped(detail::map_raw(path, shape, opts, writable, type.itemsize(), 1), type);
}

any_array map_file(file f, const dtype& type, const shape_spec& shape, const map_options& opts) {
  const bool writable = opts.mode.value_or(mode::read) != mode::read;
  return untyped(detail::map_raw(std::move(f), shape, opts, writable, type.itemsize(), 1), type);
}

any_array create_file(const std::filesystem::path& path, const dtype& type, const shape_spec& shape,
                      const create_options& opts) {
  return untyped(detail::create_raw(path, shape, opts, type.itemsize(), 1), type);
}

}  // namespace maparray
