#include "staged_output.hpp"

#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "cli_error.hpp"
#include "maparray/raw_file.hpp"

namespace maparray::cli {
namespace {

std::mutex registry_lock;
std::vector<staged_output*>& registry() {
  static std::vector<staged_output*> live;
  return live;
}

user_error already_exists(const std::filesystem::path& target) {
  return user_error(target.string() + ": already exists (use --force to replace it)");
}

}  // namespace

staged_output::staged_output(std::filesystem::path target, bool overwrite)
    : target_(std::move(target)), overwrite_(overwrite) {
  if (target_ == "-") {
    throw user_error(
        "-: writing to standard output is not supported; name an output file (./- for a file "
        "called '-')");
  }
  std::error_code ec;
  if (!overwrite_ && std::filesystem::symlink_status(target_, ec).type() !=
                         std::filesystem::file_type::not_found) {
    throw already_exists(target_);
  }
  std::random_device entropy;
  auto name = "." + target_.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
              std::to_string(entropy() % 1'000'000);
  temporary_ = target_.parent_path() / name;
  const std::lock_guard lock(registry_lock);
  registry().push_back(this);
}

staged_output::~staged_output() {
  const std::lock_guard lock(registry_lock);
  std::erase(registry(), this);
}

staged_output* staged_output::find(const std::filesystem::path& path) noexcept {
  const std::lock_guard lock(registry_lock);
  const auto& live = registry();
  const auto it = std::ranges::find_if(live, [&](const auto* s) { return s->temporary_ == path; });
  return it == live.end() ? nullptr : *it;
}

void staged_output::commit() {
  if (!storage_.is_open()) throw user_error(target_.string() + ": no output was written");
  try {
    publish(storage_);
  } catch (const std::system_error& e) {
    if (e.code() == std::errc::file_exists) throw already_exists(target_);
    throw user_error(target_.string() +
                     ": cannot give the finished file its name: " + e.code().message());
  }
  storage_ = mapping();
}

}  // namespace maparray::cli
