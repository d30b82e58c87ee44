// libFuzzer target: expression::parse on arbitrary text, then binding and evaluation over small
// arrays of several dtypes and shapes. Any input either parses or throws expression_error; a
// parsed expression either evaluates or throws one of the documented exceptions. Nothing may
// crash, leak or hit undefined behaviour. Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "maparray/expression.hpp"
#include "maparray/error.hpp"

namespace ma = maparray;

namespace {

template <class T>
ma::any_array over(std::vector<T>& values, const ma::dims& shape) {
  ma::dims strides = ma::contiguous_strides(shape.span(), ma::order::c);
  for (auto& s : strides) s *= static_cast<ma::index_t>(sizeof(T));
  return ma::any_array(reinterpret_cast<std::byte*>(values.data()), ma::dtype_of<T>(), shape,
                       strides, {}, true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ma::expression e = [&] {
    try {
      return ma::expression::parse(text);
    } catch (const ma::expression_error&) {
      return ma::expression::parse("0");
    }
  }();
  std::vector<float> a{1.5f, -2.0f, 0.0f};
  std::vector<std::int16_t> b{7, -3};
  std::vector<std::uint8_t> c{255};
  std::vector<double> d{1e300, -0.0, 3.0, 4.0, 5.0, 6.0};
  const ma::operand_map names{{"a", over(a, {3})},
                              {"b", over(b, {2, 1})},
                              {"c", over(c, {})},
                              {"d", over(d, {2, 3})},
                              {"k", 2.5},
                              {"n", -7}};
  try {
    const ma::expression_result r = ma::describe(e, names);
    const auto count = ma::element_count(r.shape.span());
    if (count > 64) return 0;
    std::vector<std::byte> out(static_cast<std::size_t>(count * r.type.itemsize()) + 16);
    ma::dims strides = ma::contiguous_strides(r.shape.span(), ma::order::c);
    for (auto& s : strides) s *= r.type.itemsize();
    const auto aligned = reinterpret_cast<std::uintptr_t>(out.data()) % 16;
    ma::evaluate(e, names,
                 ma::any_array(out.data() + (aligned ? 16 - aligned : 0), r.type, r.shape, strides,
                               {}, true),
                 {.threads = 1});
  } catch (const std::invalid_argument&) {  // type_error, names, shapes, powers
  } catch (const std::overflow_error&) {    // weak integers out of range
  } catch (const std::out_of_range&) {      // axis_error
  }
  return 0;
}
