// Reductions over arrays whose element type is known at run time, with NumPy's results:
// sum, prod, min, max, mean, any and all, over every element or along one axis.
//
//   ma::reduce(ma::reduction::sum, a, out);                         // out: zero-dimensional
//   ma::reduce(ma::reduction::mean, a, out, {.axis = 0});           // out: a's shape without axis
//   0
//
// The result type is NumPy's: sum and prod of bools and integers narrower than 64 bits give
// int64 (uint64 for unsigned), min and max keep the type, mean gives float64 for integers and
// the input's type for floating point, any and all give bool. `type` chooses the accumulator
// (and result) type instead, as NumPy's dtype=. float16 accumulates in float32, as NumPy's
// does. Sums of floating-point numbers are added pairwise, so the rounding error grows with
// log(n); the grouping depends on the chunk size only, never on the threads, so a result is
// the same on every run.
//
// Reductions of whole expressions in one pass (sum(a * b)) are in expression.hpp.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "maparray/any_array.hpp"
#include "maparray/exec_options.hpp"
#include "maparray/numeric_type.hpp"

namespace maparray {

// The reductions, named as NumPy's functions.
enum class reduction : std::uint8_t { sum, prod, min, max, mean, any, all };

// NumPy's name of a reduction ("sum").
std::string_view name(reduction r) noexcept;
// The reduction of a name ("sum", "prod", "min", "max", "mean", "any", "all"; also "amin",
// "amax", "product"), or nothing.
std::optional<reduction> reduction_from_name(std::string_view text) noexcept;

// The type of a reduction's result for input elements of `input`, or of `requested` if given.
// Throws std::invalid_argument for a reduction NumPy refuses on that type (none today).
numeric_type reduction_result(reduction r, numeric_type input,
                              std::optional<numeric_type> requested = {});
// The type a reduction accumulates in: its result type, but float32 for float16.
numeric_type reduction_accumulator(reduction r, numeric_type input,
                                   std::optional<numeric_type> requested = {}) noexcept;

// Which elements a reduction combines, and how its result is shaped.
struct reduce_options {
  // The axis to reduce along (negative counts from the end); none: every element.
  std::optional<int> axis{};
  // The accumulator and result type (NumPy's dtype=); none: NumPy's default (see above).
  std::optional<dtype> type{};
  // Keep the reduced axis (or every axis) with length 1, as NumPy's keepdims=True.
  bool keepdims = false;
};

// The shape of the result of reducing an array of `shape`. Throws axis_error if the axis is
// outside the array ("axis 2 is out of bounds for array of dimension 2").
dims reduced_shape(std::span<const index_t> shape, const reduce_options& how = {});

// Reduces `in` into `out`, whose shape must be reduced_shape(in.shape(), how) and whose dtype
// the result type casts to under casting::same_kind (a float64 mean may go to a float32 out).
// Throws std::invalid_argument (wrong out shape or dtype, a dtype that is not numeric, min or
// max along an empty axis or of an empty array, NumPy's "zero-size array to reduction
// operation minimum which has no identity"), axis_error, std::system_error, cancelled_error.
// The mean of no elements is NaN, as NumPy's.
void reduce(reduction r, const any_array& in, const any_array& out, const reduce_options& how = {},
            const exec_options& opts = {});

}  // namespace maparray
