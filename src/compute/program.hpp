// An expression bound to its operands: every node's type resolved by NumPy's rules, the shape
// the operands broadcast to, and the list of kernel calls that compute one block of the
// result in registers. evaluator.cpp runs it through the engine.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "expression_tree.hpp"
#include "kernels.hpp"
#include "maparray/operand.hpp"

namespace maparray::detail {

struct program {
  // An array operand, loaded block by block into a register.
  struct leaf {
    any_array array;
    numeric_type stored;    // the type of its elements in memory
    numeric_type loads_as;  // the type of its register
    bool swap = false;      // stored in the other byte order
    bool in_place = false;  // usable without loading: same type, native, aligned, not bool
    load_kernel load = nullptr;
    int reg = -1;
  };
  // A number, converted once and repeated over a register.
  struct constant {
    int reg = -1;
    alignas(16) unsigned char value[16] = {};
  };
  // One kernel call per block: an operation, or a conversion between registers.
  struct step {
    elementwise_kernel kernel = nullptr;
    convert_kernel conversion = nullptr;
    int out = -1;
    std::array<int, 3> in{-1, -1, -1};
  };

  std::vector<numeric_type> registers;  // the type of each register
  std::vector<leaf> leaves;
  std::vector<constant> constants;
  std::vector<step> steps;
  int result = -1;                 // the register holding the expression's value
  numeric_type result_type{};      // its type (for a reduction, the accumulator type)
  numeric_type expression_type{};  // the type of the expression itself (before reducing)
  dims shape;                      // the shape the operands broadcast to

  // Set for a reduction at the root.
  std::optional<reduction> reducer;
  std::optional<int> axis;    // normalized to [0, shape.size())
  numeric_type final_type{};  // the reduction's result type
};

// Binds a tree to its operands. `requested` is a reduction's dtype= (reduce()). Throws what
// maparray::describe() documents.
program bind(const expression_tree& tree, const operand_map& names,
             std::optional<numeric_type> requested = {});

// The shape of the result: the broadcast shape, without the reduced axis (or every axis).
dims result_shape(const program& p);

}  // namespace maparray::detail
