// The elementwise operations over arrays whose element type is known at run time (files opened
// by name, arrays from the tool or from Python), with NumPy's semantics: type promotion with
// weak scalars (type_rules.hpp), broadcasting, and NumPy's values (ops.hpp).
//
//   ma::add(a, b, out);                        // out = a + b, a and b of any numeric dtypes
//   ma::multiply(a, 0.5, out);                 // a weak scalar keeps a float32 array float32
//   ma::apply(ma::ufunc::hypot, {x, y}, out);  // any operation by its ufunc
//
// out must have the broadcast shape of the operands and a dtype the result type casts to under
// casting::same_kind (describe() tells both). Every call is one pass of the compute engine, so
// the arrays may be bigger than memory (exec_options.hpp).
#pragma once

#include <initializer_list>
#include <span>

#include "maparray/expression.hpp"
#include "maparray/operand.hpp"
#include "maparray/ufunc.hpp"

namespace maparray {

// The dtype and shape of f applied to `in`. Throws as maparray::describe(expression...): no loop
// for the types, shapes that do not broadcast, a weak integer out of range, the wrong number of
// operands (std::invalid_argument).
expression_result describe(ufunc f, std::span<const operand> in);

// out = f(in...), elementwise. Throws as maparray::evaluate().
void apply(ufunc f, std::span<const operand> in, const any_array& out,
           const exec_options& opts = {}, casting rule = casting::same_kind);
// apply() with the operands in braces: apply(ufunc::add, {a, 1}, out). Throws as apply().
inline void apply(ufunc f, std::initializer_list<operand> in, const any_array& out,
                  const exec_options& opts = {}, casting rule = casting::same_kind) {
  apply(f, std::span<const operand>(in.begin(), in.size()), out, opts, rule);
}

// @name The operations by name
// @{
// out = f(x) or out = f(x, y), elementwise, as apply(ufunc::f, ...). Throws as apply().
#define MAPARRAY_UNARY(name)                                                                \
  inline void name(const operand& x, const any_array& out, const exec_options& opts = {}) { \
    apply(ufunc::name, {x}, out, opts);                                                     \
  }
#define MAPARRAY_BINARY(name)                                                \
  inline void name(const operand& x, const operand& y, const any_array& out, \
                   const exec_options& opts = {}) {                          \
    apply(ufunc::name, {x, y}, out, opts);                                   \
  }
MAPARRAY_BINARY(add)
MAPARRAY_BINARY(subtract)
MAPARRAY_BINARY(multiply)
MAPARRAY_BINARY(divide)
MAPARRAY_BINARY(floor_divide)
MAPARRAY_BINARY(remainder)
MAPARRAY_BINARY(fmod)
MAPARRAY_BINARY(power)
MAPARRAY_UNARY(negative)
MAPARRAY_UNARY(positive)
MAPARRAY_UNARY(absolute)
MAPARRAY_UNARY(square)
MAPARRAY_UNARY(sign)
MAPARRAY_BINARY(minimum)
MAPARRAY_BINARY(maximum)
MAPARRAY_BINARY(fmin)
MAPARRAY_BINARY(fmax)
MAPARRAY_BINARY(equal)
MAPARRAY_BINARY(not_equal)
MAPARRAY_BINARY(less)
MAPARRAY_BINARY(less_equal)
MAPARRAY_BINARY(greater)
MAPARRAY_BINARY(greater_equal)
MAPARRAY_BINARY(logical_and)
MAPARRAY_BINARY(logical_or)
MAPARRAY_BINARY(logical_xor)
MAPARRAY_UNARY(logical_not)
MAPARRAY_BINARY(bitwise_and)
MAPARRAY_BINARY(bitwise_or)
MAPARRAY_BINARY(bitwise_xor)
MAPARRAY_UNARY(invert)
MAPARRAY_BINARY(left_shift)
MAPARRAY_BINARY(right_shift)
MAPARRAY_UNARY(isnan)
MAPARRAY_UNARY(isinf)
MAPARRAY_UNARY(isfinite)
MAPARRAY_UNARY(floor)
MAPARRAY_UNARY(ceil)
MAPARRAY_UNARY(trunc)
MAPARRAY_UNARY(rint)
MAPARRAY_BINARY(copysign)
MAPARRAY_UNARY(sqrt)
MAPARRAY_UNARY(cbrt)
MAPARRAY_UNARY(exp)
MAPARRAY_UNARY(exp2)
MAPARRAY_UNARY(expm1)
MAPARRAY_UNARY(log)
MAPARRAY_UNARY(log2)
MAPARRAY_UNARY(log10)
MAPARRAY_UNARY(log1p)
MAPARRAY_BINARY(hypot)
MAPARRAY_UNARY(sin)
MAPARRAY_UNARY(cos)
MAPARRAY_UNARY(tan)
MAPARRAY_UNARY(arcsin)
MAPARRAY_UNARY(arccos)
MAPARRAY_UNARY(arctan)
MAPARRAY_BINARY(arctan2)
MAPARRAY_UNARY(sinh)
MAPARRAY_UNARY(cosh)
MAPARRAY_UNARY(tanh)
MAPARRAY_UNARY(arcsinh)
MAPARRAY_UNARY(arccosh)
MAPARRAY_UNARY(arctanh)
#undef MAPARRAY_UNARY
#undef MAPARRAY_BINARY
// out = x where condition else y. Throws as apply().
inline void where(const operand& condition, const operand& x, const operand& y,
                  const any_array& out, const exec_options& opts = {}) {
  apply(ufunc::where, {condition, x, y}, out, opts);
}
// @}

}  // namespace maparray
