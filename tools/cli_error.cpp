#include "cli_error.hpp"

#include <system_error>

namespace maparray::cli {

std::string describe(const std::filesystem::path& path, const std::exception& e) {
  std::string what = e.what();
  if (what.find(path.string()) != std::string::npos) return what;
  return path.string() + ": " + what;
}

}  // namespace maparray::cli
