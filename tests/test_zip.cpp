// zip::read_directory: archives as numpy and other writers make them, ZIP64, and malformed
// archives, each refused with a format_error that says what is wrong.
#include "maparray/zip.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "maparray/error.hpp"
#include "zip_writer.hpp"

namespace ma = maparray;
using ma::testing::zip_member;
using ma::testing::zip_writer;

namespace {

std::vector<std::byte> bytes_of(const std::string& s) {
  std::vector<std::byte> out;
  for (const char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

std::string error_of(const std::vector<std::byte>& archive) {
  try {
    ma::zip::read_directory(archive);
  } catch (const ma::format_error& e) {
    return e.what();
  }
  return "no error";
}

void put32(std::vector<std::byte>& v, std::size_t at, std::uint32_t x) {
  for (int i = 0; i < 4; ++i) v[at + i] = static_cast<std::byte>(x >> (8 * i));
}

}  // namespace

TEST(Zip, ReadsStoredAndDeflatedMembers) {
  zip_writer w;
  w.add({.name = "a.npy", .data = bytes_of("hello")});
  w.add({.name = "b.npy", .data = bytes_of("xyz"), .method = 8, .size = 100});
  w.comment = "a comment";
  const auto archive = w.bytes();
  const auto entries = ma::zip::read_directory(archive);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "a.npy");
  EXPECT_EQ(entries[0].method, ma::zip::stored);
  EXPECT_EQ(entries[0].size, 5u);
  EXPECT_EQ(entries[0].data_offset, 30u + 5u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(archive.data() + entries[0].data_offset), 5),
            "hello");
  EXPECT_EQ(entries[1].method, ma::zip::deflated);
  EXPECT_EQ(entries[1].compressed_size, 3u);
  EXPECT_EQ(entries[1].size, 100u);
}

TEST(Zip, ReadsZip64FieldsAndEndRecords) {
  zip_writer w;
  w.zip64_end = true;
  w.add({.name = "x.npy", .data = bytes_of("0123456789"), .zip64 = true});
  w.add({.name = "y.npy", .data = bytes_of("ab")});
  const auto entries = ma::zip::read_directory(w.bytes());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].size, 10u);
  EXPECT_EQ(entries[0].compressed_size, 10u);
  EXPECT_EQ(entries[0].header_offset, 0u);
  EXPECT_EQ(entries[0].data_offset, 30u + 5u + 20u);
  EXPECT_EQ(entries[1].size, 2u);
}

TEST(Zip, EmptyArchive) {
  EXPECT_TRUE(ma::zip::read_directory(zip_writer{}.bytes()).empty());
}

TEST(Zip, NamesInCodePage437AreConverted) {
  zip_writer w;
  w.add({.name = "caf\x82.npy", .data = {}});                              // CP437 0x82 is U+00E9
  w.add({.name = "\xc3\xa9t\xc3\xa9.npy", .data = {}, .flags = 1 << 11});  // UTF-8
  const auto entries = ma::zip::read_directory(w.bytes());
  EXPECT_EQ(entries[0].name, "caf\xc3\xa9.npy");
  EXPECT_EQ(entries[1].name, "\xc3\xa9t\xc3\xa9.npy");
}

TEST(Zip, MalformedArchivesSayWhatIsWrong) {
  EXPECT_NE(error_of({}).find("too short"), std::string::npos);
  EXPECT_NE(error_of(bytes_of(std::string(100, 'x'))).find("no end-of-central-directory"),
            std::string::npos);

  zip_writer w;
  w.add({.name = "a.npy", .data = bytes_of("hello")});
  const auto good = w.bytes();
  const std::size_t end = good.size() - 22;
  const std::size_t directory = 30 + 5 + 5;

  auto bad = good;
  put32(bad, directory + 42, 7);  // local header offset pointing at garbage
  EXPECT_NE(error_of(bad).find("no local header"), std::string::npos);

  bad = good;
  put32(bad, directory + 20, 1000);  // compressed size past the end
  put32(bad, directory + 24, 1000);
  EXPECT_NE(error_of(bad).find("run past the end"), std::string::npos);

  bad = good;
  put32(bad, directory + 24, 6);  // stored, but the sizes differ
  EXPECT_NE(error_of(bad).find("sizes differ"), std::string::npos);

  bad = good;
  put32(bad, end + 16, 3);  // the directory's offset
  EXPECT_NE(error_of(bad).find("central directory"), std::string::npos);

  bad = good;
  put32(bad, end + 8, 0x00090009);  // nine entries announced
  EXPECT_NE(error_of(bad).find("cannot hold"), std::string::npos);

  bad = good;
  bad[end + 4] = std::byte{1};  // disk 1
  EXPECT_NE(error_of(bad).find("multi-disk"), std::string::npos);

  bad = good;
  put32(bad, end + 12, 0xffffffff);  // ZIP64 value without a locator
  EXPECT_NE(error_of(bad).find("ZIP64"), std::string::npos);

  zip_writer renamed;
  renamed.add({.name = "a.npy", .data = bytes_of("x"), .local_name = "b.npy"});
  EXPECT_NE(error_of(renamed.bytes()).find("names another file"), std::string::npos);

  zip_writer twice;
  twice.add({.name = "a.npy", .data = bytes_of("x")});
  twice.add({.name = "a.npy", .data = bytes_of("y")});
  EXPECT_NE(error_of(twice.bytes()).find("two members"), std::string::npos);

  zip_writer short64;
  short64.add({.name = "a.npy", .data = bytes_of("x"), .zip64 = true});
  bad = short64.bytes();
  // Shrink the directory entry's ZIP64 field to 8 bytes: the offset is missing.
  const std::size_t entry = 30 + 5 + 20 + 1;
  bad[entry + 46 + 5 + 2] = std::byte{8};
  EXPECT_NE(error_of(bad).find("ZIP64"), std::string::npos);
}

TEST(Zip, EveryTruncationIsRefused) {
  zip_writer w;
  w.zip64_end = true;
  w.add({.name = "a.npy", .data = bytes_of("some data"), .zip64 = true});
  w.add({.name = "b.npy", .data = bytes_of("more")});
  const auto good = w.bytes();
  for (std::size_t n = 0; n < good.size(); ++n) {
    const std::vector<std::byte> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW(ma::zip::read_directory(cut), ma::format_error) << n;
  }
}
