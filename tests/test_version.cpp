#include "maparray/version.hpp"

#include <gtest/gtest.h>

#include <string>

// The build passes the version from CMake's project(VERSION ...), the one the package config and
// maparray.pc carry; the header must say the same.
TEST(Version, HeaderMatchesTheBuildsProjectVersion) {
  EXPECT_EQ(maparray::version_string, MAPARRAY_PROJECT_VERSION);
  const std::string from_macros = std::to_string(MAPARRAY_VERSION_MAJOR) + "." +
                                  std::to_string(MAPARRAY_VERSION_MINOR) + "." +
                                  std::to_string(MAPARRAY_VERSION_PATCH);
  EXPECT_EQ(from_macros, MAPARRAY_PROJECT_VERSION);
  EXPECT_EQ(MAPARRAY_VERSION,
            MAPARRAY_VERSION_MAJOR * 10000 + MAPARRAY_VERSION_MINOR * 100 + MAPARRAY_VERSION_PATCH);
}
