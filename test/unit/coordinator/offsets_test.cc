// Offset commit/fetch tests: simple and member commits, validation, metadata limits, retention, deletion.
#include <boost/test/unit_test.hpp>

#include "coordinator/offsets_records.h"
#include "fixture.h"

using namespace gregor;
using namespace gregor::coordinator;
using namespace gregor::coordinator::testing;

namespace {

ErrorCode partition_error(const Answer<OffsetCommitResponse>& a, size_t topic = 0, size_t partition = 0) {
  BOOST_REQUIRE(a.ready());
  return static_cast<ErrorCode>(a->topics.at(topic).partitions.at(partition).error_code);
}

std::vector<OffsetsLog::Record> records_of(const Fixture& f, const std::string& group) {
  auto it = f.log.partitions.find(f.gc->partition_for(group));
  return it == f.log.partitions.end() ? std::vector<OffsetsLog::Record>{} : it->second;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(offsets)

BOOST_AUTO_TEST_CASE(simple_commit_creates_empty_group_and_is_fetched) {
  Fixture f;
  auto c = f.commit("g", -1, "", "t", 3, 42, std::string("meta"), 7, 5);
  BOOST_TEST((partition_error(c) == ErrorCode::NONE));
  BOOST_TEST((f.state("g") == GroupState::Empty));
  BOOST_TEST(!f.group("g").protocol_type.has_value());
  BOOST_TEST(f.fetch("g", "t", 3) == 42);
  BOOST_TEST(f.fetch("g", "t", 4) == -1);

  // The record is OffsetCommitKey v1 / OffsetCommitValue v3 with leader epoch and commit time = now.
  auto recs = records_of(f, "g");
  BOOST_REQUIRE(recs.size() == 1u);
  BOOST_TEST((recs[0].key == encode_offset_commit_key({"g", "t", 3})));
  BOOST_REQUIRE(recs[0].value.has_value());
  BOOST_TEST((*recs[0].value == encode_offset_commit_value({42, 5, "meta", f.clock.now_ms(), -1}, 3)));

  OffsetFetchRequest r;
  r.group_id = "g";
  r.topics = std::vector<OffsetFetchRequest::OffsetFetchRequestTopic>{{"t", {3}}};
  auto resp = f.gc->offset_fetch(r, 5);
  BOOST_TEST(resp.topics[0].partitions[0].committed_leader_epoch == 5);
  BOOST_TEST(resp.topics[0].partitions[0].metadata.value() == "meta");
}

BOOST_AUTO_TEST_CASE(commit_with_retention_time_writes_value_v1) {
  Fixture f;
  auto c = f.commit("g", -1, "", "t", 0, 1, std::nullopt, 2, -1, 60000);
  BOOST_TEST((partition_error(c) == ErrorCode::NONE));
  auto recs = records_of(f, "g");
  BOOST_REQUIRE(recs.size() == 1u);
  int64_t now = f.clock.now_ms();
  BOOST_TEST((*recs[0].value == encode_offset_commit_value({1, -1, "", now, now + 60000}, 1)));
}

BOOST_AUTO_TEST_CASE(commit_validation) {
  Fixture f;
  // No group and a generation: from an older generation of a group that is gone.
  BOOST_TEST((partition_error(f.commit("absent", 1, "m", "t", 0, 1)) == ErrorCode::ILLEGAL_GENERATION));
  BOOST_TEST(f.gc->group("absent") == nullptr);

  std::string a = f.stable_single("g");
  BOOST_TEST((partition_error(f.commit("g", 1, a, "t", 0, 10)) == ErrorCode::NONE));
  BOOST_TEST(f.fetch("g", "t", 0) == 10);
  BOOST_TEST((partition_error(f.commit("g", 2, a, "t", 0, 11)) == ErrorCode::ILLEGAL_GENERATION));
  BOOST_TEST((partition_error(f.commit("g", 1, "other", "t", 0, 11)) == ErrorCode::UNKNOWN_MEMBER_ID));
  BOOST_TEST((partition_error(f.commit("g", -1, "", "t", 0, 11)) == ErrorCode::UNKNOWN_MEMBER_ID));
  BOOST_TEST(f.fetch("g", "t", 0) == 10);

  // PreparingRebalance: commits of the current generation still go through.
  auto jb = f.join("g", "", f.protocols({"range"}));
  BOOST_TEST((partition_error(f.commit("g", 1, a, "t", 0, 12)) == ErrorCode::NONE));
  // CompletingRebalance: rejected.
  auto ja = f.join("g", a, f.protocols({"range"}));
  BOOST_REQUIRE(ja.ready());
  BOOST_TEST((partition_error(f.commit("g", 2, a, "t", 0, 13)) == ErrorCode::REBALANCE_IN_PROGRESS));
  BOOST_TEST(f.fetch("g", "t", 0) == 12);
}

BOOST_AUTO_TEST_CASE(commit_refreshes_member_session) {
  Fixture f;
  std::string a = f.stable_single("g");
  for (int i = 0; i < 5; ++i) {
    f.clock.advance(Fixture::kSession - 1000);
    BOOST_TEST((partition_error(f.commit("g", 1, a, "t", 0, i)) == ErrorCode::NONE));
  }
  BOOST_TEST(f.group("g").has(a));
}

BOOST_AUTO_TEST_CASE(metadata_too_large_and_unknown_partition_are_per_partition) {
  GroupConfig c = Fixture::default_config();
  c.offset_metadata_max_bytes = 4;
  Fixture f(c);
  OffsetCommitRequest r;
  r.group_id = "g";
  r.topics.push_back({"t", {{0, 100, -1, std::string("1234")}, {1, 101, -1, std::string("12345")}}});
  r.topics.push_back({"missing", {{0, 5, -1, std::nullopt}}});
  Answer<OffsetCommitResponse> a;
  f.gc->offset_commit(
      r, 7, [](const std::string& t, int32_t) { return t != "missing"; }, a.cb());
  BOOST_TEST((partition_error(a, 0, 0) == ErrorCode::NONE));
  BOOST_TEST((partition_error(a, 0, 1) == ErrorCode::OFFSET_METADATA_TOO_LARGE));
  BOOST_TEST((partition_error(a, 1, 0) == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION));
  BOOST_TEST(a->topics[0].partitions[1].partition_index == 1);
  BOOST_TEST(f.fetch("g", "t", 0) == 100);
  BOOST_TEST(f.fetch("g", "t", 1) == -1);
  BOOST_TEST(records_of(f, "g").size() == 1u);

  // Only unknown partitions: answered without the group being touched.
  auto only_missing = f.commit("g2", 5, "x", "missing", 0, 1);
  BOOST_TEST((partition_error(only_missing) == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION));
  // Only too-large metadata: nothing written.
  auto too_large = f.commit("g", -1, "", "t", 2, 1, std::string("123456"));
  BOOST_TEST((partition_error(too_large) == ErrorCode::OFFSET_METADATA_TOO_LARGE));
  BOOST_TEST(records_of(f, "g").size() == 1u);
  // Java counts UTF-16 units: "€€€€" is 4 units (12 UTF-8 bytes).
  BOOST_TEST((partition_error(f.commit("g", -1, "", "t", 3, 1, std::string("\u20ac\u20ac\u20ac\u20ac"))) ==
              ErrorCode::NONE));
}

BOOST_AUTO_TEST_CASE(commit_waits_for_append_and_maps_errors) {
  Fixture f;
  f.log.hold = true;
  auto c = f.commit("g", -1, "", "t", 0, 7);
  BOOST_TEST(!c.ready());
  BOOST_TEST(f.fetch("g", "t", 0) == -1);  // not visible before it is committed
  f.log.release_all();
  BOOST_TEST((partition_error(c) == ErrorCode::NONE));
  BOOST_TEST(f.fetch("g", "t", 0) == 7);
  f.log.hold = false;

  f.log.fail_with = ErrorCode::NOT_ENOUGH_REPLICAS;
  BOOST_TEST((partition_error(f.commit("g", -1, "", "t", 0, 8)) == ErrorCode::COORDINATOR_NOT_AVAILABLE));
  f.log.fail_with = ErrorCode::NOT_LEADER_OR_FOLLOWER;
  BOOST_TEST((partition_error(f.commit("g", -1, "", "t", 0, 8)) == ErrorCode::NOT_COORDINATOR));
  f.log.fail_with = ErrorCode::MESSAGE_TOO_LARGE;
  BOOST_TEST((partition_error(f.commit("g", -1, "", "t", 0, 8)) == ErrorCode::INVALID_COMMIT_OFFSET_SIZE));
  BOOST_TEST(f.fetch("g", "t", 0) == 7);
  BOOST_TEST(f.group("g").pending_offset_commits.empty());
}

BOOST_AUTO_TEST_CASE(fetch_all_and_errors_by_version) {
  Fixture f;
  f.commit("g", -1, "", "b", 1, 21);
  f.commit("g", -1, "", "a", 0, 10);
  f.commit("g", -1, "", "b", 0, 20);
  OffsetFetchRequest all;
  all.group_id = "g";
  auto resp = f.gc->offset_fetch(all, 5);
  BOOST_REQUIRE(resp.topics.size() == 2u);
  BOOST_TEST(resp.topics[0].name == "a");
  BOOST_TEST(resp.topics[0].partitions.at(0).committed_offset == 10);
  BOOST_TEST(resp.topics[1].name == "b");
  BOOST_REQUIRE(resp.topics[1].partitions.size() == 2u);
  BOOST_TEST(resp.topics[1].partitions[1].committed_offset == 21);

  all.group_id = "nogroup";
  BOOST_TEST(f.gc->offset_fetch(all, 5).topics.empty());

  // Not the coordinator: top-level error from v2, per partition before.
  f.gc->on_resignation(f.gc->partition_for("g"));
  OffsetFetchRequest some;
  some.group_id = "g";
  some.topics = std::vector<OffsetFetchRequest::OffsetFetchRequestTopic>{{"a", {0, 1}}};
  auto v1 = f.gc->offset_fetch(some, 1);
  BOOST_REQUIRE(v1.topics.size() == 1u);
  BOOST_TEST((static_cast<ErrorCode>(v1.topics[0].partitions[1].error_code) == ErrorCode::NOT_COORDINATOR));
  BOOST_TEST(v1.topics[0].partitions[1].committed_offset == -1);
  auto v2 = f.gc->offset_fetch(some, 2);
  BOOST_TEST((static_cast<ErrorCode>(v2.error_code) == ErrorCode::NOT_COORDINATOR));
  BOOST_TEST(v2.topics.empty());
}

BOOST_AUTO_TEST_CASE(retention_expires_simple_group_offsets_by_commit_time) {
  GroupConfig c = Fixture::default_config();
  c.offsets_retention_ms = 100000;
  c.offsets_retention_check_interval_ms = 10000;
  Fixture f(c);
  f.commit("g", -1, "", "t", 0, 1);
  f.clock.advance(50000);
  f.commit("g", -1, "", "t", 1, 2);
  f.clock.advance(50000);  // t=100 s: partition 0 is due, partition 1 is not
  BOOST_TEST(f.fetch("g", "t", 0) == -1);
  BOOST_TEST(f.fetch("g", "t", 1) == 2);
  auto recs = records_of(f, "g");
  BOOST_TEST((recs.back().key == encode_offset_commit_key({"g", "t", 0})));
  BOOST_TEST(!recs.back().value.has_value());
  f.clock.advance(50000);
  BOOST_TEST(f.gc->group("g") == nullptr);  // Empty without offsets: Dead and gone
  // Generation 0 never wrote group metadata, so no group tombstone either.
  for (const auto& r : records_of(f, "g")) {
    auto key = decode_key(r.key);
    BOOST_TEST(!std::holds_alternative<GroupMetadataKey>(*key));
  }
}

BOOST_AUTO_TEST_CASE(retention_of_empty_consumer_group_counts_from_when_it_became_empty) {
  GroupConfig c = Fixture::default_config();
  c.offsets_retention_ms = 100000;
  c.offsets_retention_check_interval_ms = 1000;
  Fixture f(c);
  std::string a = f.stable_single("g");
  f.commit("g", 1, a, "t", 0, 5);
  for (int i = 0; i < 20; ++i) {  // 200 s of a live, heartbeating member: nothing expires
    f.clock.advance(5000);
    f.heartbeat("g", a, 1);
    f.commit("g", 1, a, "t", 0, 5);
  }
  BOOST_TEST(f.fetch("g", "t", 0) == 5);
  f.leave("g", a);
  BOOST_REQUIRE((f.state("g") == GroupState::Empty));
  f.clock.advance(99000);
  BOOST_TEST(f.fetch("g", "t", 0) == 5);
  f.clock.advance(1000);
  BOOST_TEST(f.gc->group("g") == nullptr);
  auto recs = records_of(f, "g");
  BOOST_REQUIRE(recs.size() >= 2u);
  BOOST_TEST((recs.back().key == encode_group_metadata_key({"g"})));
  BOOST_TEST(!recs.back().value.has_value());
}

BOOST_AUTO_TEST_CASE(stable_consumer_group_expires_only_unsubscribed_topics) {
  GroupConfig c = Fixture::default_config();
  c.offsets_retention_ms = 100000;
  c.offsets_retention_check_interval_ms = 1000;
  Fixture f(c);
  std::string a = f.stable_single("g");  // subscribed to "t"
  f.commit("g", 1, a, "t", 0, 1);
  f.commit("g", 1, a, "old", 0, 2);
  for (int i = 0; i < 25; ++i) {
    f.clock.advance(5000);
    f.heartbeat("g", a, 1);
  }
  BOOST_TEST(f.fetch("g", "t", 0) == 1);
  BOOST_TEST(f.fetch("g", "old", 0) == -1);
}

BOOST_AUTO_TEST_CASE(delete_groups) {
  Fixture f;
  f.commit("simple", -1, "", "t", 0, 1);
  f.commit("simple", -1, "", "t", 1, 2);
  std::string a = f.stable_single("busy");
  std::string b = f.stable_single("left");
  f.leave("left", b);
  DeleteGroupsRequest r;
  r.groups_names = {"simple", "busy", "nothing", "left", "simple"};
  Answer<DeleteGroupsResponse> ans;
  f.gc->delete_groups(r, 1, ans.cb());
  BOOST_REQUIRE(ans.ready());
  BOOST_REQUIRE(ans->results.size() == 4u);
  BOOST_TEST(ans->results[0].error_code == 0);
  BOOST_TEST((static_cast<ErrorCode>(ans->results[1].error_code) == ErrorCode::NON_EMPTY_GROUP));
  BOOST_TEST((static_cast<ErrorCode>(ans->results[2].error_code) == ErrorCode::GROUP_ID_NOT_FOUND));
  BOOST_TEST(ans->results[3].error_code == 0);
  BOOST_TEST(f.gc->group("simple") == nullptr);
  BOOST_TEST(f.gc->group("left") == nullptr);
  BOOST_TEST(f.fetch("simple", "t", 0) == -1);

  // Tombstones: both offsets of "simple"; the group record of "left" (generation > 0).
  auto simple = records_of(f, "simple");
  int offset_tombstones = 0;
  for (const auto& rec : simple) {
    auto key = decode_key(rec.key);
    if (!rec.value && std::holds_alternative<OffsetCommitKey>(*key) &&
        std::get<OffsetCommitKey>(*key).group == "simple") {
      ++offset_tombstones;
    }
  }
  BOOST_TEST(offset_tombstones == 2);
  auto left = records_of(f, "left");
  bool group_tombstone = false;
  for (const auto& rec : left)
    group_tombstone |= !rec.value && rec.key == encode_group_metadata_key({"left"});
  BOOST_TEST(group_tombstone);
}

BOOST_AUTO_TEST_SUITE_END()
