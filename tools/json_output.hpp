// Machine-readable output: every subcommand's --json prints one JSON object per line, built
// with nlohmann::json so that strings are escaped correctly and numbers read back exactly.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <span>

#include "maparray/any_array.hpp"
#include "maparray/shape.hpp"

namespace maparray::cli {

// Keys stay in the order they are added.
using json = nlohmann::ordered_json;

// Prints `value` as one line on standard output. Bytes of strings that are not UTF-8 (a file
// name in another encoding) are replaced by U+FFFD, so the line is always valid JSON. NaN and
// infinities, which JSON cannot express, print as null. Never throws except std::bad_alloc.
void print_json(const json& value);

// A shape as a JSON list: [3, 4]. Never throws except std::bad_alloc.
json shape_json(std::span<const index_t> shape);

// What every array-describing object holds: dtype, shape, order and nbytes. Never throws except
// std::bad_alloc.
json array_json(const any_array& a);

// One element of `type` at `p` (any alignment, type's byte order) as JSON: bool, numbers
// (float16 as a double), complex numbers as [real, imag], byte strings (without numpy's NUL
// padding) and unicode strings as strings, raw bytes as a string of hex digits, records as
// objects of their fields, subarray fields as nested lists. Throws std::invalid_argument for a
// dtype without a C++ type (a 16-byte float).
json element_json(const dtype& type, const std::byte* p);

// Writes the elements of `a` to `out` as nested JSON lists, one element at a time (so that an
// array of any size prints in constant memory). Throws as element_json().
void write_elements_json(const any_array& a, std::ostream& out);

}  // namespace maparray::cli
