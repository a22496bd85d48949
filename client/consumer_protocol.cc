// ConsumerProtocol: encoding and decoding of subscription and assignment bytes.
#include "client/consumer_protocol.h"

#include <algorithm>
#include <map>

#include "protocol/reader.h"
#include "protocol/writer.h"

namespace gregor::client {

namespace {

// Both schemas group partitions by topic: [topic string, partitions [int32]].
void write_topic_partitions(Writer& w, const std::vector<TopicPartition>& partitions) {
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const auto& tp : partitions) by_topic[tp.topic].push_back(tp.partition);
  w.write_array_length(static_cast<int32_t>(by_topic.size()));
  for (const auto& [topic, ps] : by_topic) {
    w.write_string(topic);
    w.write_array_length(static_cast<int32_t>(ps.size()));
    for (int32_t p : ps) w.write_int32(p);
  }
}

std::vector<TopicPartition> read_topic_partitions(Reader& r) {
  std::vector<TopicPartition> out;
  int32_t topics = r.read_array_length(false);
  for (int32_t i = 0; i < topics && r.ok(); ++i) {
    std::string topic = r.read_string();
    int32_t n = r.read_array_length(false);
    for (int32_t j = 0; j < n && r.ok(); ++j) out.push_back({topic, r.read_int32()});
  }
  return out;
}

void write_user_data(Writer& w, const std::optional<std::vector<uint8_t>>& d) {
  if (d) {
    w.write_nullable_bytes(std::span<const uint8_t>(*d));
  } else {
    w.write_nullable_bytes(std::nullopt);
  }
}

}  // namespace

std::vector<uint8_t> encode_subscription(const ConsumerSubscription& s) {
  Writer w;
  w.write_int16(s.version);
  w.write_array_length(static_cast<int32_t>(s.topics.size()));
  for (const auto& t : s.topics) w.write_string(t);
  write_user_data(w, s.user_data);
  if (s.version >= 1) write_topic_partitions(w, s.owned_partitions);
  if (s.version >= 2) w.write_int32(s.generation_id);
  if (s.version >= 3) w.write_nullable_string(s.rack_id);
  return w.buffer();
}

Result<ConsumerSubscription, std::string> decode_subscription(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  ConsumerSubscription s;
  s.version = r.read_int16();
  if (r.ok() && s.version < 0) return unexpected("subscription version " + std::to_string(s.version));
  int32_t n = r.read_array_length(false);
  for (int32_t i = 0; i < n && r.ok(); ++i) s.topics.push_back(r.read_string());
  s.user_data = r.read_nullable_bytes();
  // Newer versions only append fields, so a reader may stop after the ones it knows.
  if (s.version >= 1) s.owned_partitions = read_topic_partitions(r);
  if (s.version >= 2) s.generation_id = r.read_int32();
  if (s.version >= 3) s.rack_id = r.read_nullable_string();
  if (!r.ok()) return unexpected("bad consumer subscription: " + r.error());
  return s;
}

std::vector<uint8_t> encode_assignment(const ConsumerAssignment& a) {
  Writer w;
  w.write_int16(a.version);
  write_topic_partitions(w, a.partitions);
  write_user_data(w, a.user_data);
  return w.buffer();
}

Result<ConsumerAssignment, std::string> decode_assignment(std::span<const uint8_t> bytes) {
  ConsumerAssignment a;
  if (bytes.empty()) return a;
  Reader r(bytes);
  a.version = r.read_int16();
  if (r.ok() && a.version < 0) return unexpected("assignment version " + std::to_string(a.version));
  a.partitions = read_topic_partitions(r);
  a.user_data = r.read_nullable_bytes();
  if (!r.ok()) return unexpected("bad consumer assignment: " + r.error());
  return a;
}

std::string format_partitions(const std::vector<TopicPartition>& partitions) {
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const auto& tp : partitions) by_topic[tp.topic].push_back(tp.partition);
  std::string out;
  for (auto& [topic, ps] : by_topic) {
    std::ranges::sort(ps);
    if (!out.empty()) out += ",";
    out += topic + "(";
    for (size_t i = 0; i < ps.size(); ++i) out += (i ? "," : "") + std::to_string(ps[i]);
    out += ")";
  }
  return out;
}

}  // namespace gregor::client
