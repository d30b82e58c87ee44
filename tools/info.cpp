// maparray info: what a file holds and how much of it is in the page cache.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli_error.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "json_output.hpp"
#include "maparray/npz.hpp"
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

// The facts of array `a`, whose first element is at file offset `offset`.
file_facts facts_of(const any_array& a, std::int64_t offset) {
  file_facts facts;
  facts.dtype = a.type().str();
  facts.dtype_name = a.type().name();
  facts.shape.assign(a.shape().begin(), a.shape().end());
  facts.order = a.is_c_contiguous() || !a.is_f_contiguous() ? "C" : "F";
  facts.offset = offset;
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

file_facts examine(const std::string& path, const raw_layout& raw) {
  const opened_array opened = open_input(path, raw);
  file_facts facts = facts_of(opened.array, opened.data_offset);
  facts.format = opened.is_npy ? "npy" : "raw";
  facts.version = opened.npy_version;
  return facts;
}

// A member of a .npz archive: its array's facts if it is a stored .npy file.
struct member_facts {
  npz_member member;
  std::optional<file_facts> array;
};

std::vector<member_facts> examine_npz(const npz_archive& archive) {
  std::vector<member_facts> result;
  for (const npz_member& m : archive.members()) {
    member_facts facts{m, std::nullopt};
    if (m.mappable() && m.is_npy()) {
      const any_array a = archive.array(m);
      facts.array = facts_of(a, a.data() - archive.storage().data());
      const npy::header head = npy::parse_header(archive.bytes(m));
      facts.array->format = "npy";
      facts.array->version =
          std::to_string(head.major_version) + "." + std::to_string(head.minor_version);
    }
    result.push_back(std::move(facts));
  }
  return result;
}

json facts_json(const file_facts& f) {
  json out;
  out["format"] = f.format;
  out["version"] = f.version.empty() ? json(nullptr) : json(f.version);
  out["dtype"] = f.dtype;
  out["shape"] = shape_json(f.shape);
  out["order"] = f.order;
  out["offset"] = f.offset;
  out["nbytes"] = f.nbytes;
  out["resident_bytes"] = f.resident;
  return out;
}

void print_json(const std::string& path, const file_facts& f) {
  json out;
  out["file"] = path;
  out.update(facts_json(f));
  cli::print_json(out);
}

void print_npz_json(const std::string& path, const std::vector<member_facts>& members) {
  json list = json::array();
  for (const member_facts& m : members) {
    json item;
    item["name"] = m.member.entry.name;
    item["key"] = m.member.key;
    item["compression"] = m.member.entry.method == zip::stored     ? json("stored")
                          : m.member.entry.method == zip::deflated ? json("deflate")
                                                                   : json(m.member.entry.method);
    item["encrypted"] = m.member.entry.encrypted();
    item["size"] = m.member.entry.size;
    item["compressed_size"] = m.member.entry.compressed_size;
    if (m.array) item.update(facts_json(*m.array));
    list.push_back(std::move(item));
  }
  json out;
  out["file"] = path;
  out["format"] = "npz";
  out["members"] = std::move(list);
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

void print_npz_text(const std::string& path, const std::vector<member_facts>& members) {
  std::cout << path << "\n  format    npz, " << members.size()
            << (members.size() == 1 ? " member\n" : " members\n");
  for (const member_facts& m : members) {
    const zip::entry& e = m.member.entry;
    std::cout << "  " << m.member.key << ": ";
    if (m.array) {
      const file_facts& f = *m.array;
      const double fraction =
          f.nbytes ? static_cast<double>(f.resident) / static_cast<double>(f.nbytes) : 0.0;
      std::cout << f.dtype << " (" << f.dtype_name << "), shape " << to_string(f.shape) << ", "
                << f.order << " order, " << human_bytes(static_cast<double>(f.nbytes))
                << " at offset " << f.offset << ", " << static_cast<int>(fraction * 100 + 0.5)
                << "% resident\n";
    } else if (!m.member.mappable()) {
      std::cout << (e.encrypted() ? std::string("encrypted")
                    : e.method == zip::deflated
                        ? std::string("compressed (deflate)")
                        : "compressed (ZIP method " + std::to_string(e.method) + ")")
                << ", " << human_bytes(static_cast<double>(e.size)) << " in "
                << human_bytes(static_cast<double>(e.compressed_size))
                << "; cannot be mapped in place\n";
    } else {
      std::cout << "not a .npy file, " << human_bytes(static_cast<double>(e.size)) << '\n';
    }
  }
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto opts = std::make_shared<info_options>();
  CLI::App* cmd = app.add_subcommand(
      "info", "Print dtype, shape, order, data offset, size and page-cache residency");
  cmd->add_option("FILE", opts->files,
                  "files to describe (.npy, .npz archives, or raw with --dtype)")
      ->required();
  add_raw_layout_options(*cmd, opts->raw, true);
  cmd->add_flag("--json", opts->json,
                "print one JSON object per file, with keys file, format, version, dtype, shape, "
                "order, offset, nbytes, resident_bytes; for a .npz archive, file, format and "
                "members, a list of objects with keys name, key, compression, encrypted, size, "
                "compressed_size and, for stored .npy members, those of an array");
  cmd->footer(
      "Example:\n  maparray info weights.npy\n  maparray info archive.npz\n  maparray info --json "
      "samples.i16 --dtype "
      "'<i2' --shape -1,2");
  cmd->callback([opts] {
    // Every file is reported, in order; a failure is one line on stderr, and the exit status
    // is 1 at the end if any file failed.
    bool failed = false;
    for (const auto& path : opts->files) {
      try {
        if (is_npz_path(path)) {
          const auto members = about_file(path, [&] {
            if (opts->raw.type || opts->raw.shape || opts->raw.offset != 0)
              throw user_error(path +
                               ": is a .npz archive, which describes its members; drop "
                               "--dtype, --shape and --offset");
            return examine_npz(npz_archive::open(path));
          });
          if (opts->json)
            print_npz_json(path, members);
          else
            print_npz_text(path, members);
          continue;
        }
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
