// NumPy's .npz archives: ZIP files of .npy members, as numpy.savez writes them. Members stored
// without compression (what numpy.savez writes) are mapped in place, zero-copy, from one mapping
// of the whole archive; numpy itself reads every member into memory. Compressed members
// (numpy.savez_compressed) cannot be mapped: their directory entries are listed, and a program
// that wants their data inflates them itself.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "maparray/any_array.hpp"
#include "maparray/mapping.hpp"
#include "maparray/npy.hpp"
#include "maparray/zip.hpp"

namespace maparray {

// One member of a .npz archive.
struct npz_member {
  // The key numpy.load gives it: the file name without a final ".npy".
  std::string key;
  // Where and how the member is stored.
  zip::entry entry;
  // Whether the file name ends in ".npy" (numpy.load returns other members as bytes).
  bool is_npy() const noexcept { return entry.name.ends_with(".npy"); }
  // Whether the bytes can be used in place: stored, not encrypted.
  bool mappable() const noexcept { return entry.method == zip::stored && !entry.encrypted(); }
};

// Options for npz_archive::open().
struct npz_options {
  // read, or copy_on_write (writes stay in this process). read_write is refused: writing into a
  // member would leave its recorded CRC wrong, and numpy would refuse the archive.
  maparray::mode mode = maparray::mode::read;
  // Bounds on the members' .npy headers, as for open().
  npy::limits limits{};
};

// An open .npz archive: its directory, and arrays over its stored members. Copies share the
// mapping; arrays keep it mapped after the archive object is gone.
class npz_archive {
 public:
  // Maps the archive at `path` and reads its directory. Throws std::system_error (cannot open or
  // map), format_error naming the file (not a ZIP archive, a malformed directory),
  // std::invalid_argument (mode read_write, a path that is not a regular file).
  static npz_archive open(const std::filesystem::path& path, const npz_options& opts = {});
  // As above for a file already open, taking ownership of it. Throws as above.
  static npz_archive open(file f, const npz_options& opts = {});

  // The members in the archive's order.
  const std::vector<npz_member>& members() const noexcept { return members_; }
  // The member whose key or file name is `name` ("x" or "x.npy"). Throws std::out_of_range
  // naming the archive and the keys it has.
  const npz_member& member(std::string_view name) const;

  // The array in a stored .npy member, mapped in place with the member's dtype, shape and
  // order; writable in mode copy_on_write. The data is usually not aligned (members start
  // wherever the archive puts them): use it as any_array, or copy. Throws format_error naming
  // the archive and the member (compressed or encrypted, not a .npy file, a malformed or
  // truncated header).
  any_array array(const npz_member& m) const;
  // The bytes of a stored member, in place. Throws format_error for a compressed or encrypted
  // member.
  std::span<const std::byte> bytes(const npz_member& m) const;

  // The mapping of the whole archive.
  const mapping& storage() const noexcept { return storage_; }

 private:
  npz_archive(mapping storage, npz_options opts);

  mapping storage_;
  npz_options opts_;
  std::vector<npz_member> members_;
};

}  // namespace maparray
