// Named and anonymous shared arrays within one process: creating, opening, checking, removing,
// and every error path leaving nothing behind. Tests with several processes are in
// test_shared_processes.cpp.
#include "maparray/shared.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "injected_failure.hpp"
#include "maparray/error.hpp"
#include "resource_counts.hpp"
#include "shared_names.hpp"

namespace ma = maparray;
using ma::testing::shared_names;

namespace {

class Shared : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_TRUE(names.leftovers().empty()) << names.leftovers().front(); }

  // Makes a shared-memory object the library did not make, holding `bytes`.
  void make_foreign(const std::string& name, const std::string& bytes) {
    const int fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }

  shared_names names;
};

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no exception";
}

TEST_F(Shared, CreateThenOpenSeesTheSameElementsAndShape) {
  const auto name = names.next();
  auto a = ma::create_shared<std::uint64_t>(name, {4, 16});
  EXPECT_EQ(a.size(), 64u);
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a.flat()[k], 0u);  // zero-filled
  std::iota(a.flat().begin(), a.flat().end(), 100u);

  const auto b = ma::open_shared<const std::uint64_t>(name);
  ASSERT_EQ(b.ndim(), 2u);
  EXPECT_EQ(b.extent(0), 4);
  EXPECT_EQ(b.extent(1), 16);
  EXPECT_EQ(b(3, 15), 163u);
  a(0, 1) = 7;  // the same memory, not a copy
  EXPECT_EQ(b(0, 1), 7u);
  EXPECT_EQ(b.storage().mode(), ma::mode::read);
  EXPECT_TRUE(ma::remove_shared(name));
  EXPECT_EQ(b(0, 1), 7u);  // removing the name does not unmap
}

TEST_F(Shared, ElementsStartOnAPageBoundary) {
  const auto name = names.next();
  const auto a = ma::create_shared<double>(name, {3});
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.data()) % static_cast<std::uintptr_t>(getpagesize()),
            0u);
  EXPECT_EQ(a.storage().size(), 3 * sizeof(double));
  EXPECT_EQ(a.storage().path(), name);
  ma::remove_shared(name);
}

TEST_F(Shared, OpenChecksShapeAndTypeWhenGiven) {
  const auto name = names.next();
  const auto a = ma::create_shared<float>(name, {6, 4}, {.order = ma::order::fortran});
  EXPECT_TRUE(a.is_f_contiguous());
  EXPECT_EQ(ma::open_shared<float>(name, {6, 4}).strides()[1], 6);  // order recorded too
  EXPECT_EQ(ma::open_shared<float>(name, {-1, 4}).extent(0), 6);
  const auto wrong_shape = error_of([&] { ma::open_shared<float>(name, {4, 6}); });
  EXPECT_NE(wrong_shape.find("has shape (6, 4), not (4, 6)"), std::string::npos) << wrong_shape;
  EXPECT_THROW(ma::open_shared<float>(name, {-1, 5}), std::invalid_argument);
  const auto wrong_type = error_of([&] { ma::open_shared<double>(name); });
  EXPECT_NE(wrong_type.find(name), std::string::npos) << wrong_type;
  EXPECT_NE(wrong_type.find("holds elements of dtype <f4 (float32), not <f8 (float64)"),
            std::string::npos)
      << wrong_type;
  EXPECT_THROW(ma::open_shared<std::int32_t>(name), ma::type_error);
  EXPECT_THROW(ma::open_shared(name).as<const std::int32_t>(), ma::type_error);
  ma::remove_shared(name);
}

TEST_F(Shared, CreatingAnExistingNameFailsAndKeepsIt) {
  const auto name = names.next();
  auto a = ma::create_shared<std::int32_t>(name, {8});
  a(2) = 42;
  try {
    ma::create_shared<std::int32_t>(name, {8});
    FAIL() << "created twice";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::file_exists);
    EXPECT_NE(std::string(e.what()).find("shm_open '" + name + "'"), std::string::npos);
  }
  EXPECT_EQ(ma::open_shared<const std::int32_t>(name)(2), 42);  // untouched
  ma::remove_shared(name);
}

TEST_F(Shared, OpenExistingOpensWhenTheArrayMatches) {
  const auto name = names.next();
  auto a = ma::create_shared<std::int32_t>(name, {8});
  a(5) = 9;
  auto b = ma::create_shared<std::int32_t>(name, {8}, {.existing = ma::if_exists::open});
  EXPECT_EQ(b(5), 9);
  EXPECT_THROW(ma::create_shared<std::int32_t>(name, {9}, {.existing = ma::if_exists::open}),
               std::invalid_argument);
  EXPECT_THROW(ma::create_shared<std::int64_t>(name, {8}, {.existing = ma::if_exists::open}),
               std::invalid_argument);
  EXPECT_EQ(ma::open_shared<std::int32_t>(name)(5), 9);  // a mismatch does not remove it
  ma::remove_shared(name);
  // With no array of that name, if_exists::open creates one.
  EXPECT_EQ(ma::create_shared<std::int32_t>(name, {3}, {.existing = ma::if_exists::open}).size(),
            3u);
  ma::remove_shared(name);
}

TEST_F(Shared, IfExistsReplaceIsRefused) {
  const auto name = names.next();
  auto a = ma::create_shared<std::int32_t>(name, {4});
  a(1) = 7;
  EXPECT_THROW(ma::create_shared<std::int32_t>(name, {4}, {.existing = ma::if_exists::replace}),
               std::invalid_argument);
  EXPECT_EQ(ma::open_shared<const std::int32_t>(name)(1), 7);  // untouched
  ma::remove_shared(name);
  EXPECT_THROW(ma::create_shared<std::int32_t>(name, {4}, {.existing = ma::if_exists::replace}),
               std::invalid_argument);
  EXPECT_FALSE(ma::remove_shared(name));  // nothing was created
}

TEST_F(Shared, OpenExistingChecksTheOrder) {
  const auto name = names.next();
  ma::create_shared<float>(name, {2, 3});
  EXPECT_THROW(ma::create_shared<float>(
                   name, {2, 3}, {.existing = ma::if_exists::open, .order = ma::order::fortran}),
               std::invalid_argument);
  ma::remove_shared(name);
}

TEST_F(Shared, NewObjectsAreOwnerOnlyAndCloseOnExec) {
  const auto name = names.next();
  const auto a = ma::create_shared<std::uint8_t>(name, {10});
  struct stat st {};
  ASSERT_EQ(::fstat(a.storage().fd(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(::fcntl(a.storage().fd(), F_GETFD) & FD_CLOEXEC, 0);
  ma::remove_shared(name);

  const mode_t old_mask = ::umask(0);
  const auto b = ma::create_shared<std::uint8_t>(name, {10}, {.permissions = 0640});
  ::umask(old_mask);
  ASSERT_EQ(::fstat(b.storage().fd(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  ma::remove_shared(name);
}

// An object someone else prepared under a name before this process used it: a maparray array of
// int32 (4) with permission bits `bits`, owned by `owner` if that is not -1 (root only).
void squat(const std::string& name, mode_t bits, uid_t owner = static_cast<uid_t>(-1)) {
  { ma::create_shared<std::int32_t>(name, {4}); }
  const int fd = ::shm_open(name.c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fchmod(fd, bits), 0);
  if (owner != static_cast<uid_t>(-1)) {
    ASSERT_EQ(::fchown(fd, owner, owner), 0);
  }
  ::close(fd);
}

// Expects `open` to refuse with a permission error naming the object.
template <class F>
void expect_refused(const std::string& name, F&& open, const char* how) {
  try {
    open();
    ADD_FAILURE() << how << ": opened";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::permission_denied) << how << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << how << ": " << e.what();
  }
}

TEST_F(Shared, AnObjectOtherUsersMayWriteIsRefused) {
  const auto name = names.next();
  const mode_t old_mask = ::umask(0);
  squat(name, 0666);
  ::umask(old_mask);
  expect_refused(name, [&] { ma::open_shared<std::int32_t>(name); }, "open_shared<T>");
  expect_refused(name, [&] { ma::open_shared<const std::int32_t>(name, {4}); }, "with a shape");
  expect_refused(name, [&] { ma::open_shared(name, ma::mode::read); }, "open_shared read");
  expect_refused(name, [&] { ma::open_shared(name, ma::mode::copy_on_write); }, "copy_on_write");
  expect_refused(
      name, [&] { ma::create_shared<std::int32_t>(name, {4}, {.existing = ma::if_exists::open}); },
      "create_shared if_exists::open");
  // Group write alone is refused too.
  ASSERT_TRUE(ma::remove_shared(name));
  squat(name, 0620);
  expect_refused(name, [&] { ma::open_shared<std::int32_t>(name); }, "group write");
  ma::remove_shared(name);
}

TEST_F(Shared, AnObjectOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving an object to another user needs root";
  const auto name = names.next();
  squat(name, 0600, 65534);
  expect_refused(name, [&] { ma::open_shared<std::int32_t>(name); }, "open_shared<T>");
  expect_refused(name, [&] { ma::open_shared(name, ma::mode::read); }, "open_shared read");
  expect_refused(
      name, [&] { ma::create_shared<std::int32_t>(name, {4}, {.existing = ma::if_exists::open}); },
      "create_shared if_exists::open");
  ma::remove_shared(name);
}

TEST_F(Shared, OthersAreTrustedOnlyWhenAskedFor) {
  const auto name = names.next();
  const mode_t old_mask = ::umask(0);
  squat(name, 0660);
  ::umask(old_mask);
  // Group write was asked for: a group sharing memory on purpose.
  EXPECT_EQ(ma::open_shared(name, ma::mode::read, {.permissions = 0660}).size(), 4u);
  EXPECT_EQ(ma::open_shared<std::int32_t>(name, {4}, {.permissions = 0660}).size(), 4u);
  EXPECT_EQ(ma::create_shared<std::int32_t>(name, {4},
                                            {.existing = ma::if_exists::open, .permissions = 0660})
                .size(),
            4u);
  expect_refused(name, [&] { ma::open_shared(name, ma::mode::read, {.permissions = 0640}); },
                 "read-only permission asked");
  ma::remove_shared(name);
  if (::geteuid() != 0) return;
  squat(name, 0600, 65534);
  EXPECT_EQ(ma::open_shared(name, ma::mode::read, {.other_owners = true}).size(), 4u);
  EXPECT_EQ(ma::create_shared<std::int32_t>(name, {4},
                                            {.existing = ma::if_exists::open, .other_owners = true})
                .size(),
            4u);
  ma::remove_shared(name);
}

TEST_F(Shared, NamesAreValidated) {
  const std::string long_name = "/" + std::string(256, 'x');
  const std::vector<std::string> bad_names = {
      "", "x", "/", "/a/b", "//a", "/.", "/..", long_name, std::string("/a\0b", 4)};
  for (const auto& bad : bad_names) {
    EXPECT_THROW(ma::create_shared<int>(bad, {1}), std::invalid_argument) << bad;
    EXPECT_THROW(ma::open_shared<int>(bad), std::invalid_argument) << bad;
    EXPECT_THROW(ma::remove_shared(bad), std::invalid_argument) << bad;
  }
  EXPECT_NE(error_of([] { ma::create_shared<int>("counters", {1}); }).find("must start with '/'"),
            std::string::npos);
  const std::string longest = "/" + names.next().substr(1) + std::string(200, 'y');
  ASSERT_LE(longest.size(), 256u);
  ma::create_shared<int>(longest, {1});  // the longest name is fine
  EXPECT_TRUE(ma::remove_shared(longest));
}

TEST_F(Shared, RemoveReportsWhetherTheNameExisted) {
  const auto name = names.next();
  EXPECT_FALSE(ma::remove_shared(name));
  ma::create_shared<int>(name, {1});
  EXPECT_TRUE(ma::remove_shared(name));
  EXPECT_FALSE(ma::remove_shared(name));
}

TEST_F(Shared, OpeningAMissingNameIsENOENT) {
  const auto name = names.next();
  try {
    ma::open_shared<int>(name);
    FAIL();
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos);
  }
}

TEST_F(Shared, BadShapesAndTypesLeaveNothingBehind) {
  const auto name = names.next();
  EXPECT_THROW(ma::create_shared<int>(name, {-1}), std::invalid_argument);
  EXPECT_THROW(ma::create_shared<int>(name, {1LL << 40, 1LL << 40}), std::overflow_error);
  EXPECT_THROW(ma::create_shared(name, ma::dtype::parse("|V0"), {4}), std::invalid_argument);
  const auto record =
      ma::dtype::record({{.name = "x",
                          .title = "",
                          .type = std::make_shared<ma::dtype>(ma::dtype_of<float>()),
                          .shape = {},
                          .offset = 0}},
                        4);
  EXPECT_THROW(ma::create_shared(name, record, {4}), std::invalid_argument);
  EXPECT_FALSE(ma::remove_shared(name));
}

TEST_F(Shared, AFullDevShmIsENOSPCAtCreationAndLeavesNothing) {
  struct statvfs fs {};
  ASSERT_EQ(::statvfs(ma::testing::shm_directory.c_str(), &fs), 0);
  const auto too_big = static_cast<std::int64_t>(fs.f_blocks * fs.f_frsize) * 2;
  const auto name = names.next();
  try {
    ma::create_shared<std::uint8_t>(name, {too_big});
    FAIL() << "created " << too_big << " bytes";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_space_on_device) << e.what();
    EXPECT_NE(std::string(e.what()).find("posix_fallocate '" + name + "'"), std::string::npos);
  }
  EXPECT_FALSE(ma::remove_shared(name));
}

TEST_F(Shared, EmptyArraysWork) {
  const auto name = names.next();
  EXPECT_EQ(ma::create_shared<double>(name, {0, 5}).size(), 0u);
  const auto b = ma::open_shared<const double>(name);
  EXPECT_EQ(b.extent(1), 5);
  EXPECT_TRUE(b.empty());
  ma::remove_shared(name);
}

TEST_F(Shared, ForeignObjectsAreFormatErrors) {
  const auto name = names.next();
  make_foreign(name, "not an array, just some bytes that are long enough");
  const auto what = error_of([&] { ma::open_shared<int>(name); });
  EXPECT_NE(what.find("'" + name + "' is not a maparray shared array"), std::string::npos) << what;
  EXPECT_THROW(ma::open_shared<int>(name), ma::format_error);
  EXPECT_THROW(ma::create_shared<int>(name, {1}, {.existing = ma::if_exists::open}),
               ma::format_error);
  ma::remove_shared(name);
}

TEST_F(Shared, DamagedHeadersAreFormatErrors) {
  const auto name = names.next();
  {
    auto a = ma::create_shared<std::int16_t>(name, {100});
    a(0) = 1;
  }
  const int fd = ::shm_open(name.c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  char header[512];
  ASSERT_EQ(::pread(fd, header, sizeof header, 0), static_cast<ssize_t>(sizeof header));
  auto damage = [&](std::size_t at, const void* bytes, std::size_t n) {
    ASSERT_EQ(::pwrite(fd, bytes, n, static_cast<off_t>(at)), static_cast<ssize_t>(n));
    EXPECT_THROW(ma::open_shared<std::int16_t>(name), ma::format_error) << "byte " << at;
    ASSERT_EQ(::pwrite(fd, header, sizeof header, 0), static_cast<ssize_t>(sizeof header));
    EXPECT_EQ(ma::open_shared<std::int16_t>(name)(0), 1);  // restored
  };
  const std::uint32_t version = 99;
  damage(8, &version, sizeof version);
  const std::uint32_t ndim = 33;
  damage(32, &ndim, sizeof ndim);
  damage(40, "<q9", 4);  // a dtype that does not parse
  damage(40, "<i8", 4);  // a dtype whose size does not match
  const std::int64_t huge = 1LL << 62;
  damage(104, &huge, sizeof huge);  // a shape reaching past the end
  const std::int64_t negative = -100;
  damage(104, &negative, sizeof negative);
  // Truncated after creation: the elements would reach past the end.
  ASSERT_EQ(::ftruncate(fd, 4096), 0);
  EXPECT_THROW(ma::open_shared<std::int16_t>(name), ma::format_error);
  ::close(fd);
  ma::remove_shared(name);
}

TEST_F(Shared, AHeaderNeverCompletedIsReportedAfterAWait) {
  const auto name = names.next();
  make_foreign(name, std::string(64, '\0'));
  const auto what = error_of([&] { ma::open_shared<int>(name); });
  EXPECT_NE(what.find("never completed"), std::string::npos) << what;
  ma::remove_shared(name);
}

TEST_F(Shared, RuntimeDtypeVariants) {
  const auto name = names.next();
  auto a = ma::create_shared(name, ma::dtype::parse("<f8"), {2, 3});
  EXPECT_EQ(a.type().str(), "<f8");
  EXPECT_TRUE(a.writable());
  a.as<double>()(1, 2) = 2.5;
  const auto b = ma::open_shared(name);
  EXPECT_FALSE(b.writable());
  EXPECT_EQ(b.type(), ma::dtype_of<double>());
  ASSERT_EQ(b.ndim(), 2u);
  EXPECT_EQ(b.byte_strides()[0], 24);
  EXPECT_EQ(b.as<const double>()(1, 2), 2.5);
  EXPECT_THROW(b.as<double>(), std::invalid_argument);  // read-only
  // A private copy: writes stay here.
  auto c = ma::open_shared(name, ma::mode::copy_on_write);
  c.as<double>()(0, 0) = 9;
  EXPECT_EQ(b.as<const double>()(0, 0), 0.0);
  // Byte strings and non-native byte orders are recorded as they are.
  const auto other = names.next();
  ma::create_shared(other, ma::dtype::parse("|S7"), {3});
  EXPECT_EQ(ma::open_shared(other).type().str(), "|S7");
  ma::remove_shared(other);
  ma::create_shared(other, ma::dtype::parse(">i4"), {3});
  EXPECT_EQ(ma::open_shared(other).type().str(), ">i4");
  EXPECT_THROW(ma::open_shared<std::int32_t>(other), std::invalid_argument);
  ma::remove_shared(other);
  ma::remove_shared(name);
}

TEST_F(Shared, RuntimeOpenChecksTheDtypeAndShapeGiven) {
  const auto name = names.next();
  auto a = ma::create_shared(name, ma::dtype::parse(">i2"), {3, 5}, {.order = ma::order::fortran});
  a.data()[1] = std::byte{7};  // element (0, 0), big-endian 7
  const auto i2 = ma::dtype::parse(">i2");
  const auto b = ma::open_shared(name, ma::mode::read_write, i2, ma::shape_spec{-1, 5});
  EXPECT_TRUE(b.writable());
  EXPECT_EQ(b.type(), i2);
  ASSERT_EQ(b.ndim(), 2u);
  EXPECT_EQ(b.shape()[0], 3);
  EXPECT_TRUE(b.is_f_contiguous());
  EXPECT_EQ(b.data()[1], std::byte{7});
  // Either may be left out.
  EXPECT_EQ(ma::open_shared(name, ma::mode::read, std::nullopt, ma::shape_spec{3, 5}).type(), i2);
  EXPECT_EQ(ma::open_shared(name, ma::mode::read, i2, std::nullopt).size(), 15u);
  EXPECT_THROW(ma::open_shared(name, ma::mode::read, ma::dtype::parse("<i2"), std::nullopt),
               ma::type_error);
  const auto wrong_type = error_of(
      [&] { ma::open_shared(name, ma::mode::read, ma::dtype::parse("<i2"), std::nullopt); });
  EXPECT_NE(wrong_type.find("dtype >i2 (int16), not <i2 (int16)"), std::string::npos)
      << wrong_type;
  EXPECT_THROW(ma::open_shared(name, ma::mode::read, std::nullopt, ma::shape_spec{5, 3}),
               std::invalid_argument);
  EXPECT_THROW(ma::open_shared(name, ma::mode::read, std::nullopt, ma::shape_spec{-1, 4}),
               std::invalid_argument);
  ma::remove_shared(name);
  EXPECT_THROW(ma::open_shared(name, ma::mode::read, i2, std::nullopt), std::system_error);
}

TEST_F(Shared, AnonymousArraysOpenThroughTheirDescriptor) {
  auto a = ma::create_anonymous_shared<std::int64_t>({5, 2});
  ASSERT_GE(a.storage().fd(), 0);
  EXPECT_NE(::fcntl(a.storage().fd(), F_GETFD) & FD_CLOEXEC, 0);
  a(4, 1) = -3;
  auto b = ma::open_shared_fd<std::int64_t>(a.storage().fd());
  EXPECT_NE(b.storage().fd(), a.storage().fd());  // its own descriptor
  EXPECT_EQ(b.extent(0), 5);
  EXPECT_EQ(b(4, 1), -3);
  b(0, 0) = 11;
  EXPECT_EQ(a(0, 0), 11);
  EXPECT_THROW(ma::open_shared_fd<std::int64_t>(a.storage().fd(), {2, 5}), std::invalid_argument);
  EXPECT_THROW(ma::open_shared_fd<double>(a.storage().fd()), ma::type_error);
  const auto any = ma::open_shared_fd(a.storage().fd());
  EXPECT_EQ(any.type(), ma::dtype_of<std::int64_t>());
  EXPECT_EQ(ma::create_anonymous_shared(ma::dtype::parse("<u2"), {3}).size(), 3u);
}

TEST_F(Shared, AnonymousArraysTakeTheOptionsOfNamedOnes) {
  const auto f = ma::create_anonymous_shared<float>({2, 3}, {.order = ma::order::fortran});
  EXPECT_EQ(f.strides()[0], 1);
  EXPECT_EQ(f.strides()[1], 2);
  EXPECT_EQ(ma::open_shared_fd<const float>(f.storage().fd()).strides()[1], 2);  // recorded
  const auto any =
      ma::create_anonymous_shared(ma::dtype::parse("<i2"), {2, 3}, {.order = ma::order::fortran});
  EXPECT_EQ(any.byte_strides()[1], 4);
  // Without a name nothing can exist already: only if_exists::fail makes sense.
  EXPECT_THROW(ma::create_anonymous_shared<float>({2}, {.existing = ma::if_exists::open}),
               std::invalid_argument);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  EXPECT_EQ(ma::create_anonymous_shared<float>({2, 3}, ma::order::fortran).strides()[1], 2);
  EXPECT_EQ(ma::create_anonymous_shared(ma::dtype::parse("<i2"), {2, 3}, ma::order::fortran)
                .byte_strides()[1],
            4);
#pragma GCC diagnostic pop
}

TEST_F(Shared, AnonymousArraysCannotBeResized) {
  const auto a = ma::create_anonymous_shared<std::int32_t>({1000});
  EXPECT_NE(::ftruncate(a.storage().fd(), 0), 0);  // sealed: no one can pull pages away
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(a(999), 0);
}

TEST_F(Shared, OpenSharedFdReportsABadDescriptor) {
  try {
    ma::open_shared_fd<int>(-1);
    FAIL();
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::bad_file_descriptor);
  }
}

TEST_F(Shared, FailedCallsLeaveNoDescriptorBehind) {
  const auto name = names.next();
  const auto foreign = names.next();
  make_foreign(foreign, "some bytes that are not a header at all....");
  ma::create_shared<int>(name, {4});
  const auto before = ma::testing::open_descriptors();
  EXPECT_THROW(ma::create_shared<int>(name, {4}), std::system_error);
  EXPECT_THROW(ma::create_shared<int>(name, {5}, {.existing = ma::if_exists::open}),
               std::invalid_argument);
  EXPECT_THROW(ma::open_shared<double>(name), std::invalid_argument);
  EXPECT_THROW(ma::open_shared<int>(foreign), ma::format_error);
  EXPECT_THROW(ma::open_shared<int>(names.next()), std::system_error);
  EXPECT_THROW(ma::create_shared<std::uint8_t>(names.next(), {1LL << 50}), std::system_error);
  const auto anonymous = ma::create_anonymous_shared<int>({2});
  EXPECT_THROW(ma::open_shared_fd<float>(anonymous.storage().fd()), std::invalid_argument);
  EXPECT_EQ(ma::testing::open_descriptors(), before + 1);  // only the anonymous array's own
  ma::remove_shared(name);
  ma::remove_shared(foreign);
}

TEST_F(Shared, AtomicsOnSharedElements) {
  const auto name = names.next();
  auto a = ma::create_shared<std::uint64_t>(name, {64});
  EXPECT_EQ(a.atomic(7).fetch_add(5), 0u);
  auto b = ma::open_shared<std::uint64_t>(name);
  std::uint64_t expected = 5;
  EXPECT_TRUE(b.atomic(7).compare_exchange_strong(expected, 6));
  EXPECT_EQ(a.atomic(7).load(), 6u);
  ma::remove_shared(name);
}

// Every system call on the way fails in turn: the error surfaces as a std::system_error naming
// the call, and no name, descriptor or mapping is left behind.
class SharedFaults : public Shared {
 protected:
  void SetUp() override {
    fds_ = ma::testing::open_descriptors();
    maps_ = mapped();
  }
  void TearDown() override {
    ma::sys::clear_injected_failures();
    EXPECT_EQ(ma::testing::open_descriptors(), fds_) << "a descriptor leaked";
    EXPECT_EQ(mapped(), maps_) << "a mapping leaked";
    Shared::TearDown();
  }
  // Mapped regions of this test's named arrays and of anonymous ones.
  std::size_t mapped() const {
    return ma::testing::mapped_regions(ma::testing::shm_directory / "maparray-test-") +
           ma::testing::mapped_regions("memfd:maparray");
  }

  template <class F>
  void expect_failure(const char* call, int error, F operation, int skip = 0) {
    ma::testing::expect_injected_failure(call, error, operation, skip);
  }

  std::size_t fds_ = 0, maps_ = 0;
};

TEST_F(SharedFaults, CreatingANamedArray) {
  const auto name = names.next();
  auto create = [&] { ma::create_shared<double>(name, {100}); };
  expect_failure("shm_open", EACCES, create);
  expect_failure("posix_fallocate", ENOSPC, create);
  expect_failure("pwrite", EIO, create);
  expect_failure("pwrite", EIO, create, 1);  // the magic, written last
  expect_failure("fstat", EIO, create);
  expect_failure("mmap", ENOMEM, create);
  EXPECT_FALSE(ma::remove_shared(name));
  create();  // and nothing stands in the way afterwards
  EXPECT_TRUE(ma::remove_shared(name));
}

TEST_F(SharedFaults, OpeningANamedArray) {
  const auto name = names.next();
  ma::create_shared<double>(name, {100});
  auto open = [&] { ma::open_shared<const double>(name); };
  expect_failure("shm_open", EACCES, open);
  expect_failure("fstat", EIO, open);
  expect_failure("pread", EIO, open);
  expect_failure("mmap", ENOMEM, open);
  auto open_existing = [&] {
    ma::create_shared<double>(name, {100}, {.existing = ma::if_exists::open});
  };
  expect_failure("pread", EIO, open_existing);
  EXPECT_EQ(ma::open_shared<const double>(name).size(), 100u);  // still there, still whole
  expect_failure("shm_unlink", EACCES, [&] { ma::remove_shared(name); });
  EXPECT_TRUE(ma::remove_shared(name));
}

TEST_F(SharedFaults, AnonymousArrays) {
  auto create = [] { ma::create_anonymous_shared<std::int32_t>({10}); };
  expect_failure("memfd_create", EMFILE, create);
  expect_failure("posix_fallocate", ENOMEM, create);
  expect_failure("pwrite", EIO, create);
  expect_failure("fcntl", EPERM, create);
  expect_failure("mmap", ENOMEM, create);
  const auto a = ma::create_anonymous_shared<std::int32_t>({10});
  const auto before = ma::testing::open_descriptors();
  expect_failure("fcntl", EMFILE, [&] { ma::open_shared_fd<std::int32_t>(a.storage().fd()); });
  expect_failure("pread", EIO, [&] { ma::open_shared_fd<std::int32_t>(a.storage().fd()); });
  expect_failure("mmap", ENOMEM, [&] { ma::open_shared_fd<std::int32_t>(a.storage().fd()); });
  EXPECT_EQ(ma::testing::open_descriptors(), before);
}

TEST_F(Shared, ADescriptorThatIsNotAFileIsRefused) {
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  EXPECT_THROW(ma::open_shared_fd<int>(pipe_ends[0]), std::invalid_argument);
  ::close(pipe_ends[0]);
  ::close(pipe_ends[1]);
}

}  // namespace
