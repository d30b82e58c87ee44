// The elementwise operations as function objects, with NumPy's results: maparray::op::add{},
// op::sqrt{}, op::less{}... Every face of maparray computes through these, so C++ code, the
// tool and the Python module give the same values.
//
// Called with values of any numeric types, an operation converts them to the type NumPy would
// compute in (see ufunc.hpp) and returns NumPy's result type: op::divide{}(7, 2) is 3.5,
// op::sqrt{}(std::int8_t{4}) is a float16, op::add{}(std::uint8_t{200}, std::uint8_t{100}) is
// uint8 44. A combination NumPy has no loop for (op::floor_divide of complex numbers) does not
// compile. Usable with transform():
//
//   ma::transform(out, ma::op::hypot{}, x, y);
//
// Results follow NumPy on every input: integers wrap around on overflow; integer division and
// remainder by zero give 0 (NumPy's result, without its warning); floor_divide and remainder
// follow Python's signs; NaN propagates through minimum and maximum but not fmin and fmax;
// float16 computes in float and rounds, as NumPy does. Only power of a signed integer to a
// negative integer throws (std::invalid_argument, NumPy's ValueError); nothing else throws.
#pragma once

#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <type_traits>

#include "maparray/convert.hpp"
#include "maparray/numeric_type.hpp"
#include "maparray/ufunc.hpp"

namespace maparray {

namespace detail {

template <class T>
inline constexpr bool is_wrapping_integer_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// f(x, y) in unsigned arithmetic, so that integer overflow wraps around instead of being
// undefined. Never throws.
template <class T, class F>
constexpr T wrapping(T x, T y, F f) noexcept {
  using U = std::make_unsigned_t<decltype(+x)>;
  return static_cast<T>(f(static_cast<U>(x), static_cast<U>(y)));
}

// NumPy's lexicographic order of complex numbers, false wherever a NaN is involved in a way
// that makes the order undefined (its CLT/CLE macros).
template <class C>
constexpr bool complex_less(C x, C y) noexcept {
  return (x.real() < y.real() && x.imag() == x.imag() && y.imag() == y.imag()) ||
         (x.real() == y.real() && x.imag() < y.imag());
}
template <class C>
constexpr bool complex_less_equal(C x, C y) noexcept {
  return (x.real() < y.real() && x.imag() == x.imag() && y.imag() == y.imag()) ||
         (x.real() == y.real() && x.imag() <= y.imag());
}
template <class C>
constexpr bool complex_is_nan(C x) noexcept {
  return x.real() != x.real() || x.imag() != x.imag();
}

// x * y by the schoolbook formula, as NumPy computes it (C's complex multiplication adds
// checks for infinities that NumPy does not make).
template <class C>
constexpr C complex_multiply(C x, C y) noexcept {
  return C(x.real() * y.real() - x.imag() * y.imag(), x.real() * y.imag() + x.imag() * y.real());
}

// x / y by Smith's method, as NumPy computes it: no overflow for large y, and division by a
// zero y gives NumPy's infinities and NaNs.
template <class C>
constexpr C complex_divide(C x, C y) noexcept {
  using R = typename C::value_type;
  const R yr = y.real(), yi = y.imag();
  const R ar = std::abs(yr), ai = std::abs(yi);
  if (ar >= ai) {
    if (ar == 0 && ai == 0) return C(x.real() / ar, x.imag() / ai);
    const R ratio = yi / yr;
    const R scale = R{1} / (yr + yi * ratio);
    return C((x.real() + x.imag() * ratio) * scale, (x.imag() - x.real() * ratio) * scale);
  }
  const R ratio = yr / yi;
  const R scale = R{1} / (yi + yr * ratio);
  return C((x.real() * ratio + x.imag()) * scale, (x.imag() * ratio - x.real()) * scale);
}

// Python's floor division and remainder of floating-point numbers, as NumPy's divmod: the
// quotient is rounded to the nearest integer near floor(x / y), the remainder takes y's sign.
template <class R>
R float_divmod(R x, R y, R* remainder) noexcept {
  R mod = std::fmod(x, y);
  if (y == 0) {
    *remainder = mod;
    return x / y;
  }
  R div = (x - mod) / y;
  if (mod != 0) {
    if ((y < 0) != (mod < 0)) {
      mod += y;
      div -= R{1};
    }
  } else {
    mod = std::copysign(R{0}, y);
  }
  R floor_div;
  if (div != 0) {
    floor_div = std::floor(div);
    if (div - floor_div > R{0.5}) floor_div += R{1};
  } else {
    floor_div = std::copysign(R{0}, x / y);
  }
  *remainder = mod;
  return floor_div;
}

// The base of every operation: converts arguments to the loop type NumPy chooses for them and
// calls Derived::apply, computing float16 in float.
template <class Derived, ufunc F>
struct numpy_operation {
  // The operation's identity in ufunc.hpp.
  static constexpr ufunc id = F;

  // Derived::apply in the loop type L (float16 computed in float, rounded back).
  template <class L, class... A>
  static constexpr auto in_loop(A... x) {
    if constexpr (std::is_same_v<L, float16>) {
      const auto r = Derived::apply(static_cast<float>(x)...);
      if constexpr (std::is_same_v<std::remove_cv_t<decltype(r)>, float>) {
        return float16(r);
      } else {
        return r;
      }
    } else {
      return Derived::apply(static_cast<L>(x)...);
    }
  }

  // The operation on values of any numeric types, in the loop NumPy chooses for those types.
  template <class... A>
  requires(computable<A>&&...) constexpr auto operator()(A... a) const {
    constexpr std::array<numeric_type, sizeof...(A)> types{numeric_type_of<A>()...};
    constexpr std::optional<ufunc_loop> loop = resolve(F, types);
    static_assert(loop.has_value(), "NumPy has no loop of this operation for these types");
    using L = element_type_t<loop->computes_in>;
    return in_loop<L>(convert<L>(a)...);
  }
};

}  // namespace detail

namespace op {

// @name Arithmetic
// @{
// Each struct is one operation; apply() computes in one loop type and never throws (except
// power, see below). Call the object itself, not apply(), to get NumPy's type resolution.
struct add : detail::numpy_operation<add, ufunc::add> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return x || y;
    } else if constexpr (detail::is_wrapping_integer_v<T>) {
      return detail::wrapping(x, y, [](auto a, auto b) { return a + b; });
    } else {
      return x + y;
    }
  }
};
struct subtract : detail::numpy_operation<subtract, ufunc::subtract> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (detail::is_wrapping_integer_v<T>) {
      return detail::wrapping(x, y, [](auto a, auto b) { return a - b; });
    } else {
      return x - y;
    }
  }
};
struct multiply : detail::numpy_operation<multiply, ufunc::multiply> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return x && y;
    } else if constexpr (detail::is_wrapping_integer_v<T>) {
      return detail::wrapping(x, y, [](auto a, auto b) { return a * b; });
    } else if constexpr (detail::is_complex_v<T>) {
      return detail::complex_multiply(x, y);
    } else {
      return x * y;
    }
  }
};
// True division; integers are divided as float64 (7 / 2 is 3.5).
struct divide : detail::numpy_operation<divide, ufunc::divide> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_divide(x, y);
    } else {
      return x / y;
    }
  }
};
// Python's //: rounds toward negative infinity; an integer divided by 0 gives 0, and the most
// negative integer divided by -1 gives itself (it wraps).
struct floor_divide : detail::numpy_operation<floor_divide, ufunc::floor_divide> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T{0};
      if constexpr (std::is_signed_v<T>) {
        if (x == std::numeric_limits<T>::min() && y == T(-1)) return x;
        const T q = static_cast<T>(x / y);
        return ((x > 0) != (y > 0)) && static_cast<T>(q * y) != x ? static_cast<T>(q - 1) : q;
      } else {
        return static_cast<T>(x / y);
      }
    } else {
      T mod;
      return detail::float_divmod(x, y, &mod);
    }
  }
};
// Python's %: the result has the divisor's sign; x % 0 is 0 for integers, NaN for floats.
struct remainder : detail::numpy_operation<remainder, ufunc::remainder> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T{0};
      if constexpr (std::is_signed_v<T>) {
        if (x == std::numeric_limits<T>::min() && y == T(-1)) return T{0};
        const T r = static_cast<T>(x % y);
        return (r != 0 && ((x > 0) != (y > 0))) ? static_cast<T>(r + y) : r;
      } else {
        return static_cast<T>(x % y);
      }
    } else {
      if (y == 0) return std::fmod(x, y);
      T mod;
      detail::float_divmod(x, y, &mod);
      return mod;
    }
  }
};
// C's fmod: the result has the dividend's sign; x fmod 0 is 0 for integers, NaN for floats.
struct fmod : detail::numpy_operation<fmod, ufunc::fmod> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T{0};
      if constexpr (std::is_signed_v<T>) {
        if (y == T(-1)) return T{0};
      }
      return static_cast<T>(x % y);
    } else {
      return std::fmod(x, y);
    }
  }
};
// x ** y. Integers wrap around; a signed integer to a negative power throws
// std::invalid_argument, as NumPy raises ValueError.
struct power : detail::numpy_operation<power, ufunc::power> {
  template <class T>
  static constexpr T apply(T x, T y) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (y < 0)
          throw std::invalid_argument("Integers to negative integer powers are not allowed.");
      }
      using U = std::make_unsigned_t<decltype(+x)>;
      U base = static_cast<U>(x), result = 1;
      for (auto e = static_cast<std::make_unsigned_t<T>>(y); e != 0; e >>= 1) {
        if (e & 1U) result = static_cast<U>(result * base);
        base = static_cast<U>(base * base);
      }
      return static_cast<T>(result);
    } else if constexpr (detail::is_complex_v<T>) {
      return complex_power(x, y);
    } else {
      return std::pow(x, y);
    }
  }

 private:
  // NumPy's complex power: exact small integer powers by repeated multiplication, 0 ** y as
  // 0 or NaN, otherwise C's cpow.
  template <class C>
  static C complex_power(C x, C y) noexcept {
    using R = typename C::value_type;
    if (y.real() == 0 && y.imag() == 0) return C(1, 0);
    if (x.real() == 0 && x.imag() == 0) {
      if (y.real() > 0 && y.imag() == 0) return C(0, 0);
      return C(std::numeric_limits<R>::quiet_NaN(), std::numeric_limits<R>::quiet_NaN());
    }
    if (y.imag() == 0 && y.real() > -100 && y.real() < 100 &&
        y.real() == static_cast<R>(static_cast<int>(y.real()))) {
      const int n = static_cast<int>(y.real());
      if (n == 1) return x;
      if (n == 2) return detail::complex_multiply(x, x);
      if (n == 3) return detail::complex_multiply(detail::complex_multiply(x, x), x);
      unsigned mask = 1;
      const unsigned magnitude = static_cast<unsigned>(n < 0 ? -n : n);
      C acc(1, 0), square = x;
      while (mask <= magnitude) {
        if (magnitude & mask) acc = detail::complex_multiply(acc, square);
        mask <<= 1;
        square = detail::complex_multiply(square, square);
      }
      return n < 0 ? detail::complex_divide(C(1, 0), acc) : acc;
    }
    return std::pow(x, y);
  }
};
struct negative : detail::numpy_operation<negative, ufunc::negative> {
  template <class T>
  static constexpr T apply(T x) noexcept {
    if constexpr (detail::is_wrapping_integer_v<T>) {
      return detail::wrapping(T{0}, x, [](auto a, auto b) { return a - b; });
    } else {
      return -x;
    }
  }
};
struct positive : detail::numpy_operation<positive, ufunc::positive> {
  template <class T>
  static constexpr T apply(T x) noexcept {
    return x;
  }
};
// |x|; the most negative integer stays itself (it wraps); a complex number's magnitude.
struct absolute : detail::numpy_operation<absolute, ufunc::absolute> {
  template <class T>
  static constexpr auto apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::hypot(x.real(), x.imag());
    } else if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else if constexpr (std::is_integral_v<T>) {
      return x < 0 ? detail::wrapping(T{0}, x, [](auto a, auto b) { return a - b; }) : x;
    } else {
      return std::fabs(x);
    }
  }
};
struct square : detail::numpy_operation<square, ufunc::square> {
  template <class T>
  static constexpr T apply(T x) noexcept {
    return multiply::apply(x, x);
  }
};
// -1, 0 or 1 (NaN stays NaN); for a complex number, x / |x| (0 for 0), as NumPy 2.
struct sign : detail::numpy_operation<sign, ufunc::sign> {
  template <class T>
  static constexpr T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      if (x.real() == 0 && x.imag() == 0) return T(0, 0);
      const auto magnitude = std::hypot(x.real(), x.imag());
      return T(x.real() / magnitude, x.imag() / magnitude);
    } else if constexpr (std::is_unsigned_v<T>) {
      return static_cast<T>(x > 0);
    } else if constexpr (std::is_integral_v<T>) {
      return static_cast<T>((x > 0) - (x < 0));
    } else {
      return x > 0 ? T{1} : x < 0 ? T{-1} : x == 0 ? T{0} : x;
    }
  }
};
// @}

// @name Comparison and selection
// @{
// The smaller / larger; NaN wins (minimum, maximum) or loses (fmin, fmax) against numbers.
// Complex numbers are ordered by real part, then imaginary part.
struct minimum : detail::numpy_operation<minimum, ufunc::minimum> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return x && y;
    } else if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(x, y) || detail::complex_is_nan(x) ? x : y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return (x <= y || x != x) ? x : y;
    } else {
      return y < x ? y : x;
    }
  }
};
struct maximum : detail::numpy_operation<maximum, ufunc::maximum> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return x || y;
    } else if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(y, x) || detail::complex_is_nan(x) ? x : y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return (x >= y || x != x) ? x : y;
    } else {
      return x < y ? y : x;
    }
  }
};
struct fmin : detail::numpy_operation<fmin, ufunc::fmin> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(x, y) || detail::complex_is_nan(y) ? x : y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return (x <= y || y != y) ? x : y;
    } else {
      return minimum::apply(x, y);
    }
  }
};
struct fmax : detail::numpy_operation<fmax, ufunc::fmax> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(y, x) || detail::complex_is_nan(y) ? x : y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return (x >= y || y != y) ? x : y;
    } else {
      return maximum::apply(x, y);
    }
  }
};
struct equal : detail::numpy_operation<equal, ufunc::equal> {
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return x == y;
  }
};
struct not_equal : detail::numpy_operation<not_equal, ufunc::not_equal> {
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return x != y;
  }
};
struct less : detail::numpy_operation<less, ufunc::less> {
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less(x, y);
    } else {
      return x < y;
    }
  }
};
struct less_equal : detail::numpy_operation<less_equal, ufunc::less_equal> {
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(x, y);
    } else {
      return x <= y;
    }
  }
};
struct greater : detail::numpy_operation<greater, ufunc::greater> {
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return less::apply(y, x);
  }
};
struct greater_equal : detail::numpy_operation<greater_equal, ufunc::greater_equal> {
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return less_equal::apply(y, x);
  }
};
// Logical operations take any value as "not zero" (NaN is true).
struct logical_and : detail::numpy_operation<logical_and, ufunc::logical_and> {
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return convert<bool>(x) && convert<bool>(y);
  }
};
struct logical_or : detail::numpy_operation<logical_or, ufunc::logical_or> {
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return convert<bool>(x) || convert<bool>(y);
  }
};
struct logical_xor : detail::numpy_operation<logical_xor, ufunc::logical_xor> {
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return convert<bool>(x) != convert<bool>(y);
  }
};
struct logical_not : detail::numpy_operation<logical_not, ufunc::logical_not> {
  template <class T>
  static constexpr bool apply(T x) noexcept {
    return !convert<bool>(x);
  }
};
// @}

// @name Bits
// @{
// On bools, the logical operations. Shifts by at least the width give 0 (or -1 for a negative
// number shifted right), and negative shift counts count as huge ones, as in NumPy.
struct bitwise_and : detail::numpy_operation<bitwise_and, ufunc::bitwise_and> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    return static_cast<T>(x & y);
  }
};
struct bitwise_or : detail::numpy_operation<bitwise_or, ufunc::bitwise_or> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    return static_cast<T>(x | y);
  }
};
struct bitwise_xor : detail::numpy_operation<bitwise_xor, ufunc::bitwise_xor> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    return static_cast<T>(x ^ y);
  }
};
struct invert : detail::numpy_operation<invert, ufunc::invert> {
  template <class T>
  static constexpr T apply(T x) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return !x;
    } else {
      return static_cast<T>(~x);
    }
  }
};
struct left_shift : detail::numpy_operation<left_shift, ufunc::left_shift> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    using U = std::make_unsigned_t<T>;
    if (static_cast<U>(y) >= sizeof(T) * 8) return T{0};
    return static_cast<T>(static_cast<std::make_unsigned_t<decltype(+x)>>(x) << y);
  }
};
struct right_shift : detail::numpy_operation<right_shift, ufunc::right_shift> {
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    using U = std::make_unsigned_t<T>;
    if (static_cast<U>(y) >= sizeof(T) * 8) return x < 0 ? T(-1) : T{0};
    return static_cast<T>(x >> y);
  }
};
// @}

// @name Floating point
// @{
// Integers are never NaN nor infinite. floor, ceil, trunc and rint compute in floating point
// (NumPy gives float16 for int8 input); rint rounds half to even.
struct isnan : detail::numpy_operation<isnan, ufunc::isnan> {
  template <class T>
  static constexpr bool apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::isnan(x.real()) || std::isnan(x.imag());
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isnan(x);
    } else {
      return false;
    }
  }
};
struct isinf : detail::numpy_operation<isinf, ufunc::isinf> {
  template <class T>
  static constexpr bool apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::isinf(x.real()) || std::isinf(x.imag());
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isinf(x);
    } else {
      return false;
    }
  }
};
struct isfinite : detail::numpy_operation<isfinite, ufunc::isfinite> {
  template <class T>
  static constexpr bool apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::isfinite(x.real()) && std::isfinite(x.imag());
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isfinite(x);
    } else {
      return true;
    }
  }
};
struct floor : detail::numpy_operation<floor, ufunc::floor> {
  template <class T>
  static T apply(T x) noexcept {
    return std::floor(x);
  }
};
struct ceil : detail::numpy_operation<ceil, ufunc::ceil> {
  template <class T>
  static T apply(T x) noexcept {
    return std::ceil(x);
  }
};
struct trunc : detail::numpy_operation<trunc, ufunc::trunc> {
  template <class T>
  static T apply(T x) noexcept {
    return std::trunc(x);
  }
};
struct rint : detail::numpy_operation<rint, ufunc::rint> {
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return T(std::nearbyint(x.real()), std::nearbyint(x.imag()));
    } else {
      return std::nearbyint(x);
    }
  }
};
struct copysign : detail::numpy_operation<copysign, ufunc::copysign> {
  template <class T>
  static T apply(T x, T y) noexcept {
    return std::copysign(x, y);
  }
};
// @}

// @name Powers, exponentials, logarithms, trigonometric and hyperbolic functions
// @{
// C's functions of the same names (arc* are asin, acos...), on complex numbers too where NumPy
// has them. Integers compute in the smallest floating type holding them (see ufunc.hpp).
#define MAPARRAY_MATH_FUNCTION(name, c_name)                 \
  struct name : detail::numpy_operation<name, ufunc::name> { \
    template <class T>                                       \
    static T apply(T x) noexcept {                           \
      return std::c_name(x);                                 \
    }                                                        \
  };
MAPARRAY_MATH_FUNCTION(sqrt, sqrt)
MAPARRAY_MATH_FUNCTION(cbrt, cbrt)
MAPARRAY_MATH_FUNCTION(exp, exp)
MAPARRAY_MATH_FUNCTION(log, log)
MAPARRAY_MATH_FUNCTION(log10, log10)
MAPARRAY_MATH_FUNCTION(sin, sin)
MAPARRAY_MATH_FUNCTION(cos, cos)
MAPARRAY_MATH_FUNCTION(tan, tan)
MAPARRAY_MATH_FUNCTION(arcsin, asin)
MAPARRAY_MATH_FUNCTION(arccos, acos)
MAPARRAY_MATH_FUNCTION(arctan, atan)
MAPARRAY_MATH_FUNCTION(sinh, sinh)
MAPARRAY_MATH_FUNCTION(cosh, cosh)
MAPARRAY_MATH_FUNCTION(tanh, tanh)
MAPARRAY_MATH_FUNCTION(arcsinh, asinh)
MAPARRAY_MATH_FUNCTION(arccosh, acosh)
MAPARRAY_MATH_FUNCTION(arctanh, atanh)
#undef MAPARRAY_MATH_FUNCTION

struct exp2 : detail::numpy_operation<exp2, ufunc::exp2> {
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::exp(x * std::numbers::ln2_v<typename T::value_type>);
    } else {
      return std::exp2(x);
    }
  }
};
struct log2 : detail::numpy_operation<log2, ufunc::log2> {
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::log(x) / std::numbers::ln2_v<typename T::value_type>;
    } else {
      return std::log2(x);
    }
  }
};
// exp(x) - 1, accurate near 0; for complex numbers through expm1 of the real part.
struct expm1 : detail::numpy_operation<expm1, ufunc::expm1> {
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      const auto half_sine = std::sin(x.imag() / 2);
      return T(std::expm1(x.real()) * std::cos(x.imag()) - 2 * half_sine * half_sine,
               std::exp(x.real()) * std::sin(x.imag()));
    } else {
      return std::expm1(x);
    }
  }
};
// log(1 + x), accurate near 0 for real numbers.
struct log1p : detail::numpy_operation<log1p, ufunc::log1p> {
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      const auto real = x.real() + 1;
      return T(std::log(std::hypot(real, x.imag())), std::atan2(x.imag(), real));
    } else {
      return std::log1p(x);
    }
  }
};
struct hypot : detail::numpy_operation<hypot, ufunc::hypot> {
  template <class T>
  static T apply(T x, T y) noexcept {
    return std::hypot(x, y);
  }
};
struct arctan2 : detail::numpy_operation<arctan2, ufunc::arctan2> {
  template <class T>
  static T apply(T y, T x) noexcept {
    return std::atan2(y, x);
  }
};
// @}

}  // namespace op

}  // namespace maparray
