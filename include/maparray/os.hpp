// Deprecated: include maparray/file.hpp, which declares what this header made public
// (maparray::file and file_lock). The sys:: system-call wrappers are private to the library.
#pragma once

#include "maparray/file.hpp"
