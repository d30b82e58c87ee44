// npz_archive: members mapped in place from one mapping of the archive, ZIP64 archives bigger
// than 4 GiB, and members that cannot be mapped.
#include "maparray/npz.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "maparray/error.hpp"
#include "temp_dir.hpp"
#include "zip_writer.hpp"

namespace ma = maparray;
using ma::testing::temp_dir;
using ma::testing::zip_member;
using ma::testing::zip_writer;

namespace {

// The bytes of a .npy file of int32 values in `shape`.
std::vector<std::byte> npy_bytes(const std::vector<std::int32_t>& values,
                                 std::vector<ma::index_t> shape, bool fortran = false) {
  auto out = ma::npy::format_header(ma::dtype_of<std::int32_t>(), shape, fortran);
  const auto* p = reinterpret_cast<const std::byte*>(values.data());
  out.insert(out.end(), p, p + values.size() * sizeof(std::int32_t));
  return out;
}

void write(const std::filesystem::path& path, const std::vector<std::byte>& bytes,
           std::uint64_t at = 0) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(at)),
            static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

}  // namespace

TEST(Npz, StoredMembersAreMappedInPlace) {
  temp_dir dir;
  zip_writer w;
  w.add({.name = "a.npy", .data = npy_bytes({1, 2, 3, 4, 5, 6}, {2, 3}), .zip64 = true});
  w.add({.name = "f.npy", .data = npy_bytes({1, 2, 3, 4, 5, 6}, {2, 3}, true)});
  w.add({.name = "notes.txt", .data = {std::byte{'h'}, std::byte{'i'}}});
  write(dir / "x.npz", w.bytes());

  const auto archive = ma::npz_archive::open(dir / "x.npz");
  ASSERT_EQ(archive.members().size(), 3u);
  EXPECT_EQ(archive.members()[0].key, "a");
  EXPECT_EQ(archive.members()[2].key, "notes.txt");
  const ma::any_array a = archive.array(archive.member("a"));
  EXPECT_EQ(a.type(), ma::dtype_of<std::int32_t>());
  ASSERT_EQ(a.ndim(), 2u);
  EXPECT_EQ(a.shape()[0], 2);
  EXPECT_EQ(a.shape()[1], 3);
  EXPECT_FALSE(a.writable());
  // In place: the element's address lies inside the archive's one mapping.
  const auto& storage = archive.storage();
  EXPECT_GE(a.data(), storage.data());
  EXPECT_LT(a.data(), storage.data() + storage.size());
  std::int32_t last;
  std::memcpy(&last, a.data() + 5 * 4, 4);
  EXPECT_EQ(last, 6);
  const ma::any_array f = archive.array(archive.member("f.npy"));
  EXPECT_TRUE(f.is_f_contiguous());
  EXPECT_EQ(f.byte_strides()[0], 4);
  EXPECT_EQ(archive.bytes(archive.member("notes.txt")).size(), 2u);
  EXPECT_THROW(archive.array(archive.member("notes.txt")), ma::format_error);
  EXPECT_THROW(archive.member("missing"), std::out_of_range);
}

TEST(Npz, ArraysOutliveTheArchiveAndCopyOnWriteStaysPrivate) {
  temp_dir dir;
  zip_writer w;
  w.add({.name = "a.npy", .data = npy_bytes({7, 8}, {2})});
  const auto bytes = w.bytes();
  write(dir / "x.npz", bytes);
  ma::any_array a;
  {
    const auto archive = ma::npz_archive::open(dir / "x.npz", {.mode = ma::mode::copy_on_write});
    a = archive.array(archive.members()[0]);
  }
  ASSERT_TRUE(a.writable());
  const std::int32_t changed = 99;
  std::memcpy(a.data(), &changed, 4);
  const auto on_disk = ma::testing::read_all(dir / "x.npz");
  ASSERT_EQ(on_disk.size(), bytes.size());
  EXPECT_EQ(std::memcmp(on_disk.data(), bytes.data(), bytes.size()), 0);
  EXPECT_THROW(ma::npz_archive::open(dir / "x.npz", {.mode = ma::mode::read_write}),
               std::invalid_argument);
}

TEST(Npz, MembersThatCannotBeMappedAreRefusedClearly) {
  temp_dir dir;
  zip_writer w;
  w.add({.name = "z.npy", .data = {std::byte{1}, std::byte{2}}, .method = 8, .size = 200});
  auto truncated = npy_bytes({1, 2, 3}, {3});
  truncated.resize(truncated.size() - 1);
  w.add({.name = "t.npy", .data = truncated});
  w.add({.name = "g.npy", .data = {std::byte{'x'}}});
  write(dir / "x.npz", w.bytes());
  const auto archive = ma::npz_archive::open(dir / "x.npz");
  try {
    archive.array(archive.member("z"));
    FAIL() << "a compressed member was mapped";
  } catch (const ma::format_error& e) {
    EXPECT_NE(std::string(e.what()).find("compressed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("x.npz"), std::string::npos) << e.what();
  }
  try {
    archive.array(archive.member("t"));
    FAIL() << "a truncated member was mapped";
  } catch (const ma::format_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  EXPECT_THROW(archive.array(archive.member("g")), ma::format_error);
  write(dir / "plain.npy", npy_bytes({1}, {1}));
  EXPECT_THROW(ma::npz_archive::open(dir / "plain.npy"), ma::format_error);
  EXPECT_THROW(ma::npz_archive::open(dir / "missing.npz"), std::system_error);
}

TEST(Npz, MembersBeyondFourGibibytes) {
  // A sparse archive whose member starts 5 GiB in: its offset and the directory's need ZIP64.
  temp_dir dir;
  zip_writer w;
  w.gap = std::uint64_t{5} << 30;
  w.zip64_end = true;
  w.add({.name = "far.npy", .data = npy_bytes({41, 42, 43}, {3}), .zip64 = true});
  write(dir / "big.npz", w.bytes(), w.gap);
  const auto archive = ma::npz_archive::open(dir / "big.npz");
  const ma::npz_member& m = archive.member("far");
  EXPECT_EQ(m.entry.header_offset, w.gap);
  const ma::any_array a = archive.array(m);
  std::int32_t middle;
  std::memcpy(&middle, a.data() + 4, 4);
  EXPECT_EQ(middle, 42);
}

TEST(Npz, OpensAnAlreadyOpenFile) {
  temp_dir dir;
  zip_writer w;
  w.add({.name = "a.npy", .data = npy_bytes({5}, {1})});
  write(dir / "x.npz", w.bytes());
  ma::file f = ma::file::open(dir / "x.npz", O_RDONLY);
  const auto archive = ma::npz_archive::open(std::move(f));
  EXPECT_EQ(archive.array(archive.member("a")).size(), 1u);
}
