// list_offsets: ListOffsets grouped by leader, with metadata refresh and retries.
#include "client/list_offsets.h"

#include <algorithm>
#include <set>

#include "protocol/messages/list_offsets.h"

namespace gregor::client {

namespace {

// Refreshes metadata for the topics of tps; fails on an unknown topic or partition.
Result<void, ClientError> refresh_for(KafkaClient& client, const std::vector<TopicPartition>& tps,
                                      Clock::time_point deadline) {
  std::set<std::string> topics;
  for (const auto& tp : tps) topics.insert(tp.topic);
  auto md = client.refresh_metadata(std::vector<std::string>(topics.begin(), topics.end()), false, deadline);
  if (!md) return unexpected(md.error());
  for (const auto& tp : tps) {
    const TopicInfo* t = (*md)->topic(tp.topic);
    if (t == nullptr || t->error == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION) {
      return unexpected(
          make_error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, "topic '" + tp.topic + "' does not exist"));
    }
    if (t->error == ErrorCode::NONE && std::ranges::none_of(t->partitions, [&](const PartitionInfo& p) {
          return p.partition == tp.partition;
        })) {
      return unexpected(
          make_error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                     "partition " + std::to_string(tp.partition) + " of '" + tp.topic + "' does not exist"));
    }
  }
  return {};
}

}  // namespace

Result<std::map<TopicPartition, int64_t>, ClientError> list_offsets(KafkaClient& client,
                                                                    const std::vector<TopicPartition>& tps,
                                                                    int64_t timestamp,
                                                                    Clock::time_point deadline) {
  std::map<TopicPartition, int64_t> out;
  std::vector<TopicPartition> todo = tps;
  while (!todo.empty()) {
    if (auto r = refresh_for(client, todo, deadline); !r) {
      // A hung or dead broker answering no metadata: ask another one until the deadline.
      if (!r.error().retriable() || Clock::now() >= deadline) return unexpected(r.error());
      client.pause(client.config().retry_backoff);
      continue;
    }
    std::map<int32_t, ListOffsetsRequest> by_leader;
    std::vector<TopicPartition> retry;
    for (const auto& tp : todo) {
      auto leader = client.metadata().leader_for(tp.topic, tp.partition);
      if (!leader) {
        retry.push_back(tp);
        continue;
      }
      auto& req = by_leader[*leader];
      auto it = std::ranges::find(req.topics, tp.topic, &ListOffsetsRequest::ListOffsetsTopic::name);
      if (it == req.topics.end()) {
        req.topics.push_back({tp.topic, {}});
        it = req.topics.end() - 1;
      }
      it->partitions.push_back({tp.partition, -1, timestamp});
    }
    for (auto& [leader, req] : by_leader) {
      Connection* conn = client.connection(leader);
      auto resp = conn ? client.call<ListOffsetsResponse>(conn, req, deadline)
                       : Result<ListOffsetsResponse, ClientError>(
                             unexpected(make_error(ErrorCode::LEADER_NOT_AVAILABLE, "unknown leader")));
      if (!resp && !resp.error().retriable()) return unexpected(resp.error());
      if (!resp) {
        for (const auto& t : req.topics)
          for (const auto& p : t.partitions) retry.push_back({t.name, p.partition_index});
        continue;
      }
      for (const auto& t : resp->topics) {
        for (const auto& p : t.partitions) {
          auto code = static_cast<ErrorCode>(p.error_code);
          if (code == ErrorCode::NONE) {
            out[{t.name, p.partition_index}] = p.offset;
          } else if (is_retriable(code)) {
            retry.push_back({t.name, p.partition_index});
          } else {
            return unexpected(
                make_error(code, "ListOffsets " + t.name + "-" + std::to_string(p.partition_index)));
          }
        }
      }
    }
    todo = std::move(retry);
    if (!todo.empty()) {
      if (Clock::now() >= deadline)
        return unexpected(make_error(ErrorCode::REQUEST_TIMED_OUT, "ListOffsets"));
      client.pause(client.config().retry_backoff);
    }
  }
  return out;
}

}  // namespace gregor::client
