// Group state machine tests: joins, rebalances, syncs, heartbeats, expiry, leaves, static members.
#include <boost/test/unit_test.hpp>

#include "coordinator/offsets_records.h"
#include "fixture.h"
#include "protocol/hash.h"

using namespace gregor;
using namespace gregor::coordinator;
using namespace gregor::coordinator::testing;

namespace {
// "client-" + a version-4 UUID in canonical lowercase form (java.util.UUID.randomUUID().toString()).
bool is_member_id(const std::string& id) {
  const std::string prefix = "client-";
  if (id.rfind(prefix, 0) != 0 || id.size() != prefix.size() + 36) return false;
  std::string uuid = id.substr(prefix.size());
  for (size_t i = 0; i < uuid.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = uuid[i];
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return uuid[14] == '4' && std::string("89ab").find(uuid[19]) != std::string::npos;
}

// The GroupMetadataValue most recently appended for `group`.
std::optional<GroupMetadataValue> last_group_record(const Fixture& f, const std::string& group) {
  auto it = f.log.partitions.find(f.gc->partition_for(group));
  if (it == f.log.partitions.end()) return std::nullopt;
  for (auto r = it->second.rbegin(); r != it->second.rend(); ++r) {
    auto key = decode_key(r->key);
    if (key && std::holds_alternative<GroupMetadataKey>(*key) &&
        std::get<GroupMetadataKey>(*key).group == group) {
      if (!r->value) return GroupMetadataValue{};
      auto v = decode_group_metadata_value(*r->value);
      BOOST_REQUIRE(v.has_value());
      return *v;
    }
  }
  return std::nullopt;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(membership)

BOOST_AUTO_TEST_CASE(partition_for_uses_java_hash) {
  Fixture f;
  BOOST_TEST(f.gc->partition_for("my-group") == partition_for_group("my-group", Fixture::kPartitions));
}

BOOST_AUTO_TEST_CASE(join_v1_adds_member_directly_and_waits_initial_delay) {
  Fixture f;
  auto j = f.join("g", "", f.protocols({"range"}), 1);
  BOOST_TEST(!j.ready());
  BOOST_TEST((f.state("g") == GroupState::PreparingRebalance));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms - 1);
  BOOST_TEST(!j.ready());
  f.clock.advance(1);
  BOOST_REQUIRE(j.ready());
  BOOST_TEST((j.error() == ErrorCode::NONE));
  BOOST_TEST(is_member_id(j->member_id));
  BOOST_TEST(j->generation_id == 1);
  BOOST_TEST(j->leader == j->member_id);
  BOOST_TEST(j->protocol_name == "range");
  BOOST_REQUIRE(j->members.size() == 1u);
  BOOST_TEST(j->members[0].member_id == j->member_id);
  BOOST_TEST((j->members[0].metadata == subscription({"t"})));
  BOOST_TEST((f.state("g") == GroupState::CompletingRebalance));
}

BOOST_AUTO_TEST_CASE(join_v0_uses_session_timeout_as_rebalance_timeout) {
  Fixture f;
  auto j = f.join("g", "", f.protocols({"range"}), 0);
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  BOOST_REQUIRE(j.ready());
  BOOST_TEST(f.group("g").get(j->member_id).rebalance_timeout_ms == Fixture::kSession);
}

BOOST_AUTO_TEST_CASE(join_v4_requires_member_id_first) {
  Fixture f;
  auto first = f.join("g", "", f.protocols({"range"}), 4);
  BOOST_REQUIRE(first.ready());
  BOOST_TEST((first.error() == ErrorCode::MEMBER_ID_REQUIRED));
  BOOST_TEST(is_member_id(first->member_id));
  BOOST_TEST(first->generation_id == -1);
  BOOST_TEST((f.state("g") == GroupState::Empty));
  BOOST_TEST(f.group("g").is_pending_member(first->member_id));

  auto second = f.join("g", first->member_id, f.protocols({"range"}), 4);
  BOOST_TEST(!second.ready());
  BOOST_TEST(!f.group("g").is_pending_member(first->member_id));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  BOOST_REQUIRE(second.ready());
  BOOST_TEST((second.error() == ErrorCode::NONE));
  BOOST_TEST(second->member_id == first->member_id);
  BOOST_TEST(second->generation_id == 1);
}

BOOST_AUTO_TEST_CASE(pending_member_expires_after_session_timeout) {
  Fixture f;
  auto first = f.join("g", "", f.protocols({"range"}), 4);
  BOOST_REQUIRE(first.ready());
  f.clock.advance(Fixture::kSession);
  BOOST_TEST(!f.group("g").is_pending_member(first->member_id));
  auto late = f.join("g", first->member_id, f.protocols({"range"}), 4);
  BOOST_REQUIRE(late.ready());
  BOOST_TEST((late.error() == ErrorCode::UNKNOWN_MEMBER_ID));
}

BOOST_AUTO_TEST_CASE(join_validation_errors) {
  Fixture f;
  auto bad_session = f.join("g", "", f.protocols({"range"}), 1, std::nullopt, 1000);
  BOOST_TEST((bad_session.error() == ErrorCode::INVALID_SESSION_TIMEOUT));
  auto too_long = f.join("g", "", f.protocols({"range"}), 1, std::nullopt, 1800001);
  BOOST_TEST((too_long.error() == ErrorCode::INVALID_SESSION_TIMEOUT));
  auto bad_group = f.join("", "", f.protocols({"range"}));
  BOOST_TEST((bad_group.error() == ErrorCode::INVALID_GROUP_ID));
  auto unknown = f.join("nogroup", "someone", f.protocols({"range"}));
  BOOST_TEST((unknown.error() == ErrorCode::UNKNOWN_MEMBER_ID));
  auto no_protocols = f.join("g2", "", {});
  BOOST_TEST((no_protocols.error() == ErrorCode::INCONSISTENT_GROUP_PROTOCOL));
  auto no_type =
      f.join("g3", "", f.protocols({"range"}), 1, std::nullopt, Fixture::kSession, Fixture::kRebalance, "");
  BOOST_TEST((no_type.error() == ErrorCode::INCONSISTENT_GROUP_PROTOCOL));

  // Existing group: other protocol type, or no protocol in common.
  f.join("g4", "", f.protocols({"range"}));
  auto other_type = f.join("g4", "", f.protocols({"range"}), 1, std::nullopt, Fixture::kSession,
                           Fixture::kRebalance, "connect");
  BOOST_TEST((other_type.error() == ErrorCode::INCONSISTENT_GROUP_PROTOCOL));
  auto no_common = f.join("g4", "", f.protocols({"roundrobin"}));
  BOOST_TEST((no_common.error() == ErrorCode::INCONSISTENT_GROUP_PROTOCOL));
  BOOST_TEST(no_common->member_id.empty());
}

BOOST_AUTO_TEST_CASE(group_max_size_reached) {
  GroupConfig c = Fixture::default_config();
  c.group_max_size = 1;
  Fixture f(c);
  std::string a = f.stable_single("g");
  auto b = f.join("g", "", f.protocols({"range"}));
  BOOST_REQUIRE(b.ready());
  BOOST_TEST((b.error() == ErrorCode::GROUP_MAX_SIZE_REACHED));
  BOOST_TEST(f.group("g").size() == 1u);
  BOOST_TEST((f.state("g") == GroupState::Stable));
}

BOOST_AUTO_TEST_CASE(one_to_three_members_with_protocol_votes) {
  Fixture f;
  std::string a = f.stable_single("g", {"range", "roundrobin"});
  BOOST_TEST(f.heartbeat("g", a, 1) == ErrorCode::NONE);

  // B joins a Stable group: rebalance; A learns it from its heartbeat and rejoins.
  auto jb = f.join("g", "", f.protocols({"roundrobin", "range"}));
  BOOST_TEST(!jb.ready());
  BOOST_TEST((f.state("g") == GroupState::PreparingRebalance));
  BOOST_TEST(f.heartbeat("g", a, 1) == ErrorCode::REBALANCE_IN_PROGRESS);
  auto jc = f.join("g", "", f.protocols({"roundrobin", "range"}));
  BOOST_TEST(!jc.ready());
  auto ja = f.join("g", a, f.protocols({"range", "roundrobin"}));
  // Everyone rejoined: the join completes at once (not an initial delay any more).
  BOOST_REQUIRE(ja.ready());
  BOOST_REQUIRE(jb.ready());
  BOOST_REQUIRE(jc.ready());
  for (const auto* j : {&ja, &jb, &jc}) {
    BOOST_TEST(((*j).error() == ErrorCode::NONE));
    BOOST_TEST((*j)->generation_id == 2);
    BOOST_TEST((*j)->protocol_name == "roundrobin");  // two votes against one
    BOOST_TEST((*j)->leader == a);
  }
  BOOST_TEST(ja->members.size() == 3u);
  BOOST_TEST(jb->members.empty());
  BOOST_TEST(jc->members.empty());
  BOOST_TEST((f.state("g") == GroupState::CompletingRebalance));
}

BOOST_AUTO_TEST_CASE(protocol_vote_tie_goes_to_first_name) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"roundrobin", "range"}));
  auto jb = f.join("g", "", f.protocols({"range", "roundrobin"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  BOOST_REQUIRE(ja.ready());
  BOOST_TEST(ja->protocol_name == "range");
  BOOST_TEST(jb->protocol_name == "range");
}

BOOST_AUTO_TEST_CASE(initial_delay_extended_while_members_arrive) {
  Fixture f;  // delay 3000, rebalance timeout 20000
  auto ja = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(2000);
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(1000);  // t=3000: B arrived during the delay, wait another delay
  BOOST_TEST(!ja.ready());
  f.clock.advance(2999);
  BOOST_TEST(!ja.ready());
  f.clock.advance(1);  // t=6000
  BOOST_REQUIRE(ja.ready());
  BOOST_REQUIRE(jb.ready());
  BOOST_TEST(ja->generation_id == 1);
  BOOST_TEST(ja->members.size() + jb->members.size() == 2u);
}

BOOST_AUTO_TEST_CASE(initial_delay_bounded_by_rebalance_timeout) {
  Fixture f;
  // rebalance timeout 5000: remaining after the first delay is 2000, then 0.
  auto ja = f.join("g", "", f.protocols({"range"}), 1, std::nullopt, Fixture::kSession, 5000);
  int64_t t = 0;
  std::vector<Answer<JoinGroupResponse>> others;
  while (!ja.ready() && t < 20000) {
    f.clock.advance(500);
    t += 500;
    if (!ja.ready())
      others.push_back(f.join("g", "", f.protocols({"range"}), 1, std::nullopt, Fixture::kSession, 5000));
  }
  BOOST_REQUIRE(ja.ready());
  BOOST_TEST(t == 5000);  // 3000 + min(3000, 2000)
}

BOOST_AUTO_TEST_CASE(sync_distributes_assignments_and_persists_group) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  BOOST_REQUIRE(ja.ready());
  std::string leader = ja->leader;
  std::string follower = leader == ja->member_id ? jb->member_id : ja->member_id;
  int32_t gen = ja->generation_id;

  auto sf = f.sync("g", follower, gen);
  BOOST_TEST(!sf.ready());                                         // parked until the leader's assignment
  BOOST_TEST(f.heartbeat("g", follower, gen) == ErrorCode::NONE);  // CompletingRebalance
  auto sl = f.sync("g", leader, gen, {{leader, {1, 1}}, {follower, {2, 2, 2}}});
  BOOST_REQUIRE(sl.ready());
  BOOST_REQUIRE(sf.ready());
  BOOST_TEST((sl->assignment == std::vector<uint8_t>{1, 1}));
  BOOST_TEST((sf->assignment == std::vector<uint8_t>{2, 2, 2}));
  BOOST_TEST((f.state("g") == GroupState::Stable));

  auto record = last_group_record(f, "g");
  BOOST_REQUIRE(record.has_value());
  BOOST_TEST(record->generation == gen);
  BOOST_TEST(record->protocol_type == "consumer");
  BOOST_TEST(record->protocol.value() == "range");
  BOOST_TEST(record->leader.value() == leader);
  BOOST_REQUIRE(record->members.size() == 2u);
  for (const auto& m : record->members) {
    BOOST_TEST(m.client_id == "client");
    BOOST_TEST(m.client_host == "/127.0.0.1");
    BOOST_TEST(m.session_timeout == Fixture::kSession);
    BOOST_TEST(m.rebalance_timeout == Fixture::kRebalance);
    BOOST_TEST((m.subscription == subscription({"t"})));
    BOOST_TEST((m.assignment ==
                (m.member_id == leader ? std::vector<uint8_t>{1, 1} : std::vector<uint8_t>{2, 2, 2})));
  }

  // Stable: a sync returns the stored assignment right away.
  auto again = f.sync("g", follower, gen);
  BOOST_REQUIRE(again.ready());
  BOOST_TEST((again->assignment == std::vector<uint8_t>{2, 2, 2}));
}

BOOST_AUTO_TEST_CASE(leader_sync_fills_missing_members_with_empty_assignment) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string leader = ja->leader;
  std::string follower = leader == ja->member_id ? jb->member_id : ja->member_id;
  auto sl = f.sync("g", leader, 1, {{leader, {9}}});
  auto sf = f.sync("g", follower, 1);
  BOOST_REQUIRE(sf.ready());
  BOOST_TEST((sf.error() == ErrorCode::NONE));
  BOOST_TEST(sf->assignment.empty());
}

BOOST_AUTO_TEST_CASE(sync_errors) {
  Fixture f;
  std::string a = f.stable_single("g");
  BOOST_TEST((f.sync("g", "nobody", 1).error() == ErrorCode::UNKNOWN_MEMBER_ID));
  BOOST_TEST((f.sync("g", a, 7).error() == ErrorCode::ILLEGAL_GENERATION));
  BOOST_TEST((f.sync("nogroup", a, 1).error() == ErrorCode::UNKNOWN_MEMBER_ID));
  BOOST_TEST((f.sync("", a, 1).error() == ErrorCode::INVALID_GROUP_ID));
  auto jb = f.join("g", "", f.protocols({"range"}));  // -> PreparingRebalance
  BOOST_TEST((f.sync("g", a, 1).error() == ErrorCode::REBALANCE_IN_PROGRESS));
}

BOOST_AUTO_TEST_CASE(sync_store_failure_answers_error_and_rebalances) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string leader = ja->leader;
  std::string follower = leader == ja->member_id ? jb->member_id : ja->member_id;
  auto sf = f.sync("g", follower, 1);
  f.log.fail_with = ErrorCode::NOT_LEADER_OR_FOLLOWER;
  auto sl = f.sync("g", leader, 1, {{leader, {1}}, {follower, {2}}});
  BOOST_REQUIRE(sl.ready());
  BOOST_REQUIRE(sf.ready());
  BOOST_TEST((sl.error() == ErrorCode::NOT_COORDINATOR));
  BOOST_TEST((sf.error() == ErrorCode::NOT_COORDINATOR));
  BOOST_TEST((f.state("g") == GroupState::PreparingRebalance));
}

BOOST_AUTO_TEST_CASE(sync_store_timeout_maps_to_rebalance_in_progress) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  f.log.fail_with = ErrorCode::REQUEST_TIMED_OUT;
  auto s = f.sync("g", ja->member_id, 1, {{ja->member_id, {1}}});
  BOOST_TEST((s.error() == ErrorCode::REBALANCE_IN_PROGRESS));
}

BOOST_AUTO_TEST_CASE(sync_answered_after_asynchronous_append) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  f.log.hold = true;
  auto s = f.sync("g", ja->member_id, 1, {{ja->member_id, {5}}});
  BOOST_TEST(!s.ready());
  BOOST_TEST((f.state("g") == GroupState::CompletingRebalance));
  f.log.release_all();
  BOOST_REQUIRE(s.ready());
  BOOST_TEST((f.state("g") == GroupState::Stable));
}

BOOST_AUTO_TEST_CASE(heartbeat_replies_per_state) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  BOOST_TEST(f.heartbeat("g", "nobody", 0) == ErrorCode::UNKNOWN_MEMBER_ID);
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string a = ja->member_id;
  BOOST_TEST(f.heartbeat("g", a, 1) == ErrorCode::NONE);  // CompletingRebalance
  BOOST_TEST(f.heartbeat("g", a, 0) == ErrorCode::ILLEGAL_GENERATION);
  f.sync("g", a, 1, {{a, {1}}});
  BOOST_TEST(f.heartbeat("g", a, 1) == ErrorCode::NONE);  // Stable
  auto jb = f.join("g", "", f.protocols({"range"}));
  BOOST_TEST(f.heartbeat("g", a, 1) == ErrorCode::REBALANCE_IN_PROGRESS);
  BOOST_TEST(f.heartbeat("nogroup", a, 1) == ErrorCode::UNKNOWN_MEMBER_ID);
  BOOST_TEST(f.heartbeat("", a, 1) == ErrorCode::INVALID_GROUP_ID);
}

BOOST_AUTO_TEST_CASE(heartbeat_in_empty_group_is_unknown_member) {
  Fixture f;
  std::string a = f.stable_single("g");
  f.leave("g", a);
  BOOST_TEST((f.state("g") == GroupState::Empty));
  BOOST_TEST(f.heartbeat("g", a, 2) == ErrorCode::UNKNOWN_MEMBER_ID);
}

BOOST_AUTO_TEST_CASE(session_expiry_removes_member_and_rebalances) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string a = ja->member_id, b = jb->member_id;
  std::string leader = ja->leader;
  f.sync("g", a, 1,
         leader == a ? std::vector<SyncGroupRequest::SyncGroupRequestAssignment>{{a, {1}}, {b, {2}}}
                     : std::vector<SyncGroupRequest::SyncGroupRequestAssignment>{});
  f.sync("g", b, 1,
         leader == b ? std::vector<SyncGroupRequest::SyncGroupRequestAssignment>{{a, {1}}, {b, {2}}}
                     : std::vector<SyncGroupRequest::SyncGroupRequestAssignment>{});
  BOOST_REQUIRE((f.state("g") == GroupState::Stable));
  // Only A heartbeats; B's session (10 s) runs out.
  for (int i = 0; i < 3; ++i) {
    f.clock.advance(3000);
    BOOST_TEST(f.heartbeat("g", a, 1) == ErrorCode::NONE);
  }
  BOOST_TEST(f.group("g").has(b));
  f.clock.advance(1000);  // t = 10 s since the sync
  BOOST_TEST(!f.group("g").has(b));
  BOOST_TEST((f.state("g") == GroupState::PreparingRebalance));
  BOOST_TEST(f.heartbeat("g", a, 1) == ErrorCode::REBALANCE_IN_PROGRESS);
  auto again = f.join("g", a, f.protocols({"range"}));
  BOOST_REQUIRE(again.ready());  // the only member rejoined
  BOOST_TEST(again->generation_id == 2);
  BOOST_TEST(again->leader == a);
  BOOST_TEST(again->members.size() == 1u);
}

BOOST_AUTO_TEST_CASE(last_member_expiring_leaves_group_empty) {
  Fixture f;
  std::string a = f.stable_single("g");
  f.clock.advance(Fixture::kSession);
  BOOST_TEST((f.state("g") == GroupState::Empty));
  BOOST_TEST(f.group("g").generation_id == 2);
  auto record = last_group_record(f, "g");
  BOOST_REQUIRE(record.has_value());
  BOOST_TEST(record->generation == 2);
  BOOST_TEST(record->members.empty());
  BOOST_TEST(!record->protocol.has_value());
}

BOOST_AUTO_TEST_CASE(rebalance_timeout_removes_members_that_do_not_rejoin) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string leader = ja->leader;
  std::string follower = leader == ja->member_id ? jb->member_id : ja->member_id;
  f.sync("g", follower, 1);
  f.sync("g", leader, 1, {{leader, {1}}, {follower, {2}}});
  // The leader rejoins (forces a rebalance); the follower keeps heartbeating but never rejoins.
  auto jl = f.join("g", leader, f.protocols({"range"}));
  BOOST_TEST(!jl.ready());
  for (int t = 0; t < Fixture::kRebalance - 3000; t += 3000) {
    f.clock.advance(3000);
    BOOST_TEST(f.heartbeat("g", follower, 1) == ErrorCode::REBALANCE_IN_PROGRESS);
  }
  BOOST_TEST(!jl.ready());
  f.clock.advance(3000);  // past the 20 s rebalance timeout
  BOOST_REQUIRE(jl.ready());
  BOOST_TEST(jl->generation_id == 2);
  BOOST_TEST(jl->members.size() == 1u);
  BOOST_TEST(!f.group("g").has(follower));
  BOOST_TEST(f.heartbeat("g", follower, 1) == ErrorCode::UNKNOWN_MEMBER_ID);
}

BOOST_AUTO_TEST_CASE(new_member_that_never_completes_join_times_out) {
  Fixture f;
  std::string a = f.stable_single("g");
  // B joins; A never rejoins and stops heartbeating: after the rebalance timeout A is removed and
  // B completes alone.
  auto jb = f.join("g", "", f.protocols({"range"}), 1, std::nullopt, Fixture::kSession, 60000);
  f.clock.advance(60000);
  BOOST_REQUIRE(jb.ready());
  BOOST_TEST((jb.error() == ErrorCode::NONE));
  BOOST_TEST(jb->leader == jb->member_id);
  BOOST_TEST(!f.group("g").has(a));
}

BOOST_AUTO_TEST_CASE(pending_sync_expiry_removes_members_that_did_not_sync) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string leader = ja->leader;
  std::string follower = leader == ja->member_id ? jb->member_id : ja->member_id;
  auto sf = f.sync("g", follower, 1);  // parked; the leader never sends its assignment
  // Heartbeats keep both sessions alive; only the sync deadline (rebalance timeout) runs out.
  for (int t = 0; t < Fixture::kRebalance - 5000; t += 5000) {
    f.clock.advance(5000);
    f.heartbeat("g", leader, 1);
  }
  BOOST_TEST(!sf.ready());
  f.clock.advance(5000);
  BOOST_REQUIRE(sf.ready());
  BOOST_TEST((sf.error() == ErrorCode::REBALANCE_IN_PROGRESS));
  BOOST_TEST(!f.group("g").has(leader));
  BOOST_TEST((f.state("g") == GroupState::PreparingRebalance));
}

BOOST_AUTO_TEST_CASE(stable_member_that_never_syncs_is_removed) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string leader = ja->leader;
  std::string follower = leader == ja->member_id ? jb->member_id : ja->member_id;
  f.sync("g", leader, 1, {{leader, {1}}, {follower, {2}}});
  BOOST_REQUIRE((f.state("g") == GroupState::Stable));
  for (int t = 0; t < Fixture::kRebalance; t += 5000) {
    f.clock.advance(5000);
    f.heartbeat("g", leader, 1);
    f.heartbeat("g", follower, 1);
  }
  BOOST_TEST(!f.group("g").has(follower));
  BOOST_TEST((f.state("g") == GroupState::PreparingRebalance));
}

BOOST_AUTO_TEST_CASE(leave_single_and_last_member_empties_group) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string a = ja->member_id, b = jb->member_id;
  std::string leader = ja->leader;
  f.sync("g", leader, 1, {{a, {1}}, {b, {2}}});
  f.sync("g", leader == a ? b : a, 1);
  BOOST_REQUIRE((f.state("g") == GroupState::Stable));

  LeaveGroupResponse unknown = f.leave("g", "nobody");
  BOOST_TEST((static_cast<ErrorCode>(unknown.error_code) == ErrorCode::UNKNOWN_MEMBER_ID));
  BOOST_TEST(unknown.members.empty());  // v1 has no member list

  BOOST_TEST(f.leave("g", b).error_code == 0);
  BOOST_TEST((f.state("g") == GroupState::PreparingRebalance));
  BOOST_TEST(f.group("g").leader_id.value() == a);
  auto again = f.join("g", a, f.protocols({"range"}));
  BOOST_REQUIRE(again.ready());
  BOOST_TEST(again->generation_id == 2);
  f.sync("g", a, 2, {{a, {1}}});
  BOOST_TEST(f.leave("g", a).error_code == 0);
  BOOST_TEST((f.state("g") == GroupState::Empty));
  BOOST_TEST(f.group("g").generation_id == 3);
  auto record = last_group_record(f, "g");
  BOOST_REQUIRE(record.has_value());
  BOOST_TEST(record->generation == 3);
  BOOST_TEST(record->members.empty());
}

BOOST_AUTO_TEST_CASE(leave_during_rebalance_completes_join_of_others) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string a = ja->member_id, b = jb->member_id;
  f.sync("g", ja->leader, 1, {{a, {1}}, {b, {2}}});
  auto ra = f.join("g", a, f.protocols({"range"}));  // PreparingRebalance, waiting for B
  BOOST_TEST(!ra.ready());
  f.leave("g", b);
  BOOST_REQUIRE(ra.ready());
  BOOST_TEST(ra->generation_id == 2);
}

BOOST_AUTO_TEST_CASE(leave_of_member_parked_in_join_answers_it) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  BOOST_REQUIRE(f.group("g").size() == 2u);
  std::string leader = f.group("g").leader_id.value();  // the first to join
  std::string b;
  for (const auto& [id, m] : f.group("g").members()) {
    if (id != leader) b = id;
  }
  auto r = f.leave_batch("g", {{b, std::nullopt}});
  BOOST_TEST(r.members.at(0).error_code == 0);
  BOOST_REQUIRE(jb.ready());
  BOOST_TEST((jb.error() == ErrorCode::UNKNOWN_MEMBER_ID));
  BOOST_TEST(!ja.ready());
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  BOOST_REQUIRE(ja.ready());
  BOOST_TEST(ja->members.size() == 1u);
}

BOOST_AUTO_TEST_CASE(leave_batch_v3_reports_per_member) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}), 5, std::string("inst-a"));
  auto jb = f.join("g", "", f.protocols({"range"}));
  auto jc = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 3);
  BOOST_REQUIRE(ja.ready());
  auto r = f.leave_batch("g", {{jb->member_id, std::nullopt},
                               {"ghost", std::nullopt},
                               {"", std::string("inst-a")},
                               {"", std::string("inst-unknown")},
                               {jc->member_id, std::string("inst-a")}});
  BOOST_TEST(r.error_code == 0);
  BOOST_REQUIRE(r.members.size() == 5u);
  BOOST_TEST(r.members[0].error_code == 0);
  BOOST_TEST((static_cast<ErrorCode>(r.members[1].error_code) == ErrorCode::UNKNOWN_MEMBER_ID));
  BOOST_TEST(r.members[2].error_code == 0);  // removed by instance id
  BOOST_TEST(r.members[2].group_instance_id.value() == "inst-a");
  BOOST_TEST((static_cast<ErrorCode>(r.members[3].error_code) == ErrorCode::UNKNOWN_MEMBER_ID));
  // inst-a is gone by now, so jc with a wrong instance id is simply not that instance: unknown id check
  BOOST_TEST(r.members[4].error_code == 0);
  BOOST_TEST(f.group("g").size() == 0u);

  auto none = f.leave_batch("nogroup", {{"x", std::nullopt}});
  BOOST_TEST(none.error_code == 0);
  BOOST_TEST((static_cast<ErrorCode>(none.members.at(0).error_code) == ErrorCode::UNKNOWN_MEMBER_ID));
}

BOOST_AUTO_TEST_CASE(leave_of_pending_member) {
  Fixture f;
  auto first = f.join("g", "", f.protocols({"range"}), 4);
  auto r = f.leave_batch("g", {{first->member_id, std::nullopt}});
  BOOST_TEST(r.members.at(0).error_code == 0);
  BOOST_TEST(!f.group("g").is_pending_member(first->member_id));
}

BOOST_AUTO_TEST_CASE(static_member_rejoin_in_stable_returns_assignment_without_rebalance) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}), 5, std::string("inst-a"));
  auto jb = f.join("g", "", f.protocols({"range"}), 5, std::string("inst-b"));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  BOOST_REQUIRE(ja.ready());
  BOOST_TEST(ja->member_id.rfind("inst-a-", 0) == 0);
  std::string a = ja->member_id, b = jb->member_id, leader = ja->leader;
  f.sync("g", a, 1,
         leader == a ? std::vector<SyncGroupRequest::SyncGroupRequestAssignment>{{a, {1}}, {b, {2}}}
                     : std::vector<SyncGroupRequest::SyncGroupRequestAssignment>{},
         std::string("inst-a"));
  f.sync("g", b, 1,
         leader == b ? std::vector<SyncGroupRequest::SyncGroupRequestAssignment>{{a, {1}}, {b, {2}}}
                     : std::vector<SyncGroupRequest::SyncGroupRequestAssignment>{},
         std::string("inst-b"));
  BOOST_REQUIRE((f.state("g") == GroupState::Stable));
  int appends = f.log.appends;

  // inst-b restarts: joins with no member id and the same protocols.
  auto rb = f.join("g", "", f.protocols({"range"}), 5, std::string("inst-b"));
  BOOST_REQUIRE(rb.ready());
  BOOST_TEST((rb.error() == ErrorCode::NONE));
  BOOST_TEST(rb->member_id != b);
  BOOST_TEST(rb->member_id.rfind("inst-b-", 0) == 0);
  BOOST_TEST(rb->generation_id == 1);
  BOOST_TEST(rb->leader == leader);  // the old leader id, so a replaced leader does not reassign
  BOOST_TEST(rb->members.empty());
  BOOST_TEST((f.state("g") == GroupState::Stable));
  BOOST_TEST(f.log.appends == appends + 1);  // the new member id is persisted
  auto record = last_group_record(f, "g");
  BOOST_REQUIRE(record.has_value());
  bool found = false;
  for (const auto& m : record->members)
    found |= m.member_id == rb->member_id && m.group_instance_id == "inst-b";
  BOOST_TEST(found);

  // The old instance is fenced; the new one syncs to its old assignment.
  BOOST_TEST(f.heartbeat("g", b, 1, std::string("inst-b")) == ErrorCode::FENCED_INSTANCE_ID);
  BOOST_TEST(f.heartbeat("g", b, 1) == ErrorCode::UNKNOWN_MEMBER_ID);
  auto s = f.sync("g", rb->member_id, 1, {}, std::string("inst-b"));
  BOOST_REQUIRE(s.ready());
  BOOST_TEST((s->assignment == (leader == b ? std::vector<uint8_t>{} : std::vector<uint8_t>{2})));
  auto fenced_join = f.join("g", b, f.protocols({"range"}), 5, std::string("inst-b"));
  BOOST_TEST((fenced_join.error() == ErrorCode::FENCED_INSTANCE_ID));
}

BOOST_AUTO_TEST_CASE(static_member_rejoin_with_new_protocol_rebalances) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range", "roundrobin"}), 5, std::string("inst-a"));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  f.sync("g", ja->member_id, 1, {{ja->member_id, {1}}}, std::string("inst-a"));
  auto ra = f.join("g", "", f.protocols({"roundrobin"}), 5, std::string("inst-a"));
  BOOST_REQUIRE(ra.ready());  // the only member rejoined: completes at once
  BOOST_TEST(ra->generation_id == 2);
  BOOST_TEST(ra->protocol_name == "roundrobin");
}

BOOST_AUTO_TEST_CASE(static_member_replacement_fences_parked_join) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}), 5, std::string("inst-a"));
  auto jb = f.join("g", "", f.protocols({"range"}), 5, std::string("inst-b"));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string a = ja->member_id, b = jb->member_id;
  f.sync("g", ja->leader, 1, {{a, {1}}, {b, {2}}}, std::string(ja->leader == a ? "inst-a" : "inst-b"));
  // A rejoins (PreparingRebalance, parked); a second process with the same instance id replaces it.
  auto old = f.join("g", a, f.protocols({"range"}, {"t2"}), 5, std::string("inst-a"));
  BOOST_TEST(!old.ready());
  auto dup = f.join("g", "", f.protocols({"range"}, {"t2"}), 5, std::string("inst-a"));
  BOOST_REQUIRE(old.ready());
  BOOST_TEST((old.error() == ErrorCode::FENCED_INSTANCE_ID));
  BOOST_TEST(!dup.ready());  // waits for the rebalance like the member it replaced
  auto rb = f.join("g", b, f.protocols({"range"}), 5, std::string("inst-b"));
  BOOST_REQUIRE(dup.ready());
  BOOST_TEST((dup.error() == ErrorCode::NONE));
  BOOST_TEST(dup->generation_id == 2);
}

BOOST_AUTO_TEST_CASE(static_member_not_removed_when_it_misses_a_rebalance) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}), 5, std::string("inst-a"));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string a = ja->member_id, b = jb->member_id;
  // A heartbeats but does not rejoin; B (dynamic) forces a rebalance by changing metadata.
  f.sync("g", ja->leader, 1, {{a, {1}}, {b, {2}}},
         ja->leader == a ? std::optional<std::string>("inst-a") : std::nullopt);
  f.sync("g", ja->leader == a ? b : a, 1, {},
         ja->leader == a ? std::nullopt : std::optional<std::string>("inst-a"));
  auto rb = f.join("g", b, f.protocols({"range"}, {"other"}));
  for (int t = 0; t < Fixture::kRebalance - 5000; t += 5000) {
    f.clock.advance(5000);
    BOOST_TEST(f.heartbeat("g", a, 1, std::string("inst-a")) == ErrorCode::REBALANCE_IN_PROGRESS);
  }
  f.clock.advance(5000);
  BOOST_REQUIRE(rb.ready());
  BOOST_TEST(rb->generation_id == 2);
  BOOST_TEST(f.group("g").has(a));  // static members stay until their session expires
}

BOOST_AUTO_TEST_CASE(rejoin_in_completing_rebalance_with_same_metadata_gets_current_generation) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  auto again = f.join("g", ja->member_id, f.protocols({"range"}));
  BOOST_REQUIRE(again.ready());
  BOOST_TEST(again->generation_id == 1);
  BOOST_TEST(again->members.size() == 1u);  // it is the leader
  BOOST_TEST((f.state("g") == GroupState::CompletingRebalance));
}

BOOST_AUTO_TEST_CASE(follower_rejoin_in_stable_without_change_gets_current_generation) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string leader = ja->leader;
  std::string follower = leader == ja->member_id ? jb->member_id : ja->member_id;
  f.sync("g", leader, 1, {{leader, {1}}, {follower, {2}}});
  auto again = f.join("g", follower, f.protocols({"range"}));
  BOOST_REQUIRE(again.ready());
  BOOST_TEST(again->generation_id == 1);
  BOOST_TEST(again->members.empty());
  BOOST_TEST((f.state("g") == GroupState::Stable));
  auto changed = f.join("g", follower, f.protocols({"range"}, {"x"}));
  BOOST_TEST(!changed.ready());
  BOOST_TEST((f.state("g") == GroupState::PreparingRebalance));
}

BOOST_AUTO_TEST_CASE(describe_and_list_groups) {
  Fixture f;
  std::string a = f.stable_single("g");
  DescribeGroupsRequest r;
  r.groups = {"g", "unknown"};
  r.include_authorized_operations = true;
  auto d = f.gc->describe_groups(r, 4);
  BOOST_REQUIRE(d.groups.size() == 2u);
  BOOST_TEST(d.groups[0].group_state == "Stable");
  BOOST_TEST(d.groups[0].protocol_type == "consumer");
  BOOST_TEST(d.groups[0].protocol_data == "range");
  BOOST_REQUIRE(d.groups[0].members.size() == 1u);
  BOOST_TEST(d.groups[0].members[0].member_id == a);
  BOOST_TEST(d.groups[0].members[0].client_id == "client");
  BOOST_TEST(d.groups[0].members[0].client_host == "/127.0.0.1");
  BOOST_TEST((d.groups[0].members[0].member_metadata == subscription({"t"})));
  BOOST_TEST((d.groups[0].members[0].member_assignment == std::vector<uint8_t>{0xA1}));
  BOOST_TEST(d.groups[0].authorized_operations == 328);
  BOOST_TEST(d.groups[1].error_code == 0);
  BOOST_TEST(d.groups[1].group_state == "Dead");
  BOOST_TEST(d.groups[1].members.empty());

  f.join("g", "", f.protocols({"range"}));
  r.include_authorized_operations = false;
  d = f.gc->describe_groups(r, 4);
  BOOST_TEST(d.groups[0].group_state == "PreparingRebalance");
  BOOST_TEST(d.groups[0].protocol_data == "");
  BOOST_TEST(d.groups[0].members[0].member_metadata.empty());
  BOOST_TEST(d.groups[0].authorized_operations == INT32_MIN);

  f.commit("simple", -1, "", "t", 0, 5);
  auto l = f.gc->list_groups({}, 2);
  BOOST_TEST(l.error_code == 0);
  BOOST_REQUIRE(l.groups.size() == 2u);
  BOOST_TEST(l.groups[0].group_id == "g");
  BOOST_TEST(l.groups[0].protocol_type == "consumer");
  BOOST_TEST(l.groups[1].group_id == "simple");
  BOOST_TEST(l.groups[1].protocol_type == "");
}

BOOST_AUTO_TEST_CASE(every_transition_kafka_forbids_throws) {
  GroupMetadata g("g", GroupState::Empty);
  BOOST_CHECK_THROW(g.transition_to(GroupState::Stable, 0), std::logic_error);
  BOOST_CHECK_THROW(g.transition_to(GroupState::CompletingRebalance, 0), std::logic_error);
  BOOST_CHECK_THROW(g.transition_to(GroupState::Empty, 0), std::logic_error);
  g.transition_to(GroupState::PreparingRebalance, 1);
  BOOST_CHECK_THROW(g.transition_to(GroupState::Stable, 0), std::logic_error);
  BOOST_CHECK_THROW(g.transition_to(GroupState::PreparingRebalance, 0), std::logic_error);
  g.transition_to(GroupState::CompletingRebalance, 2);
  BOOST_CHECK_THROW(g.transition_to(GroupState::Empty, 0), std::logic_error);
  g.transition_to(GroupState::Stable, 3);
  BOOST_CHECK_THROW(g.transition_to(GroupState::CompletingRebalance, 0), std::logic_error);
  g.transition_to(GroupState::PreparingRebalance, 4);
  g.transition_to(GroupState::Empty, 5);
  BOOST_TEST(g.current_state_timestamp.value() == 5);
  g.transition_to(GroupState::Dead, 6);
  g.transition_to(GroupState::Dead, 7);
  BOOST_CHECK_THROW(g.transition_to(GroupState::Empty, 0), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
