#include "maparray/dtype.hpp"

#include <gtest/gtest.h>

#include <complex>
#include <cstdint>

namespace ma = maparray;

namespace {
const char native = static_cast<char>(ma::native_order);
std::string native_descr(const char* rest) {
  return std::string(1, native) + rest;
}
}  // namespace

TEST(Dtype, OfCxxTypes) {
  EXPECT_EQ(ma::dtype_of<float>().str(), native_descr("f4"));
  EXPECT_EQ(ma::dtype_of<double>().str(), native_descr("f8"));
  EXPECT_EQ(ma::dtype_of<std::int64_t>().str(), native_descr("i8"));
  EXPECT_EQ(ma::dtype_of<std::uint16_t>().str(), native_descr("u2"));
  EXPECT_EQ(ma::dtype_of<std::uint8_t>().str(), "|u1");
  EXPECT_EQ(ma::dtype_of<std::int8_t>().str(), "|i1");
  EXPECT_EQ(ma::dtype_of<bool>().str(), "|b1");
  EXPECT_EQ(ma::dtype_of<std::complex<float>>().str(), native_descr("c8"));
  EXPECT_EQ(ma::dtype_of<const std::complex<double>>().str(), native_descr("c16"));
}

TEST(Dtype, ParsesAndPrintsDescrsRoundTrip) {
  for (const char* text : {"<f4", ">f4", "<f8", ">i8", "|u1", "|i1", "|b1", "<c8", ">c16", "<f2",
                           "<u2", ">u4", "|S5", "|V8", "<U3", ">U1"}) {
    EXPECT_EQ(ma::dtype::parse(text).str(), text) << text;
  }
}

TEST(Dtype, ParsesNamesAndImpliedOrders) {
  EXPECT_EQ(ma::dtype::parse("float32"), ma::dtype_of<float>());
  EXPECT_EQ(ma::dtype::parse("int64"), ma::dtype_of<std::int64_t>());
  EXPECT_EQ(ma::dtype::parse("uint8"), ma::dtype_of<std::uint8_t>());
  EXPECT_EQ(ma::dtype::parse("bool"), ma::dtype_of<bool>());
  EXPECT_EQ(ma::dtype::parse("?"), ma::dtype_of<bool>());
  EXPECT_EQ(ma::dtype::parse("f4"), ma::dtype_of<float>());
  EXPECT_EQ(ma::dtype::parse("=f8"), ma::dtype_of<double>());
  EXPECT_EQ(ma::dtype::parse("<i1").str(), "|i1");  // one byte has no order
  EXPECT_EQ(ma::dtype::parse("complex128"), ma::dtype_of<std::complex<double>>());
}

TEST(Dtype, RejectsMalformedDescrs) {
  for (const char* text :
       {"", "<", "f", "<f3", "<i3", "<c4", "<b2", "|f4", "<x4", "<f", "<f4x", "<f+4", "<f-4", "<S0",
        "<f99999999999999999999", "float31", " <f4", "<U2147483647"}) {
    EXPECT_THROW(ma::dtype::parse(text), std::invalid_argument) << "'" << text << "'";
  }
}

TEST(Dtype, NumericTypecodes) {
  EXPECT_EQ(ma::dtype::from_typecode('l'), ma::dtype_of<long>());
  EXPECT_EQ(ma::dtype::from_typecode('l').itemsize(), static_cast<ma::index_t>(sizeof(long)));
  EXPECT_EQ(ma::dtype::from_typecode('f'), ma::dtype_of<float>());
  EXPECT_EQ(ma::dtype::from_typecode('d'), ma::dtype_of<double>());
  EXPECT_EQ(ma::dtype::from_typecode('b'), ma::dtype_of<std::uint8_t>());
  EXPECT_EQ(ma::dtype::from_typecode('1'), ma::dtype_of<std::int8_t>());
  EXPECT_EQ(ma::dtype::from_typecode('s'), ma::dtype_of<std::int16_t>());
  EXPECT_EQ(ma::dtype::from_typecode('w'), ma::dtype_of<std::uint16_t>());
  EXPECT_EQ(ma::dtype::from_typecode('i'), ma::dtype_of<std::int32_t>());
  EXPECT_EQ(ma::dtype::from_typecode('u'), ma::dtype_of<std::uint32_t>());
  EXPECT_EQ(ma::dtype::from_typecode('F'), ma::dtype_of<std::complex<float>>());
  EXPECT_EQ(ma::dtype::from_typecode('D'), ma::dtype_of<std::complex<double>>());
  EXPECT_EQ(ma::dtype::from_typecode('c').str(), "|S1");
  EXPECT_THROW(ma::dtype::from_typecode('q'), std::invalid_argument);
}

TEST(Dtype, NamesFollowNumpy) {
  EXPECT_EQ(ma::dtype::parse("<f4").name(), "float32");
  EXPECT_EQ(ma::dtype::parse(">i8").name(), "int64");
  EXPECT_EQ(ma::dtype::parse("|b1").name(), "bool");
  EXPECT_EQ(ma::dtype::parse("<c16").name(), "complex128");
  EXPECT_EQ(ma::dtype::parse("|S5").name(), "bytes40");
  EXPECT_EQ(ma::dtype::parse("<U3").name(), "str96");
}

TEST(Dtype, ByteOrderIsPartOfEquality) {
  const auto little = ma::dtype::parse("<f8");
  const auto big = ma::dtype::parse(">f8");
  EXPECT_NE(little, big);
  EXPECT_EQ(little.with_order(ma::byte_order::big), big);
  EXPECT_TRUE(ma::dtype_of<double>().is_native());
  EXPECT_FALSE((ma::native_order == ma::byte_order::little ? big : little).is_native());
  EXPECT_TRUE(ma::dtype::parse("|u1").is_native());
}

TEST(Dtype, RecordsCheckTheirFields) {
  auto f4 = std::make_shared<const ma::dtype>(ma::dtype::parse("<f4"));
  auto i8 = std::make_shared<const ma::dtype>(ma::dtype::parse("<i8"));
  const auto rec = ma::dtype::record({{"x", "", f4, {}, 0}, {"y", "", i8, {}, 8}}, 16);
  EXPECT_EQ(rec.kind(), ma::dtype_kind::record);
  EXPECT_EQ(rec.itemsize(), 16);
  EXPECT_EQ(rec.fields().size(), 2u);
  EXPECT_EQ(rec.str(), "[('x', '<f4'), ('', '|V4'), ('y', '<i8')]");  // numpy's descr, with padding
  EXPECT_THROW(ma::dtype::record({{"x", "", i8, {}, 12}}, 16), std::invalid_argument);
  EXPECT_THROW(ma::dtype::record({{"x", "", f4, {}, 0}, {"x", "", f4, {}, 4}}, 8),
               std::invalid_argument);
  EXPECT_THROW(ma::dtype::record({{"v", "", f4, {5}, 0}}, 16), std::invalid_argument);
}
