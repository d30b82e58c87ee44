// A small ext4 file system in an image file, loop-mounted for one test: for behaviour that only a
// disk file system shows (how ext4 allocates blocks, large page-cache folios), not tmpfs. Needs
// root, mkfs.ext4 (e2fsprogs) and a free loop device; where any is missing, mounted() is false
// and why() says which.
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.hpp"

namespace maparray::testing {

class loop_ext4 {
 public:
  explicit loop_ext4(std::int64_t bytes) {
    if (::geteuid() != 0) {
      why_ = "mounting a file system needs root";
      return;
    }
    if (std::system("command -v mkfs.ext4 >/dev/null 2>&1") != 0) {
      why_ = "mkfs.ext4 is not installed (e2fsprogs)";
      return;
    }
    const auto image = dir_ / "ext4.img";
    std::filesystem::create_directory(mount_point());
    std::ofstream(image).close();
    std::filesystem::resize_file(image, static_cast<std::uintmax_t>(bytes));
    // No blocks reserved for root, who runs this: the free space is all there is.
    if (run("mkfs.ext4 -q -F -m 0 '" + image.string() + "'") != 0) {
      why_ = "mkfs.ext4 failed";
      return;
    }
    if (run("mount -o loop '" + image.string() + "' '" + mount_point().string() + "'") != 0) {
      why_ = "cannot loop-mount an ext4 image here";
      return;
    }
    mounted_ = true;
  }
  loop_ext4(const loop_ext4&) = delete;
  loop_ext4& operator=(const loop_ext4&) = delete;
  ~loop_ext4() {
    if (mounted_) ::umount2(mount_point().c_str(), MNT_DETACH);
  }

  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  std::filesystem::path mount_point() const { return dir_ / "mnt"; }
  std::filesystem::path operator/(const std::string& name) const { return mount_point() / name; }

 private:
  static int run(const std::string& command) {
    return std::system((command + " >/dev/null 2>&1").c_str());
  }

  temp_dir dir_;
  bool mounted_ = false;
  std::string why_;
};

}  // namespace maparray::testing
