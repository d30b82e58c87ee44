// Interoperation with xtensor: an xt::xarray_adaptor over the elements of a maparray array.
// Optional: include it only when xtensor (0.24 or later) is available; the maparray library
// itself does not depend on it.
//
// The adaptor holds a lease on the array's storage, like a copy of the array would: the file
// stays mapped (and mapping::close() is refused with busy_error) while the adaptor, or any xtensor
// expression that holds it by value, is alive.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbuffer_adaptor.hpp>

#include "maparray/array.hpp"
#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray {

// The xtensor container type over an array<T>: a dynamic-rank adaptor with the array's strides,
// whose buffer holds a view_lease (through a shared pointer, the kind of keep-alive xtensor's
// buffers accept) instead of owning the memory. A const T gives a read-only adaptor.
template <class T>
using xtensor_view = xt::xarray_adaptor<
    xt::xbuffer_adaptor<T*, xt::smart_ownership, std::shared_ptr<const view_lease>>,
    xt::layout_type::dynamic, std::vector<std::size_t>>;

// An xtensor adaptor over the elements of `a`, without copying, that keeps `a`'s storage mapped
// while it lives. Writes through it change the array's memory (and so its file). It is laid out
// with the array's strides, so C, Fortran and sliced arrays all work.
// Throws std::invalid_argument if `a` has a negative stride (xtensor adaptors cannot express
// one), std::bad_alloc.
template <class T>
xtensor_view<T> to_xtensor(const array<T>& a) {
  using view = xtensor_view<T>;
  std::vector<std::size_t> shape(a.ndim());
  typename view::strides_type strides(a.ndim());
  for (std::size_t k = 0; k < a.ndim(); ++k) {
    const index_t stride = a.strides()[k];
    if (stride < 0) throw std::invalid_argument("xtensor adaptors cannot have negative strides");
    shape[k] = static_cast<std::size_t>(a.shape()[k]);
    // xtensor broadcasts a dimension of length one by giving it stride 0, and relies on that.
    strides[k] = a.shape()[k] == 1 ? 0 : static_cast<std::ptrdiff_t>(stride);
  }
  // xtensor sizes an adaptor's buffer by its element count, whatever the strides; it consults
  // the strides to decide whether it may walk the buffer linearly.
  const std::size_t elements = a.size();
  typename view::storage_type buffer(a.data(), elements,
                                     std::make_shared<const view_lease>(a.lease()));
  return view(std::move(buffer), shape, strides);
}

}  // namespace maparray
