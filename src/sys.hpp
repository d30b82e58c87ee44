// The operating-system layer: the system calls maparray makes. Private to the library (and its
// tests): the public part, maparray::file, is in maparray/file.hpp.
//
// Every wrapper in sys:: retries on EINTR where that is meaningful and turns a failure into a
// std::system_error whose what() names the call and the path ("open 'x.f32': No such file or
// directory"), so that no caller has to format errno itself. Every system call the library
// makes on a file goes through here, which is what lets tests inject failures (see
// sys::inject_failure) and check that no error path leaks a descriptor, a mapping or a file.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "maparray/file.hpp"

namespace maparray {

namespace sys {

// The size of a memory page. Never throws.
std::size_t page_size() noexcept;

// Throws std::system_error(error) with "<call> '<path>'" as its message.
[[noreturn]] void throw_error(int error, const char* call, const std::filesystem::path& path);
// The same with the current errno. Use right after a failed call.
[[noreturn]] void throw_errno(const char* call, const std::filesystem::path& path);

// mmap(2) of `length` bytes of `fd` (or anonymous memory when fd < 0) at the page-aligned
// `offset`. Throws std::system_error naming `path`.
void* map(std::size_t length, int prot, int flags, int fd, std::int64_t offset,
          const std::filesystem::path& path);

// munmap(2). Returns false instead of throwing, since it runs in destructors.
bool unmap(void* address, std::size_t length) noexcept;

// msync(2) of a page-aligned range. Throws std::system_error naming `path`.
void sync(void* address, std::size_t length, int flags, const std::filesystem::path& path);

// madvise(2) of a page-aligned range. Throws std::system_error naming `path`.
void advise(void* address, std::size_t length, int advice, const std::filesystem::path& path);
// madvise(2) returning the errno (0 on success) instead of throwing. Never throws.
int try_advise(void* address, std::size_t length, int advice) noexcept;

// Drops the file's clean pages in [offset, offset + length) from the page cache
// (posix_fadvise POSIX_FADV_DONTNEED); dirty pages and pages other processes map stay. Only a
// hint: errors are ignored. Never throws.
void drop_cached(const file& f, std::int64_t offset, std::int64_t length) noexcept;

// mincore(2): one byte per page of a page-aligned range into `flags`. Throws std::system_error.
void residency(void* address, std::size_t length, unsigned char* flags,
               const std::filesystem::path& path);

// Reserves the file's blocks in [from, length) (posix_fallocate), so that a full disk is
// reported now rather than as SIGBUS on a later write. On failure the file keeps the length it
// had:
// some file systems (ext4) grow a file as far as they could allocate before reporting ENOSPC,
// which would leave the disk full. Throws std::system_error (ENOSPC when full, EFBIG past the
// file-size limit).
void reserve(const file& f, std::int64_t length, std::int64_t from = 0);

// Sets the file's length with ftruncate(2); the new space is sparse. Throws std::system_error.
void truncate(const file& f, std::int64_t length);

// rename(2). Throws std::system_error naming `to`.
void rename(const std::filesystem::path& from, const std::filesystem::path& to);

// rename(2) that refuses to replace an existing `to` (renameat2 with RENAME_NOREPLACE; where
// the file system lacks it, link(2) then unlink(2)). Throws std::system_error naming `to`
// (EEXIST if it exists).
void rename_exclusive(const std::filesystem::path& from, const std::filesystem::path& to);

// Makes the entries of the directory `path` durable (fsync of the directory), after a rename
// into it. File systems that cannot sync a directory (EINVAL) are taken as done. Throws
// std::system_error.
void sync_directory(const std::filesystem::path& path);

// unlink(2), ignoring errors: for removing what a failed operation created. Never throws.
void remove_quietly(const std::filesystem::path& path) noexcept;

// A new file without a name in the directory of `target` (open with O_TMPFILE), opened
// read-write with permission bits `mode` and named `target` in messages: it vanishes with its
// last descriptor unless link() gives it a name, so a process killed while making it leaves
// nothing behind. Returns an unopened file where the file system or the kernel cannot make one
// (or /proc, which link() needs, is missing). Throws std::system_error for other errors
// (EACCES, ENOENT, ENOSPC).
file open_unnamed(const std::filesystem::path& target, mode_t mode);

// Gives the unnamed file `f` (from open_unnamed) the name `to` (linkat through /proc/self/fd),
// never replacing an existing file. Throws std::system_error naming `to` (EEXIST).
void link(const file& f, const std::filesystem::path& to);

// Gives `f` the permission bits of the file `like` (lstat; nothing if it is missing or not a
// regular file; set-user-ID and set-group-ID bits are not copied) and, where this process may,
// its owner and group. For replacing `like` with
// `f` without widening who may read it. Throws std::system_error naming `like` (fchmod).
void copy_permissions(const file& f, const std::filesystem::path& like);

// Fault injection for tests: the next call of `call` ("open", "fstat", "mmap", "msync",
// "madvise", "mincore", "posix_fallocate", "ftruncate", "rename", "flock", "pread", "pwrite",
// "fdatasync", "fsync", "posix_fadvise", "shm_open", "shm_unlink", "memfd_create", "fcntl",
// "linkat", "fchmod") after `skip` successful ones fails with `error`, without being made.
// Thread-safe; costs one relaxed atomic load per system call while nothing is injected. Never
// throws except std::bad_alloc.
void inject_failure(std::string_view call, int error, int skip = 0);
// Cancels every injected failure not yet triggered. Never throws.
void clear_injected_failures() noexcept;
// For the wrappers themselves: true (with errno set) if a failure of `call` was injected, in
// which case the wrapper reports it instead of making the call. Never throws.
bool injected_failure(const char* call) noexcept;

// shm_open(3) of a shared-memory object `name` ("/counters") with O_CLOEXEC added. Throws
// std::system_error.
file shm_open(const std::string& name, int flags, mode_t mode);

// shm_unlink(3). Returns false if no object had that name. Throws std::system_error for other
// errors (EACCES).
bool shm_unlink(const std::string& name);

// An anonymous memory file (memfd_create with MFD_CLOEXEC | MFD_ALLOW_SEALING), named
// "memfd:<label>". Throws std::system_error.
file memfd(const std::string& label);

// Seals a memory file's size (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), so that no process
// holding it can truncate it under another's mapping. Throws std::system_error.
void seal_size(const file& f);

// A new close-on-exec descriptor for the open file `fd` (F_DUPFD_CLOEXEC), named `path`.
// Throws std::system_error.
file duplicate(int fd, const std::filesystem::path& path);

// Reads up to buffer.size() bytes at `offset` (pread, retried until done or end of file);
// returns the count read, short only at the end of the file. Throws std::system_error.
std::size_t read_at(const file& f, std::span<std::byte> buffer, std::int64_t offset);

// Writes all of `bytes` at `offset` (pwrite, retried). Throws std::system_error.
void write_at(const file& f, std::span<const std::byte> bytes, std::int64_t offset);
// The same on the descriptor `fd` of the file named `path` (for messages).
void write_at(int fd, const std::filesystem::path& path, std::span<const std::byte> bytes,
              std::int64_t offset);

// Waits until the file's data has reached the disk (fdatasync). Throws std::system_error.
void sync_data(const file& f);

}  // namespace sys
}  // namespace maparray
