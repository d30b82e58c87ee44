// Pages written back by scattered writes through a read_write mapping, in four states of the
// file, with and without map_options::exact_writeback; and what the option costs a cold
// sequential read through the mapping. Pages are counted where they land: the sectors the
// block device under DIR wrote during the flush (/sys/block/DEVICE/stat), so the directory must
// be on a device of its own (scripts/bench_writeback.sh makes a loop-mounted ext4 image).
//
//   writeback DIR DEVICE [MIB] [K] [READ_MIB]
//
// MIB: the file written to (default 1024); K: the writes (default 100); READ_MIB: the file read
// (default 256; a page at a time, the read with the option is slow). Prints Markdown tables:
// the write-back in each state, and the cold sequential reads (median of three) against the
// device's own sequential bandwidth with direct I/O (the limit).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <maparray/maparray.hpp>

namespace ma = maparray;

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Sectors (512 bytes) the device has written since it appeared.
std::int64_t sectors_written(const std::string& device) {
  std::ifstream stat("/sys/block/" + device + "/stat");
  std::int64_t field = 0;
  for (int k = 0; k < 7; ++k) stat >> field;
  if (!stat) {
    std::fprintf(stderr, "writeback: cannot read /sys/block/%s/stat\n", device.c_str());
    std::exit(2);
  }
  return field;
}

// Writes the file's dirty pages and drops its pages from the page cache.
void make_cold(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ::fsync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// A file of `bytes` of data (the value 1.0f everywhere), written once, then cold.
void make_data_file(const std::filesystem::path& path, std::int64_t bytes) {
  if (!std::filesystem::exists(path) || std::int64_t(std::filesystem::file_size(path)) != bytes) {
    std::vector<float> block(1 << 20, 1.0f);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (std::int64_t done = 0; done < bytes; done += std::int64_t(block.size() * 4)) {
      out.write(reinterpret_cast<const char*>(block.data()), std::streamsize(block.size() * 4));
    }
  }
  make_cold(path);
}

enum class state { created, cold, read_syscall, loads };

const char* name_of(state s) {
  switch (s) {
    case state::created:
      return "new, from create_file";
    case state::cold:
      return "holding data, not in the page cache";
    case state::read_syscall:
      return "holding data, read first with read()";
    case state::loads:
      return "holding data, read first by plain loads through a mapping";
  }
  return "?";
}

// Pages the device wrote for k scattered writes and a flush, and the distinct pages touched.
std::pair<std::int64_t, std::int64_t> scattered(const std::filesystem::path& dir,
                                                const std::string& device, std::int64_t bytes,
                                                std::int64_t k, state s, bool exact) {
  const auto path = dir / (s == state::created ? "new.f32" : "data.f32");
  const std::int64_t n = bytes / 4;
  if (s == state::created) {
    std::filesystem::remove(path);
    ma::create_file<float>(path, {n});
  } else {
    make_data_file(path, bytes);
  }
  if (s == state::read_syscall) {
    std::vector<char> buffer(1 << 20);
    std::ifstream in(path, std::ios::binary);
    while (in.read(buffer.data(), std::streamsize(buffer.size()))) {
    }
  }
  if (s == state::loads) {
    const auto r = ma::map_file<const float>(path);
    float sum = 0;
    for (std::int64_t i = 0; i < n; i += 1024) sum += r(i);
    if (sum < 0) std::puts("");
  }
  const auto a = ma::map_file<float>(path, {-1}, {.exact_writeback = exact});
  std::mt19937_64 random(42);
  std::set<std::int64_t> pages;
  std::vector<std::int64_t> at(static_cast<std::size_t>(k));
  for (auto& i : at) {
    i = std::int64_t(random() % std::uint64_t(n));
    pages.insert(i * 4 / std::int64_t(::sysconf(_SC_PAGESIZE)));
  }
  ::sync();
  const std::int64_t before = sectors_written(device);
  for (const std::int64_t i : at) a(i) = 2.0f;
  a.flush();
  const std::int64_t written = (sectors_written(device) - before) * 512 /
                               std::int64_t(::sysconf(_SC_PAGESIZE));
  return {written, std::int64_t(pages.size())};
}

// Seconds for one cold sequential pass of plain loads over the file, mapped read_write.
double cold_sequential_read(const std::filesystem::path& path, std::int64_t bytes, bool exact) {
  make_data_file(path, bytes);
  const auto a = ma::map_file<float>(path, {-1}, {.exact_writeback = exact});
  const auto start = clock_type::now();
  float sum = 0;
  for (const float x : a.flat()) sum += x;
  const double seconds = seconds_since(start);
  if (sum < 0) std::puts("");
  return seconds;
}

// Seconds to read the file with direct I/O in 16 MiB blocks: the device's sequential limit.
double direct_read(const std::filesystem::path& path, std::int64_t bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  void* buffer = std::aligned_alloc(4096, 16 << 20);
  const auto start = clock_type::now();
  for (std::int64_t done = 0; done < bytes;) {
    const ssize_t got = ::pread(fd, buffer, 16 << 20, done);
    if (got <= 0) break;
    done += got;
  }
  const double seconds = seconds_since(start);
  std::free(buffer);
  ::close(fd);
  return seconds;
}

double median_of_three(const std::function<double()>& run) {
  std::vector<double> t = {run(), run(), run()};
  std::ranges::sort(t);
  return t[1];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: writeback DIR DEVICE [MIB] [K]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const std::string device = argv[2];
  const std::int64_t bytes = (argc > 3 ? std::atoll(argv[3]) : 1024) << 20;
  const std::int64_t k = argc > 4 ? std::atoll(argv[4]) : 100;
  const std::int64_t read_bytes = (argc > 5 ? std::atoll(argv[5]) : 256) << 20;

  std::printf("| file | exact_writeback | k | distinct pages written to | pages the device wrote |"
              " pages per element |\n|---|---|---:|---:|---:|---:|\n");
  for (const auto s : {state::created, state::cold, state::read_syscall, state::loads}) {
    for (const bool exact : {false, true}) {
      const auto [written, touched] = scattered(dir, device, bytes, k, s, exact);
      std::printf("| %s | %s | %lld | %lld | %lld | %.2f |\n", name_of(s), exact ? "yes" : "no",
                  static_cast<long long>(k), static_cast<long long>(touched),
                  static_cast<long long>(written), double(written) / double(k));
      std::fflush(stdout);
    }
  }

  const auto path = dir / "read.f32";
  const double mib = double(read_bytes) / double(1 << 20);
  const double limit = median_of_three([&] {
    make_data_file(path, read_bytes);
    return direct_read(path, read_bytes);
  });
  std::printf("\n| cold sequential read of %.0f MiB | median s | MiB/s | limit's time / this |\n"
              "|---|---:|---:|---:|\n",
              mib);
  std::printf("| direct I/O, 16 MiB blocks (the limit) | %.2f | %.0f | 1 |\n", limit, mib / limit);
  for (const bool exact : {false, true}) {
    const double t =
        median_of_three([&] { return cold_sequential_read(path, read_bytes, exact); });
    std::printf("| plain loads through a read_write mapping, exact_writeback %s | %.2f | %.0f | "
                "%.3f |\n",
                exact ? "yes" : "no", t, mib / t, limit / t);
    std::fflush(stdout);
  }
  return 0;
}
