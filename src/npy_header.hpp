// Internal to the npy layer: the pieces of a header shared by formatting and appending.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "maparray/dtype.hpp"

namespace maparray::npy::detail {

// The header's dict as numpy writes it, "{'descr': '<f4', 'fortran_order': False,
// 'shape': (3,), }", in UTF-8. Throws std::invalid_argument as format_descr().
std::string header_dict(const dtype& type, std::span<const index_t> shape, bool fortran_order);

// Magic, version `major`.0, header length, `text` (already encoded) padded with spaces and a
// final newline to `total_length` bytes. The caller checks that it fits. Never throws except
// std::bad_alloc.
std::vector<std::byte> wrap_header(std::string_view text, std::uint8_t major,
                                   std::size_t total_length);

}  // namespace maparray::npy::detail
