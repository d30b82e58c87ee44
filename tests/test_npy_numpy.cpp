// Interop with real numpy: numpy writes a matrix of dtypes x layouts that maparray reads, and
// maparray writes the same matrix, which numpy loads and compares byte for byte with its own
// files. numpy's side is tests/npy_interop.py, run with /usr/bin/python3.
#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "maparray/npy.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;
using ma::testing::read_all;
using ma::testing::temp_dir;

namespace {

const std::string python = "/usr/bin/python3";
const std::string script = std::string(MAPARRAY_TEST_DIR) + "/npy_interop.py";

struct run_result {
  int status;
  std::string output;
};

run_result run_interop(const std::string& command, const temp_dir& dir) {
  const auto log = dir / "interop.log";
  const std::string line = python + " " + script + " " + command + " '" + dir.path().string() +
                           "' >'" + log.string() + "' 2>&1";
  const int status = std::system(line.c_str());
  const auto text = read_all(log);
  return {status, std::string(text.begin(), text.end())};
}

struct test_case {
  std::string name;
  ma::order order;
  std::vector<ma::index_t> shape;
  std::string descr;
};

std::vector<test_case> manifest(const temp_dir& dir) {
  std::ifstream in(dir / "manifest.txt");
  std::vector<test_case> cases;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    test_case c;
    std::string order;
    std::string shape;
    std::getline(fields, c.name, '\t');
    std::getline(fields, order, '\t');
    std::getline(fields, shape, '\t');
    std::getline(fields, c.descr);
    c.order = order == "F" ? ma::order::fortran : ma::order::c;
    std::istringstream dims(shape);
    for (std::string d; std::getline(dims, d, ',');) c.shape.push_back(std::stoll(d));
    cases.push_back(c);
  }
  return cases;
}

// Calls f(byte offset) for each element of `a` in C order.
template <class F>
void for_each_in_c_order(const ma::any_array& a, F f) {
  std::vector<ma::index_t> index(a.ndim(), 0);
  for (std::size_t n = 0; n < a.size(); ++n) {
    ma::index_t offset = 0;
    for (std::size_t k = 0; k < a.ndim(); ++k) offset += index[k] * a.byte_strides()[k];
    f(offset);
    for (std::size_t k = a.ndim(); k-- > 0;) {
      if (++index[k] < a.shape()[k]) break;
      index[k] = 0;
    }
  }
}

std::vector<char> c_order_bytes(const ma::any_array& a) {
  std::vector<char> out;
  const auto size = static_cast<std::size_t>(a.type().itemsize());
  for_each_in_c_order(a, [&](ma::index_t offset) {
    const auto* p = reinterpret_cast<const char*>(a.data() + offset);
    out.insert(out.end(), p, p + size);
  });
  return out;
}

// Opens the file with open_npy<const T> and compares its elements with `expected` (C order).
template <class T>
void check_typed(const std::filesystem::path& path, const std::vector<char>& expected) {
  const auto a = ma::open_npy<const T>(path);
  std::vector<char> got;
  for (const T& x : a) {
    const auto* p = reinterpret_cast<const char*>(&x);
    got.insert(got.end(), p, p + sizeof(T));
  }
  EXPECT_EQ(got, expected) << path;
}

// For native numeric dtypes, also reads the file through the typed interface.
void check_typed_if_native(const ma::dtype& type, const std::filesystem::path& path,
                           const std::vector<char>& expected) {
  if (type.kind() == ma::dtype_kind::record || !type.is_numeric() || !type.is_native()) return;
#define MAPARRAY_TRY(T)             \
  if (type == ma::dtype_of<T>()) {  \
    check_typed<T>(path, expected); \
    return;                         \
  }
  MAPARRAY_TRY(bool)
  MAPARRAY_TRY(std::int8_t)
  MAPARRAY_TRY(std::uint8_t)
  MAPARRAY_TRY(std::int16_t)
  MAPARRAY_TRY(std::uint16_t)
  MAPARRAY_TRY(std::int32_t)
  MAPARRAY_TRY(std::uint32_t)
  MAPARRAY_TRY(std::int64_t)
  MAPARRAY_TRY(std::uint64_t)
  MAPARRAY_TRY(float)
  MAPARRAY_TRY(double)
  MAPARRAY_TRY(std::complex<float>)
  MAPARRAY_TRY(std::complex<double>)
#undef MAPARRAY_TRY
}

}  // namespace

TEST(NpyNumpy, ReadsWhatNumpyWritesAndNumpyReadsWhatMaparrayWrites) {
  temp_dir dir;
  const auto written = run_interop("write", dir);
  ASSERT_EQ(written.status, 0) << written.output;
  const auto cases = manifest(dir);
  ASSERT_GE(cases.size(), 300u);
  std::filesystem::create_directory(dir / "maparray");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name + " " + c.descr);
    const auto theirs = dir.path() / "numpy" / (c.name + ".npy");
    const auto expected = read_all(dir.path() / "numpy" / (c.name + ".cbytes"));
    const ma::dtype type = ma::npy::parse_descr(c.descr);

    // Reading numpy's file.
    const auto a = ma::open_npy(theirs);
    EXPECT_EQ(a.type(), type);
    EXPECT_EQ(ma::npy::format_descr(a.type()), c.descr);
    EXPECT_EQ(ma::to_string(a.shape()), ma::to_string(c.shape));
    if (c.order == ma::order::fortran) {
      EXPECT_TRUE(a.is_f_contiguous());
    } else {
      EXPECT_TRUE(a.is_c_contiguous());
    }
    EXPECT_EQ(c_order_bytes(a), expected);
    check_typed_if_native(type, theirs, expected);

    // Writing the same array.
    auto b = ma::create_npy(dir.path() / "maparray" / (c.name + ".npy"), type, c.shape,
                            {.order = c.order});
    std::size_t next = 0;
    const auto size = static_cast<std::size_t>(type.itemsize());
    for_each_in_c_order(b, [&](ma::index_t offset) {
      std::memcpy(b.data() + offset, expected.data() + next, size);
      next += size;
    });
    b.storage().flush();
  }
  const auto checked = run_interop("check", dir);
  EXPECT_EQ(checked.status, 0) << checked.output;
  EXPECT_NE(checked.output.find(", 0 failed"), std::string::npos) << checked.output;
}

TEST(NpyNumpy, NumpyLoadsAnAppendedFile) {
  temp_dir dir;
  const auto path = dir / "grow.npy";
  {
    auto w = ma::create_npy<std::int64_t>(path, {2, 3});
    for (std::size_t i = 0; i < 6; ++i) w.flat()[i] = static_cast<std::int64_t>(i);
  }
  std::vector<std::int64_t> more(3 * 1000);
  for (std::size_t i = 0; i < more.size(); ++i) more[i] = static_cast<std::int64_t>(i + 6);
  ma::append_npy<std::int64_t>(path, std::span<const std::int64_t>(more));
  const std::string line = python + " -c \"import numpy as np, sys; a = np.load(sys.argv[1]); " +
                           "sys.exit(0 if a.shape == (1002, 3) and (a.ravel() == " +
                           "np.arange(3006)).all() else 1)\" '" + path.string() + "'";
  EXPECT_EQ(std::system(line.c_str()), 0);
}

TEST(NpyNumpy, VersionTwoHeadersOfManyFieldsAreNumpysBytes) {
  temp_dir dir;
  const auto theirs = dir / "wide.npy";
  const std::string line =
      python + " -W ignore -c \"import numpy as np, sys; " +
      "np.save(sys.argv[1], np.zeros(3, [('f%d' % k, '<i2') for k in range(5000)]))\" '" +
      theirs.string() + "'";
  ASSERT_EQ(std::system(line.c_str()), 0);
  EXPECT_THROW(ma::open_npy(theirs), ma::format_error);  // over the default header limit
  const auto a = ma::open_npy(theirs, {.limits = {.max_header_length = 1 << 20}});
  EXPECT_EQ(ma::npy::read_header(theirs, {.max_header_length = 1 << 20}).major_version, 2);
  EXPECT_EQ(a.type().fields().size(), 5000u);
  const auto ours = dir / "ours.npy";
  ma::create_npy(ours, a.type(), {3});
  EXPECT_EQ(read_all(ours), read_all(theirs));
}
