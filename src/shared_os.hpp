// The system calls of shared memory, wrapped like those of os.hpp: each throws std::system_error
// whose what() names the call and the object ("shm_open '/counters': File exists").
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "maparray/os.hpp"

namespace maparray::sys {

// shm_open(3) of a validated name with O_CLOEXEC added. Throws std::system_error.
file shm_open(const std::string& name, int flags, mode_t mode);

// shm_unlink(3). Returns false if no object had that name. Throws std::system_error for other
// errors (EACCES).
bool shm_unlink(const std::string& name);

// An anonymous memory file (memfd_create with MFD_CLOEXEC | MFD_ALLOW_SEALING); `label` is the
// name shown in /proc/PID/fd. Throws std::system_error.
file memfd(const std::string& label);

// Seals a memory file's size (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), so that no process
// holding it can truncate it under another's mapping. Throws std::system_error.
void seal_size(const file& f);

// A new descriptor for the same open file (F_DUPFD_CLOEXEC), named `path`. Throws
// std::system_error.
file duplicate(int fd, std::string path);

}  // namespace maparray::sys
