// A program that uses an installed maparray: creates a file, writes through one mapping and
// reads back through another.
#include <cstdio>
#include <maparray/maparray.hpp>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  namespace ma = maparray;
  auto a = ma::create_file<double>(argv[1], {3, 4}, {.overwrite = true});
  a(2, 3) = 42.5;
  a.flush();
  const auto b = ma::map_file<const double>(argv[1], {-1, 4});
  std::printf("read back %g from a %lld x %lld array\n", b(2, 3),
              static_cast<long long>(b.extent(0)), static_cast<long long>(b.extent(1)));
  return b(2, 3) == 42.5 && b.extent(0) == 3 ? 0 : 1;
}
