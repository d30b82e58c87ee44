#include "slicing.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace maparray::cli {
namespace {

std::optional<index_t> parse_bound(std::string_view text, const std::string& whole) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  index_t v = 0;
  const char* start = text.data() + (text.front() == '+' ? 1 : 0);
  auto [end, error] = std::from_chars(start, text.data() + text.size(), v);
  if (error != std::errc{} || end != text.data() + text.size())
    throw std::invalid_argument("bad slice '" + whole + "'");
  return v;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(sep);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

}  // namespace

std::vector<slice_part> parse_slice(const std::string& text) {
  std::vector<slice_part> parts;
  for (const std::string_view part : split(text, ',')) {
    const auto fields = split(part, ':');
    slice_part p;
    if (fields.size() == 1) {
      const auto i = parse_bound(fields[0], text);
      if (!i) throw std::invalid_argument("bad slice '" + text + "': empty index");
      p.is_index = true;
      p.index = *i;
    } else {
      if (fields.size() > 3) throw std::invalid_argument("bad slice '" + text + "'");
      p.start = parse_bound(fields[0], text);
      p.stop = parse_bound(fields[1], text);
      p.step = fields.size() == 3 ? parse_bound(fields[2], text).value_or(1) : 1;
      if (p.step == 0) throw std::invalid_argument("slice step cannot be zero in '" + text + "'");
    }
    parts.push_back(p);
  }
  return parts;
}

any_array slice_array(const any_array& a, const std::vector<slice_part>& parts,
                      const std::string& text) {
  if (parts.size() > a.ndim()) {
    throw std::out_of_range("slice '" + text + "' has " + std::to_string(parts.size()) +
                            " parts for an array of " + std::to_string(a.ndim()) + " dimensions");
  }
  std::byte* data = a.data();
  std::vector<index_t> shape, strides;
  for (std::size_t axis = 0; axis < a.ndim(); ++axis) {
    const index_t n = a.shape()[axis];
    const index_t stride = a.byte_strides()[axis];
    if (axis >= parts.size()) {
      shape.push_back(n);
      strides.push_back(stride);
      continue;
    }
    const slice_part& p = parts[axis];
    if (p.is_index) {  // one index: the axis goes away
      if (p.index < -n || p.index >= n) {
        throw std::out_of_range("index " + std::to_string(p.index) + " is out of bounds for axis " +
                                std::to_string(axis) + " with size " + std::to_string(n));
      }
      if (data != nullptr) data += (p.index < 0 ? p.index + n : p.index) * stride;
      continue;  // an empty array may have no storage
    }
    const resolved_slice r = resolve_slice({p.start, p.stop, p.step}, n);
    if (r.count > 0 && data != nullptr) data += r.start * stride;
    shape.push_back(r.count);
    // A step past the end leaves one element, whose stride does not matter (and could
    // overflow); more elements lie inside the array, so their stride fits.
    strides.push_back(r.count > 1 ? checked_mul(stride, r.step, "slice stride") : stride);
  }
  return any_array(data, a.type(), dims(std::span<const index_t>(shape)),
                   dims(std::span<const index_t>(strides)), a.lease(), a.writable());
}

}  // namespace maparray::cli
