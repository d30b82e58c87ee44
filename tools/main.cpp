// The maparray command-line tool: look at, create and compute on array files.
//
// Exit status: 0 on success, 1 on a user error (one line on stderr per problem, naming the
// file), 2 on a usage error (one line "maparray SUB: problem" and a pointer to --help).
#include <algorithm>
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli_error.hpp"
#include "commands.hpp"
#include "maparray/version.hpp"

namespace {

// "maparray" and the subcommand named on the command line (always the first argument), if any.
std::string who(const CLI::App& app, int argc, char** argv) {
  if (argc < 2) return "maparray";
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->check_name(argv[1])) return "maparray " + sub->get_name();
  }
  return "maparray";
}

std::string one_line(std::string message) {
  std::ranges::replace(message, '\n', ' ');
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return message;
}

// The subcommands' names, comma-separated.
std::string subcommand_list(const CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

// Names an unknown subcommand (the first argument that is not an option) and lists the known
// ones. Returns false if the first argument is an option or a known subcommand.
bool unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  const std::string_view name = argv[1];
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->check_name(std::string(name))) return false;
  }
  std::cerr << "maparray: unknown subcommand '" << name << "'; the subcommands are "
            << subcommand_list(app) << " (maparray --help describes them)\n";
  return true;
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
  app.set_version_flag("--version", "maparray " + std::string(maparray::version_string),
                       "print the version and exit");
  app.footer(
      "Example:\n  maparray create a.npy --dtype f4 --shape 1000,1000 --fill 1\n"
      "  maparray info a.npy");
  cli::add_info_command(app);
  cli::add_create_command(app);
  cli::add_show_command(app);
  cli::add_stats_command(app);
  cli::add_compute_commands(app);
  cli::add_convert_command(app);
  cli::add_append_command(app);
  cli::add_residency_commands(app);
  if (unknown_subcommand(app, argc, argv)) return 2;
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help and --version print and succeed
  } catch (const CLI::ParseError& e) {
    const std::string name = who(app, argc, argv);
    std::cerr << name << ": " << one_line(e.what()) << " (" << name
              << " --help lists the options)\n";
    return 2;
  } catch (const cli::failures_reported&) {
    return 1;  // each failure has had its line on stderr already
  } catch (const std::exception& e) {
    std::cerr << who(app, argc, argv) << ": " << one_line(e.what()) << '\n';
    return 1;
  }
}
