// Collective compute over distributed arrays (included by maparray/mpi.hpp).
//
//   mpi::transform(out, fn, in1 [, in2, in3, in4] [, opts]);   out(i...) = fn(in1(i...), ...)
//   mpi::add(a, b, out [, opts]);     also subtract, multiply, divide, minimum, maximum
//   mpi::sum(in), mpi::min(in), mpi::max(in), mpi::mean(in), mpi::reduce(in, init, op)
//   mpi::apply(ufunc, {operands...}, out), mpi::evaluate(expr, names, out)   (run-time dtypes)
//   mpi::reduce(reduction, in, out [, how])                             (whole-array reductions)
//
// Every function here is collective and has the semantics of the single-machine function of
// the same name in maparray/compute.hpp, which it calls on every rank's slab: each rank runs
// maparray's engine (threads, read-ahead, memory budget: `opts` applies to each rank) over its
// own rows only, so no element crosses the network. The arrays must have one shape and one
// distribution (open them with the same row counts). Reductions gather one partial result per
// rank and combine them on every rank in rank order, so every rank gets the same bits;
// floating-point sums may differ from the single-machine sum in the last bits, as the
// grouping of the additions differs.
//
// Before the local work every rank waits for the others (so one-sided writes made before the
// call are seen), and the call returns on every rank, or throws the same error on every rank
// (a std::invalid_argument for arrays that do not match, or what the engine or fn threw on
// any rank, see collective()), after every rank has finished; results are then visible to
// one-sided reads.
//
// This file is a thin layer over maparray/compute.hpp (typed) and maparray/elementwise.hpp,
// expression.hpp and reduction.hpp (run-time dtypes, numpy's semantics).
#pragma once

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "maparray/compute.hpp"
#include "maparray/elementwise.hpp"
#include "maparray/expression.hpp"
#include "maparray/mpi.hpp"
#include "maparray/reduction.hpp"

namespace maparray::mpi {
// Implementation, not API: in this public header because the templates here use it.
namespace detail {

// Throws std::invalid_argument naming `what` unless every array in `arrays` has the first's
// shape, row distribution and group of ranks, and is open.
void check_conformable(const char* what, std::span<const any_global_array* const> arrays);

// The start of a collective computation: makes one-sided writes made on any rank before the
// call visible to local loads on every rank (a barrier and MPI_Win_sync). Throws mpi_error.
void begin_compute(std::span<const any_global_array* const> arrays);
// The end of one: makes the slabs' new contents visible to one-sided reads (MPI_Win_sync).
// Throws mpi_error.
void end_compute(std::span<const any_global_array* const> arrays);

// Gathers `bytes` (the same size on every rank) from every rank of `comm` into `all`, in rank
// order. Throws mpi_error.
void allgather_bytes(MPI_Comm comm, std::span<const std::byte> bytes, std::span<std::byte> all);

// Runs `local` (this rank's share of the work on the slabs of `arrays`) collectively: checks
// the arrays, synchronizes, and agrees on errors as described at the top of this file.
template <class Fn>
void run(const char* what, std::initializer_list<const any_global_array*> arrays, Fn&& local) {
  const std::span<const any_global_array* const> all(arrays.begin(), arrays.size());
  MPI_Comm comm = (*arrays.begin())->comm();
  collective(comm, [&] { check_conformable(what, all); });
  begin_compute(all);
  collective(comm, std::forward<Fn>(local));
  end_compute(all);
}

// Every rank's optional partial result, in rank order, on every rank. R must be trivially
// copyable. Throws mpi_error.
template <class R>
std::vector<std::optional<R>> gather(MPI_Comm comm, const std::optional<R>& mine) {
  static_assert(std::is_trivially_copyable_v<R>,
                "a distributed reduction's result type must be trivially copyable");
  struct partial {
    bool has = false;
    R value;
  };
  partial own{};
  own.has = mine.has_value();
  if (mine) own.value = *mine;
  int ranks = 0;
  MPI_Comm_size(comm, &ranks);
  std::vector<partial> all(static_cast<std::size_t>(ranks));
  allgather_bytes(comm, std::as_bytes(std::span(&own, 1)), std::as_writable_bytes(std::span(all)));
  std::vector<std::optional<R>> result;
  result.reserve(all.size());
  for (const partial& p : all) result.push_back(p.has ? std::optional<R>(p.value) : std::nullopt);
  return result;
}

template <class X>
struct is_global : std::false_type {};
template <class T>
struct is_global<global_array<T>> : std::true_type {};

// A named operation's operand on this rank: a distributed array's slab, or the scalar.
template <class X>
decltype(auto) local_operand(const X& x) {
  if constexpr (is_global<X>::value) {
    return x.local();
  } else {
    return (x);
  }
}

template <class X>
const any_global_array* handle_of(const X& x, const any_global_array* otherwise) {
  if constexpr (is_global<X>::value) {
    return &x.any();
  } else {
    return otherwise;
  }
}

template <class Op, class R>
R combine(const std::vector<std::optional<R>>& parts, std::optional<R> acc, Op op) {
  for (const auto& p : parts) {
    if (p) acc = acc ? op(*acc, *p) : *p;
  }
  return *acc;
}

}  // namespace detail

// out(i...) = fn(a(i...)) on every element, computed by every rank over its own rows with
// maparray::transform. Collective. Throws as described at the top of this file.
template <class Out, class Fn, class A>
void transform(const global_array<Out>& out, Fn fn, const global_array<A>& a,
               const exec_options& opts = {}) {
  detail::run("transform", {&out.any(), &a.any()},
              [&] { maparray::transform(out.local(), fn, a.local(), opts); });
}
// transform() with two inputs: out = fn(a, b). Collective. Throws as above.
template <class Out, class Fn, class A, class B>
void transform(const global_array<Out>& out, Fn fn, const global_array<A>& a,
               const global_array<B>& b, const exec_options& opts = {}) {
  detail::run("transform", {&out.any(), &a.any(), &b.any()},
              [&] { maparray::transform(out.local(), fn, a.local(), b.local(), opts); });
}
// transform() with three inputs: out = fn(a, b, c). Collective. Throws as above.
template <class Out, class Fn, class A, class B, class C>
void transform(const global_array<Out>& out, Fn fn, const global_array<A>& a,
               const global_array<B>& b, const global_array<C>& c, const exec_options& opts = {}) {
  detail::run("transform", {&out.any(), &a.any(), &b.any(), &c.any()},
              [&] { maparray::transform(out.local(), fn, a.local(), b.local(), c.local(), opts); });
}
// transform() with four inputs: out = fn(a, b, c, d). Collective. Throws as above.
template <class Out, class Fn, class A, class B, class C, class D>
void transform(const global_array<Out>& out, Fn fn, const global_array<A>& a,
               const global_array<B>& b, const global_array<C>& c, const global_array<D>& d,
               const exec_options& opts = {}) {
  detail::run("transform", {&out.any(), &a.any(), &b.any(), &c.any(), &d.any()}, [&] {
    maparray::transform(out.local(), fn, a.local(), b.local(), c.local(), d.local(), opts);
  });
}

// out = x OP y elementwise with maparray's named operation of the same name on every rank's
// rows; x and y are distributed arrays of out's element type, or one of them a scalar.
// Collective. Throws as described at the top of this file.
#define MAPARRAY_MPI_BINARY_OPERATION(name)                                                  \
  template <class X, class Y, class Out>                                                     \
  requires(detail::is_global<X>::value || detail::is_global<Y>::value) void name(            \
      const X& x, const Y& y, const global_array<Out>& out, const exec_options& opts = {}) { \
    const any_global_array* o = &out.any();                                                  \
    detail::run(#name, {o, detail::handle_of(x, o), detail::handle_of(y, o)}, [&] {          \
      maparray::name(detail::local_operand(x), detail::local_operand(y), out.local(), opts); \
    });                                                                                      \
  }
MAPARRAY_MPI_BINARY_OPERATION(add)
MAPARRAY_MPI_BINARY_OPERATION(subtract)
MAPARRAY_MPI_BINARY_OPERATION(multiply)
MAPARRAY_MPI_BINARY_OPERATION(divide)
MAPARRAY_MPI_BINARY_OPERATION(minimum)
MAPARRAY_MPI_BINARY_OPERATION(maximum)
#undef MAPARRAY_MPI_BINARY_OPERATION

// The sum of all elements, as maparray::sum (double for floats, int64 or uint64 wrapping for
// integers; 0 for an empty array), the same on every rank. Collective.
template <class T>
requires std::is_arithmetic_v<std::remove_const_t<T>>
    maparray::detail::sum_t<std::remove_const_t<T>> sum(const global_array<T>& in,
                                                        const exec_options& opts = {}) {
  using S = maparray::detail::sum_t<std::remove_const_t<T>>;
  std::optional<S> mine;
  detail::run("sum", {&in.any()}, [&] { mine = maparray::sum(in.local(), opts); });
  return detail::combine(detail::gather(in.comm(), mine), std::optional<S>(S{0}), [](S a, S b) {
    if constexpr (std::is_integral_v<S>) {
      // Integer sums wrap as the single-machine sum does: add as unsigned, no overflow.
      using U = std::make_unsigned_t<S>;
      return static_cast<S>(static_cast<U>(a) + static_cast<U>(b));
    } else {
      return a + b;
    }
  });
}

// The arithmetic mean as a double, the same on every rank; NaN for an empty array, as
// maparray::mean. Collective.
template <class T>
requires std::is_arithmetic_v<std::remove_const_t<T>>
double mean(const global_array<T>& in, const exec_options& opts = {}) {
  if (in.size() == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(sum(in, opts)) / static_cast<double>(in.size());
}

// Implementation, not API: in this public header because the templates here use it.
namespace detail {
template <class Op, class T>
std::remove_const_t<T> extreme(const char* what, const global_array<T>& in,
                               const exec_options& opts) {
  using V = std::remove_const_t<T>;
  if (in.size() == 0) throw std::invalid_argument(std::string(what) + " of an empty array");
  std::optional<V> mine;
  run(what, {&in.any()}, [&] {
    const auto slab = in.local();
    if (!slab.empty()) {
      mine =
          std::is_same_v<Op, op::minimum> ? maparray::min(slab, opts) : maparray::max(slab, opts);
    }
  });
  return combine(gather(in.comm(), mine), std::optional<V>(), Op{});
}
}  // namespace detail

// The smallest element (NaN if any is NaN), the same on every rank. Collective. Throws
// std::invalid_argument (on every rank) for an empty array.
template <class T>
requires std::is_arithmetic_v<std::remove_const_t<T>> std::remove_const_t<T> min(
    const global_array<T>& in, const exec_options& opts = {}) {
  return detail::extreme<op::minimum>("min", in, opts);
}
// The largest element (NaN if any is NaN), the same on every rank. Collective. Throws as min().
template <class T>
requires std::is_arithmetic_v<std::remove_const_t<T>> std::remove_const_t<T> max(
    const global_array<T>& in, const exec_options& opts = {}) {
  return detail::extreme<op::maximum>("max", in, opts);
}

// Folds every element with `op` starting from `init`, as maparray::reduce: each rank folds its
// rows, then every rank folds the ranks' results in rank order onto init, so op must be
// associative, and R trivially copyable (it travels between ranks). Collective.
template <class T, class R, class Op>
R reduce(const global_array<T>& in, R init, Op op, const exec_options& opts = {}) {
  static_assert(std::is_trivially_copyable_v<R>,
                "a distributed reduction's result type must be trivially copyable");
  std::optional<R> mine;
  detail::run("reduce", {&in.any()}, [&] {
    // Each rank folds without init, which must be applied once only.
    mine = maparray::reduce(
        in.local(), std::optional<R>(),
        [&op](std::optional<R> acc, std::optional<R> x) -> std::optional<R> {
          if (!acc) return x;
          if (!x) return acc;
          return op(std::move(*acc), std::move(*x));
        },
        opts);
  });
  return detail::combine(detail::gather(in.comm(), mine), std::optional<R>(std::move(init)), op);
}

// @name Run-time dtypes, with numpy's semantics
// @{

// An operand of the run-time collective functions: a distributed array (each rank uses its
// slab) or a number.
using global_operand = std::variant<any_global_array, scalar>;
// Named operands of a collective expression.
using global_operand_map = std::map<std::string, global_operand, std::less<>>;

// out = f(in...) elementwise with maparray::apply's semantics (numpy's type promotion, with
// numbers weak, and values), each rank over its own rows. The arrays must have out's shape and
// distribution: nothing broadcasts across ranks. Collective. Throws as described at the top of
// this file, and what maparray::apply throws (type_error, std::invalid_argument).
void apply(ufunc f, std::span<const global_operand> in, const any_global_array& out,
           const exec_options& opts = {});
// apply() with the operands in braces.
inline void apply(ufunc f, std::initializer_list<global_operand> in, const any_global_array& out,
                  const exec_options& opts = {}) {
  apply(f, std::span<const global_operand>(in.begin(), in.size()), out, opts);
}

// out = e over named distributed arrays and numbers, in one pass on every rank's rows, as
// maparray::evaluate (elementwise expressions only: a reduction inside e is refused; use
// reduce()). The arrays must have out's shape and distribution. Collective. Throws as
// described at the top of this file, and what maparray::evaluate throws.
void evaluate(const expression& e, const global_operand_map& names, const any_global_array& out,
              const exec_options& opts = {}, casting rule = casting::same_kind);

// The reduction r of every element of `in` into the zero-dimensional `out` (a local array, of
// the type maparray::reduce would give, or any type `r`'s result casts to), the same value on
// every rank; how.type chooses the accumulator as numpy's dtype=, how.axis must be empty
// (whole-array reductions only). Each rank reduces its rows with the engine; the partial
// results are combined in rank order, so every rank gets the same bits (floating-point sums
// may differ from one process's pairwise sum in the last bits). min and max of an empty array
// throw numpy's error on every rank; mean of one is NaN. Collective. Throws as described at
// the top of this file, std::invalid_argument for an axis, and what maparray::reduce throws.
void reduce(reduction r, const any_global_array& in, const any_array& out,
            const reduce_options& how = {}, const exec_options& opts = {});
// @}

}  // namespace maparray::mpi
