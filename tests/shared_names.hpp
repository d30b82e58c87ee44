// Unique shared-memory names for one test, and the check that a test left none behind.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace maparray::testing {

// Where Linux keeps POSIX shared-memory objects.
inline const std::filesystem::path shm_directory = "/dev/shm";

class shared_names {
 public:
  shared_names()
      : prefix_("maparray-test-" + std::to_string(::getpid()) + "-" +
                std::to_string(instances().fetch_add(1)) + "-") {}
  shared_names(const shared_names&) = delete;
  shared_names& operator=(const shared_names&) = delete;
  // Removes whatever the test left, so that one failure does not leak into the next run.
  ~shared_names() {
    for (const auto& name : leftovers()) ::shm_unlink(name.c_str());
  }

  // A fresh name, "/maparray-test-PID-K-N".
  std::string next() { return "/" + prefix_ + std::to_string(count_++); }

  // The names of this instance that still exist, as "/name".
  std::vector<std::string> leftovers() const {
    std::vector<std::string> found;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(shm_directory, ignored)) {
      const std::string file = entry.path().filename().string();
      if (file.starts_with(prefix_)) found.push_back("/" + file);
    }
    return found;
  }

 private:
  static std::atomic<int>& instances() {
    static std::atomic<int> count{0};
    return count;
  }

  std::string prefix_;
  int count_ = 0;
};

}  // namespace maparray::testing
