// The operating-system layer: file descriptors and the system calls maparray makes.
//
// Every wrapper in sys:: retries on EINTR where that is meaningful and turns a failure into a
// std::system_error whose what() names the call and the path ("open 'x.f32': No such file or
// directory"), so that no caller has to format errno itself.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace maparray {

// An owned file descriptor, closed by the destructor; remembers the path it was opened from so
// that later errors can name it. Move-only.
class file {
 public:
  file() = default;
  // Takes ownership of the open descriptor `fd`, opened from `path`. Never throws.
  file(int fd, std::filesystem::path path) noexcept : fd_(fd), path_(std::move(path)) {}
  // Takes over `other`'s descriptor; `other` is closed afterwards. Never throws.
  file(file&& other) noexcept;
  // Closes this descriptor (ignoring errors) and takes over `other`'s. Never throws.
  file& operator=(file&& other) noexcept;
  file(const file&) = delete;
  file& operator=(const file&) = delete;
  ~file();

  // Opens `path` with open(2) flags `flags` (O_CLOEXEC is always added) and creation mode `mode`.
  // Throws std::system_error.
  static file open(const std::filesystem::path& path, int flags, mode_t mode = 0666);

  // The descriptor, or -1. Never throws.
  int fd() const noexcept { return fd_; }
  // Whether a descriptor is held. Never throws.
  bool is_open() const noexcept { return fd_ >= 0; }
  // The path the file was opened from. Never throws.
  const std::filesystem::path& path() const noexcept { return path_; }

  // The file's current size in bytes (fstat). Throws std::system_error.
  std::int64_t size() const;

  // Closes the descriptor now, reporting an error from close(2). Throws std::system_error.
  void close();

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

namespace sys {

// The size of a memory page. Never throws.
std::size_t page_size() noexcept;

// Throws std::system_error(errno) with "<call> '<path>'" as its message. Use right after a failed
// call, before anything else can change errno.
[[noreturn]] void throw_errno(const char* call, const std::filesystem::path& path);
// As throw_errno(), with the error number `error`. Always throws std::system_error.
[[noreturn]] void throw_error(int error, const char* call, const std::filesystem::path& path);

// mmap(2) of `length` bytes of `fd` (or anonymous memory when fd < 0) at the page-aligned
// `offset`. Throws std::system_error naming `path`.
void* map(std::size_t length, int prot, int flags, int fd, std::int64_t offset,
          const std::filesystem::path& path);

// munmap(2). Returns false (and leaves errno set) instead of throwing, since it runs in
// destructors.
bool unmap(void* address, std::size_t length) noexcept;

// msync(2) of a page-aligned range. Throws std::system_error naming `path`.
void sync(void* address, std::size_t length, int flags, const std::filesystem::path& path);

// madvise(2) of a page-aligned range. Throws std::system_error naming `path`.
void advise(void* address, std::size_t length, int advice, const std::filesystem::path& path);

// Reserves [0, length) of the file's blocks (posix_fallocate), so that a full disk is reported
// now rather than as SIGBUS on a later write. Throws std::system_error (ENOSPC when full).
void reserve(const file& f, std::int64_t length);

// Sets the file's length with ftruncate(2); the new space is sparse. Throws std::system_error.
void truncate(const file& f, std::int64_t length);

}  // namespace sys
}  // namespace maparray
