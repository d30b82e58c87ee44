// The version of maparray, for the preprocessor and for code.
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

namespace maparray {

/// The version as "major.minor.patch".
inline constexpr std::string_view version_string = "0.1.0";

}  // namespace maparray
