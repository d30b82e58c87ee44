// Out-of-core elementwise arithmetic and reductions over arrays of any size.
//
//   ma::transform(out, fn, in1 [, in2, in3, in4] [, opts]);   out(i...) = fn(in1(i...), ...)
//   ma::add(a, b, out [, opts]);      also subtract, multiply, divide, minimum, maximum;
//                                     a or b may be a scalar (converted to the element type)
//   ma::reduce(in, init, op [, opts]);  ma::sum(in), ma::min(in), ma::max(in), ma::mean(in)
//
// The named operations take their output last, as numpy.add(a, b, out=c) does; transform()
// takes it first, as std::transform's result range comes first in spirit: out, then fn.
//
// Every array must have the output's shape (no broadcasting besides a scalar operand). The
// work is split into chunks along the arrays' memory order and shared by exec_options::threads
// threads. While a chunk is computed, the next chunks' input pages are read ahead; with a
// finite memory_budget, finished output chunks are written back early and the pages of finished
// chunks are dropped behind the cursor (from this process and from the page cache), so the
// pages the operation keeps resident stay within the budget whatever the size of the files.
// Contiguous arrays (C or Fortran order) take a fast vectorized path; strided views are
// computed correctly, and get the memory management when their elements lie in increasing
// address order (row or column slices, steps, reversed axes).
//
// The output may be one of the inputs (in-place). Other overlaps between the output and an
// input give unspecified results.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <type_traits>
#include <utility>
#include <vector>

#include "maparray/array.hpp"
#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray {

// Thrown by a run cancelled through exec_options::stop before it finished. The output then
// holds a mix of new and old elements.
class cancelled_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How an operation runs. Members may be left out, in this order, with designated initializers:
// {.threads = 2, .memory_budget = 64 << 20}.
struct exec_options {
  // Worker threads, the calling thread included; 0: one per core.
  unsigned threads = 0;
  // Upper bound in bytes on the pages of the inputs and the output that the operation keeps
  // resident; 0: no bound (nothing is dropped, nothing is written back early, which is fastest
  // when everything fits in memory). The engine holds at most 3 * threads + 1 chunks of every
  // array; a budget too small for that with chunks of 4096 elements runs on fewer threads,
  // down to one, and is then exceeded by that minimum.
  std::size_t memory_budget = 0;
  // Bytes of the widest array per chunk; 0: 4 MiB (less if the budget demands it). Rounded
  // to whole multiples of 4096 elements so that chunks of contiguous arrays are whole pages.
  std::size_t chunk_bytes = 0;
  // Called after each finished chunk with the bytes of all arrays processed so far and in all;
  // from the worker threads, one call at a time, with `done` increasing to `total`.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress{};
  // When stop is requested, workers stop before their next chunk and the operation throws
  // cancelled_error.
  std::stop_token stop{};
};

namespace detail {

// One array taking part in an operation, as the engine sees it: bytes and byte strides.
struct operand {
  std::byte* data = nullptr;
  index_t itemsize = 0;
  dims strides;  // in bytes, along the plan's iteration axes
  mapping storage;
  bool writes = false;
  // Set by make_plan: the elements lie at strictly increasing addresses in iteration order,
  // so a chunk covers one byte range that the engine can read ahead and drop behind.
  bool forward = false;
};

// The iteration space shared by all operands: the output's (for a reduction, the input's) axes
// reordered into its memory order, unit axes dropped, and axes merged where every operand is
// contiguous across them. A contiguous operation becomes one axis.
struct plan {
  dims shape;
  index_t count = 0;  // elements
  std::vector<operand> operands;
};

// Input to make_plan: an array's pointer, element strides and shape.
struct operand_view {
  std::byte* data;
  index_t itemsize;
  std::span<const index_t> shape;
  std::span<const index_t> strides;  // in elements
  mapping storage;
  bool writes;
};

// Checks that every view has the shape of views[0] and builds the plan. `what` names the
// operation in messages. Throws std::invalid_argument naming the mismatching operand and both
// shapes.
plan make_plan(const char* what, std::span<const operand_view> views);

// Runs `chunk(index, begin, end)` over the chunks of [0, plan.count) on opts.threads threads,
// with read-ahead, write-behind, drop-behind and progress as described at the top of this file.
// Returns after every chunk ran. Throws what a chunk threw (the first one), std::system_error
// if writing back the output failed, cancelled_error.
struct schedule {
  index_t chunk_elements = 0;
  index_t chunks = 0;
  unsigned threads = 1;
};
// Switches for measuring what each memory technique of the engine brings (bench/); all on
// by default. Not for concurrent modification.
struct tuning {
  bool populate = true;    // fault each chunk's pages in with one MADV_POPULATE_* call
  bool read_ahead = true;  // MADV_WILLNEED on the inputs' chunks `threads` ahead
};
extern tuning engine_tuning;

schedule make_schedule(const plan& p, const exec_options& opts);
void run(const plan& p, const exec_options& opts, const schedule& s,
         const std::function<void(index_t chunk, index_t begin, index_t end)>& chunk);

// Calls row(pointers, byte_strides, n) for each run of elements of [begin, end) along the
// plan's last axis; pointers are the operands' first elements of the run.
template <std::size_t N, class Row>
void for_each_row(const plan& p, index_t begin, index_t end, Row&& row) {
  const std::size_t nd = p.shape.size();
  std::array<index_t, max_rank> index{};
  index_t rest = begin;
  for (std::size_t k = nd; k-- > 0;) {
    index[k] = rest % p.shape[k];
    rest /= p.shape[k];
  }
  std::array<std::byte*, N> at{};
  std::array<index_t, N> step{};
  for (std::size_t j = 0; j < N; ++j) {
    const operand& o = p.operands[j];
    at[j] = o.data;
    for (std::size_t k = 0; k < nd; ++k) at[j] += index[k] * o.strides[k];
    step[j] = o.strides[nd - 1];
  }
  const index_t inner = p.shape[nd - 1];
  for (index_t position = begin; position < end;) {
    const index_t n = std::min(inner - index[nd - 1], end - position);
    row(at, step, n);
    position += n;
    if (position == end) break;
    // Carry into the outer axes and start the next row there.
    index[nd - 1] = 0;
    for (std::size_t k = nd - 1; k-- > 0;) {
      if (++index[k] < p.shape[k]) break;
      index[k] = 0;
    }
    for (std::size_t j = 0; j < N; ++j) {
      const operand& o = p.operands[j];
      at[j] = o.data;
      for (std::size_t k = 0; k < nd; ++k) at[j] += index[k] * o.strides[k];
    }
  }
}

template <class T>
operand_view view_of(const array<T>& a, bool writes) {
  return {reinterpret_cast<std::byte*>(const_cast<std::remove_const_t<T>*>(a.data())),
          static_cast<index_t>(sizeof(T)),
          a.shape(),
          a.strides(),
          a.storage(),
          writes};
}

template <class T>
T& element(std::byte* p) noexcept {
  return *reinterpret_cast<T*>(p);
}

// a + b, wrapping around for integers instead of overflowing. Never throws.
template <class S>
constexpr S wrapping_add(S a, S b) noexcept {
  if constexpr (std::is_integral_v<S>) {
    using U = std::make_unsigned_t<S>;
    return static_cast<S>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}

// The elementwise loop of transform() over one chunk.
template <class Out, class Fn, class... In, std::size_t... I>
void transform_chunk(const plan& p, index_t begin, index_t end, Fn& fn, std::index_sequence<I...>) {
  constexpr std::size_t n_ops = sizeof...(In) + 1;
  for_each_row<n_ops>(p, begin, end, [&](const auto& at, const auto& step, index_t n) {
    const bool unit = step[0] == sizeof(Out) && ((step[I + 1] == sizeof(In)) && ...);
    if (unit) {
      Out* out = reinterpret_cast<Out*>(at[0]);
      const std::tuple<const In*...> in{reinterpret_cast<const In*>(at[I + 1])...};
      for (index_t i = 0; i < n; ++i) out[i] = static_cast<Out>(fn(std::get<I>(in)[i]...));
    } else {
      for (index_t i = 0; i < n; ++i) {
        element<Out>(at[0] + i * step[0]) =
            static_cast<Out>(fn(element<const In>(at[I + 1] + i * step[I + 1])...));
      }
    }
  });
}

template <class Out, class Fn, class... In>
void transform_impl(const array<Out>& out, Fn fn, const exec_options& opts,
                    const array<In>&... in) {
  static_assert(!std::is_const_v<Out>, "the output of transform must be a writable array<T>");
  static_assert(std::is_invocable_v<Fn&, const std::remove_const_t<In>&...>,
                "fn must be callable with one element of each input");
  static_assert(std::is_convertible_v<std::invoke_result_t<Fn&, const std::remove_const_t<In>&...>,
                                      std::remove_const_t<Out>>,
                "fn's result must convert to the output's element type");
  const std::array<operand_view, sizeof...(In) + 1> views{view_of(out, true),
                                                          view_of(in, false)...};
  const plan p = make_plan("transform", views);
  const schedule s = make_schedule(p, opts);
  run(p, opts, s, [&](index_t, index_t begin, index_t end) {
    transform_chunk<Out, Fn, std::remove_const_t<In>...>(p, begin, end, fn,
                                                         std::index_sequence_for<In...>{});
  });
}

}  // namespace detail

// out(i...) = fn(in1(i...), ...) for every index, for one to four inputs of any element types;
// fn's result is converted to the output's element type. Throws std::invalid_argument if an
// input's shape differs from the output's, what fn throws (the first; the output is then
// partly written), std::system_error if early write-back fails, cancelled_error.
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

// The elementwise operations, as function objects usable with transform(). Integers wrap on
// overflow as NumPy's do; integer division truncates, and dividing by zero gives 0 (NumPy's
// result, without its warning) instead of a crash. minimum and maximum propagate NaN.
namespace detail {
// f(x, y) computed in unsigned arithmetic for integers, so that overflow wraps around.
template <class T, class F>
constexpr T wrapping(T x, T y, F f) noexcept {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<decltype(+x)>;
    return static_cast<T>(f(static_cast<U>(x), static_cast<U>(y)));
  } else {
    return static_cast<T>(f(x, y));
  }
}
}  // namespace detail

namespace op {

// x + y, wrapping around for integers.
struct add {
  // x + y, wrapping around for integers. Never throws.
  template <class T>
  constexpr T operator()(T x, T y) const noexcept {
    return maparray::detail::wrapping(x, y, [](auto a, auto b) { return a + b; });
  }
};
// x - y, wrapping around for integers.
struct subtract {
  // x - y, wrapping around for integers. Never throws.
  template <class T>
  constexpr T operator()(T x, T y) const noexcept {
    return maparray::detail::wrapping(x, y, [](auto a, auto b) { return a - b; });
  }
};
// x * y, wrapping around for integers.
struct multiply {
  // x * y, wrapping around for integers. Never throws.
  template <class T>
  constexpr T operator()(T x, T y) const noexcept {
    return maparray::detail::wrapping(x, y, [](auto a, auto b) { return a * b; });
  }
};
// x / y; for integers it truncates, and x / 0 is 0.
struct divide {
  // x / y; for integers it truncates, and x / 0 is 0. Never throws.
  template <class T>
  constexpr T operator()(T x, T y) const noexcept {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T{0};
      if constexpr (std::is_signed_v<T>) {
        if (y == T(-1))
          return maparray::detail::wrapping(T{0}, x, [](auto a, auto b) { return a - b; });
      }
      return static_cast<T>(x / y);
    } else {
      return x / y;
    }
  }
};
// The smaller of x and y, or the NaN if either is NaN.
struct minimum {
  // The smaller of x and y, or the NaN if either is NaN. Never throws.
  template <class T>
  constexpr T operator()(T x, T y) const noexcept {
    if constexpr (std::is_floating_point_v<T>) {
      if (x != x) return x;
      if (y != y) return y;
    }
    return y < x ? y : x;
  }
};
// The larger of x and y, or the NaN if either is NaN.
struct maximum {
  // The larger of x and y, or the NaN if either is NaN. Never throws.
  template <class T>
  constexpr T operator()(T x, T y) const noexcept {
    if constexpr (std::is_floating_point_v<T>) {
      if (x != x) return x;
      if (y != y) return y;
    }
    return x < y ? y : x;
  }
};

}  // namespace op

namespace detail {

template <class X>
struct is_array : std::false_type {};
template <class T>
struct is_array<array<T>> : std::true_type {};

// The element type of a named operation: its arrays' (which must agree).
template <class X, class Y>
struct operands_type;
template <class A, class B>
struct operands_type<array<A>, array<B>> {
  static_assert(std::is_same_v<std::remove_const_t<A>, std::remove_const_t<B>>,
                "the arrays of a named operation must have one element type; use transform() to "
                "mix types");
  using type = std::remove_const_t<A>;
};
template <class A, class S>
requires std::is_arithmetic_v<S>
struct operands_type<array<A>, S> {
  using type = std::remove_const_t<A>;
};
template <class S, class B>
requires std::is_arithmetic_v<S>
struct operands_type<S, array<B>> {
  using type = std::remove_const_t<B>;
};

template <class Op, class X, class Y, class Out>
void binary(const X& x, const Y& y, const array<Out>& out, const exec_options& opts) {
  using T = typename operands_type<X, Y>::type;
  static_assert(std::is_same_v<T, Out>,
                "the output of a named operation must be a writable array of its inputs' type");
  static_assert(std::is_arithmetic_v<T>, "named operations work on numbers");
  if constexpr (is_array<X>::value && is_array<Y>::value) {
    transform(out, Op{}, x, y, opts);
  } else if constexpr (is_array<X>::value) {
    transform(
        out, [s = static_cast<T>(y)](T v) { return Op{}(v, s); }, x, opts);
  } else {
    transform(
        out, [s = static_cast<T>(x)](T v) { return Op{}(s, v); }, y, opts);
  }
}

}  // namespace detail

// out = x OP y elementwise, where x and y are arrays of out's element type or (one of them) a
// scalar, converted to that type. Throws as transform().
#define MAPARRAY_BINARY_OPERATION(name)                                               \
  template <class X, class Y, class Out>                                              \
  requires(detail::is_array<X>::value || detail::is_array<Y>::value) void name(       \
      const X& x, const Y& y, const array<Out>& out, const exec_options& opts = {}) { \
    detail::binary<op::name>(x, y, out, opts);                                        \
  }
MAPARRAY_BINARY_OPERATION(add)
MAPARRAY_BINARY_OPERATION(subtract)
MAPARRAY_BINARY_OPERATION(multiply)
MAPARRAY_BINARY_OPERATION(divide)
MAPARRAY_BINARY_OPERATION(minimum)
MAPARRAY_BINARY_OPERATION(maximum)
#undef MAPARRAY_BINARY_OPERATION

namespace detail {

// Runs `part(begin, end) -> R` over the chunks and returns the per-chunk results in order.
template <class R, class T, class Part>
std::vector<R> chunk_results(const char* what, const array<T>& in, const exec_options& opts,
                             Part part, plan& p) {
  const std::array<operand_view, 1> views{view_of(in, false)};
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

// The accumulator of sum(): double for floating point, 64-bit integers otherwise.
template <class T>
using sum_t =
    std::conditional_t<std::is_floating_point_v<T>, double,
                       std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>>;

// Sums n elements `step` bytes apart: eight running sums over blocks of 128 elements, blocks
// added pairwise, so the rounding error grows with log(n), not n.
template <class T>
sum_t<T> pairwise_sum(const std::byte* at, index_t step, index_t n) {
  using S = sum_t<T>;
  constexpr index_t block = 128;
  if (n <= block) {
    S lane[8] = {};
    index_t i = 0;
    if (step == sizeof(T)) {
      const T* x = reinterpret_cast<const T*>(at);
      for (; i + 8 <= n; i += 8) {
        for (int k = 0; k < 8; ++k) lane[k] = wrapping_add(lane[k], static_cast<S>(x[i + k]));
      }
      for (; i < n; ++i) lane[0] = wrapping_add(lane[0], static_cast<S>(x[i]));
    } else {
      for (; i < n; ++i)
        lane[i % 8] = wrapping_add(
            lane[i % 8], static_cast<S>(element<const T>(const_cast<std::byte*>(at) + i * step)));
    }
    return wrapping_add(
        wrapping_add(wrapping_add(lane[0], lane[1]), wrapping_add(lane[2], lane[3])),
        wrapping_add(wrapping_add(lane[4], lane[5]), wrapping_add(lane[6], lane[7])));
  }
  const index_t half = (n / 2 + block - 1) / block * block;
  return wrapping_add(pairwise_sum<T>(at, step, half),
                      pairwise_sum<T>(at + half * step, step, n - half));
}

}  // namespace detail

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
            R v =
                static_cast<R>(detail::element<const std::remove_const_t<T>>(at[0] + i * step[0]));
            acc = acc ? op(std::move(*acc), std::move(v)) : std::move(v);
          }
        });
        return std::move(*acc);
      },
      p);
  for (const R& r : parts) init = op(std::move(init), r);
  return init;
}

// The sum of the elements: double for floating-point arrays (added pairwise, so the error
// stays near one rounding even over billions of elements), int64 or uint64 (wrapping) for
// integers. 0 for an empty array. Throws std::system_error, cancelled_error.
template <class T>
requires std::is_arithmetic_v<std::remove_const_t<T>> detail::sum_t<std::remove_const_t<T>> sum(
    const array<T>& in, const exec_options& opts = {}) {
  using V = std::remove_const_t<T>;
  using S = detail::sum_t<V>;
  if (in.empty()) return S{0};
  detail::plan p;
  const auto parts = detail::chunk_results<S>(
      "sum", in, opts,
      [&](index_t begin, index_t end) {
        S total{0};
        detail::for_each_row<1>(p, begin, end, [&](const auto& at, const auto& step, index_t n) {
          total = detail::wrapping_add(total, detail::pairwise_sum<V>(at[0], step[0], n));
        });
        return total;
      },
      p);
  // Chunk sums added pairwise too.
  std::vector<S> level = parts;
  while (level.size() > 1) {
    std::vector<S> next((level.size() + 1) / 2);
    for (std::size_t i = 0; i < level.size(); i += 2) {
      next[i / 2] = i + 1 < level.size() ? detail::wrapping_add(level[i], level[i + 1]) : level[i];
    }
    level = std::move(next);
  }
  return level.front();
}

// The arithmetic mean as a double. Throws std::invalid_argument for an empty array, and as
// sum().
template <class T>
requires std::is_arithmetic_v<std::remove_const_t<T>>
double mean(const array<T>& in, const exec_options& opts = {}) {
  if (in.empty()) throw std::invalid_argument("mean of an empty array");
  return static_cast<double>(sum(in, opts)) / static_cast<double>(in.size());
}

namespace detail {
template <class Op, class T>
std::remove_const_t<T> extreme(const char* what, const array<T>& in, const exec_options& opts) {
  using V = std::remove_const_t<T>;
  if (in.empty()) throw std::invalid_argument(std::string(what) + " of an empty array");
  plan p;
  const auto parts = chunk_results<V>(
      what, in, opts,
      [&](index_t begin, index_t end) {
        V best{};
        bool first = true;
        for_each_row<1>(p, begin, end, [&](const auto& at, const auto& step, index_t n) {
          index_t i = 0;
          if (first) {
            best = element<const V>(at[0]);
            first = false;
            i = 1;
          }
          if (step[0] == sizeof(V)) {
            const V* x = reinterpret_cast<const V*>(at[0]);
            for (; i < n; ++i) best = Op{}(best, x[i]);
          } else {
            for (; i < n; ++i) best = Op{}(best, element<const V>(at[0] + i * step[0]));
          }
        });
        return best;
      },
      p);
  V best = parts.front();
  for (const V& v : parts) best = Op{}(best, v);
  return best;
}
}  // namespace detail

// The smallest / largest element; NaN if any element is NaN. Throws std::invalid_argument for
// an empty array, std::system_error, cancelled_error.
template <class T>
requires std::is_arithmetic_v<std::remove_const_t<T>> std::remove_const_t<T> min(
    const array<T>& in, const exec_options& opts = {}) {
  return detail::extreme<op::minimum>("min", in, opts);
}
// The largest element; NaN if any element is NaN. Throws as min().
template <class T>
requires std::is_arithmetic_v<std::remove_const_t<T>> std::remove_const_t<T> max(
    const array<T>& in, const exec_options& opts = {}) {
  return detail::extreme<op::maximum>("max", in, opts);
}

}  // namespace maparray

namespace maparray {

class any_array;

// @name Elementwise operations on run-time dtypes
// @{
// The named operations and the reductions over arrays whose element type is known only at run
// time (tools, the Python module): every array must have the same numeric dtype in native
// byte order (bool, signed and unsigned integers, float32, float64). Throws
// std::invalid_argument naming the operand and both dtypes when they differ, or the dtype
// when it is not supported, or as any_array::as<T>() (a read-only output, misaligned
// elements); otherwise as the typed functions.
void add(const any_array& x, const any_array& y, const any_array& out,
         const exec_options& opts = {});
void subtract(const any_array& x, const any_array& y, const any_array& out,
              const exec_options& opts = {});
void multiply(const any_array& x, const any_array& y, const any_array& out,
              const exec_options& opts = {});
void divide(const any_array& x, const any_array& y, const any_array& out,
            const exec_options& opts = {});
void minimum(const any_array& x, const any_array& y, const any_array& out,
             const exec_options& opts = {});
void maximum(const any_array& x, const any_array& y, const any_array& out,
             const exec_options& opts = {});
// @}
// The sum as a double (integers summed exactly in 64 bits, then converted).
double sum(const any_array& in, const exec_options& opts = {});
// The mean as a double: sum() divided by the element count (NaN for an empty array).
double mean(const any_array& in, const exec_options& opts = {});

}  // namespace maparray
