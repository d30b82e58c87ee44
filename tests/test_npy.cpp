#include "maparray/npy.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace ma = maparray;
namespace npy = maparray::npy;
using ma::testing::read_all;
using ma::testing::temp_dir;

namespace {

// A version 1.0 header around `dict`, padded to 64 bytes like numpy's, as raw bytes.
std::vector<std::byte> v1_header(const std::string& dict, std::uint8_t major = 1) {
  const std::size_t field = major == 1 ? 2 : 4;
  std::size_t total = 8 + field + dict.size() + 1;
  total += (64 - total % 64) % 64;
  const std::size_t length = total - 8 - field;
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += '\0';
  for (std::size_t k = 0; k < field; ++k) s += static_cast<char>((length >> (8 * k)) & 0xFF);
  s += dict;
  s.append(total - s.size() - 1, ' ');
  s += '\n';
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

npy::header parse(const std::string& dict, std::uint8_t major = 1) {
  return npy::parse_header(v1_header(dict, major));
}

void write_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::string as_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string other_order(const char* code) {
  return std::string(ma::native_order == ma::byte_order::little ? ">" : "<") + code;
}

}  // namespace

TEST(NpyParseHeader, ReadsNumpysOwnHeader) {
  const auto h = parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  EXPECT_EQ(h.major_version, 1);
  EXPECT_EQ(h.type.str(), "<f4");
  EXPECT_EQ(h.shape, (ma::dims{2, 3}));
  EXPECT_FALSE(h.fortran_order);
  EXPECT_EQ(h.data_offset, 128);
  EXPECT_EQ(h.data_length, 24);
}

TEST(NpyParseHeader, AcceptsAnyKeyOrderQuotesWhitespaceAndComments) {
  const auto h =
      parse("{ \"shape\" :(7,) ,\n\t'fortran_order':True, # a comment\n 'desc' 'r': u'>i8'}");
  EXPECT_EQ(h.shape, (ma::dims{7}));
  EXPECT_TRUE(h.fortran_order);
  EXPECT_EQ(h.type.str(), ">i8");
  EXPECT_EQ(parse("{'descr':'|u1','fortran_order':False,'shape':(0x10, 0b11, 1_0)}").shape,
            (ma::dims{16, 3, 10}));
}

TEST(NpyParseHeader, ZeroDimensionalAndEmptyShapes) {
  const auto scalar = parse("{'descr': '<i4', 'fortran_order': False, 'shape': (), }");
  EXPECT_EQ(scalar.shape.size(), 0u);
  EXPECT_EQ(scalar.data_length, 4);
  const auto empty = parse("{'descr': '<i4', 'fortran_order': False, 'shape': (0, 5), }");
  EXPECT_EQ(empty.data_length, 0);
}

TEST(NpyParseHeader, EmptyShapesWhoseStridesOverflowAreRejected) {
  // numpy.load refuses these too ("array is too big"): the strides would overflow 64 bits.
  EXPECT_THROW(
      parse("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 9223372036854775807), }"),
      ma::format_error);
  EXPECT_THROW(parse("{'descr': '|u1', 'fortran_order': False, "
                     "'shape': (0, 4611686018427387904, 4), }"),
               ma::format_error);
  EXPECT_THROW(
      parse("{'descr': '<f8', 'fortran_order': True, 'shape': (9223372036854775807, 0), }"),
      ma::format_error);
  EXPECT_NO_THROW(
      parse("{'descr': '|u1', 'fortran_order': False, 'shape': (0, 9223372036854775807), }"));
}

TEST(NpyParseHeader, PythonTwoLongSuffixOnlyInOldVersions) {
  EXPECT_EQ(parse("{'descr': '<i4', 'fortran_order': False, 'shape': (3L, 4L), }").shape,
            (ma::dims{3, 4}));
  EXPECT_THROW(parse("{'descr': '<i4', 'fortran_order': False, 'shape': (3L,), }", 3),
               ma::format_error);
}

TEST(NpyParseHeader, VersionThreeIsUtf8AndVersionOneLatin1) {
  const std::string name = "\xc3\xa9t\xc3\xa9";  // "été" in UTF-8
  const auto h3 = parse("{'descr': [('" + name +
                            "', '<f8')], 'fortran_order': False, "
                            "'shape': (1,), }",
                        3);
  EXPECT_EQ(h3.type.fields().at(0).name, name);
  // The same bytes in a 1.0 header are Latin-1: each byte is one character.
  const auto h1 = parse(
      "{'descr': [('\xe9t\xe9', '<f8')], 'fortran_order': False, "
      "'shape': (1,), }",
      1);
  EXPECT_EQ(h1.type.fields().at(0).name, name);
  EXPECT_THROW(parse("{'descr': [('\xe9t\xe9', '<f8')], 'fortran_order': False, 'shape': (1,)}", 3),
               ma::format_error);
}

TEST(NpyParseHeader, RejectsInNumpysOrder) {
  const auto message = [](const std::string& dict) {
    try {
      parse(dict);
    } catch (const ma::format_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("['descr', 'fortran_order', 'shape']").find("not a dict"), std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'shape': (1,)}").find("keys"), std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}").find("keys"),
            std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}")
                .find("keys"),
            std::string::npos);
  // The shape is checked before fortran_order, and fortran_order before descr.
  EXPECT_NE(message("{'descr': '<x4', 'fortran_order': 0, 'shape': [1]}").find("shape"),
            std::string::npos);
  EXPECT_NE(message("{'descr': '<x4', 'fortran_order': 0, 'shape': (1,)}").find("fortran_order"),
            std::string::npos);
  EXPECT_NE(message("{'descr': '<x4', 'fortran_order': False, 'shape': (1,)}").find("descr"),
            std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}").find("negative"),
            std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}").find("tuple"),
            std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': False, "
                    "'shape': (4294967296, 4294967296)}")
                .find("2^63"),
            std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': False, "
                    "'shape': (99999999999999999999,)}")
                .find("too large"),
            std::string::npos);
}

TEST(NpyParseHeader, HeaderLengthLimitIsCheckedFirstAndSettable) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
  dict.append(20000, ' ');
  const auto bytes = v1_header(dict);
  try {
    npy::parse_header(std::span(bytes).first(12));  // the limit is known from 12 bytes
    FAIL() << "no error";
  } catch (const ma::format_error& e) {
    EXPECT_NE(std::string(e.what()).find("limit of 10000"), std::string::npos) << e.what();
  }
  EXPECT_EQ(npy::parse_header(bytes, {.max_header_length = 30000}).shape, (ma::dims{1}));
  EXPECT_EQ(npy::header_extent(bytes, {.max_header_length = 30000}),
            static_cast<std::int64_t>(bytes.size()));
}

TEST(NpyParseHeader, TruncatedInputIsAFormatError) {
  const auto bytes = v1_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(npy::parse_header(std::span(bytes).first(n)), ma::format_error) << n;
  }
}

TEST(NpyDescr, PrimitiveTypesInBothOrders) {
  for (const char* code : {"i2", "i4", "i8", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"}) {
    for (const char* order : {"<", ">"}) {
      const std::string text = std::string(order) + code;
      EXPECT_EQ(npy::parse_descr("'" + text + "'").str(), text);
    }
  }
  EXPECT_EQ(npy::parse_descr("'|b1'"), ma::dtype_of<bool>());
  EXPECT_EQ(npy::parse_descr("'|S7'").itemsize(), 7);
  EXPECT_EQ(npy::parse_descr("'|V8'").kind(), ma::dtype_kind::raw);
  EXPECT_EQ(npy::parse_descr("'<U3'").itemsize(), 12);
  EXPECT_EQ(npy::parse_descr("'>U3'").str(), ">U3");
  EXPECT_THROW(npy::parse_descr("'|O'"), ma::format_error);
  EXPECT_THROW(npy::parse_descr("'<f5'"), ma::format_error);
  EXPECT_THROW(npy::parse_descr("('<f4', (2,))"), ma::format_error);
  EXPECT_THROW(npy::parse_descr("3"), ma::format_error);
}

TEST(NpyDescr, RecordsWithTitlesPaddingNestingAndSubarrays) {
  const std::string text =
      "[(('the title', 'x'), '<f4', (2,)), ('n', [('a', '>i2')]), ('s', '|S3'), ('', '|V3'), "
      "('u', '<U2')]";
  const auto t = npy::parse_descr(text);
  ASSERT_EQ(t.kind(), ma::dtype_kind::record);
  ASSERT_EQ(t.fields().size(), 4u);  // the padding is not a field
  EXPECT_EQ(t.fields()[0].title, "the title");
  EXPECT_EQ(t.fields()[0].shape, (ma::dims{2}));
  EXPECT_EQ(t.fields()[1].offset, 8);
  EXPECT_EQ(t.fields()[1].type->fields()[0].name, "a");
  EXPECT_EQ(t.fields()[2].offset, 10);
  EXPECT_EQ(t.fields()[3].offset, 16);
  EXPECT_EQ(t.itemsize(), 24);
  // Printed back exactly as numpy's dtype.descr.
  EXPECT_EQ(t.str(), text);
  EXPECT_EQ(npy::format_descr(t), text);
  // Trailing padding, and nested subarrays, which numpy keeps nested: a field of two subarrays
  // of three is another dtype than a field of shape (2, 3), though the bytes are the same.
  const std::string nested = "[('a', ('<i4', (3,)), (2,)), ('', '|V4')]";
  const auto u = npy::parse_descr(nested);
  EXPECT_EQ(u.fields()[0].shape, (ma::dims{2, 3}));
  EXPECT_EQ(u.itemsize(), 28);
  EXPECT_EQ(u.str(), nested);
  EXPECT_EQ(npy::format_descr(u), nested);
  const auto folded = npy::parse_descr("[('a', '<i4', (2, 3)), ('', '|V4')]");
  EXPECT_EQ(folded.fields()[0].shape, (ma::dims{2, 3}));
  EXPECT_FALSE(u == folded);
  // numpy's own test dtype, and three levels.
  for (const std::string text : {"[('c', ('<f8', (5,)), (2,))]",
                                 "[('c', (('<f8', (5,)), (3,)), (2,))]",
                                 "[('c', ([('x', '<i4')], (5,)), (2, 3))]"}) {
    EXPECT_EQ(npy::parse_descr(text).str(), text);
  }
  // A level without dimensions is no level, as in numpy.
  EXPECT_EQ(npy::parse_descr("[('c', ('<f8', (5,)), ())]").str(), "[('c', '<f8', (5,))]");
  EXPECT_EQ(npy::parse_descr("[('c', ('<f8', ()), (5,))]").str(), "[('c', '<f8', (5,))]");
}

TEST(NpyDescr, RecordErrors) {
  EXPECT_THROW(npy::parse_descr("[('x', '<f4'), ('x', '<i4')]"), ma::format_error);
  EXPECT_THROW(npy::parse_descr("[(('x', 'y'), '<f4'), ('x', '<i4')]"), ma::format_error);
  EXPECT_THROW(npy::parse_descr("[('', '<f4')]"), ma::format_error);
  EXPECT_THROW(npy::parse_descr("[('x',)]"), ma::format_error);
  EXPECT_THROW(npy::parse_descr("[('x', '<f4', (-1,))]"), ma::format_error);
  EXPECT_THROW(npy::parse_descr("[(1, '<f4')]"), ma::format_error);
  EXPECT_THROW(npy::parse_descr("[('x', '|V2147483647', (4,))]"), ma::format_error);
  EXPECT_THROW(npy::parse_descr(std::string(100, '[') + std::string(100, ']')), ma::format_error);
}

TEST(NpyDescr, FieldNamesAreQuotedAsPythonDoes) {
  const auto t = npy::parse_descr(R"([("it's", '<f4'), ('a\\b\n', '<f4')])");
  EXPECT_EQ(t.fields()[0].name, "it's");
  EXPECT_EQ(t.fields()[1].name, "a\\b\n");
  EXPECT_EQ(t.str(), R"([("it's", '<f4'), ('a\\b\n', '<f4')])");
}

TEST(NpyFormatHeader, NumpysBytesForAFloatMatrix) {
  // numpy.save(f, numpy.zeros((2, 3), '<f4')) writes these 128 bytes.
  std::string expected = std::string("\x93NUMPY\x01\x00v\x00", 10) +
                         "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  expected.append(127 - expected.size(), ' ');
  expected += '\n';
  EXPECT_EQ(as_string(npy::format_header(npy::parse_descr("'<f4'"), std::vector<ma::index_t>{2, 3},
                                         false)),
            expected);
}

TEST(NpyFormatHeader, AlignedParsableAndGrowable) {
  const auto type = ma::dtype_of<std::uint8_t>();
  for (const auto& shape : std::vector<std::vector<ma::index_t>>{
           {}, {0}, {5}, {3, 4}, {123456789}, {1, 2, 1, 2, 1, 2, 1, 2}}) {
    for (bool fortran : {false, true}) {
      const auto bytes = npy::format_header(type, shape, fortran);
      EXPECT_EQ(bytes.size() % 64, 0u);
      EXPECT_EQ(static_cast<char>(bytes.back()), '\n');
      const auto h = npy::parse_header(bytes);
      EXPECT_EQ(h.data_offset, static_cast<std::int64_t>(bytes.size()));
      EXPECT_EQ(h.shape.span().size(), shape.size());
      EXPECT_EQ(h.fortran_order, fortran && npy::fortran_order_differs(shape));
      // Room for the growing axis to reach 21 digits.
      if (!shape.empty()) {
        auto grown = shape;
        grown[h.fortran_order ? shape.size() - 1 : 0] = 99999999999999999;  // 17 digits
        EXPECT_EQ(npy::format_header(type, grown, fortran).size(), bytes.size());
      }
    }
  }
}

TEST(NpyFormatHeader, VersionTwoForLongHeadersThreeForNonLatin1Names) {
  std::string fields = "[";
  for (int k = 0; k < 4000; ++k) fields += "('field" + std::to_string(k) + "', '<f4'), ";
  fields += "]";
  const auto many =
      npy::format_header(npy::parse_descr(fields), std::vector<ma::index_t>{1}, false);
  EXPECT_EQ(static_cast<int>(many[6]), 2);
  EXPECT_EQ(npy::parse_header(many, {.max_header_length = 1 << 20}).type.fields().size(), 4000u);
  const auto greek = npy::format_header(npy::parse_descr("[('\xce\xb1', '<f4')]"),
                                        std::vector<ma::index_t>{1}, false);
  EXPECT_EQ(static_cast<int>(greek[6]), 3);
  const auto latin = npy::format_header(npy::parse_descr("[('\xc3\xa9', '<f4')]"),
                                        std::vector<ma::index_t>{1}, false);
  EXPECT_EQ(static_cast<int>(latin[6]), 1);
  EXPECT_EQ(npy::parse_header(latin).type.fields()[0].name, "\xc3\xa9");
}

TEST(NpyFile, CreateThenOpenTyped) {
  temp_dir dir;
  const auto path = dir / "w.npy";
  {
    auto w = ma::create_npy<std::int32_t>(path, {10, 3});
    for (int i = 0; i < 10; ++i) w(i, 2) = i * 7;
    w.flush();
  }
  const auto r = ma::open_npy<const std::int32_t>(path);
  EXPECT_EQ(r.shape()[0], 10);
  EXPECT_EQ(r.shape()[1], 3);
  EXPECT_EQ(r(9, 2), 63);
  EXPECT_EQ(r.storage().mode(), ma::mode::read);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(r.data()) % 64, 0u);
  EXPECT_THROW(ma::create_npy<std::int32_t>(path, {1}), std::system_error);
  EXPECT_EQ(ma::create_npy<std::int32_t>(path, {4}, {.existing = ma::if_exists::replace}).size(),
            4u);
  EXPECT_EQ(ma::open_npy<const std::int32_t>(path).size(), 4u);
  EXPECT_THROW(ma::create_npy<std::int32_t>(path, {5}, {.existing = ma::if_exists::open}),
               std::invalid_argument);
  EXPECT_THROW(ma::stage_npy(dir / "new.npy", ma::dtype_of<float>(), {4},
                             {.existing = ma::if_exists::open}),
               std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "new.npy"));
  EXPECT_EQ(ma::open_npy<const std::int32_t>(path).size(), 4u);  // untouched
}

TEST(NpyFile, FortranOrder) {
  temp_dir dir;
  const auto path = dir / "f.npy";
  auto w = ma::create_npy<double>(path, {2, 3}, {.order = ma::order::fortran});
  w(1, 0) = 5.0;
  EXPECT_EQ(w.data()[1], 5.0);
  const auto r = ma::open_npy<const double>(path);
  EXPECT_TRUE(r.is_f_contiguous());
  EXPECT_EQ(r(1, 0), 5.0);
}

TEST(NpyFile, DtypeMismatchAndByteOrder) {
  temp_dir dir;
  const auto path = dir / "b.npy";
  ma::create_npy(path, ma::dtype::parse(other_order("f8")), {4});
  try {
    ma::open_npy<const double>(path);
    FAIL() << "no error";
  } catch (const ma::type_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("byte order"), std::string::npos) << what;
    EXPECT_NE(what.find("b.npy"), std::string::npos) << what;
    EXPECT_NE(what.find(other_order("f8")), std::string::npos) << what;
    EXPECT_NE(what.find(ma::dtype_of<double>().str()), std::string::npos) << what;
  }
  EXPECT_THROW(ma::open_npy<const float>(path), ma::type_error);
  EXPECT_THROW(ma::open_npy(path, {.expect = ma::dtype_of<float>()}), ma::type_error);
  const auto any = ma::open_npy(path);
  EXPECT_EQ(any.type().str(), other_order("f8"));
  EXPECT_FALSE(any.writable());
}

TEST(NpyFile, RecordsNeedAnExpectedDtypeOrAnItemsizeOptIn) {
  struct point {
    float x;
    std::int32_t y;
  };
  temp_dir dir;
  const auto path = dir / "r.npy";
  const auto type = npy::parse_descr("[('x', '<f4'), ('y', '<i4')]");
  auto w = ma::create_npy(path, type, {3});
  w.as_bytes_of<point>()(2) = {1.5f, 9};
  EXPECT_THROW(ma::open_npy<const point>(path), std::invalid_argument);
  const auto a = ma::open_npy<const point>(path, {.expect = type});
  EXPECT_EQ(a(2).y, 9);
  EXPECT_EQ(ma::open_npy<const point>(path, {.itemsize_only = true})(2).x, 1.5f);
  EXPECT_THROW(ma::open_npy<const point>(path, {.expect = npy::parse_descr("[('x', '<f4'), "
                                                                           "('z', '<i4')]")}),
               ma::type_error);
  EXPECT_THROW(ma::open_npy<const std::int64_t>(path, {.itemsize_only = true}), ma::type_error);
  EXPECT_THROW(ma::create_npy(dir / "zero.npy", npy::parse_descr("[]"), {3}),
               std::invalid_argument);
}

TEST(NpyFile, TruncatedDataIsAFormatErrorAndTrailingBytesAreAllowed) {
  temp_dir dir;
  const auto path = dir / "t.npy";
  auto bytes = npy::format_header(ma::dtype_of<std::int16_t>(), std::vector<ma::index_t>{8}, false);
  bytes.resize(bytes.size() + 15);
  write_bytes(path, bytes);
  try {
    ma::open_npy<const std::int16_t>(path);
    FAIL() << "no error";
  } catch (const ma::format_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  bytes.resize(bytes.size() + 100);
  write_bytes(path, bytes);
  EXPECT_EQ(ma::open_npy<const std::int16_t>(path).size(), 8u);
}

TEST(NpyFile, AppendGrowsAxisZeroAndKeepsOldViews) {
  temp_dir dir;
  const auto path = dir / "a.npy";
  {
    auto w = ma::create_npy<std::int32_t>(path, {2, 3});
    std::iota(w.flat().begin(), w.flat().end(), 0);
  }
  const auto before = ma::open_npy<const std::int32_t>(path);
  const std::vector<std::int32_t> more = {6, 7, 8, 9, 10, 11};
  ma::append_npy<std::int32_t>(path, std::span<const std::int32_t>(more));
  EXPECT_EQ(before.shape()[0], 2);
  EXPECT_EQ(before(1, 2), 5);
  const auto after = ma::open_npy<const std::int32_t>(path);
  EXPECT_EQ(after.shape()[0], 4);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(after.flat()[static_cast<std::size_t>(i)], i);
  // The header is still numpy's for the new shape.
  const auto file = read_all(path);
  EXPECT_EQ(std::string(file.begin() + 10, file.begin() + 64),
            as_string(npy::format_header(ma::dtype_of<std::int32_t>(),
                                         std::vector<ma::index_t>{4, 3}, false))
                .substr(10, 54));
  EXPECT_THROW(ma::append_npy<std::int32_t>(path, std::span<const std::int32_t>(more).first(4)),
               std::invalid_argument);
  EXPECT_THROW(ma::append_npy<std::int64_t>(path, std::vector<std::int64_t>{1, 2, 3}),
               ma::type_error);
  // An array of rows in the file's shape.
  ma::append_npy(path, after.rows(0, 2));
  const auto third = ma::open_npy<const std::int32_t>(path);
  EXPECT_EQ(third.shape()[0], 6);
  EXPECT_EQ(third(5, 2), 5);
}

TEST(NpyFile, AppendGrowsTheLastAxisOfFortranOrder) {
  temp_dir dir;
  const auto path = dir / "f.npy";
  auto w = ma::create_npy<double>(path, {2, 2}, {.order = ma::order::fortran});
  w(0, 1) = 1.0;
  const std::vector<double> column = {3.0, 4.0};
  ma::append_npy<double>(path, std::span<const double>(column));
  const auto r = ma::open_npy<const double>(path);
  EXPECT_EQ(r.shape()[0], 2);
  EXPECT_EQ(r.shape()[1], 3);
  EXPECT_EQ(r(0, 1), 1.0);
  EXPECT_EQ(r(1, 2), 4.0);
}

TEST(NpyFile, AppendRefusesAHeaderWithoutRoomAndAScalar) {
  temp_dir dir;
  const auto path = dir / "tight.npy";
  // A header with no spare room: (9,) fits, (10,) needs one more byte.
  const std::string dict = "{'descr': '<i2', 'fortran_order': False, 'shape': (9,), }";
  std::string s = std::string("\x93NUMPY\x01\x00", 8);
  s += static_cast<char>(dict.size() + 1);
  s += '\0';
  s += dict + "\n";
  s.append(18, '\0');
  std::vector<std::byte> bytes(s.size());
  std::memcpy(bytes.data(), s.data(), s.size());
  write_bytes(path, bytes);
  const std::vector<std::int16_t> one = {1};
  try {
    ma::append_npy<std::int16_t>(path, std::span<const std::int16_t>(one));
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("room"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ma::open_npy<const std::int16_t>(path).size(), 9u);
  ma::create_npy<float>(dir / "scalar.npy", {});
  EXPECT_THROW(ma::append_npy<float>(dir / "scalar.npy", std::vector<float>{1.0f}),
               std::invalid_argument);
}

TEST(NpyFile, OpenIsReadOnlyUnlessAsked) {
  temp_dir dir;
  const auto path = dir / "o.npy";
  ma::create_npy<std::uint8_t>(path, {4});
  EXPECT_FALSE(ma::open_npy(path).writable());
  auto w = ma::open_npy(path, {.mode = ma::mode::read_write});
  EXPECT_TRUE(w.writable());
  w.data()[3] = std::byte{42};
  EXPECT_EQ(ma::open_npy<const std::uint8_t>(path)(3), 42);
  EXPECT_THROW(ma::open_npy<std::uint8_t>(path, {.mode = ma::mode::read}), std::invalid_argument);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
TEST(NpyFile, TheFormerNameOpenStillOpensWithTheFilesDtype) {
  temp_dir dir;
  const auto path = dir / "former.npy";
  ma::create_npy<std::int16_t>(path, {2, 3});
  const ma::any_array a = ma::open(path);
  EXPECT_EQ(a.type(), ma::dtype_of<std::int16_t>());
  ASSERT_EQ(a.shape().size(), 2u);
  EXPECT_EQ(a.shape()[1], 3);
  EXPECT_FALSE(a.writable());
  EXPECT_TRUE(ma::open(ma::file::open(path, O_RDWR), {.mode = ma::mode::read_write}).writable());
}
#pragma GCC diagnostic pop

TEST(NpyFile, AnInterruptedAppendLeavesTheOldArrayAndIsOverwrittenByTheNext) {
  temp_dir dir;
  const auto path = dir / "i.npy";
  {
    auto w = ma::create_npy<std::int16_t>(path, {3});
    w(0) = 1;
    w(1) = 2;
    w(2) = 3;
  }
  // Data written past the end without the header update, as a crash mid-append leaves it.
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out.write("\x7f\x7f\x7f", 3);
  }
  EXPECT_EQ(ma::open_npy<const std::int16_t>(path).size(), 3u);
  ma::append_npy<std::int16_t>(path, std::vector<std::int16_t>{4});
  const auto r = ma::open_npy<const std::int16_t>(path);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r(3), 4);
}

TEST(NpyFile, AHugeHeaderLengthAllocatesNothingEvenWithTheLimitRaised) {
  temp_dir dir;
  const auto path = dir / "h.npy";
  const std::string bytes("\x93NUMPY\x02\x00\xff\xff\xff\xff{}", 14);
  write_bytes(path, std::as_bytes(std::span(bytes)));
  try {
    ma::open_npy(path, {.limits = {.max_header_length = std::size_t{1} << 40}});
    FAIL() << "no error";
  } catch (const ma::format_error& e) {
    EXPECT_NE(std::string(e.what()).find("ends inside the header"), std::string::npos) << e.what();
  }
}

TEST(NpyFile, ReadersDuringAppendsSeeOneWholeShapeOrTheNext) {
  temp_dir dir;
  const auto path = dir / "c.npy";
  ma::create_npy<std::int64_t>(path, {0, 2});
  std::atomic<bool> done{false};
  std::thread appender([&] {
    for (std::int64_t i = 0; i < 40; ++i) {
      ma::append_npy<std::int64_t>(path, std::vector<std::int64_t>{i, i * i});
    }
    done = true;
  });
  std::int64_t seen = 0;
  int reads = 0;
  while (!done || reads == 0) {
    const auto a = ma::open_npy<const std::int64_t>(path);
    ASSERT_GE(a.extent(0), seen);
    seen = a.extent(0);
    for (std::int64_t i = 0; i < seen; ++i) ASSERT_EQ(a(i, 1), i * i);
    ++reads;
  }
  appender.join();
  EXPECT_EQ(ma::open_npy<const std::int64_t>(path).extent(0), 40);
}

namespace {

// Holds an open-file-description lock of `type` on the first byte of `path` (the header lock
// maparray takes) from another open of the file, until release().
class header_lock_holder {
 public:
  header_lock_holder(const std::filesystem::path& path, short type)
      : fd_(::open(path.c_str(), O_RDWR | O_CLOEXEC)) {
    struct flock l {};
    l.l_type = type;
    l.l_whence = SEEK_SET;
    l.l_len = 1;
    locked_ = fd_ >= 0 && ::fcntl(fd_, F_OFD_SETLK, &l) == 0;
  }
  ~header_lock_holder() { release(); }
  bool locked() const { return locked_; }
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  bool locked_ = false;
};

// Runs `work` on a thread; returns its error message ("done" if none), or "hung" if it has not
// finished ten seconds after starting (then `holder` is released so that it can finish).
std::string outcome_within_ten_seconds(header_lock_holder& holder,
                                       const std::function<void()>& work) {
  auto attempt = std::async(std::launch::async, [&]() -> std::string {
    try {
      work();
      return "done";
    } catch (const std::system_error& e) {
      return e.code() == std::errc::timed_out ? std::string("timed out: ") + e.what()
                                              : std::string(e.what());
    } catch (const std::exception& e) {
      return e.what();
    }
  });
  if (attempt.wait_for(std::chrono::seconds(10)) == std::future_status::ready) return attempt.get();
  holder.release();
  attempt.wait();
  return "hung";
}

}  // namespace

TEST(NpyFile, AHeaderLockHeldForeverDelaysAppendsAndReadersOnlyUntilTheirTimeout) {
  using namespace std::chrono_literals;
  temp_dir dir;
  const auto path = dir / "held.npy";
  ma::create_npy<std::int32_t>(path, {1});
  const auto size = std::filesystem::file_size(path);
  {
    header_lock_holder reader(path, F_RDLCK);  // a reader that never lets go
    ASSERT_TRUE(reader.locked());
    const auto start = std::chrono::steady_clock::now();
    const auto outcome = outcome_within_ten_seconds(reader, [&] {
      ma::append_npy<std::int32_t>(path, std::vector<std::int32_t>{5}, {.lock_timeout = 300ms});
    });
    EXPECT_TRUE(outcome.starts_with("timed out")) << outcome;
    EXPECT_NE(outcome.find(path.string()), std::string::npos) << outcome;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(std::filesystem::file_size(path), size);
  }
  {
    header_lock_holder writer(path, F_WRLCK);  // an appender that never finishes
    ASSERT_TRUE(writer.locked());
    const auto outcome = outcome_within_ten_seconds(
        writer, [&] { ma::open_npy<const std::int32_t>(path, {.lock_timeout = 300ms}); });
    EXPECT_TRUE(outcome.starts_with("timed out")) << outcome;
  }
  // Free again: both work.
  ma::append_npy<std::int32_t>(path, std::vector<std::int32_t>{5});
  EXPECT_EQ(ma::open_npy<const std::int32_t>(path)(1), 5);
}

TEST(NpyFile, AppendingRowsOfZeroBytesGrowsTheShape) {
  temp_dir dir;
  const auto path = dir / "z.npy";
  ma::create_npy<float>(path, {2, 0});
  const auto rows = ma::create_npy<float>(dir / "rows.npy", {3, 0});
  ma::append_npy(path, ma::array<const float>(rows));
  EXPECT_EQ(ma::open_npy<const float>(path).shape_dims(), (ma::dims{5, 0}));
  // (An array with an empty dimension is never marked Fortran order, so it grows axis 0.)
  const auto cube = dir / "c.npy";
  ma::create_npy<float>(cube, {1, 0, 4}, {.order = ma::order::fortran});
  ma::append_npy(cube, ma::array<const float>(ma::create_npy<float>(dir / "d.npy", {2, 0, 4})));
  EXPECT_EQ(ma::open_npy<const float>(cube).shape_dims(), (ma::dims{3, 0, 4}));
}

TEST(NpyFile, AnAppenderAddsAllItsRowsOrNone) {
  temp_dir dir;
  const auto path = dir / "t.npy";
  {
    auto w = ma::create_npy<std::int16_t>(path, {2, 2});
    std::iota(w.flat().begin(), w.flat().end(), std::int16_t{0});
  }
  const auto size = std::filesystem::file_size(path);
  const std::vector<std::int16_t> rows = {4, 5, 6, 7, 8, 9};
  const auto bytes = std::as_bytes(std::span(rows));
  {
    ma::npy_appender append(path, 3);
    EXPECT_EQ(append.header().shape, (ma::dims{2, 2}));
    append.write(bytes.first(8));
    EXPECT_THROW(append.commit(), std::logic_error);  // a row is missing
    // Dropped without commit(): the file is as it was, length included.
  }
  EXPECT_EQ(ma::open_npy<const std::int16_t>(path).shape_dims(), (ma::dims{2, 2}));
  EXPECT_EQ(std::filesystem::file_size(path), size);
  {
    ma::npy_appender append(path, 3, {.expect = ma::dtype_of<std::int16_t>()});
    append.write(bytes.first(8));
    EXPECT_THROW(append.write(bytes), std::invalid_argument);  // more than announced
    append.write(bytes.subspan(8));
    append.commit();
  }
  const auto grown = ma::open_npy<const std::int16_t>(path);
  ASSERT_EQ(grown.shape_dims(), (ma::dims{5, 2}));
  for (std::int16_t i = 0; i < 10; ++i) EXPECT_EQ(grown.flat()[static_cast<std::size_t>(i)], i);
  EXPECT_THROW(ma::npy_appender(path, 1, {.expect = ma::dtype_of<float>()}), ma::type_error);
  EXPECT_THROW(ma::npy_appender(path, -1), std::invalid_argument);
}

TEST(NpyFile, AppendDoesNotWaitForReadersThatHoldTheMappingLock) {
  temp_dir dir;
  const auto path = dir / "l.npy";
  ma::create_npy<std::int32_t>(path, {1});
  const auto held = ma::map_file<const std::uint8_t>(path, {-1}, {.lock = ma::file_lock::shared});
  ma::append_npy<std::int32_t>(path, std::vector<std::int32_t>{5});
  EXPECT_EQ(ma::open_npy<const std::int32_t>(path)(1), 5);
  EXPECT_GT(held.size(), 0u);
}

TEST(NpyFile, AFifoIsRefusedWithoutWaitingAndTheMappingLockIsHeld) {
  temp_dir dir;
  const auto fifo = dir / "fifo.npy";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(ma::open_npy(fifo), std::invalid_argument);
  EXPECT_THROW(npy::read_header(fifo), std::invalid_argument);
  const auto path = dir / "locked.npy";
  ma::create_npy<float>(path, {3});
  const auto a = ma::open_npy<const float>(path, {.lock = ma::file_lock::shared});
  EXPECT_THROW(ma::resize_file(path, 0), std::system_error);
  EXPECT_EQ(a.size(), 3u);
}

TEST(NpyFile, AppendsAnArrayOfARunTimeDtypeInTheFilesOrder) {
  temp_dir dir;
  // Records of a float and a big-endian uint16, six bytes each: rows written as they lie.
  const auto rec =
      ma::dtype::record({{.name = "x",
                          .title = "",
                          .type = std::make_shared<const ma::dtype>(ma::dtype::parse("<f4")),
                          .shape = {},
                          .offset = 0},
                         {.name = "n",
                          .title = "",
                          .type = std::make_shared<const ma::dtype>(ma::dtype::parse(">u2")),
                          .shape = {},
                          .offset = 4}},
                        6);
  const auto records = dir / "r.npy";
  ma::create_npy(records, rec, {1});
  std::vector<std::byte> two(12);
  for (std::size_t i = 0; i < two.size(); ++i) two[i] = static_cast<std::byte>(i + 1);
  ma::append_npy(records, ma::array_from_mapping(ma::mapping::borrow(two, false), rec));
  const auto grown = ma::open_npy(records);
  EXPECT_EQ(grown.type(), rec);
  ASSERT_EQ(grown.shape()[0], 3);
  EXPECT_EQ(std::memcmp(grown.data() + 6, two.data(), two.size()), 0);

  // A C-order array appended to a Fortran-order file is gathered column by column.
  const auto path = dir / "f.npy";
  auto w = ma::create_npy<std::int32_t>(path, {2, 2}, {.order = ma::order::fortran});
  w(1, 0) = -2;
  w(1, 1) = -4;
  std::vector<std::int32_t> values = {1, 2, 3, 4, 5, 6};  // (2, 3) in C order
  const auto c_order =
      ma::array_from_mapping(ma::mapping::borrow(std::as_writable_bytes(std::span(values)), false),
                             ma::dtype_of<std::int32_t>(), {2, 3});
  ma::append_npy(path, c_order);
  const auto r = ma::open_npy<const std::int32_t>(path);
  ASSERT_EQ(r.shape_dims(), (ma::dims{2, 5}));
  EXPECT_EQ(r(1, 0), -2);
  EXPECT_EQ(r(1, 1), -4);
  EXPECT_EQ(r(0, 2), 1);
  EXPECT_EQ(r(1, 2), 4);
  EXPECT_EQ(r(0, 4), 3);
  EXPECT_EQ(r(1, 4), 6);

  // A strided one-dimensional array holding whole rows.
  const auto flat = dir / "flat.npy";
  ma::create_npy<std::int32_t>(flat, {0, 2});
  const ma::any_array every_other(reinterpret_cast<std::byte*>(values.data()),
                                  ma::dtype_of<std::int32_t>(), ma::dims{2}, ma::dims{8},
                                  c_order.lease(), false);
  ma::append_npy(flat, every_other);
  const auto f = ma::open_npy<const std::int32_t>(flat);
  ASSERT_EQ(f.shape_dims(), (ma::dims{1, 2}));
  EXPECT_EQ(f(0, 0), 1);
  EXPECT_EQ(f(0, 1), 3);
}

TEST(NpyFile, AppendOfARunTimeDtypeRefusesAnotherDtypeOrShapeAndLeavesTheFile) {
  temp_dir dir;
  const auto path = dir / "g.npy";
  ma::create_npy<double>(path, {2, 3});
  const auto size = std::filesystem::file_size(path);
  std::vector<double> values(4, 1.0);
  const auto storage = ma::mapping::borrow(std::as_writable_bytes(std::span(values)), false);
  const auto f8 = ma::dtype_of<double>();
  // Another dtype of the same size.
  EXPECT_THROW(ma::append_npy(path, ma::array_from_mapping(storage, ma::dtype_of<std::int64_t>())),
               ma::type_error);
  // The wrong row length, as a 2-d array and as a flat one.
  EXPECT_THROW(ma::append_npy(path, ma::array_from_mapping(storage, f8, {1, 4})),
               std::invalid_argument);
  EXPECT_THROW(ma::append_npy(path, ma::array_from_mapping(storage, f8, {2, 2})),
               std::invalid_argument);
  EXPECT_THROW(ma::append_npy(path, ma::array_from_mapping(storage, f8, {4})),
               std::invalid_argument);
  // Another rank.
  EXPECT_THROW(ma::append_npy(path, ma::array_from_mapping(storage, f8, {1, 1, 4})),
               std::invalid_argument);
  EXPECT_EQ(ma::open_npy<const double>(path).shape_dims(), (ma::dims{2, 3}));
  EXPECT_EQ(std::filesystem::file_size(path), size);
}
