// Computing on arrays of any size: everything maparray computes, and the typed front of it.
//
//   ma::add(a, b, out);                          // NumPy's add: types, broadcasting, values
//   ma::evaluate(d, a * b + 2.0f * c);           // a whole expression in one pass
//   ma::transform(out, [](float x, float y) { return x * y + 1; }, a, b);   // any function
//   double total = ma::sum(a);                   // also prod, min, max, mean, reduce
//
// The pieces, each in its own header:
//   exec_options.hpp        threads, memory budget, progress, cancel: how every computation runs
//   ops.hpp, ufunc.hpp      the elementwise operations with NumPy's semantics
//   type_rules.hpp          NumPy's type promotion (weak scalars, NEP 50) and casting
//   elementwise.hpp         the operations on arrays of run-time dtypes (any_array)
//   reduction.hpp           sum, prod, min, max, mean, any, all of run-time dtypes, with an axis
//   expression.hpp          expressions from text, evaluated in one pass
//   array_expression.hpp    the same expressions written in C++ over array<T>
// and this header: transform() for any C++ function, the typed named operations and the
// typed reductions, which run through the same run-time engine.
//
// Arrays broadcast as in NumPy: an input may lack leading axes of the output or have length 1
// along any axis, and is repeated along those axes.
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "maparray/any_array.hpp"
#include "maparray/array.hpp"
#include "maparray/array_expression.hpp"
#include "maparray/convert.hpp"
#include "maparray/detail/engine.hpp"
#include "maparray/elementwise.hpp"
#include "maparray/error.hpp"
#include "maparray/exec_options.hpp"
#include "maparray/expression.hpp"
#include "maparray/ops.hpp"
#include "maparray/reduction.hpp"

namespace maparray {

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

// The elementwise loop of transform() over one chunk.
template <class Out, class Fn, class... In, std::size_t... I>
void transform_chunk(const plan& p, index_t begin, index_t end, Fn& fn, std::index_sequence<I...>) {
  constexpr std::size_t n_ops = sizeof...(In) + 1;
  for_each_row<n_ops>(p, begin, end, [&](const auto& at, const auto& step, index_t n) {
    const bool unit = step[0] == sizeof(Out) && ((step[I + 1] == sizeof(In)) && ...);
    if (unit) {
      Out* out = reinterpret_cast<Out*>(at[0]);
      const std::tuple<const In*...> in{reinterpret_cast<const In*>(at[I + 1])...};
      for (index_t i = 0; i < n; ++i) out[i] = convert<Out>(fn(std::get<I>(in)[i]...));
    } else {
      for (index_t i = 0; i < n; ++i) {
        *reinterpret_cast<Out*>(at[0] + i * step[0]) =
            convert<Out>(fn(*reinterpret_cast<const In*>(at[I + 1] + i * step[I + 1])...));
      }
    }
  });
}

// An input's engine view, broadcast to the output's shape; `strides` holds its byte strides.
template <class T>
operand_view broadcast_view(const array<T>& a, std::span<const index_t> shape, dims& strides) {
  std::array<index_t, max_rank> bytes{};
  for (std::size_t k = 0; k < a.ndim(); ++k) {
    bytes[k] = a.strides()[k] * static_cast<index_t>(sizeof(T));
  }
  strides = broadcast_strides(a.shape(), std::span<const index_t>(bytes.data(), a.ndim()), shape);
  return {reinterpret_cast<std::byte*>(const_cast<std::remove_const_t<T>*>(a.data())),
          static_cast<index_t>(sizeof(T)),
          shape,
          strides.span(),
          a.storage(),
          false};
}

template <class Out, class Fn, class... In>
void transform_impl(const array<Out>& out, Fn fn, const exec_options& opts,
                    const array<In>&... in) {
  static_assert(!std::is_const_v<Out>, "the output of transform must be a writable array<T>");
  static_assert(std::is_invocable_v<Fn&, const std::remove_const_t<In>&...>,
                "fn must be callable with one element of each input");
  std::array<index_t, max_rank> out_strides{};
  std::array<dims, sizeof...(In)> in_strides;
  std::size_t j = 0;
  // Braced lists evaluate left to right, so input k gets in_strides[k].
  const std::array<operand_view, sizeof...(In) + 1> views{
      view_of(out, out_strides, true), broadcast_view(in, out.shape(), in_strides[j++])...};
  const plan p = make_plan("transform", views);
  const schedule s = make_schedule(p, opts);
  run(p, opts, s, [&](index_t, index_t begin, index_t end) {
    transform_chunk<Out, Fn, std::remove_const_t<In>...>(p, begin, end, fn,
                                                         std::index_sequence_for<In...>{});
  });
}

template <class X>
struct is_array : std::false_type {};
template <class T>
struct is_array<array<T>> : std::true_type {};
template <class X>
inline constexpr bool is_array_v = is_array<X>::value;

// An argument of a typed named operation as an operand: an array, or a weak number.
template <class X>
operand to_operand(const X& x) {
  if constexpr (is_array_v<X>) {
    return operand(any_array(x));
  } else {
    return operand(scalar(x));
  }
}

// A zero-dimensional any_array over one value, for the results of the typed reductions.
template <class T>
any_array value_array(T& value) noexcept {
  return any_array(reinterpret_cast<std::byte*>(&value), dtype_of<T>(), dims{}, dims{}, {}, true);
}

// The accumulator and result of the typed sum(): double for floating point, std::complex<double>
// for complex numbers, int64 or uint64 (wrapping) for bools and integers.
template <class T>
using sum_t = std::conditional_t<
    is_complex_v<T>, std::complex<double>,
    std::conditional_t<std::is_floating_point_v<T> || std::is_same_v<T, float16>, double,
                       std::conditional_t<std::is_unsigned_v<T> && !std::is_same_v<T, bool>,
                                          std::uint64_t, std::int64_t>>>;

// Runs `part(begin, end) -> R` over the chunks and returns the per-chunk results in order.
template <class R, class T, class Part>
std::vector<R> chunk_results(const char* what, const array<T>& in, const exec_options& opts,
                             Part part, plan& p) {
  std::array<index_t, max_rank> strides{};
  const std::array<operand_view, 1> views{view_of(in, strides, false)};
  p = make_plan(what, views);
  const schedule s = make_schedule(p, opts);
  std::vector<std::optional<R>> partial(static_cast<std::size_t>(s.chunks));
  run(p, opts, s, [&](index_t chunk, index_t begin, index_t end) {
    partial[static_cast<std::size_t>(chunk)] = part(begin, end);
  });
  std::vector<R> results;
  results.reserve(partial.size());
  for (auto& r : partial) results.push_back(std::move(*r));
  return results;
}

}  // namespace detail

// out(i...) = fn(in1(i...), ...) for every index, for one to four inputs of any element types,
// each broadcast to the output's shape; fn's result is converted to the output's element type
// as convert() does. Throws std::invalid_argument if an input does not broadcast to the
// output's shape, what fn throws (the first; the output is then partly written),
// std::system_error if early write-back fails, cancelled_error.
template <class Out, class Fn, class A>
void transform(const array<Out>& out, Fn fn, const array<A>& a, const exec_options& opts = {}) {
  detail::transform_impl(out, std::move(fn), opts, a);
}
// transform() with two inputs: out = fn(a, b). Throws as above.
template <class Out, class Fn, class A, class B>
void transform(const array<Out>& out, Fn fn, const array<A>& a, const array<B>& b,
               const exec_options& opts = {}) {
  detail::transform_impl(out, std::move(fn), opts, a, b);
}
// transform() with three inputs: out = fn(a, b, c). Throws as above.
template <class Out, class Fn, class A, class B, class C>
void transform(const array<Out>& out, Fn fn, const array<A>& a, const array<B>& b,
               const array<C>& c, const exec_options& opts = {}) {
  detail::transform_impl(out, std::move(fn), opts, a, b, c);
}
// transform() with four inputs: out = fn(a, b, c, d). Throws as above.
template <class Out, class Fn, class A, class B, class C, class D>
void transform(const array<Out>& out, Fn fn, const array<A>& a, const array<B>& b,
               const array<C>& c, const array<D>& d, const exec_options& opts = {}) {
  detail::transform_impl(out, std::move(fn), opts, a, b, c, d);
}

// @name The operations by name on typed arrays
// @{
// out = f(x) or out = f(x, y) with NumPy's semantics, for arrays of any numeric element types
// and plain numbers (weak, as Python numbers are): ma::add(a, b, out), ma::multiply(a, 0.5, out),
// ma::sqrt(a, out). As the run-time operations of elementwise.hpp, and throwing as they do.
#define MAPARRAY_TYPED_UNARY(name)                                              \
  template <class X, class Out>                                                 \
  requires detail::is_array_v<X>                                                \
  void name(const X& x, const array<Out>& out, const exec_options& opts = {}) { \
    apply(ufunc::name, {detail::to_operand(x)}, any_array(out), opts);          \
  }
#define MAPARRAY_TYPED_BINARY(name)                                                           \
  template <class X, class Y, class Out>                                                      \
  requires(detail::is_array_v<X> || detail::is_array_v<Y>) void name(                         \
      const X& x, const Y& y, const array<Out>& out, const exec_options& opts = {}) {         \
    apply(ufunc::name, {detail::to_operand(x), detail::to_operand(y)}, any_array(out), opts); \
  }
MAPARRAY_TYPED_BINARY(add)
MAPARRAY_TYPED_BINARY(subtract)
MAPARRAY_TYPED_BINARY(multiply)
MAPARRAY_TYPED_BINARY(divide)
MAPARRAY_TYPED_BINARY(floor_divide)
MAPARRAY_TYPED_BINARY(remainder)
MAPARRAY_TYPED_BINARY(fmod)
MAPARRAY_TYPED_BINARY(power)
MAPARRAY_TYPED_UNARY(negative)
MAPARRAY_TYPED_UNARY(absolute)
MAPARRAY_TYPED_UNARY(square)
MAPARRAY_TYPED_BINARY(minimum)
MAPARRAY_TYPED_BINARY(maximum)
MAPARRAY_TYPED_BINARY(fmin)
MAPARRAY_TYPED_BINARY(fmax)
MAPARRAY_TYPED_BINARY(equal)
MAPARRAY_TYPED_BINARY(not_equal)
MAPARRAY_TYPED_BINARY(less)
MAPARRAY_TYPED_BINARY(less_equal)
MAPARRAY_TYPED_BINARY(greater)
MAPARRAY_TYPED_BINARY(greater_equal)
MAPARRAY_TYPED_UNARY(sqrt)
MAPARRAY_TYPED_UNARY(exp)
MAPARRAY_TYPED_UNARY(log)
MAPARRAY_TYPED_UNARY(sin)
MAPARRAY_TYPED_UNARY(cos)
#undef MAPARRAY_TYPED_UNARY
#undef MAPARRAY_TYPED_BINARY
// @}

// Folds every element with `op`, starting from `init`: op(init, op(x0, op(x1, ...))) in an
// unspecified grouping, so op must be associative (elements are converted to R first). The
// grouping depends only on the chunk size, not on the threads, so results are reproducible.
// An empty array gives init. Throws what op throws, std::system_error, cancelled_error.
template <class T, class R, class Op>
R reduce(const array<T>& in, R init, Op op, const exec_options& opts = {}) {
  if (in.empty()) return init;
  detail::plan p;
  const auto parts = detail::chunk_results<R>(
      "reduce", in, opts,
      [&](index_t begin, index_t end) {
        std::optional<R> acc;
        detail::for_each_row<1>(p, begin, end, [&](const auto& at, const auto& step, index_t n) {
          for (index_t i = 0; i < n; ++i) {
            R v = static_cast<R>(
                *reinterpret_cast<const std::remove_const_t<T>*>(at[0] + i * step[0]));
            acc = acc ? op(std::move(*acc), std::move(v)) : std::move(v);
          }
        });
        return std::move(*acc);
      },
      p);
  for (const R& r : parts) init = op(std::move(init), r);
  return init;
}

// The sum of the elements: double for floating point (added pairwise, so the error stays near
// one rounding even over billions of elements), std::complex<double> for complex numbers,
// int64 or uint64 (wrapping) for bools and integers. 0 for an empty array. As NumPy's
// sum(a, dtype=...) with that type. Throws std::system_error, cancelled_error.
template <class T>
requires numeric_element<std::remove_const_t<T>> detail::sum_t<std::remove_const_t<T>> sum(
    const array<T>& in, const exec_options& opts = {}) {
  using S = detail::sum_t<std::remove_const_t<T>>;
  S result{};
  reduce(reduction::sum, any_array(in), detail::value_array(result), {.type = dtype_of<S>()}, opts);
  return result;
}

// The arithmetic mean as a double (accumulated in double); NaN for an empty array, as NumPy's.
// Throws as sum().
template <class T>
requires(numeric_element<std::remove_const_t<T>> &&
         !detail::is_complex_v<std::remove_const_t<T>>) double mean(const array<T>& in,
                                                                    const exec_options& opts = {}) {
  double result = 0;
  reduce(reduction::mean, any_array(in), detail::value_array(result), {.type = dtype_of<double>()},
         opts);
  return result;
}

// The smallest element; NaN if any element is NaN. Throws std::invalid_argument for an empty
// array (NumPy's "zero-size array to reduction operation minimum which has no identity"),
// std::system_error, cancelled_error.
template <class T>
requires numeric_element<std::remove_const_t<T>> std::remove_const_t<T> min(
    const array<T>& in, const exec_options& opts = {}) {
  std::remove_const_t<T> result{};
  reduce(reduction::min, any_array(in), detail::value_array(result), {}, opts);
  return result;
}
// The largest element; NaN if any element is NaN. Throws as min().
template <class T>
requires numeric_element<std::remove_const_t<T>> std::remove_const_t<T> max(
    const array<T>& in, const exec_options& opts = {}) {
  std::remove_const_t<T> result{};
  reduce(reduction::max, any_array(in), detail::value_array(result), {}, opts);
  return result;
}

}  // namespace maparray
