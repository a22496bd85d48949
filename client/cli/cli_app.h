// The `gregor` command tree (CLI11): every command, option and help text, separate from running them.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "client/cli/options.h"

namespace gregor::client::cli {

// Builds the parser; after app->parse(...) the options hold the command line.
std::unique_ptr<CLI::App> make_app(CliOptions& options);

// Runs the parsed command; returns the process exit code. Failures print one line to stderr.
int run_command(const CliOptions& options);

}  // namespace gregor::client::cli
