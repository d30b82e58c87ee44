// The run-time computations' entry points: expressions, single operations and reductions, each
// bound to its operands, checked against its output and run through the evaluator.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "evaluator.hpp"
#include "maparray/elementwise.hpp"
#include "maparray/error.hpp"
#include "maparray/expression.hpp"
#include "maparray/reduction.hpp"
#include "program.hpp"

namespace maparray {

namespace {

// The bytes [first, last) an array's elements lie in; empty for an empty array.
std::pair<const std::byte*, const std::byte*> extent(const any_array& a) {
  if (a.size() == 0) return {nullptr, nullptr};
  index_t low = 0, high = 0;
  for (std::size_t k = 0; k < a.ndim(); ++k) {
    const index_t reach = a.byte_strides()[k] * (a.shape()[k] - 1);
    (reach < 0 ? low : high) += reach;
  }
  return {a.data() + low, a.data() + high + a.type().itemsize()};
}

bool overlaps(const any_array& a, const any_array& b) {
  const auto x = extent(a), y = extent(b);
  return x.first != nullptr && y.first != nullptr && x.first < y.second && y.first < x.second;
}

// Checks `out` against a bound program and, for an elementwise result, lets the operands
// broadcast to out's shape. Throws std::invalid_argument.
void check_output(detail::program& p, const any_array& out, casting rule, const std::string& what) {
  const auto out_type = numeric_type_of(out.type());
  if (!out_type) {
    throw type_error(what + ": the output's dtype " + out.type().str() + " is not a numeric type");
  }
  const numeric_type result = p.reducer ? p.final_type : p.result_type;
  if (!can_cast(result, *out_type, rule)) {
    throw type_error(what + ": cannot cast the result from " + std::string(name(result)) +
                     " to the output's " + std::string(name(*out_type)) + " with casting rule '" +
                     std::string(name(rule)) + "'");
  }
  if (!out.writable()) throw std::invalid_argument(what + ": the output array is read-only");
  const dims out_shape(out.shape());
  if (p.reducer) {
    const dims plain = reduced_shape(p.shape.span(), {.axis = p.axis});
    const dims kept = reduced_shape(p.shape.span(), {.axis = p.axis, .keepdims = true});
    if (!(out_shape == plain) && !(out_shape == kept)) {
      throw std::invalid_argument(what + ": the output has shape " + to_string(out.shape()) +
                                  " but the result has shape " + to_string(plain.span()));
    }
  } else {
    const std::array<dims, 2> both{p.shape, out_shape};
    const dims target = [&] {
      try {
        return broadcast_shapes(both);
      } catch (const std::invalid_argument&) {
        return dims{};
      }
    }();
    if (!(target == out_shape)) {
      throw std::invalid_argument(what + ": the output has shape " + to_string(out.shape()) +
                                  " but the operands broadcast to " + to_string(p.shape.span()));
    }
    p.shape = out_shape;
  }
  for (const auto& leaf : p.leaves) {
    if (!overlaps(leaf.array, out)) continue;
    // Elementwise into the very elements read is fine (a = a + b); anything else would read
    // elements already overwritten, in an order that depends on the threads.
    const bool same = !p.reducer && leaf.array.data() == out.data() &&
                      leaf.array.type().itemsize() == out.type().itemsize() &&
                      std::ranges::equal(leaf.array.shape(), out.shape()) &&
                      std::ranges::equal(leaf.array.byte_strides(), out.byte_strides());
    if (!same) {
      throw std::invalid_argument(what +
                                  ": the output overlaps an input without being the same "
                                  "elements; compute into another array, or copy the input first");
    }
  }
}

void run(detail::program& p, const any_array& out, const exec_options& opts, casting rule,
         const std::string& what) {
  check_output(p, out, rule, what);
  if (p.reducer) {
    detail::run_reduction(p, out, opts);
  } else {
    detail::run_elementwise(p, out, opts);
  }
}

expression_result describe_program(const detail::program& p) {
  return {to_dtype(p.reducer ? p.final_type : p.result_type), detail::result_shape(p)};
}

operand_map numbered(std::span<const operand> in) {
  operand_map names;
  for (std::size_t j = 0; j < in.size(); ++j) names.emplace(std::to_string(j), in[j]);
  return names;
}

std::optional<numeric_type> requested_type(const reduce_options& how) {
  if (!how.type) return std::nullopt;
  const auto t = numeric_type_of(*how.type);
  if (!t) throw std::invalid_argument("dtype " + how.type->str() + " is not a numeric type");
  return t;
}

}  // namespace

expression_result describe(const expression& e, const operand_map& names) {
  return describe_program(detail::bind(e.tree(), names));
}

void evaluate(const expression& e, const operand_map& names, const any_array& out,
              const exec_options& opts, casting rule) {
  detail::program p = detail::bind(e.tree(), names);
  run(p, out, opts, rule, "evaluate '" + e.text() + "'");
}

expression_result describe(ufunc f, std::span<const operand> in) {
  return describe_program(detail::bind(detail::call_tree(f, in.size()), numbered(in)));
}

void apply(ufunc f, std::span<const operand> in, const any_array& out, const exec_options& opts,
           casting rule) {
  detail::program p = detail::bind(detail::call_tree(f, in.size()), numbered(in));
  run(p, out, opts, rule, std::string(name(f)));
}

void reduce(reduction r, const any_array& in, const any_array& out, const reduce_options& how,
            const exec_options& opts) {
  const std::array<operand, 1> operands{in};
  detail::program p =
      detail::bind(detail::reduce_tree(r, how.axis), numbered(operands), requested_type(how));
  // An explicit dtype= may narrow (sum of int64 into int8), as NumPy's does.
  run(p, out, opts, how.type ? casting::unsafe : casting::same_kind, std::string(name(r)));
}

}  // namespace maparray
