// Consumer: fetches records from assigned or group-subscribed partitions (seek, pipelined fetches, commits).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/consumer_coordinator.h"
#include "client/kafka_client.h"
#include "client/list_offsets.h"
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

// A fetched record in place: views into the Fetch response that carried it, valid until the next
// poll() or poll_views() (seeks, assign() and close() do not end them earlier). Everything a
// consumer reads, without a copy or an allocation per record.
struct ConsumerRecordView {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;
  bool log_append_time = false;
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
  std::vector<RecordHeaderView> headers;

  ConsumerRecord to_record() const;  // an owned copy
};

// Manual assignment (assign + seek). One Fetch per leader is in flight at a time; the next is sent as
// soon as the previous answer arrives (before the application asks), so fetching overlaps
// processing. NOT_LEADER_OR_FOLLOWER and friends refresh metadata and the partition moves to its
// new leader; fetched data for a partition that was seeked meanwhile is dropped.
//
// With subscribe() the consumer is a group member instead (ConsumerCoordinator): poll() joins the
// group, rejoins when the coordinator asks (revoking everything first: eager rebalancing), starts
// each assigned partition at the group's committed offset (else auto.offset.reset) and auto-commits
// what poll() has returned every auto.commit.interval.ms, before a rebalance and on close().
class Consumer {
 public:
  static Result<std::unique_ptr<Consumer>, ClientError> create(ConsumerConfig config);
  // Leaves the group if close() was not called (errors cannot be reported here; call close()).
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Joins group.group_id for these topics at the next poll(). Fails on a bad config or when
  // partitions were assign()ed already.
  Result<void, ClientError> subscribe(std::vector<std::string> topics, GroupConfig group,
                                      RebalanceListener listener = {});
  // Commits what poll() has returned so far (sync), or the given offsets (the next offset to read).
  Result<void, ClientError> commit();
  Result<void, ClientError> commit(const std::map<TopicPartition, int64_t>& offsets);
  void commit_async(std::function<void(Result<void, ClientError>)> done = {});
  // The group's committed offsets (absent: none committed).
  Result<std::map<TopicPartition, int64_t>, ClientError> committed(const std::vector<TopicPartition>& tps);
  // Commits (with auto commit), revokes and leaves the group. Idempotent.
  Result<void, ClientError> close();
  // The group membership, or nullptr without subscribe().
  const ConsumerCoordinator* group() const { return coordinator_.get(); }
  // max.poll.records; a tool that stops after N records lowers it so commits match what it used.
  void set_max_poll_records(size_t n) { config_.max_poll_records = n; }

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
  // poll() without copying the records out of the fetched data (see ConsumerRecordView): the span
  // and the views in it are valid until the next poll() or poll_views().
  Result<std::span<const ConsumerRecordView>, ClientError> poll_views(std::chrono::milliseconds timeout);

  KafkaClient& client() { return *client_; }

 private:
  struct PartitionState {
    std::optional<int64_t> position;  // next offset to fetch
    std::optional<int64_t> consumed;  // next offset poll() hands out: what commits store
    std::optional<int64_t> high_watermark;
    uint64_t seek_generation = 0;  // bumped by seeks: in-flight results for older positions are dropped
  };

  // The records of one partition from one Fetch response, as views into its bytes (kept here).
  struct FetchedChunk {
    TopicPartition tp;
    std::vector<uint8_t> bytes;
    std::vector<std::vector<uint8_t>> decompressed;
    std::vector<ConsumerRecordView> records;
    size_t next = 0;  // the first record not handed out yet
  };

  Consumer(ConsumerConfig config, std::unique_ptr<KafkaClient> client);
  // The waiting part of poll(): true when buffered records may be handed out now.
  Result<bool, ClientError> wait_for_records(std::chrono::milliseconds timeout);
  // Decodes a partition's fetched records into a chunk; advances the position on success.
  void buffer_fetched(const TopicPartition& tp, PartitionState& s, std::vector<uint8_t> records);
  // Stops handing out the buffered records of partitions `drop` selects; views already handed out
  // stay valid until the next poll.
  void drop_buffered(const std::function<bool(const TopicPartition&)>& drop);
  Result<void, ClientError> ensure_metadata(const std::vector<TopicPartition>& tps);
  Result<void, ClientError> reset_missing_positions();
  void send_fetches();
  void maybe_refresh_metadata();
  // Group upkeep at the start of poll(): rebalance when asked, committed offsets, auto commit.
  Result<void, ClientError> maintain_group(Clock::time_point deadline);
  Result<void, ClientError> rebalance();
  void maybe_auto_commit();
  void report_commit_error(const ClientError& e) const;
  std::map<TopicPartition, int64_t> consumed_offsets() const;

  ConsumerConfig config_;
  std::unique_ptr<KafkaClient> client_;
  std::vector<TopicPartition> assignment_;
  std::map<TopicPartition, PartitionState> state_;
  std::set<int32_t> fetching_nodes_;
  std::deque<std::unique_ptr<FetchedChunk>> buffer_;    // in fetch order; chunks are never empty
  size_t buffered_records_ = 0;                         // not handed out yet
  std::vector<std::unique_ptr<FetchedChunk>> retired_;  // backing views handed out since the last poll
  std::vector<ConsumerRecordView> polled_;              // what the last poll_views() returned
  std::optional<ClientError> fetch_error_;
  bool metadata_stale_ = false;
  bool metadata_in_flight_ = false;
  Clock::time_point next_metadata_attempt_{};
  std::unique_ptr<ConsumerCoordinator> coordinator_;
  RebalanceListener listener_;
  bool has_joined_ = false;      // a revoke is due before the next rejoin
  bool need_committed_ = false;  // the new assignment's committed offsets are not known yet
  Clock::time_point next_auto_commit_{};
};

}  // namespace gregor::client
