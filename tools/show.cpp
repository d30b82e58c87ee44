// maparray show: print elements as numpy prints them.
#include <iostream>
#include <memory>
#include <string>

#include "cli_error.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "json_output.hpp"
#include "print_array.hpp"
#include "slicing.hpp"

namespace maparray::cli {
namespace {

struct show_options {
  std::string file;
  raw_layout raw;
  std::string slice;
  bool json = false;
};

void run(const show_options& o) {
  const opened_array opened = open_input(o.file, o.raw);
  about_file(o.file, [&] {
    const any_array view =
        o.slice.empty() ? opened.array : slice_array(opened.array, parse_slice(o.slice), o.slice);
    if (!o.json) {
      std::cout << print_array(view) << '\n';
      return;
    }
    // The object is written in pieces, so that the elements of a big array stream out.
    json head;
    head["file"] = o.file;
    head["dtype"] = view.type().str();
    head["shape"] = shape_json(view.shape());
    std::string text = head.dump(-1, ' ', false, json::error_handler_t::replace);
    text.pop_back();  // the closing brace
    std::cout << text << ",\"data\":";
    write_elements_json(view, std::cout);
    std::cout << "}\n";
  });
}

}  // namespace

void add_show_command(CLI::App& app) {
  auto opts = std::make_shared<show_options>();
  CLI::App* cmd = app.add_subcommand(
      "show", "Print elements in numpy's layout, eliding the middle of big arrays");
  cmd->add_option("FILE", opts->file, "the file (.npy, or raw with --dtype)")->required();
  add_raw_layout_options(*cmd, opts->raw, true);
  cmd->add_option("--slice", opts->slice,
                  "numpy-style index, one part per axis: '10:20,::2', '0', '-5:'")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            try {
              parse_slice(text);
              return {};
            } catch (const std::exception& e) {
              return e.what();
            }
          },
          "SLICE", "SLICE"));
  cmd->add_flag("--json", opts->json,
                "print a JSON object with keys file, dtype, shape and data: every element "
                "selected, as nested lists (NaN and infinities as null, complex numbers as "
                "[real, imag], records as objects)");
  cmd->footer("Example:\n  maparray show grid.npy --slice '0:3,::100'");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace maparray::cli
