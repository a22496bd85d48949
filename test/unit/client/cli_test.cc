// CLI parsing (make_app), bootstrap lists and the text helpers of `gregor`.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <sstream>

#include "client/cli/cli_app.h"
#include "client/cli/text_format.h"
#include "client/kafka_client.h"

using namespace gregor;
using namespace gregor::client;
using namespace gregor::client::cli;

namespace {

// Parses argv (without the program name) into fresh options; throws CLI errors.
CliOptions parse(std::vector<std::string> args) {
  CliOptions o;
  auto app = make_app(o);
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector form in reverse order
  app->parse(args);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_parsing)

BOOST_AUTO_TEST_CASE(topics_create_with_options_and_configs) {
  auto o = parse({"topics", "create", "orders", "-p", "6", "-r", "3", "-c", "retention.ms=1000", "--config",
                  "cleanup.policy=compact"});
  BOOST_TEST(o.command == "topics create");
  BOOST_TEST(o.topics.topic == "orders");
  BOOST_TEST(o.topics.partitions == 6);
  BOOST_TEST(o.topics.replication_factor == 3);
  BOOST_TEST(o.topics.configs == (std::vector<std::string>{"retention.ms=1000", "cleanup.policy=compact"}));
  BOOST_TEST(o.global.brokers == "localhost:9092");
}

BOOST_AUTO_TEST_CASE(global_options_work_before_and_after_the_command) {
  auto before = parse({"--brokers", "h1:1,h2:2", "--format", "json", "topics", "list"});
  BOOST_TEST(before.command == "topics list");
  BOOST_TEST(before.global.brokers == "h1:1,h2:2");
  BOOST_TEST(before.global.format == "json");
  auto after = parse({"cluster", "info", "--brokers", "h3:3", "--format", "json"});
  BOOST_TEST(after.command == "cluster info");
  BOOST_TEST(after.global.brokers == "h3:3");
  BOOST_TEST(after.global.format == "json");
}

BOOST_AUTO_TEST_CASE(brokers_default_from_the_environment) {
  setenv("GREGOR_BROKERS", "envhost:9999", 1);
  auto o = parse({"topics", "list"});
  unsetenv("GREGOR_BROKERS");
  BOOST_TEST(o.global.brokers == "envhost:9999");
  auto flag_wins = [] {
    setenv("GREGOR_BROKERS", "envhost:9999", 1);
    auto r = parse({"topics", "list", "--brokers", "flag:1"});
    unsetenv("GREGOR_BROKERS");
    return r;
  }();
  BOOST_TEST(flag_wins.global.brokers == "flag:1");
}

BOOST_AUTO_TEST_CASE(produce_options) {
  auto o = parse({"produce", "t", "-K", ":", "-H", "a=1", "-H", "b=2", "-z", "zstd", "-a", "1", "-p", "2",
                  "--no-idempotence"});
  BOOST_TEST(o.command == "produce");
  BOOST_TEST(*o.produce.key_separator == ":");
  BOOST_TEST(o.produce.headers == (std::vector<std::string>{"a=1", "b=2"}));
  BOOST_TEST(o.produce.compression == "zstd");
  BOOST_TEST(o.produce.acks == "1");
  BOOST_TEST(*o.produce.partition == 2);
  BOOST_TEST(!o.produce.idempotence);
  BOOST_CHECK_THROW(parse({"produce", "t", "-z", "brotli"}), CLI::ValidationError);
  BOOST_CHECK_THROW(parse({"produce", "t", "-a", "2"}), CLI::ValidationError);
}

BOOST_AUTO_TEST_CASE(consume_format_is_its_own_option) {
  auto o =
      parse({"consume", "t", "--format", "{key}={value}", "-o", "17", "-p", "0", "-p", "3", "-e", "-c", "5"});
  BOOST_TEST(o.command == "consume");
  BOOST_TEST(o.consume.format == "{key}={value}");
  BOOST_TEST(o.global.format == "table");
  BOOST_TEST(*o.consume.offset == "17");
  BOOST_TEST(o.consume.partitions == (std::vector<int32_t>{0, 3}));
  BOOST_TEST(o.consume.exit_at_end);
  BOOST_TEST(o.consume.count == 5);
  auto ts = parse({"consume", "t", "--timestamp", "1700000000000"});
  BOOST_TEST(*ts.consume.timestamp == 1700000000000);
}

BOOST_AUTO_TEST_CASE(perf_produce_options) {
  auto o = parse({"perf", "produce", "--topic", "t", "--num-records", "1000", "--record-size", "512",
                  "--throughput", "-1", "--producer-props", "acks=1", "linger.ms=5"});
  BOOST_TEST(o.command == "perf produce");
  BOOST_TEST(o.perf.num_records == 1000);
  BOOST_TEST(o.perf.record_size == 512);
  BOOST_TEST(o.perf.throughput == -1.0);
  BOOST_TEST(o.perf.producer_props == (std::vector<std::string>{"acks=1", "linger.ms=5"}));
}

BOOST_AUTO_TEST_CASE(errors_and_help) {
  BOOST_CHECK_THROW(parse({}), CLI::RequiredError);                     // a command is required
  BOOST_CHECK_THROW(parse({"topics"}), CLI::RequiredError);             // and a topics action
  BOOST_CHECK_THROW(parse({"topics", "create"}), CLI::RequiredError);   // and the topic name
  BOOST_CHECK_THROW(parse({"topics", "frobnicate"}), CLI::ParseError);  // unknown action
  BOOST_CHECK_THROW(parse({"--format", "xml", "topics", "list"}), CLI::ValidationError);
  BOOST_CHECK_THROW(parse({"topics", "--help"}), CLI::CallForHelp);
  BOOST_CHECK_THROW(parse({"perf", "produce", "--help"}), CLI::CallForHelp);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bootstrap)

BOOST_AUTO_TEST_CASE(parses_hosts_ports_and_ipv6) {
  auto r = parse_bootstrap("a:1, b ,[::1]:9093");
  BOOST_REQUIRE(r.has_value());
  BOOST_REQUIRE(r->size() == 3u);
  BOOST_TEST((*r)[0].host == "a");
  BOOST_TEST((*r)[0].port == 1);
  BOOST_TEST((*r)[1].host == "b");
  BOOST_TEST((*r)[1].port == 9092);
  BOOST_TEST((*r)[2].host == "::1");
  BOOST_TEST((*r)[2].port == 9093);
  BOOST_TEST(!parse_bootstrap("").has_value());
  BOOST_TEST(!parse_bootstrap("a:notaport").has_value());
  BOOST_TEST(!parse_bootstrap("a:70000").has_value());
  BOOST_TEST(!parse_bootstrap(":9092").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(text_format)

BOOST_AUTO_TEST_CASE(record_templates_and_json) {
  ConsumerRecord r{"t",
                   2,
                   41,
                   1700,
                   false,
                   std::vector<uint8_t>{'k'},
                   std::vector<uint8_t>{'v', '1'},
                   {{"h1", std::vector<uint8_t>{'x'}}, {"h2", std::nullopt}}};
  BOOST_TEST(render_record("{topic}/{partition}@{offset} {timestamp} {key}={value} [{headers}] {other}", r) ==
             "t/2@41 1700 k=v1 [h1=x,h2=] {other}");
  BOOST_TEST(render_record(unescape("{key}\\t{value}"), r) == "k\tv1");
  r.key.reset();
  BOOST_TEST(render_record("<{key}>", r) == "<>");
  BOOST_TEST(record_json(r) ==
             R"({"headers":[{"key":"h1","value":"x"},{"key":"h2","value":null}],"key":null,"offset":41,)"
             R"("partition":2,"timestamp":1700,"topic":"t","value":"v1"})");
}

BOOST_AUTO_TEST_CASE(key_separator_and_key_values) {
  auto [k, v] = split_key_value("user:1:rest", std::string(":"));
  BOOST_TEST(*k == "user");
  BOOST_TEST(v == "1:rest");
  auto [k2, v2] = split_key_value("nokey", std::string(":"));
  BOOST_TEST(!k2.has_value());
  BOOST_TEST(v2 == "nokey");
  auto [k3, v3] = split_key_value("a::b", std::string("::"));
  BOOST_TEST(*k3 == "a");
  BOOST_TEST(v3 == "b");
  auto [k4, v4] = split_key_value("a:b", std::nullopt);
  BOOST_TEST(!k4.has_value());
  BOOST_TEST(v4 == "a:b");

  auto kv = parse_key_value("retention.ms=a=b");
  BOOST_REQUIRE(kv.has_value());
  BOOST_TEST(kv->first == "retention.ms");
  BOOST_TEST(kv->second == "a=b");
  BOOST_TEST(!parse_key_value("novalue").has_value());
  BOOST_TEST(!parse_key_value("=x").has_value());
}

BOOST_AUTO_TEST_CASE(tables_align_columns) {
  std::ostringstream out;
  print_table(out, {"NAME", "PARTITIONS"}, {{"orders", "3"}, {"t", "12"}});
  BOOST_TEST(out.str() == "NAME    PARTITIONS\norders  3\nt       12\n");
}

BOOST_AUTO_TEST_SUITE_END()
