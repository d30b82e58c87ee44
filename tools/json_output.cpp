#include "json_output.hpp"

#include <iostream>
#include <vector>

#include "elements.hpp"
#include "maparray/convert.hpp"
#include "maparray/numeric_type.hpp"
#include "text.hpp"

namespace maparray::cli {

void print_json(const json& value) {
  std::cout << value.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

json shape_json(std::span<const index_t> shape) {
  json list = json::array();
  for (const index_t d : shape) list.push_back(d);
  return list;
}

json array_json(const any_array& a) {
  json result;
  result["dtype"] = a.type().str();
  result["shape"] = shape_json(a.shape());
  result["order"] = a.is_c_contiguous() || !a.is_f_contiguous() ? "C" : "F";
  result["nbytes"] = a.size_bytes();
  return result;
}

namespace {

// The elements of a subarray field of `shape` at `p`, as nested lists.
json subarray_json(const dtype& type, const std::byte* p, std::span<const index_t> shape) {
  if (shape.empty()) return element_json(type, p);
  index_t inner = type.itemsize();
  for (std::size_t k = 1; k < shape.size(); ++k) inner *= shape[k];
  json list = json::array();
  for (index_t i = 0; i < shape[0]; ++i)
    list.push_back(subarray_json(type, p + i * inner, shape.subspan(1)));
  return list;
}

void write_axis(const any_array& a, std::size_t axis, const std::byte* p, std::ostream& out) {
  if (axis == a.ndim()) {
    out << element_json(a.type(), p).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  out << '[';
  for (index_t i = 0; i < a.shape()[axis]; ++i) {
    if (i) out << ',';
    write_axis(a, axis + 1, p + i * a.byte_strides()[axis], out);
  }
  out << ']';
}

}  // namespace

json element_json(const dtype& type, const std::byte* p) {
  const auto size = static_cast<std::size_t>(type.itemsize());
  switch (type.kind()) {
    case dtype_kind::bytes: {
      std::size_t n = size;
      while (n > 0 && p[n - 1] == std::byte{0}) --n;
      return std::string(reinterpret_cast<const char*>(p), n);
    }
    case dtype_kind::raw: {
      static constexpr char hex[] = "0123456789abcdef";
      std::string digits;
      for (std::size_t i = 0; i < size; ++i) {
        const auto b = static_cast<unsigned>(p[i]);
        digits += hex[b >> 4];
        digits += hex[b & 15];
      }
      return digits;
    }
    case dtype_kind::unicode: {
      std::string text;
      for (const char32_t c : read_ucs4(p, size / 4, !type.is_native())) append_utf8(text, c);
      return text;
    }
    case dtype_kind::record: {
      json fields = json::object();
      for (const dtype_field& f : type.fields())
        fields[f.name] = subarray_json(*f.type, p + f.offset, f.shape.span());
      return fields;
    }
    default:
      break;
  }
  const bool swap = !type.is_native();
  return visit(type, [&]<class T>(T) -> json {
    const T v = load<T>(p, swap);
    if constexpr (is_complex(numeric_type_of<T>())) {
      return json::array({static_cast<double>(v.real()), static_cast<double>(v.imag())});
    } else if constexpr (is_floating(numeric_type_of<T>())) {
      return convert<double>(v);
    } else {
      return v;
    }
  });
}

void write_elements_json(const any_array& a, std::ostream& out) {
  write_axis(a, 0, a.data(), out);
}

}  // namespace maparray::cli
