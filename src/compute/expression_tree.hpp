// The parsed form of an expression: a tree of nodes in one vector, children by index.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "maparray/reduction.hpp"
#include "maparray/scalar.hpp"
#include "maparray/ufunc.hpp"

namespace maparray::detail {

struct expression_node {
  enum class kind { name, number, call, reduce };
  kind what = kind::number;
  std::string name;                    // kind::name: the operand's name
  scalar number;                       // kind::number: a weak number
  ufunc function = ufunc::add;         // kind::call
  reduction reducer = reduction::sum;  // kind::reduce, only at the root
  std::optional<int> axis;             // kind::reduce: axis=
  std::vector<int> args;               // children
  std::size_t position = 0;            // where it starts in the text, for messages
};

struct expression_tree {
  std::string text;
  std::vector<expression_node> nodes;
  int root = -1;
};

// A tree of one call of f on operands named "0", "1", ... (for apply()). Throws
// std::invalid_argument if the count is not f's number of operands.
expression_tree call_tree(ufunc f, std::size_t operands);
// A tree reducing the operand named "0" (for reduce()). Never throws except std::bad_alloc.
expression_tree reduce_tree(reduction r, std::optional<int> axis);

}  // namespace maparray::detail
