#include "shared_os.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace maparray::sys {

file shm_open(const std::string& name, int flags, mode_t mode) {
  if (injected_failure("shm_open")) throw_errno("shm_open", name);
  int fd;
  do {
    fd = ::shm_open(name.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) throw_errno("shm_open", name);
  return file(fd, name);
}

bool shm_unlink(const std::string& name) {
  if (::shm_unlink(name.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  throw_errno("shm_unlink", name);
}

file memfd(const std::string& label) {
  const int fd = injected_failure("memfd_create")
                     ? -1
                     : ::memfd_create(label.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) throw_errno("memfd_create", label);
  return file(fd, "memfd:" + label);
}

void seal_size(const file& f) {
  if (::fcntl(f.fd(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    throw_errno("fcntl F_ADD_SEALS", f.path());
  }
}

file duplicate(int fd, std::string path) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) throw_errno("fcntl F_DUPFD_CLOEXEC", path);
  return file(copy, std::move(path));
}

}  // namespace maparray::sys
