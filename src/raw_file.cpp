#include "maparray/raw_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "temporary_file.hpp"

namespace maparray::detail {
namespace {

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
  v.storage = mapping::adopt(
      std::move(f), {.mode = mode, .offset = opts.offset, .length = length, .lock = opts.lock});
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
  const index_t bytes = checked_mul(element_count(shape.values()), itemsize, "array size");
  const auto prefix_size = static_cast<index_t>(prefix.size());
  const index_t total = checked_add(prefix_size, bytes, "file size");
  file f = opts.overwrite ? open_temporary_beside(path, opts.permissions)
                          : file::open(path, O_RDWR | O_CREAT | O_EXCL, opts.permissions);
  created_file_guard guard(f.path());
  if (opts.sparse) {
    sys::truncate(f, total);
  } else {
    sys::reserve(f, total);
  }
  sys::write_at(f, prefix, 0);
  raw_view v;
  v.storage = mapping::adopt(std::move(f),
                             {.mode = mode::read_write, .offset = prefix_size, .length = bytes});
  if (opts.overwrite) sys::rename(v.storage.path(), path);
  guard.keep();
  v.storage.region()->name = path;
  v.layout = layout_view(v.storage, 0, nullptr, itemsize, alignment, shape, opts.order);
  return v;
}

}  // namespace maparray::detail

namespace maparray {

void resize_file(const std::filesystem::path& path, std::int64_t length, bool sparse) {
  if (length < 0) {
    throw std::invalid_argument("cannot resize '" + path.string() + "' to a negative length");
  }
  const file f = file::open(path, O_RDWR | O_NONBLOCK);
  f.require_regular();
  f.lock(file_lock::exclusive);
  if (sparse || length < f.size()) {
    sys::truncate(f, length);
  } else {
    sys::reserve(f, length);
  }
}

}  // namespace maparray
