#include "print_array.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <vector>

#include "elements.hpp"
#include "scalar_text.hpp"

namespace maparray::cli {
namespace {

constexpr std::size_t threshold = 1000;
constexpr index_t edge_items = 3;
constexpr std::size_t line_width = 75;

// Calls visit(index) for every element numpy would show, in order.
void for_each_shown(std::span<const index_t> shape, bool summarize,
                    const std::function<void(const std::vector<index_t>&)>& visit) {
  std::vector<index_t> index;
  std::function<void()> recurse = [&] {
    const std::size_t axis = index.size();
    if (axis == shape.size()) return visit(index);
    const index_t n = shape[axis];
    const bool cut = summarize && 2 * edge_items < n;
    for (index_t i = 0; i < n; ++i) {
      if (cut && i == edge_items) i = n - edge_items;
      index.push_back(i);
      recurse();
      index.pop_back();
    }
  };
  recurse();
}

// Digits of `v` as dragon4 gives them in numpy's default mode: the shortest text that reads
// back as v, cut to at most 8 digits after the point.
template <class F>
std::string positional(F v) {
  char buffer[400];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed).ptr;
  std::string s(buffer, end);
  const auto point = s.find('.');
  if (point != std::string::npos && s.size() - point - 1 > 8) {
    end = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, 8).ptr;
    s.assign(buffer, end);
    while (s.back() == '0') s.pop_back();
  }
  if (s.find('.') == std::string::npos) s += '.';
  return s;
}

template <class F>
std::string scientific(F v) {
  char buffer[64];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific).ptr;
  std::string s(buffer, end);
  auto e = s.find('e');
  if (auto point = s.find('.'); point != std::string::npos && e - point - 1 > 8) {
    end = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific, 8).ptr;
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
  float_format(const std::vector<F>& values, bool plus_sign) : plus_(plus_sign) {
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
    const auto point = s.find('.');
    std::string out(pad_left_ > point ? pad_left_ - point : 0, ' ');
    if (exp_) {
      const auto e = s.find('e');
      out += s.substr(0, e);
      out.append(precision_ - (e - point - 1), '0');
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
    std::string s = exp_ ? scientific(v) : positional(v);
    if (plus_ && !std::signbit(v)) s.insert(0, "+");
    return s;
  }

  bool plus_;
  bool exp_ = false;
  std::size_t pad_left_ = 0, pad_right_ = 0, precision_ = 0, exp_size_ = 0;
};

// The element at `p`. A bool is read as numpy reads it, any nonzero byte being True: loading
// a byte other than 0 or 1 as a C++ bool would be undefined.
template <class T>
T value_at(const std::byte* p, bool swap) noexcept {
  if constexpr (std::is_same_v<T, bool>) {
    return *p != std::byte{0};
  } else {
    return load<T>(p, swap);
  }
}

template <class T>
std::function<std::string(const std::byte*)> element_formatter(const std::vector<T>& shown,
                                                               bool swap) {
  if constexpr (std::is_same_v<T, bool>) {
    return [](const std::byte* p) { return value_at<bool>(p, false) ? " True" : "False"; };
  } else if constexpr (std::is_integral_v<T>) {
    std::size_t width = 0;
    for (T v : shown) width = std::max(width, std::to_string(v).size());
    return [width, swap](const std::byte* p) {
      const std::string s = std::to_string(load<T>(p, swap));
      return std::string(width - std::min(width, s.size()), ' ') + s;
    };
  } else if constexpr (is_complex<T>::value) {
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
    using F = std::conditional_t<std::is_same_v<T, half>, float, T>;
    std::vector<F> values;
    for (T v : shown) values.push_back(static_cast<F>(v));
    return [format = float_format<F>(values, false), swap](const std::byte* p) {
      return format(static_cast<F>(load<T>(p, swap)));
    };
  }
}

// Builds a line-wrapped nested listing as numpy's _formatArray does.
class layout_printer {
 public:
  layout_printer(const any_array& a, bool summarize,
                 std::function<std::string(const std::byte*)> format)
      : a_(a), summarize_(summarize), format_(std::move(format)) {}

  std::string print() {
    std::vector<index_t> index;
    return recurse(index, " ", line_width);
  }

 private:
  const std::byte* element(const std::vector<index_t>& index) const {
    const std::byte* p = a_.data();
    for (std::size_t k = 0; k < index.size(); ++k) p += index[k] * a_.byte_strides()[k];
    return p;
  }

  static void extend_line(std::string& s, std::string& line, const std::string& word,
                          std::size_t width, const std::string& prefix) {
    if (line.size() + word.size() > width && line.size() > prefix.size()) {
      const auto end = line.find_last_not_of(' ');
      s += line.substr(0, end + 1) + "\n";
      line = prefix;
    }
    line += word;
  }

  std::string recurse(std::vector<index_t>& index, const std::string& hanging, std::size_t width) {
    const std::size_t axis = index.size();
    const std::size_t left = a_.ndim() - axis;
    if (left == 0) return format_(element(index));
    const std::string next_hanging = hanging + " ";
    const std::size_t next_width = width - 1;
    const index_t n = a_.shape()[axis];
    const bool cut = summarize_ && 2 * edge_items < n;
    const index_t leading = cut ? edge_items : 0;
    const index_t trailing = cut ? edge_items : n;
    auto nested = [&](index_t i) {
      index.push_back(i);
      std::string s = recurse(index, next_hanging, next_width);
      index.pop_back();
      return s;
    };
    std::string s;
    if (left == 1) {
      const std::size_t elem_width = width - 1;
      std::string line = hanging;
      for (index_t i = 0; i < leading; ++i) {
        extend_line(s, line, nested(i), elem_width, hanging);
        line += ' ';
      }
      if (cut) {
        extend_line(s, line, "...", elem_width, hanging);
        line += ' ';
      }
      for (index_t i = trailing; i > 1; --i) {
        extend_line(s, line, nested(n - i), elem_width, hanging);
        line += ' ';
      }
      extend_line(s, line, nested(n - 1), elem_width, hanging);
      s += line;
    } else {
      const std::string line_sep = std::string(left - 1, '\n');
      for (index_t i = 0; i < leading; ++i) s += hanging + nested(i) + line_sep;
      if (cut) s += hanging + "..." + line_sep;
      for (index_t i = trailing; i > 1; --i) s += hanging + nested(n - i) + line_sep;
      s += hanging + nested(n - 1);
    }
    return "[" + s.substr(hanging.size()) + "]";
  }

  const any_array& a_;
  bool summarize_;
  std::function<std::string(const std::byte*)> format_;
};

}  // namespace

std::string print_array(const any_array& a) {
  if (a.size() == 0) return "[]";
  const bool summarize = a.size() > threshold;
  const bool swap = needs_swap(a.type());
  return visit_numeric(a.type(), [&]<class T>(T) {
    std::vector<T> shown;
    for_each_shown(a.shape(), summarize, [&](const std::vector<index_t>& index) {
      const std::byte* p = a.data();
      for (std::size_t k = 0; k < index.size(); ++k) p += index[k] * a.byte_strides()[k];
      shown.push_back(value_at<T>(p, swap));
    });
    if (a.ndim() == 0) {
      // numpy prints a 0-d array as str() of its element: Python's repr for numbers.
      const T v = value_at<T>(a.data(), swap);
      if constexpr (std::is_same_v<T, bool>) {
        return std::string(v ? "True" : "False");
      } else if constexpr (std::is_integral_v<T>) {
        return std::to_string(v);
      } else {
        return scalar_text(v);
      }
    }
    return layout_printer(a, summarize, element_formatter(shown, swap)).print();
  });
}

}  // namespace maparray::cli
