// Consumer: fetches records from assigned partitions with seek, pipelined fetches and leader tracking.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/kafka_client.h"
#include "client/topic_partition.h"
#include "protocol/record.h"

namespace gregor::client {

struct ConsumerConfig {
  ClientConfig client;
  int32_t fetch_max_wait_ms = 500;
  int32_t fetch_min_bytes = 1;
  int32_t fetch_max_bytes = 52428800;
  int32_t max_partition_fetch_bytes = 1048576;
  size_t max_poll_records = 500;
  // Where to start without a position, or after OFFSET_OUT_OF_RANGE: "earliest", "latest" or "none".
  std::string auto_offset_reset = "latest";
};

struct ConsumerRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;
  bool log_append_time = false;
  std::optional<std::vector<uint8_t>> key;
  std::optional<std::vector<uint8_t>> value;
  std::vector<RecordHeader> headers;
};

// Special ListOffsets timestamps.
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;

// Manual assignment (assign + seek). One Fetch per leader is in flight at a time; the next is sent as
// soon as the previous answer arrives (before the application asks), so fetching overlaps
// processing. NOT_LEADER_OR_FOLLOWER and friends refresh metadata and the partition moves to its
// new leader; fetched data for a partition that was seeked meanwhile is dropped.
class Consumer {
 public:
  static Result<std::unique_ptr<Consumer>, ClientError> create(ConsumerConfig config);

  // Replaces the assignment; fails when a topic or partition does not exist.
  Result<void, ClientError> assign(const std::vector<TopicPartition>& partitions);
  // All partitions of the topics (a convenience for tools).
  Result<std::vector<TopicPartition>, ClientError> partitions_for(const std::string& topic);
  const std::vector<TopicPartition>& assignment() const { return assignment_; }

  void seek(const TopicPartition& tp, int64_t offset);
  Result<void, ClientError> seek_to_beginning(const std::vector<TopicPartition>& tps);
  Result<void, ClientError> seek_to_end(const std::vector<TopicPartition>& tps);
  // First offset whose timestamp is >= ts (the end when there is none).
  Result<void, ClientError> seek_to_timestamp(const std::vector<TopicPartition>& tps, int64_t timestamp_ms);
  std::optional<int64_t> position(const TopicPartition& tp) const;

  // ListOffsets for the partitions at a timestamp (or kEarliestTimestamp / kLatestTimestamp).
  Result<std::map<TopicPartition, int64_t>, ClientError> list_offsets(const std::vector<TopicPartition>& tps,
                                                                      int64_t timestamp);
  // High watermark seen in the last fetch of the partition.
  std::optional<int64_t> high_watermark(const TopicPartition& tp) const;

  // Waits up to timeout for records; returns at most max_poll_records.
  Result<std::vector<ConsumerRecord>, ClientError> poll(std::chrono::milliseconds timeout);

  KafkaClient& client() { return *client_; }

 private:
  struct PartitionState {
    std::optional<int64_t> position;
    std::optional<int64_t> high_watermark;
    uint64_t seek_generation = 0;  // bumped by seeks: in-flight results for older positions are dropped
  };

  Consumer(ConsumerConfig config, std::unique_ptr<KafkaClient> client);
  Result<void, ClientError> ensure_metadata(const std::vector<TopicPartition>& tps);
  Result<void, ClientError> reset_missing_positions();
  void send_fetches();
  void maybe_refresh_metadata();

  ConsumerConfig config_;
  std::unique_ptr<KafkaClient> client_;
  std::vector<TopicPartition> assignment_;
  std::map<TopicPartition, PartitionState> state_;
  std::set<int32_t> fetching_nodes_;
  std::deque<ConsumerRecord> buffer_;
  std::optional<ClientError> fetch_error_;
  bool metadata_stale_ = false;
  bool metadata_in_flight_ = false;
};

}  // namespace gregor::client
