// GroupMetadata: one classic group's state, generation, members and committed offsets (GroupMetadata.scala).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/group_state.h"
#include "coordinator/member_metadata.h"
#include "coordinator/offsets_records.h"
#include "coordinator/scheduler.h"

namespace gregor::coordinator {

using TopicPartition = std::pair<std::string, int32_t>;

// A committed offset as the cache holds it: the OffsetCommitValue fields.
using CommittedOffset = OffsetCommitValue;

class GroupMetadata {
 public:
  GroupMetadata(std::string group_id, GroupState initial_state)
      : group_id_(std::move(group_id)), state_(initial_state) {}

  const std::string& group_id() const { return group_id_; }
  GroupState state() const { return state_; }
  bool is(GroupState s) const { return state_ == s; }
  // Throws std::logic_error on a transition Kafka does not allow (a coordinator bug).
  void transition_to(GroupState s, int64_t now_ms);
  bool can_rebalance() const { return is_valid_transition(state_, GroupState::PreparingRebalance); }

  std::optional<int64_t> current_state_timestamp;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  int32_t generation_id = 0;
  std::optional<std::string> leader_id;
  // Set when a member joins during the very first rebalance: the initial delay is extended.
  bool new_member_added = false;

  // Members, ordered by id so iteration (leader fallback, member lists) is deterministic.
  const std::map<std::string, std::unique_ptr<MemberMetadata>>& members() const { return members_; }
  bool has(const std::string& member_id) const { return members_.contains(member_id); }
  MemberMetadata& get(const std::string& member_id) const { return *members_.at(member_id); }
  size_t size() const { return members_.size(); }
  bool is_leader(const std::string& member_id) const { return leader_id == member_id; }

  void add(std::unique_ptr<MemberMetadata> member, JoinCallback callback);
  void remove(const std::string& member_id);
  void update_member(MemberMetadata& member, std::vector<Protocol> protocols, int32_t rebalance_timeout_ms,
                     int32_t session_timeout_ms, JoinCallback callback);
  // Static member rejoining with a new member id: the old id's parked requests get FENCED_INSTANCE_ID.
  MemberMetadata& replace_static_member(const std::string& instance_id, const std::string& old_member_id,
                                        const std::string& new_member_id);
  // Answers (and clears) a parked join / sync; false if the member had none.
  bool maybe_invoke_join_callback(MemberMetadata& member, JoinGroupResponse response);
  bool maybe_invoke_sync_callback(MemberMetadata& member, SyncGroupResponse response);

  std::optional<std::string> static_member_id(const std::string& instance_id) const;
  void add_static_member(const std::string& instance_id, const std::string& member_id) {
    static_members_[instance_id] = member_id;
  }
  // The instance id is known and maps to a different member id.
  bool is_static_member_fenced(const std::optional<std::string>& instance_id,
                               const std::string& member_id) const;

  // Member ids handed out with MEMBER_ID_REQUIRED, each with its expiry timer.
  std::map<std::string, std::unique_ptr<Scheduler::Timer>> pending_members;
  bool is_pending_member(const std::string& member_id) const { return pending_members.contains(member_id); }

  std::set<std::string> pending_sync_members;

  int32_t num_awaiting_join() const { return num_members_awaiting_join_; }
  bool has_all_members_joined() const {
    return static_cast<int32_t>(members_.size()) == num_members_awaiting_join_ && pending_members.empty();
  }
  // Longest rebalance timeout of the members (0 without members).
  int32_t rebalance_timeout_ms() const;
  // Empty: any non-empty protocol type and list; otherwise the same type and one protocol all members
  // support.
  bool supports_protocols(const std::string& protocol_type, const std::vector<Protocol>& protocols) const;
  // Kafka's vote: each member picks its preferred protocol among those all support; ties go to the
  // lexicographically first name (Kafka leaves them to hash order).
  std::string select_protocol() const;
  // If the leader has not rejoined, any rejoined member becomes leader; false if none rejoined.
  bool maybe_elect_new_joined_leader();
  // Generation + 1 and the protocol for it; CompletingRebalance with members, Empty without.
  void init_next_generation(int64_t now_ms);
  // The JoinGroup member list for the leader (metadata of the selected protocol).
  std::vector<JoinGroupResponse::JoinGroupResponseMember> current_member_metadata() const;

  // Topics the consumer-protocol members subscribe to; nullopt if unknown (other protocols).
  std::optional<std::set<std::string>> subscribed_topics;
  void compute_subscribed_topics();

  // Committed offsets and commits waiting for their append.
  std::map<TopicPartition, CommittedOffset> offsets;
  std::map<TopicPartition, int> pending_offset_commits;
  bool has_offsets() const { return !offsets.empty() || !pending_offset_commits.empty(); }
  // Offsets to expire now (GroupMetadata.removeExpiredOffsets), removed from `offsets`.
  std::map<TopicPartition, CommittedOffset> remove_expired_offsets(int64_t now_ms, int64_t retention_ms);

  // The DelayedJoin / InitialDelayedJoin / DelayedSync of this group, if one is running.
  std::unique_ptr<Scheduler::Timer> join_timer;
  bool join_is_initial = false;
  std::unique_ptr<Scheduler::Timer> sync_timer;

 private:
  std::string group_id_;
  GroupState state_;
  std::map<std::string, std::unique_ptr<MemberMetadata>> members_;
  std::map<std::string, std::string> static_members_;
  std::map<std::string, int> supported_protocols_;  // protocol name -> number of members supporting it
  int32_t num_members_awaiting_join_ = 0;
};

}  // namespace gregor::coordinator
