// Interoperation with std::mdspan (C++23): mdspan views of maparray arrays, with layout_right
// (C order), layout_left (Fortran order) or layout_stride (any other strides), and an accessor
// whose reference is std::atomic_ref, for arrays shared between threads or processes.
//
// Needs a standard library with `<mdspan>` and layout_stride, compiled as C++23: libc++ 18 or
// later has it; GCC 12's libstdc++ has no `<mdspan>`, and including this header there is a
// compile-time error that says so.
//
// An mdspan does not keep anything alive: the array it was made from (or any copy of it) must
// outlive it.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <version>

#if !defined(__cpp_lib_mdspan)
#error \
    "maparray/mdspan.hpp needs std::mdspan (C++23 <mdspan>), which this compiler's standard library does not provide (GCC 12's libstdc++ has none; libc++ 18 or later with -std=c++23 does). Use array::data(), shape() and strides() instead."
#else

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mdspan>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "maparray/array.hpp"
#include "maparray/shape.hpp"

namespace maparray {

// An mdspan accessor whose reference is std::atomic_ref<T>: every element access is an atomic
// operation (load, store, fetch_add, compare_exchange...). Over shared memory this works across
// processes for element types whose atomics are always lock-free, so only those are allowed.
template <class T>
struct atomic_accessor {
  static_assert(!std::is_const_v<T>, "atomic access needs writable elements");
  static_assert(std::atomic_ref<T>::is_always_lock_free,
                "atomics across processes need an always-lock-free element type");

  using offset_policy = atomic_accessor;  // the accessor of sub-views: this one
  using element_type = T;                 // the element type
  using reference = std::atomic_ref<T>;   // what m[i, j] gives: an atomic reference
  using data_handle_type = T*;            // how the elements are pointed to

  // The atomic reference to element `i` after `p`.
  reference access(data_handle_type p, std::size_t i) const noexcept { return reference(p[i]); }
  // The handle `i` elements after `p`.
  data_handle_type offset(data_handle_type p, std::size_t i) const noexcept { return p + i; }
};

// The mdspan type over an array<T> of `Rank` dimensions with run-time extents.
template <class T, std::size_t Rank, class Layout = std::layout_stride,
          class Accessor = std::default_accessor<T> >
using mdspan_of = std::mdspan<T, std::dextents<index_t, Rank>, Layout, Accessor>;

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

// The mapping of `a` in `Layout`. Throws std::invalid_argument if `a` is not `Rank`-dimensional,
// is not laid out as `Layout` requires (layout_right: C-contiguous, layout_left: Fortran-
// contiguous), or, for layout_stride, has a negative stride.
template <class Layout, std::size_t Rank, class T>
typename Layout::template mapping<std::dextents<index_t, Rank> > mdspan_mapping(const array<T>& a) {
  using extents_type = std::dextents<index_t, Rank>;
  if (a.ndim() != Rank) {
    throw std::invalid_argument("a " + std::to_string(Rank) + "-dimensional mdspan of a " +
                                std::to_string(a.ndim()) + "-dimensional array");
  }
  std::array<index_t, Rank> extents{};
  for (std::size_t k = 0; k < Rank; ++k) extents[k] = a.shape()[k];
  const extents_type e(extents);
  if constexpr (std::is_same_v<Layout, std::layout_right>) {
    if (!a.is_c_contiguous()) throw std::invalid_argument("layout_right needs a C-order array");
    return typename Layout::template mapping<extents_type>(e);
  } else if constexpr (std::is_same_v<Layout, std::layout_left>) {
    if (!a.is_f_contiguous()) {
      throw std::invalid_argument("layout_left needs a Fortran-order array");
    }
    return typename Layout::template mapping<extents_type>(e);
  } else {
    static_assert(std::is_same_v<Layout, std::layout_stride>,
                  "Layout is std::layout_right, std::layout_left or std::layout_stride");
    // layout_stride needs positive strides that never make two indices meet. A dimension of
    // length one may have any stride in an array; give it one past every other dimension's reach.
    index_t reach = 1;
    for (std::size_t k = 0; k < Rank; ++k) {
      if (a.strides()[k] < 0 && a.shape()[k] > 1) {
        throw std::invalid_argument("std::layout_stride cannot have negative strides");
      }
      if (a.shape()[k] > 1) reach = std::max(reach, a.strides()[k] * a.shape()[k]);
    }
    std::array<index_t, Rank> strides{};
    for (std::size_t k = 0; k < Rank; ++k) {
      strides[k] = a.shape()[k] > 1 ? a.strides()[k] : reach;
    }
    return typename Layout::template mapping<extents_type>(e, strides);
  }
}

}  // namespace detail

// An mdspan over the elements of a `Rank`-dimensional array, in `Layout`: std::layout_right
// for a C-order array, std::layout_left for a Fortran-order one, std::layout_stride (the
// default) for any array. Writes through it change the array's memory (and so its file).
// Throws std::invalid_argument if the array has another number of dimensions, does not have
// the layout asked for, or (layout_stride) has a negative stride.
template <std::size_t Rank, class Layout = std::layout_stride, class T>
mdspan_of<T, Rank, Layout> to_mdspan(const array<T>& a) {
  return mdspan_of<T, Rank, Layout>(a.data(), detail::mdspan_mapping<Layout, Rank>(a));
}

// As to_mdspan(), with an accessor whose reference is std::atomic_ref<T>, so that
// m[i, j].fetch_add(1) is atomic, across processes for shared memory. Throws as to_mdspan(),
// and std::invalid_argument if the elements are not aligned as atomic access requires.
template <std::size_t Rank, class Layout = std::layout_stride, class T>
requires(!std::is_const_v<T>) mdspan_of<T, Rank, Layout, atomic_accessor<T> > to_atomic_mdspan(
    const array<T>& a) {
  static_assert(sizeof(T) % std::atomic_ref<T>::required_alignment == 0,
                "every element must be aligned when the first one is");
  if (reinterpret_cast<std::uintptr_t>(a.data()) % std::atomic_ref<T>::required_alignment != 0) {
    throw std::invalid_argument("elements are not aligned to " +
                                std::to_string(std::atomic_ref<T>::required_alignment) +
                                " bytes, as atomic access requires");
  }
  return mdspan_of<T, Rank, Layout, atomic_accessor<T> >(
      a.data(), detail::mdspan_mapping<Layout, Rank>(a), atomic_accessor<T>{});
}

// Calls `f` with the mdspan of `a` in the layout that fits it: std::layout_right if it is
// C-contiguous, else std::layout_left if it is Fortran-contiguous, else std::layout_stride,
// and returns what `f` returns (the same type for each layout). Throws as to_mdspan() and
// whatever `f` throws.
template <std::size_t Rank, class T, class F>
decltype(auto) visit_mdspan(const array<T>& a, F&& f) {
  if (a.is_c_contiguous()) return std::forward<F>(f)(to_mdspan<Rank, std::layout_right>(a));
  if (a.is_f_contiguous()) return std::forward<F>(f)(to_mdspan<Rank, std::layout_left>(a));
  return std::forward<F>(f)(to_mdspan<Rank, std::layout_stride>(a));
}

}  // namespace maparray

#endif  // __cpp_lib_mdspan
