#include "maparray/array.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "maparray/dtype.hpp"

namespace maparray::detail {

index_t checked_offset(std::span<const index_t> shape, std::span<const index_t> strides,
                       std::span<const index_t> index) {
  if (index.size() != shape.size()) {
    throw std::out_of_range(std::to_string(index.size()) + " indices for a " +
                            std::to_string(shape.size()) + "-dimensional array");
  }
  index_t offset = 0;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (index[k] < 0 || index[k] >= shape[k]) {
      throw std::out_of_range("index " + std::to_string(index[k]) + " is out of bounds for axis " +
                              std::to_string(k) + " with size " + std::to_string(shape[k]));
    }
    offset += index[k] * strides[k];
  }
  return offset;
}

byte_extent covered_bytes(std::span<const index_t> shape, std::span<const index_t> strides,
                          index_t itemsize) noexcept {
  index_t low = 0;
  index_t high = 0;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == 0) return {};
    const index_t reach = (shape[k] - 1) * strides[k];
    (reach < 0 ? low : high) += reach;
  }
  return {low * itemsize, (high - low + 1) * itemsize};
}

bool is_contiguous(std::span<const index_t> shape, std::span<const index_t> strides,
                   order layout) noexcept {
  index_t expected = 1;
  const std::size_t n = shape.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = layout == order::c ? n - 1 - k : k;
    if (shape[i] == 0) return true;
    // A dimension of length one may have any stride, as in NumPy.
    if (shape[i] != 1 && strides[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

view_layout layout_view(const mapping& storage, index_t byte_offset, const index_t* count,
                        index_t itemsize, index_t alignment, const shape_spec& shape,
                        order layout) {
  if (itemsize <= 0) {
    throw std::invalid_argument("cannot lay out an array of " + std::to_string(itemsize) +
                                "-byte elements");
  }
  const auto storage_size = static_cast<index_t>(storage.size());
  const std::string where =
      storage.path().empty() ? std::string("the buffer") : "'" + storage.path().string() + "'";
  if (byte_offset < 0) {
    throw std::invalid_argument("negative offset " + std::to_string(byte_offset));
  }
  // Offsets into the elements are reported in the caller's terms: file offsets where there is
  // a file.
  const index_t shown_offset = storage.offset() + byte_offset;
  if (byte_offset > storage_size) {
    throw std::out_of_range("offset " + std::to_string(byte_offset) + " is past the end of " +
                            where + " (" + std::to_string(storage_size) + " bytes)");
  }
  const auto address =
      reinterpret_cast<std::uintptr_t>(storage.data()) + static_cast<std::uintptr_t>(byte_offset);
  if (storage_size > 0 && address % static_cast<std::uintptr_t>(alignment) != 0) {
    const index_t below = shown_offset - static_cast<index_t>(address % alignment);
    throw std::invalid_argument("offset " + std::to_string(shown_offset) + " into " + where +
                                " is not aligned to " + std::to_string(alignment) +
                                " bytes for this element type; the nearest aligned offsets are " +
                                std::to_string(below) + " and " +
                                std::to_string(below + alignment));
  }
  const index_t available = (storage_size - byte_offset) / itemsize;
  if (count != nullptr) {
    if (*count < 0) throw std::invalid_argument("negative count " + std::to_string(*count));
    if (*count > available) {
      throw std::out_of_range(std::to_string(*count) + " elements of " + std::to_string(itemsize) +
                              " bytes at offset " + std::to_string(byte_offset) +
                              " reach past the end of " + where + " (" +
                              std::to_string(storage_size) + " bytes)");
    }
  }
  const bool infers = std::ranges::find(shape.values(), index_t{-1}) != shape.values().end();
  if (count == nullptr && infers && (storage_size - byte_offset) % itemsize != 0) {
    throw std::invalid_argument("the " + std::to_string(storage_size - byte_offset) + " bytes of " +
                                where + " from offset " + std::to_string(shown_offset) +
                                " are not a whole number of " + std::to_string(itemsize) +
                                "-byte elements");
  }
  const index_t elements = count != nullptr ? *count : available;
  view_layout v;
  v.shape = resolve_shape(shape, elements);
  require_addressable(v.shape, itemsize);
  const index_t needed = element_count(v.shape);
  if (needed > elements || (count != nullptr && needed != elements)) {
    throw std::invalid_argument("shape " + to_string(v.shape) + " needs " + std::to_string(needed) +
                                " elements but " + where + " has " + std::to_string(elements) +
                                " at offset " + std::to_string(shown_offset));
  }
  v.strides = contiguous_strides(v.shape, layout);
  v.data = storage.data() == nullptr ? nullptr : storage.data() + byte_offset;
  return v;
}

}  // namespace maparray::detail
