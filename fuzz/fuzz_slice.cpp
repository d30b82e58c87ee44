// libFuzzer target: slicing, as numpy's basic indexing resolves it and as array::slice applies
// it. The input is a small array shape (a rank byte and one extent byte per axis) followed by
// slices of 25 bytes each: an axis byte and little-endian int64 start, stop and step. Each is
// resolved with resolve_slice (Python's slice.indices, bounds and steps anywhere in int64) and
// applied with array::slice; every call either succeeds or throws std::invalid_argument,
// std::out_of_range or std::overflow_error, and every element of every view lies inside the
// array's buffer. Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <span>
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

// Checks a resolved slice against Python's rules: every index it selects lies in [0, n).
void check_resolved(const maparray::resolved_slice& r, std::int64_t n) {
  if (r.count < 0 || r.count > n) std::abort();
  if (r.count == 0) return;
  const __int128 last = static_cast<__int128>(r.start) + static_cast<__int128>(r.count - 1) * r.step;
  if (r.start < 0 || r.start >= n || last < 0 || last >= n) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ma = maparray;
  if (size == 0) return 0;
  const std::size_t rank = 1 + data[0] % 4;
  ++data;
  --size;
  std::vector<ma::index_t> extents;
  for (std::size_t k = 0; k < rank; ++k) {
    extents.push_back(size > 0 ? data[0] % 9 : 1);
    if (size > 0) {
      ++data;
      --size;
    }
  }
  const ma::dims shape(std::span<const ma::index_t>(extents.data(), extents.size()));
  std::vector<int> buffer(static_cast<std::size_t>(ma::element_count(shape.span())));
  std::iota(buffer.begin(), buffer.end(), 0);
  ma::array<int> view = ma::array_from_buffer<int>(std::as_writable_bytes(std::span(buffer)),
                                                   ma::shape_spec(shape));
  while (size >= 25) {
    const std::size_t axis = data[0] % (rank + 1);  // one past the last axis, sometimes
    ++data;
    --size;
    const std::int64_t start = take(data, size);
    const std::int64_t stop = take(data, size);
    const std::int64_t step = take(data, size);
    // Python's resolution of the raw bounds against an axis of any length.
    const auto some_length = static_cast<std::int64_t>(static_cast<std::uint64_t>(start) >> 1);
    for (const std::int64_t n : {std::int64_t{0}, std::int64_t{7}, some_length, INT64_MAX}) {
      try {
        check_resolved(ma::resolve_slice({start, stop, step}, n), n);
      } catch (const std::invalid_argument&) {
        if (step != 0 && n >= 0) std::abort();
      }
    }
    // The view: resolve against the real axis, then slice.
    try {
      const ma::index_t n = view.extent(axis);
      const auto r = ma::resolve_slice({start, stop, step}, n);
      const ma::index_t last = r.count == 0 ? r.start : r.start + (r.count - 1) * r.step;
      view = r.count == 0 ? view.slice(axis, 0, 0)
             : r.step > 0 ? view.slice(axis, r.start, last + 1, r.step)
                          : view.slice(axis, r.start, last - 1, r.step);
      if (view.extent(axis) != r.count) std::abort();
    } catch (const std::invalid_argument&) {
    } catch (const std::out_of_range&) {
    } catch (const std::overflow_error&) {
    }
    for (const int& element : view) {
      if (&element < buffer.data() || &element >= buffer.data() + buffer.size()) std::abort();
    }
  }
  return 0;
}
