// ConsumerCoordinator: a consumer's group membership (join, sync, heartbeat, leave) and its offset commits.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/assignor.h"
#include "client/kafka_client.h"
#include "client/topic_partition.h"

namespace gregor::client {

// Kafka's consumer group settings (group.id, session.timeout.ms, ...).
struct GroupConfig {
  std::string group_id;
  std::optional<std::string> group_instance_id;  // static membership
  std::chrono::milliseconds session_timeout{45000};
  std::chrono::milliseconds rebalance_timeout{300000};  // max.poll.interval.ms
  std::chrono::milliseconds heartbeat_interval{3000};
  // partition.assignment.strategy, in order of preference: "range", "roundrobin".
  std::vector<std::string> assignment_strategies{"range"};
  bool enable_auto_commit = true;
  std::chrono::milliseconds auto_commit_interval{5000};
};

// Called from poll() around a rebalance: revoked before rejoining (after the auto commit), assigned
// once the new assignment and its committed offsets are known.
struct RebalanceListener {
  std::function<void(const std::vector<TopicPartition>&)> on_partitions_revoked;
  std::function<void(const std::vector<TopicPartition>&)> on_partitions_assigned;
};

// The member side of Kafka's classic group protocol, eager rebalancing (revoke everything, then
// rejoin), as Java's ConsumerCoordinator with the range/round-robin assignors. Blocking steps
// (join, sync, commit, offset fetch, leave) run from the caller's thread by driving the loop;
// heartbeats go out from a loop timer whenever the loop runs, so the application must keep calling
// poll() within session.timeout.ms. The coordinator gets its own connection whose request timeout
// covers a JoinGroup that waits for the whole rebalance.
class ConsumerCoordinator {
 public:
  ConsumerCoordinator(KafkaClient& client, GroupConfig config, std::vector<std::string> topics);
  ~ConsumerCoordinator();
  ConsumerCoordinator(const ConsumerCoordinator&) = delete;
  ConsumerCoordinator& operator=(const ConsumerCoordinator&) = delete;

  // True before the first join and once the coordinator asked for a rebalance.
  bool rejoin_needed() const { return rejoin_needed_; }
  // Joins and syncs; returns this member's new assignment. Retriable failures are retried until the
  // deadline; other errors (e.g. INCONSISTENT_GROUP_PROTOCOL) return at once.
  Result<std::vector<TopicPartition>, ClientError> join(Clock::time_point deadline);

  // Rediscovers a lost coordinator so heartbeats resume between rebalances (a no-op while it is
  // known); called from every poll(), as Java's ensureCoordinatorReady.
  Result<void, ClientError> ensure_coordinator_ready(Clock::time_point deadline);

  // OffsetCommit for this member's generation; retried on coordinator moves and loading.
  // ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID / REBALANCE_IN_PROGRESS fail the commit and mark a rejoin.
  Result<void, ClientError> commit(const std::map<TopicPartition, int64_t>& offsets,
                                   Clock::time_point deadline);
  // One attempt, answered from the loop.
  void commit_async(const std::map<TopicPartition, int64_t>& offsets,
                    std::function<void(Result<void, ClientError>)> done);
  // Committed offsets of the partitions (partitions without one are absent).
  Result<std::map<TopicPartition, int64_t>, ClientError> fetch_committed(
      const std::vector<TopicPartition>& partitions, Clock::time_point deadline);
  // LeaveGroup (skipped for static members, which keep their place until the session times out).
  Result<void, ClientError> leave(Clock::time_point deadline);

  const std::string& member_id() const { return member_id_; }
  int32_t generation() const { return generation_; }
  bool is_leader() const { return leader_; }
  const std::string& protocol() const { return protocol_; }
  const GroupConfig& config() const { return config_; }

 private:
  static void on_heartbeat_timer(evutil_socket_t, short, void* self);
  void send_heartbeat();
  void handle_member_error(ErrorCode code);
  Result<Connection*, ClientError> ensure_coordinator(Clock::time_point deadline);
  void mark_coordinator_dead();
  // The leader's step: partition counts from metadata, then the group's chosen assignor.
  Result<GroupAssignment, ClientError> leader_assign(const std::vector<MemberSubscription>& members,
                                                     Clock::time_point deadline);
  Result<std::optional<std::vector<TopicPartition>>, ClientError> join_once(Clock::time_point deadline);

  KafkaClient& client_;
  GroupConfig config_;
  std::vector<std::string> topics_;
  std::unique_ptr<Connection> coordinator_;
  // Replaced coordinator connections, kept until their in-flight callbacks have run.
  std::vector<std::unique_ptr<Connection>> retired_;
  std::string member_id_;
  int32_t generation_ = -1;
  std::string protocol_;
  bool leader_ = false;
  bool rejoin_needed_ = true;
  bool joined_ = false;
  bool heartbeat_in_flight_ = false;
  Clock::time_point heartbeat_sent_at_{};
  std::vector<TopicPartition> owned_;  // sent as owned partitions in the subscription
  event* heartbeat_timer_ = nullptr;
};

}  // namespace gregor::client
