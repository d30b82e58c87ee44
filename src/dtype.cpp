#include "maparray/dtype.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <stdexcept>

#include "python_repr.hpp"

namespace maparray {
namespace {

// Item sizes that each numeric kind has.
bool valid_numeric_size(dtype_kind kind, index_t size) {
  switch (kind) {
    case dtype_kind::boolean:
      return size == 1;
    case dtype_kind::signed_integer:
    case dtype_kind::unsigned_integer:
      return size == 1 || size == 2 || size == 4 || size == 8;
    case dtype_kind::floating:
      return size == 2 || size == 4 || size == 8 || size == 16;
    case dtype_kind::complex:
      return size == 8 || size == 16 || size == 32;
    default:
      return false;
  }
}

// The largest item size accepted, as NumPy's (a C int).
constexpr index_t max_itemsize = 0x7fffffff;

std::string bad_descr(std::string_view text, std::string_view why) {
  return "invalid dtype '" + std::string(text) + "': " + std::string(why);
}

struct named_type {
  std::string_view name;
  dtype_kind kind;
  index_t size;
};

constexpr named_type numpy_names[] = {
    {"bool", dtype_kind::boolean, 1},
    {"int8", dtype_kind::signed_integer, 1},
    {"int16", dtype_kind::signed_integer, 2},
    {"int32", dtype_kind::signed_integer, 4},
    {"int64", dtype_kind::signed_integer, 8},
    {"uint8", dtype_kind::unsigned_integer, 1},
    {"uint16", dtype_kind::unsigned_integer, 2},
    {"uint32", dtype_kind::unsigned_integer, 4},
    {"uint64", dtype_kind::unsigned_integer, 8},
    {"float16", dtype_kind::floating, 2},
    {"float32", dtype_kind::floating, 4},
    {"float64", dtype_kind::floating, 8},
    {"complex64", dtype_kind::complex, 8},
    {"complex128", dtype_kind::complex, 16},
};

}  // namespace

dtype dtype::primitive(dtype_kind kind, index_t itemsize, byte_order order) {
  dtype t;
  t.kind_ = kind;
  t.itemsize_ = itemsize;
  const std::string what = std::string(1, static_cast<char>(kind)) + std::to_string(itemsize);
  switch (kind) {
    case dtype_kind::bytes:
    case dtype_kind::raw:
      if (itemsize <= 0 || itemsize > max_itemsize) {
        throw std::invalid_argument(bad_descr(what, "size must be between 1 and 2^31-1"));
      }
      t.order_ = byte_order::not_applicable;
      return t;
    case dtype_kind::unicode:
      if (itemsize <= 0 || itemsize % 4 != 0 || itemsize > max_itemsize) {
        throw std::invalid_argument(bad_descr(what, "size must be a positive multiple of 4"));
      }
      t.order_ = order == byte_order::not_applicable ? native_order : order;
      return t;
    case dtype_kind::record:
      throw std::invalid_argument("dtype::primitive cannot make a record; use dtype::record");
    default:
      break;
  }
  if (!valid_numeric_size(kind, itemsize)) {
    throw std::invalid_argument(bad_descr(what, "no such size for this kind"));
  }
  if (itemsize == 1) {
    t.order_ = byte_order::not_applicable;
  } else if (order == byte_order::not_applicable) {
    throw std::invalid_argument(bad_descr(what, "a multi-byte number needs a byte order"));
  } else {
    t.order_ = order;
  }
  return t;
}

dtype dtype::record(std::vector<dtype_field> fields, index_t itemsize) {
  if (itemsize < 0 || itemsize > max_itemsize) {
    throw std::invalid_argument("record size " + std::to_string(itemsize) + " is out of range");
  }
  std::set<std::string> names;
  for (const auto& f : fields) {
    if (f.name.empty()) throw std::invalid_argument("record field with an empty name");
    if (!names.insert(f.name).second) {
      throw std::invalid_argument("record field name '" + f.name + "' repeats");
    }
    if (!f.type) throw std::invalid_argument("record field '" + f.name + "' has no type");
    std::size_t level_dims = 0;
    for (std::size_t n : f.levels) level_dims += n;
    if (!f.levels.empty() && (level_dims != f.shape.size() || std::ranges::count(f.levels, 0u))) {
      throw std::invalid_argument("record field '" + f.name +
                                  "': its levels must each have a dimension and add up to its " +
                                  std::to_string(f.shape.size()) + "-dimensional shape");
    }
    const index_t size = checked_mul(f.type->itemsize(), element_count(f.shape), "field size");
    if (f.offset < 0 || f.offset > itemsize || size > itemsize - f.offset) {
      throw std::invalid_argument("record field '" + f.name + "' lies outside the " +
                                  std::to_string(itemsize) + "-byte record");
    }
  }
  dtype t;
  t.kind_ = dtype_kind::record;
  t.order_ = byte_order::not_applicable;
  t.itemsize_ = itemsize;
  t.fields_ = std::make_shared<const std::vector<dtype_field>>(std::move(fields));
  return t;
}

dtype dtype::parse(std::string_view text) {
  for (const auto& n : numpy_names) {
    if (text == n.name) {
      return primitive(n.kind, n.size, n.size == 1 ? byte_order::not_applicable : native_order);
    }
  }
  std::string_view rest = text;
  byte_order order = native_order;
  bool explicit_order = false;
  if (!rest.empty() && (rest[0] == '<' || rest[0] == '>' || rest[0] == '|' || rest[0] == '=')) {
    explicit_order = true;
    order = rest[0] == '<'   ? byte_order::little
            : rest[0] == '>' ? byte_order::big
            : rest[0] == '|' ? byte_order::not_applicable
                             : native_order;
    rest.remove_prefix(1);
  }
  if (rest == "?") rest = "b1";
  if (rest.size() < 2) throw std::invalid_argument(bad_descr(text, "expected a kind and a size"));
  const char code = rest[0];
  index_t count = 0;
  const auto digits = rest.substr(1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (error != std::errc() || end != digits.data() + digits.size() || digits[0] == '+') {
    throw std::invalid_argument(bad_descr(text, "the size is not a number"));
  }
  if (count <= 0 || count > max_itemsize) {
    throw std::invalid_argument(bad_descr(text, "the size is out of range"));
  }
  dtype_kind kind;
  switch (code) {
    case 'b':
      kind = dtype_kind::boolean;
      break;
    case 'i':
      kind = dtype_kind::signed_integer;
      break;
    case 'u':
      kind = dtype_kind::unsigned_integer;
      break;
    case 'f':
      kind = dtype_kind::floating;
      break;
    case 'c':
      kind = dtype_kind::complex;
      break;
    case 'S':
      kind = dtype_kind::bytes;
      break;
    case 'V':
      kind = dtype_kind::raw;
      break;
    case 'U':
      // The count of a unicode type is in characters of 4 bytes.
      if (count > max_itemsize / 4) throw std::invalid_argument(bad_descr(text, "too long"));
      return primitive(dtype_kind::unicode, count * 4,
                       order == byte_order::not_applicable ? native_order : order);
    default:
      throw std::invalid_argument(bad_descr(text, "unknown kind '" + std::string(1, code) + "'"));
  }
  const bool multi_byte_number = kind != dtype_kind::bytes && kind != dtype_kind::raw && count > 1;
  if (multi_byte_number && order == byte_order::not_applicable) {
    if (explicit_order) {
      throw std::invalid_argument(bad_descr(text, "'|' is only for one-byte and byte types"));
    }
    order = native_order;
  }
  return primitive(kind, count, multi_byte_number ? order : byte_order::not_applicable);
}

dtype dtype::from_typecode(char code) {
  switch (code) {
    case 'c':
      return primitive(dtype_kind::bytes, 1);
    case 'b':
      return dtype_of<std::uint8_t>();
    case '1':
      return dtype_of<std::int8_t>();
    case 's':
      return dtype_of<std::int16_t>();
    case 'w':
      return dtype_of<std::uint16_t>();
    case 'i':
      return dtype_of<std::int32_t>();
    case 'u':
      return dtype_of<std::uint32_t>();
    case 'l':
      return dtype_of<long>();
    case 'f':
      return dtype_of<float>();
    case 'd':
      return dtype_of<double>();
    case 'F':
      return dtype_of<std::complex<float>>();
    case 'D':
      return dtype_of<std::complex<double>>();
    default:
      throw std::invalid_argument("unknown Numeric typecode '" + std::string(1, code) +
                                  "' (expected one of c b 1 s w i u l f d F D)");
  }
}

bool dtype::is_numeric() const noexcept {
  switch (kind_) {
    case dtype_kind::boolean:
    case dtype_kind::signed_integer:
    case dtype_kind::unsigned_integer:
    case dtype_kind::floating:
    case dtype_kind::complex:
      return true;
    default:
      return false;
  }
}

const std::vector<dtype_field>& dtype::fields() const noexcept {
  static const std::vector<dtype_field> none;
  return fields_ ? *fields_ : none;
}

dtype dtype::with_order(byte_order order) const noexcept {
  if (order_ == byte_order::not_applicable || order == byte_order::not_applicable) return *this;
  dtype t = *this;
  t.order_ = order;
  return t;
}

std::string dtype::str() const {
  if (kind_ == dtype_kind::record) return record_descr(nullptr);
  const char order = static_cast<char>(order_);
  if (kind_ == dtype_kind::unicode) return order + std::string("U") + std::to_string(itemsize_ / 4);
  return order + std::string(1, static_cast<char>(kind_)) + std::to_string(itemsize_);
}

std::string dtype::record_descr(bool* in_order) const {
  // NumPy's dtype.descr: fields in order, a ('', '|V<n>') padding field for each gap and for
  // the tail, (title, name) pairs, and subarray shapes as a third item.
  if (in_order) *in_order = true;
  std::string s = "[";
  index_t offset = 0;
  const auto item = [&s](const std::string& text) {
    if (s.size() > 1) s += ", ";
    s += text;
  };
  const auto padding = [](index_t n) { return "('', '|V" + std::to_string(n) + "')"; };
  for (const auto& f : fields()) {
    if (f.offset > offset) {
      item(padding(f.offset - offset));
      offset = f.offset;
    } else if (f.offset < offset && in_order) {
      *in_order = false;
    }
    std::string name = detail::python_repr(f.name);
    if (!f.title.empty()) name = "(" + detail::python_repr(f.title) + ", " + name + ")";
    std::string type_text;
    if (f.type->kind() == dtype_kind::record) {
      bool nested_in_order = true;
      type_text = f.type->record_descr(&nested_in_order);
      if (!nested_in_order && in_order) *in_order = false;
    } else {
      type_text = detail::python_repr(f.type->str());
    }
    // Inner subarray levels wrap the type as (type, shape), innermost first; the outermost
    // level is the field's third item.
    const std::vector<std::size_t> levels =
        f.levels.empty() ? std::vector<std::size_t>{f.shape.size()} : f.levels;
    std::size_t end = f.shape.size();
    for (std::size_t level = levels.size(); level-- > 1;) {
      const std::size_t begin = end - levels[level];
      type_text = "(" + type_text + ", " + to_string(f.shape.span().subspan(begin, end - begin)) +
                  ")";
      end = begin;
    }
    std::string text = "(" + name + ", " + type_text;
    if (end > 0) text += ", " + to_string(f.shape.span().first(end));
    item(text + ")");
    offset = std::max(offset, f.offset + f.type->itemsize() * element_count(f.shape));
  }
  if (itemsize_ > offset) item(padding(itemsize_ - offset));
  return s + "]";
}

std::string dtype::name() const {
  const std::string bits = std::to_string(itemsize_ * 8);
  switch (kind_) {
    case dtype_kind::boolean:
      return "bool";
    case dtype_kind::signed_integer:
      return "int" + bits;
    case dtype_kind::unsigned_integer:
      return "uint" + bits;
    case dtype_kind::floating:
      return "float" + bits;
    case dtype_kind::complex:
      return "complex" + bits;
    case dtype_kind::bytes:
      return "bytes" + bits;
    case dtype_kind::unicode:
      return "str" + bits;
    case dtype_kind::raw:
    case dtype_kind::record:
      return "void" + bits;
  }
  return "void" + bits;
}

namespace {

// Whether two fields of the same shape split it into the same levels (no levels and one level
// are the same). Never throws.
bool same_levels(const dtype_field& x, const dtype_field& y) noexcept {
  return (x.levels.size() <= 1 && y.levels.size() <= 1) || x.levels == y.levels;
}

}  // namespace

bool operator==(const dtype& a, const dtype& b) noexcept {
  if (a.kind_ != b.kind_ || a.order_ != b.order_ || a.itemsize_ != b.itemsize_) return false;
  const auto& fa = a.fields();
  const auto& fb = b.fields();
  return std::equal(fa.begin(), fa.end(), fb.begin(), fb.end(),
                    [](const dtype_field& x, const dtype_field& y) {
                      return x.name == y.name && x.title == y.title && x.offset == y.offset &&
                             x.shape == y.shape && same_levels(x, y) &&
                             *x.type == *y.type;
                    });
}

}  // namespace maparray
