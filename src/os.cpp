#include "maparray/os.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace maparray {

file::file(file&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

file& file::operator=(file&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

file::~file() {
  // An error from close(2) cannot be reported from a destructor; callers that care call close().
  if (fd_ >= 0) ::close(fd_);
}

file file::open(const std::filesystem::path& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) sys::throw_errno("open", path);
  return file(fd, path);
}

std::int64_t file::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) sys::throw_errno("fstat", path_);
  return st.st_size;
}

void file::close() {
  // close(2) must not be retried on EINTR on Linux: the descriptor is released either way.
  const int fd = std::exchange(fd_, -1);
  if (fd >= 0 && ::close(fd) != 0 && errno != EINTR) sys::throw_errno("close", path_);
}

namespace sys {

std::size_t page_size() noexcept {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

void throw_error(int error, const char* call, const std::filesystem::path& path) {
  std::string what = call;
  if (!path.empty()) what += " '" + path.string() + "'";
  throw std::system_error(error, std::generic_category(), what);
}

void throw_errno(const char* call, const std::filesystem::path& path) {
  throw_error(errno, call, path);
}

void* map(std::size_t length, int prot, int flags, int fd, std::int64_t offset,
          const std::filesystem::path& path) {
  void* address = ::mmap(nullptr, length, prot, flags, fd, static_cast<off_t>(offset));
  if (address == MAP_FAILED) throw_errno("mmap", path);
  return address;
}

bool unmap(void* address, std::size_t length) noexcept {
  return ::munmap(address, length) == 0;
}

void sync(void* address, std::size_t length, int flags, const std::filesystem::path& path) {
  if (::msync(address, length, flags) != 0) throw_errno("msync", path);
}

void advise(void* address, std::size_t length, int advice, const std::filesystem::path& path) {
  if (::madvise(address, length, advice) != 0) throw_errno("madvise", path);
}

void reserve(const file& f, std::int64_t length) {
  if (length <= 0) return;  // posix_fallocate rejects an empty range; nothing to reserve.
  int error;
  do {
    error = ::posix_fallocate(f.fd(), 0, static_cast<off_t>(length));
  } while (error == EINTR);
  if (error != 0) throw_error(error, "posix_fallocate", f.path());
}

void truncate(const file& f, std::int64_t length) {
  int result;
  do {
    result = ::ftruncate(f.fd(), static_cast<off_t>(length));
  } while (result != 0 && errno == EINTR);
  if (result != 0) throw_errno("ftruncate", f.path());
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

void write_at(const file& f, std::span<const std::byte> bytes, std::int64_t offset) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(f.fd(), bytes.data() + done, bytes.size() - done,
                               static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("pwrite", f.path());
    done += static_cast<std::size_t>(n);
  }
}

void sync_data(const file& f) {
  int result;
  do {
    result = ::fdatasync(f.fd());
  } while (result != 0 && errno == EINTR);
  if (result != 0) throw_errno("fdatasync", f.path());
}

}  // namespace sys
}  // namespace maparray
