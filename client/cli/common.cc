// Shared pieces of the command runners: failure reporting and client settings.
#include <algorithm>
#include <iostream>

#include "client/cli/commands.h"

namespace gregor::client::cli {

int fail(const std::string& reason) {
  std::string line = reason;
  std::replace(line.begin(), line.end(), '\n', ' ');
  std::cerr << "gregor: " << line << std::endl;
  return 1;
}

int fail(const ClientError& error) { return fail(error.to_string()); }

ClientConfig client_config(const GlobalOptions& g) {
  ClientConfig c;
  c.bootstrap_servers = g.brokers;
  c.client_id = "gregor-cli";
  c.request_timeout = std::chrono::milliseconds(g.timeout_ms);
  return c;
}

}  // namespace gregor::client::cli
