#include "shared_os.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace maparray::sys {

file shm_open(const std::string& name, int flags, mode_t mode) {
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
  const int fd = ::memfd_create(label.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
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

std::size_t read_at(const file& f, std::span<std::byte> buffer, std::int64_t offset) {
  std::size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t n = ::pread(f.fd(), buffer.data() + done, buffer.size() - done,
                              static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("pread", f.path());
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

void write_at(const file& f, std::span<const std::byte> buffer, std::int64_t offset) {
  std::size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t n = ::pwrite(f.fd(), buffer.data() + done, buffer.size() - done,
                               static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("pwrite", f.path());
    if (n == 0) throw_error(EIO, "pwrite", f.path());  // no progress: never loop forever
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace maparray::sys
