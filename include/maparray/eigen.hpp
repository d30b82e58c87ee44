// Interoperation with Eigen: Eigen::Map views of maparray arrays, and maparray arrays over the
// storage of Eigen matrices. Optional: include it only when Eigen 3.4 is available (the
// maparray library itself does not depend on Eigen).
//
// Neither direction copies elements. An Eigen::Map does not keep anything alive: the array it
// was made from (or any copy of it) must outlive it. An array made from an Eigen object holds a
// lease that keeps an `owner` alive if one is given, and otherwise relies on the caller to keep
// the Eigen object alive and unmoved.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "maparray/array.hpp"
#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray {

// The Eigen::Map type for a one-dimensional array<T>: a column vector with a run-time stride.
// A const T gives a read-only map.
template <class T>
using eigen_vector_map =
    Eigen::Map<std::conditional_t<std::is_const_v<T>,
                                  const Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, 1>,
                                  Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, 1>>,
               Eigen::Unaligned, Eigen::InnerStride<Eigen::Dynamic>>;

// The Eigen::Map type for a two-dimensional array<T> in Eigen storage order `StorageOrder`
// (Eigen::RowMajor or Eigen::ColMajor), with run-time inner and outer strides.
template <class T, int StorageOrder>
using eigen_matrix_map = Eigen::Map<
    std::conditional_t<
        std::is_const_v<T>,
        const Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, Eigen::Dynamic, StorageOrder>,
        Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, Eigen::Dynamic, StorageOrder>>,
    Eigen::Unaligned, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

// Throws std::invalid_argument unless `a` has `rank` dimensions and no negative stride (Eigen
// documents strides as non-negative).
template <class T>
void check_for_eigen(const array<T>& a, std::size_t rank) {
  if (a.ndim() != rank) {
    throw std::invalid_argument("an Eigen " + std::string(rank == 1 ? "vector" : "matrix") +
                                " needs a " + std::to_string(rank) + "-dimensional array, not " +
                                std::to_string(a.ndim()) + "-dimensional");
  }
  for (index_t s : a.strides()) {
    if (s < 0) throw std::invalid_argument("Eigen maps cannot have negative strides");
  }
}

}  // namespace detail

// An Eigen column vector over a one-dimensional array, with the array's element stride, so a
// strided slice works too. Writes through the map change the array's memory (and so its file).
// Throws std::invalid_argument if the array is not one-dimensional or has a negative stride.
template <class T>
eigen_vector_map<T> to_eigen_vector(const array<T>& a) {
  detail::check_for_eigen(a, 1);
  return eigen_vector_map<T>(a.data(), a.extent(0),
                             Eigen::InnerStride<Eigen::Dynamic>(a.strides()[0]));
}

// An Eigen matrix over a two-dimensional array. Every layout works in either storage order,
// since the map carries the array's strides; choose StorageOrder to match the array's layout
// (Eigen::RowMajor for order::c, Eigen::ColMajor for order::fortran) so that Eigen traverses
// memory sequentially. Writes through the map change the array's memory.
// Throws std::invalid_argument if the array is not two-dimensional or has a negative stride.
template <int StorageOrder = Eigen::RowMajor, class T>
eigen_matrix_map<T, StorageOrder> to_eigen_matrix(const array<T>& a) {
  static_assert(StorageOrder == Eigen::RowMajor || StorageOrder == Eigen::ColMajor,
                "StorageOrder is Eigen::RowMajor or Eigen::ColMajor");
  detail::check_for_eigen(a, 2);
  const index_t row_stride = a.strides()[0];
  const index_t column_stride = a.strides()[1];
  // Eigen's outer stride steps between rows of a row-major matrix, between columns of a
  // column-major one; the inner stride steps within them.
  const bool row_major = StorageOrder == Eigen::RowMajor;
  return eigen_matrix_map<T, StorageOrder>(
      a.data(), a.extent(0), a.extent(1),
      Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(row_major ? row_stride : column_stride,
                                                    row_major ? column_stride : row_stride));
}

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

// The array over an Eigen object's elements: one-dimensional for a compile-time vector, else
// (rows, columns); element (i, j) of an Eigen object is at data + i * rowStride() + j *
// colStride(). Throws only std::bad_alloc.
template <class E, class Derived>
array<E> array_over_eigen(E* data, const Eigen::DenseBase<Derived>& m, bool writable,
                          std::shared_ptr<void> owner) {
  dims shape, strides;
  if constexpr (Derived::IsVectorAtCompileTime) {
    shape = {static_cast<index_t>(m.size())};
    strides = {static_cast<index_t>(m.derived().innerStride())};
  } else {
    shape = {static_cast<index_t>(m.rows()), static_cast<index_t>(m.cols())};
    strides = {static_cast<index_t>(m.derived().rowStride()),
               static_cast<index_t>(m.derived().colStride())};
  }
  const auto extent = covered_bytes(shape.span(), strides.span(), sizeof(E));
  auto* first =
      reinterpret_cast<std::byte*>(const_cast<std::remove_const_t<E>*>(data)) + extent.first;
  const mapping storage =
      mapping::borrow({first, static_cast<std::size_t>(extent.size)}, writable, std::move(owner));
  return array<E>(data, shape, strides, storage.lease());
}

}  // namespace detail

// An array over the elements of an Eigen object with direct access to its storage (a Matrix,
// an Array, a Map, a Block of one), without copying: one-dimensional for an object that is a
// vector at compile time, otherwise two-dimensional (rows, columns), with Eigen's strides.
// Objects Eigen does not let you write (a Map of a const matrix) give array<const Scalar>.
// `owner`, if given, is kept alive as long as the array or any view of it; otherwise the caller
// keeps the Eigen object alive and unmoved. Throws only std::bad_alloc.
template <class Derived>
requires((Derived::Flags & Eigen::DirectAccessBit) !=
         0) auto array_from_eigen(Eigen::DenseBase<Derived>& m,
                                  std::shared_ptr<void> owner = nullptr) {
  using scalar = typename Derived::Scalar;
  constexpr bool writable = (Derived::Flags & Eigen::LvalueBit) != 0;
  using element = std::conditional_t<writable, scalar, const scalar>;
  return detail::array_over_eigen<element>(m.derived().data(), m, writable, std::move(owner));
}

// As above for a const Eigen object: the array is read-only. Throws only std::bad_alloc.
template <class Derived>
requires((Derived::Flags & Eigen::DirectAccessBit) != 0)
    array<const typename Derived::Scalar> array_from_eigen(const Eigen::DenseBase<Derived>& m,
                                                           std::shared_ptr<void> owner = nullptr) {
  using scalar = typename Derived::Scalar;
  return detail::array_over_eigen<const scalar>(m.derived().data(), m, false, std::move(owner));
}

}  // namespace maparray
