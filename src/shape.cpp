#include "maparray/shape.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

namespace maparray {

std::string to_string(std::span<const index_t> shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

index_t checked_mul(index_t a, index_t b, const char* what) {
  index_t result;
  if (__builtin_mul_overflow(a, b, &result)) {
    throw std::overflow_error(std::string(what) + " overflows 64 bits");
  }
  return result;
}

index_t checked_add(index_t a, index_t b, const char* what) {
  index_t result;
  if (__builtin_add_overflow(a, b, &result)) {
    throw std::overflow_error(std::string(what) + " overflows 64 bits");
  }
  return result;
}

index_t element_count(std::span<const index_t> shape) {
  index_t count = 1;
  for (index_t d : shape) {
    if (d < 0) throw std::invalid_argument("negative dimension in shape " + to_string(shape));
  }
  for (index_t d : shape) count = checked_mul(count, d, ("shape " + to_string(shape)).c_str());
  return count;
}

dims resolve_shape(const shape_spec& spec, index_t available) {
  dims shape = spec.values();
  std::size_t inferred = max_rank;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (inferred != max_rank) {
        throw std::invalid_argument("shape " + to_string(shape) + " has more than one -1");
      }
      inferred = i;
    } else if (shape[i] < 0) {
      throw std::invalid_argument("shape " + to_string(shape) +
                                  " has a negative dimension other than -1");
    }
  }
  if (inferred == max_rank) {
    element_count(shape);  // checks for overflow
    return shape;
  }
  shape[inferred] = 1;
  const index_t others = element_count(shape);
  if (others == 0 ? available != 0 : available % others != 0) {
    throw std::invalid_argument("cannot infer the -1 in shape " + to_string(spec.values()) + ": " +
                                std::to_string(available) + " elements are not a multiple of " +
                                std::to_string(others));
  }
  shape[inferred] = others == 0 ? 0 : available / others;
  return shape;
}

void require_addressable(std::span<const index_t> shape, index_t itemsize) {
  index_t extent = itemsize;
  for (index_t d : shape) {
    if (d < 0) throw std::invalid_argument("negative dimension in shape " + to_string(shape));
    if (d > 0 && __builtin_mul_overflow(extent, d, &extent)) {
      throw std::overflow_error("an array of shape " + to_string(shape) + " and " +
                                std::to_string(itemsize) +
                                "-byte elements is too big: its strides overflow 64 bits");
    }
  }
}

resolved_slice resolve_slice(const slice_spec& spec, index_t n) {
  if (n < 0) throw std::invalid_argument("cannot slice an axis of length " + std::to_string(n));
  const index_t step = spec.step.value_or(1);
  if (step == 0) throw std::invalid_argument("slice step cannot be zero");
  // Python's slice.indices(n): negative bounds count from the end, then clamp to the axis
  // ([0, n] going forward, [-1, n - 1] going backward). Adding n to a negative bound cannot
  // overflow, and clamping keeps everything in [-1, n].
  const auto clamp = [&](std::optional<index_t> bound, index_t fallback) {
    if (!bound) return fallback;
    const index_t x = *bound < 0 ? *bound + n : *bound;
    return step > 0 ? std::clamp<index_t>(x, 0, n) : std::clamp<index_t>(x, -1, n - 1);
  };
  resolved_slice r;
  r.step = step;
  r.start = clamp(spec.start, step > 0 ? 0 : n - 1);
  const index_t stop = clamp(spec.stop, step > 0 ? n : -1);
  // The distance is at most n + 1 and the step's magnitude at least 1: in unsigned arithmetic
  // neither (distance - 1) / |step| nor |step| itself (for the most negative step) overflows.
  const index_t distance = step > 0 ? stop - r.start : r.start - stop;
  if (distance > 0) {
    const auto magnitude =
        step > 0 ? static_cast<std::uint64_t>(step) : 0 - static_cast<std::uint64_t>(step);
    r.count = static_cast<index_t>((static_cast<std::uint64_t>(distance) - 1) / magnitude + 1);
  }
  return r;
}

dims contiguous_strides(std::span<const index_t> shape, order layout) noexcept {
  dims strides(shape);
  index_t step = 1;
  const std::size_t n = shape.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = layout == order::c ? n - 1 - k : k;
    strides[i] = step;
    // Overflow is impossible here: callers have validated the element count.
    step *= shape[i] > 0 ? shape[i] : 1;
  }
  return strides;
}

}  // namespace maparray

namespace maparray {

namespace {

// NumPy's spelling of a shape in broadcasting errors: "(2,3)", "(4,)", "()".
std::string numpy_shape(std::span<const index_t> shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ",";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

[[noreturn]] void throw_not_broadcastable(std::span<const dims> shapes) {
  std::string message = "operands could not be broadcast together with shapes";
  for (const dims& d : shapes) message += " " + numpy_shape(d.span());
  throw std::invalid_argument(message);
}

}  // namespace

dims broadcast_shapes(std::span<const dims> shapes) {
  std::size_t rank = 0;
  for (const dims& d : shapes) rank = std::max(rank, d.size());
  std::vector<index_t> result(rank, 1);
  for (const dims& d : shapes) {
    const std::size_t lead = rank - d.size();
    for (std::size_t k = 0; k < d.size(); ++k) {
      index_t& r = result[lead + k];
      if (d[k] == r || d[k] == 1) continue;
      if (r != 1) throw_not_broadcastable(shapes);
      r = d[k];
    }
  }
  return dims(std::span<const index_t>(result));
}

dims broadcast_strides(std::span<const index_t> shape, std::span<const index_t> strides,
                       std::span<const index_t> target) {
  const auto fail = [&]() {
    const std::array<dims, 2> pair{dims(shape), dims(target)};
    throw_not_broadcastable(pair);
  };
  if (shape.size() > target.size()) fail();
  std::vector<index_t> result(target.size(), 0);
  const std::size_t lead = target.size() - shape.size();
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == target[lead + k]) {
      result[lead + k] = strides[k];
    } else if (shape[k] != 1) {
      fail();
    }
  }
  return dims(std::span<const index_t>(result));
}

}  // namespace maparray
