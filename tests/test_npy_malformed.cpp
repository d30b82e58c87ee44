// Every file of the malformed corpus (tests/data/malformed_npy/, made by
// tests/data/make_malformed_npy.py) is rejected with maparray::format_error, never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "maparray/npy.hpp"
#include "temp_dir.hpp"

namespace ma = maparray;

namespace {

std::vector<std::filesystem::path> corpus() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(MAPARRAY_TEST_DIR) +
                                                               "/data/malformed_npy")) {
    files.push_back(entry.path());
  }
  std::ranges::sort(files);
  return files;
}

std::string rejection(const std::filesystem::path& path) {
  try {
    ma::open_npy(path);
  } catch (const ma::format_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "accepted";
}

}  // namespace

TEST(NpyMalformed, EveryFileIsAFormatErrorNamingTheFile) {
  const auto files = corpus();
  ASSERT_GE(files.size(), 40u);
  for (const auto& path : files) {
    const std::string why = rejection(path);
    EXPECT_EQ(why.find(path.string()), 1u) << path << ": " << why;  // after the opening quote
    EXPECT_EQ(why.find("wrong exception"), std::string::npos) << path << ": " << why;
    // The same through the typed interface and, for header faults, the pure parser.
    EXPECT_THROW(ma::open_npy<const double>(path), ma::format_error) << path;
    if (path.filename().string().rfind("data_", 0) != 0) {
      const auto bytes = ma::testing::read_all(path);
      EXPECT_THROW(ma::npy::parse_header(std::as_bytes(std::span(bytes))), ma::format_error)
          << path;
    }
  }
}

TEST(NpyMalformed, MessagesSayWhatIsWrong) {
  const std::string dir = std::string(MAPARRAY_TEST_DIR) + "/data/malformed_npy/";
  EXPECT_NE(rejection(dir + "bad_magic.npy").find("magic"), std::string::npos);
  EXPECT_NE(rejection(dir + "version_4_0.npy").find("version 4.0"), std::string::npos);
  EXPECT_NE(rejection(dir + "header_length_over_limit.npy").find("limit"), std::string::npos);
  EXPECT_NE(rejection(dir + "missing_shape.npy").find("keys"), std::string::npos);
  EXPECT_NE(rejection(dir + "shape_negative.npy").find("negative"), std::string::npos);
  EXPECT_NE(rejection(dir + "fortran_order_int.npy").find("fortran_order"), std::string::npos);
  EXPECT_NE(rejection(dir + "descr_object.npy").find("pickle"), std::string::npos);
  EXPECT_NE(rejection(dir + "data_truncated.npy").find("truncated"), std::string::npos);
  EXPECT_NE(rejection(dir + "header_length_past_end.npy").find("ends inside"), std::string::npos);
}
