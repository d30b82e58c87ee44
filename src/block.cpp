#include "maparray/block.hpp"

#include <stdexcept>
#include <string>

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
