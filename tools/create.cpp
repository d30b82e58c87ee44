// maparray create: a new array file of an explicit length, zero-filled or filled with a value.
#include <cstring>
#include <memory>
#include <string>

#include "cli_error.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "output.hpp"
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
};

// Copies the `item` bytes at the start of [data, data + total) over the rest, doubling the
// copied span each time. Never throws.
void repeat_first_item(std::byte* data, std::size_t total, std::size_t item) {
  for (std::size_t done = item; done < total;) {
    const std::size_t n = std::min(done, total - done);
    std::memcpy(data + done, data, n);
    done += n;
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
  about_file(o.file, [&] {
    output_array out = create_output(staged.temporary(), npy, type, shape,
                                     o.order == "F" ? order::fortran : order::c, o.sparse);
    const any_array& a = out.array;
    if (fill && a.size() > 0) {
      store_scalar(*fill, type, a.data());
      repeat_first_item(a.data(), a.size_bytes(), static_cast<std::size_t>(type.itemsize()));
    }
    out.finish();
  });
  staged.commit();
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
  cmd->add_option("--format", opts->format, "npy or raw (default: npy if FILE ends in .npy)")
      ->check(CLI::IsMember({"npy", "raw"}));
  cmd->add_option("--order", opts->order, "element order: C (row-major) or F (column-major)")
      ->check(CLI::IsMember({"C", "F"}));
  cmd->footer(
      "Example:\n  maparray create grid.npy --dtype float64 --shape 1000,1000 --fill 1.5\n"
      "  maparray create big.f32 --dtype f4 --shape 268435456 --sparse");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace maparray::cli
