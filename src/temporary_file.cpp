#include "temporary_file.hpp"

#include <fcntl.h>

#include <random>
#include <string>
#include <system_error>

namespace maparray::detail {

file open_temporary_beside(const std::filesystem::path& target, mode_t permissions) {
  std::random_device entropy;
  std::mt19937_64 random(entropy());
  for (int attempt = 0;; ++attempt) {
    auto name = target;
    name += ".tmp-" + std::to_string(random() % 1'000'000'000'000ULL);
    try {
      return file::open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, permissions);
    } catch (const std::system_error& e) {
      if (e.code() != std::errc::file_exists || attempt == 16) throw;
    }
  }
}

}  // namespace maparray::detail
