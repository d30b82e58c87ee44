// The text numpy's arrayprint gives one element of any dtype the library knows: numbers as
// numpy's FloatingFormat, IntegerFormat, BoolFormat and ComplexFloatingFormat lay them out
// (sized from all the elements shown, so that columns align), byte strings and raw bytes as
// Python's repr of bytes, unicode strings as Python's repr of str, records as tuples of their
// fields (each field sized from its column) with subarray fields as nested lists.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "maparray/dtype.hpp"

namespace maparray::cli {

using element_formatter = std::function<std::string(const std::byte*)>;

// The formatter of elements of `type`, given the addresses of every element numpy would show
// (it sizes columns from them); `zero_d` for the one element of a 0-d array. The formatter
// reads an element at any alignment, in type's byte order. Throws std::invalid_argument for a
// dtype without a C++ type (a 16-byte float).
element_formatter make_formatter(const dtype& type, const std::vector<const std::byte*>& shown,
                                 bool zero_d);

// The number of characters (code points) of UTF-8 text, as Python's len() counts a str.
// Never throws.
std::size_t text_length(const std::string& utf8) noexcept;

}  // namespace maparray::cli
