// Output files that appear whole or not at all. The tool creates an output through
// create_output(staged.temporary(), ...): the library then makes it without a name (or under a
// temporary name where the file system cannot), and commit() gives it the target's name only
// once everything is written and flushed. A process stopped before that (an error, SIGINT,
// SIGTERM, SIGKILL) leaves nothing behind where the file system has unnamed files.
#pragma once

#include <filesystem>

#include "maparray/mapping.hpp"

namespace maparray::cli {

class staged_output {
 public:
  // Plans to write `target`. Throws user_error if it exists and !overwrite, or if it is "-",
  // which would mean standard output: outputs are mapped files, never streams.
  staged_output(std::filesystem::path target, bool overwrite);
  staged_output(const staged_output&) = delete;
  staged_output& operator=(const staged_output&) = delete;
  // Drops the output unless commit() succeeded. Never throws.
  ~staged_output();

  // The name to pass to create_output(): a key naming this staged output, never created.
  const std::filesystem::path& temporary() const noexcept { return temporary_; }
  const std::filesystem::path& target() const noexcept { return target_; }
  bool overwrite() const noexcept { return overwrite_; }

  // The staged output whose temporary() is `path`, or null. Never throws.
  static staged_output* find(const std::filesystem::path& path) noexcept;
  // Keeps the storage of the file created for this output, until commit(). Never throws.
  void hold(mapping storage) noexcept { storage_ = std::move(storage); }

  // Gives the output its target's name (refusing to replace a file that appeared meanwhile
  // unless overwrite). Throws user_error naming the target.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temporary_;
  bool overwrite_;
  mapping storage_;
};

}  // namespace maparray::cli
