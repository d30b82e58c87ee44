// maparray warm|evict: load a file into the page cache, or drop it from there (as vmtouch
// does), printing the residency before and after.
#include <fcntl.h>

#include <iostream>
#include <limits>
#include <memory>
#include <string>

#include "cli_error.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "json_output.hpp"
#include "maparray/mapping.hpp"
#include "progress.hpp"
#include "text.hpp"

namespace maparray::cli {
namespace {

struct residency_options {
  std::string file;
  std::string range;  // "START:END" in bytes, either side may be empty
  bool json = false;
};

// The byte range [first, last) of a file of `size` bytes that `text` names. Throws
// std::invalid_argument for text that is not a range, user_error for one outside the file.
std::pair<std::int64_t, std::int64_t> parse_range(const std::string& text, std::int64_t size,
                                                  const std::string& file) {
  if (text.empty()) return {0, size};
  const auto colon = text.find(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("expected START:END, e.g. 0:64M or 1G:");
  const std::string a = text.substr(0, colon), b = text.substr(colon + 1);
  std::int64_t first = 0, last = size;
  if (!a.empty()) first = parse_size(a);
  if (!b.empty()) last = parse_size(b);
  if (first > last) throw std::invalid_argument("range " + text + " ends before it starts");
  if (last > size) {
    throw user_error(file + ": range " + text + " is outside the file (" + std::to_string(size) +
                     " bytes)");
  }
  return {first, last};
}

void report(const residency_options& o, std::size_t length, std::size_t before, std::size_t after) {
  auto percent = [&](std::size_t n) {
    return length ? static_cast<double>(n) / static_cast<double>(length) : 0.0;
  };
  if (o.json) {
    json out;
    out["file"] = o.file;
    out["bytes"] = length;
    out["resident_before"] = before;
    out["resident_after"] = after;
    print_json(out);
    return;
  }
  std::cout << o.file << '\n'
            << "  before  " << bar(percent(before)) << ' '
            << human_bytes(static_cast<double>(before)) << " of "
            << human_bytes(static_cast<double>(length)) << '\n'
            << "  after   " << bar(percent(after)) << ' ' << human_bytes(static_cast<double>(after))
            << " of " << human_bytes(static_cast<double>(length)) << '\n';
}

// Warming reads this many bytes between updates of the progress bar.
constexpr std::size_t warm_piece = 64 << 20;

void run(const residency_options& o, bool warm) {
  about_file(o.file, [&] {
    const mapping whole = mapping::open(o.file);
    const auto [first, last] =
        parse_range(o.range, static_cast<std::int64_t>(whole.size()), o.file);
    const auto offset = static_cast<std::size_t>(first);
    const auto length = static_cast<std::size_t>(last - first);
    auto resident = [&] {
      return length ? std::min(whole.resident_bytes(offset, length), length) : 0;
    };
    const std::size_t before = resident();
    if (length > 0) {
      if (warm) {
        progress_bar progress(length);
        for (std::size_t done = 0; done < length; done += warm_piece) {
          whole.prefetch(access::read, offset + done, std::min(warm_piece, length - done));
          progress.update(std::min(length, done + warm_piece));
        }
        progress.finish();
      } else {
        whole.evict(offset, length);
      }
    }
    report(o, length, before, resident());
  });
}

void add_one(CLI::App& app, bool warm) {
  auto opts = std::make_shared<residency_options>();
  CLI::App* cmd = app.add_subcommand(
      warm ? "warm" : "evict",
      warm ? "Load a file (or a byte range of it) into the page cache"
           : "Drop a file (or a byte range of it) from the page cache; dirty pages stay");
  cmd->add_option("FILE", opts->file, "any file; its bytes, not its elements, are counted")
      ->required();
  cmd->add_option("--range", opts->range, "byte range START:END, either side optional: 0:64M")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            try {
              parse_range(text, std::numeric_limits<std::int64_t>::max(), "");
              return {};
            } catch (const std::exception& e) {
              return e.what();
            }
          },
          "START:END", "RANGE"));
  cmd->add_flag("--json", opts->json,
                "print a JSON object with keys file, bytes, resident_before, resident_after");
  cmd->footer(
      warm ? "A progress bar is drawn when stderr is a terminal.\n\nExample:\n  maparray warm "
             "weights.npy\n  maparray warm big.f32 --range 0:1G"
           : "Example:\n  maparray evict weights.npy");
  cmd->callback([opts, warm] { run(*opts, warm); });
}

}  // namespace

void add_residency_commands(CLI::App& app) {
  add_one(app, true);
  add_one(app, false);
}

}  // namespace maparray::cli
