#include "maparray/zip.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <string_view>

#include "maparray/error.hpp"

namespace maparray::zip {
namespace {

constexpr std::uint32_t local_signature = 0x04034b50;
constexpr std::uint32_t central_signature = 0x02014b50;
constexpr std::uint32_t end_signature = 0x06054b50;
constexpr std::uint32_t zip64_end_signature = 0x06064b50;
constexpr std::uint32_t zip64_locator_signature = 0x07064b50;
constexpr std::size_t local_size = 30;
constexpr std::size_t central_size = 46;
constexpr std::size_t end_size = 22;
constexpr std::size_t zip64_end_size = 56;
constexpr std::size_t zip64_locator_size = 20;
constexpr std::size_t max_comment = 0xffff;
constexpr std::uint16_t zip64_extra_id = 0x0001;
constexpr std::uint16_t utf8_flag = 1 << 11;

// Little-endian integers at an offset the caller has checked.
std::uint64_t read_le(std::span<const std::byte> bytes, std::size_t at, std::size_t n) {
  std::uint64_t value = 0;
  for (std::size_t i = n; i-- > 0;) value = value << 8 | static_cast<std::uint8_t>(bytes[at + i]);
  return value;
}
std::uint16_t u16(std::span<const std::byte> b, std::size_t at) {
  return static_cast<std::uint16_t>(read_le(b, at, 2));
}
std::uint32_t u32(std::span<const std::byte> b, std::size_t at) {
  return static_cast<std::uint32_t>(read_le(b, at, 4));
}
std::uint64_t u64(std::span<const std::byte> b, std::size_t at) {
  return read_le(b, at, 8);
}

// Whether [at, at + length) lies inside `size` bytes, without overflow.
bool inside(std::uint64_t at, std::uint64_t length, std::uint64_t size) {
  return at <= size && length <= size - at;
}

// The characters of code page 437 from 0x80 on, the encoding of names without the UTF-8 flag.
constexpr char32_t cp437_high[128] = {
    0xc7,   0xfc,   0xe9,   0xe2,   0xe4,   0xe0,   0xe5,   0xe7,   0xea,   0xeb,   0xe8,   0xef,
    0xee,   0xec,   0xc4,   0xc5,   0xc9,   0xe6,   0xc6,   0xf4,   0xf6,   0xf2,   0xfb,   0xf9,
    0xff,   0xd6,   0xdc,   0xa2,   0xa3,   0xa5,   0x20a7, 0x192,  0xe1,   0xed,   0xf3,   0xfa,
    0xf1,   0xd1,   0xaa,   0xba,   0xbf,   0x2310, 0xac,   0xbd,   0xbc,   0xa1,   0xab,   0xbb,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255d, 0x255c, 0x255b, 0x2510, 0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
    0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
    0x3b1,  0xdf,   0x393,  0x3c0,  0x3a3,  0x3c3,  0xb5,   0x3c4,  0x3a6,  0x398,  0x3a9,  0x3b4,
    0x221e, 0x3c6,  0x3b5,  0x2229, 0x2261, 0xb1,   0x2265, 0x2264, 0x2320, 0x2321, 0xf7,   0x2248,
    0xb0,   0x2219, 0xb7,   0x221a, 0x207f, 0xb2,   0x25a0, 0xa0,
};

std::string utf8_of_cp437(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
      continue;
    }
    const char32_t u = cp437_high[b - 0x80];
    if (u < 0x800) {
      out += static_cast<char>(0xc0 | (u >> 6));
    } else {
      out += static_cast<char>(0xe0 | (u >> 12));
      out += static_cast<char>(0x80 | ((u >> 6) & 0x3f));
    }
    out += static_cast<char>(0x80 | (u & 0x3f));
  }
  return out;
}

// Where the central directory is and how many entries it holds, from the end records.
struct directory_location {
  std::uint64_t entries = 0;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;
  std::uint64_t end = 0;  // where the directory must end: the first end record
};

directory_location locate_directory(std::span<const std::byte> archive) {
  const std::uint64_t total = archive.size();
  if (total < end_size) {
    throw format_error("not a ZIP archive: " + std::to_string(total) +
                       " bytes is too short for its end record");
  }
  // The end record is followed only by its comment: search the last 64 KiB + 22 bytes.
  std::optional<std::size_t> found;
  const std::size_t lowest = total - end_size > max_comment ? total - end_size - max_comment : 0;
  for (std::size_t at = total - end_size + 1; at-- > lowest;) {
    if (u32(archive, at) == end_signature) {
      found = at;
      break;
    }
  }
  if (!found) throw format_error("not a ZIP archive: no end-of-central-directory record");
  const std::size_t end = *found;
  const std::uint16_t disk = u16(archive, end + 4), cd_disk = u16(archive, end + 6);
  const std::uint16_t disk_entries = u16(archive, end + 8);
  directory_location where;
  where.entries = u16(archive, end + 10);
  where.size = u32(archive, end + 12);
  where.offset = u32(archive, end + 16);
  where.end = end;
  bool other_disks = disk != 0 || cd_disk != 0 || disk_entries != where.entries;
  // ZIP64: a locator right before the end record points at the ZIP64 end record, whose
  // 64-bit fields replace the 16- and 32-bit ones.
  if (end >= zip64_locator_size &&
      u32(archive, end - zip64_locator_size) == zip64_locator_signature) {
    const std::size_t locator = end - zip64_locator_size;
    const std::uint64_t record = u64(archive, locator + 8);
    if (u32(archive, locator + 4) != 0 || u32(archive, locator + 16) > 1) {
      throw format_error("multi-disk ZIP archives are not supported");
    }
    if (!inside(record, zip64_end_size, locator) ||
        u32(archive, static_cast<std::size_t>(record)) != zip64_end_signature) {
      throw format_error("the ZIP64 end record is missing or outside the archive");
    }
    const auto r = static_cast<std::size_t>(record);
    // The classic record's fields may then hold 0xffff and 0xffffffff.
    other_disks = u32(archive, r + 16) != 0 || u32(archive, r + 20) != 0 ||
                  u64(archive, r + 24) != u64(archive, r + 32);
    where.entries = u64(archive, r + 32);
    where.size = u64(archive, r + 40);
    where.offset = u64(archive, r + 48);
    where.end = record;
  } else if (where.entries == 0xffff || where.size == 0xffffffff || where.offset == 0xffffffff) {
    throw format_error("the end record asks for ZIP64 values, but there is no ZIP64 locator");
  }
  if (other_disks) throw format_error("multi-disk ZIP archives are not supported");
  if (!inside(where.offset, where.size, where.end) || where.offset + where.size != where.end) {
    throw format_error("the central directory (" + std::to_string(where.size) + " bytes at " +
                       std::to_string(where.offset) + ") does not end where the end record is");
  }
  if (where.entries > where.size / central_size) {
    throw format_error("the central directory cannot hold the " + std::to_string(where.entries) +
                       " entries it announces");
  }
  return where;
}

// Replaces the fields of `e` that are 0xffffffff by the values in the ZIP64 extra field of
// `extra`, in the order the format fixes. Throws format_error if one is missing.
void apply_zip64(entry& e, std::span<const std::byte> extra, bool size_wide, bool csize_wide,
                 bool offset_wide) {
  if (!size_wide && !csize_wide && !offset_wide) return;
  for (std::size_t at = 0; at + 4 <= extra.size();) {
    const std::uint16_t id = u16(extra, at);
    const std::size_t length = u16(extra, at + 2);
    if (at + 4 + length > extra.size()) break;
    if (id == zip64_extra_id) {
      std::size_t field = at + 4;
      const std::size_t stop = field + length;
      auto next = [&](std::uint64_t& value) {
        if (field + 8 > stop) throw format_error("member '" + e.name + "': ZIP64 field too short");
        value = u64(extra, field);
        field += 8;
      };
      if (size_wide) next(e.size);
      if (csize_wide) next(e.compressed_size);
      if (offset_wide) next(e.header_offset);
      return;
    }
    at += 4 + length;
  }
  throw format_error("member '" + e.name +
                     "': sizes or offset need a ZIP64 field, and it is missing");
}

}  // namespace

std::vector<entry> read_directory(std::span<const std::byte> archive) {
  const directory_location where = locate_directory(archive);
  const std::uint64_t total = archive.size();
  std::vector<entry> entries;
  entries.reserve(static_cast<std::size_t>(where.entries));
  std::set<std::string> names;
  auto at = static_cast<std::size_t>(where.offset);
  const auto stop = static_cast<std::size_t>(where.end);
  for (std::uint64_t n = 0; n < where.entries; ++n) {
    if (at + central_size > stop || u32(archive, at) != central_signature) {
      throw format_error("central directory entry " + std::to_string(n) +
                         " is missing or has a bad signature");
    }
    entry e;
    e.flags = u16(archive, at + 8);
    e.method = u16(archive, at + 10);
    e.crc32 = u32(archive, at + 16);
    e.compressed_size = u32(archive, at + 20);
    e.size = u32(archive, at + 24);
    const std::size_t name_length = u16(archive, at + 28);
    const std::size_t extra_length = u16(archive, at + 30);
    const std::size_t comment_length = u16(archive, at + 32);
    e.header_offset = u32(archive, at + 42);
    const std::size_t variable = name_length + extra_length + comment_length;
    if (at + central_size + variable > stop) {
      throw format_error("central directory entry " + std::to_string(n) + " runs past its end");
    }
    const auto* first = reinterpret_cast<const char*>(archive.data() + at + central_size);
    const std::string_view raw_name(first, name_length);
    e.name = (e.flags & utf8_flag) ? std::string(raw_name) : utf8_of_cp437(raw_name);
    apply_zip64(e, archive.subspan(at + central_size + name_length, extra_length),
                e.size == 0xffffffff, e.compressed_size == 0xffffffff,
                e.header_offset == 0xffffffff);
    at += central_size + variable;

    // The local header: same name; the data follows its name and extra field.
    if (!inside(e.header_offset, local_size, total) ||
        u32(archive, static_cast<std::size_t>(e.header_offset)) != local_signature) {
      throw format_error("member '" + e.name + "': no local header at offset " +
                         std::to_string(e.header_offset));
    }
    const auto local = static_cast<std::size_t>(e.header_offset);
    const std::size_t local_name = u16(archive, local + 26);
    const std::size_t local_extra = u16(archive, local + 28);
    if (!inside(local + local_size, local_name + local_extra, total) ||
        std::string_view(reinterpret_cast<const char*>(archive.data() + local + local_size),
                         local_name) != raw_name) {
      throw format_error("member '" + e.name + "': its local header names another file");
    }
    e.data_offset = local + local_size + local_name + local_extra;
    if (!inside(e.data_offset, e.compressed_size, total)) {
      throw format_error("member '" + e.name + "': its " + std::to_string(e.compressed_size) +
                         " bytes run past the end of the archive");
    }
    if (e.method == stored && !e.encrypted() && e.compressed_size != e.size) {
      throw format_error("member '" + e.name + "' is stored, but its sizes differ (" +
                         std::to_string(e.compressed_size) + " and " + std::to_string(e.size) +
                         ")");
    }
    if (!names.insert(e.name).second) {
      throw format_error("the name '" + e.name + "' is used by two members");
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace maparray::zip
