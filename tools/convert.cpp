// maparray convert: raw <-> .npy, byte-order swaps and numeric casts, into a new file.
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_error.hpp"
#include "commands.hpp"
#include "elements.hpp"
#include "input.hpp"
#include "json_output.hpp"
#include "maparray/expression.hpp"
#include "maparray/numeric_type.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "staged_output.hpp"

namespace maparray::cli {
namespace {

struct convert_options {
  std::string in, out;
  raw_layout raw;
  std::string to;
  std::string byteorder;
  std::string dtype_text;
  bool force = false;
  bool json = false;
};

constexpr std::size_t chunk_elements = 1 << 16;

// Copies elements [first, last) of `in` to the C-order output at `out`, unchanged.
void copy_bytes(const any_array& in, std::size_t first, std::size_t last, std::byte* out) {
  const auto item = static_cast<std::size_t>(in.type().itemsize());
  if (in.is_c_contiguous()) {
    std::memcpy(out, in.data() + first * item, (last - first) * item);
  } else {
    walk<1>(in.shape(), {&in}, first, last, [&](const std::byte* p) {
      std::memcpy(out, p, item);
      out += item;
    });
  }
}

// Throws std::invalid_argument unless elements of `type` are numbers, which casts need.
void require_number(const dtype& type) {
  if (!numeric_type_of(type)) {
    throw std::invalid_argument("dtype " + type.str() +
                                " is not a number type; convert casts numbers only");
  }
}

void run(const convert_options& o) {
  raw_layout raw = o.raw;
  std::optional<dtype> cast;
  if (!o.dtype_text.empty()) cast = parse_dtype(o.dtype_text);
  // A .npy input describes itself, so there --dtype can only mean the output's type.
  if (raw.type && !cast && is_npy_path(o.in)) {
    cast = raw.type;
    raw.type.reset();
  }
  const opened_array in = open_input(o.in, raw);
  const dtype& from = in.array.type();
  dtype to = cast.value_or(from);
  if (o.byteorder == "native") to = to.with_order(native_order);
  if (o.byteorder == "little") to = to.with_order(byte_order::little);
  if (o.byteorder == "big") to = to.with_order(byte_order::big);
  const bool npy = o.to.empty() ? is_npy_path(o.out) : o.to == "npy";
  const bool same_values = to.with_order(from.order()) == from;
  if (!same_values) {
    about_file(o.in, [&] {
      require_number(from);
      require_number(to);
    });
  }

  staged_output staged(o.out, o.force);
  const json facts = about_file(o.out, [&] {
    output_array out = create_output(staged.temporary(), npy, to, dims(in.array.shape()), order::c);
    const std::size_t total = in.array.size();
    const auto out_item = static_cast<std::size_t>(to.itemsize());
    const std::size_t scalar_bytes = to.kind() == dtype_kind::complex ? out_item / 2 : out_item;
    // The bar counts the bytes of the input, the size the user knows the file by.
    const auto in_item = static_cast<std::uint64_t>(from.itemsize());
    progress_bar progress(total * in_item);
    if (same_values) {
      for (std::size_t first = 0; first < total; first += chunk_elements) {
        const std::size_t last = std::min(total, first + chunk_elements);
        std::byte* dst = out.array.data() + first * out_item;
        copy_bytes(in.array, first, last, dst);
        if (!(to == from)) swap_bytes(dst, (last - first) * out_item, scalar_bytes);
        progress.update(last * in_item);
      }
    } else {
      // A cast, by the library as astype does it (bools are any nonzero byte, floats saturate
      // in integers, float16 rounds to nearest even); the bar counts the input's bytes.
      const std::uint64_t input_bytes = total * in_item;
      const exec_options opts{.progress = [&](std::uint64_t done, std::uint64_t all) {
        progress.update(all == 0 ? input_bytes
                                 : static_cast<std::uint64_t>(static_cast<double>(done) /
                                                              static_cast<double>(all) *
                                                              static_cast<double>(input_bytes)));
      }};
      evaluate(expression::parse("a"), {{"a", in.array}}, out.array, opts, casting::unsafe);
    }
    out.finish();
    progress.finish();
    return array_json(out.array);
  });
  staged.commit();
  if (o.json) {
    json result;
    result["file"] = o.out;
    result["input"] = o.in;
    result["format"] = npy ? "npy" : "raw";
    result.update(facts);
    print_json(result);
  }
}

}  // namespace

void add_convert_command(CLI::App& app) {
  auto opts = std::make_shared<convert_options>();
  CLI::App* cmd = app.add_subcommand(
      "convert", "Copy an array into a new file: raw <-> .npy, byte order, element type");
  cmd->add_option("IN", opts->in, "the input file (.npy, or raw with --dtype)")->required();
  cmd->add_option("-o,--output", opts->out, "the new file")->required();
  add_raw_layout_options(*cmd, opts->raw);
  cmd->add_option("--to", opts->to, "output format: npy or raw (default: npy if OUT ends in .npy)")
      ->check(CLI::IsMember({"npy", "raw"}));
  cmd->add_option("--byteorder", opts->byteorder, "output byte order: native, little or big")
      ->check(CLI::IsMember({"native", "little", "big"}));
  cmd->add_option("--to-dtype", opts->dtype_text,
                  "output element type, cast as numpy's astype does (out-of-range floats "
                  "saturate, NaN becomes 0 in integers)")
      ->check(dtype_validator());
  cmd->add_flag("--force", opts->force, "replace an existing output file");
  cmd->add_flag("--json", opts->json,
                "print a JSON object with keys file, input, format, dtype, shape, order, nbytes "
                "(of the new file)");
  cmd->footer(
      "The output is always in C order. For a raw IN, --dtype (with --shape, --offset,\n"
      "--order) describes it and --to-dtype casts; for a .npy IN, --dtype casts.\n"
      "A progress bar counting the input's bytes is drawn when stderr is a terminal.\n\n"
      "Example:\n  maparray convert samples.i16 --dtype '>i2' --shape -1,2 -o samples.npy "
      "--byteorder native\n  maparray convert a.npy -o a32.npy --dtype f4");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace maparray::cli
