// Shared fixture of the coordinator tests: a coordinator owning every offsets partition, plus request
// helpers.
#pragma once

#include <boost/test/unit_test.hpp>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "coordinator/group_coordinator.h"
#include "test_doubles.h"

namespace gregor {
inline std::ostream& operator<<(std::ostream& os, ErrorCode e) { return os << to_string(e); }
namespace coordinator {
inline std::ostream& operator<<(std::ostream& os, GroupState s) { return os << to_string(s); }
}  // namespace coordinator
}  // namespace gregor

BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<int64_t>)
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<std::string>)
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::vector<std::string>)

namespace gregor::coordinator::testing {

// Holds the answer of an asynchronous call once `done` ran.
template <class T>
struct Answer {
  std::shared_ptr<std::optional<T>> value = std::make_shared<std::optional<T>>();
  std::function<void(T)> cb() {
    return [v = value](T r) {
      if (v->has_value()) throw std::logic_error("done called twice");
      *v = std::move(r);
    };
  }
  bool ready() const { return value->has_value(); }
  const T& operator*() const { return value->value(); }
  const T* operator->() const { return &value->value(); }
  ErrorCode error() const { return static_cast<ErrorCode>(value->value().error_code); }
};

// ConsumerProtocolSubscription v0 bytes: version, topics, null user data.
std::vector<uint8_t> subscription(const std::vector<std::string>& topics);

struct Fixture {
  static constexpr int32_t kPartitions = 3;
  static constexpr int32_t kSession = 10000;
  static constexpr int32_t kRebalance = 20000;

  GroupConfig config;
  FakeScheduler clock;
  MemoryOffsetsLog log;
  std::unique_ptr<GroupCoordinator> gc;

  explicit Fixture(GroupConfig c = default_config());
  static GroupConfig default_config();

  void own_all();

  std::vector<Protocol> protocols(const std::vector<std::string>& names,
                                  const std::vector<std::string>& topics = {"t"}) const;

  Answer<JoinGroupResponse> join(const std::string& group, const std::string& member_id,
                                 std::vector<Protocol> protocols, int16_t version = 1,
                                 std::optional<std::string> instance_id = std::nullopt,
                                 int32_t session_ms = kSession, int32_t rebalance_ms = kRebalance,
                                 const std::string& protocol_type = "consumer");
  Answer<SyncGroupResponse> sync(const std::string& group, const std::string& member_id, int32_t generation,
                                 std::vector<SyncGroupRequest::SyncGroupRequestAssignment> assignments = {},
                                 std::optional<std::string> instance_id = std::nullopt);
  ErrorCode heartbeat(const std::string& group, const std::string& member_id, int32_t generation,
                      std::optional<std::string> instance_id = std::nullopt);
  LeaveGroupResponse leave(const std::string& group, const std::string& member_id);
  LeaveGroupResponse leave_batch(const std::string& group,
                                 std::vector<LeaveGroupRequest::MemberIdentity> members);
  // Commits one partition; returns the partition's error once the commit completed (nullopt if pending).
  Answer<OffsetCommitResponse> commit(const std::string& group, int32_t generation,
                                      const std::string& member_id, const std::string& topic,
                                      int32_t partition, int64_t offset,
                                      std::optional<std::string> metadata = std::nullopt, int16_t version = 7,
                                      int32_t leader_epoch = -1, int64_t retention_ms = -1);
  // Committed offset of one partition (-1 if none) through OffsetFetch v5.
  int64_t fetch(const std::string& group, const std::string& topic, int32_t partition);
  GroupState state(const std::string& group) const;
  const GroupMetadata& group(const std::string& group) const;

  // One member joins an empty group and becomes Stable (initial delay waited out, leader synced).
  std::string stable_single(const std::string& group,
                            const std::vector<std::string>& proto_names = {"range"});
};

}  // namespace gregor::coordinator::testing
