// Deprecated: include maparray/file.hpp, which declares what this header made public
// (maparray::file and file_lock). The sys:: system-call wrappers are private to the library.
// This header goes in the next release.
#pragma once

#pragma message("maparray/os.hpp is deprecated: include maparray/file.hpp")
#include "maparray/file.hpp"
