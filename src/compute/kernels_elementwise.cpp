// The elementwise kernels: every operation of ops.hpp instantiated for each of its loop types.
#include <utility>

#include "kernels.hpp"
#include "maparray/ops.hpp"

namespace maparray::detail {

namespace {

// Calls fn(Op{}) for the function object of an operation (not where()).
template <class F>
elementwise_kernel with_operation(ufunc f, F&& fn) {
  switch (f) {
#define MAPARRAY_CASE(name) \
  case ufunc::name:         \
    return fn(op::name{});
    MAPARRAY_CASE(add)
    MAPARRAY_CASE(subtract)
    MAPARRAY_CASE(multiply)
    MAPARRAY_CASE(divide)
    MAPARRAY_CASE(floor_divide)
    MAPARRAY_CASE(remainder)
    MAPARRAY_CASE(fmod)
    MAPARRAY_CASE(power)
    MAPARRAY_CASE(negative)
    MAPARRAY_CASE(positive)
    MAPARRAY_CASE(absolute)
    MAPARRAY_CASE(square)
    MAPARRAY_CASE(sign)
    MAPARRAY_CASE(minimum)
    MAPARRAY_CASE(maximum)
    MAPARRAY_CASE(fmin)
    MAPARRAY_CASE(fmax)
    MAPARRAY_CASE(equal)
    MAPARRAY_CASE(not_equal)
    MAPARRAY_CASE(less)
    MAPARRAY_CASE(less_equal)
    MAPARRAY_CASE(greater)
    MAPARRAY_CASE(greater_equal)
    MAPARRAY_CASE(logical_and)
    MAPARRAY_CASE(logical_or)
    MAPARRAY_CASE(logical_xor)
    MAPARRAY_CASE(logical_not)
    MAPARRAY_CASE(bitwise_and)
    MAPARRAY_CASE(bitwise_or)
    MAPARRAY_CASE(bitwise_xor)
    MAPARRAY_CASE(invert)
    MAPARRAY_CASE(left_shift)
    MAPARRAY_CASE(right_shift)
    MAPARRAY_CASE(isnan)
    MAPARRAY_CASE(isinf)
    MAPARRAY_CASE(isfinite)
    MAPARRAY_CASE(floor)
    MAPARRAY_CASE(ceil)
    MAPARRAY_CASE(trunc)
    MAPARRAY_CASE(rint)
    MAPARRAY_CASE(copysign)
    MAPARRAY_CASE(sqrt)
    MAPARRAY_CASE(cbrt)
    MAPARRAY_CASE(exp)
    MAPARRAY_CASE(exp2)
    MAPARRAY_CASE(expm1)
    MAPARRAY_CASE(log)
    MAPARRAY_CASE(log2)
    MAPARRAY_CASE(log10)
    MAPARRAY_CASE(log1p)
    MAPARRAY_CASE(hypot)
    MAPARRAY_CASE(sin)
    MAPARRAY_CASE(cos)
    MAPARRAY_CASE(tan)
    MAPARRAY_CASE(arcsin)
    MAPARRAY_CASE(arccos)
    MAPARRAY_CASE(arctan)
    MAPARRAY_CASE(arctan2)
    MAPARRAY_CASE(sinh)
    MAPARRAY_CASE(cosh)
    MAPARRAY_CASE(tanh)
    MAPARRAY_CASE(arcsinh)
    MAPARRAY_CASE(arccosh)
    MAPARRAY_CASE(arctanh)
#undef MAPARRAY_CASE
    case ufunc::where:
      break;
  }
  return nullptr;
}

template <class Op, class L>
void unary(index_t n, void* out, const void* const* in) {
  using R = decltype(Op::template in_loop<L>(std::declval<L>()));
  R* o = static_cast<R*>(out);
  const L* x = static_cast<const L*>(in[0]);
  for (index_t i = 0; i < n; ++i) o[i] = Op::template in_loop<L>(x[i]);
}

template <class Op, class L>
void binary(index_t n, void* out, const void* const* in) {
  using R = decltype(Op::template in_loop<L>(std::declval<L>(), std::declval<L>()));
  R* o = static_cast<R*>(out);
  const L* x = static_cast<const L*>(in[0]);
  const L* y = static_cast<const L*>(in[1]);
  for (index_t i = 0; i < n; ++i) o[i] = Op::template in_loop<L>(x[i], y[i]);
}

template <class L>
void where(index_t n, void* out, const void* const* in) {
  L* o = static_cast<L*>(out);
  const bool* condition = static_cast<const bool*>(in[0]);
  const L* x = static_cast<const L*>(in[1]);
  const L* y = static_cast<const L*>(in[2]);
  for (index_t i = 0; i < n; ++i) o[i] = condition[i] ? x[i] : y[i];
}

}  // namespace

elementwise_kernel kernel_for(ufunc f, numeric_type loop) noexcept {
  if ((info(f).loops & set_of(loop)) == 0) return nullptr;
  return visit(loop, [&]<class L>(L) -> elementwise_kernel {
    if (f == ufunc::where) return &where<L>;
    return with_operation(f, [&]<class Op>(Op) -> elementwise_kernel {
      constexpr ufunc_info u = info(Op::id);
      if constexpr ((u.loops & set_of(numeric_type_of<L>())) == 0) {
        return nullptr;
      } else if constexpr (u.inputs == 1) {
        return &unary<Op, L>;
      } else {
        return &binary<Op, L>;
      }
    });
  });
}

}  // namespace maparray::detail
