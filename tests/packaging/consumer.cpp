// A program that uses maparray as a consumer project would, whichever way it found the library
// (find_package, add_subdirectory, FetchContent, pkg-config): creates a file, writes through one
// mapping and reads back through another, and checks that the version header is there.
#include <cstdio>
#include <maparray/maparray.hpp>
#include <maparray/version.hpp>

static_assert(MAPARRAY_VERSION >= 100, "the version macros say at least 0.1.0");

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  namespace ma = maparray;
  auto a = ma::create_file<double>(argv[1], {3, 4}, {.existing = ma::if_exists::replace});
  a(2, 3) = 42.5;
  a.flush();
  const auto b = ma::map_file<const double>(argv[1], {-1, 4});
  std::printf("maparray %.*s: read back %g from a %lld x %lld array\n",
              static_cast<int>(ma::version_string.size()), ma::version_string.data(), b(2, 3),
              static_cast<long long>(b.extent(0)), static_cast<long long>(b.extent(1)));
  return b(2, 3) == 42.5 && b.extent(0) == 3 ? 0 : 1;
}
