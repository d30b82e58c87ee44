// Counts of the process's open descriptors and mapped regions, for leak checks.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

namespace maparray::testing {

inline std::size_t open_descriptors() {
  return static_cast<std::size_t>(
      std::distance(std::filesystem::directory_iterator("/proc/self/fd"), {}));
}

// Mapped regions of files below `dir`. Counting only these keeps the count exact under
// sanitizers, whose allocators map memory of their own at any time.
inline std::size_t mapped_regions(const std::filesystem::path& dir) {
  std::ifstream maps("/proc/self/maps");
  std::size_t lines = 0;
  for (std::string line; std::getline(maps, line);) {
    lines += line.find(dir.string()) != std::string::npos;
  }
  return lines;
}

inline std::size_t entries_in(const std::filesystem::path& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

}  // namespace maparray::testing
