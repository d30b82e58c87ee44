// maparray::file: an owned file descriptor, and the advisory locks cooperating processes take.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace maparray {

// Advisory whole-file locks (flock) that cooperating processes take so that no process
// truncates a file another one has mapped: readers take `shared`, a writer that shrinks or
// replaces the file takes `exclusive`.
enum class file_lock { none, shared, exclusive };

// An owned file descriptor, closed by the destructor; remembers the path it was opened from so
// that later errors can name it. Move-only.
class file {
 public:
  file() = default;
  // Takes ownership of the open descriptor `fd`, opened from `path`.
  file(int fd, std::filesystem::path path) noexcept : fd_(fd), path_(std::move(path)) {}
  // Takes over `other`'s descriptor; `other` is closed afterwards.
  file(file&& other) noexcept;
  // Closes this descriptor (ignoring errors) and takes over `other`'s.
  file& operator=(file&& other) noexcept;
  file(const file&) = delete;
  file& operator=(const file&) = delete;
  ~file();

  // Opens `path` with open(2) flags `flags` (O_CLOEXEC is always added) and creation mode `mode`.
  // Throws std::system_error.
  static file open(const std::filesystem::path& path, int flags, mode_t mode = 0666);

  // The descriptor, or -1.
  int fd() const noexcept { return fd_; }
  // Whether a descriptor is held.
  bool is_open() const noexcept { return fd_ >= 0; }
  // The path the file was opened from.
  const std::filesystem::path& path() const noexcept { return path_; }

  // The file's current size in bytes (fstat). Throws std::system_error.
  std::int64_t size() const;

  // Opens the existing file `path` with flags `flags` (O_NONBLOCK and O_CLOEXEC are added, so
  // that opening a FIFO never waits for a writer) and checks that it is a regular file, as
  // require_regular() does. Throws as open() and require_regular().
  static file open_regular(const std::filesystem::path& path, int flags);

  // Checks that the descriptor is a regular file (or a shared-memory object, which is one):
  // a FIFO, a directory or a device cannot be mapped as an array. Throws std::system_error
  // with EISDIR for a directory (as opening one for writing does), std::invalid_argument
  // naming the path and what it is for anything else, std::system_error if fstat fails.
  void require_regular() const;

  // Takes an advisory lock without waiting; it is released when the descriptor closes.
  // Throws std::system_error (EWOULDBLOCK when another process holds a conflicting lock).
  void lock(file_lock how) const;

  // Closes the descriptor now, reporting an error from close(2). Throws std::system_error.
  void close();

  // A new close-on-exec descriptor for the open descriptor `fd`, which stays the caller's
  // (fcntl F_DUPFD_CLOEXEC); errors name `path`. Throws std::system_error (EBADF for a
  // descriptor that is not open).
  static file duplicate(int fd, std::filesystem::path path);

  // Reserves the file's blocks in [from, length) (posix_fallocate), growing the file to `length`
  // if it is shorter, so that a full disk is reported now rather than as SIGBUS on a later write
  // through a mapping. On failure the file keeps the length it had. Throws std::system_error
  // (ENOSPC when the disk is full, EFBIG past the file-size limit).
  void reserve(std::int64_t length, std::int64_t from = 0) const;

  // Reads up to buffer.size() bytes at byte `offset` (pread, retried until done or the end of
  // the file); returns the count read, short only at the end of the file. Throws
  // std::system_error.
  std::size_t read_at(std::span<std::byte> buffer, std::int64_t offset) const;

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace maparray
