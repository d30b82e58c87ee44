// Runs a function in a forked child process, for tests that need real processes.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <exception>
#include <functional>
#include <stdexcept>

namespace maparray::testing {

// A forked child running `body`; its exit code is body's return value (or 99 if it threw).
class child_process {
 public:
  explicit child_process(const std::function<int()>& body) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int code = 99;
      try {
        code = body();
      } catch (...) {
      }
      ::_exit(code);
    }
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      wait_status();
    }
  }

  pid_t pid() const { return pid_; }
  void kill(int signal = SIGKILL) const { ::kill(pid_, signal); }

  // The raw wait status, waiting for the child to end.
  int wait_status() {
    if (!waited_) {
      while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
      }
      waited_ = true;
    }
    return status_;
  }
  // The exit code, or -signal if the child was killed by a signal.
  int wait() {
    const int status = wait_status();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool waited_ = false;
};

}  // namespace maparray::testing
