// Binding an expression to its operands: NumPy's type resolution node by node (type_rules.hpp,
// ufunc.hpp), broadcasting, and the kernel calls that compute a block.
#include "program.hpp"

#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include "maparray/error.hpp"
#include "maparray/reduction.hpp"

namespace maparray::detail {

namespace {

using kind = expression_node::kind;

bool is_comparison(ufunc f) {
  return f == ufunc::equal || f == ufunc::not_equal || f == ufunc::less || f == ufunc::less_equal ||
         f == ufunc::greater || f == ufunc::greater_equal;
}

std::string type_list(std::span<const numeric_type> types) {
  std::string s = "(";
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i > 0) s += ", ";
    s += name(types[i]);
  }
  return s + ")";
}

[[noreturn]] void no_loop(ufunc f, std::span<const numeric_type> types) {
  if (f == ufunc::subtract) {
    throw type_error(
        "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the "
        "`^` operator, or the logical_xor function instead.");
  }
  if (f == ufunc::negative) {
    throw type_error(
        "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator "
        "or the logical_not function instead.");
  }
  throw type_error("ufunc '" + std::string(name(f)) + "' not supported for the input types " +
                   type_list(types));
}

// What binding knows about one node.
struct node_type {
  operand_type type;               // strong or weak
  numeric_type loop{};             // calls: the type the operation computes in
  const operand* bound = nullptr;  // names: the operand
};

class binder {
 public:
  binder(const expression_tree& tree, const operand_map& names,
         std::optional<numeric_type> requested)
      : tree_(tree), names_(names), requested_(requested), types_(tree.nodes.size()) {}

  program bind() {
    for (std::size_t i = 0; i < tree_.nodes.size(); ++i) type_node(static_cast<int>(i));
    const expression_node& root = node(tree_.root);
    program_.shape = broadcast_shape();
    if (root.what == kind::reduce) {
      const int inner = root.args[0];
      const numeric_type input = concrete(types_[static_cast<std::size_t>(inner)].type);
      program_.reducer = root.reducer;
      program_.expression_type = input;
      program_.final_type = reduction_result(root.reducer, input, requested_);
      program_.result_type = reduction_accumulator(root.reducer, input, requested_);
      if (root.axis) {
        const reduce_options how{.axis = root.axis};
        reduced_shape(program_.shape.span(), how);  // throws axis_error
        const auto rank = static_cast<int>(program_.shape.size());
        program_.axis = *root.axis < 0 ? *root.axis + rank : *root.axis;
      }
      program_.result = emit(inner, program_.result_type);
    } else {
      const numeric_type type = concrete(types_[static_cast<std::size_t>(tree_.root)].type);
      program_.expression_type = type;
      program_.result_type = type;
      program_.result = emit(tree_.root, type);
    }
    return std::move(program_);
  }

 private:
  const expression_node& node(int i) const { return tree_.nodes[static_cast<std::size_t>(i)]; }

  // The type a weak number takes alone: int64, float64 or complex128 (a strong type as is).
  static numeric_type concrete(operand_type t) {
    const std::array<operand_type, 1> one{t};
    return result_type(one);
  }

  void type_node(int i) {
    const expression_node& n = node(i);
    node_type& t = types_[static_cast<std::size_t>(i)];
    switch (n.what) {
      case kind::name: {
        const auto found = names_.find(n.name);
        if (found == names_.end()) {
          throw std::invalid_argument("name '" + n.name + "' is not defined (expression '" +
                                      tree_.text + "')");
        }
        t.bound = &found->second;
        if (t.bound->is_array()) {
          const auto numeric = numeric_type_of(t.bound->array().type());
          if (!numeric) {
            throw type_error("'" + n.name + "' has dtype " + t.bound->array().type().str() +
                             ", which is not a numeric type maparray computes on");
          }
          t.type = {*numeric, false};
        } else {
          t.type = t.bound->number().type();
        }
        return;
      }
      case kind::number:
        t.type = n.number.type();
        return;
      case kind::reduce:
        if (i != tree_.root) {
          throw std::invalid_argument(
              "a reduction may only be the outermost operation of an "
              "expression");
        }
        return;  // typed by bind()
      case kind::call:
        break;
    }
    std::vector<operand_type> args;
    for (int a : n.args) args.push_back(types_[static_cast<std::size_t>(a)].type);
    // Weak numbers take the type result_type gives them among this operation's operands (for
    // where(), among x and y only; a weak condition is a bool).
    std::vector<numeric_type> concrete_types;
    const std::span<const operand_type> typed = n.function == ufunc::where
                                                    ? std::span<const operand_type>(args).subspan(1)
                                                    : std::span<const operand_type>(args);
    const numeric_type common = result_type(typed);
    for (std::size_t k = 0; k < args.size(); ++k) {
      if (n.function == ufunc::where && k == 0) {
        concrete_types.push_back(args[0].weak ? numeric_type::boolean : args[0].type);
      } else {
        concrete_types.push_back(args[k].weak ? common : args[k].type);
      }
    }
    auto loop = resolve(n.function, concrete_types);
    if (!loop) no_loop(n.function, concrete_types);
    if (is_comparison(n.function) && is_integer(loop->computes_in)) {
      // NumPy 2 compares with a Python integer exactly even if it does not fit the array's
      // type (uint8 < -1 is all False): compute in a type that holds both.
      for (int a : n.args) {
        const expression_node& arg = node(a);
        const scalar* number =
            arg.what == kind::number ? &arg.number
            : arg.what == kind::name && !types_[static_cast<std::size_t>(a)].bound->is_array()
                ? &types_[static_cast<std::size_t>(a)].bound->number()
                : nullptr;
        if (number && !number->fits(loop->computes_in)) {
          loop->computes_in = number->fits(numeric_type::int64)
                                  ? promote_types(loop->computes_in, numeric_type::int64)
                                  : numeric_type::float64;
        }
      }
    }
    t.loop = loop->computes_in;
    t.type = {loop->result, false};
  }

  dims broadcast_shape() const {
    std::vector<dims> shapes;
    for (std::size_t i = 0; i < tree_.nodes.size(); ++i) {
      const node_type& t = types_[i];
      if (tree_.nodes[i].what == kind::name && t.bound->is_array()) {
        shapes.emplace_back(t.bound->array().shape());
      }
    }
    return broadcast_shapes(shapes);
  }

  int new_register(numeric_type type) {
    program_.registers.push_back(type);
    return static_cast<int>(program_.registers.size() - 1);
  }

  // Emits what computes node i as a register of type `wanted`; returns the register.
  int emit(int i, numeric_type wanted) {
    const expression_node& n = node(i);
    const node_type& t = types_[static_cast<std::size_t>(i)];
    if (n.what == kind::name && t.bound->is_array()) return load(*t.bound, wanted);
    if (n.what == kind::name || n.what == kind::number) {
      const scalar& s = n.what == kind::number ? n.number : t.bound->number();
      program::constant c;
      c.reg = new_register(wanted);
      visit(wanted, [&]<class T>(T) {
        const T value = s.as<T>();  // throws std::overflow_error for a weak int that does not fit
        std::memcpy(c.value, &value, sizeof(T));
      });
      program_.constants.push_back(c);
      return c.reg;
    }
    program::step call;
    call.kernel = kernel_for(n.function, t.loop);
    for (std::size_t k = 0; k < n.args.size(); ++k) {
      const numeric_type arg_type =
          n.function == ufunc::where && k == 0 ? numeric_type::boolean : t.loop;
      call.in[k] = emit(n.args[k], arg_type);
    }
    call.out = new_register(t.type.type);
    program_.steps.push_back(call);
    if (t.type.type == wanted) return call.out;
    program::step conversion;
    conversion.conversion = convert_for(t.type.type, wanted);
    conversion.in[0] = call.out;
    conversion.out = new_register(wanted);
    program_.steps.push_back(conversion);
    return conversion.out;
  }

  // A register holding the array `o` as `type`, loaded once however often it is used.
  int load(const operand& o, numeric_type type) {
    const any_array& a = o.array();
    for (const auto& l : program_.leaves) {
      if (l.array.data() == a.data() && l.loads_as == type && l.array.type() == a.type() &&
          std::ranges::equal(l.array.shape(), a.shape()) &&
          std::ranges::equal(l.array.byte_strides(), a.byte_strides())) {
        return l.reg;
      }
    }
    program::leaf l;
    l.array = a;
    l.stored = *numeric_type_of(a.type());
    l.loads_as = type;
    l.swap = !a.type().is_native();
    const auto alignment =
        static_cast<std::uintptr_t>(size_of(l.stored) == 16 ? 8 : size_of(l.stored));
    bool aligned = reinterpret_cast<std::uintptr_t>(a.data()) % alignment == 0;
    for (index_t s : a.byte_strides())
      aligned = aligned && static_cast<std::uintptr_t>(s) % alignment == 0;
    l.in_place = l.stored == type && !l.swap && aligned && !is_bool(type);
    l.load = load_for(l.stored, type);
    l.reg = new_register(type);
    program_.leaves.push_back(l);
    return l.reg;
  }

  const expression_tree& tree_;
  const operand_map& names_;
  std::optional<numeric_type> requested_;
  std::vector<node_type> types_;
  program program_;
};

}  // namespace

program bind(const expression_tree& tree, const operand_map& names,
             std::optional<numeric_type> requested) {
  return binder(tree, names, requested).bind();
}

dims result_shape(const program& p) {
  if (!p.reducer) return p.shape;
  return reduced_shape(p.shape.span(), {.axis = p.axis});
}

}  // namespace maparray::detail
