// Shapes: fixed-capacity lists of dimensions, and the arithmetic on them that must never overflow.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>

namespace maparray {

// Indices, dimensions and strides: signed 64-bit, as NumPy's.
using index_t = std::int64_t;

// Arrays have at most this many dimensions (NumPy's own limit).
inline constexpr std::size_t max_rank = 32;

// Element order of a multi-dimensional array in memory.
enum class order {
  c,        // row-major: the last index varies fastest (std::layout_right)
  fortran,  // column-major: the first index varies fastest (std::layout_left)
};

// A list of up to max_rank integers held inline, so that arrays copy without allocating.
class dims {
 public:
  dims() = default;
  // Throws std::invalid_argument if `values` has more than max_rank entries.
  dims(std::initializer_list<index_t> values) : dims(std::span<const index_t>(values)) {}
  // The values of a span. Throws std::invalid_argument as above.
  explicit dims(std::span<const index_t> values) {
    if (values.size() > max_rank) {
      throw std::invalid_argument("an array has at most " + std::to_string(max_rank) +
                                  " dimensions, " + std::to_string(values.size()) + " given");
    }
    size_ = values.size();
    std::copy(values.begin(), values.end(), values_.begin());
  }

  // The number of values.
  std::size_t size() const noexcept { return size_; }
  // Whether there are no values.
  bool empty() const noexcept { return size_ == 0; }
  // The value at `i` < size(), unchecked.
  index_t& operator[](std::size_t i) noexcept { return values_[i]; }
  // The value at `i` < size(), unchecked.
  index_t operator[](std::size_t i) const noexcept { return values_[i]; }
  // The first value.
  index_t* begin() noexcept { return values_.data(); }
  // Past the last value.
  index_t* end() noexcept { return values_.data() + size_; }
  // The first value.
  const index_t* begin() const noexcept { return values_.data(); }
  // Past the last value.
  const index_t* end() const noexcept { return values_.data() + size_; }
  // The values as a span.
  std::span<const index_t> span() const noexcept { return {values_.data(), size_}; }

  // Same values in the same order.
  friend bool operator==(const dims& a, const dims& b) noexcept {
    return std::ranges::equal(a.span(), b.span());
  }

 private:
  std::array<index_t, max_rank> values_{};
  std::size_t size_ = 0;
};

// A shape as a caller writes it: braces ({-1, 24}) or any range of integers computed at run time
// (std::vector<int>, std::span<const long>...). One dimension may be -1, to be inferred.
class shape_spec {
 public:
  // A shape written in braces. Throws std::invalid_argument for more than max_rank values.
  shape_spec(std::initializer_list<index_t> values) : dims_(values) {}
  template <std::ranges::input_range R>
  requires std::integral<std::ranges::range_value_t<R>> &&
      (!std::same_as<std::remove_cvref_t<R>, shape_spec>)shape_spec(
          const R& values) {  // NOLINT(google-explicit-constructor): shapes convert freely
    index_t buffer[max_rank];
    std::size_t n = 0;
    for (auto v : values) {
      if (n == max_rank) dims(std::span<const index_t>(buffer, max_rank + 1));  // throws
      buffer[n++] = static_cast<index_t>(v);
    }
    dims_ = dims(std::span<const index_t>(buffer, n));
  }
  // A shape from dims.
  shape_spec(const dims& d) noexcept : dims_(d) {}  // NOLINT(google-explicit-constructor)

  // The dimensions as written, -1 included.
  const dims& values() const noexcept { return dims_; }

 private:
  dims dims_;
};

// The string "(2, 3)" for messages. Throws only std::bad_alloc.
std::string to_string(std::span<const index_t> shape);

// The number of elements of `shape`. Throws std::invalid_argument for a negative dimension and
// std::overflow_error if the product does not fit in 63 bits.
index_t element_count(std::span<const index_t> shape);

// Resolves a shape against `available` elements: checks the dimensions, infers a single -1 as
// available / (product of the others). Throws std::invalid_argument (two -1s, other negative
// dimensions, -1 that does not divide `available`), std::overflow_error.
dims resolve_shape(const shape_spec& spec, index_t available);

// Checks that an array of `shape` with `itemsize`-byte elements is addressable: the product of
// its dimensions, zero dimensions counted as one, times the item size fits in 63 bits, so that
// every byte stride fits even when the array has no elements (numpy's "array is too big").
// Throws std::overflow_error, std::invalid_argument for a negative dimension.
void require_addressable(std::span<const index_t> shape, index_t itemsize);

// Element strides (not bytes) of a contiguous array of `shape` in `layout`. `shape` must pass
// require_addressable(); then no stride overflows.
dims contiguous_strides(std::span<const index_t> shape, order layout) noexcept;

// The shape that arrays of `shapes` broadcast to, by NumPy's rules: shapes are aligned at their
// last axes, and along each axis the lengths must agree or be 1 (missing axes count as 1).
// Throws std::invalid_argument with NumPy's message ("operands could not be broadcast together
// with shapes (2,3) (4,)").
dims broadcast_shapes(std::span<const dims> shapes);

// The strides (of any unit) that view an array of `shape` and `strides` as an array of
// `target`, the shape it broadcasts to: 0 along the axes it is repeated on. Throws
// std::invalid_argument as broadcast_shapes() if `shape` does not broadcast to `target`.
dims broadcast_strides(std::span<const index_t> shape, std::span<const index_t> strides,
                       std::span<const index_t> target);

// One axis of numpy's basic slicing, start:stop:step, each part optional as in Python.
struct slice_spec {
  std::optional<index_t> start{};  // the first index; default: the start in the step's direction
  std::optional<index_t> stop{};   // the index not reached; default: past the other end
  std::optional<index_t> step{};   // default 1; never 0
};

// A slice resolved against an axis: the indices start, start + step, ... (count of them).
struct resolved_slice {
  index_t start = 0;  // the first index
  index_t count = 0;  // how many indices
  index_t step = 1;   // the distance between them, never 0
};

// Resolves `spec` against an axis of length `n` as Python's slice.indices(n) does: negative
// bounds count from the end, bounds past either end are clamped, any index and step up to the
// limits of index_t is fine. start is where the first index would be even when count is 0.
// Throws std::invalid_argument for a step of 0 or a negative `n`.
resolved_slice resolve_slice(const slice_spec& spec, index_t n);

// a * b on sizes, or std::overflow_error naming `what`.
index_t checked_mul(index_t a, index_t b, const char* what);
// a + b on sizes, or std::overflow_error naming `what`.
index_t checked_add(index_t a, index_t b, const char* what);

}  // namespace maparray
