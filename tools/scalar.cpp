#include "scalar.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "elements.hpp"
#include "maparray/convert.hpp"
#include "maparray/numeric_type.hpp"

namespace maparray::cli {

scalar parse_scalar(const std::string& text) {
  scalar s;
  const char* first = text.data();
  const char* last = first + text.size();
  if (text == "true" || text == "True") return {.integral = true, .integer = 1, .real = 1};
  if (text == "false" || text == "False") return s;
  if (!text.empty() && text.find_first_of(".eEnN") == std::string::npos) {
    const char* start = first + (text[0] == '+' ? 1 : 0);
    auto [end, error] = std::from_chars(start, last, s.integer);
    if (error == std::errc{} && end == last) {
      s.integral = true;
      s.real = static_cast<double>(s.integer);
      return s;
    }
    if (error == std::errc::result_out_of_range && text[0] != '-') {
      auto [end2, error2] = std::from_chars(start, last, s.large);
      if (error2 == std::errc{} && end2 == last) {
        s.integral = s.is_large_unsigned = true;
        s.real = static_cast<double>(s.large);
        return s;
      }
    }
  }
  // from_chars does not take a leading '+'; it reads "nan", "inf" and "infinity".
  const char* start = first + (!text.empty() && text[0] == '+' ? 1 : 0);
  auto [end, error] = std::from_chars(start, last, s.real);
  if (text.empty() || end != last ||
      (error != std::errc{} && error != std::errc::result_out_of_range)) {
    throw std::invalid_argument("'" + text + "' is not a number");
  }
  return s;
}

std::string scalar_text(const scalar& value) {
  if (value.is_large_unsigned) return std::to_string(value.large);
  if (value.integral) return std::to_string(value.integer);
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, value.real).ptr);
}

void store_scalar(const scalar& value, const dtype& type, std::byte* out) {
  const bool swap = !type.is_native();
  visit(type, [&]<class T>(T) {
    auto refuse = [&] {
      throw std::invalid_argument("value " + scalar_text(value) + " does not fit dtype " +
                                  type.str() + " (" + type.name() + ")");
    };
    if constexpr (std::is_same_v<T, bool>) {
      if (!value.integral || value.is_large_unsigned || (value.integer != 0 && value.integer != 1))
        refuse();
      store(out, value.integer != 0, swap);
    } else if constexpr (std::is_integral_v<T>) {
      if (!value.integral) refuse();
      if (value.is_large_unsigned) {
        if (!std::is_unsigned_v<T> || value.large > std::numeric_limits<T>::max()) refuse();
        store(out, static_cast<T>(value.large), swap);
      } else {
        if (!std::in_range<T>(value.integer)) refuse();
        store(out, static_cast<T>(value.integer), swap);
      }
    } else {
      // float16 rounds once from the double, to nearest even; complex numbers get 0 imaginary.
      store(out, convert<T>(value.real), swap);
    }
  });
}

}  // namespace maparray::cli
