// The reduction kernels: identity, combination and block folds of each reduction in each
// accumulator type.
#include <limits>

#include "kernels.hpp"
#include "maparray/ops.hpp"

namespace maparray::detail {

namespace {

// The value that leaves every element unchanged under R's combination.
template <reduction R, class A>
A identity_value() noexcept {
  if constexpr (R == reduction::sum || R == reduction::mean || R == reduction::any) {
    return A{};
  } else if constexpr (R == reduction::prod || R == reduction::all) {
    return convert<A>(1);
  } else if constexpr (is_complex_v<A>) {
    using V = typename A::value_type;
    const V inf = std::numeric_limits<V>::infinity();
    return R == reduction::min ? A(inf, inf) : A(-inf, -inf);
  } else if constexpr (std::is_same_v<A, bool>) {
    return R == reduction::min;
  } else if constexpr (std::is_floating_point_v<A>) {
    const A inf = std::numeric_limits<A>::infinity();
    return R == reduction::min ? inf : -inf;
  } else {
    return R == reduction::min ? std::numeric_limits<A>::max() : std::numeric_limits<A>::lowest();
  }
}

template <reduction R, class A>
A combine_values(A x, A y) noexcept {
  if constexpr (R == reduction::sum || R == reduction::mean) {
    return op::add::apply(x, y);
  } else if constexpr (R == reduction::prod) {
    return op::multiply::apply(x, y);
  } else if constexpr (R == reduction::min) {
    return op::minimum::apply(x, y);
  } else if constexpr (R == reduction::max) {
    return op::maximum::apply(x, y);
  } else if constexpr (R == reduction::any) {
    return convert<bool>(x) || convert<bool>(y);
  } else {
    return convert<bool>(x) && convert<bool>(y);
  }
}

// The sum of n values: eight running sums over blocks of 128, blocks added pairwise, so the
// rounding error grows with log(n), not n.
template <class A>
A pairwise_sum(const A* x, index_t n) noexcept {
  constexpr index_t block = 128;
  if (n <= block) {
    A lane[8] = {};
    index_t i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int k = 0; k < 8; ++k) lane[k] = op::add::apply(lane[k], x[i + k]);
    }
    for (; i < n; ++i) lane[0] = op::add::apply(lane[0], x[i]);
    return op::add::apply(
        op::add::apply(op::add::apply(lane[0], lane[1]), op::add::apply(lane[2], lane[3])),
        op::add::apply(op::add::apply(lane[4], lane[5]), op::add::apply(lane[6], lane[7])));
  }
  const index_t half = (n / 2 + block - 1) / block * block;
  return op::add::apply(pairwise_sum(x, half), pairwise_sum(x + half, n - half));
}

template <reduction R, class A>
void identity(void* acc) {
  *static_cast<A*>(acc) = identity_value<R, A>();
}

template <reduction R, class A>
void combine(void* acc, const void* value) {
  A& a = *static_cast<A*>(acc);
  a = combine_values<R, A>(a, *static_cast<const A*>(value));
}

template <reduction R, class A>
void fold(index_t n, const void* in, void* acc) {
  const A* x = static_cast<const A*>(in);
  A& a = *static_cast<A*>(acc);
  if constexpr (R == reduction::sum || R == reduction::mean) {
    a = op::add::apply(a, pairwise_sum(x, n));
  } else {
    A result = a;
    for (index_t i = 0; i < n; ++i) result = combine_values<R, A>(result, x[i]);
    a = result;
  }
}

template <reduction R, class A>
void accumulate(index_t n, const void* in, std::byte* acc, index_t step) {
  const A* x = static_cast<const A*>(in);
  if (step == static_cast<index_t>(sizeof(A))) {
    A* a = reinterpret_cast<A*>(acc);
    for (index_t i = 0; i < n; ++i) a[i] = combine_values<R, A>(a[i], x[i]);
  } else {
    for (index_t i = 0; i < n; ++i) {
      A& a = *reinterpret_cast<A*>(acc + i * step);
      a = combine_values<R, A>(a, x[i]);
    }
  }
}

template <reduction R>
reducer make(numeric_type acc) {
  return visit(acc, [&]<class A>(A) -> reducer {
    if constexpr (std::is_same_v<A, float16>) {
      return {};  // accumulates in float32: reduction_accumulator never gives float16
    } else {
      return {&identity<R, A>, &combine<R, A>, &fold<R, A>, &accumulate<R, A>,
              (R == reduction::sum || R == reduction::mean) && is_inexact(acc)};
    }
  });
}

}  // namespace

reducer reducer_for(reduction r, numeric_type acc) noexcept {
  switch (r) {
    case reduction::sum:
      return make<reduction::sum>(acc);
    case reduction::prod:
      return make<reduction::prod>(acc);
    case reduction::min:
      return make<reduction::min>(acc);
    case reduction::max:
      return make<reduction::max>(acc);
    case reduction::mean:
      return make<reduction::mean>(acc);
    case reduction::any:
      return make<reduction::any>(acc);
    case reduction::all:
      break;
  }
  return make<reduction::all>(acc);
}

}  // namespace maparray::detail
