// maparray show: print elements as numpy prints them.
#include <iostream>
#include <memory>
#include <string>

#include "cli_error.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "print_array.hpp"
#include "slicing.hpp"

namespace maparray::cli {
namespace {

struct show_options {
  std::string file;
  raw_layout raw;
  std::string slice;
};

}  // namespace

void add_show_command(CLI::App& app) {
  auto opts = std::make_shared<show_options>();
  CLI::App* cmd = app.add_subcommand(
      "show", "Print elements in numpy's layout, eliding the middle of big arrays");
  cmd->add_option("FILE", opts->file, "the file (.npy, or raw with --dtype)")->required();
  add_raw_layout_options(*cmd, opts->raw);
  cmd->add_option("--slice", opts->slice,
                  "numpy-style index, one part per axis: '10:20,::2', '0', '-5:'");
  cmd->footer("Example:\n  maparray show grid.npy --slice '0:3,::100'");
  cmd->callback([opts] {
    const opened_array opened = open_input(opts->file, opts->raw);
    const std::string text = about_file(opts->file, [&] {
      const any_array view =
          opts->slice.empty() ? opened.array : slice_array(opened.array, opts->slice);
      return print_array(view);
    });
    std::cout << text << '\n';
  });
}

}  // namespace maparray::cli
