// Loading and unloading of __consumer_offsets partitions: replay round trips, resignation, load in progress.
#include <boost/test/unit_test.hpp>

#include "coordinator/offsets_records.h"
#include "fixture.h"

using namespace gregor;
using namespace gregor::coordinator;
using namespace gregor::coordinator::testing;

BOOST_AUTO_TEST_SUITE(loading)

BOOST_AUTO_TEST_CASE(replay_rebuilds_groups_and_offsets) {
  Fixture f;
  // A consumer group with two members, Stable, with offsets; its offsets overwritten once.
  auto ja = f.join("g", "", f.protocols({"range"}), 5, std::string("inst-a"));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string a = ja->member_id, b = jb->member_id, leader = ja->leader;
  f.sync("g", leader, 1, {{a, {1, 2}}, {b, {3}}},
         leader == a ? std::optional<std::string>("inst-a") : std::nullopt);
  f.commit("g", 1, a, "t", 0, 100, std::string("x"), 7, 4);
  f.commit("g", 1, a, "t", 0, 150, std::string("y"), 7, 4);
  f.commit("g", 1, b, "t", 1, 200);
  // A simple-commit group whose one offset is deleted by DeleteGroups, then committed again.
  f.commit("s", -1, "", "u", 0, 1);
  Answer<DeleteGroupsResponse> del;
  f.gc->delete_groups({{"s"}}, 1, del.cb());
  f.commit("s", -1, "", "u", 1, 9);
  // An empty group that once had a generation.
  std::string e = f.stable_single("e");
  f.leave("e", e);

  GroupConfig c = Fixture::default_config();
  FakeScheduler clock2;
  clock2.advance(f.clock.now_ms() - clock2.now_ms());
  MemoryOffsetsLog log2;
  GroupCoordinator loaded(c, clock2, log2);
  for (int32_t p = 0; p < c.offsets_topic_num_partitions; ++p) {
    loaded.begin_loading(p);
    loaded.on_election(p, f.log.partitions[p]);
  }
  BOOST_TEST(loaded.group_ids() == f.gc->group_ids());

  const GroupMetadata& g = *loaded.group("g");
  const GroupMetadata& orig = f.group("g");
  BOOST_TEST((g.state() == GroupState::Stable));
  BOOST_TEST(g.generation_id == 1);
  BOOST_TEST(g.protocol_type.value() == "consumer");
  BOOST_TEST(g.protocol_name.value() == "range");
  BOOST_TEST(g.leader_id.value() == leader);
  BOOST_TEST(g.current_state_timestamp == orig.current_state_timestamp);
  BOOST_REQUIRE(g.size() == 2u);
  for (const auto& [id, m] : orig.members()) {
    BOOST_REQUIRE(g.has(id));
    const MemberMetadata& l = g.get(id);
    BOOST_TEST(l.group_instance_id == m->group_instance_id);
    BOOST_TEST(l.client_id == m->client_id);
    BOOST_TEST(l.client_host == m->client_host);
    BOOST_TEST(l.session_timeout_ms == m->session_timeout_ms);
    BOOST_TEST(l.rebalance_timeout_ms == m->rebalance_timeout_ms);
    BOOST_TEST((l.assignment == m->assignment));
    BOOST_TEST((l.metadata("range") == m->metadata("range")));
  }
  BOOST_TEST(g.static_member_id("inst-a").value() == a);
  BOOST_TEST((g.offsets == orig.offsets));
  BOOST_TEST(g.offsets.at({"t", 0}).offset == 150);
  BOOST_TEST(g.offsets.at({"t", 0}).metadata == "y");
  BOOST_TEST(g.offsets.at({"t", 0}).leader_epoch == 4);

  const GroupMetadata& s = *loaded.group("s");
  BOOST_TEST((s.state() == GroupState::Empty));
  BOOST_TEST(s.offsets.size() == 1u);
  BOOST_TEST(s.offsets.at({"u", 1}).offset == 9);
  BOOST_TEST(!s.protocol_type.has_value());

  const GroupMetadata& le = *loaded.group("e");
  BOOST_TEST((le.state() == GroupState::Empty));
  BOOST_TEST(le.generation_id == 2);
  BOOST_TEST(le.protocol_type.value() == "consumer");

  // Members keep working after the move: heartbeats, syncs, commits.
  HeartbeatRequest hb;
  hb.group_id = "g";
  hb.member_id = b;
  hb.generation_id = 1;
  Answer<HeartbeatResponse> h;
  loaded.heartbeat(hb, 3, h.cb());
  BOOST_TEST(h->error_code == 0);
  // A member that stops heartbeating after the load expires (timers were scheduled on load).
  for (int i = 0; i < 3; ++i) {
    clock2.advance(4000);
    Answer<HeartbeatResponse> again;
    loaded.heartbeat(hb, 3, again.cb());
  }
  BOOST_TEST(!loaded.group("g")->has(a));
  BOOST_TEST((loaded.group("g")->state() == GroupState::PreparingRebalance));
}

BOOST_AUTO_TEST_CASE(replay_applies_tombstones_and_skips_garbage) {
  Fixture f;
  std::vector<OffsetsLog::Record> recs;
  int32_t p = f.gc->partition_for("g");
  recs.push_back(
      {encode_offset_commit_key({"g", "t", 0}), encode_offset_commit_value({5, -1, "", 1, -1}, 3)});
  recs.push_back(
      {encode_offset_commit_key({"g", "t", 1}), encode_offset_commit_value({6, -1, "", 1, -1}, 0)});
  recs.push_back({encode_offset_commit_key({"g", "t", 0}), std::nullopt});
  recs.push_back({{0x00, 0x07, 0x01}, std::vector<uint8_t>{1}});                       // unknown key version
  recs.push_back({{0x00}, std::vector<uint8_t>{1}});                                   // malformed key
  recs.push_back({encode_offset_commit_key({"g", "t", 2}), std::vector<uint8_t>{0}});  // malformed value
  GroupMetadataValue gone;
  gone.protocol_type = "consumer";
  gone.generation = 3;
  recs.push_back({encode_group_metadata_key({"g"}), encode_group_metadata_value(gone, 3)});
  recs.push_back({encode_group_metadata_key({"g"}), std::nullopt});
  f.gc->on_resignation(p);
  f.gc->on_election(p, recs);
  const GroupMetadata& g = f.group("g");
  BOOST_TEST((g.state() == GroupState::Empty));
  BOOST_TEST(g.generation_id == 0);  // the group record was deleted: only the offsets remain
  BOOST_TEST(g.offsets.size() == 1u);
  BOOST_TEST(f.fetch("g", "t", 1) == 6);
  BOOST_TEST(f.fetch("g", "t", 0) == -1);
}

BOOST_AUTO_TEST_CASE(resignation_answers_parked_requests_and_then_not_coordinator) {
  Fixture f;
  std::string a = f.stable_single("g");
  f.commit("g", 1, a, "t", 0, 3);
  auto jb = f.join("g", "", f.protocols({"range"}));  // parked in PreparingRebalance
  BOOST_TEST(!jb.ready());
  size_t timers = f.clock.active_timers();
  BOOST_TEST(timers > 1u);
  f.gc->on_resignation(f.gc->partition_for("g"));
  BOOST_REQUIRE(jb.ready());
  BOOST_TEST((jb.error() == ErrorCode::NOT_COORDINATOR));
  BOOST_TEST(f.gc->group("g") == nullptr);
  BOOST_TEST(f.clock.active_timers() == 1u);  // only the retention task is left
  BOOST_TEST(f.heartbeat("g", a, 1) == ErrorCode::NOT_COORDINATOR);
  BOOST_TEST((f.join("g", "", f.protocols({"range"})).error() == ErrorCode::NOT_COORDINATOR));
  BOOST_TEST((f.sync("g", a, 1).error() == ErrorCode::NOT_COORDINATOR));
  BOOST_TEST((static_cast<ErrorCode>(f.leave("g", a).error_code) == ErrorCode::NOT_COORDINATOR));
  auto c = f.commit("g", 1, a, "t", 0, 4);
  BOOST_TEST((static_cast<ErrorCode>(c->topics[0].partitions[0].error_code) == ErrorCode::NOT_COORDINATOR));
  DescribeGroupsRequest d;
  d.groups = {"g"};
  BOOST_TEST((static_cast<ErrorCode>(f.gc->describe_groups(d, 4).groups[0].error_code) ==
              ErrorCode::NOT_COORDINATOR));
  Answer<DeleteGroupsResponse> del;
  f.gc->delete_groups({{"g"}}, 1, del.cb());
  BOOST_TEST((static_cast<ErrorCode>(del->results[0].error_code) == ErrorCode::NOT_COORDINATOR));
}

BOOST_AUTO_TEST_CASE(resignation_answers_parked_sync_not_coordinator) {
  Fixture f;
  auto ja = f.join("g", "", f.protocols({"range"}));
  auto jb = f.join("g", "", f.protocols({"range"}));
  f.clock.advance(f.config.group_initial_rebalance_delay_ms * 2);
  std::string follower = ja->leader == ja->member_id ? jb->member_id : ja->member_id;
  auto s = f.sync("g", follower, 1);
  BOOST_TEST(!s.ready());
  f.gc->on_resignation(f.gc->partition_for("g"));
  BOOST_REQUIRE(s.ready());
  BOOST_TEST((s.error() == ErrorCode::NOT_COORDINATOR));
}

BOOST_AUTO_TEST_CASE(commit_completing_after_resignation_does_not_touch_cache) {
  Fixture f;
  f.log.hold = true;
  auto c = f.commit("g", -1, "", "t", 0, 1);
  f.gc->on_resignation(f.gc->partition_for("g"));
  f.log.release_all();
  BOOST_REQUIRE(c.ready());
  BOOST_TEST(f.gc->group("g") == nullptr);
}

BOOST_AUTO_TEST_CASE(loading_partition_answers_load_in_progress) {
  Fixture f;
  int32_t p = f.gc->partition_for("g");
  f.gc->begin_loading(p);
  BOOST_TEST((f.join("g", "", f.protocols({"range"})).error() == ErrorCode::COORDINATOR_LOAD_IN_PROGRESS));
  BOOST_TEST(f.heartbeat("g", "m", 1) == ErrorCode::NONE);  // clients keep waiting
  BOOST_TEST((f.sync("g", "m", 1).error() == ErrorCode::REBALANCE_IN_PROGRESS));
  auto c = f.commit("g", -1, "", "t", 0, 1);
  BOOST_TEST((static_cast<ErrorCode>(c->topics[0].partitions[0].error_code) ==
              ErrorCode::COORDINATOR_LOAD_IN_PROGRESS));
  OffsetFetchRequest r;
  r.group_id = "g";
  BOOST_TEST((static_cast<ErrorCode>(f.gc->offset_fetch(r, 5).error_code) ==
              ErrorCode::COORDINATOR_LOAD_IN_PROGRESS));
  BOOST_TEST((static_cast<ErrorCode>(f.gc->list_groups({}, 2).error_code) ==
              ErrorCode::COORDINATOR_LOAD_IN_PROGRESS));
  f.gc->on_election(p, {});
  BOOST_TEST((f.join("g", "", f.protocols({"range"}), 4).error() == ErrorCode::MEMBER_ID_REQUIRED));
  BOOST_TEST(f.gc->list_groups({}, 2).error_code == 0);
}

BOOST_AUTO_TEST_CASE(unowned_partition_is_not_coordinator) {
  FakeScheduler clock;
  MemoryOffsetsLog log;
  GroupCoordinator gc(Fixture::default_config(), clock, log);
  Answer<JoinGroupResponse> j;
  JoinGroupRequest r;
  r.group_id = "g";
  r.session_timeout_ms = 10000;
  r.protocol_type = "consumer";
  r.protocols = {{"range", {}}};
  gc.join_group(r, 5, "c", "/127.0.0.1", j.cb());
  BOOST_TEST((j.error() == ErrorCode::NOT_COORDINATOR));
}

BOOST_AUTO_TEST_SUITE_END()
