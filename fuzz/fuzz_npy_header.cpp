// libFuzzer target: npy::parse_header on arbitrary bytes. Any input either parses or throws
// format_error; a parsed header formats back (as numpy would write it) to one that parses to
// the same dtype, shape and order. Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "maparray/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace npy = maparray::npy;
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  npy::header h;
  try {
    h = npy::parse_header(bytes, {.max_header_length = 1 << 16});
  } catch (const maparray::format_error&) {
    return 0;
  }
  const auto again_bytes = npy::format_header(h.type, h.shape.span(), h.fortran_order);
  const auto again = npy::parse_header(again_bytes, {.max_header_length = 1 << 30});
  const bool fortran = h.fortran_order && npy::fortran_order_differs(h.shape.span());
  if (!(again.type == h.type) || !(again.shape == h.shape) || again.fortran_order != fortran ||
      again.data_length != h.data_length || again.data_offset % 64 != 0) {
    std::abort();
  }
  return 0;
}
