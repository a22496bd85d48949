// GroupCoordinator: Kafka's classic group coordinator (joins, rebalances, heartbeats, offsets, loading).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "coordinator/group_config.h"
#include "coordinator/group_metadata.h"
#include "coordinator/offsets_log.h"
#include "coordinator/scheduler.h"
#include "protocol/error_code.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/sync_group.h"

namespace gregor::coordinator {

// Behaves as Kafka 3.9's GroupCoordinator/GroupMetadataManager (ZooKeeper mode, classic protocol);
// see internals.md §6 and protocol.md §5.5. Single-threaded: every method, every Scheduler timer and
// every OffsetsLog completion runs on the same thread. `done` callbacks may run before the method
// returns, and must not call back into the coordinator synchronously.
class GroupCoordinator {
 public:
  GroupCoordinator(GroupConfig config, Scheduler& scheduler, OffsetsLog& log);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // The __consumer_offsets partition of a group.
  int32_t partition_for(const std::string& group_id) const;

  // Ownership of __consumer_offsets partitions. on_election replays the partition's records in
  // offset order (nullopt value = tombstone) and starts answering for its groups; begin_loading
  // makes its groups answer COORDINATOR_LOAD_IN_PROGRESS until then; on_resignation drops them
  // (parked requests answered NOT_COORDINATOR, later requests NOT_COORDINATOR).
  void on_election(int32_t partition, const std::vector<OffsetsLog::Record>& records);
  void begin_loading(int32_t partition);
  void on_resignation(int32_t partition);

  // client_host is Kafka's form, "/" + peer address ("/127.0.0.1").
  void join_group(const JoinGroupRequest& r, int16_t version, const std::string& client_id,
                  const std::string& client_host, std::function<void(JoinGroupResponse)> done);
  void sync_group(const SyncGroupRequest& r, int16_t version, std::function<void(SyncGroupResponse)> done);
  void heartbeat(const HeartbeatRequest& r, int16_t version, std::function<void(HeartbeatResponse)> done);
  void leave_group(const LeaveGroupRequest& r, int16_t version, std::function<void(LeaveGroupResponse)> done);
  // topic_partition_exists(topic, partition): commits to partitions that do not exist get
  // UNKNOWN_TOPIC_OR_PARTITION (KafkaApis checks the metadata cache before the coordinator).
  void offset_commit(const OffsetCommitRequest& r, int16_t version,
                     const std::function<bool(const std::string&, int32_t)>& topic_partition_exists,
                     std::function<void(OffsetCommitResponse)> done);
  OffsetFetchResponse offset_fetch(const OffsetFetchRequest& r, int16_t version);
  DescribeGroupsResponse describe_groups(const DescribeGroupsRequest& r, int16_t version);
  ListGroupsResponse list_groups(const ListGroupsRequest& r, int16_t version);
  void delete_groups(const DeleteGroupsRequest& r, int16_t version,
                     std::function<void(DeleteGroupsResponse)> done);

  // Every group this coordinator holds (for lag/describe tools and tests).
  std::vector<std::string> group_ids() const;
  // One group's state, nullptr if absent (tests and tools; do not keep the pointer).
  const GroupMetadata* group(const std::string& group_id) const;
  // Runs the offsets-retention pass now (it also runs every offsets_retention_check_interval_ms).
  void cleanup_group_metadata();

 private:
  using GroupPtr = std::shared_ptr<GroupMetadata>;
  enum class Api {
    JoinGroup,
    SyncGroup,
    Heartbeat,
    LeaveGroup,
    OffsetCommit,
    OffsetFetch,
    DescribeGroups,
    DeleteGroups
  };

  std::optional<ErrorCode> validate_group_status(const std::string& group_id, Api api) const;
  GroupPtr get_group(const std::string& group_id) const;
  GroupPtr add_group(GroupPtr group);
  int64_t now() { return scheduler_.now_ms(); }
  std::string generate_member_id(const std::string& client_id, const std::optional<std::string>& instance_id);

  // JoinGroup
  struct JoinArgs {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout_ms;
    int32_t session_timeout_ms;
    std::string protocol_type;
    std::vector<Protocol> protocols;
    bool require_known_member_id;
  };
  bool accept_joining_member(const GroupMetadata& group, const std::string& member_id) const;
  void do_new_member_join(const GroupPtr& group, JoinArgs args, JoinCallback done);
  void do_current_member_join(const GroupPtr& group, JoinArgs args, JoinCallback done);
  void add_member_and_rebalance(const GroupPtr& group, JoinArgs args, JoinCallback done);
  void update_static_member_and_rebalance(const GroupPtr& group, const std::string& old_member_id,
                                          JoinArgs args, JoinCallback done);
  void add_pending_member(const GroupPtr& group, const std::string& member_id, int32_t session_timeout_ms);
  JoinGroupResponse current_generation_join_response(const GroupMetadata& group, const std::string& member_id,
                                                     bool with_members) const;

  // Rebalance steps
  void maybe_prepare_rebalance(const GroupPtr& group, const std::string& reason);
  void prepare_rebalance(const GroupPtr& group, const std::string& reason);
  void schedule_join(const GroupPtr& group, int64_t delay_ms);
  void schedule_initial_join(const GroupPtr& group, int64_t delay_ms, int64_t remaining_ms);
  void try_complete_join(const GroupPtr& group);
  void on_complete_join(const GroupPtr& group);
  void schedule_pending_sync(const GroupPtr& group);
  void remove_sync_expiration(GroupMetadata& group);
  void remove_pending_sync_member(GroupMetadata& group, const std::string& member_id);
  void on_expire_pending_sync(const GroupPtr& group, int32_t generation_id);
  void reset_and_propagate_assignment_error(const GroupPtr& group, ErrorCode error);
  void propagate_assignment(const GroupPtr& group, ErrorCode error);

  // Heartbeats and membership
  void complete_and_schedule_next_expiration(const GroupPtr& group, MemberMetadata& member,
                                             int64_t timeout_ms);
  void on_expire_heartbeat(const GroupPtr& group, const std::string& member_id);
  void remove_pending_member_and_update_group(const GroupPtr& group, const std::string& member_id);
  void remove_member_and_update_group(const GroupPtr& group, const std::string& member_id,
                                      const std::string& reason);
  std::optional<ErrorCode> validate_current_member(const GroupMetadata& group, const std::string& member_id,
                                                   const std::optional<std::string>& instance_id) const;

  // Sync
  void do_sync_group(const GroupPtr& group, const SyncGroupRequest& r, SyncCallback done);

  // Persistence
  void store_group(const GroupPtr& group, const std::map<std::string, std::vector<uint8_t>>& assignment,
                   std::function<void(ErrorCode)> done);
  GroupMetadataValue group_metadata_value(
      const GroupMetadata& group, const std::map<std::string, std::vector<uint8_t>>& assignment) const;
  void do_commit_offsets(const GroupPtr& group, const OffsetCommitRequest& r, int16_t version,
                         const std::vector<std::pair<TopicPartition, OffsetCommitValue>>& offsets,
                         std::function<void(std::map<TopicPartition, ErrorCode>)> done);
  void store_offsets(const GroupPtr& group,
                     const std::vector<std::pair<TopicPartition, OffsetCommitValue>>& offsets,
                     std::function<void(std::map<TopicPartition, ErrorCode>)> done);
  bool metadata_fits(const std::string& metadata) const;
  // Writes tombstones for `removed` offsets and, if the group is now Dead, drops it. Returns offsets removed.
  size_t cleanup_group(const GroupPtr& group, std::map<TopicPartition, CommittedOffset> removed);
  void schedule_retention_check();

  // Loading
  void load_group(const GroupPtr& group);
  void on_group_unloaded(GroupMetadata& group);

  GroupConfig config_;
  Scheduler& scheduler_;
  OffsetsLog& log_;
  std::map<std::string, GroupPtr> groups_;
  std::set<int32_t> owned_partitions_;
  std::set<int32_t> loading_partitions_;
  std::unique_ptr<Scheduler::Timer> retention_timer_;
  std::mt19937_64 random_;
  // Expires when the coordinator is destroyed: late OffsetsLog completions then do nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gregor::coordinator
