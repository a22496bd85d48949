// gregor: the command-line tool (topics, produce, consume, cluster, perf, dump-log).
#include <csignal>
#include <iostream>

#include "client/cli/cli_app.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // `gregor consume | head` ends with a write error, not a signal
  gregor::client::cli::CliOptions options;
  auto app = gregor::client::cli::make_app(options);
  try {
    app->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app->exit(e);
  }
  return gregor::client::cli::run_command(options);
}
