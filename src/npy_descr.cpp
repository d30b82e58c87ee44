// The descr of a .npy header: numpy's descriptor language, from a parsed Python literal to a
// dtype (as numpy.lib.format.descr_to_dtype does) and back.
#include <set>
#include <stdexcept>
#include <string>

#include "maparray/npy.hpp"
#include "npy_descr.hpp"
#include "npy_literal.hpp"

namespace maparray::npy::detail {
namespace {

[[noreturn]] void bad(const std::string& why) {
  throw format_error("descr is not a valid dtype descriptor: " + why);
}

// A dtype with the subarray shape of a field, and how that shape splits into nested
// subarrays (the dimensions of each level, outermost first; levels without dimensions are no
// levels, as in numpy).
struct shaped_type {
  dtype type;
  std::vector<index_t> shape;
  std::vector<std::size_t> levels;
};

// `inner` as a subarray of `outer`: the outer dimensions come first.
shaped_type wrap(shaped_type inner, const std::vector<index_t>& outer) {
  inner.shape.insert(inner.shape.begin(), outer.begin(), outer.end());
  if (!outer.empty()) inner.levels.insert(inner.levels.begin(), outer.size());
  return inner;
}

// A subarray shape: an integer n (numpy 1.24 takes 1 as no subarray at all) or a tuple.
std::vector<index_t> subarray_shape(const py_value& v) {
  std::vector<index_t> shape;
  const auto dimension = [&](const py_value& d) {
    if (d.type != py_value::kind::integer)
      bad("a subarray shape holds " + std::string(kind_name(d.type)));
    if (d.too_big) bad("a subarray dimension is too large");
    if (d.integer < 0) bad("a subarray dimension is negative");
    shape.push_back(d.integer);
  };
  if (v.type == py_value::kind::integer) {
    dimension(v);
    if (shape[0] == 1) shape.clear();
  } else if (v.type == py_value::kind::tuple) {
    for (const auto& d : v.items) dimension(d);
  } else {
    bad("a subarray shape is " + std::string(kind_name(v.type)) + ", not an integer or tuple");
  }
  return shape;
}

dtype record_from(const py_value& list);

shaped_type type_from(const py_value& v, bool top_level) {
  switch (v.type) {
    case py_value::kind::string: {
      const std::string& text = v.text;
      const std::string_view code =
          text.find_first_of("<>|=") == 0 ? std::string_view(text).substr(1) : text;
      if (code.starts_with('O')) {
        bad(python_repr(text) +
            ": object arrays hold pickled Python objects, which maparray never loads");
      }
      try {
        return {dtype::parse(text), {}, {}};
      } catch (const std::invalid_argument& e) {
        bad(python_repr(text) + " (" + e.what() + ")");
      }
    }
    case py_value::kind::list:
      return {record_from(v), {}, {}};
    case py_value::kind::tuple: {
      if (top_level) bad("a (type, shape) subarray descr at the top level");
      if (v.items.size() != 2) bad("a subarray descr must be (type, shape)");
      // numpy keeps a subarray of a subarray nested: its descr and equality see the levels.
      return wrap(type_from(v.items[0], false), subarray_shape(v.items[1]));
    }
    default:
      bad(std::string(kind_name(v.type)) + " where a type was expected");
  }
}

dtype record_from(const py_value& list) {
  std::vector<dtype_field> fields;
  std::set<std::string> used;
  index_t offset = 0;
  for (const auto& field : list.items) {
    if ((field.type != py_value::kind::tuple && field.type != py_value::kind::list) ||
        (field.items.size() != 2 && field.items.size() != 3)) {
      bad("a record field must be (name, type) or (name, type, shape)");
    }
    const py_value& name = field.items[0];
    dtype_field f;
    if (name.type == py_value::kind::string) {
      f.name = name.text;
    } else if (name.type == py_value::kind::tuple && name.items.size() == 2 &&
               name.items[0].type == py_value::kind::string &&
               name.items[1].type == py_value::kind::string) {
      f.title = name.items[0].text;
      f.name = name.items[1].text;
    } else {
      bad("a field name must be a string or a (title, name) pair of strings");
    }
    shaped_type t = type_from(field.items[1], false);
    if (field.items.size() == 3) t = wrap(std::move(t), subarray_shape(field.items[2]));
    if (t.shape.size() > max_rank) bad("a subarray has more than 32 dimensions");
    const index_t size =
        checked_mul(t.type.itemsize(), element_count(t.shape), "record field size");
    const bool padding =
        name.type == py_value::kind::string && f.name.empty() && t.type.kind() == dtype_kind::raw;
    if (!padding) {
      if (f.name.empty()) bad("a field that is not padding has an empty name");
      if (!used.insert(f.name).second || (!f.title.empty() && !used.insert(f.title).second)) {
        bad("field name " + python_repr(f.name) + " already used as a name or title");
      }
      f.type = std::make_shared<const dtype>(t.type);
      f.shape = dims(std::span<const index_t>(t.shape));
      if (t.levels.size() > 1) f.levels = std::move(t.levels);
      f.offset = offset;
      fields.push_back(std::move(f));
    }
    offset = checked_add(offset, size, "record size");
  }
  return dtype::record(std::move(fields), offset);
}

}  // namespace

dtype descr_to_dtype(const py_value& descr) {
  try {
    return type_from(descr, true).type;
  } catch (const std::invalid_argument& e) {
    bad(e.what());
  } catch (const std::overflow_error& e) {
    bad(e.what());
  }
}

}  // namespace maparray::npy::detail

namespace maparray::npy {

dtype parse_descr(std::string_view literal) {
  std::size_t pos = 0;
  char32_t c;
  while (pos < literal.size()) {
    if (!detail::next_code_point(literal, pos, c)) {
      throw format_error("descr is not valid UTF-8 at offset " + std::to_string(pos));
    }
  }
  return detail::descr_to_dtype(detail::parse_literal(literal));
}

std::string format_descr(const dtype& type) {
  if (type.kind() != dtype_kind::record) return detail::python_repr(type.str());
  bool in_order = true;
  std::string text = type.record_descr(&in_order);
  if (!in_order) {
    throw std::invalid_argument(
        "a record with overlapping or out-of-order fields has no .npy descr");
  }
  return text;
}

}  // namespace maparray::npy
