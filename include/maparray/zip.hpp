// The directory of a ZIP archive (the container of NumPy's .npz files), read from the archive's
// bytes by a pure function, so that it can be fuzzed. Only what locating members needs is read:
// the end-of-central-directory record (ZIP64 too), the central directory and each member's
// local header. Member data is never looked at: CRCs are not checked and nothing is inflated.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace maparray::zip {

// The ZIP "compression method" of a member stored as it is (what numpy.savez writes).
inline constexpr std::uint16_t stored = 0;
// The ZIP "compression method" of a deflate-compressed member (numpy.savez_compressed).
inline constexpr std::uint16_t deflated = 8;

// One member of an archive, as its central-directory entry and local header describe it.
struct entry {
  std::string name;                   // UTF-8 (names flagged as CP437 are converted)
  std::uint16_t method = stored;      // stored, deflated, or another method number
  std::uint16_t flags = 0;            // general-purpose bits; bit 0 set means encrypted
  std::uint32_t crc32 = 0;            // of the uncompressed bytes, as recorded (not checked)
  std::uint64_t compressed_size = 0;  // bytes of the member in the archive
  std::uint64_t size = 0;             // bytes once uncompressed
  std::uint64_t header_offset = 0;    // archive offset of the member's local header
  std::uint64_t data_offset = 0;      // archive offset of the member's (compressed) bytes

  // Whether the bytes are encrypted (general-purpose bit 0).
  bool encrypted() const noexcept { return (flags & 1) != 0; }
};

// Reads the directory of the ZIP archive whose bytes are `archive` (the whole file). Checks
// what a reader relies on: the end record (the last one within the final 64 KiB + 22 bytes,
// with its ZIP64 locator and record when present), a single-disk archive, a central directory
// of exactly the announced entries inside the archive, sizes and offsets from ZIP64 extra
// fields where the 32-bit fields say so, each local header's signature and name (equal to the
// directory's), member bytes inside the archive, stored members of equal compressed and
// uncompressed size, and unique names. Allocates no more than the archive's size allows.
// Throws format_error saying what is wrong (the caller adds the file name).
std::vector<entry> read_directory(std::span<const std::byte> archive);

}  // namespace maparray::zip
