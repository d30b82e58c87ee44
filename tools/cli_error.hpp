// How the maparray tool reports failures: a user_error becomes one line on stderr and exit
// status 1; CLI11's parse errors become exit status 2 (see main.cpp).
#pragma once

#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace maparray::cli {

// A problem the user can fix (a missing file, a bad value): what() is the whole message,
// naming the file when there is one.
class user_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown after a subcommand has reported one or more failures on stderr itself (info of several
// files reports each and goes on): exit status 1, nothing more to print.
class failures_reported : public std::exception {
 public:
  const char* what() const noexcept override { return "failures reported"; }
};

// "FILE: problem" for an exception raised while working on `path`; leaves the message alone if
// it already names the path (the library's system_error messages do). Never throws except
// std::bad_alloc.
std::string describe(const std::filesystem::path& path, const std::exception& e);

// Runs `work`, turning any exception other than user_error into a user_error that names `path`.
template <class F>
decltype(auto) about_file(const std::filesystem::path& path, F&& work) {
  try {
    return work();
  } catch (const user_error&) {
    throw;
  } catch (const std::exception& e) {
    throw user_error(describe(path, e));
  }
}

}  // namespace maparray::cli
