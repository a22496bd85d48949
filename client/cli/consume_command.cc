// `gregor consume`: print records of a topic from the beginning, the end, an offset or a timestamp, or as a
// consumer-group member.
#include <charconv>
#include <csignal>
#include <iostream>

#include "client/cli/commands.h"
#include "client/cli/text_format.h"
#include "client/consumer.h"

namespace gregor::client::cli {

namespace {

Result<void, ClientError> position_consumer(Consumer& consumer, const ConsumeOptions& c,
                                            const std::vector<TopicPartition>& tps) {
  if (c.timestamp) return consumer.seek_to_timestamp(tps, *c.timestamp);
  std::string where = c.offset.value_or(c.from_beginning ? "beginning" : "end");
  if (where == "beginning") return consumer.seek_to_beginning(tps);
  if (where == "end") return consumer.seek_to_end(tps);
  int64_t offset = 0;
  auto [ptr, ec] = std::from_chars(where.data(), where.data() + where.size(), offset);
  if (ec != std::errc() || ptr != where.data() + where.size() || offset < 0) {
    return unexpected(make_error(ErrorCode::INVALID_CONFIG, "--offset must be beginning, end or a number"));
  }
  for (const auto& tp : tps) consumer.seek(tp, offset);
  return {};
}

volatile std::sig_atomic_t g_stop = 0;

// SIGINT/SIGTERM end the loop: what was printed is flushed (and a group member commits and leaves).
void stop_on_signals() {
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
}

// Prints records until --count / --idle-timeout-ms / Ctrl-C; returns the exit code.
template <class Print>
int consume_loop(Consumer& cons, const ConsumeOptions& c, const std::function<bool()>& at_end, Print print) {
  int64_t printed = 0;
  auto last_record = Clock::now();
  while ((c.count < 0 || printed < c.count) && !g_stop) {
    if (at_end()) break;
    // Never take more than the count still wanted, so what poll() returned (and commits) was printed.
    if (c.count >= 0)
      cons.set_max_poll_records(static_cast<size_t>(std::min<int64_t>(500, c.count - printed)));
    auto records = cons.poll(std::chrono::milliseconds(200));
    if (!records) return fail(records.error());
    if (records->empty()) {
      if (c.idle_timeout_ms >= 0 && Clock::now() - last_record > std::chrono::milliseconds(c.idle_timeout_ms))
        break;
      continue;
    }
    last_record = Clock::now();
    for (const auto& r : *records) {
      print(r);
      ++printed;
    }
    std::cout.flush();
  }
  std::cout.flush();
  return 0;
}

int consume_group(const CliOptions& o, const std::function<void(const ConsumerRecord&)>& print) {
  const ConsumeOptions& c = o.consume;
  if (!c.partitions.empty() || c.offset || c.timestamp || c.exit_at_end) {
    return fail("--group takes its partitions and offsets from the group: drop -p, -o, -t and -e");
  }
  ConsumerConfig config;
  config.client = client_config(o.global);
  config.auto_offset_reset = c.from_beginning ? "earliest" : "latest";
  auto consumer = Consumer::create(config);
  if (!consumer) return fail(consumer.error());
  GroupConfig group;
  group.group_id = *c.group;
  group.session_timeout = std::chrono::milliseconds(10000);
  group.heartbeat_interval = std::chrono::milliseconds(1000);
  group.assignment_strategies = {c.assignment_strategy};
  group.auto_commit_interval = std::chrono::milliseconds(1000);
  if (auto r = (*consumer)->subscribe({c.topic}, group); !r) return fail(r.error());
  stop_on_signals();
  int rc = consume_loop(
      **consumer, c, [] { return false; }, print);
  // Commit what was printed and leave, so the rest of the group rebalances at once.
  auto closed = (*consumer)->close();
  if (rc == 0 && !closed) return fail(closed.error());
  return rc;
}

}  // namespace

int run_consume(const CliOptions& o) {
  const ConsumeOptions& c = o.consume;
  bool json = c.format == "json" || (o.global.format == "json" && c.format == "{value}");
  std::string tmpl = unescape(c.format);
  auto print = [&](const ConsumerRecord& r) {
    if (json) {
      std::cout << record_json(r) << '\n';
    } else {
      std::cout << render_record(tmpl, r) << '\n';
    }
  };
  if (c.group) return consume_group(o, print);
  ConsumerConfig config;
  config.client = client_config(o.global);
  config.auto_offset_reset = c.from_beginning ? "earliest" : "latest";
  auto consumer = Consumer::create(config);
  if (!consumer) return fail(consumer.error());
  Consumer& cons = **consumer;

  std::vector<TopicPartition> tps;
  if (c.partitions.empty()) {
    auto all = cons.partitions_for(c.topic);
    if (!all) return fail(all.error());
    tps = *all;
  } else {
    for (int32_t p : c.partitions) tps.push_back({c.topic, p});
  }
  if (auto r = cons.assign(tps); !r) return fail(r.error());
  if (auto r = position_consumer(cons, c, tps); !r) return fail(r.error());

  // With --exit, the end is the log end offset now (later records are not waited for).
  std::map<TopicPartition, int64_t> end_offsets;
  if (c.exit_at_end) {
    auto ends = cons.list_offsets(tps, kLatestTimestamp);
    if (!ends) return fail(ends.error());
    end_offsets = *ends;
  }
  auto at_end = [&] {
    for (const auto& tp : tps) {
      auto pos = cons.position(tp);
      if (!pos || *pos < end_offsets[tp]) return false;
    }
    return true;
  };

  stop_on_signals();
  return consume_loop(
      cons, c, [&] { return c.exit_at_end && at_end(); }, print);
}

}  // namespace gregor::client::cli
