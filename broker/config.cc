// Broker configuration: parsing server.properties, environment overrides, typed keys with Kafka's defaults.
#include "broker/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace gregor::broker {
namespace {

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

Result<int64_t, std::string> parse_int(const std::string& key, const std::string& v, int64_t min, int64_t max) {
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return unexpected("invalid value '" + v + "' for " + key + ": not an integer");
  }
  if (out < min || out > max) {
    return unexpected("invalid value '" + v + "' for " + key + ": must be in [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
  }
  return out;
}

Result<bool, std::string> parse_bool(const std::string& key, const std::string& v) {
  std::string l = v;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "true") return true;
  if (l == "false") return false;
  return unexpected("invalid value '" + v + "' for " + key + ": expected true or false");
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

using Setter = std::function<Result<void, std::string>(BrokerConfig&, const std::string& key, const std::string& v)>;

template <class T>
Setter int_key(T BrokerConfig::*field, int64_t min, int64_t max) {
  return [=](BrokerConfig& c, const std::string& k, const std::string& v) -> Result<void, std::string> {
    auto r = parse_int(k, v, min, max);
    if (!r) return unexpected(r.error());
    c.*field = static_cast<T>(*r);
    return {};
  };
}

Setter scaled_key(int64_t BrokerConfig::*field, int64_t scale) {
  return [=](BrokerConfig& c, const std::string& k, const std::string& v) -> Result<void, std::string> {
    auto r = parse_int(k, v, -1, INT64_MAX / scale);
    if (!r) return unexpected(r.error());
    c.*field = *r < 0 ? -1 : *r * scale;
    return {};
  };
}

Setter bool_key(bool BrokerConfig::*field) {
  return [=](BrokerConfig& c, const std::string& k, const std::string& v) -> Result<void, std::string> {
    auto r = parse_bool(k, v);
    if (!r) return unexpected(r.error());
    c.*field = *r;
    return {};
  };
}

Setter string_key(std::string BrokerConfig::*field) {
  return [=](BrokerConfig& c, const std::string&, const std::string& v) -> Result<void, std::string> {
    c.*field = v;
    return {};
  };
}

Setter one_of(std::string BrokerConfig::*field, std::set<std::string> allowed) {
  return [=](BrokerConfig& c, const std::string& k, const std::string& v) -> Result<void, std::string> {
    if (!allowed.count(v)) return unexpected("invalid value '" + v + "' for " + k);
    c.*field = v;
    return {};
  };
}

Setter listeners_key(std::vector<Listener> BrokerConfig::*field) {
  return [=](BrokerConfig& c, const std::string& k, const std::string& v) -> Result<void, std::string> {
    auto r = parse_listeners(v);
    if (!r) return unexpected("invalid value for " + k + ": " + r.error());
    c.*field = *r;
    return {};
  };
}

// Keys applied in this order, so that the most specific retention key (ms) wins over hours/minutes.
const std::vector<std::pair<std::string, Setter>>& setters() {
  static const std::vector<std::pair<std::string, Setter>> table = {
      {"broker.id", int_key(&BrokerConfig::broker_id, -1, INT32_MAX)},
      {"listeners", listeners_key(&BrokerConfig::listeners)},
      {"advertised.listeners", listeners_key(&BrokerConfig::advertised_listeners)},
      {"listener.security.protocol.map",
       [](BrokerConfig& c, const std::string& k, const std::string& v) -> Result<void, std::string> {
         c.listener_security_protocol_map.clear();
         for (auto& item : split(v, ',')) {
           auto colon = item.find(':');
           if (colon == std::string::npos) return unexpected("invalid value for " + k + ": '" + item + "'");
           c.listener_security_protocol_map[item.substr(0, colon)] = item.substr(colon + 1);
         }
         return {};
       }},
      {"inter.broker.listener.name", string_key(&BrokerConfig::inter_broker_listener_name)},
      {"zookeeper.connect", string_key(&BrokerConfig::zookeeper_connect)},
      {"zookeeper.session.timeout.ms", int_key(&BrokerConfig::zookeeper_session_timeout_ms, 1, INT32_MAX)},
      {"zookeeper.connection.timeout.ms", int_key(&BrokerConfig::zookeeper_connection_timeout_ms, 1, INT32_MAX)},
      {"log.dir",
       [](BrokerConfig& c, const std::string&, const std::string& v) -> Result<void, std::string> {
         if (c.log_dirs.empty()) c.log_dirs = {v};
         return {};
       }},
      {"log.dirs",
       [](BrokerConfig& c, const std::string& k, const std::string& v) -> Result<void, std::string> {
         c.log_dirs = split(v, ',');
         if (c.log_dirs.empty()) return unexpected("invalid value for " + k + ": empty");
         return {};
       }},
      {"broker.rack",
       [](BrokerConfig& c, const std::string&, const std::string& v) -> Result<void, std::string> {
         c.rack = v;
         return {};
       }},
      {"num.partitions", int_key(&BrokerConfig::num_partitions, 1, 1000000)},
      {"default.replication.factor", int_key(&BrokerConfig::default_replication_factor, 1, INT16_MAX)},
      {"min.insync.replicas", int_key(&BrokerConfig::min_insync_replicas, 1, INT32_MAX)},
      {"auto.create.topics.enable", bool_key(&BrokerConfig::auto_create_topics_enable)},
      {"delete.topic.enable", bool_key(&BrokerConfig::delete_topic_enable)},
      {"message.max.bytes", int_key(&BrokerConfig::message_max_bytes, 0, INT32_MAX)},
      {"socket.request.max.bytes", int_key(&BrokerConfig::socket_request_max_bytes, 1, INT32_MAX)},
      {"connections.max.idle.ms", int_key(&BrokerConfig::connections_max_idle_ms, -1, INT64_MAX)},
      {"offsets.topic.num.partitions", int_key(&BrokerConfig::offsets_topic_num_partitions, 1, 100000)},
      {"offsets.topic.replication.factor", int_key(&BrokerConfig::offsets_topic_replication_factor, 1, INT16_MAX)},
      {"offsets.topic.segment.bytes", int_key(&BrokerConfig::offsets_topic_segment_bytes, 14, INT32_MAX)},
      {"group.initial.rebalance.delay.ms", int_key(&BrokerConfig::group_initial_rebalance_delay_ms, 0, INT32_MAX)},
      {"group.min.session.timeout.ms", int_key(&BrokerConfig::group_min_session_timeout_ms, 0, INT32_MAX)},
      {"group.max.session.timeout.ms", int_key(&BrokerConfig::group_max_session_timeout_ms, 0, INT32_MAX)},
      {"group.max.size", int_key(&BrokerConfig::group_max_size, 1, INT32_MAX)},
      {"offsets.retention.minutes", int_key(&BrokerConfig::offsets_retention_minutes, 1, INT32_MAX)},
      {"offset.metadata.max.bytes", int_key(&BrokerConfig::offset_metadata_max_bytes, 0, INT32_MAX)},
      {"log.cleaner.backoff.ms", int_key(&BrokerConfig::log_cleaner_backoff_ms, 0, INT64_MAX)},
      {"log.segment.bytes", int_key(&BrokerConfig::log_segment_bytes, 14, INT32_MAX)},
      {"log.roll.hours", scaled_key(&BrokerConfig::log_roll_ms, 3600000)},
      {"log.roll.ms", int_key(&BrokerConfig::log_roll_ms, 1, INT64_MAX)},
      {"log.retention.hours", scaled_key(&BrokerConfig::log_retention_ms, 3600000)},
      {"log.retention.minutes", scaled_key(&BrokerConfig::log_retention_ms, 60000)},
      {"log.retention.ms", int_key(&BrokerConfig::log_retention_ms, -1, INT64_MAX)},
      {"log.retention.bytes", int_key(&BrokerConfig::log_retention_bytes, -1, INT64_MAX)},
      {"log.retention.check.interval.ms", int_key(&BrokerConfig::log_retention_check_interval_ms, 1, INT64_MAX)},
      {"log.index.interval.bytes", int_key(&BrokerConfig::log_index_interval_bytes, 0, INT32_MAX)},
      {"log.index.size.max.bytes", int_key(&BrokerConfig::log_index_size_max_bytes, 4, INT32_MAX)},
      {"log.flush.interval.messages", int_key(&BrokerConfig::log_flush_interval_messages, 1, INT64_MAX)},
      {"log.flush.interval.ms", int_key(&BrokerConfig::log_flush_interval_ms, 0, INT64_MAX)},
      {"log.segment.delete.delay.ms", int_key(&BrokerConfig::log_segment_delete_delay_ms, 0, INT64_MAX)},
      {"log.cleanup.policy", one_of(&BrokerConfig::log_cleanup_policy, {"delete", "compact", "compact,delete", "delete,compact"})},
      {"log.message.timestamp.type", one_of(&BrokerConfig::log_message_timestamp_type, {"CreateTime", "LogAppendTime"})},
      {"log.cleaner.delete.retention.ms", int_key(&BrokerConfig::log_cleaner_delete_retention_ms, 0, INT64_MAX)},
      {"compression.type",
       one_of(&BrokerConfig::compression_type, {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"})},
      {"replica.high.watermark.checkpoint.interval.ms",
       int_key(&BrokerConfig::replica_high_watermark_checkpoint_interval_ms, 1, INT64_MAX)},
      {"log.flush.offset.checkpoint.interval.ms",
       int_key(&BrokerConfig::log_flush_offset_checkpoint_interval_ms, 0, INT64_MAX)},
      {"control.plane.listener.name",
       [](BrokerConfig& c, const std::string&, const std::string& v) -> Result<void, std::string> {
         if (!v.empty()) c.control_plane_listener_name = v;
         return {};
       }},
      {"controlled.shutdown.enable", bool_key(&BrokerConfig::controlled_shutdown_enable)},
      {"gregor.crash.detection.enable", bool_key(&BrokerConfig::crash_detection_enable)},
      {"controlled.shutdown.max.retries", int_key(&BrokerConfig::controlled_shutdown_max_retries, 0, INT32_MAX)},
      {"controlled.shutdown.retry.backoff.ms",
       int_key(&BrokerConfig::controlled_shutdown_retry_backoff_ms, 0, INT64_MAX)},
      {"auto.leader.rebalance.enable", bool_key(&BrokerConfig::auto_leader_rebalance_enable)},
      {"leader.imbalance.check.interval.seconds",
       int_key(&BrokerConfig::leader_imbalance_check_interval_seconds, 1, INT64_MAX)},
      {"leader.imbalance.per.broker.percentage",
       int_key(&BrokerConfig::leader_imbalance_per_broker_percentage, 0, 100)},
      {"unclean.leader.election.enable", bool_key(&BrokerConfig::unclean_leader_election_enable)},
      {"replica.lag.time.max.ms", int_key(&BrokerConfig::replica_lag_time_max_ms, 1, INT64_MAX)},
      {"replica.fetch.max.bytes", int_key(&BrokerConfig::replica_fetch_max_bytes, 0, INT32_MAX)},
      {"replica.fetch.response.max.bytes", int_key(&BrokerConfig::replica_fetch_response_max_bytes, 0, INT32_MAX)},
      {"replica.fetch.wait.max.ms", int_key(&BrokerConfig::replica_fetch_wait_max_ms, 0, INT32_MAX)},
      {"replica.fetch.min.bytes", int_key(&BrokerConfig::replica_fetch_min_bytes, 1, INT32_MAX)},
      {"replica.fetch.backoff.ms", int_key(&BrokerConfig::replica_fetch_backoff_ms, 0, INT64_MAX)},
      {"replica.socket.timeout.ms", int_key(&BrokerConfig::replica_socket_timeout_ms, 1, INT32_MAX)},
      {"num.replica.fetchers", int_key(&BrokerConfig::num_replica_fetchers, 1, 64)},
      {"request.timeout.ms", int_key(&BrokerConfig::request_timeout_ms, 1, INT32_MAX)},
      {"controller.socket.timeout.ms", int_key(&BrokerConfig::controller_socket_timeout_ms, 1, INT32_MAX)},
  };
  return table;
}

// Kafka keys gregor accepts without acting on them (so they are not reported as unknown).
const std::set<std::string>& accepted_keys() {
  static const std::set<std::string> keys = {
      "num.network.threads", "num.io.threads", "socket.send.buffer.bytes", "socket.receive.buffer.bytes",
      "num.recovery.threads.per.data.dir", "transaction.state.log.replication.factor",
      "transaction.state.log.min.isr", "zookeeper.set.acl", "queued.max.requests", "background.threads",
      "log.cleaner.enable", "log.cleaner.threads", "security.inter.broker.protocol",
      "broker.id.generation.enable", "reserved.broker.max.id", "log.cleaner.min.cleanable.ratio", "log.preallocate", "jmx.port"};
  return keys;
}

}  // namespace

Result<std::vector<Listener>, std::string> parse_listeners(const std::string& value) {
  std::vector<Listener> out;
  for (auto& item : split(value, ',')) {
    auto sep = item.find("://");
    auto colon = item.rfind(':');
    if (sep == std::string::npos || colon == std::string::npos || colon < sep + 3) {
      return unexpected("'" + item + "' is not NAME://host:port");
    }
    Listener l;
    l.name = item.substr(0, sep);
    l.host = item.substr(sep + 3, colon - sep - 3);
    if (l.host.size() >= 2 && l.host.front() == '[' && l.host.back() == ']') l.host = l.host.substr(1, l.host.size() - 2);
    auto port = parse_int("port", item.substr(colon + 1), 0, 65535);
    if (!port) return unexpected("'" + item + "': bad port");
    l.port = static_cast<int32_t>(*port);
    for (auto& existing : out) {
      if (existing.name == l.name) return unexpected("listener name " + l.name + " appears twice");
    }
    out.push_back(std::move(l));
  }
  if (out.empty()) return unexpected(std::string("no listener given"));
  return out;
}

std::optional<std::string> BrokerConfig::env_to_key(const std::string& env_name) {
  std::string rest;
  for (const char* prefix : {"GREGOR_", "KAFKA_"}) {
    if (env_name.rfind(prefix, 0) == 0) rest = env_name.substr(std::string(prefix).size());
  }
  if (rest.empty()) return std::nullopt;
  // Variables of the tooling itself, not broker keys.
  static const std::set<std::string> not_keys = {"BROKERS", "BUILD_DIR", "HEAP_OPTS", "OPTS", "JVM_PERFORMANCE_OPTS",
                                                 "LOG4J_OPTS", "HOME", "DEBUG", "LOG_LEVEL"};
  if (not_keys.count(rest)) return std::nullopt;
  std::string key;
  for (size_t i = 0; i < rest.size();) {
    if (rest.compare(i, 3, "___") == 0) {
      key += '-';
      i += 3;
    } else if (rest.compare(i, 2, "__") == 0) {
      key += '_';
      i += 2;
    } else if (rest[i] == '_') {
      key += '.';
      i += 1;
    } else {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(rest[i])));
      i += 1;
    }
  }
  return key;
}

Result<BrokerConfig, std::string> BrokerConfig::load(const std::string& path, char** envp) {
  std::ifstream in(path);
  if (!in) return unexpected("cannot read config file " + path);
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    auto eq = line.find_first_of("=:");
    if (eq == std::string::npos) return unexpected("config line without '=' in " + path + ": " + line);
    values[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  for (char** e = envp; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    if (auto key = env_to_key(kv.substr(0, eq))) values[*key] = kv.substr(eq + 1);
  }
  return from_map(std::move(values));
}

Result<BrokerConfig, std::string> BrokerConfig::from_map(std::map<std::string, std::string> values) {
  BrokerConfig c;
  c.listeners = {Listener{"PLAINTEXT", "", 9092}};
  c.listener_security_protocol_map = {
      {"PLAINTEXT", "PLAINTEXT"}, {"SSL", "SSL"}, {"SASL_PLAINTEXT", "SASL_PLAINTEXT"}, {"SASL_SSL", "SASL_SSL"}};
  c.raw_ = values;
  for (auto& [key, setter] : setters()) {
    auto it = values.find(key);
    if (it == values.end()) continue;
    if (auto r = setter(c, key, it->second); !r) return unexpected(r.error());
  }
  if (c.zookeeper_connect.empty()) return unexpected(std::string("missing required config zookeeper.connect"));
  if (c.log_dirs.empty()) c.log_dirs = {"/tmp/kafka-logs"};
  if (!values.count("zookeeper.connection.timeout.ms")) c.zookeeper_connection_timeout_ms = c.zookeeper_session_timeout_ms;
  if (c.advertised_listeners.empty()) c.advertised_listeners = c.listeners;
  for (auto& a : c.advertised_listeners) {
    if (a.host == "0.0.0.0") return unexpected(std::string("advertised.listeners: 0.0.0.0 is not a valid advertised host"));
    bool found = std::any_of(c.listeners.begin(), c.listeners.end(), [&](auto& l) { return l.name == a.name; });
    if (!found) return unexpected("advertised.listeners: listener " + a.name + " is not in listeners");
  }
  for (auto& l : c.listeners) {
    if (!c.listener_security_protocol_map.count(l.name)) {
      return unexpected("listener.security.protocol.map has no entry for listener " + l.name);
    }
    if (c.listener_security_protocol_map[l.name] != "PLAINTEXT") {
      return unexpected("listener " + l.name + ": only PLAINTEXT is supported");
    }
  }
  bool ibl = std::any_of(c.listeners.begin(), c.listeners.end(),
                         [&](auto& l) { return l.name == c.inter_broker_listener_name; });
  if (!ibl) c.inter_broker_listener_name = c.listeners.front().name;
  return c;
}

std::vector<std::string> BrokerConfig::unknown_keys() const {
  std::vector<std::string> out;
  for (auto& [k, v] : raw_) {
    bool known = accepted_keys().count(k) > 0 ||
                 std::any_of(setters().begin(), setters().end(), [&](auto& s) { return s.first == k; });
    if (!known) out.push_back(k);
  }
  return out;
}

const Listener& BrokerConfig::advertised(const std::string& listener_name) const {
  for (auto& l : advertised_listeners) {
    if (l.name == listener_name) return l;
  }
  return advertised_listeners.front();
}

}  // namespace gregor::broker
