// Output files that appear whole or not at all: the tool writes a temporary file beside the
// target and renames it into place only once everything is written and flushed.
#pragma once

#include <filesystem>

namespace maparray::cli {

class staged_output {
 public:
  // Plans to write `target`. Throws user_error if it exists and !overwrite, or if it is "-",
  // which would mean standard output: outputs are mapped files, never streams.
  staged_output(std::filesystem::path target, bool overwrite);
  staged_output(const staged_output&) = delete;
  staged_output& operator=(const staged_output&) = delete;
  // Removes the temporary file unless commit() succeeded. Never throws.
  ~staged_output();

  // Where to write: a fresh name in the target's directory, not yet created.
  const std::filesystem::path& temporary() const noexcept { return temporary_; }
  const std::filesystem::path& target() const noexcept { return target_; }

  // Renames the temporary file to the target (refusing to replace a file that appeared
  // meanwhile unless overwrite). Throws user_error naming the target.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temporary_;
  bool overwrite_;
  bool committed_ = false;
};

}  // namespace maparray::cli
