#include "element_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "elements.hpp"
#include "maparray/float16.hpp"
#include "maparray/numeric_type.hpp"
#include "text.hpp"

namespace maparray::cli {
namespace {

// The shortest text of `v` in `format` that reads back as v: as a float of F's precision, or,
// for float16 values held in a float (`half`), as the same float16.
template <class F>
std::string shortest(F v, std::chars_format format, bool half) {
  char buffer[400];
  if (!half)
    return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, v, format).ptr);
  // The fewest significant digits that identify v among float16s (five always do).
  int digits = 1;
  for (; digits < 5; ++digits) {
    const auto end =
        std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific, digits - 1)
            .ptr;
    double back = 0;
    std::from_chars(buffer, end, back);
    if (float16(back).bits() == float16(v).bits()) break;
  }
  auto end =
      std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific, digits - 1)
          .ptr;
  if (format == std::chars_format::scientific) return std::string(buffer, end);
  const std::string text(buffer, end);
  const int exponent = std::stoi(text.substr(text.find('e') + 1));
  end = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed,
                      std::max(0, digits - 1 - exponent))
            .ptr;
  return std::string(buffer, end);
}

// Digits of `v` as dragon4 gives them in numpy's default mode: the shortest text that reads
// back as v, cut to at most 8 digits after the point.
template <class F>
std::string positional(F v, bool half) {
  std::string s = shortest(v, std::chars_format::fixed, half);
  const auto point = s.find('.');
  if (point != std::string::npos && s.size() - point - 1 > 8) {
    char buffer[400];
    const auto end =
        std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, 8).ptr;
    s.assign(buffer, end);
    while (s.back() == '0') s.pop_back();
  }
  if (s.find('.') == std::string::npos) s += '.';
  return s;
}

template <class F>
std::string scientific(F v, bool half) {
  std::string s = shortest(v, std::chars_format::scientific, half);
  auto e = s.find('e');
  if (auto point = s.find('.'); point != std::string::npos && e - point - 1 > 8) {
    char buffer[64];
    const auto end =
        std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific, 8).ptr;
    s.assign(buffer, end);
    e = s.find('e');
    std::size_t last = e;
    while (s[last - 1] == '0') --last;
    s.erase(last, e - last);
    e = s.find('e');
  }
  if (s.find('.') == std::string::npos) s.insert(e, ".");
  return s;
}

// numpy's FloatingFormat for one column of values, with sign '-' or '+'.
template <class F>
class float_format {
 public:
  // `half`: the values are float16s held in floats, printed with float16's digits.
  float_format(const std::vector<F>& values, bool plus_sign, bool half = false)
      : plus_(plus_sign), half_(half) {
    std::vector<F> finite;
    bool negative_inf = false;
    for (F v : values) {
      if (std::isfinite(v))
        finite.push_back(v);
      else if (std::isinf(v) && v < 0)
        negative_inf = true;
    }
    F max_abs = 0, min_abs = 0;
    bool any_nonzero = false;
    for (F v : finite) {
      if (v == 0) continue;
      const F a = std::fabs(v);
      max_abs = any_nonzero ? std::max(max_abs, a) : a;
      min_abs = any_nonzero ? std::min(min_abs, a) : a;
      any_nonzero = true;
    }
    exp_ = any_nonzero && (max_abs >= F(1e8) || min_abs < F(0.0001) ||
                           static_cast<double>(max_abs) / static_cast<double>(min_abs) > 1000.);
    for (F v : finite) {
      std::string s = text(v);
      const auto point = s.find('.');
      if (exp_) {
        const auto e = s.find('e');
        precision_ = std::max(precision_, e - point - 1);
        exp_size_ = std::max(exp_size_, s.size() - e - 2);
        pad_left_ = std::max(pad_left_, point);
      } else {
        pad_left_ = std::max(pad_left_, point);
        pad_right_ = std::max(pad_right_, s.size() - point - 1);
      }
    }
    if (exp_) pad_right_ = exp_size_ + 2 + precision_;
    if (finite.size() != values.size()) {
      const std::size_t offset = pad_right_ + 1;
      const std::size_t inf_len = 3 + (negative_inf || plus_ ? 1 : 0);
      if (3 > offset) pad_left_ = std::max(pad_left_, 3 - offset);
      if (inf_len > offset) pad_left_ = std::max(pad_left_, inf_len - offset);
    }
  }

  std::string operator()(F v) const {
    const std::size_t width = pad_left_ + pad_right_ + 1;
    if (!std::isfinite(v)) {
      std::string s = std::isnan(v) ? (plus_ ? "+nan" : "nan")
                      : v < 0       ? "-inf"
                                    : (plus_ ? "+inf" : "inf");
      return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
    }
    std::string s = text(v);
    if (exp_ && s.find('e') - s.find('.') - 1 < precision_) {
      // numpy's min_digits in scientific notation: digits of the value itself beyond the
      // shortest, the last one rounded (1.19e-07 for the float16 nearest 1e-07), not zeros.
      char buffer[64];
      const auto end = std::to_chars(buffer, buffer + sizeof buffer, v,
                                     std::chars_format::scientific, static_cast<int>(precision_))
                           .ptr;
      s.assign(buffer, end);
      if (plus_ && !std::signbit(v)) s.insert(0, "+");
    }
    const auto point = s.find('.');
    std::string out(pad_left_ > point ? pad_left_ - point : 0, ' ');
    if (exp_) {
      const auto e = s.find('e');
      out += s.substr(0, e);
      out += 'e';
      out += s[e + 1];  // the exponent's sign
      const std::string digits = s.substr(e + 2);
      out.append(exp_size_ > digits.size() ? exp_size_ - digits.size() : 0, '0');
      out += digits;
    } else {
      out += s;
      out.append(pad_right_ - (s.size() - point - 1), ' ');
    }
    return out;
  }

 private:
  std::string text(F v) const {
    std::string s = exp_ ? scientific(v, half_) : positional(v, half_);
    if (plus_ && !std::signbit(v)) s.insert(0, "+");
    return s;
  }

  bool plus_;
  bool half_;
  bool exp_ = false;
  std::size_t pad_left_ = 0, pad_right_ = 0, precision_ = 0, exp_size_ = 0;
};

// numpy's formatter for numbers of type T, sized from the values shown. A bool True is
// " True" (as wide as "False") unless it is the one element of a 0-d array.
template <class T>
element_formatter numeric_formatter(const std::vector<T>& shown, bool swap, bool zero_d) {
  if constexpr (std::is_same_v<T, bool>) {
    const char* true_text = zero_d ? "True" : " True";
    return [swap, true_text](const std::byte* p) {
      return std::string(load<bool>(p, swap) ? true_text : "False");
    };
  } else if constexpr (std::is_integral_v<T>) {
    std::size_t width = 0;
    for (T v : shown) width = std::max(width, std::to_string(v).size());
    return [width, swap](const std::byte* p) {
      const std::string s = std::to_string(load<T>(p, swap));
      return std::string(width - std::min(width, s.size()), ' ') + s;
    };
  } else if constexpr (is_complex(numeric_type_of<T>())) {
    using F = typename T::value_type;
    std::vector<F> re, im;
    for (T v : shown) {
      re.push_back(v.real());
      im.push_back(v.imag());
    }
    return [real = float_format<F>(re, false), imag = float_format<F>(im, true),
            swap](const std::byte* p) {
      const T v = load<T>(p, swap);
      std::string i = imag(v.imag());
      // numpy puts the 'j' right after the digits and moves the padding after it.
      const auto end = i.find_last_not_of(' ') + 1;
      const std::size_t pad = i.size() - end;
      return real(v.real()) + i.substr(0, end) + "j" + std::string(pad, ' ');
    };
  } else {
    using F = std::conditional_t<std::is_same_v<T, float16>, float, T>;
    std::vector<F> values;
    for (T v : shown) values.push_back(static_cast<F>(v));
    return [format = float_format<F>(values, false, std::is_same_v<T, float16>),
            swap](const std::byte* p) { return format(static_cast<F>(load<T>(p, swap))); };
  }
}

// Python's repr of bytes: b'...' with \\, \t, \n, \r and \xNN escapes; double quotes when the
// bytes hold a single quote and no double quote.
std::string bytes_repr(const std::byte* p, std::size_t n) {
  bool single = false, dbl = false;
  for (std::size_t i = 0; i < n; ++i) {
    single = single || p[i] == std::byte{'\''};
    dbl = dbl || p[i] == std::byte{'"'};
  }
  const char quote = single && !dbl ? '"' : '\'';
  std::string out = "b";
  out += quote;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + quote;
}

// Whether Python's str.isprintable() holds for `c`, for the characters it can tell without
// Unicode's tables: controls, the soft hyphen, surrogates and non-characters are not; other
// characters are taken as printable.
bool printable(char32_t c) {
  return c >= 0x20 && !(c >= 0x7f && c < 0xa0) && c != 0xad && !(c >= 0xd800 && c < 0xe000) &&
         c <= 0x10ffff && c != 0xfffe && c != 0xffff;
}

// Python's repr of a str: quotes chosen as for bytes, escapes for what is not printable.
std::string str_repr(const std::u32string& text) {
  const bool single = text.find(U'\'') != std::u32string::npos;
  const bool dbl = text.find(U'"') != std::u32string::npos;
  const char quote = single && !dbl ? '"' : '\'';
  std::string out(1, quote);
  for (const char32_t c : text) {
    if (c == static_cast<char32_t>(quote) || c == U'\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == U'\t') {
      out += "\\t";
    } else if (c == U'\n') {
      out += "\\n";
    } else if (c == U'\r') {
      out += "\\r";
    } else if (!printable(c)) {
      char buffer[16];
      const char* format = c < 0x100 ? "\\x%02x" : c < 0x10000 ? "\\u%04x" : "\\U%08x";
      std::snprintf(buffer, sizeof buffer, format, static_cast<unsigned>(c));
      out += buffer;
    } else {
      append_utf8(out, c);
    }
  }
  return out + quote;
}

// numpy's SubArrayFormat: the elements of a subarray field as nested lists joined by ", ",
// all of them (numpy 1.24 does not summarize subarrays).
std::string subarray_text(const element_formatter& inner, const std::byte* p,
                          std::span<const index_t> shape, index_t itemsize) {
  if (shape.empty()) return inner(p);
  index_t inner_size = itemsize;
  for (std::size_t k = 1; k < shape.size(); ++k) inner_size *= shape[k];
  std::string out = "[";
  for (index_t i = 0; i < shape[0]; ++i) {
    if (i) out += ", ";
    out += subarray_text(inner, p + i * inner_size, shape.subspan(1), itemsize);
  }
  return out + "]";
}

element_formatter record_formatter(const dtype& type, const std::vector<const std::byte*>& shown,
                                   bool zero_d) {
  std::vector<element_formatter> fields;
  for (const dtype_field& f : type.fields()) {
    const dtype& element = *f.type;
    std::size_t count = 1;
    for (const index_t d : f.shape) count *= static_cast<std::size_t>(d);
    // Every element of the field in every shown record sizes the field's column.
    std::vector<const std::byte*> column;
    for (const std::byte* record : shown) {
      for (std::size_t i = 0; i < count; ++i)
        column.push_back(record + f.offset + static_cast<index_t>(i) * element.itemsize());
    }
    element_formatter inner = make_formatter(element, column, zero_d && f.shape.empty());
    if (f.shape.empty()) {
      fields.push_back(
          [inner, offset = f.offset](const std::byte* p) { return inner(p + offset); });
    } else {
      fields.push_back([inner, offset = f.offset, shape = f.shape,
                        itemsize = element.itemsize()](const std::byte* p) {
        return subarray_text(inner, p + offset, shape.span(), itemsize);
      });
    }
  }
  return [fields](const std::byte* p) {
    std::string out = "(";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ", ";
      out += fields[i](p);
    }
    return out + (fields.size() == 1 ? ",)" : ")");
  };
}

}  // namespace

element_formatter make_formatter(const dtype& type, const std::vector<const std::byte*>& shown,
                                 bool zero_d) {
  const auto size = static_cast<std::size_t>(type.itemsize());
  switch (type.kind()) {
    case dtype_kind::bytes:
      return [size](const std::byte* p) {
        std::size_t n = size;
        while (n > 0 && p[n - 1] == std::byte{0}) --n;  // numpy drops the NUL padding
        return bytes_repr(p, n);
      };
    case dtype_kind::raw:
      return [size](const std::byte* p) { return bytes_repr(p, size); };
    case dtype_kind::unicode:
      // A 0-d array prints as str() of its string, without quotes.
      return [size, swap = !type.is_native(), zero_d](const std::byte* p) {
        const std::u32string text = read_ucs4(p, size / 4, swap);
        if (!zero_d) return str_repr(text);
        std::string out;
        for (const char32_t c : text) append_utf8(out, c);
        return out;
      };
    case dtype_kind::record:
      return record_formatter(type, shown, zero_d);
    default:
      break;
  }
  const bool swap = !type.is_native();
  return visit(type, [&]<class T>(T) {
    std::vector<T> values;
    values.reserve(shown.size());
    for (const std::byte* p : shown) values.push_back(load<T>(p, swap));
    return numeric_formatter(values, swap, zero_d);
  });
}

std::size_t text_length(const std::string& utf8) noexcept {
  return static_cast<std::size_t>(std::ranges::count_if(
      utf8, [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

}  // namespace maparray::cli
