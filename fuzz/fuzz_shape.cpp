// libFuzzer target: the shape arithmetic on arbitrary dimensions. The input is a rank byte, that
// many little-endian int64 dimensions (one may be -1), an int64 item size and an int64 count
// of available elements. Every call either succeeds or throws std::invalid_argument or
// std::overflow_error (never undefined behaviour, which the sanitizers report); a shape that
// resolves and is addressable has strides whose every byte offset fits in 64 bits, in both
// orders. Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "maparray/array.hpp"
#include "maparray/shape.hpp"

namespace {

std::int64_t take(const std::uint8_t*& data, std::size_t& size) {
  std::int64_t v = 0;
  const std::size_t n = size < 8 ? size : 8;
  std::memcpy(&v, data, n);
  data += n;
  size -= n;
  return v;
}

// Checks that the byte offset of the last element fits, axis by axis. Aborts otherwise.
void check_strides(const maparray::dims& shape, const maparray::dims& strides,
                   std::int64_t itemsize) {
  __int128 reach = 0;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    const __int128 last = shape[k] > 0 ? shape[k] - 1 : 0;
    reach += last * static_cast<__int128>(strides[k]) * itemsize;
    std::int64_t bytes;
    if (__builtin_mul_overflow(strides[k], itemsize, &bytes)) std::abort();
  }
  if (reach > INT64_MAX) std::abort();
  for (const auto layout : {maparray::order::c, maparray::order::fortran}) {
    if (maparray::detail::is_contiguous(shape.span(), strides.span(), layout)) return;
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ma = maparray;
  if (size == 0) return 0;
  const std::size_t rank = data[0] % (ma::max_rank + 2);  // one more than allowed, sometimes
  ++data;
  --size;
  std::vector<ma::index_t> values;
  for (std::size_t k = 0; k < rank; ++k) values.push_back(take(data, size));
  const std::int64_t itemsize = take(data, size);
  const std::int64_t available = take(data, size);
  try {
    const ma::shape_spec spec(values);
    const ma::dims shape = ma::resolve_shape(spec, available);
    if (itemsize <= 0) return 0;
    ma::require_addressable(shape.span(), itemsize);
    const ma::index_t count = ma::element_count(shape.span());
    if (count < 0) std::abort();
    for (const auto layout : {ma::order::c, ma::order::fortran}) {
      const ma::dims strides = ma::contiguous_strides(shape.span(), layout);
      check_strides(shape, strides, itemsize);
    }
  } catch (const std::invalid_argument&) {
  } catch (const std::overflow_error&) {
  }
  return 0;
}
