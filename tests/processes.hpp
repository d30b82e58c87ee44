// Child processes for the shared-memory tests: fork a function, wait for it, pass descriptors.
#pragma once

#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>

namespace maparray::testing {

// Exit codes of a child whose body did not return normally.
inline constexpr int child_threw = 99;

// Runs `body` (returning an int exit code) in a forked child and returns its pid. The child
// leaves with _exit, so none of the parent's destructors or atexit handlers run twice.
template <class F>
pid_t spawn(F&& body) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    int code = child_threw;
    try {
      code = body();
    } catch (const std::exception& e) {
      ::write(2, e.what(), std::strlen(e.what()));
      ::write(2, "\n", 1);
    } catch (...) {
    }
    ::_exit(code);
  }
  return pid;
}

// Waits for a child. Returns its exit code, or 128 + the signal that killed it.
inline int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Spins, yielding the processor, until `done()` is true: the machine may have fewer cores than
// there are processes waiting.
template <class F>
void spin_until(F&& done) {
  while (!done()) ::sched_yield();
}

// Sends one descriptor over a Unix socket (SCM_RIGHTS). Throws std::system_error.
inline void send_fd(int socket, int fd) {
  char byte = 0;
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
  if (::sendmsg(socket, &message, 0) != 1) {
    throw std::system_error(errno, std::generic_category(), "sendmsg");
  }
}

// Receives one descriptor sent by send_fd(). Throws std::system_error, std::runtime_error.
inline int receive_fd(int socket) {
  char byte = 0;
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  if (::recvmsg(socket, &message, MSG_CMSG_CLOEXEC) != 1) {
    throw std::system_error(errno, std::generic_category(), "recvmsg");
  }
  const cmsghdr* header = CMSG_FIRSTHDR(&message);
  if (header == nullptr || header->cmsg_type != SCM_RIGHTS) {
    throw std::runtime_error("no descriptor received");
  }
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
  return fd;
}

}  // namespace maparray::testing
