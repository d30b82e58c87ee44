// maparray append: grow a .npy file in place along its first axis.
#include <memory>
#include <string>
#include <vector>

#include "cli_error.hpp"
#include "commands.hpp"
#include "input.hpp"

namespace maparray::cli {
namespace {

struct append_options {
  std::string file;
  std::vector<std::string> more;
};

void run(const append_options& o) {
  throw user_error(o.file + ": appending to .npy files is not supported by this build yet");
}

}  // namespace

void add_append_command(CLI::App& app) {
  auto opts = std::make_shared<append_options>();
  CLI::App* cmd =
      app.add_subcommand("append", "Grow a .npy file in place by the rows of other .npy files");
  cmd->add_option("FILE", opts->file, "the .npy file to grow")->required();
  cmd->add_option("MORE", opts->more, ".npy files with the same dtype and trailing shape")
      ->required();
  cmd->footer("Example:\n  maparray append log.npy today.npy");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace maparray::cli
