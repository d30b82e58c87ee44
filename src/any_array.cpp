#include "maparray/any_array.hpp"

#include <stdexcept>
#include <string>

namespace maparray {

std::size_t any_array::size() const noexcept {
  std::size_t n = 1;
  for (index_t d : shape_) n *= static_cast<std::size_t>(d);
  return n;
}

bool any_array::is_contiguous_in(order layout) const noexcept {
  const index_t itemsize = type_.itemsize();
  if (itemsize == 0) return true;
  dims strides = strides_;
  for (auto& s : strides) {
    if (s % itemsize != 0) return false;
    s /= itemsize;
  }
  return detail::is_contiguous(shape(), strides, layout);
}

void any_array::check_view(const dtype& wanted, bool write, std::size_t alignment,
                           std::size_t size) const {
  if (size != 0 ? static_cast<index_t>(size) != type_.itemsize() : !(wanted == type_)) {
    const std::string where = storage().path().string();
    std::string message =
        (where.empty() ? std::string("an array") : "the array of '" + where + "'") +
        " holds elements of dtype " + type_.str() + " (" + type_.name() + "), not " +
        (size != 0 ? std::to_string(size) + "-byte elements"
                   : wanted.str() + " (" + wanted.name() + ")") +
        " as requested";
    if (size == 0 && wanted == type_.with_order(wanted.order())) {
      message +=
          ": the byte order differs; convert the file to native byte order "
          "(maparray convert --byteorder native) or read it with a byte-swapping copy";
    }
    throw type_error(message);
  }
  if (write && !writable_) {
    throw std::invalid_argument("a read-only array cannot be viewed with a writable element type");
  }
  const auto address = reinterpret_cast<std::uintptr_t>(data_);
  bool aligned = address % alignment == 0;
  for (index_t s : strides_) aligned = aligned && s % static_cast<index_t>(alignment) == 0;
  if (!aligned && size_bytes() > 0) {
    throw std::invalid_argument("array data is not aligned to " + std::to_string(alignment) +
                                " bytes as its element type requires");
  }
}

any_array array_from_mapping(const mapping& storage, const dtype& type, const shape_spec& shape,
                             const buffer_options& opts) {
  if (!storage.is_open()) throw std::logic_error("cannot make an array over a closed mapping");
  const auto layout = detail::layout_view(storage, opts.offset, opts.count ? &*opts.count : nullptr,
                                          type.itemsize(), 1, shape, opts.order);
  dims strides = layout.strides;  // layout_view counts strides in elements
  for (auto& s : strides) s *= type.itemsize();
  return any_array(layout.data, type, layout.shape, strides, storage.lease(), storage.writable());
}

}  // namespace maparray
