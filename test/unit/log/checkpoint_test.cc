// Checkpoint files (byte-exact Kafka text format), leader-epoch cache semantics and its file.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include "log/checkpoint_file.h"
#include "log/leader_epoch_cache.h"
#include "log/log_manager.h"
#include "test_util.h"

using namespace gregor;
using namespace gregor::log;
using namespace gregor::log::test;

BOOST_AUTO_TEST_SUITE(checkpoint_test)

BOOST_AUTO_TEST_CASE(OffsetCheckpointIsByteExactAndRoundTrips) {
  TempDir tmp;
  auto path = tmp.path() / "recovery-point-offset-checkpoint";
  OffsetCheckpoint offsets{
      {{"orders", 0}, 15233}, {{"orders", 1}, 15120}, {{"__consumer_offsets", 27}, 8812}};
  BOOST_REQUIRE(write_offset_checkpoint(path, offsets).has_value());
  BOOST_TEST(read_text(path) == "0\n3\n__consumer_offsets 27 8812\norders 0 15233\norders 1 15120\n");
  BOOST_TEST(!std::filesystem::exists(tmp.path() / "recovery-point-offset-checkpoint.tmp"));
  auto back = read_offset_checkpoint(path);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST((*back == offsets));
  BOOST_REQUIRE(write_offset_checkpoint(path, {}).has_value());
  BOOST_TEST(read_text(path) == "0\n0\n");
}

BOOST_AUTO_TEST_CASE(MissingCheckpointIsEmptyAndCorruptOnesAreErrors) {
  TempDir tmp;
  auto missing = read_offset_checkpoint(tmp.path() / "nope");
  BOOST_REQUIRE(missing.has_value());
  BOOST_TEST(missing->empty());
  auto path = tmp.path() / "cp";
  for (const char* bad :
       {"1\n1\nt 0 5\n", "0\n2\nt 0 5\n", "0\n1\nt 0\n", "0\n1\nt x 5\n", "", "zero\n0\n"}) {
    std::ofstream(path, std::ios::trunc) << bad;
    auto r = read_offset_checkpoint(path);
    BOOST_TEST(!r.has_value(), "accepted: " << bad);
    if (!r) BOOST_TEST(r.error().find(path.string()) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(LeaderEpochCacheAssignIgnoresEntriesNotNewer) {
  LeaderEpochCache cache;
  BOOST_TEST(cache.latest_epoch() == -1);
  cache.assign(0, 0);
  cache.assign(2, 1542);
  cache.assign(2, 1600);  // same epoch: ignored
  cache.assign(1, 1700);  // older: ignored
  cache.assign(5, 20977);
  using E = std::vector<std::pair<int32_t, int64_t>>;
  BOOST_TEST((cache.entries() == E{{0, 0}, {2, 1542}, {5, 20977}}));
  // A new epoch starting at or before existing starts replaces those (they wrote nothing).
  cache.assign(6, 1542);
  BOOST_TEST((cache.entries() == E{{0, 0}, {6, 1542}}));
}

BOOST_AUTO_TEST_CASE(LeaderEpochCacheEndOffsetFor) {
  LeaderEpochCache cache;
  BOOST_TEST((cache.end_offset_for(0, 10) == std::pair<int32_t, int64_t>{-1, -1}));
  cache.assign(1, 10);
  cache.assign(3, 50);
  cache.assign(5, 90);
  using P = std::pair<int32_t, int64_t>;
  BOOST_TEST((cache.end_offset_for(-1, 100) == P{-1, -1}));
  BOOST_TEST((cache.end_offset_for(6, 100) == P{-1, -1}));  // newer than any known
  BOOST_TEST((cache.end_offset_for(5, 100) == P{5, 100}));  // latest: the log end
  BOOST_TEST((cache.end_offset_for(0, 100) == P{0, 10}));   // before the first
  BOOST_TEST((cache.end_offset_for(1, 100) == P{1, 50}));
  BOOST_TEST((cache.end_offset_for(2, 100) == P{1, 50}));  // floor epoch 1
  BOOST_TEST((cache.end_offset_for(4, 100) == P{3, 90}));
}

BOOST_AUTO_TEST_CASE(LeaderEpochCacheTruncation) {
  LeaderEpochCache cache;
  cache.assign(1, 10);
  cache.assign(3, 50);
  cache.assign(5, 90);
  using E = std::vector<std::pair<int32_t, int64_t>>;
  cache.truncate_from_end(90);
  BOOST_TEST((cache.entries() == E{{1, 10}, {3, 50}}));
  cache.truncate_from_start(60);
  BOOST_TEST((cache.entries() == E{{3, 60}}));
  cache.truncate_from_start(5);
  BOOST_TEST((cache.entries() == E{{3, 60}}));
  cache.clear();
  BOOST_TEST(cache.entries().empty());
}

BOOST_AUTO_TEST_CASE(LeaderEpochCheckpointFileFormatAndReload) {
  TempDir tmp;
  auto path = tmp.path() / "leader-epoch-checkpoint";
  {
    LeaderEpochCache cache(path);
    BOOST_REQUIRE(cache.load().has_value());
    cache.assign(0, 0);
    cache.assign(2, 1542);
    cache.assign(5, 20977);
  }
  BOOST_TEST(read_text(path) == "0\n3\n0 0\n2 1542\n5 20977\n");
  LeaderEpochCache reloaded(path);
  BOOST_REQUIRE(reloaded.load().has_value());
  BOOST_TEST(reloaded.latest_epoch() == 5);
  reloaded.truncate_from_end(1542);
  BOOST_TEST(read_text(path) == "0\n1\n0 0\n");
  std::ofstream(path, std::ios::trunc) << "0\n2\n3 10\n1 20\n";  // epochs going down
  LeaderEpochCache corrupt(path);
  BOOST_TEST(!corrupt.load().has_value());
}

BOOST_AUTO_TEST_CASE(MetaPropertiesWrittenThenChecked) {
  TempDir tmp;
  auto dir = tmp.path() / "d1";
  {
    LogManager manager({dir}, LogConfig{}, {});
    BOOST_REQUIRE(manager.startup({}).has_value());
    BOOST_REQUIRE(manager.check_or_write_meta_properties(7, "Pb4yo8SRQJ6mZCk6EDSlxw").has_value());
    std::string text = read_text(dir / "meta.properties");
    BOOST_TEST(text.starts_with("#\n#"));
    BOOST_TEST(text.find("\nversion=0\nbroker.id=7\ncluster.id=Pb4yo8SRQJ6mZCk6EDSlxw\n") !=
               std::string::npos);
    BOOST_TEST(manager.check_or_write_meta_properties(7, "Pb4yo8SRQJ6mZCk6EDSlxw").has_value());
    auto wrong_broker = manager.check_or_write_meta_properties(8, "Pb4yo8SRQJ6mZCk6EDSlxw");
    BOOST_REQUIRE(!wrong_broker.has_value());
    BOOST_TEST(wrong_broker.error().find((dir / "meta.properties").string()) != std::string::npos);
    auto wrong_cluster = manager.check_or_write_meta_properties(7, "other");
    BOOST_REQUIRE(!wrong_cluster.has_value());
    BOOST_TEST(wrong_cluster.error().find("cluster.id") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
