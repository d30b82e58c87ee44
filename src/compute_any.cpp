// The named operations and reductions over any_array: a check of the dtypes, then the typed
// functions of compute.hpp for the one native numeric type they share.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "maparray/any_array.hpp"
#include "maparray/compute.hpp"

namespace maparray {

namespace {

// Calls f(T{}) for the C++ type of `type`. Throws std::invalid_argument for other dtypes.
template <class F>
void with_type(const char* what, const dtype& type, F&& f) {
  const auto is = [&](auto value) { return type == dtype_of<decltype(value)>(); };
  if (is(float{})) return f(float{});
  if (is(double{})) return f(double{});
  if (is(std::int8_t{})) return f(std::int8_t{});
  if (is(std::int16_t{})) return f(std::int16_t{});
  if (is(std::int32_t{})) return f(std::int32_t{});
  if (is(std::int64_t{})) return f(std::int64_t{});
  if (is(std::uint8_t{})) return f(std::uint8_t{});
  if (is(std::uint16_t{})) return f(std::uint16_t{});
  if (is(std::uint32_t{})) return f(std::uint32_t{});
  if (is(std::uint64_t{})) return f(std::uint64_t{});
  if (is(bool{})) return f(bool{});
  throw std::invalid_argument(std::string(what) + ": dtype " + type.str() +
                              " is not supported (native-order bool, integers, float32 or "
                              "float64 are)");
}

template <class Op>
void binary(const char* what, const any_array& x, const any_array& y, const any_array& out,
            const exec_options& opts) {
  const auto check = [&](const any_array& a, const char* name) {
    if (!(a.type() == out.type())) {
      throw std::invalid_argument(std::string(what) + ": " + name + " has dtype " + a.type().str() +
                                  " but the output has dtype " + out.type().str());
    }
  };
  check(x, "input 1");
  check(y, "input 2");
  with_type(what, out.type(), [&](auto value) {
    using T = decltype(value);
    transform(out.as<T>(), Op{}, x.as<const T>(), y.as<const T>(), opts);
  });
}

}  // namespace

void add(const any_array& x, const any_array& y, const any_array& out, const exec_options& opts) {
  binary<op::add>("add", x, y, out, opts);
}
void subtract(const any_array& x, const any_array& y, const any_array& out,
              const exec_options& opts) {
  binary<op::subtract>("subtract", x, y, out, opts);
}
void multiply(const any_array& x, const any_array& y, const any_array& out,
              const exec_options& opts) {
  binary<op::multiply>("multiply", x, y, out, opts);
}
void divide(const any_array& x, const any_array& y, const any_array& out,
            const exec_options& opts) {
  binary<op::divide>("divide", x, y, out, opts);
}
void minimum(const any_array& x, const any_array& y, const any_array& out,
             const exec_options& opts) {
  binary<op::minimum>("minimum", x, y, out, opts);
}
void maximum(const any_array& x, const any_array& y, const any_array& out,
             const exec_options& opts) {
  binary<op::maximum>("maximum", x, y, out, opts);
}

double sum(const any_array& in, const exec_options& opts) {
  double total = 0;
  with_type("sum", in.type(), [&](auto value) {
    total = static_cast<double>(sum(in.as<const decltype(value)>(), opts));
  });
  return total;
}

double mean(const any_array& in, const exec_options& opts) {
  double result = 0;
  with_type("mean", in.type(),
            [&](auto value) { result = mean(in.as<const decltype(value)>(), opts); });
  return result;
}

}  // namespace maparray
