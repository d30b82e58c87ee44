#include "staged_output.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "cli_error.hpp"

namespace maparray::cli {

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
    throw user_error(target_.string() + ": already exists (use --force to replace it)");
  }
  std::random_device entropy;
  auto name = "." + target_.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
              std::to_string(entropy() % 1'000'000);
  temporary_ = target_.parent_path() / name;
}

staged_output::~staged_output() {
  if (!committed_) ::unlink(temporary_.c_str());
}

void staged_output::commit() {
  const unsigned flags = overwrite_ ? 0 : RENAME_NOREPLACE;
  if (::syscall(SYS_renameat2, AT_FDCWD, temporary_.c_str(), AT_FDCWD, target_.c_str(), flags) !=
      0) {
    int error = errno;
    // Some file systems lack RENAME_NOREPLACE; link() refuses to replace a file too.
    if (error == EINVAL && !overwrite_) {
      error = ::link(temporary_.c_str(), target_.c_str()) == 0 ? 0 : errno;
      if (error == 0) {
        ::unlink(temporary_.c_str());
        committed_ = true;
        return;
      }
    }
    if (error == EEXIST)
      throw user_error(target_.string() + ": already exists (use --force to replace it)");
    throw user_error(target_.string() +
                     ": cannot rename the finished file into place: " + std::strerror(error));
  }
  committed_ = true;
}

}  // namespace maparray::cli
