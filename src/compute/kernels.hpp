// The loops the run-time evaluator calls: each works on one block of up to block_elements
// elements held in contiguous buffers of one numeric type ("registers"), or moves elements
// between an array's memory (any alignment, stride and byte order) and a register. Looked up
// once per expression, called once per block.
#pragma once

#include <cstddef>

#include "maparray/numeric_type.hpp"
#include "maparray/reduction.hpp"
#include "maparray/shape.hpp"
#include "maparray/ufunc.hpp"

namespace maparray::detail {

// Elements per block: a register of complex128 is 16 KiB, so an expression's registers stay in
// the processor's caches.
inline constexpr index_t block_elements = 1024;

// out[i] = f(in[0][i], in[1][i], ...) for i < n, in the loop type the kernel was made for.
// Throws only for power of a signed integer to a negative power.
using elementwise_kernel = void (*)(index_t n, void* out, const void* const* in);
// The kernel of an operation for one of its loop types; null if it has no such loop. where()
// takes (bool condition, x, y) in the loop type of x and y. Never throws.
elementwise_kernel kernel_for(ufunc f, numeric_type loop) noexcept;

// out[i] = convert<To>(in[i]) for i < n, register to register. Never throws.
using convert_kernel = void (*)(index_t n, void* out, const void* in);
convert_kernel convert_for(numeric_type from, numeric_type to) noexcept;

// Loads n elements stored as `from` at in, in + step, ... (any alignment; step 0 repeats one
// element; bytes swapped first if `swap`) into a register of `to`. Never throws.
using load_kernel = void (*)(index_t n, void* out, const std::byte* in, index_t step, bool swap);
load_kernel load_for(numeric_type from, numeric_type to) noexcept;

// Stores n elements of a register of `from` as `to` at out, out + step, ... (any alignment;
// bytes swapped after conversion if `swap`). Never throws.
using store_kernel = void (*)(index_t n, std::byte* out, index_t step, bool swap, const void* in);
store_kernel store_for(numeric_type from, numeric_type to) noexcept;

// The operations of one reduction in one accumulator type. acc points to one accumulator value.
struct reducer {
  // *acc = the identity (0 for sums, 1 for products, +inf or the largest value for min...).
  void (*identity)(void* acc) = nullptr;
  // *acc = *acc (+) *value.
  void (*combine)(void* acc, const void* value) = nullptr;
  // *acc = *acc (+) (in[0] (+) ... (+) in[n-1]), sums added pairwise.
  void (*fold)(index_t n, const void* in, void* acc) = nullptr;
  // acc[i * step] = acc[i * step] (+) in[i] for i < n (step in bytes; acc may be unaligned
  // memory of the accumulator type in native order).
  void (*accumulate)(index_t n, const void* in, std::byte* acc, index_t step) = nullptr;
  // Whether partial results should be combined pairwise (sums of inexact numbers), which keeps
  // the rounding error growing with log(n).
  bool pairwise = false;
};
// The reducer of a reduction in an accumulator type (mean accumulates as sum). Never throws.
reducer reducer_for(reduction r, numeric_type acc) noexcept;

}  // namespace maparray::detail
