#include "temporary_file.hpp"

#include <fcntl.h>

#include <random>
#include <string>
#include <system_error>

namespace maparray::detail {

std::filesystem::path with_temporary_name(
    const std::filesystem::path& target,
    const std::function<void(const std::filesystem::path&)>& attempt) {
  std::random_device entropy;
  std::mt19937_64 random(entropy());
  for (int tries = 0;; ++tries) {
    auto name = target;
    name += ".tmp-" + std::to_string(random() % 1'000'000'000'000ULL);
    try {
      attempt(name);
      return name;
    } catch (const std::system_error& e) {
      if (e.code() != std::errc::file_exists || tries == 16) throw;
    }
  }
}

file open_temporary_beside(const std::filesystem::path& target, mode_t permissions) {
  file f;
  with_temporary_name(target, [&](const std::filesystem::path& name) {
    f = file::open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, permissions);
  });
  return f;
}

}  // namespace maparray::detail
