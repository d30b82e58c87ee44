// The original usage, in C++: write an array's bytes to a file, map the file back as an array
// (flattened, then as float rows of 24), change an element through the mapping, flush, and see
// the change with a plain read() of the file.
//
//   example_map_raw_file [FILE]        (default: tmp.foo in the current directory)
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <numeric>
#include <vector>

#include <maparray/maparray.hpp>

namespace ma = maparray;

int main(int argc, char** argv) try {
  const char* path = argc > 1 ? argv[1] : "tmp.foo";

  // open('tmp.foo', 'wb').write(somenumericarray.tostring()): 480 int64 values, 0..479.
  std::vector<std::int64_t> values(480);
  std::iota(values.begin(), values.end(), 0);
  {
    auto out = ma::create_file<std::int64_t>(path, {480}, {.existing = ma::if_exists::replace});
    std::ranges::copy(values, out.begin());
    out.flush();
  }

  // Load it back as C long ('l'), flattened.
  const auto a = ma::map_file<const std::int64_t>(path);
  std::printf("flattened: %zu int64 values, a(0) = %lld, a(479) = %lld\n", a.size(),
              static_cast<long long>(a(0)), static_cast<long long>(a(479)));

  // The same bytes as float32 rows of 24, writable.
  const auto b = ma::map_file<float>(path, {-1, 24});
  std::printf("as float32: shape (%lld, %lld)\n", static_cast<long long>(b.extent(0)),
              static_cast<long long>(b.extent(1)));
  b(2, 3) = 7.0f;
  b.flush();

  // Read the element back with read(2), bypassing every mapping.
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), path);
  float on_disk = 0;
  const auto offset = static_cast<off_t>((2 * 24 + 3) * sizeof(float));
  const ssize_t got = ::pread(fd, &on_disk, sizeof on_disk, offset);
  ::close(fd);
  std::printf("b(2, 3) = %g; read() of the file at byte %lld gives %g\n", b(2, 3),
              static_cast<long long>(offset), on_disk);

  // Only part of the file: 50 floats from byte 100.
  const auto part = ma::map_file<const float>(path, {-1}, {.offset = 100, .count = 50});
  std::printf("part: %zu floats from byte 100; part(26) is b(2, 3) = %g\n", part.size(), part(26));

  return got == sizeof on_disk && on_disk == 7.0f && part(26) == 7.0f ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "example_map_raw_file: %s\n", e.what());
  return 1;
}
