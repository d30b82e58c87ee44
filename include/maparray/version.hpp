// The version of maparray, for the preprocessor and for code.
//
// This file is the one place the version is written: CMake's project(VERSION), the package
// config and maparray.pc, setup.py (the Python package) and maparray.__version__ all read the
// three numbers below.
//
// Versions follow semantic versioning: a new major version may break the API, a new minor
// version adds to it, a patch release only fixes. CHANGELOG.md says what changed in each.
#pragma once

#include <string_view>

/// Major version: changes when the API breaks.
#define MAPARRAY_VERSION_MAJOR 0
/// Minor version: changes when the API grows.
#define MAPARRAY_VERSION_MINOR 1
/// Patch version: changes for fixes only.
#define MAPARRAY_VERSION_PATCH 0
/// The version as one number, major * 10000 + minor * 100 + patch, for `#if` comparisons.
#define MAPARRAY_VERSION \
  (MAPARRAY_VERSION_MAJOR * 10000 + MAPARRAY_VERSION_MINOR * 100 + MAPARRAY_VERSION_PATCH)

/// The version as a string literal, "major.minor.patch".
#define MAPARRAY_VERSION_STRING                                                        \
  MAPARRAY_DETAIL_STRINGIZE(MAPARRAY_VERSION_MAJOR)                                    \
  "." MAPARRAY_DETAIL_STRINGIZE(MAPARRAY_VERSION_MINOR) "." MAPARRAY_DETAIL_STRINGIZE( \
      MAPARRAY_VERSION_PATCH)
/// Helpers of MAPARRAY_VERSION_STRING: the text of a macro's value.
#define MAPARRAY_DETAIL_STRINGIZE(x) MAPARRAY_DETAIL_STRINGIZE_TEXT(x)
/// Helpers of MAPARRAY_VERSION_STRING: the text of a token.
#define MAPARRAY_DETAIL_STRINGIZE_TEXT(x) #x

namespace maparray {

/// The version as "major.minor.patch".
inline constexpr std::string_view version_string = MAPARRAY_VERSION_STRING;

}  // namespace maparray
