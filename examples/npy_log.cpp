// A growing .npy log: create an empty (0, 3) array file that numpy can load, append rows to it
// in place as they arrive, and map it back. Run `python3 -c "import numpy; print(numpy.load(
// 'log.npy'))"` on the result to see numpy read it.
//
//   example_npy_log [FILE]        (default: log.npy in the current directory)
#include <cstdio>
#include <exception>
#include <vector>

#include <maparray/maparray.hpp>

namespace ma = maparray;

int main(int argc, char** argv) try {
  const char* path = argc > 1 ? argv[1] : "log.npy";

  // Zero rows of (time, x, y), with the header numpy.save would write.
  ma::create_npy<double>(path, {0, 3}, {.existing = ma::if_exists::replace});

  // Append ten batches of rows; each append writes the data, then the new shape.
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<double> rows;
    for (int i = 0; i < 4; ++i) {
      const double t = batch * 4 + i;
      rows.insert(rows.end(), {t, t * 0.5, t * t});
    }
    ma::append_npy<double>(path, std::span<const double>(rows));
  }

  // Map it back: the shape comes from the header, the dtype is checked against double.
  const auto log = ma::open_npy<const double>(path);
  std::printf("%s: shape (%lld, %lld); last row (%g, %g, %g)\n", path,
              static_cast<long long>(log.extent(0)), static_cast<long long>(log.extent(1)),
              log(39, 0), log(39, 1), log(39, 2));
  return log.extent(0) == 40 && log(39, 2) == 39.0 * 39.0 ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "example_npy_log: %s\n", e.what());
  return 1;
}
