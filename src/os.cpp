#include "sys.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

namespace maparray {
namespace sys {
namespace {

struct armed_failure {
  std::string call;
  int error;
  int skip;
};

std::atomic<bool> any_injected{false};
std::mutex injected_mutex;
std::vector<armed_failure>& injected() {
  static std::vector<armed_failure> failures;
  return failures;
}

// The errno an injected failure of `call` asks for, or 0 to make the call for real.
int injected_error(const char* call) noexcept {
  if (!any_injected.load(std::memory_order_relaxed)) return 0;
  std::lock_guard lock(injected_mutex);
  auto& failures = injected();
  for (auto it = failures.begin(); it != failures.end(); ++it) {
    if (it->call != call) continue;
    if (it->skip-- > 0) return 0;
    const int error = it->error;
    failures.erase(it);
    any_injected.store(!failures.empty(), std::memory_order_relaxed);
    return error;
  }
  return 0;
}

const char* file_type_name(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

bool injected_failure(const char* call) noexcept {
  const int error = injected_error(call);
  if (error != 0) errno = error;
  return error != 0;
}

void inject_failure(std::string_view call, int error, int skip) {
  std::lock_guard lock(injected_mutex);
  injected().push_back({std::string(call), error, skip});
  any_injected.store(true, std::memory_order_relaxed);
}

void clear_injected_failures() noexcept {
  std::lock_guard lock(injected_mutex);
  injected().clear();
  any_injected.store(false, std::memory_order_relaxed);
}

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
  if (injected_failure("mmap")) throw_errno("mmap", path);
  void* address = ::mmap(nullptr, length, prot, flags, fd, static_cast<off_t>(offset));
  if (address == MAP_FAILED) throw_errno("mmap", path);
  return address;
}

bool unmap(void* address, std::size_t length) noexcept {
  return ::munmap(address, length) == 0;
}

void sync(void* address, std::size_t length, int flags, const std::filesystem::path& path) {
  if (injected_failure("msync") || ::msync(address, length, flags) != 0) throw_errno("msync", path);
}

void advise(void* address, std::size_t length, int advice, const std::filesystem::path& path) {
  const int error = try_advise(address, length, advice);
  if (error != 0) throw_error(error, "madvise", path);
}

int try_advise(void* address, std::size_t length, int advice) noexcept {
  if (injected_failure("madvise") || ::madvise(address, length, advice) != 0) return errno;
  return 0;
}

void drop_cached(const file& f, std::int64_t offset, std::int64_t length) noexcept {
  ::posix_fadvise(f.fd(), static_cast<off_t>(offset), static_cast<off_t>(length),
                  POSIX_FADV_DONTNEED);
}

void residency(void* address, std::size_t length, unsigned char* flags,
               const std::filesystem::path& path) {
  if (injected_failure("mincore") || ::mincore(address, length, flags) != 0)
    throw_errno("mincore", path);
}

void reserve(const file& f, std::int64_t length, std::int64_t from) {
  if (length <= from) return;  // posix_fallocate rejects an empty range; nothing to reserve.
  const std::int64_t before = f.size();
  int error = injected_error("posix_fallocate");
  while (error == 0) {
    error = ::posix_fallocate(f.fd(), static_cast<off_t>(from), static_cast<off_t>(length - from));
    if (error != EINTR) break;
    error = 0;
  }
  if (error == 0) return;
  // Give back what a partial allocation added; the error reported is the allocation's.
  struct stat st {};
  if (::fstat(f.fd(), &st) == 0 && st.st_size > before) {
    while (::ftruncate(f.fd(), static_cast<off_t>(before)) != 0 && errno == EINTR) {
    }
  }
  throw_error(error, "posix_fallocate", f.path());
}

void truncate(const file& f, std::int64_t length) {
  if (injected_failure("ftruncate")) throw_errno("ftruncate", f.path());
  int result;
  do {
    result = ::ftruncate(f.fd(), static_cast<off_t>(length));
  } while (result != 0 && errno == EINTR);
  if (result != 0) throw_errno("ftruncate", f.path());
}

void rename(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (injected_failure("rename") || ::rename(from.c_str(), to.c_str()) != 0)
    throw_errno("rename", to);
}

void rename_exclusive(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (injected_failure("rename")) throw_errno("rename", to);
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  if (errno != EINVAL && errno != ENOSYS) throw_errno("renameat2", to);
  // No RENAME_NOREPLACE here: a hard link is created only where no name exists.
  if (::link(from.c_str(), to.c_str()) != 0) throw_errno("link", to);
  ::unlink(from.c_str());
}

void sync_directory(const std::filesystem::path& path) {
  if (injected_failure("fsync")) throw_errno("fsync", path);
  const file dir = file::open(path, O_RDONLY | O_DIRECTORY);
  int result;
  do {
    result = ::fsync(dir.fd());
  } while (result != 0 && errno == EINTR);
  if (result != 0 && errno != EINVAL) throw_errno("fsync", path);
}

void remove_quietly(const std::filesystem::path& path) noexcept {
  ::unlink(path.c_str());
}

file open_unnamed(const std::filesystem::path& target, mode_t mode) {
  // link() names the file through /proc; without it an unnamed file could never be named.
  static const bool have_proc = ::access("/proc/self/fd", X_OK) == 0;
  if (!have_proc) return {};
  const std::filesystem::path directory =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  if (injected_failure("open")) throw_errno("open", target);
  int fd;
  do {
    fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd >= 0) return file(fd, target);
  // The kernel or the file system has no unnamed files: the caller makes a named one.
  if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return {};
  throw_errno("open", target);
}

void link(const file& f, const std::filesystem::path& to) {
  const std::string self = "/proc/self/fd/" + std::to_string(f.fd());
  if (injected_failure("linkat") ||
      ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, to.c_str(), AT_SYMLINK_FOLLOW) != 0) {
    throw_errno("linkat", to);
  }
}

void copy_permissions(const file& f, const std::filesystem::path& like) {
  struct stat st {};
  if (::lstat(like.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  // The owner first, since changing it may clear mode bits. Where this process may not give
  // the file away, it stays the caller's, with the old permission bits: readable by no more
  // users than before. Set-user-ID and set-group-ID bits are never copied onto a new owner.
  static_cast<void>(::fchown(f.fd(), st.st_uid, st.st_gid));
  if (injected_failure("fchmod") || ::fchmod(f.fd(), st.st_mode & 01777) != 0)
    throw_errno("fchmod", like);
}

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
  if (!injected_failure("shm_unlink") && ::shm_unlink(name.c_str()) == 0) return true;
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
  if (injected_failure("fcntl") ||
      ::fcntl(f.fd(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    throw_errno("fcntl F_ADD_SEALS", f.path());
  }
}

file duplicate(int fd, const std::filesystem::path& path) {
  const int copy = injected_failure("fcntl") ? -1 : ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) throw_errno("fcntl F_DUPFD_CLOEXEC", path);
  return file(copy, path);
}

std::size_t read_at(const file& f, std::span<std::byte> buffer, std::int64_t offset) {
  if (injected_failure("pread")) throw_errno("pread", f.path());
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
  write_at(f.fd(), f.path(), bytes, offset);
}

void write_at(int fd, const std::filesystem::path& path, std::span<const std::byte> bytes,
              std::int64_t offset) {
  if (injected_failure("pwrite")) throw_errno("pwrite", path);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                               static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("pwrite", path);
    if (n == 0) throw_error(EIO, "pwrite", path);  // no progress: never loop forever
    done += static_cast<std::size_t>(n);
  }
}

void sync_data(const file& f) {
  if (injected_failure("fdatasync")) throw_errno("fdatasync", f.path());
  int result;
  do {
    result = ::fdatasync(f.fd());
  } while (result != 0 && errno == EINTR);
  if (result != 0) throw_errno("fdatasync", f.path());
}

}  // namespace sys

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
  if (sys::injected_failure("open")) sys::throw_errno("open", path);
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) sys::throw_errno("open", path);
  return file(fd, path);
}

std::int64_t file::size() const {
  struct stat st {};
  if (sys::injected_failure("fstat") || ::fstat(fd_, &st) != 0) sys::throw_errno("fstat", path_);
  return st.st_size;
}

file file::open_regular(const std::filesystem::path& path, int flags) {
  file f = open(path, flags | O_NONBLOCK);
  f.require_regular();
  return f;
}

void file::require_regular() const {
  struct stat st {};
  if (sys::injected_failure("fstat") || ::fstat(fd_, &st) != 0) sys::throw_errno("fstat", path_);
  // What opening a directory for writing reports, so that every mode reports the same.
  if (S_ISDIR(st.st_mode)) sys::throw_error(EISDIR, "open", path_);
  if (!S_ISREG(st.st_mode)) {
    throw std::invalid_argument("'" + path_.string() + "' is " + sys::file_type_name(st.st_mode) +
                                ", which cannot be mapped as an array");
  }
}

void file::lock(file_lock how) const {
  if (how == file_lock::none) return;
  const int operation = (how == file_lock::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  int result;
  do {
    result = sys::injected_failure("flock") ? -1 : ::flock(fd_, operation);
  } while (result != 0 && errno == EINTR);
  if (result != 0) sys::throw_errno("flock", path_);
}

void file::close() {
  // close(2) must not be retried on EINTR on Linux: the descriptor is released either way.
  const int fd = std::exchange(fd_, -1);
  if (fd >= 0 && ::close(fd) != 0 && errno != EINTR) sys::throw_errno("close", path_);
}

file file::duplicate(int fd, std::filesystem::path path) {
  return sys::duplicate(fd, path);
}

void file::reserve(std::int64_t length, std::int64_t from) const {
  sys::reserve(*this, length, from);
}

std::size_t file::read_at(std::span<std::byte> buffer, std::int64_t offset) const {
  return sys::read_at(*this, buffer, offset);
}

}  // namespace maparray
