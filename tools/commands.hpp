// The subcommands of the maparray tool, one source file each. Each function adds its
// subcommand to the application; the subcommand's callback does the work and reports problems
// by throwing user_error.
#pragma once

#include <CLI/CLI.hpp>

namespace maparray::cli {

void add_info_command(CLI::App& app);         // info.cpp
void add_create_command(CLI::App& app);       // create.cpp
void add_show_command(CLI::App& app);         // show.cpp
void add_stats_command(CLI::App& app);        // stats.cpp
void add_compute_commands(CLI::App& app);     // compute.cpp: eval, add sub mul div minimum
                                              // maximum, sum prod min max mean any all
void add_convert_command(CLI::App& app);      // convert.cpp
void add_append_command(CLI::App& app);       // append.cpp
void add_residency_commands(CLI::App& app);   // residency.cpp: warm evict

}  // namespace maparray::cli
