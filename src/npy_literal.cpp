#include "npy_literal.hpp"

#include <string>

#include "maparray/error.hpp"

namespace maparray::npy::detail {
namespace {

constexpr int max_depth = 64;

bool is_digit(char c, int base) {
  if (c >= '0' && c <= '9') return c - '0' < base;
  if (base == 16) return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return false;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

class parser {
 public:
  parser(std::string_view text, const literal_syntax& syntax) : text_(text), syntax_(syntax) {}

  py_value parse_all() {
    py_value v = value(0);
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the literal");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw format_error("header is not a Python literal: " + why + " at offset " +
                       std::to_string(pos_));
  }

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++pos_;
      } else if (c == '\\' && pos_ + 1 < text_.size() &&
                 (text_[pos_ + 1] == '\n' || text_[pos_ + 1] == '\r')) {
        pos_ += 2;  // a line continuation
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
      } else {
        return;
      }
    }
  }

  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  py_value value(int depth) {
    if (depth > max_depth) fail("nested too deeply");
    skip_space();
    if (pos_ == text_.size()) fail("unexpected end");
    const char c = text_[pos_];
    if (c == '(') return sequence(depth, ')', py_value::kind::tuple);
    if (c == '[') return sequence(depth, ']', py_value::kind::list);
    if (c == '{') return dict(depth);
    if (c == '-' || c == '+') {
      ++pos_;
      skip_space();
      if (pos_ == text_.size() || !is_digit(text_[pos_], 10)) fail("a sign must precede a number");
      py_value v = number();
      if (c == '-') v.integer = -v.integer;
      return v;
    }
    if (is_digit(c, 10)) return number();
    if (c == '\'' || c == '"') return strings();
    if (is_name_char(c)) {
      const std::size_t start = pos_;
      while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
      const std::string_view name = text_.substr(start, pos_ - start);
      if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
        if (name == "u" || name == "U" || name == "r" || name == "R") {
          pos_ = start;
          return strings();
        }
        fail("unsupported string prefix '" + std::string(name) + "'");
      }
      py_value v;
      if (name == "True" || name == "False") {
        v.type = py_value::kind::boolean;
        v.boolean = name == "True";
      } else if (name == "None") {
        v.type = py_value::kind::none;
      } else {
        pos_ = start;
        fail("unsupported name '" + std::string(name) + "'");
      }
      return v;
    }
    fail(std::string("unexpected character '") + c + "'");
  }

  py_value sequence(int depth, char close, py_value::kind k) {
    ++pos_;  // the opening bracket
    py_value v;
    v.type = k;
    bool comma = false;
    while (!peek(close)) {
      v.items.push_back(value(depth + 1));
      if (peek(',')) {
        ++pos_;
        comma = true;
      } else if (!peek(close)) {
        fail(std::string("expected ',' or '") + close + "'");
      }
    }
    ++pos_;
    // A parenthesized single value without a comma is the value itself, not a tuple.
    if (k == py_value::kind::tuple && v.items.size() == 1 && !comma) return std::move(v.items[0]);
    return v;
  }

  py_value dict(int depth) {
    ++pos_;
    py_value v;
    v.type = py_value::kind::dict;
    while (!peek('}')) {
      v.items.push_back(value(depth + 1));
      expect(':');
      v.items.push_back(value(depth + 1));
      if (peek(',')) {
        ++pos_;
      } else if (!peek('}')) {
        fail("expected ',' or '}'");
      }
    }
    ++pos_;
    return v;
  }

  py_value number() {
    int base = 10;
    const std::size_t start = pos_;
    if (text_[pos_] == '0' && pos_ + 1 < text_.size()) {
      const char p = text_[pos_ + 1];
      if (p == 'x' || p == 'X') base = 16;
      if (p == 'o' || p == 'O') base = 8;
      if (p == 'b' || p == 'B') base = 2;
      if (base != 10) pos_ += 2;
    }
    py_value v;
    v.type = py_value::kind::integer;
    std::uint64_t magnitude = 0;
    bool any = false;
    bool nonzero_decimal_lead = base == 10 && text_[start] != '0';
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '_' && any && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1], base)) {
        ++pos_;
        continue;
      }
      if (!is_digit(c, base)) break;
      if (base == 10 && !nonzero_decimal_lead && c != '0') fail("leading zeros in a number");
      const auto d = static_cast<std::uint64_t>(digit_value(c));
      if (magnitude > (UINT64_MAX - d) / static_cast<std::uint64_t>(base)) v.too_big = true;
      magnitude = magnitude * static_cast<std::uint64_t>(base) + d;
      any = true;
      ++pos_;
    }
    if (!any) fail("a number without digits");
    if (syntax_.long_suffix && pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
    if (pos_ < text_.size() && (is_name_char(text_[pos_]) || text_[pos_] == '.')) {
      fail("unsupported number (only integers are allowed)");
    }
    // The range is symmetric: -2^63 is reported as too big, which no dimension can be anyway.
    if (magnitude > static_cast<std::uint64_t>(INT64_MAX)) v.too_big = true;
    v.integer = v.too_big ? 0 : static_cast<std::int64_t>(magnitude);
    return v;
  }

  // One or more adjacent string literals, concatenated as Python does.
  py_value strings() {
    py_value v;
    v.type = py_value::kind::string;
    do {
      one_string(v.text);
      skip_space();
    } while (pos_ < text_.size() && starts_string());
    return v;
  }

  bool starts_string() const {
    const char c = text_[pos_];
    if (c == '\'' || c == '"') return true;
    if (c == 'u' || c == 'U' || c == 'r' || c == 'R') {
      return pos_ + 1 < text_.size() && (text_[pos_ + 1] == '\'' || text_[pos_ + 1] == '"');
    }
    return false;
  }

  void one_string(std::string& out) {
    bool raw = false;
    if (text_[pos_] != '\'' && text_[pos_] != '"') {
      raw = text_[pos_] == 'r' || text_[pos_] == 'R';
      ++pos_;
    }
    const char quote = text_[pos_];
    const bool triple = text_.substr(pos_, 3) == std::string(3, quote);
    pos_ += triple ? 3 : 1;
    for (;;) {
      if (pos_ >= text_.size()) fail("unterminated string");
      const char c = text_[pos_];
      if (c == quote && (!triple || text_.substr(pos_, 3) == std::string(3, quote))) {
        pos_ += triple ? 3 : 1;
        return;
      }
      if ((c == '\n' || c == '\r') && !triple) fail("a newline inside a string");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= text_.size()) fail("unterminated string");
      const char e = text_[pos_ + 1];
      if (raw) {
        // A raw string keeps the backslash; it only stops a quote from ending the string.
        out += c;
        out += e;
        pos_ += 2;
        continue;
      }
      pos_ += 2;
      switch (e) {
        case '\n':
          break;
        case '\r':
          if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
          break;
        case '\\':
        case '\'':
        case '"':
          out += e;
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'v':
          out += '\v';
          break;
        case 'x':
          append_utf8(out, hex_escape(2));
          break;
        case 'u':
          append_utf8(out, hex_escape(4));
          break;
        case 'U':
          append_utf8(out, hex_escape(8));
          break;
        case 'N':
          fail("named unicode escapes are not supported");
        default:
          if (e >= '0' && e <= '7') {
            char32_t code = static_cast<char32_t>(e - '0');
            for (int k = 0; k < 2 && pos_ < text_.size() && is_digit(text_[pos_], 8); ++k) {
              code = code * 8 + static_cast<char32_t>(text_[pos_++] - '0');
            }
            append_utf8(out, code);
          } else {
            // Python keeps unknown escapes as they are.
            out += '\\';
            out += e;
          }
      }
    }
  }

  char32_t hex_escape(int digits) {
    char32_t code = 0;
    for (int k = 0; k < digits; ++k) {
      if (pos_ >= text_.size() || !is_digit(text_[pos_], 16))
        fail("truncated \\x, \\u or \\U escape");
      code = code * 16 + static_cast<char32_t>(digit_value(text_[pos_++]));
    }
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) fail("escape outside Unicode");
    return code;
  }

  std::string_view text_;
  literal_syntax syntax_;
  std::size_t pos_ = 0;
};

}  // namespace

const char* kind_name(py_value::kind k) noexcept {
  switch (k) {
    case py_value::kind::string:
      return "a string";
    case py_value::kind::integer:
      return "an integer";
    case py_value::kind::boolean:
      return "a bool";
    case py_value::kind::none:
      return "None";
    case py_value::kind::tuple:
      return "a tuple";
    case py_value::kind::list:
      return "a list";
    case py_value::kind::dict:
      return "a dict";
  }
  return "a value";
}

py_value parse_literal(std::string_view text, const literal_syntax& syntax) {
  return parser(text, syntax).parse_all();
}

}  // namespace maparray::npy::detail
