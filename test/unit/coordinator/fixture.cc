// Fixture helpers: request construction and the common join-and-sync sequence.
#include "fixture.h"

#include <boost/test/unit_test.hpp>

#include "protocol/writer.h"

namespace gregor::coordinator::testing {

std::vector<uint8_t> subscription(const std::vector<std::string>& topics) {
  Writer w;
  w.write_int16(0);
  w.write_array_length(static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) w.write_string(t);
  w.write_int32(-1);
  return w.buffer();
}

GroupConfig Fixture::default_config() {
  GroupConfig c;
  c.offsets_topic_num_partitions = kPartitions;
  return c;
}

Fixture::Fixture(GroupConfig c) : config(c) {
  gc = std::make_unique<GroupCoordinator>(config, clock, log);
  own_all();
}

void Fixture::own_all() {
  for (int32_t p = 0; p < config.offsets_topic_num_partitions; ++p) gc->on_election(p, {});
}

std::vector<Protocol> Fixture::protocols(const std::vector<std::string>& names,
                                         const std::vector<std::string>& topics) const {
  std::vector<Protocol> out;
  for (const auto& n : names) out.push_back({n, subscription(topics)});
  return out;
}

Answer<JoinGroupResponse> Fixture::join(const std::string& group, const std::string& member_id,
                                        std::vector<Protocol> protocols, int16_t version,
                                        std::optional<std::string> instance_id, int32_t session_ms,
                                        int32_t rebalance_ms, const std::string& protocol_type) {
  JoinGroupRequest r;
  r.group_id = group;
  r.member_id = member_id;
  r.session_timeout_ms = session_ms;
  r.rebalance_timeout_ms = version == 0 ? -1 : rebalance_ms;
  r.group_instance_id = instance_id;
  r.protocol_type = protocol_type;
  r.protocols = std::move(protocols);
  Answer<JoinGroupResponse> a;
  gc->join_group(r, version, "client", "/127.0.0.1", a.cb());
  return a;
}

Answer<SyncGroupResponse> Fixture::sync(const std::string& group, const std::string& member_id,
                                        int32_t generation,
                                        std::vector<SyncGroupRequest::SyncGroupRequestAssignment> assignments,
                                        std::optional<std::string> instance_id) {
  SyncGroupRequest r;
  r.group_id = group;
  r.member_id = member_id;
  r.generation_id = generation;
  r.group_instance_id = instance_id;
  r.assignments = std::move(assignments);
  Answer<SyncGroupResponse> a;
  gc->sync_group(r, 3, a.cb());
  return a;
}

ErrorCode Fixture::heartbeat(const std::string& group, const std::string& member_id, int32_t generation,
                             std::optional<std::string> instance_id) {
  HeartbeatRequest r;
  r.group_id = group;
  r.member_id = member_id;
  r.generation_id = generation;
  r.group_instance_id = instance_id;
  Answer<HeartbeatResponse> a;
  gc->heartbeat(r, 3, a.cb());
  BOOST_REQUIRE(a.ready());
  return a.error();
}

LeaveGroupResponse Fixture::leave(const std::string& group, const std::string& member_id) {
  LeaveGroupRequest r;
  r.group_id = group;
  r.member_id = member_id;
  Answer<LeaveGroupResponse> a;
  gc->leave_group(r, 1, a.cb());
  BOOST_REQUIRE(a.ready());
  return *a;
}

LeaveGroupResponse Fixture::leave_batch(const std::string& group,
                                        std::vector<LeaveGroupRequest::MemberIdentity> members) {
  LeaveGroupRequest r;
  r.group_id = group;
  r.members = std::move(members);
  Answer<LeaveGroupResponse> a;
  gc->leave_group(r, 3, a.cb());
  BOOST_REQUIRE(a.ready());
  return *a;
}

Answer<OffsetCommitResponse> Fixture::commit(const std::string& group, int32_t generation,
                                             const std::string& member_id, const std::string& topic,
                                             int32_t partition, int64_t offset,
                                             std::optional<std::string> metadata, int16_t version,
                                             int32_t leader_epoch, int64_t retention_ms) {
  OffsetCommitRequest r;
  r.group_id = group;
  r.generation_id_or_member_epoch = generation;
  r.member_id = member_id;
  r.retention_time_ms = retention_ms;
  r.topics.push_back({topic, {{partition, offset, leader_epoch, metadata}}});
  Answer<OffsetCommitResponse> a;
  gc->offset_commit(
      r, version, [](const std::string& t, int32_t) { return t != "missing"; }, a.cb());
  return a;
}

int64_t Fixture::fetch(const std::string& group, const std::string& topic, int32_t partition) {
  OffsetFetchRequest r;
  r.group_id = group;
  r.topics = std::vector<OffsetFetchRequest::OffsetFetchRequestTopic>{{topic, {partition}}};
  OffsetFetchResponse resp = gc->offset_fetch(r, 5);
  BOOST_REQUIRE_EQUAL(resp.error_code, 0);
  BOOST_REQUIRE_EQUAL(resp.topics.size(), 1u);
  BOOST_REQUIRE_EQUAL(resp.topics[0].partitions.size(), 1u);
  return resp.topics[0].partitions[0].committed_offset;
}

GroupState Fixture::state(const std::string& g) const {
  const GroupMetadata* group = gc->group(g);
  return group ? group->state() : GroupState::Dead;
}

const GroupMetadata& Fixture::group(const std::string& g) const {
  const GroupMetadata* group = gc->group(g);
  BOOST_REQUIRE(group != nullptr);
  return *group;
}

std::string Fixture::stable_single(const std::string& group, const std::vector<std::string>& proto_names) {
  auto j = join(group, "", protocols(proto_names));
  clock.advance(config.group_initial_rebalance_delay_ms);
  BOOST_REQUIRE(j.ready());
  BOOST_REQUIRE(j.error() == ErrorCode::NONE);
  auto s = sync(group, j->member_id, j->generation_id, {{j->member_id, {0xA1}}});
  BOOST_REQUIRE(s.ready());
  BOOST_REQUIRE(s.error() == ErrorCode::NONE);
  BOOST_REQUIRE(state(group) == GroupState::Stable);
  return j->member_id;
}

}  // namespace gregor::coordinator::testing
