// The `gregor` command tree: subcommands, options, help texts and dispatch to the command runners.
#include "client/cli/cli_app.h"

#include "client/cli/commands.h"

namespace gregor::client::cli {

namespace {

// A leaf command: records its name in options.command when it is the one parsed.
CLI::App* leaf(CLI::App* parent, const std::string& name, const std::string& help, CliOptions& o,
               const std::string& full_name) {
  CLI::App* sub = parent->add_subcommand(name, help);
  sub->fallthrough();
  sub->callback([&o, full_name] { o.command = full_name; });
  return sub;
}

CLI::App* group(CLI::App* parent, const std::string& name, const std::string& help) {
  CLI::App* sub = parent->add_subcommand(name, help);
  sub->fallthrough();
  sub->require_subcommand(1);
  return sub;
}

void add_topics(CLI::App& app, CliOptions& o) {
  auto& t = o.topics;
  CLI::App* topics = group(&app, "topics", "Create, describe, change and delete topics");
  CLI::App* list = leaf(topics, "list", "List topics (NAME PARTITIONS REPLICAS)", o, "topics list");
  list->add_flag("--internal", t.internal, "Include internal topics such as __consumer_offsets");

  CLI::App* create = leaf(topics, "create", "Create a topic", o, "topics create");
  create->add_option("topic", t.topic, "Topic name")->required();
  create->add_option("-p,--partitions", t.partitions,
                     "Partition count (default: the broker's num.partitions)");
  create->add_option("-r,--replication-factor", t.replication_factor,
                     "Replicas per partition (default: the broker's default.replication.factor)");
  create->add_option("-c,--config", t.configs, "Topic config key=value (repeatable)");
  create->add_flag("--if-not-exists", t.if_not_exists, "Succeed if the topic exists already");

  CLI::App* describe =
      leaf(topics, "describe", "Describe topics (kafka-topics --describe layout)", o, "topics describe");
  describe->add_option("topics", t.topics, "Topic names (default: all)");

  CLI::App* del = leaf(topics, "delete", "Delete a topic", o, "topics delete");
  del->add_option("topic", t.topic, "Topic name")->required();
  del->add_flag("--if-exists", t.if_exists, "Succeed if the topic does not exist");

  CLI::App* add =
      leaf(topics, "add-partitions", "Grow a topic to a new partition count", o, "topics add-partitions");
  add->add_option("topic", t.topic, "Topic name")->required();
  add->add_option("-p,--partitions", t.partitions, "New total partition count")->required();

  CLI::App* alter = leaf(topics, "alter-config", "Set or delete topic configs", o, "topics alter-config");
  alter->add_option("topic", t.topic, "Topic name")->required();
  alter->add_option("-s,--set", t.set_configs, "key=value to set (repeatable)");
  alter->add_option("-d,--delete", t.delete_configs, "Key to reset to its default (repeatable)");
}

void add_produce(CLI::App& app, CliOptions& o) {
  auto& p = o.produce;
  CLI::App* produce = leaf(&app, "produce", "Produce stdin lines as records", o, "produce");
  produce->add_option("topic", p.topic, "Topic name")->required();
  produce->add_option_function<int32_t>(
      "-p,--partition", [&p](const int32_t& v) { p.partition = v; },
      "Partition (default: by key, sticky without)");
  produce->add_option_function<std::string>(
      "-K,--key-separator", [&p](const std::string& v) { p.key_separator = v; },
      "Split each line at the first separator into key and value");
  produce->add_option("-H,--header", p.headers, "Record header key=value (repeatable)");
  produce->add_option("-z,--compression", p.compression, "none, gzip, snappy, lz4 or zstd")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->capture_default_str();
  produce->add_option("-a,--acks", p.acks, "0, 1 or all")
      ->check(CLI::IsMember({"0", "1", "all", "-1"}))
      ->capture_default_str();
  produce->add_option("--linger-ms", p.linger_ms, "linger.ms")->capture_default_str();
  produce->add_option("--batch-size", p.batch_size, "batch.size in bytes")->capture_default_str();
  produce->add_flag("!--no-idempotence", p.idempotence, "Turn off the idempotent producer");
  produce
      ->add_option(
          "--max-in-flight", p.max_in_flight,
          "max.in.flight.requests.per.connection (batches of a partition in flight; 1 keeps the order "
          "without idempotence)")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  produce->add_option("-f,--file", p.input, "Read lines from this file instead of stdin");
  produce->add_flag("--stats", p.stats,
                    "Print a JSON summary on stderr at the end (delivered, failed, batches in flight)");
}

void add_consume(CLI::App& app, CliOptions& o) {
  auto& c = o.consume;
  CLI::App* consume = leaf(&app, "consume", "Print records of a topic", o, "consume");
  consume->add_option("topic", c.topic, "Topic name")->required();
  consume->add_option("-p,--partition", c.partitions, "Partition (repeatable; default: all)");
  consume->add_flag("-b,--from-beginning", c.from_beginning,
                    "Start at the earliest offset (default: the end)");
  consume->add_option_function<std::string>(
      "-o,--offset", [&c](const std::string& v) { c.offset = v; }, "Start at beginning, end or an offset");
  consume->add_option_function<int64_t>(
      "-t,--timestamp", [&c](const int64_t& v) { c.timestamp = v; },
      "Start at the first record with timestamp >= this (ms since the epoch)");
  consume->add_option_function<std::string>(
      "-g,--group", [&c](const std::string& v) { c.group = v; },
      "Consume as a member of this group (starts at its committed offsets; commits what it prints)");
  consume->add_option("--assignment-strategy", c.assignment_strategy, "With --group: range or roundrobin")
      ->check(CLI::IsMember({"range", "roundrobin"}))
      ->capture_default_str();
  consume
      ->add_option(
          "-F,--format", c.format,
          "json, or a template with {topic} {partition} {offset} {timestamp} {key} {value} {headers}")
      ->capture_default_str();
  consume->add_option("-c,--count", c.count, "Exit after this many records");
  consume->add_flag("-e,--exit", c.exit_at_end, "Exit at the end of every partition");
  consume->add_option("--idle-timeout-ms", c.idle_timeout_ms, "Exit when no record arrives for this long");
}

void add_groups(CLI::App& app, CliOptions& o) {
  auto& g = o.groups;
  CLI::App* groups = group(&app, "groups", "List, describe, delete, reset and watch consumer groups");
  leaf(groups, "list", "List consumer groups (one per line)", o, "groups list");

  CLI::App* describe =
      leaf(groups, "describe", "Offsets and lag per partition (kafka-consumer-groups --describe layout)", o,
           "groups describe");
  describe->add_option("groups", g.groups, "Group ids")->required();
  describe->add_flag("--members", g.members, "Members: GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS");
  describe->add_flag("--state", g.state, "State: GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS");
  describe->add_flag("--verbose", g.verbose, "With --members: an ASSIGNMENT column");
  describe->add_flag("--offsets", g.offsets, "The default view (offsets and lag)");

  CLI::App* del =
      leaf(groups, "delete", "Delete empty groups and their committed offsets", o, "groups delete");
  del->add_option("groups", g.groups, "Group ids")->required();

  CLI::App* reset =
      leaf(groups, "reset-offsets", "Move an inactive group's committed offsets", o, "groups reset-offsets");
  reset->add_option("group", g.group, "Group id")->required();
  reset->add_option("--topic", g.topics, "Topic, or topic:0,1 for some partitions (repeatable)");
  reset->add_flag("--all-topics", g.all_topics, "Every topic the group has committed offsets for");
  reset->add_flag("--to-earliest", g.to_earliest, "To the log start offset");
  reset->add_flag("--to-latest", g.to_latest, "To the log end offset");
  reset->add_option_function<int64_t>(
      "--to-offset", [&g](const int64_t& v) { g.to_offset = v; }, "To this offset (clamped to the log)");
  reset->add_option_function<std::string>(
      "--to-datetime", [&g](const std::string& v) { g.to_datetime = v; },
      "To the first offset at or after YYYY-MM-DDTHH:mm:SS[.sss][Z|+HH:MM] (no zone: UTC)");
  reset->add_option_function<int64_t>(
      "--shift-by", [&g](const int64_t& v) { g.shift_by = v; },
      "Move the committed offsets by N (may be < 0)");
  reset->add_flag("--execute", g.execute, "Commit the new offsets");
  reset->add_flag("--dry-run", g.dry_run, "Only print the new offsets (the default)");

  CLI::App* watch =
      leaf(groups, "watch", "Print one line per state, membership or assignment change", o, "groups watch");
  watch->add_option("group", g.group, "Group id")->required();
  watch->add_option("--interval-ms", g.interval_ms, "DescribeGroups poll interval")->capture_default_str();
  watch->add_option("--max-events", g.max_events, "Exit after this many lines");
  watch->add_option("--timeout-ms", g.watch_timeout_ms, "Exit after this long (default: until Ctrl-C)");
}

void add_cluster(CLI::App& app, CliOptions& o) {
  CLI::App* cluster = group(&app, "cluster", "Cluster-wide information");
  leaf(cluster, "info", "Cluster id, brokers (controller marked *) and topics", o, "cluster info");
}

void add_perf(CLI::App& app, CliOptions& o) {
  auto& p = o.perf;
  CLI::App* perf = group(&app, "perf", "Load tests printing kafka-*-perf-test lines");
  CLI::App* produce = leaf(perf, "produce", "Like kafka-producer-perf-test", o, "perf produce");
  produce->add_option("--topic", p.topic, "Topic name")->required();
  produce->add_option("--num-records", p.num_records, "Records to send")->required();
  produce->add_option("--record-size", p.record_size, "Value size in bytes")->capture_default_str();
  produce->add_option("--throughput", p.throughput, "Records/s cap (-1: unthrottled)")->capture_default_str();
  produce->add_option("--producer-props", p.producer_props,
                      "Producer configs key=value: acks, linger.ms, batch.size, compression.type, "
                      "enable.idempotence, bootstrap.servers");
  produce->add_option("--reporting-interval", p.reporting_interval_ms, "Window line every this many ms")
      ->capture_default_str();

  CLI::App* consume = leaf(perf, "consume", "Like kafka-consumer-perf-test", o, "perf consume");
  consume->add_option("--topic", p.topic, "Topic name")->required();
  consume->add_option("--messages", p.messages, "Records to read")->required();
  consume->add_option("--timeout", p.consume_timeout_ms, "Give up after this long without records (ms)")
      ->capture_default_str();
}

void add_dump_log(CLI::App& app, CliOptions& o) {
  CLI::App* dump = leaf(&app, "dump-log", "Print the batches (and records) of segment files", o, "dump-log");
  dump->add_option("files", o.dump_log_files, "Segment .log files")->required();
  dump->add_flag("--print-records", o.print_records, "Print every record too");
}

}  // namespace

std::unique_ptr<CLI::App> make_app(CliOptions& o) {
  auto app = std::make_unique<CLI::App>("gregor: command-line tool for Kafka-compatible clusters", "gregor");
  app->set_help_all_flag("--help-all", "Help for every command");
  app->require_subcommand(1);
  app->fallthrough();
  app->add_option("--brokers,--bootstrap-server", o.global.brokers, "Bootstrap brokers host:port[,host:port]")
      ->envname("GREGOR_BROKERS")
      ->capture_default_str();
  app->add_option("--format", o.global.format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app->add_option("--timeout-ms", o.global.timeout_ms, "Request timeout")->capture_default_str();
  add_topics(*app, o);
  add_produce(*app, o);
  add_consume(*app, o);
  add_cluster(*app, o);
  add_groups(*app, o);
  add_perf(*app, o);
  add_dump_log(*app, o);
  return app;
}

int run_command(const CliOptions& o) {
  const std::string& c = o.command;
  if (c.starts_with("topics ")) return run_topics(o);
  if (c == "produce") return run_produce(o);
  if (c == "consume") return run_consume(o);
  if (c == "cluster info") return run_cluster_info(o);
  if (c.starts_with("groups ")) return run_groups(o);
  if (c == "perf produce") return run_perf_produce(o);
  if (c == "perf consume") return run_perf_consume(o);
  if (c == "dump-log") return run_dump_log(o);
  return fail("unknown command '" + c + "'");
}

}  // namespace gregor::client::cli
