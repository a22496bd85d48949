// Topic-level configs: the one table of keys, their broker-level defaults, validation and DescribeConfigs view.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.h"
#include "log/log_config.h"
#include "protocol/result.h"

namespace gregor::broker {

// Kafka's DescribeConfigs config_source and config_type codes.
enum class ConfigSource : int8_t { unknown = 0, topic = 1, dynamic_broker = 2, dynamic_default = 3, static_broker = 4, default_config = 5 };
enum class ConfigType : int8_t { unknown = 0, boolean = 1, string = 2, int_ = 3, short_ = 4, long_ = 5, double_ = 6, list = 7 };

struct ConfigEntry {
  std::string name;
  std::string value;
  ConfigSource source;
  ConfigType type;
  std::string documentation;
};

// The effective settings of one topic: overrides from /config/topics/<t> over the broker's log.* keys.
struct TopicSettings {
  log::LogConfig log;
  bool log_append_time = false;  // message.timestamp.type=LogAppendTime
  int32_t min_insync_replicas = 1;
  bool unclean_leader_election = false;
  int64_t timestamp_before_max_ms = INT64_MAX;
  int64_t timestamp_after_max_ms = INT64_MAX;
};

class TopicConfigs {
 public:
  explicit TopicConfigs(const BrokerConfig& broker) : broker_(broker) {}
  // INVALID_CONFIG reasons: unknown key or a value that does not parse / is out of range.
  Result<void, std::string> validate(const std::map<std::string, std::string>& overrides) const;
  TopicSettings resolve(const std::map<std::string, std::string>& overrides) const;
  // Every topic-level config with its value and source, in Kafka's order (by name).
  std::vector<ConfigEntry> describe(const std::map<std::string, std::string>& overrides) const;
  // Broker-level view (DescribeConfigs on a broker resource): every key the broker was given plus defaults.
  std::vector<ConfigEntry> describe_broker() const;

 private:
  const BrokerConfig& broker_;
};

}  // namespace gregor::broker
