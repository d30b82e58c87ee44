// maparray info: what a file holds and how much of it is in the page cache.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_error.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "json_output.hpp"
#include "text.hpp"

namespace maparray::cli {
namespace {

struct info_options {
  std::vector<std::string> files;
  raw_layout raw;
  bool json = false;
};

struct file_facts {
  std::string format;
  std::string version;  // empty for raw files
  std::string dtype;
  std::string dtype_name;
  std::vector<index_t> shape;
  std::string order;
  std::int64_t offset;
  std::uint64_t nbytes;
  std::uint64_t resident;
};

file_facts examine(const std::string& path, const raw_layout& raw) {
  const opened_array opened = open_input(path, raw);
  const any_array& a = opened.array;
  file_facts facts;
  facts.format = opened.is_npy ? "npy" : "raw";
  facts.version = opened.npy_version;
  facts.dtype = a.type().str();
  facts.dtype_name = a.type().name();
  facts.shape.assign(a.shape().begin(), a.shape().end());
  facts.order = a.is_c_contiguous() || !a.is_f_contiguous() ? "C" : "F";
  facts.offset = opened.data_offset;
  facts.nbytes = a.size_bytes();
  facts.resident = 0;
  if (facts.nbytes > 0) {
    const mapping storage = a.storage();
    const auto start = static_cast<std::size_t>(a.data() - storage.data());
    facts.resident =
        std::min<std::uint64_t>(storage.resident_bytes(start, facts.nbytes), facts.nbytes);
  }
  return facts;
}

void print_json(const std::string& path, const file_facts& f) {
  json out;
  out["file"] = path;
  out["format"] = f.format;
  out["version"] = f.version.empty() ? json(nullptr) : json(f.version);
  out["dtype"] = f.dtype;
  out["shape"] = shape_json(f.shape);
  out["order"] = f.order;
  out["offset"] = f.offset;
  out["nbytes"] = f.nbytes;
  out["resident_bytes"] = f.resident;
  cli::print_json(out);
}

void print_text(const std::string& path, const file_facts& f) {
  const double fraction =
      f.nbytes ? static_cast<double>(f.resident) / static_cast<double>(f.nbytes) : 0.0;
  std::cout << path << '\n'
            << "  format    " << f.format << (f.version.empty() ? "" : " " + f.version) << '\n'
            << "  dtype     " << f.dtype << " (" << f.dtype_name << ")\n"
            << "  shape     " << to_string(f.shape) << '\n'
            << "  order     " << f.order << '\n'
            << "  offset    " << f.offset << '\n'
            << "  bytes     " << f.nbytes << " (" << human_bytes(static_cast<double>(f.nbytes))
            << ")\n"
            << "  resident  " << bar(fraction) << ' ' << static_cast<int>(fraction * 100 + 0.5)
            << "% (" << human_bytes(static_cast<double>(f.resident)) << ")\n";
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto opts = std::make_shared<info_options>();
  CLI::App* cmd = app.add_subcommand(
      "info", "Print dtype, shape, order, data offset, size and page-cache residency");
  cmd->add_option("FILE", opts->files, "files to describe (.npy, or raw with --dtype)")->required();
  add_raw_layout_options(*cmd, opts->raw, true);
  cmd->add_flag("--json", opts->json,
                "print one JSON object per file, with keys file, format, version, dtype, shape, "
                "order, offset, nbytes, resident_bytes");
  cmd->footer(
      "Example:\n  maparray info weights.npy\n  maparray info --json samples.i16 --dtype "
      "'<i2' --shape -1,2");
  cmd->callback([opts] {
    // Every file is reported, in order; a failure is one line on stderr, and the exit status
    // is 1 at the end if any file failed.
    bool failed = false;
    for (const auto& path : opts->files) {
      try {
        const file_facts facts = examine(path, opts->raw);
        if (opts->json)
          print_json(path, facts);
        else
          print_text(path, facts);
      } catch (const user_error& e) {
        std::cout.flush();
        std::cerr << "maparray info: " << e.what() << '\n';
        failed = true;
      }
    }
    if (failed) throw failures_reported();
  });
}

}  // namespace maparray::cli
