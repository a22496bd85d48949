// The `gregor` command runners; each returns the process exit code.
#pragma once

#include <string>

#include "client/cli/options.h"
#include "client/error.h"
#include "client/kafka_client.h"

namespace gregor::client::cli {

int run_topics(const CliOptions& o);
int run_produce(const CliOptions& o);
int run_consume(const CliOptions& o);
int run_cluster_info(const CliOptions& o);
int run_groups(const CliOptions& o);
int run_perf_produce(const CliOptions& o);
int run_perf_consume(const CliOptions& o);
int run_dump_log(const CliOptions& o);

// Prints "gregor: <reason>" on one line to stderr and returns 1.
int fail(const std::string& reason);
int fail(const ClientError& error);

// The client settings every command shares.
ClientConfig client_config(const GlobalOptions& g);

}  // namespace gregor::client::cli
