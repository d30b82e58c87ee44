// maparray::dtype: a run-time element type in NumPy's descriptor language.
//
// A dtype is a kind (bool, signed or unsigned integer, float, complex, byte string, unicode
// string, raw bytes, or a record of named fields), a byte order and an item size. str() prints
// NumPy's descr ("<f4", "|u1", ">i8", "|S10"); parse() reads it back, and also NumPy's names
// ("float32", "int64", "bool"). from_typecode() reads the one-letter typecodes of the Numeric
// era ("l", "f", "d"...). dtype_of<T>() gives the dtype of a C++ type.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <bit>
#include <complex>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "maparray/float16.hpp"
#include "maparray/shape.hpp"

namespace maparray {

// The kind of a dtype; the value is NumPy's kind character (except record).
enum class dtype_kind : char {
  boolean = 'b',
  signed_integer = 'i',
  unsigned_integer = 'u',
  floating = 'f',
  complex = 'c',
  bytes = 'S',    // fixed-length byte string, NUL padded
  unicode = 'U',  // fixed-length UCS-4 string
  raw = 'V',      // opaque bytes
  record = 'R',   // named fields at offsets (NumPy's kind 'V' with fields)
};

// The byte order of a dtype; the value is NumPy's character for it.
enum class byte_order : char {
  little = '<',
  big = '>',
  not_applicable = '|',  // one-byte types, strings of bytes, raw bytes, records
};

// The byte order of this machine.
inline constexpr byte_order native_order =
    std::endian::native == std::endian::little ? byte_order::little : byte_order::big;

class dtype;

// One named field of a record dtype.
struct dtype_field {
  std::string name;                   // the field's name, unique in the record
  std::string title;                  // NumPy's optional (title, name) alias; usually empty
  std::shared_ptr<const dtype> type;  // the element type of the field
  dims shape;                         // subarray shape; empty for a scalar field
  index_t offset = 0;                 // byte offset in the record
  // How `shape` splits into subarrays of subarrays, which NumPy keeps apart: the number of
  // dimensions of each level, outermost first. [('c', ('<f8', (5,)), (2,))] has shape (2, 5)
  // in levels {1, 1}, and is another dtype than [('c', '<f8', (2, 5))]. Empty for one level.
  std::vector<std::size_t> levels{};
};

// A run-time element type: kind, byte order, item size and, for records, fields.
class dtype {
 public:
  // An empty raw type, "|V0".
  dtype() = default;

  // A primitive type. Throws std::invalid_argument for a size the kind does not have (a 3-byte
  // float) or a byte order that does not apply (a one-byte type is always not_applicable; a
  // multi-byte numeric type needs little or big).
  static dtype primitive(dtype_kind kind, index_t itemsize, byte_order order = native_order);

  // A record of fields (offsets given in each field) with total size `itemsize`. Throws
  // std::invalid_argument if a field lies outside the record, names repeat, a name is empty, or
  // a field's levels do not add up to its shape.
  static dtype record(std::vector<dtype_field> fields, index_t itemsize);

  // Parses a NumPy descr of a non-record type ("<f4", "|u1", ">c16", "|S5", "<U3", "|V8", "=i4",
  // "f8" with the native order implied) or a NumPy type name ("float32", "int64", "uint8",
  // "bool", "complex128", "float16"). Throws std::invalid_argument naming the text.
  static dtype parse(std::string_view text);

  // The dtype of a Numeric typecode: c (1-byte string) b (uint8) 1 (int8) s (int16)
  // w (uint16) i (int32) u (uint32) l (C long) f (float32) d (float64) F (complex64)
  // D (complex128). Throws std::invalid_argument for other characters.
  static dtype from_typecode(char code);

  // The kind of element.
  dtype_kind kind() const noexcept { return kind_; }
  // The byte order.
  byte_order order() const noexcept { return order_; }
  // The size of one element in bytes.
  index_t itemsize() const noexcept { return itemsize_; }
  // True for bool, integers, floats and complex numbers.
  bool is_numeric() const noexcept;
  // True if reading the bytes as this machine's native type needs no swapping.
  bool is_native() const noexcept { return order_ != opposite(native_order); }
  // The fields of a record type; empty otherwise.
  const std::vector<dtype_field>& fields() const noexcept;

  // The same type in another byte order (only meaningful for multi-byte numeric types; others
  // are returned unchanged).
  dtype with_order(byte_order order) const noexcept;

  // NumPy's descr string for a non-record type ("<f4"); for a record, NumPy's dtype.descr list
  // as Python prints it ("[('x', '<f4'), ('', '|V4'), ('y', '<i8', (2,))]"), with padding
  // fields for gaps, (title, name) pairs and subarray shapes. Throws only
  // std::bad_alloc.
  std::string str() const;
  // For a record: str(), and *in_order (if given) set to false when fields overlap or are out
  // of order, which NumPy's descr cannot express (str() then lists them as they are). Never
  // throws except std::bad_alloc.
  std::string record_descr(bool* in_order) const;
  // NumPy's name: "float32", "int64", "bool", "complex64", "bytes40", "str96", "void64".
  std::string name() const;

  // Same kind, byte order, size and fields.
  friend bool operator==(const dtype& a, const dtype& b) noexcept;

 private:
  static byte_order opposite(byte_order o) noexcept {
    return o == byte_order::little ? byte_order::big
           : o == byte_order::big  ? byte_order::little
                                   : o;
  }

  dtype_kind kind_ = dtype_kind::raw;
  byte_order order_ = byte_order::not_applicable;
  index_t itemsize_ = 0;
  std::shared_ptr<const std::vector<dtype_field>> fields_;
};

// Implementation, not API: in this public header because the templates here use it.
namespace detail {
template <class T>
struct is_std_complex : std::false_type {};
template <class T>
struct is_std_complex<std::complex<T>> : std::true_type {};
}  // namespace detail

// Element types that have a dtype_of<T>(): bool, the integer and floating-point types,
// float16, and std::complex<float> / std::complex<double>.
template <class T>
concept numeric_element = std::is_arithmetic_v<std::remove_cv_t<T>> ||
    std::is_same_v<std::remove_cv_t<T>, float16> ||
    (detail::is_std_complex<std::remove_cv_t<T>>::value&&
         std::is_floating_point_v<typename std::remove_cv_t<T>::value_type>);

// The dtype of a C++ element type, in native byte order. Throws only std::bad_alloc.
template <numeric_element T>
dtype dtype_of() {
  using U = std::remove_cv_t<T>;
  constexpr index_t size = sizeof(U);
  if constexpr (std::is_same_v<U, bool>) {
    return dtype::primitive(dtype_kind::boolean, 1, byte_order::not_applicable);
  } else if constexpr (detail::is_std_complex<U>::value) {
    return dtype::primitive(dtype_kind::complex, size);
  } else if constexpr (std::is_floating_point_v<U> || std::is_same_v<U, float16>) {
    return dtype::primitive(dtype_kind::floating, size);
  } else if constexpr (std::is_signed_v<U>) {
    return dtype::primitive(dtype_kind::signed_integer, size,
                            size == 1 ? byte_order::not_applicable : native_order);
  } else {
    return dtype::primitive(dtype_kind::unsigned_integer, size,
                            size == 1 ? byte_order::not_applicable : native_order);
  }
}

}  // namespace maparray
