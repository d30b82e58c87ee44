// Building expression trees from C++ operators: each side's tree is copied into the new one and
// its operands renamed so that names stay unique.
#include "maparray/array_expression.hpp"

#include <string>

#include "expression_tree.hpp"

namespace maparray {

namespace {

using detail::expression_node;
using detail::expression_tree;

// Appends `from`'s nodes to `into`, renaming its operands after those already in `names`;
// returns the index of its root in `into`.
int graft(expression_tree& into, operand_map& names, const array_expression& from) {
  const expression_tree& tree = from.parsed().tree();
  const int offset = static_cast<int>(into.nodes.size());
  std::map<std::string, std::string, std::less<>> renamed;
  for (const auto& [name, value] : from.operands()) {
    const std::string fresh = "_" + std::to_string(names.size());
    renamed.emplace(name, fresh);
    names.emplace(fresh, value);
  }
  for (expression_node n : tree.nodes) {
    for (int& a : n.args) a += offset;
    if (n.what == expression_node::kind::name) n.name = renamed.at(n.name);
    into.nodes.push_back(std::move(n));
  }
  return tree.root + offset;
}

}  // namespace

array_expression::array_expression(const any_array& a)
    : expression_([] {
        auto tree = std::make_shared<expression_tree>();
        expression_node leaf;
        leaf.what = expression_node::kind::name;
        leaf.name = "_0";
        tree->nodes.push_back(leaf);
        tree->root = 0;
        tree->text = "array";
        return expression(std::move(tree));
      }()),
      operands_{{"_0", operand(a)}} {}

array_expression::array_expression(const scalar& s)
    : expression_([&] {
        auto tree = std::make_shared<expression_tree>();
        expression_node number;
        number.what = expression_node::kind::number;
        number.number = s;
        tree->nodes.push_back(number);
        tree->root = 0;
        tree->text = s.str();
        return expression(std::move(tree));
      }()) {}

array_expression array_expression::call(ufunc f, const std::vector<array_expression>& args) {
  if (args.size() != static_cast<std::size_t>(info(f).inputs)) {
    throw std::invalid_argument(std::string(name(f)) + " takes " + std::to_string(info(f).inputs) +
                                " arguments, " + std::to_string(args.size()) + " given");
  }
  auto tree = std::make_shared<expression_tree>();
  operand_map names;
  expression_node node;
  node.what = expression_node::kind::call;
  node.function = f;
  tree->text = std::string(name(f)) + "(";
  for (std::size_t k = 0; k < args.size(); ++k) {
    node.args.push_back(graft(*tree, names, args[k]));
    tree->text += (k > 0 ? ", " : "") + args[k].parsed().text();
  }
  tree->text += ")";
  tree->nodes.push_back(std::move(node));
  tree->root = static_cast<int>(tree->nodes.size() - 1);
  return array_expression(expression(std::move(tree)), std::move(names));
}

array_expression array_expression::reduce(reduction r, const array_expression& e,
                                          std::optional<int> axis) {
  auto tree = std::make_shared<expression_tree>();
  operand_map names;
  expression_node node;
  node.what = expression_node::kind::reduce;
  node.reducer = r;
  node.axis = axis;
  node.args.push_back(graft(*tree, names, e));
  tree->text = std::string(name(r)) + "(" + e.parsed().text() + ")";
  tree->nodes.push_back(std::move(node));
  tree->root = static_cast<int>(tree->nodes.size() - 1);
  return array_expression(expression(std::move(tree)), std::move(names));
}

void evaluate(const any_array& out, const array_expression& e, const exec_options& opts,
              casting rule) {
  evaluate(e.parsed(), e.operands(), out, opts, rule);
}

}  // namespace maparray
