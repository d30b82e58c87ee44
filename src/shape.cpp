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
