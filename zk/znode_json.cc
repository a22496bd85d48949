// Kafka's znode JSON payloads (ZkData.scala) with nlohmann/json; key order follows what Kafka writes.
#include "zk/znode_json.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

namespace gregor::zk {
namespace {

using ordered = nlohmann::ordered_json;
using json = nlohmann::json;

template <class T>
Result<T, std::string> fail(std::string what) {
  return unexpected(std::move(what));
}

Result<json, std::string> parse(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail<json>(fmt::format("invalid JSON: {}", text));
  if (!j.is_object()) return fail<json>(fmt::format("JSON is not an object: {}", text));
  return j;
}

Result<int64_t, std::string> parse_int64(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size())
    return fail<int64_t>(fmt::format("not an integer: '{}'", s));
  return v;
}

// Kafka writes several numbers as JSON strings ("timestamp", "block_start"); older writers used numbers.
int64_t int64_field(const json& j, const char* key, int64_t fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (it->is_string()) {
    auto v = parse_int64(it->get<std::string>());
    if (!v) throw std::invalid_argument(fmt::format("field {}: {}", key, v.error()));
    return *v;
  }
  return it->get<int64_t>();
}

template <class T>
Result<T, std::string> guarded(std::string_view what, const std::function<T()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return fail<T>(fmt::format("bad {} JSON: {}", what, e.what()));
  }
}

ordered replica_map(const std::map<int32_t, std::vector<int32_t>>& m, bool skip_empty) {
  ordered out = ordered::object();
  for (const auto& [p, replicas] : m) {
    if (skip_empty && replicas.empty()) continue;
    out[std::to_string(p)] = replicas;
  }
  return out;
}

std::map<int32_t, std::vector<int32_t>> read_replica_map(const json& j, const char* key) {
  std::map<int32_t, std::vector<int32_t>> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  for (const auto& [k, v] : it->items()) {
    auto p = parse_int64(k);
    if (!p) throw std::invalid_argument(fmt::format("partition key: {}", p.error()));
    out[static_cast<int32_t>(*p)] = v.get<std::vector<int32_t>>();
  }
  return out;
}

std::string security_protocol_of(const BrokerRegistration& r, const std::string& listener) {
  auto it = r.security_protocol_map.find(listener);
  return it == r.security_protocol_map.end() ? listener : it->second;
}

std::string uuid_base64() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (;;) {
    std::array<uint8_t, 16> b{};
    uint64_t hi = rng(), lo = rng();
    for (int i = 0; i < 8; ++i) {
      b[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
      b[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
    }
    b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4, like java.util.UUID.randomUUID
    b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // IETF variant
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (uint8_t byte : b) {
      acc = (acc << 8) | byte;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
      }
    }
    if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
    // Kafka's Uuid.randomUuid() rejects ids starting with '-' (they look like command-line options).
    if (out.front() != '-') return out;
  }
}

}  // namespace

// ---- endpoints ---------------------------------------------------------------------------------------

std::string to_connection_string(const Endpoint& e) {
  bool ipv6 = e.host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("{}://[{}]:{}", e.listener_name, e.host, e.port)
              : fmt::format("{}://{}:{}", e.listener_name, e.host, e.port);
}

Result<Endpoint, std::string> parse_endpoint(std::string_view text) {
  auto sep = text.find("://");
  auto colon = text.rfind(':');
  if (sep == std::string_view::npos || colon == std::string_view::npos || colon < sep + 3) {
    return fail<Endpoint>(fmt::format("bad endpoint '{}'", text));
  }
  Endpoint e;
  e.listener_name = std::string(text.substr(0, sep));
  std::string_view host = text.substr(sep + 3, colon - sep - 3);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  e.host = std::string(host);
  auto port = parse_int64(text.substr(colon + 1));
  if (!port) return fail<Endpoint>(fmt::format("bad endpoint '{}': {}", text, port.error()));
  e.port = static_cast<int32_t>(*port);
  return e;
}

// ---- /brokers/ids/<id> -------------------------------------------------------------------------------

std::string encode(const BrokerRegistration& r) {
  ordered j;
  j["listener_security_protocol_map"] = ordered::object();
  for (const auto& [listener, protocol] : r.security_protocol_map)
    j["listener_security_protocol_map"][listener] = protocol;
  j["endpoints"] = ordered::array();
  const Endpoint* plaintext = nullptr;
  for (const auto& e : r.endpoints) {
    j["endpoints"].push_back(to_connection_string(e));
    if (plaintext == nullptr && security_protocol_of(r, e.listener_name) == "PLAINTEXT") plaintext = &e;
  }
  j["jmx_port"] = r.jmx_port;
  j["features"] = ordered::object();
  j["host"] = plaintext ? ordered(plaintext->host) : ordered(nullptr);
  j["timestamp"] = std::to_string(r.timestamp_ms);
  j["port"] = plaintext ? plaintext->port : -1;
  j["version"] = 5;
  if (r.rack) j["rack"] = *r.rack;
  return j.dump();
}

Result<BrokerRegistration, std::string> decode_broker_registration(std::string_view text, int32_t id) {
  auto parsed = parse(text);
  if (!parsed) return unexpected(parsed.error());
  const json& j = *parsed;
  return guarded<BrokerRegistration>("broker registration", [&] {
    BrokerRegistration r;
    r.id = id;
    r.timestamp_ms = int64_field(j, "timestamp", 0);
    r.jmx_port = static_cast<int32_t>(j.value("jmx_port", -1));
    if (auto it = j.find("rack"); it != j.end() && it->is_string()) r.rack = it->get<std::string>();
    if (auto it = j.find("listener_security_protocol_map"); it != j.end() && it->is_object()) {
      r.security_protocol_map = it->get<std::map<std::string, std::string>>();
    }
    if (auto it = j.find("endpoints"); it != j.end() && it->is_array()) {
      for (const auto& s : *it) {
        auto e = parse_endpoint(s.get<std::string>());
        if (!e) throw std::invalid_argument(e.error());
        r.endpoints.push_back(std::move(*e));
      }
    } else if (j.contains("host") && j["host"].is_string()) {  // version 1: host/port only
      r.endpoints.push_back(Endpoint{"PLAINTEXT", j["host"].get<std::string>(), j.value("port", -1)});
    }
    return r;
  });
}

// ---- /brokers/topics/<t> -----------------------------------------------------------------------------

std::string encode(const TopicAssignment& a) {
  ordered j;
  j["version"] = 3;
  if (!a.topic_id.empty()) j["topic_id"] = a.topic_id;
  j["partitions"] = replica_map(a.partitions, false);
  j["adding_replicas"] = replica_map(a.adding_replicas, true);
  j["removing_replicas"] = replica_map(a.removing_replicas, true);
  return j.dump();
}

Result<TopicAssignment, std::string> decode_topic_assignment(std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) return unexpected(parsed.error());
  const json& j = *parsed;
  return guarded<TopicAssignment>("topic assignment", [&] {
    TopicAssignment a;
    if (auto it = j.find("topic_id"); it != j.end() && it->is_string()) a.topic_id = it->get<std::string>();
    a.partitions = read_replica_map(j, "partitions");
    a.adding_replicas = read_replica_map(j, "adding_replicas");
    a.removing_replicas = read_replica_map(j, "removing_replicas");
    return a;
  });
}

// ---- partition state ---------------------------------------------------------------------------------

std::string encode(const PartitionState& s) {
  ordered j;
  j["controller_epoch"] = s.controller_epoch;
  j["leader"] = s.leader;
  j["version"] = 1;
  j["leader_epoch"] = s.leader_epoch;
  j["isr"] = s.isr;
  if (s.leader_recovery_state != 0) j["leader_recovery_state"] = s.leader_recovery_state;
  return j.dump();
}

Result<PartitionState, std::string> decode_partition_state(std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) return unexpected(parsed.error());
  const json& j = *parsed;
  return guarded<PartitionState>("partition state", [&] {
    PartitionState s;
    s.leader = j.at("leader").get<int32_t>();
    s.leader_epoch = j.at("leader_epoch").get<int32_t>();
    s.isr = j.at("isr").get<std::vector<int32_t>>();
    s.controller_epoch = j.at("controller_epoch").get<int32_t>();
    s.leader_recovery_state = static_cast<int8_t>(j.value("leader_recovery_state", 0));
    return s;
  });
}

// ---- /controller, /controller_epoch, /cluster/id -----------------------------------------------------

std::string encode(const ControllerInfo& c) {
  ordered j;
  j["version"] = 1;
  j["brokerid"] = c.broker_id;
  j["timestamp"] = std::to_string(c.timestamp_ms);
  return j.dump();
}

Result<ControllerInfo, std::string> decode_controller_info(std::string_view text) {
  // Kafka 0.8 wrote a bare integer; still understood by Kafka's reader.
  if (auto bare = parse_int64(text)) return ControllerInfo{static_cast<int32_t>(*bare), 0};
  auto parsed = parse(text);
  if (!parsed) return unexpected(parsed.error());
  const json& j = *parsed;
  return guarded<ControllerInfo>("controller", [&] {
    return ControllerInfo{j.at("brokerid").get<int32_t>(), int64_field(j, "timestamp", 0)};
  });
}

std::string encode_controller_epoch(int32_t epoch) { return std::to_string(epoch); }

Result<int32_t, std::string> decode_controller_epoch(std::string_view text) {
  auto v = parse_int64(text);
  if (!v) return unexpected(fmt::format("bad controller epoch: {}", v.error()));
  return static_cast<int32_t>(*v);
}

std::string encode_cluster_id(std::string_view cluster_id) {
  ordered j;
  j["version"] = "1";
  j["id"] = cluster_id;
  return j.dump();
}

Result<std::string, std::string> decode_cluster_id(std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) return unexpected(parsed.error());
  const json& j = *parsed;
  return guarded<std::string>("cluster id", [&] { return j.at("id").get<std::string>(); });
}

// ---- configs, producer ids, ISR change notifications --------------------------------------------------

std::string encode_topic_config(const std::map<std::string, std::string>& config) {
  ordered j;
  j["version"] = 1;
  j["config"] = ordered::object();
  for (const auto& [k, v] : config) j["config"][k] = v;
  return j.dump();
}

Result<std::map<std::string, std::string>, std::string> decode_topic_config(std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) return unexpected(parsed.error());
  const json& j = *parsed;
  return guarded<std::map<std::string, std::string>>("config", [&] {
    std::map<std::string, std::string> out;
    auto it = j.find("config");
    if (it == j.end() || it->is_null()) return out;
    for (const auto& [k, v] : it->items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return out;
  });
}

std::string encode(const ProducerIdBlock& b) {
  ordered j;
  j["version"] = 1;
  j["broker"] = b.broker;
  j["block_start"] = std::to_string(b.block_start);
  j["block_end"] = std::to_string(b.block_end);
  return j.dump();
}

Result<ProducerIdBlock, std::string> decode_producer_id_block(std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) return unexpected(parsed.error());
  const json& j = *parsed;
  return guarded<ProducerIdBlock>("producer id block", [&] {
    return ProducerIdBlock{j.at("broker").get<int32_t>(), int64_field(j, "block_start", 0),
                           int64_field(j, "block_end", -1)};
  });
}

std::string encode_isr_change_notification(const std::vector<std::pair<std::string, int32_t>>& partitions) {
  ordered j;
  j["version"] = 1;
  j["partitions"] = ordered::array();
  for (const auto& [topic, partition] : partitions) {
    ordered tp;
    tp["topic"] = topic;
    tp["partition"] = partition;
    j["partitions"].push_back(std::move(tp));
  }
  return j.dump();
}

Result<std::vector<std::pair<std::string, int32_t>>, std::string> decode_isr_change_notification(
    std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) return unexpected(parsed.error());
  const json& j = *parsed;
  return guarded<std::vector<std::pair<std::string, int32_t>>>("isr change notification", [&] {
    std::vector<std::pair<std::string, int32_t>> out;
    for (const auto& tp : j.at("partitions")) {
      out.emplace_back(tp.at("topic").get<std::string>(), tp.at("partition").get<int32_t>());
    }
    return out;
  });
}

std::string new_cluster_id() { return uuid_base64(); }
std::string new_topic_id() { return uuid_base64(); }

}  // namespace gregor::zk
