// maparray create: a new array file of an explicit length, zero-filled or filled with a value.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "cli_error.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "json_output.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "scalar.hpp"
#include "staged_output.hpp"

namespace maparray::cli {
namespace {

struct create_options {
  std::string file;
  std::string dtype_text;
  std::string shape_text;
  std::string fill;
  std::string format;
  std::string order = "C";
  bool sparse = false;
  bool force = false;
  bool json = false;
};

// Filling copies pieces of about this many bytes between updates of the progress bar.
constexpr std::size_t fill_piece = 16 << 20;

// Copies the `item` bytes at the start of [data, data + total) over the rest: doubling the
// copied span up to a piece of whole items, then copying that piece along. Never throws.
void repeat_first_item(std::byte* data, std::size_t total, std::size_t item,
                       progress_bar& progress) {
  const std::size_t piece = std::min(total, std::max(item, fill_piece / item * item));
  for (std::size_t done = item; done < piece;) {
    const std::size_t n = std::min(done, piece - done);
    std::memcpy(data + done, data, n);
    done += n;
  }
  progress.update(piece);
  for (std::size_t done = piece; done < total; done += piece) {
    std::memcpy(data + done, data, std::min(piece, total - done));
    progress.update(std::min(total, done + piece));
  }
}

void run(const create_options& o) {
  const dtype type = parse_dtype(o.dtype_text);
  const dims shape = parse_shape(o.shape_text);
  for (index_t d : shape) {
    if (d < 0) throw CLI::ValidationError("--shape", "create needs every dimension (no -1)");
  }
  const bool npy = o.format.empty() ? is_npy_path(o.file) : o.format == "npy";
  std::optional<scalar> fill;
  if (!o.fill.empty()) fill = parse_scalar(o.fill);

  staged_output staged(o.file, o.force);
  json facts = about_file(o.file, [&] {
    output_array out = create_output(staged.temporary(), npy, type, shape,
                                     o.order == "F" ? order::fortran : order::c, o.sparse);
    const any_array& a = out.array;
    if (fill && a.size() > 0) {
      progress_bar progress(a.size_bytes());
      store_scalar(*fill, type, a.data());
      repeat_first_item(a.data(), a.size_bytes(), static_cast<std::size_t>(type.itemsize()),
                        progress);
      out.finish();
      progress.finish();
    } else {
      out.finish();
    }
    return array_json(a);
  });
  staged.commit();
  if (o.json) {
    json result;
    result["file"] = o.file;
    result["format"] = npy ? "npy" : "raw";
    result.update(facts);
    print_json(result);
  }
}

}  // namespace

void add_create_command(CLI::App& app) {
  auto opts = std::make_shared<create_options>();
  CLI::App* cmd = app.add_subcommand(
      "create", "Create an array file of an explicit length (space reserved up front)");
  cmd->add_option("FILE", opts->file, "the new file; .npy by suffix, otherwise raw")->required();
  cmd->add_option("--dtype", opts->dtype_text, "element type: f4, <f4, float32, int64, ...")
      ->required()
      ->check(dtype_validator());
  cmd->add_option("--shape", opts->shape_text, "shape, comma-separated: 1000,24")
      ->required()
      ->check(shape_validator());
  cmd->add_option("--fill", opts->fill, "value of every element (default 0)")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            try {
              parse_scalar(s);
              return {};
            } catch (const std::exception& e) {
              return e.what();
            }
          },
          "", "VALUE"));
  cmd->add_flag("--sparse", opts->sparse,
                "only set the length (a sparse file) instead of reserving every block; a full "
                "disk then shows later, as a crash on write");
  cmd->add_flag("--force", opts->force, "replace an existing file");
  cmd->add_flag("--json", opts->json,
                "print a JSON object with keys file, format, dtype, shape, order, nbytes");
  cmd->add_option("--format", opts->format, "npy or raw (default: npy if FILE ends in .npy)")
      ->check(CLI::IsMember({"npy", "raw"}));
  cmd->add_option("--order", opts->order, "element order: C (row-major) or F (column-major)")
      ->check(CLI::IsMember({"C", "F"}));
  cmd->footer(
      "With --fill, a progress bar is drawn when stderr is a terminal.\n\n"
      "Example:\n  maparray create grid.npy --dtype float64 --shape 1000,1000 --fill 1.5\n"
      "  maparray create big.f32 --dtype f4 --shape 268435456 --sparse");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace maparray::cli
