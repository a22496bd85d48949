// Topic-level config table: name, type, the broker key it inherits from, and how it lands in TopicSettings.
#include "broker/topic_config.h"

#include <charconv>
#include <functional>

namespace gregor::broker {
namespace {

struct KeySpec {
  const char* name;
  ConfigType type;
  const char* broker_key;  // the server.properties key it inherits from, or "" (then: Kafka's default)
  std::function<std::string(const BrokerConfig&)> broker_value;
  std::function<bool(const std::string&)> valid;
  std::function<void(TopicSettings&, const std::string&)> apply;
};

bool parse_long(const std::string& v, int64_t& out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size();
}
int64_t as_long(const std::string& v) {
  int64_t out = 0;
  parse_long(v, out);
  return out;
}
auto long_at_least(int64_t min) {
  return [min](const std::string& v) {
    int64_t x;
    return parse_long(v, x) && x >= min;
  };
}
bool is_bool(const std::string& v) { return v == "true" || v == "false"; }
bool is_ratio(const std::string& v) {
  try {
    size_t n = 0;
    double d = std::stod(v, &n);
    return n == v.size() && d >= 0 && d <= 1;
  } catch (...) {
    return false;
  }
}
std::string num(int64_t v) { return std::to_string(v); }

const std::vector<KeySpec>& specs() {
  using C = const BrokerConfig&;
  static const std::vector<KeySpec> table = {
      {"cleanup.policy", ConfigType::list, "log.cleanup.policy", [](C c) { return c.log_cleanup_policy; },
       [](const std::string& v) {
         return v == "delete" || v == "compact" || v == "compact,delete" || v == "delete,compact";
       },
       [](TopicSettings& s, const std::string& v) {
         s.log.cleanup_delete = v.find("delete") != std::string::npos;
         s.log.cleanup_compact = v.find("compact") != std::string::npos;
       }},
      {"compression.type", ConfigType::string, "compression.type", [](C c) { return c.compression_type; },
       [](const std::string& v) {
         return v == "producer" || v == "uncompressed" || v == "gzip" || v == "snappy" || v == "lz4" || v == "zstd";
       },
       [](TopicSettings&, const std::string&) {}},
      {"delete.retention.ms", ConfigType::long_, "log.cleaner.delete.retention.ms",
       [](C c) { return num(c.log_cleaner_delete_retention_ms); }, long_at_least(0),
       [](TopicSettings& s, const std::string& v) { s.log.delete_retention_ms = as_long(v); }},
      {"file.delete.delay.ms", ConfigType::long_, "log.segment.delete.delay.ms",
       [](C c) { return num(c.log_segment_delete_delay_ms); }, long_at_least(0),
       [](TopicSettings& s, const std::string& v) { s.log.file_delete_delay_ms = as_long(v); }},
      {"flush.messages", ConfigType::long_, "log.flush.interval.messages",
       [](C c) { return num(c.log_flush_interval_messages); }, long_at_least(1),
       [](TopicSettings& s, const std::string& v) { s.log.flush_messages = as_long(v); }},
      {"flush.ms", ConfigType::long_, "log.flush.interval.ms", [](C c) { return num(c.log_flush_interval_ms); },
       long_at_least(0), [](TopicSettings& s, const std::string& v) { s.log.flush_ms = as_long(v); }},
      {"index.interval.bytes", ConfigType::int_, "log.index.interval.bytes",
       [](C c) { return num(c.log_index_interval_bytes); }, long_at_least(0),
       [](TopicSettings& s, const std::string& v) { s.log.index_interval_bytes = static_cast<int32_t>(as_long(v)); }},
      {"max.compaction.lag.ms", ConfigType::long_, "", [](C) { return num(INT64_MAX); }, long_at_least(1),
       [](TopicSettings&, const std::string&) {}},
      {"max.message.bytes", ConfigType::int_, "message.max.bytes", [](C c) { return num(c.message_max_bytes); },
       long_at_least(0),
       [](TopicSettings& s, const std::string& v) { s.log.max_message_bytes = static_cast<int32_t>(as_long(v)); }},
      {"message.timestamp.after.max.ms", ConfigType::long_, "", [](C) { return num(INT64_MAX); }, long_at_least(0),
       [](TopicSettings& s, const std::string& v) { s.timestamp_after_max_ms = as_long(v); }},
      {"message.timestamp.before.max.ms", ConfigType::long_, "", [](C) { return num(INT64_MAX); }, long_at_least(0),
       [](TopicSettings& s, const std::string& v) { s.timestamp_before_max_ms = as_long(v); }},
      {"message.timestamp.type", ConfigType::string, "log.message.timestamp.type",
       [](C c) { return c.log_message_timestamp_type; },
       [](const std::string& v) { return v == "CreateTime" || v == "LogAppendTime"; },
       [](TopicSettings& s, const std::string& v) { s.log_append_time = v == "LogAppendTime"; }},
      {"min.cleanable.dirty.ratio", ConfigType::double_, "", [](C) { return std::string("0.5"); }, is_ratio,
       [](TopicSettings& s, const std::string& v) { s.log.min_cleanable_dirty_ratio = std::stod(v); }},
      {"min.compaction.lag.ms", ConfigType::long_, "", [](C) { return std::string("0"); }, long_at_least(0),
       [](TopicSettings& s, const std::string& v) { s.log.min_compaction_lag_ms = as_long(v); }},
      {"min.insync.replicas", ConfigType::int_, "min.insync.replicas", [](C c) { return num(c.min_insync_replicas); },
       long_at_least(1),
       [](TopicSettings& s, const std::string& v) { s.min_insync_replicas = static_cast<int32_t>(as_long(v)); }},
      {"preallocate", ConfigType::boolean, "", [](C) { return std::string("false"); }, is_bool,
       [](TopicSettings& s, const std::string& v) { s.log.preallocate = v == "true"; }},
      {"retention.bytes", ConfigType::long_, "log.retention.bytes", [](C c) { return num(c.log_retention_bytes); },
       long_at_least(-1), [](TopicSettings& s, const std::string& v) { s.log.retention_bytes = as_long(v); }},
      {"retention.ms", ConfigType::long_, "log.retention.ms", [](C c) { return num(c.log_retention_ms); },
       long_at_least(-1), [](TopicSettings& s, const std::string& v) { s.log.retention_ms = as_long(v); }},
      {"segment.bytes", ConfigType::int_, "log.segment.bytes", [](C c) { return num(c.log_segment_bytes); },
       long_at_least(14), [](TopicSettings& s, const std::string& v) { s.log.segment_bytes = as_long(v); }},
      {"segment.index.bytes", ConfigType::int_, "log.index.size.max.bytes",
       [](C c) { return num(c.log_index_size_max_bytes); }, long_at_least(4),
       [](TopicSettings& s, const std::string& v) { s.log.segment_index_bytes = static_cast<int32_t>(as_long(v)); }},
      {"segment.jitter.ms", ConfigType::long_, "", [](C) { return std::string("0"); }, long_at_least(0),
       [](TopicSettings& s, const std::string& v) { s.log.segment_jitter_ms = as_long(v); }},
      {"segment.ms", ConfigType::long_, "log.roll.ms", [](C c) { return num(c.log_roll_ms); }, long_at_least(1),
       [](TopicSettings& s, const std::string& v) { s.log.segment_ms = as_long(v); }},
      {"unclean.leader.election.enable", ConfigType::boolean, "", [](C) { return std::string("false"); }, is_bool,
       [](TopicSettings& s, const std::string& v) { s.unclean_leader_election = v == "true"; }},
  };
  return table;
}

// Inherited broker keys that Kafka spells several ways (log.retention.hours etc.) count as "static broker".
bool broker_overrides(const BrokerConfig& b, const std::string& broker_key) {
  if (broker_key.empty()) return false;
  if (b.raw().count(broker_key)) return true;
  if (broker_key == "log.retention.ms") return b.raw().count("log.retention.hours") || b.raw().count("log.retention.minutes");
  if (broker_key == "log.roll.ms") return b.raw().count("log.roll.hours") > 0;
  return false;
}

}  // namespace

Result<void, std::string> TopicConfigs::validate(const std::map<std::string, std::string>& overrides) const {
  for (auto& [k, v] : overrides) {
    const KeySpec* spec = nullptr;
    for (auto& s : specs()) {
      if (k == s.name) spec = &s;
    }
    if (!spec) return unexpected("Unknown topic config name: " + k);
    if (!spec->valid(v)) return unexpected("Invalid value " + v + " for configuration " + k);
  }
  return {};
}

TopicSettings TopicConfigs::resolve(const std::map<std::string, std::string>& overrides) const {
  TopicSettings s;
  for (auto& spec : specs()) {
    auto it = overrides.find(spec.name);
    std::string v = it != overrides.end() && spec.valid(it->second) ? it->second : spec.broker_value(broker_);
    spec.apply(s, v);
  }
  return s;
}

std::vector<ConfigEntry> TopicConfigs::describe(const std::map<std::string, std::string>& overrides) const {
  std::vector<ConfigEntry> out;
  for (auto& spec : specs()) {
    auto it = overrides.find(spec.name);
    if (it != overrides.end()) {
      out.push_back({spec.name, it->second, ConfigSource::topic, spec.type, ""});
    } else {
      auto source = broker_overrides(broker_, spec.broker_key) ? ConfigSource::static_broker : ConfigSource::default_config;
      out.push_back({spec.name, spec.broker_value(broker_), source, spec.type, ""});
    }
  }
  return out;
}

std::vector<ConfigEntry> TopicConfigs::describe_broker() const {
  std::vector<ConfigEntry> out;
  for (auto& [k, v] : broker_.raw()) out.push_back({k, v, ConfigSource::static_broker, ConfigType::string, ""});
  return out;
}

}  // namespace gregor::broker
