// The expression language's parser: Python's expression syntax, by recursive descent, into an
// expression_tree. See expression.hpp for the language.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "expression_tree.hpp"
#include "maparray/error.hpp"
#include "maparray/expression.hpp"

namespace maparray {

namespace {

using detail::expression_node;
using detail::expression_tree;
using kind = expression_node::kind;

// Nesting deeper than this is refused, so that no text can exhaust the stack.
constexpr int max_depth = 200;

class parser {
 public:
  explicit parser(std::string_view text) : text_(text) { tree_.text = std::string(text); }

  expression_tree parse() {
    const int root = expression(0);
    skip_space();
    if (at_ < text_.size()) fail("unexpected '" + std::string(1, text_[at_]) + "'");
    for (std::size_t i = 0; i < tree_.nodes.size(); ++i) {
      if (tree_.nodes[i].what == kind::reduce && static_cast<int>(i) != root) {
        reduce_not_outermost(tree_.nodes[i].position);
      }
    }
    tree_.root = root;
    return std::move(tree_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { fail_at(what, at_); }
  [[noreturn]] void fail_at(const std::string& what, std::size_t position) const {
    throw expression_error("expression: " + what + " at position " + std::to_string(position) +
                               " of '" + std::string(text_) + "'",
                           position);
  }
  [[noreturn]] void reduce_not_outermost(std::size_t position) const {
    fail_at(
        "a reduction (sum, prod, min, max, mean, any, all) may only be the outermost "
        "operation",
        position);
  }

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }
  // Consumes `token` if the text continues with it (after spaces), but not if it is only the
  // start of a longer operator in `longer` ("*" is not taken from "**").
  bool accept(std::string_view token, std::string_view longer = {}) {
    skip_space();
    if (text_.substr(at_, token.size()) != token) return false;
    if (!longer.empty() && text_.substr(at_, longer.size()) == longer) return false;
    at_ += token.size();
    return true;
  }
  void expect(std::string_view token) {
    if (!accept(token)) fail("expected '" + std::string(token) + "'");
  }

  int add(expression_node n) {
    tree_.nodes.push_back(std::move(n));
    return static_cast<int>(tree_.nodes.size() - 1);
  }
  int call(ufunc f, std::vector<int> args, std::size_t position) {
    expression_node n;
    n.what = kind::call;
    n.function = f;
    n.args = std::move(args);
    n.position = position;
    return add(std::move(n));
  }

  void enter(int depth) const {
    if (depth > max_depth)
      fail("expression nested deeper than " + std::to_string(max_depth) + " levels");
  }

  // Python's precedence, loosest first: | ^ & comparisons << >> + - * / // % unary **.
  int expression(int depth) { return bit_or(depth + 1); }

  int bit_or(int depth) {
    enter(depth);
    int left = bit_xor(depth + 1);
    for (std::size_t p; p = position(), accept("|");)
      left = call(ufunc::bitwise_or, {left, bit_xor(depth + 1)}, p);
    return left;
  }
  int bit_xor(int depth) {
    int left = bit_and(depth + 1);
    for (std::size_t p; p = position(), accept("^");)
      left = call(ufunc::bitwise_xor, {left, bit_and(depth + 1)}, p);
    return left;
  }
  int bit_and(int depth) {
    int left = comparison(depth + 1);
    for (std::size_t p; p = position(), accept("&");) {
      left = call(ufunc::bitwise_and, {left, comparison(depth + 1)}, p);
    }
    return left;
  }
  int comparison(int depth) {
    const int left = shift(depth + 1);
    static constexpr std::pair<std::string_view, ufunc> operators[] = {
        {"<=", ufunc::less_equal}, {">=", ufunc::greater_equal}, {"==", ufunc::equal},
        {"!=", ufunc::not_equal},  {"<", ufunc::less},           {">", ufunc::greater}};
    for (const auto& [token, f] : operators) {
      const std::size_t p = position();
      if (accept(token, token == "<" ? "<<" : token == ">" ? ">>" : "")) {
        const int result = call(f, {left, shift(depth + 1)}, p);
        skip_space();
        for (const auto& [next, g] : operators) {
          if (text_.substr(at_, next.size()) == next && text_.substr(at_, 2) != "<<" &&
              text_.substr(at_, 2) != ">>") {
            fail("chained comparisons are not supported; combine them with &");
          }
        }
        return result;
      }
    }
    return left;
  }
  int shift(int depth) {
    int left = sum(depth + 1);
    for (;;) {
      const std::size_t p = position();
      if (accept("<<")) {
        left = call(ufunc::left_shift, {left, sum(depth + 1)}, p);
      } else if (accept(">>")) {
        left = call(ufunc::right_shift, {left, sum(depth + 1)}, p);
      } else {
        return left;
      }
    }
  }
  int sum(int depth) {
    int left = term(depth + 1);
    for (;;) {
      const std::size_t p = position();
      if (accept("+")) {
        left = call(ufunc::add, {left, term(depth + 1)}, p);
      } else if (accept("-")) {
        left = call(ufunc::subtract, {left, term(depth + 1)}, p);
      } else {
        return left;
      }
    }
  }
  int term(int depth) {
    int left = unary(depth + 1);
    for (;;) {
      const std::size_t p = position();
      if (accept("*", "**")) {
        left = call(ufunc::multiply, {left, unary(depth + 1)}, p);
      } else if (accept("//")) {
        left = call(ufunc::floor_divide, {left, unary(depth + 1)}, p);
      } else if (accept("/")) {
        left = call(ufunc::divide, {left, unary(depth + 1)}, p);
      } else if (accept("%")) {
        left = call(ufunc::remainder, {left, unary(depth + 1)}, p);
      } else {
        return left;
      }
    }
  }
  int unary(int depth) {
    enter(depth);
    const std::size_t p = position();
    if (accept("-")) {
      const int operand = unary(depth + 1);
      // A negative literal is a number, as Python folds it: -128 fits int8.
      auto& n = tree_.nodes[static_cast<std::size_t>(operand)];
      if (n.what == kind::number && n.position == p + 1 + spaces_after(p + 1)) {
        if (negate(n.number)) {
          n.position = p;
          return operand;
        }
      }
      return call(ufunc::negative, {operand}, p);
    }
    if (accept("+")) return call(ufunc::positive, {unary(depth + 1)}, p);
    if (accept("~")) return call(ufunc::invert, {unary(depth + 1)}, p);
    return power(depth + 1);
  }
  int power(int depth) {
    const int base = primary(depth + 1);
    const std::size_t p = position();
    if (accept("**")) return call(ufunc::power, {base, unary(depth + 1)}, p);
    return base;
  }

  int primary(int depth) {
    enter(depth);
    skip_space();
    const std::size_t p = at_;
    if (at_ >= text_.size()) fail("expected a number, a name or '('");
    const char c = text_[at_];
    if (accept("(")) {
      const int inner = expression(depth + 1);
      expect(")");
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number(p);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t end = at_;
      while (end < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) {
        ++end;
      }
      const std::string word(text_.substr(at_, end - at_));
      at_ = end;
      if (accept("(")) return function(word, p, depth);
      expression_node n;
      n.position = p;
      if (word == "True" || word == "False") {
        n.what = kind::number;
        n.number = scalar(word == "True");
      } else {
        n.what = kind::name;
        n.name = word;
      }
      return add(std::move(n));
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }

  int function(const std::string& word, std::size_t p, int depth) {
    if (const auto r = reduction_from_name(word)) {
      expression_node n;
      n.what = kind::reduce;
      n.reducer = *r;
      n.position = p;
      n.args.push_back(expression(depth + 1));
      if (accept(",")) {
        skip_space();
        if (!accept("axis")) fail("expected 'axis=' as the second argument of " + word);
        expect("=");
        const std::size_t at = position();
        const int axis = unary(depth + 1);
        const auto& a = tree_.nodes[static_cast<std::size_t>(axis)];
        if (a.what != kind::number || !a.number.weak() || !is_integer(a.number.type().type) ||
            !a.number.fits(numeric_type::int32)) {
          fail_at("axis must be an integer", at);
        }
        n.axis = a.number.as<std::int32_t>();
      }
      expect(")");
      return add(std::move(n));
    }
    const auto f = ufunc_from_name(word);
    if (!f) fail_at("unknown function '" + word + "'", p);
    std::vector<int> args;
    skip_space();
    if (!accept(")")) {
      do {
        args.push_back(expression(depth + 1));
      } while (accept(","));
      expect(")");
    }
    if (args.size() != static_cast<std::size_t>(info(*f).inputs)) {
      fail_at(word + "() takes " + std::to_string(info(*f).inputs) + " argument" +
                  (info(*f).inputs == 1 ? "" : "s") + ", " + std::to_string(args.size()) + " given",
              p);
    }
    return call(*f, std::move(args), p);
  }

  int number(std::size_t p) {
    std::size_t end = at_;
    const auto digit = [&](std::size_t i) {
      return i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]));
    };
    while (digit(end)) ++end;
    if (end < text_.size() && text_[end] == '.') {
      ++end;
      while (digit(end)) ++end;
    }
    if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
      std::size_t e = end + 1;
      if (e < text_.size() && (text_[e] == '+' || text_[e] == '-')) ++e;
      if (!digit(e)) fail_at("malformed number", p);
      end = e;
      while (digit(end)) ++end;
    }
    const std::string_view digits = text_.substr(at_, end - at_);
    if (digits == ".") fail_at("malformed number", p);
    const bool imaginary = end < text_.size() && (text_[end] == 'j' || text_[end] == 'J');
    if (end < text_.size() &&
        (std::isalpha(static_cast<unsigned char>(text_[end])) || text_[end] == '_') && !imaginary) {
      fail_at("malformed number", p);
    }
    if (imaginary) ++end;
    // A token that is only a number ends at an operator or a space: the checks above make it
    // one scalar::parse() accepts (or refuses as too large).
    expression_node n;
    n.what = kind::number;
    n.position = p;
    try {
      n.number = scalar::parse(text_.substr(at_, end - at_));
    } catch (const std::exception& e) {
      fail_at(e.what(), p);
    }
    at_ = end;
    return add(std::move(n));
  }

  // Negates a number literal in place if it stays representable; returns false for a weak
  // unsigned value above 2**63, which -x must compute as a float.
  static bool negate(scalar& s) {
    const numeric_type t = s.type().type;
    if (t == numeric_type::int64) {
      s = scalar(-s.as<std::int64_t>());
      return true;
    }
    if (t == numeric_type::uint64) {
      const auto v = s.as<std::uint64_t>();
      if (v == std::uint64_t{1} << 63) {
        s = scalar(std::numeric_limits<std::int64_t>::min());
        return true;
      }
      return false;
    }
    if (t == numeric_type::float64) {
      s = scalar(-s.as<double>());
      return true;
    }
    if (t == numeric_type::complex128) {
      s = scalar(-s.as<std::complex<double>>());
      return true;
    }
    return false;  // True / False: -True is negative(True), which NumPy refuses
  }

  std::size_t spaces_after(std::size_t from) const {
    std::size_t n = 0;
    while (from + n < text_.size() && text_[from + n] == ' ') ++n;
    return n;
  }
  std::size_t position() {
    skip_space();
    return at_;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  expression_tree tree_;
};

}  // namespace

expression expression::parse(std::string_view text) {
  return expression(std::make_shared<const expression_tree>(parser(text).parse()));
}

const std::string& expression::text() const noexcept {
  return tree_->text;
}

std::vector<std::string> expression::names() const {
  std::set<std::string> names;
  for (const auto& n : tree_->nodes) {
    if (n.what == kind::name) names.insert(n.name);
  }
  return {names.begin(), names.end()};
}

namespace detail {

expression_tree call_tree(ufunc f, std::size_t operands) {
  if (operands != static_cast<std::size_t>(info(f).inputs)) {
    throw std::invalid_argument(std::string(name(f)) + " takes " + std::to_string(info(f).inputs) +
                                " operands, " + std::to_string(operands) + " given");
  }
  expression_tree tree;
  tree.text = std::string(name(f));
  expression_node call;
  call.what = kind::call;
  call.function = f;
  for (std::size_t j = 0; j < operands; ++j) {
    expression_node leaf;
    leaf.what = kind::name;
    leaf.name = std::to_string(j);
    tree.nodes.push_back(std::move(leaf));
    call.args.push_back(static_cast<int>(j));
  }
  tree.nodes.push_back(std::move(call));
  tree.root = static_cast<int>(operands);
  return tree;
}

expression_tree reduce_tree(reduction r, std::optional<int> axis) {
  expression_tree tree;
  tree.text = std::string(name(r));
  expression_node leaf;
  leaf.what = kind::name;
  leaf.name = "0";
  tree.nodes.push_back(std::move(leaf));
  expression_node node;
  node.what = kind::reduce;
  node.reducer = r;
  node.axis = axis;
  node.args.push_back(0);
  tree.nodes.push_back(std::move(node));
  tree.root = 1;
  return tree;
}

}  // namespace detail

}  // namespace maparray
