// Options of every `gregor` command, filled in by the CLI11 parser (cli_app.h) and read by the commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gregor::client::cli {

struct GlobalOptions {
  std::string brokers = "localhost:9092";  // --brokers, GREGOR_BROKERS
  std::string format = "table";            // table | json
  int64_t timeout_ms = 30000;              // per request
};

struct TopicsOptions {
  std::vector<std::string> topics;  // describe: none = all
  std::string topic;
  int32_t partitions = -1;
  int16_t replication_factor = -1;
  std::vector<std::string> configs;         // create: key=value
  std::vector<std::string> set_configs;     // alter-config --set key=value
  std::vector<std::string> delete_configs;  // alter-config --delete key
  bool if_not_exists = false;
  bool if_exists = false;
  bool internal = false;  // list: include internal topics
};

struct ProduceOptions {
  std::string topic;
  std::optional<int32_t> partition;
  std::optional<std::string> key_separator;
  std::vector<std::string> headers;  // key=value
  std::string compression = "none";
  std::string acks = "all";
  int64_t linger_ms = 5;
  int64_t batch_size = 16384;
  bool idempotence = true;
  size_t max_in_flight = 5;  // max.in.flight.requests.per.connection
  std::string input;         // file; empty or "-" = stdin
  bool stats = false;        // a JSON summary line on stderr at the end
};

struct ConsumeOptions {
  std::string topic;
  std::vector<int32_t> partitions;  // none = all
  bool from_beginning = false;
  std::optional<std::string> offset;  // beginning | end | <n>
  std::optional<int64_t> timestamp;
  std::optional<std::string> group;
  std::string assignment_strategy = "range";  // with --group: range | roundrobin
  std::string format = "{value}";             // template, or "json"
  int64_t count = -1;
  bool exit_at_end = false;
  int64_t idle_timeout_ms = -1;
};

struct PerfOptions {
  std::string topic;
  int64_t num_records = 0;
  int32_t record_size = 100;
  double throughput = -1;
  std::vector<std::string> producer_props;  // key=value, Kafka's names
  int64_t messages = 0;                     // perf consume
  int64_t consume_timeout_ms = 10000;
  int64_t reporting_interval_ms = 5000;
};

struct GroupsOptions {
  std::vector<std::string> groups;  // describe, delete
  std::string group;                // reset-offsets, watch
  bool members = false;             // describe --members
  bool state = false;               // describe --state
  bool verbose = false;             // describe --members --verbose: ASSIGNMENT column
  bool offsets = false;             // describe --offsets (the default view)
  // reset-offsets
  std::vector<std::string> topics;  // "t" or "t:0,1"
  bool all_topics = false;
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<int64_t> to_offset;
  std::optional<std::string> to_datetime;
  std::optional<int64_t> shift_by;
  bool execute = false;
  bool dry_run = false;
  // watch
  int64_t interval_ms = 250;
  int64_t max_events = -1;
  int64_t watch_timeout_ms = -1;
};

// What `gregor ...` asked for: `command` names the leaf, e.g. "topics create".
struct CliOptions {
  GlobalOptions global;
  std::string command;
  TopicsOptions topics;
  ProduceOptions produce;
  ConsumeOptions consume;
  PerfOptions perf;
  GroupsOptions groups;
  std::vector<std::string> dump_log_files;
  bool print_records = false;
};

}  // namespace gregor::client::cli
