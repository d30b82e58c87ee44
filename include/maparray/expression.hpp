// Whole expressions over arrays of any size, evaluated in one pass with NumPy's results:
//
//   ma::evaluate(ma::expression::parse("a*b + 2*c"), {{"a", a}, {"b", b}, {"c", c}}, d);
//   ma::evaluate(ma::expression::parse("sum(a*b)"), {{"a", a}, {"b", b}}, total);  // a dot product
//
// numpy computes a*b + 2*c as three passes over the data with two full-size temporaries in
// memory. evaluate() walks the arrays once, chunk by chunk through the compute engine (threads,
// memory budget, read-ahead, write-behind: see exec_options.hpp), and computes each block of a
// chunk in registers that stay in the processor's caches, so the arrays may be far bigger than
// memory. Each operation of the expression has NumPy's semantics (types, broadcasting, values):
// the result equals NumPy's evaluation of the same text.
//
// The language is Python's expression syntax, restricted to what NumPy computes elementwise:
//   - numbers: 3, 2.5, 1e-3, 2j, True, False (all weak, see type_rules.hpp); names of operands;
//   - operators, by Python's precedence: ** (right-associative, binds tighter than a unary minus
//     on its left), unary - + ~, * / // %, + -, << >>, &, ^, |, comparisons < <= > >= == !=
//     (not chained); & | ^ ~ are bitwise (logical on bools), as in NumPy;
//   - calls of the operations of ufunc.hpp by NumPy's names (sqrt(x), where(c, x, y),
//     arctan2(y, x); also abs, true_divide), and at the outermost level only, one reduction:
//     sum, prod, min, max, mean, any or all of an expression, with an optional axis=k.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "maparray/any_array.hpp"
#include "maparray/exec_options.hpp"
#include "maparray/operand.hpp"
#include "maparray/type_rules.hpp"

namespace maparray {

// Implementation, not API: declared here because the classes below hold a pointer to it.
namespace detail {
struct expression_tree;
}

// A parsed expression; cheap to copy, immutable, usable from several threads.
class expression {
 public:
  // Parses expression text (see the file comment). Throws expression_error naming the position
  // and what was expected; expressions nested deeper than 200 levels are refused the same way.
  static expression parse(std::string_view text);

  // The text parsed.
  const std::string& text() const noexcept;
  // The names the expression uses, sorted, each once. Throws only std::bad_alloc.
  std::vector<std::string> names() const;

  // The tree, for the library's evaluator.
  const detail::expression_tree& tree() const noexcept { return *tree_; }

 private:
  friend class array_expression;  // builds trees without text
  explicit expression(std::shared_ptr<const detail::expression_tree> tree) noexcept
      : tree_(std::move(tree)) {}
  std::shared_ptr<const detail::expression_tree> tree_;
};

// What evaluating an expression gives: the result's dtype (native order) and shape.
struct expression_result {
  dtype type;  // the result's dtype, in native byte order
  dims shape;  // the result's shape
};

// The dtype and shape of an expression's result for these operands. Throws type_error (an
// operation without a loop for its types, as NumPy's "ufunc 'floor_divide' not supported for
// the input types", a dtype that is not numeric), std::invalid_argument (a name without an
// operand, shapes that do not broadcast), std::overflow_error (a weak integer outside the type
// it must take: NumPy's "Python integer 300 out of bounds for uint8"), axis_error.
expression_result describe(const expression& e, const operand_map& names);

// Evaluates `e` into `out`, which must have the result's shape and a dtype the result type
// casts to under `rule` (casting::same_kind, NumPy's rule for out=: a float64 result may go to
// float32, never to an integer). `out` may be one of the operands (in place) but must not
// overlap one otherwise. Throws as describe(), type_error (out's dtype), std::invalid_argument
// (out's shape, a read-only out, an out overlapping an operand), what the operations throw (power
// of integers to negative powers: std::invalid_argument), std::system_error, cancelled_error.
void evaluate(const expression& e, const operand_map& names, const any_array& out,
              const exec_options& opts = {}, casting rule = casting::same_kind);

}  // namespace maparray
