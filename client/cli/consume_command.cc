// `gregor consume`: print records of a topic from the beginning, the end, an offset or a timestamp.
#include <charconv>
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

}  // namespace

int run_consume(const CliOptions& o) {
  const ConsumeOptions& c = o.consume;
  if (c.group)
    return fail("consume --group is not implemented yet: use partitions with --offset/--from-beginning");
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

  bool json = c.format == "json" || (o.global.format == "json" && c.format == "{value}");
  std::string tmpl = unescape(c.format);
  int64_t printed = 0;
  auto last_record = Clock::now();
  while (c.count < 0 || printed < c.count) {
    if (c.exit_at_end && at_end()) break;
    auto records = cons.poll(std::chrono::milliseconds(200));
    if (!records) return fail(records.error());
    if (records->empty()) {
      if (c.idle_timeout_ms >= 0 && Clock::now() - last_record > std::chrono::milliseconds(c.idle_timeout_ms))
        break;
      continue;
    }
    last_record = Clock::now();
    for (const auto& r : *records) {
      if (c.count >= 0 && printed >= c.count) break;
      if (json) {
        std::cout << record_json(r) << '\n';
      } else {
        std::cout << render_record(tmpl, r) << '\n';
      }
      ++printed;
    }
    std::cout.flush();
  }
  std::cout.flush();
  return 0;
}

}  // namespace gregor::client::cli
