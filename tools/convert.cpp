// maparray convert: raw <-> .npy, byte-order swaps and numeric casts, into a new file.
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli_error.hpp"
#include "commands.hpp"
#include "elements.hpp"
#include "input.hpp"
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

// Elements [first, last) of `in` (numbered in C order) as R values, cast as numpy's astype
// does. bool elements are read as numpy reads them, any nonzero byte being True.
template <class R>
void read_as(const any_array& in, std::size_t first, std::size_t last, R* out) {
  if (in.type().kind() != dtype_kind::boolean) return copy_as<R>(in, first, last, out);
  const any_array bytes(in.data(), dtype_of<std::uint8_t>(), dims(in.shape()),
                        dims(in.byte_strides()), in.lease(), false);
  const auto raw = std::make_unique<std::uint8_t[]>(last - first);
  copy_as<std::uint8_t>(bytes, first, last, raw.get());
  for (std::size_t i = 0; i < last - first; ++i) out[i] = cast_value<R>(raw[i] != 0);
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
      visit_numeric(from, [](auto) {});
      visit_numeric(to, [](auto) {});
      if (to.kind() == dtype_kind::floating && to.itemsize() == 2)
        throw std::invalid_argument("casting to float16 is not supported");
    });
  }

  staged_output staged(o.out, o.force);
  about_file(o.out, [&] {
    output_array out = create_output(staged.temporary(), npy, to, dims(in.array.shape()), order::c);
    const std::size_t total = in.array.size();
    const auto out_item = static_cast<std::size_t>(to.itemsize());
    const std::size_t scalar_bytes = to.kind() == dtype_kind::complex ? out_item / 2 : out_item;
    progress_bar progress(total * static_cast<std::uint64_t>(from.itemsize() + to.itemsize()));
    for (std::size_t first = 0; first < total; first += chunk_elements) {
      const std::size_t last = std::min(total, first + chunk_elements);
      std::byte* dst = out.array.data() + first * out_item;
      if (same_values) {
        copy_bytes(in.array, first, last, dst);
        if (!(to == from)) swap_bytes(dst, (last - first) * out_item, scalar_bytes);
      } else {
        const bool swap = needs_swap(to);
        visit_numeric(to, [&]<class R>(R) {
          if constexpr (!std::is_same_v<R, half>) {
            // std::unique_ptr, not std::vector, which has no data() for bool.
            const auto buffer_size = last - first;
            auto buffer = std::make_unique<R[]>(buffer_size);
            read_as<R>(in.array, first, last, buffer.get());
            for (std::size_t i = 0; i < buffer_size; ++i)
              store(dst + i * out_item, buffer[i], swap);
          }
        });
      }
      progress.update(last * static_cast<std::uint64_t>(from.itemsize() + to.itemsize()));
    }
    out.finish();
    progress.finish();
  });
  staged.commit();
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
  cmd->footer(
      "The output is always in C order. For a raw IN, --dtype (with --shape, --offset,\n"
      "--order) describes it and --to-dtype casts; for a .npy IN, --dtype casts.\n\n"
      "Example:\n  maparray convert samples.i16 --dtype '>i2' --shape -1,2 -o samples.npy "
      "--byteorder native\n  maparray convert a.npy -o a32.npy --dtype f4");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace maparray::cli
