// .npy headers: validation in numpy's order, and the exact bytes numpy.save writes.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "maparray/npy.hpp"
#include "npy_descr.hpp"
#include "npy_header.hpp"
#include "npy_literal.hpp"

namespace maparray::npy {
namespace {

constexpr unsigned char magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
// numpy's ARRAY_ALIGN and GROWTH_AXIS_MAX_DIGITS.
constexpr std::size_t array_align = 64;
constexpr std::size_t growth_axis_max_digits = 21;

// Bytes of the header-length field of a version.
std::size_t length_field_size(std::uint8_t major) {
  return major == 1 ? 2 : 4;
}

std::string shape_repr(std::span<const index_t> shape) {
  std::string s = "(";
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (k > 0) s += ", ";
    s += std::to_string(shape[k]);
  }
  return s + (shape.size() == 1 ? ",)" : ")");
}

// Converts Latin-1 header bytes to UTF-8.
std::string latin1_to_utf8(std::span<const std::byte> bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::byte b : bytes) detail::append_utf8(out, static_cast<char32_t>(b));
  return out;
}

// Converts UTF-8 to Latin-1, or returns false if a character is outside it.
bool utf8_to_latin1(std::string_view text, std::string& out) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    char32_t c;
    if (!detail::next_code_point(text, pos, c) || c > 0xFF) return false;
    out += static_cast<char>(c);
  }
  return true;
}

const detail::py_value& single(const detail::py_value& dict, std::string_view key) {
  for (std::size_t k = 0; k < dict.items.size(); k += 2) {
    if (dict.items[k].text == key) return dict.items[k + 1];
  }
  throw std::logic_error("key checked before");
}

}  // namespace

bool fortran_order_differs(std::span<const index_t> shape) noexcept {
  if (std::ranges::any_of(shape, [](index_t d) { return d == 0; })) return false;
  return std::ranges::count_if(shape, [](index_t d) { return d > 1; }) >= 2;
}

std::int64_t header_extent(std::span<const std::byte> start, const limits& lim) {
  if (!start.empty() &&
      std::memcmp(start.data(), magic, std::min(start.size(), sizeof magic)) != 0) {
    throw format_error("not a .npy file: the magic string \\x93NUMPY is missing");
  }
  if (start.size() < prefix_length) {
    throw format_error("file of " + std::to_string(start.size()) +
                       " bytes is too short for the .npy magic string and version");
  }
  const auto major = static_cast<std::uint8_t>(start[6]);
  const auto minor = static_cast<std::uint8_t>(start[7]);
  if (!((major == 1 || major == 2 || major == 3) && minor == 0)) {
    throw format_error("unsupported .npy version " + std::to_string(major) + "." +
                       std::to_string(minor) + " (maparray reads 1.0, 2.0 and 3.0)");
  }
  const std::size_t field = length_field_size(major);
  if (start.size() < prefix_length + field) {
    throw format_error("file ends inside the header length");
  }
  std::uint64_t length = 0;
  for (std::size_t k = field; k-- > 0;) {
    length = length << 8 | static_cast<std::uint8_t>(start[prefix_length + k]);
  }
  if (length > lim.max_header_length) {
    throw format_error("header length " + std::to_string(length) + " exceeds the limit of " +
                       std::to_string(lim.max_header_length) +
                       " bytes (raise npy::limits::max_header_length to read it)");
  }
  return static_cast<std::int64_t>(prefix_length + field + length);
}

header parse_header(std::span<const std::byte> bytes, const limits& lim) {
  header h;
  h.data_offset = header_extent(bytes, lim);
  h.major_version = static_cast<std::uint8_t>(bytes[6]);
  h.minor_version = static_cast<std::uint8_t>(bytes[7]);
  if (bytes.size() < static_cast<std::size_t>(h.data_offset)) {
    throw format_error("file ends inside the header (the header says it has " +
                       std::to_string(h.data_offset) + " bytes, there are " +
                       std::to_string(bytes.size()) + ")");
  }
  const std::size_t first = prefix_length + length_field_size(h.major_version);
  const auto raw = bytes.subspan(first, static_cast<std::size_t>(h.data_offset) - first);
  std::string text;
  if (h.major_version == 3) {
    text.assign(reinterpret_cast<const char*>(raw.data()), raw.size());
    std::size_t pos = 0;
    char32_t c;
    while (pos < text.size()) {
      if (!detail::next_code_point(text, pos, c)) {
        throw format_error("header of a version 3.0 file is not valid UTF-8 at offset " +
                           std::to_string(pos));
      }
    }
  } else {
    text = latin1_to_utf8(raw);
  }
  const auto dict = detail::parse_literal(text, {.long_suffix = h.major_version <= 2});
  if (dict.type != detail::py_value::kind::dict) {
    throw format_error("header is not a dict but " + std::string(detail::kind_name(dict.type)));
  }
  std::vector<std::string> keys;
  for (std::size_t k = 0; k < dict.items.size(); k += 2) {
    const auto& key = dict.items[k];
    keys.push_back(key.type == detail::py_value::kind::string ? detail::python_repr(key.text)
                                                              : detail::kind_name(key.type));
  }
  auto sorted = keys;
  std::ranges::sort(sorted);
  if (sorted != std::vector<std::string>{"'descr'", "'fortran_order'", "'shape'"}) {
    std::string found;
    for (const auto& k : keys) found += (found.empty() ? "" : ", ") + k;
    throw format_error(
        "header keys must be exactly 'descr', 'fortran_order' and 'shape', each once; found " +
        (found.empty() ? std::string("none") : found));
  }
  const auto& shape = single(dict, "shape");
  if (shape.type != detail::py_value::kind::tuple) {
    throw format_error("shape is not a tuple but " + std::string(detail::kind_name(shape.type)));
  }
  if (shape.items.size() > max_rank) {
    throw format_error("shape has " + std::to_string(shape.items.size()) +
                       " dimensions, more than " + std::to_string(max_rank));
  }
  std::vector<index_t> extents;
  for (const auto& d : shape.items) {
    if (d.type != detail::py_value::kind::integer) {
      throw format_error("shape holds " + std::string(detail::kind_name(d.type)) +
                         ", not only integers");
    }
    if (d.too_big) throw format_error("shape has a dimension too large for 64 bits");
    if (d.integer < 0) {
      throw format_error("shape has a negative dimension " + std::to_string(d.integer));
    }
    extents.push_back(d.integer);
  }
  h.shape = dims(std::span<const index_t>(extents));
  const auto& fortran = single(dict, "fortran_order");
  if (fortran.type != detail::py_value::kind::boolean) {
    throw format_error("fortran_order is not a bool but " +
                       std::string(detail::kind_name(fortran.type)));
  }
  h.fortran_order = fortran.boolean;
  h.type = detail::descr_to_dtype(single(dict, "descr"));
  try {
    h.data_length = checked_mul(element_count(h.shape.span()), h.type.itemsize(), "array size");
  } catch (const std::overflow_error&) {
    throw format_error("shape " + to_string(h.shape.span()) + " of " +
                       std::to_string(h.type.itemsize()) +
                       "-byte elements is more than 2^63 bytes");
  }
  try {
    // Even an empty array's strides must fit; numpy.load refuses these too.
    require_addressable(h.shape.span(), std::max<index_t>(h.type.itemsize(), 1));
  } catch (const std::overflow_error&) {
    throw format_error("shape " + to_string(h.shape.span()) + " of " +
                       std::to_string(h.type.itemsize()) +
                       "-byte elements is too big: its strides would overflow 64 bits");
  }
  return h;
}

namespace detail {

std::string header_dict(const dtype& type, std::span<const index_t> shape, bool fortran_order) {
  return "{'descr': " + format_descr(type) +
         ", 'fortran_order': " + (fortran_order ? "True" : "False") +
         ", 'shape': " + shape_repr(shape) + ", }";
}

std::vector<std::byte> wrap_header(std::string_view text, std::uint8_t major,
                                   std::size_t total_length) {
  const std::size_t field = length_field_size(major);
  const std::size_t length = total_length - prefix_length - field;
  std::vector<std::byte> out(total_length, std::byte{' '});
  std::memcpy(out.data(), magic, sizeof magic);
  out[6] = std::byte{major};
  out[7] = std::byte{0};
  for (std::size_t k = 0; k < field; ++k) {
    out[prefix_length + k] = static_cast<std::byte>((length >> (8 * k)) & 0xFF);
  }
  std::memcpy(out.data() + prefix_length + field, text.data(), text.size());
  out.back() = std::byte{'\n'};
  return out;
}

}  // namespace detail

bool has_magic(std::span<const std::byte> start) noexcept {
  return start.size() >= sizeof magic && std::memcmp(start.data(), magic, sizeof magic) == 0;
}

std::vector<std::byte> format_header(const dtype& type, std::span<const index_t> shape,
                                     bool fortran_order) {
  if (std::ranges::any_of(shape, [](index_t d) { return d < 0; })) {
    throw std::invalid_argument("shape " + to_string(shape) + " has a negative dimension");
  }
  if (shape.size() > max_rank) throw std::invalid_argument("shape has too many dimensions");
  checked_mul(element_count(shape), type.itemsize(), "array size");
  const bool fortran = fortran_order && fortran_order_differs(shape);
  std::string text = detail::header_dict(type, shape, fortran);
  // Spare room so that the growing axis can reach 21 digits without moving the data.
  if (!shape.empty()) {
    const std::size_t digits = std::to_string(shape[fortran ? shape.size() - 1 : 0]).size();
    if (digits < growth_axis_max_digits) text.append(growth_axis_max_digits - digits, ' ');
  }
  std::string latin1;
  const bool is_latin1 = utf8_to_latin1(text, latin1);
  const std::string& encoded = is_latin1 ? latin1 : text;
  for (std::uint8_t major : {std::uint8_t{1}, std::uint8_t{2}, std::uint8_t{3}}) {
    if ((major == 3) == is_latin1) continue;
    const std::size_t field = length_field_size(major);
    const std::size_t used = prefix_length + field + encoded.size() + 1;
    const std::size_t padding = array_align - used % array_align;
    const std::size_t length = encoded.size() + 1 + padding;
    if (length > (major == 1 ? 0xFFFFu : 0xFFFFFFFFu)) continue;
    return detail::wrap_header(encoded, major, used + padding);
  }
  throw std::invalid_argument("the header of dtype " + type.str() + " is too long for .npy");
}

}  // namespace maparray::npy
