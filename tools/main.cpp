// The maparray command-line tool: look at, create and compute on array files.
//
// Exit status: 0 on success, 1 on a user error (one line on stderr naming the file and the
// problem), 2 on a usage error (CLI11's message and a pointer to --help).
#include <algorithm>
#include <csignal>
#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli_error.hpp"
#include "commands.hpp"

namespace {

int report(const CLI::App& app, std::string message) {
  std::ranges::replace(message, '\n', ' ');
  std::string who = "maparray";
  for (const CLI::App* sub : app.get_subcommands()) who += " " + sub->get_name();
  std::cerr << who << ": " << message << '\n';
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = maparray::cli;
  // Past a file-size limit (ulimit -f) the kernel would kill the tool with SIGXFSZ; ignored,
  // the call fails with EFBIG instead, which is reported as a user error.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app(
      "Look at, create and compute on array files: .npy files, and raw files given\n"
      "--dtype and --shape. 'maparray SUBCOMMAND --help' describes each subcommand.",
      "maparray");
  app.require_subcommand(1, 1);
  app.footer(
      "Example:\n  maparray create a.npy --dtype f4 --shape 1000,1000 --fill 1\n"
      "  maparray info a.npy");
  cli::add_info_command(app);
  cli::add_create_command(app);
  cli::add_show_command(app);
  cli::add_stats_command(app);
  cli::add_arithmetic_commands(app);
  cli::add_convert_command(app);
  cli::add_append_command(app);
  cli::add_residency_commands(app);
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    return report(app, e.what());
  }
}
