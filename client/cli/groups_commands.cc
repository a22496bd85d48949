// `gregor groups list|describe|delete|reset-offsets|watch`: kafka-consumer-groups layouts or JSON.
#include <csignal>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "client/admin.h"
#include "client/cli/commands.h"
#include "client/cli/group_format.h"
#include "client/cli/text_format.h"
#include "client/consumer_protocol.h"

namespace gregor::client::cli {

namespace {

using nlohmann::json;

volatile std::sig_atomic_t g_stop = 0;

bool want_json(const CliOptions& o) { return o.global.format == "json"; }

json opt_json(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

json partitions_json(const std::vector<TopicPartition>& tps) {
  json out = json::array();
  for (const auto& tp : tps) out.push_back({{"topic", tp.topic}, {"partition", tp.partition}});
  return out;
}

// The description, failing for a group that does not exist (Kafka reports it as Dead, no members).
Result<GroupDescription, ClientError> existing_group(Admin& admin, const std::string& group) {
  auto g = admin.describe_group(group);
  if (!g) return g;
  if (g->state == "Dead") {
    return unexpected(
        make_error(ErrorCode::GROUP_ID_NOT_FOUND, "consumer group '" + group + "' does not exist"));
  }
  return g;
}

int groups_list(Admin& admin, const CliOptions& o) {
  auto groups = admin.list_groups();
  if (!groups) return fail(groups.error());
  json out = json::array();
  for (const auto& g : *groups) {
    if (want_json(o)) {
      out.push_back(
          {{"group", g.group_id}, {"protocol_type", g.protocol_type}, {"coordinator", g.coordinator}});
    } else {
      std::cout << g.group_id << '\n';
    }
  }
  if (want_json(o)) std::cout << out.dump() << '\n';
  return 0;
}

std::string coordinator_text(const CoordinatorInfo& c) {
  return c.host + ":" + std::to_string(c.port) + " (" + std::to_string(c.node_id) + ")";
}

int describe_state(const GroupDescription& g, const CliOptions& o) {
  if (want_json(o)) {
    std::cout
        << json{{"group", g.group_id},
                {"coordinator",
                 {{"id", g.coordinator.node_id}, {"host", g.coordinator.host}, {"port", g.coordinator.port}}},
                {"assignment_strategy", g.protocol},
                {"state", g.state},
                {"members", g.members.size()}}
               .dump()
        << '\n';
    return 0;
  }
  std::cout << '\n';
  print_table(std::cout, {"GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"},
              {{g.group_id, coordinator_text(g.coordinator), g.protocol.empty() ? "-" : g.protocol, g.state,
                std::to_string(g.members.size())}});
  return 0;
}

int describe_members(const GroupDescription& g, const CliOptions& o) {
  if (want_json(o)) {
    json members = json::array();
    for (const auto& m : g.members) {
      members.push_back(
          {{"consumer_id", m.member_id},
           {"group_instance_id", m.group_instance_id ? json(*m.group_instance_id) : json(nullptr)},
           {"host", m.host},
           {"client_id", m.client_id},
           {"assignment", partitions_json(m.assignment)}});
    }
    std::cout << json{{"group", g.group_id}, {"state", g.state}, {"members", members}}.dump() << '\n';
    return 0;
  }
  std::cout << '\n';
  if (g.members.empty()) {
    std::cout << "Consumer group '" << g.group_id << "' has no active members.\n";
    return 0;
  }
  std::vector<std::string> header = {"GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"};
  if (o.groups.verbose) header.push_back("ASSIGNMENT");
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : g.members) {
    std::vector<std::string> row = {g.group_id, m.member_id, m.host, m.client_id,
                                    std::to_string(m.assignment.size())};
    if (o.groups.verbose) row.push_back(m.assignment.empty() ? "-" : format_partitions(m.assignment));
    rows.push_back(std::move(row));
  }
  print_table(std::cout, header, rows);
  return 0;
}

int describe_offsets(Admin& admin, const GroupDescription& g, const CliOptions& o) {
  auto committed = admin.list_group_offsets(g.group_id);
  if (!committed) return fail(committed.error());
  auto tps = partitions_to_describe(g, *committed);
  std::map<TopicPartition, int64_t> ends;
  if (!tps.empty()) {
    auto e = admin.list_offsets(tps, kLatestTimestamp);
    if (!e) return fail(e.error());
    ends = *e;
  }
  auto rows = offset_rows(g, *committed, ends);
  if (want_json(o)) {
    json offsets = json::array();
    for (const auto& r : rows) {
      offsets.push_back({{"topic", r.no_partition ? json(nullptr) : json(r.tp.topic)},
                         {"partition", r.no_partition ? json(nullptr) : json(r.tp.partition)},
                         {"current_offset", opt_json(r.current_offset)},
                         {"log_end_offset", opt_json(r.log_end_offset)},
                         {"lag", opt_json(r.lag)},
                         {"consumer_id", r.consumer_id},
                         {"host", r.host},
                         {"client_id", r.client_id}});
    }
    std::cout << json{{"group", g.group_id}, {"state", g.state}, {"offsets", offsets}}.dump() << '\n';
    return 0;
  }
  std::cout << '\n';
  if (g.members.empty()) std::cout << "Consumer group '" << g.group_id << "' has no active members.\n\n";
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) cells.push_back(offset_row_cells(g.group_id, r));
  print_table(std::cout,
              {"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID",
               "HOST", "CLIENT-ID"},
              cells);
  return 0;
}

int groups_describe(Admin& admin, const CliOptions& o) {
  for (const auto& id : o.groups.groups) {
    auto g = existing_group(admin, id);
    if (!g) return fail(g.error());
    int rc = o.groups.state     ? describe_state(*g, o)
             : o.groups.members ? describe_members(*g, o)
                                : describe_offsets(admin, *g, o);
    if (rc != 0) return rc;
  }
  return 0;
}

int groups_delete(Admin& admin, const CliOptions& o) {
  for (const auto& id : o.groups.groups) {
    if (auto r = admin.delete_group(id); !r) return fail(r.error());
  }
  std::string names;
  for (const auto& id : o.groups.groups) names += (names.empty() ? "'" : ", '") + id + "'";
  if (want_json(o)) {
    std::cout << json{{"deleted", o.groups.groups}}.dump() << '\n';
  } else {
    std::cout << "Deletion of requested consumer groups (" << names << ") was successful.\n";
  }
  return 0;
}

Result<ResetSpec, ClientError> reset_spec(const GroupsOptions& g) {
  int chosen = int(g.to_earliest) + int(g.to_latest) + int(g.to_offset.has_value()) +
               int(g.to_datetime.has_value()) + int(g.shift_by.has_value());
  if (chosen != 1) {
    return unexpected(
        make_error(ErrorCode::INVALID_CONFIG,
                   "give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, "
                   "--shift-by"));
  }
  if (g.to_earliest) return ResetSpec{ResetSpec::Kind::Earliest, 0};
  if (g.to_latest) return ResetSpec{ResetSpec::Kind::Latest, 0};
  if (g.to_offset) return ResetSpec{ResetSpec::Kind::Offset, *g.to_offset};
  if (g.shift_by) return ResetSpec{ResetSpec::Kind::ShiftBy, *g.shift_by};
  auto ts = parse_datetime(*g.to_datetime);
  if (!ts) return unexpected(ts.error());
  return ResetSpec{ResetSpec::Kind::Datetime, *ts};
}

// The partitions --topic / --all-topics name.
Result<std::vector<TopicPartition>, ClientError> reset_scope(
    Admin& admin, const GroupsOptions& g, const std::map<TopicPartition, int64_t>& committed) {
  if (g.all_topics == !g.topics.empty()) {
    return unexpected(make_error(ErrorCode::INVALID_CONFIG, "give --topic (repeatable) or --all-topics"));
  }
  std::vector<TopicPartition> out;
  if (g.all_topics) {
    for (const auto& [tp, offset] : committed) out.push_back(tp);
    return out;
  }
  for (const auto& text : g.topics) {
    auto tp = parse_topic_partitions(text);
    if (!tp) return unexpected(tp.error());
    if (tp->second.empty()) {
      auto all = admin.partitions_of(tp->first);
      if (!all) return unexpected(all.error());
      out.insert(out.end(), all->begin(), all->end());
    } else {
      for (int32_t p : tp->second) out.push_back({tp->first, p});
    }
  }
  return out;
}

int groups_reset_offsets(Admin& admin, const CliOptions& o) {
  const GroupsOptions& g = o.groups;
  if (g.execute && g.dry_run) return fail("give --execute or --dry-run, not both");
  auto spec = reset_spec(g);
  if (!spec) return fail(spec.error());
  auto desc = admin.describe_group(g.group);
  if (!desc) return fail(desc.error());
  // As Kafka: only an inactive group's offsets may move (members would overwrite them anyway).
  if (desc->state != "Empty" && desc->state != "Dead") {
    return fail("assignments can only be reset if the group '" + g.group +
                "' is inactive, but the current state is " + desc->state + ".");
  }
  auto committed = admin.list_group_offsets(g.group);
  if (!committed) return fail(committed.error());
  auto tps = reset_scope(admin, g, *committed);
  if (!tps) return fail(tps.error());
  if (tps->empty()) return fail("no partitions to reset in group '" + g.group + "'");
  auto earliest = admin.list_offsets(*tps, kEarliestTimestamp);
  if (!earliest) return fail(earliest.error());
  auto latest = admin.list_offsets(*tps, kLatestTimestamp);
  if (!latest) return fail(latest.error());
  std::map<TopicPartition, int64_t> by_time;
  if (spec->kind == ResetSpec::Kind::Datetime) {
    auto t = admin.list_offsets(*tps, spec->value);
    if (!t) return fail(t.error());
    by_time = *t;
  }
  auto plan = plan_reset(*spec, *tps, *committed, *earliest, *latest, by_time);
  if (!plan) return fail(plan.error());
  if (g.execute) {
    if (auto r = admin.alter_group_offsets(g.group, *plan); !r) return fail(r.error());
  }
  if (want_json(o)) {
    json rows = json::array();
    for (const auto& [tp, offset] : *plan)
      rows.push_back({{"topic", tp.topic}, {"partition", tp.partition}, {"new_offset", offset}});
    std::cout << json{{"group", g.group}, {"executed", g.execute}, {"offsets", rows}}.dump() << '\n';
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [tp, offset] : *plan)
    rows.push_back({g.group, tp.topic, std::to_string(tp.partition), std::to_string(offset)});
  std::cout << '\n';
  print_table(std::cout, {"GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"}, rows);
  return 0;
}

std::string now_iso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

json watch_json(const std::string& time, const std::string& group, const WatchEvent& e) {
  json assignment = json::object();
  for (const auto& [id, parts] : e.assignment) assignment[id] = partitions_json(parts);
  return {{"time", time},
          {"group", group},
          {"state", e.state},
          {"rebalances", e.rebalances},
          {"members", e.assignment.size()},
          {"joined", e.joined},
          {"left", e.left},
          {"assignment", assignment}};
}

int groups_watch(Admin& admin, const CliOptions& o) {
  const GroupsOptions& g = o.groups;
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  auto start = Clock::now();
  std::optional<WatchSnapshot> prev;
  int64_t rebalances = 0;
  int64_t events = 0;
  auto interval = std::chrono::milliseconds(std::max<int64_t>(g.interval_ms, 10));
  // Runs the client's loop until the next poll so its connections stay serviced.
  auto pump_until = [&admin](Clock::time_point next) {
    while (!g_stop && Clock::now() < next) admin.client().run_once(std::chrono::milliseconds(50));
  };
  while (!g_stop) {
    if (g.watch_timeout_ms >= 0 && Clock::now() - start >= std::chrono::milliseconds(g.watch_timeout_ms))
      break;
    auto next = Clock::now() + interval;
    auto desc = admin.describe_group(g.group);
    if (!desc) {
      // A watch outlives coordinator moves and __consumer_offsets being created: say so and keep watching.
      if (!desc.error().retriable()) return fail(desc.error());
      std::cerr << now_iso8601() << " group=" << g.group
                << " describe failed, retrying: " << desc.error().to_string() << std::endl;
      pump_until(next);
      continue;
    }
    WatchSnapshot cur = watch_snapshot(*desc);
    if (auto e = watch_transition(prev, cur, rebalances)) {
      rebalances = e->rebalances;
      std::string time = now_iso8601();
      if (want_json(o)) {
        std::cout << watch_json(time, g.group, *e).dump() << std::endl;
      } else {
        std::cout << time << " group=" << g.group << " " << format_watch_event(*e) << std::endl;
      }
      if (g.max_events >= 0 && ++events >= g.max_events) break;
    }
    prev = std::move(cur);
    pump_until(next);
  }
  return 0;
}

}  // namespace

int run_groups(const CliOptions& o) {
  auto admin = Admin::create(client_config(o.global));
  if (!admin) return fail(admin.error());
  const std::string& c = o.command;
  if (c == "groups list") return groups_list(**admin, o);
  if (c == "groups describe") return groups_describe(**admin, o);
  if (c == "groups delete") return groups_delete(**admin, o);
  if (c == "groups reset-offsets") return groups_reset_offsets(**admin, o);
  if (c == "groups watch") return groups_watch(**admin, o);
  return fail("unknown command '" + c + "'");
}

}  // namespace gregor::client::cli
