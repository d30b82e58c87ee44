#include "maparray/block.hpp"

#include <fcntl.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "sys.hpp"

namespace maparray {

byte_range block_bytes(const file_layout& layout, std::span<const index_t> start,
                       std::span<const index_t> extent) {
  const index_t itemsize = layout.type.itemsize();
  if (itemsize <= 0) {
    throw std::invalid_argument("a block of elements of " + std::to_string(itemsize) +
                                " bytes cannot be mapped");
  }
  if (layout.offset < 0) {
    throw std::invalid_argument("negative offset " + std::to_string(layout.offset));
  }
  const auto shape = layout.shape.span();
  if (start.size() != shape.size() || extent.size() != shape.size()) {
    throw std::invalid_argument("a block of an array of shape " + to_string(shape) + " needs " +
                                std::to_string(shape.size()) + " start and extent entries, not " +
                                std::to_string(start.size()) + " and " +
                                std::to_string(extent.size()));
  }
  // The whole array must be addressable, so that no sum below can overflow.
  checked_add(layout.offset, checked_mul(element_count(shape), itemsize, "array size"),
              "end of the array");
  const dims strides = contiguous_strides(shape, layout.order);
  index_t first = 0;
  index_t last = 0;
  bool empty = false;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (start[k] < 0 || extent[k] < 0) {
      throw std::invalid_argument("block start " + to_string(start) + " and extent " +
                                  to_string(extent) + " must not be negative");
    }
    if (start[k] > shape[k] - extent[k]) {
      throw std::out_of_range("the block of extent " + to_string(extent) + " at " +
                              to_string(start) + " reaches past the array's shape " +
                              to_string(shape));
    }
    empty = empty || extent[k] == 0;
    first += start[k] * strides[k];
    last += (start[k] + extent[k] - 1) * strides[k];
  }
  if (empty) return {layout.offset, 0};
  return {layout.offset + first * itemsize, (last - first + 1) * itemsize};
}

any_array map_block(const std::filesystem::path& path, const file_layout& layout,
                    std::span<const index_t> start, std::span<const index_t> extent, mode how) {
  const byte_range bytes = block_bytes(layout, start, extent);
  const mapping storage =
      mapping::open(path, {.mode = how, .offset = bytes.offset, .length = bytes.length});
  dims strides = contiguous_strides(layout.shape.span(), layout.order);
  for (auto& s : strides) s *= layout.type.itemsize();
  return any_array(storage.data(), layout.type, dims(extent), strides, storage.lease(),
                   how != mode::read);
}

}  // namespace maparray

namespace maparray {
namespace {

// Copies a block between the file and `buffer` (the block contiguous in the file's order) with
// one pread or pwrite per contiguous run of the file: the innermost axes the block covers whole,
// and its extent of the next one. `to_file` gives the direction.
void transfer_block(const std::filesystem::path& path, const file_layout& layout,
                    std::span<const index_t> start, std::span<const index_t> extent,
                    std::byte* buffer, std::size_t size, bool to_file) {
  const byte_range span = block_bytes(layout, start, extent);
  const index_t itemsize = layout.type.itemsize();
  const index_t count = element_count(extent);
  if (static_cast<index_t>(size) != count * itemsize) {
    throw std::invalid_argument("a block of shape " + to_string(extent) + " holds " +
                                std::to_string(count * itemsize) + " bytes, not " +
                                std::to_string(size));
  }
  const file f = file::open(path, (to_file ? O_RDWR : O_RDONLY) | O_NONBLOCK);
  f.require_regular();
  const std::int64_t file_size = f.size();
  if (span.offset + span.length > file_size) {
    throw std::out_of_range("the block's " + std::to_string(span.length) + " bytes at offset " +
                            std::to_string(span.offset) + " reach past the end of '" +
                            path.string() + "' (" + std::to_string(file_size) + " bytes)");
  }
  if (count == 0) return;

  // Axes from the innermost (in file order) outwards.
  const std::size_t n = extent.size();
  std::vector<std::size_t> axes(n);
  for (std::size_t i = 0; i < n; ++i) axes[i] = layout.order == order::c ? n - 1 - i : i;
  const dims strides = contiguous_strides(layout.shape.span(), layout.order);
  index_t run = 1;  // elements per contiguous run
  std::size_t outer = 0;
  while (outer < n) {
    const std::size_t k = axes[outer++];
    run *= extent[k];
    if (extent[k] != layout.shape[k]) break;
  }
  const auto run_bytes = static_cast<std::size_t>(run * itemsize);
  // The outer axes' positions, innermost of them fastest; runs then follow one another in
  // the buffer.
  std::vector<index_t> index(n, 0);
  std::int64_t at = span.offset;
  for (std::byte* next = buffer; next != buffer + size; next += run_bytes) {
    if (to_file) {
      sys::write_at(f, {next, run_bytes}, at);
    } else if (sys::read_at(f, {next, run_bytes}, at) != run_bytes) {
      throw std::out_of_range("'" + path.string() + "' became shorter while it was read");
    }
    for (std::size_t i = outer; i < n; ++i) {
      const std::size_t k = axes[i];
      if (++index[k] < extent[k]) {
        at += strides[k] * itemsize;
        break;
      }
      at -= strides[k] * itemsize * (extent[k] - 1);
      index[k] = 0;
    }
  }
}

}  // namespace

void read_block(const std::filesystem::path& path, const file_layout& layout,
                std::span<const index_t> start, std::span<const index_t> extent,
                std::span<std::byte> out) {
  transfer_block(path, layout, start, extent, out.data(), out.size(), false);
}

void write_block(const std::filesystem::path& path, const file_layout& layout,
                 std::span<const index_t> start, std::span<const index_t> extent,
                 std::span<const std::byte> in) {
  // The bytes are only read from: transfer_block copies out of the buffer when to_file.
  transfer_block(path, layout, start, extent, const_cast<std::byte*>(in.data()), in.size(), true);
}

}  // namespace maparray
