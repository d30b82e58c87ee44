// A small ZIP writer for tests: builds archives byte by byte, including what numpy's writer
// does (ZIP64 extra fields on every local header) and what hostile files do (bad offsets,
// names that differ between the directory and the local header).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace maparray::testing {

struct zip_member {
  std::string name;
  std::vector<std::byte> data;
  std::uint16_t method = 0;  // 0 stored, 8 deflated (the bytes are not compressed here)
  std::uint64_t size = 0;    // uncompressed size to record; default data.size()
  bool zip64 = false;        // sizes and offset in a ZIP64 extra field, 0xffffffff fields
  std::uint16_t flags = 0;   // bit 11: the name is UTF-8
  std::string local_name{};  // the local header's name, if it should differ
};

class zip_writer {
 public:
  // Bytes before the first member (only zeros), so that members start at big offsets when the
  // archive is written sparsely.
  std::uint64_t gap = 0;
  bool zip64_end = false;  // write the ZIP64 end record and locator
  std::string comment;

  void add(zip_member m) { members_.push_back(std::move(m)); }

  // The archive's bytes after `gap` (the gap itself is left to the caller), with offsets
  // counted from the start of the file.
  std::vector<std::byte> bytes() const {
    std::vector<std::byte> out;
    std::vector<std::byte> directory;
    for (const zip_member& m : members_) {
      const std::uint64_t offset = gap + out.size();
      const std::uint64_t size = m.size ? m.size : m.data.size();
      const std::string& local_name = m.local_name.empty() ? m.name : m.local_name;
      put32(out, 0x04034b50);
      put16(out, 45);
      put16(out, m.flags);
      put16(out, m.method);
      put32(out, 0);  // time and date
      put32(out, 0);  // crc32, not checked by the reader
      put32(out, m.zip64 ? 0xffffffff : static_cast<std::uint32_t>(m.data.size()));
      put32(out, m.zip64 ? 0xffffffff : static_cast<std::uint32_t>(size));
      put16(out, static_cast<std::uint16_t>(local_name.size()));
      put16(out, m.zip64 ? 20 : 0);
      append(out, local_name);
      if (m.zip64) {
        put16(out, 1);
        put16(out, 16);
        put64(out, size);
        put64(out, m.data.size());
      }
      out.insert(out.end(), m.data.begin(), m.data.end());

      put32(directory, 0x02014b50);
      put16(directory, 45);
      put16(directory, 45);
      put16(directory, m.flags);
      put16(directory, m.method);
      put32(directory, 0);
      put32(directory, 0);
      put32(directory, m.zip64 ? 0xffffffff : static_cast<std::uint32_t>(m.data.size()));
      put32(directory, m.zip64 ? 0xffffffff : static_cast<std::uint32_t>(size));
      put16(directory, static_cast<std::uint16_t>(m.name.size()));
      put16(directory, m.zip64 ? 28 : 0);
      put16(directory, 0);  // comment
      put16(directory, 0);  // disk
      put16(directory, 0);  // internal attributes
      put32(directory, 0);  // external attributes
      put32(directory, m.zip64 ? 0xffffffff : static_cast<std::uint32_t>(offset));
      append(directory, m.name);
      if (m.zip64) {
        put16(directory, 1);
        put16(directory, 24);
        put64(directory, size);
        put64(directory, m.data.size());
        put64(directory, offset);
      }
    }
    const std::uint64_t directory_offset = gap + out.size();
    out.insert(out.end(), directory.begin(), directory.end());
    const std::uint64_t zip64_offset = gap + out.size();
    if (zip64_end) {
      put32(out, 0x06064b50);
      put64(out, 44);
      put16(out, 45);
      put16(out, 45);
      put32(out, 0);
      put32(out, 0);
      put64(out, members_.size());
      put64(out, members_.size());
      put64(out, directory.size());
      put64(out, directory_offset);
      put32(out, 0x07064b50);
      put32(out, 0);
      put64(out, zip64_offset);
      put32(out, 1);
    }
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, zip64_end ? 0xffff : static_cast<std::uint16_t>(members_.size()));
    put16(out, zip64_end ? 0xffff : static_cast<std::uint16_t>(members_.size()));
    put32(out, zip64_end ? 0xffffffff : static_cast<std::uint32_t>(directory.size()));
    put32(out, zip64_end ? 0xffffffff : static_cast<std::uint32_t>(directory_offset));
    put16(out, static_cast<std::uint16_t>(comment.size()));
    append(out, comment);
    return out;
  }

 private:
  static void put16(std::vector<std::byte>& v, std::uint16_t x) { putn(v, x, 2); }
  static void put32(std::vector<std::byte>& v, std::uint32_t x) { putn(v, x, 4); }
  static void put64(std::vector<std::byte>& v, std::uint64_t x) { putn(v, x, 8); }
  static void putn(std::vector<std::byte>& v, std::uint64_t x, int n) {
    for (int i = 0; i < n; ++i) v.push_back(static_cast<std::byte>(x >> (8 * i)));
  }
  static void append(std::vector<std::byte>& v, const std::string& s) {
    for (const char c : s) v.push_back(static_cast<std::byte>(c));
  }

  std::vector<zip_member> members_;
};

}  // namespace maparray::testing
