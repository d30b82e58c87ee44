#include "print_array.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <vector>

#include "element_format.hpp"
#include "elements.hpp"
#include "maparray/numeric_type.hpp"
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
    // Widths count characters, as numpy's len() of a str does, not UTF-8 bytes.
    if (text_length(line) + text_length(word) > width && line.size() > prefix.size()) {
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
  std::vector<const std::byte*> shown;
  for_each_shown(a.shape(), summarize, [&](const std::vector<index_t>& index) {
    const std::byte* p = a.data();
    for (std::size_t k = 0; k < index.size(); ++k) p += index[k] * a.byte_strides()[k];
    shown.push_back(p);
  });
  const bool zero_d = a.ndim() == 0;
  const dtype_kind kind = a.type().kind();
  if (zero_d && (kind == dtype_kind::floating || kind == dtype_kind::complex)) {
    // numpy prints a 0-d array of numbers as str() of its element: Python's repr, with the
    // digits the element's own precision needs.
    return visit(a.type(), [&]<class T>(T) -> std::string {
      if constexpr (std::is_integral_v<T>) {
        return {};  // not reached: floating and complex kinds only
      } else {
        return scalar_text(load<T>(a.data(), !a.type().is_native()));
      }
    });
  }
  auto format = make_formatter(a.type(), shown, zero_d);
  if (zero_d) {
    // numpy prints a 0-d array as its bare element, without padding.
    std::string s = format(a.data());
    const auto first = s.find_first_not_of(' ');
    const auto last = s.find_last_not_of(' ');
    return first == std::string::npos ? s : s.substr(first, last - first + 1);
  }
  return layout_printer(a, summarize, std::move(format)).print();
}

}  // namespace maparray::cli
