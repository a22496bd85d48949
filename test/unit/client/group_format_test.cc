// `gregor groups` helpers: describe rows, reset plans, datetimes, topic lists and watch transitions.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "client/cli/group_format.h"

#include <boost/test/unit_test.hpp>

#include "client/cli/cli_app.h"

using namespace gregor;
using namespace gregor::client;
using namespace gregor::client::cli;

namespace {

GroupDescription group_with(std::vector<GroupMemberDescription> members, std::string state = "Stable") {
  GroupDescription g;
  g.group_id = "g";
  g.state = std::move(state);
  g.protocol = "range";
  g.members = std::move(members);
  return g;
}

CliOptions parse(std::vector<std::string> args) {
  CliOptions o;
  auto app = make_app(o);
  std::reverse(args.begin(), args.end());
  app->parse(args);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(group_format)

BOOST_AUTO_TEST_CASE(offset_rows_like_kafka_consumer_groups) {
  auto g = group_with({{"m1", std::nullopt, "c1", "/127.0.0.1", {{"t", 1}, {"t", 0}}},
                       {"m2", std::nullopt, "c2", "/127.0.0.1", {}}});
  std::map<TopicPartition, int64_t> committed = {{{"t", 0}, 5}, {{"u", 0}, 3}};
  std::map<TopicPartition, int64_t> ends = {{{"t", 0}, 9}, {{"t", 1}, 4}, {{"u", 0}, 3}};
  BOOST_TEST(partitions_to_describe(g, committed).size() == 3u);
  auto rows = offset_rows(g, committed, ends);
  BOOST_REQUIRE(rows.size() == 4u);
  BOOST_TEST((offset_row_cells("g", rows[0]) ==
              std::vector<std::string>{"g", "t", "0", "5", "9", "4", "m1", "/127.0.0.1", "c1"}));
  // Owned but never committed: no current offset, no lag.
  BOOST_TEST((offset_row_cells("g", rows[1]) ==
              std::vector<std::string>{"g", "t", "1", "-", "4", "-", "m1", "/127.0.0.1", "c1"}));
  // Committed, owned by no one.
  BOOST_TEST((offset_row_cells("g", rows[2]) ==
              std::vector<std::string>{"g", "u", "0", "3", "3", "0", "-", "-", "-"}));
  // A member without partitions.
  BOOST_TEST((offset_row_cells("g", rows[3]) ==
              std::vector<std::string>{"g", "-", "-", "-", "-", "-", "m2", "/127.0.0.1", "c2"}));
}

BOOST_AUTO_TEST_CASE(reset_plans_clamp_like_kafka) {
  std::vector<TopicPartition> tps = {{"t", 0}, {"t", 1}};
  std::map<TopicPartition, int64_t> committed = {{{"t", 0}, 5}, {{"t", 1}, 1}};
  std::map<TopicPartition, int64_t> lo = {{{"t", 0}, 2}, {{"t", 1}, 0}};
  std::map<TopicPartition, int64_t> hi = {{{"t", 0}, 10}, {{"t", 1}, 3}};
  using K = ResetSpec::Kind;
  auto plan = [&](ResetSpec s, std::map<TopicPartition, int64_t> by_time = {}) {
    return plan_reset(s, tps, committed, lo, hi, by_time);
  };
  BOOST_TEST((*plan({K::Earliest, 0}) == std::map<TopicPartition, int64_t>{{{"t", 0}, 2}, {{"t", 1}, 0}}));
  BOOST_TEST((*plan({K::Latest, 0}) == std::map<TopicPartition, int64_t>{{{"t", 0}, 10}, {{"t", 1}, 3}}));
  BOOST_TEST((*plan({K::Offset, 7}) == std::map<TopicPartition, int64_t>{{{"t", 0}, 7}, {{"t", 1}, 3}}));
  BOOST_TEST((*plan({K::Offset, 0}) == std::map<TopicPartition, int64_t>{{{"t", 0}, 2}, {{"t", 1}, 0}}));
  BOOST_TEST((*plan({K::ShiftBy, -4}) == std::map<TopicPartition, int64_t>{{{"t", 0}, 2}, {{"t", 1}, 0}}));
  BOOST_TEST((*plan({K::ShiftBy, 2}) == std::map<TopicPartition, int64_t>{{{"t", 0}, 7}, {{"t", 1}, 3}}));
  BOOST_TEST((*plan({K::Datetime, 0}, {{{"t", 0}, 4}, {{"t", 1}, -1}}) ==
              std::map<TopicPartition, int64_t>{{{"t", 0}, 4}, {{"t", 1}, 3}}));
  committed.erase({"t", 1});
  BOOST_TEST(!plan({K::ShiftBy, 1}).has_value());
}

BOOST_AUTO_TEST_CASE(datetimes) {
  BOOST_TEST(*parse_datetime("1970-01-01T00:00:01") == 1000);
  BOOST_TEST(*parse_datetime("2024-05-01T10:00:00.123Z") == 1714557600123);
  BOOST_TEST(*parse_datetime("2024-05-01T12:00:00.5+02:00") == 1714557600500);
  BOOST_TEST(*parse_datetime("2024-05-01T08:30:00-0130") == 1714557600000);
  BOOST_TEST(*parse_datetime("1714557600000") == 1714557600000);
  BOOST_TEST(!parse_datetime("yesterday").has_value());
  BOOST_TEST(!parse_datetime("2024-13-01T00:00:00").has_value());
  BOOST_TEST(!parse_datetime("2024-05-01T00:00:00 CET").has_value());
}

BOOST_AUTO_TEST_CASE(topic_partition_lists) {
  auto all = parse_topic_partitions("t");
  BOOST_TEST(all->first == "t");
  BOOST_TEST(all->second.empty());
  auto some = parse_topic_partitions("t:0,2");
  BOOST_TEST((some->second == std::vector<int32_t>{0, 2}));
  BOOST_TEST(!parse_topic_partitions("t:").has_value());
  BOOST_TEST(!parse_topic_partitions("t:a").has_value());
  BOOST_TEST(!parse_topic_partitions(":1").has_value());
}

BOOST_AUTO_TEST_CASE(watch_transitions) {
  auto one = watch_snapshot(group_with({{"m1", std::nullopt, "c", "h", {{"t", 0}, {"t", 1}}}}));
  auto first = watch_transition(std::nullopt, one, 0);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST((first->joined == std::vector<std::string>{"m1"}));
  BOOST_TEST(first->rebalances == 0);
  BOOST_TEST(format_watch_event(*first) ==
             "state=Stable rebalances=0 members=1 joined=[m1] left=[] assignment={m1=t(0,1)}");
  BOOST_TEST(!watch_transition(one, one, 0).has_value());

  auto preparing = watch_snapshot(
      group_with({{"m1", std::nullopt, "c", "h", {{"t", 0}, {"t", 1}}}}, "PreparingRebalance"));
  auto e = watch_transition(one, preparing, 0);
  BOOST_TEST(e->rebalances == 1);
  auto two = watch_snapshot(
      group_with({{"m1", std::nullopt, "c", "h", {{"t", 0}}}, {"m2", std::nullopt, "c", "h", {{"t", 1}}}}));
  e = watch_transition(preparing, two, 1);
  BOOST_TEST(e->rebalances == 1);  // the same rebalance, completed
  BOOST_TEST((e->joined == std::vector<std::string>{"m2"}));
  // A rebalance faster than the poll interval: Stable to Stable with other members.
  e = watch_transition(two, one, 1);
  BOOST_TEST(e->rebalances == 2);
  BOOST_TEST((e->left == std::vector<std::string>{"m2"}));
  BOOST_TEST(format_watch_event(*e) ==
             "state=Stable rebalances=2 members=1 joined=[] left=[m2] assignment={m1=t(0,1)}");
}

BOOST_AUTO_TEST_CASE(groups_command_lines) {
  auto o = parse({"groups", "describe", "g1", "g2", "--members", "--verbose"});
  BOOST_TEST(o.command == "groups describe");
  BOOST_TEST((o.groups.groups == std::vector<std::string>{"g1", "g2"}));
  BOOST_TEST((o.groups.members && o.groups.verbose && !o.groups.state));
  o = parse({"groups", "reset-offsets", "g", "--topic", "t:0", "--shift-by", "-3", "--execute"});
  BOOST_TEST(o.groups.group == "g");
  BOOST_TEST(*o.groups.shift_by == -3);
  BOOST_TEST(o.groups.execute);
  // watch's --timeout-ms is its own; the global request timeout keeps its default.
  o = parse({"groups", "watch", "g", "--interval-ms", "100", "--max-events", "3", "--timeout-ms", "5000"});
  BOOST_TEST(o.groups.interval_ms == 100);
  BOOST_TEST(o.groups.max_events == 3);
  BOOST_TEST(o.groups.watch_timeout_ms == 5000);
  BOOST_TEST(o.global.timeout_ms == 30000);
  o = parse({"consume", "t", "--group", "g", "--assignment-strategy", "roundrobin"});
  BOOST_TEST(*o.consume.group == "g");
  BOOST_TEST(o.consume.assignment_strategy == "roundrobin");
  BOOST_CHECK_THROW(parse({"consume", "t", "--assignment-strategy", "sticky"}), CLI::ParseError);
}

BOOST_AUTO_TEST_SUITE_END()
