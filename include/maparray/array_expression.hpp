// Expressions written in C++ over arrays, evaluated in one pass: the typed face of
// expression.hpp.
//
//   ma::evaluate(d, a * b + 2.0f * c);                                   // d = a*b + 2c
//   ma::evaluate(d, ma::where(a > 0, ma::sqrt(a), 0));
//   double dot = ma::evaluate_as<double>(ma::reduce(ma::reduction::sum, a * b));
//
// Operators (+ - * / % unary - < <= > >= & | ^ ~) and the functions below build an expression
// of arrays (array<T> or any_array) and plain numbers instead of computing anything; evaluate()
// computes it with NumPy's semantics, exactly as the same expression in text would be, through
// the compute engine. C++ numbers are weak, as Python numbers are: 2.0f * c keeps a float32 c
// float32, and so does 2.0 * c. The arrays must stay alive until evaluate() returns.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "maparray/any_array.hpp"
#include "maparray/exec_options.hpp"
#include "maparray/expression.hpp"
#include "maparray/reduction.hpp"
#include "maparray/scalar.hpp"
#include "maparray/type_rules.hpp"
#include "maparray/ufunc.hpp"

namespace maparray {

// An expression over arrays and numbers, not yet computed. Cheap to copy.
class array_expression {
 public:
  // An array as an expression. Throws only std::bad_alloc.
  explicit array_expression(const any_array& a);
  // A number as an expression (weak for C++ numbers). Throws only std::bad_alloc.
  explicit array_expression(const scalar& s);

  // f applied to the arguments. Throws std::invalid_argument for the wrong number of arguments.
  static array_expression call(ufunc f, const std::vector<array_expression>& args);
  // A reduction of e, over everything or along an axis. Throws only std::bad_alloc.
  static array_expression reduce(reduction r, const array_expression& e,
                                 std::optional<int> axis = {});

  // The expression as maparray::evaluate() takes it.
  const expression& parsed() const noexcept { return expression_; }
  // Its operands, by the names the expression uses.
  const operand_map& operands() const noexcept { return operands_; }

 private:
  array_expression(expression e, operand_map operands)
      : expression_(std::move(e)), operands_(std::move(operands)) {}
  expression expression_;
  operand_map operands_;
};

// Implementation, not API: in this public header because the templates here use it.
namespace detail {
template <class T>
struct is_typed_array : std::false_type {};
template <class T>
struct is_typed_array<array<T>> : std::true_type {};

// What may appear in an expression: arrays, expressions and numbers.
template <class X>
concept expression_part = is_typed_array<X>::value || std::is_same_v<X, any_array> ||
    std::is_same_v<X, array_expression> || std::is_arithmetic_v<X> || std::is_same_v<X, scalar>;
// What makes an expression of the parts: anything but a number.
template <class X>
concept expression_array =
    expression_part<X> && !std::is_arithmetic_v<X> && !std::is_same_v<X, scalar>;

template <class X>
array_expression lift(const X& x) {
  if constexpr (std::is_same_v<X, array_expression>) {
    return x;
  } else if constexpr (std::is_arithmetic_v<X> || std::is_same_v<X, scalar>) {
    return array_expression(scalar(x));
  } else {
    return array_expression(any_array(x));
  }
}
}  // namespace detail

// @name Operators building expressions
// @{
// x OP y (or OP x) as an expression; at least one side is an array or an expression. As the
// operations of ufunc.hpp: + add, - subtract, * multiply, / divide (true division), % remainder,
// < <= > >= comparisons, & | ^ bitwise (logical on bools), unary - negative, ~ invert.
#define MAPARRAY_EXPRESSION_OPERATOR(symbol, function)                                    \
  template <class X, class Y>                                                             \
  requires(detail::expression_part<X> && detail::expression_part<Y> &&                    \
           (detail::expression_array<X> || detail::expression_array<Y>)) array_expression \
  operator symbol(const X& x, const Y& y) {                                               \
    return array_expression::call(ufunc::function, {detail::lift(x), detail::lift(y)});   \
  }
MAPARRAY_EXPRESSION_OPERATOR(+, add)
MAPARRAY_EXPRESSION_OPERATOR(-, subtract)
MAPARRAY_EXPRESSION_OPERATOR(*, multiply)
MAPARRAY_EXPRESSION_OPERATOR(/, divide)
MAPARRAY_EXPRESSION_OPERATOR(%, remainder)
MAPARRAY_EXPRESSION_OPERATOR(<, less)
MAPARRAY_EXPRESSION_OPERATOR(<=, less_equal)
MAPARRAY_EXPRESSION_OPERATOR(>, greater)
MAPARRAY_EXPRESSION_OPERATOR(>=, greater_equal)
MAPARRAY_EXPRESSION_OPERATOR(&, bitwise_and)
MAPARRAY_EXPRESSION_OPERATOR(|, bitwise_or)
MAPARRAY_EXPRESSION_OPERATOR(^, bitwise_xor)
#undef MAPARRAY_EXPRESSION_OPERATOR
template <detail::expression_array X>
array_expression operator-(const X& x) {
  return array_expression::call(ufunc::negative, {detail::lift(x)});
}
template <detail::expression_array X>
array_expression operator~(const X& x) {
  return array_expression::call(ufunc::invert, {detail::lift(x)});
}
// @}

// @name Functions building expressions
// @{
// f(x), f(x, y) or where(c, x, y) as an expression, for the operations of ufunc.hpp (equal and
// not_equal stand for == and !=, which keep their usual meaning on arrays).
#define MAPARRAY_EXPRESSION_UNARY(function)                            \
  template <detail::expression_array X>                                \
  array_expression function(const X& x) {                              \
    return array_expression::call(ufunc::function, {detail::lift(x)}); \
  }
#define MAPARRAY_EXPRESSION_BINARY(function)                                              \
  template <class X, class Y>                                                             \
  requires(detail::expression_part<X> && detail::expression_part<Y> &&                    \
           (detail::expression_array<X> || detail::expression_array<Y>)) array_expression \
  function(const X& x, const Y& y) {                                                      \
    return array_expression::call(ufunc::function, {detail::lift(x), detail::lift(y)});   \
  }
MAPARRAY_EXPRESSION_BINARY(power)
MAPARRAY_EXPRESSION_BINARY(floor_divide)
MAPARRAY_EXPRESSION_BINARY(minimum)
MAPARRAY_EXPRESSION_BINARY(maximum)
MAPARRAY_EXPRESSION_BINARY(equal)
MAPARRAY_EXPRESSION_BINARY(not_equal)
MAPARRAY_EXPRESSION_BINARY(logical_and)
MAPARRAY_EXPRESSION_BINARY(logical_or)
MAPARRAY_EXPRESSION_BINARY(arctan2)
MAPARRAY_EXPRESSION_BINARY(hypot)
MAPARRAY_EXPRESSION_UNARY(absolute)
MAPARRAY_EXPRESSION_UNARY(logical_not)
MAPARRAY_EXPRESSION_UNARY(sqrt)
MAPARRAY_EXPRESSION_UNARY(exp)
MAPARRAY_EXPRESSION_UNARY(log)
MAPARRAY_EXPRESSION_UNARY(sin)
MAPARRAY_EXPRESSION_UNARY(cos)
MAPARRAY_EXPRESSION_UNARY(tanh)
#undef MAPARRAY_EXPRESSION_UNARY
#undef MAPARRAY_EXPRESSION_BINARY
template <class C, class X, class Y>
requires(detail::expression_part<C>&& detail::expression_part<X>&& detail::expression_part<Y>)
    array_expression where(const C& condition, const X& x, const Y& y) {
  return array_expression::call(ufunc::where,
                                {detail::lift(condition), detail::lift(x), detail::lift(y)});
}
// @}

// A reduction of an expression, computed in the same pass: reduce(reduction::sum, a * b) is a
// dot product. Throws only std::bad_alloc.
inline array_expression reduce(reduction r, const array_expression& e,
                               std::optional<int> axis = {}) {
  return array_expression::reduce(r, e, axis);
}

// Computes `e` into `out`. Throws as maparray::evaluate() in expression.hpp.
void evaluate(const any_array& out, const array_expression& e, const exec_options& opts = {},
              casting rule = casting::same_kind);

// The value of an expression with one element (a full reduction, or a zero-dimensional
// expression) as a T, converted from the result type as convert() does. Throws as evaluate().
template <computable T>
T evaluate_as(const array_expression& e, const exec_options& opts = {}) {
  T value{};
  evaluate(any_array(reinterpret_cast<std::byte*>(&value), dtype_of<T>(), dims{}, dims{}, {}, true),
           e, opts, casting::unsafe);
  return value;
}

}  // namespace maparray
