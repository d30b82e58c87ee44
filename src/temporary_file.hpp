// Files created under a temporary name, for replacing or publishing a file atomically.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>

#include "sys.hpp"

namespace maparray::detail {

// Removes a file this library created when a later step fails. Never throws.
class created_file_guard {
 public:
  explicit created_file_guard(std::filesystem::path path) : path_(std::move(path)) {}
  created_file_guard(const created_file_guard&) = delete;
  created_file_guard& operator=(const created_file_guard&) = delete;
  ~created_file_guard() {
    if (!path_.empty()) sys::remove_quietly(path_);
  }
  void keep() noexcept { path_.clear(); }

 private:
  std::filesystem::path path_;
};

// Calls `attempt` with fresh names "<target>.tmp-<digits>" beside `target` until it does not
// fail with EEXIST (17 tries); returns the name it succeeded with. Throws what `attempt` throws.
std::filesystem::path with_temporary_name(
    const std::filesystem::path& target,
    const std::function<void(const std::filesystem::path&)>& attempt);

// Creates and opens (read-write) a new file with a unique name beside `target`
// ("<target>.tmp-<digits>"), so that it can later be renamed over `target` within one file
// system. Throws std::system_error.
file open_temporary_beside(const std::filesystem::path& target, mode_t permissions);

}  // namespace maparray::detail
