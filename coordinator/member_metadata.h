// MemberMetadata: one member of a classic group (protocols, timeouts, assignment, parked requests).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coordinator/scheduler.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/sync_group.h"

namespace gregor::coordinator {

using Protocol = JoinGroupRequest::JoinGroupRequestProtocol;
using JoinCallback = std::function<void(JoinGroupResponse)>;
using SyncCallback = std::function<void(SyncGroupResponse)>;

struct MemberMetadata {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  std::vector<Protocol> supported_protocols;  // in the member's order of preference
  std::vector<uint8_t> assignment;

  // A parked JoinGroup / SyncGroup, answered when the rebalance step completes.
  JoinCallback awaiting_join;
  SyncCallback awaiting_sync;
  // A member that joined but has not yet seen a JoinGroup response: its session timer
  // (NewMemberJoinTimeoutMs) runs even while its join is parked.
  bool is_new = false;
  bool heartbeat_satisfied = false;
  std::unique_ptr<Scheduler::Timer> heartbeat_timer;

  bool is_static() const { return group_instance_id.has_value(); }
  bool is_awaiting_join() const { return static_cast<bool>(awaiting_join); }
  bool is_awaiting_sync() const { return static_cast<bool>(awaiting_sync); }

  // Whether a session-timer expiry should spare this member (MemberMetadata.hasSatisfiedHeartbeat):
  // members parked in a join or sync are alive, except new members, which can expire while parked.
  bool has_satisfied_heartbeat() const;

  // Metadata bytes the member gave for `protocol`; throws std::logic_error if it does not support it.
  const std::vector<uint8_t>& metadata(const std::string& protocol) const;
  // Same protocols, same order, same metadata bytes.
  bool matches(const std::vector<Protocol>& protocols) const;
  // The member's most preferred protocol among `candidates`.
  std::string vote(const std::set<std::string>& candidates) const;
};

}  // namespace gregor::coordinator
