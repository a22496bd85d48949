// KafkaZkClient's controller reads and fenced deletions against a real ZooKeeper: brokers with their epochs
// (czxid), ISR change notifications read and deleted, /admin/preferred_replica_election, /controller removal,
// and every fenced deletion refused once another controller bumped /controller_epoch.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>
#include <memory>

#include "test/unit/zk/zk_server.h"
#include "zk/kafka_zk_client.h"
#include "zk/paths.h"

using namespace gregor::zk;
using namespace gregor::zk::test;

namespace {

struct Fixture {
  Loop loop;
  std::string chroot = unique_chroot("ctlreads");
  std::unique_ptr<Session> connect() {
    auto s = std::make_unique<Session>(loop.base(), shared_server().connect_string() + chroot, 4000, nullptr);
    if (!loop.run_until([&] { return s->state() == SessionState::connected; }))
      throw std::runtime_error("no session");
    return s;
  }
};

BrokerRegistration broker(int32_t id) {
  BrokerRegistration r;
  r.id = id;
  r.endpoints = {{"PLAINTEXT", "127.0.0.1", 9090 + id}};
  r.security_protocol_map = {{"PLAINTEXT", "PLAINTEXT"}};
  r.timestamp_ms = 1700000000000;
  return r;
}

using Brokers = std::map<int32_t, KafkaZkClient::BrokerAndEpoch>;

}  // namespace

BOOST_AUTO_TEST_SUITE(kafka_zk_client_controller)

BOOST_AUTO_TEST_CASE(brokers_with_epochs_and_a_watch_on_changes) {
  Fixture f;
  auto s1 = f.connect();
  auto s2 = f.connect();
  KafkaZkClient zk1(*s1), zk2(*s2);
  auto [c0] = wait<ZkError>(f.loop, [&](auto done) { zk1.create_top_level_paths(done); });
  BOOST_TEST(c0 == ZkError::ok);
  auto [e1, epoch1] =
      wait<ZkError, int64_t>(f.loop, [&](auto done) { zk1.register_broker(broker(1), done); });
  auto [e2, epoch2] =
      wait<ZkError, int64_t>(f.loop, [&](auto done) { zk2.register_broker(broker(2), done); });
  BOOST_TEST(e1 == ZkError::ok);
  BOOST_TEST(e2 == ZkError::ok);
  bool changed = false;
  auto [ge, brokers] = wait<ZkError, Brokers>(f.loop, [&](auto done) {
    zk1.get_all_brokers_and_epochs([&](WatchEvent, const std::string&) { changed = true; }, done);
  });
  BOOST_TEST(ge == ZkError::ok);
  BOOST_TEST_REQUIRE(brokers.size() == 2u);
  BOOST_TEST(brokers[1].epoch == epoch1);
  BOOST_TEST(brokers[2].epoch == epoch2);
  BOOST_TEST(epoch2 > epoch1);
  BOOST_TEST(brokers[2].registration.endpoints[0].port == 9092);
  s2.reset();  // broker 2's session closes: its registration goes, the child watch fires
  BOOST_TEST(f.loop.run_until([&] { return changed; }));
  auto [ge2, after] =
      wait<ZkError, Brokers>(f.loop, [&](auto done) { zk1.get_all_brokers_and_epochs({}, done); });
  BOOST_TEST(ge2 == ZkError::ok);
  BOOST_TEST(after.size() == 1u);
  BOOST_TEST(after.count(1) == 1u);
}

BOOST_AUTO_TEST_CASE(notifications_election_node_and_fencing) {
  Fixture f;
  auto s = f.connect();
  KafkaZkClient zk(*s);
  wait<ZkError>(f.loop, [&](auto done) { zk.create_top_level_paths(done); });
  auto [el, won, id, epoch, epoch_version] = wait<ZkError, bool, int32_t, int32_t, int32_t>(
      f.loop, [&](auto done) { zk.try_elect_controller(1, done); });
  BOOST_TEST_REQUIRE(won);
  wait<ZkError>(f.loop, [&](auto done) { zk.create_isr_change_notification({{"t", 0}}, done); });
  wait<ZkError>(f.loop, [&](auto done) { zk.create_isr_change_notification({{"t", 1}, {"u", 2}}, done); });
  auto [ne, names] = wait<ZkError, std::vector<std::string>>(
      f.loop, [&](auto done) { zk.get_isr_change_notifications({}, done); });
  BOOST_TEST(ne == ZkError::ok);
  BOOST_TEST(names == std::vector<std::string>({"isr_change_0000000000", "isr_change_0000000001"}));
  auto [re, parts] = wait<ZkError, std::vector<std::pair<std::string, int32_t>>>(
      f.loop, [&](auto done) { zk.get_isr_change_notification(names[1], done); });
  BOOST_TEST(re == ZkError::ok);
  BOOST_TEST((parts == std::vector<std::pair<std::string, int32_t>>{{"t", 1}, {"u", 2}}));

  // Preferred replica election node: absent, then present with its partitions.
  using Parts = std::optional<std::vector<std::pair<std::string, int32_t>>>;
  bool created = false;
  auto [pe, none] = wait<ZkError, Parts>(f.loop, [&](auto done) {
    zk.get_preferred_replica_election([&](WatchEvent, const std::string&) { created = true; }, done);
  });
  BOOST_TEST(pe == ZkError::ok);
  BOOST_TEST(!none.has_value());
  wait<ZkError>(f.loop, [&](auto done) {
    s->create_recursive(std::string(paths::kPreferredReplicaElection),
                        R"({"version":1,"partitions":[{"topic":"t","partition":0}]})", done);
  });
  BOOST_TEST(f.loop.run_until([&] { return created; }));
  auto [pe2, some] =
      wait<ZkError, Parts>(f.loop, [&](auto done) { zk.get_preferred_replica_election({}, done); });
  BOOST_TEST_REQUIRE(some.has_value());
  BOOST_TEST(some->size() == 1u);

  // A newer controller bumps /controller_epoch: every fenced deletion with our version is refused.
  auto [se, st] = wait<ZkError, Stat>(f.loop, [&](auto done) {
    s->set(std::string(paths::kControllerEpoch), encode_controller_epoch(epoch + 1), epoch_version, done);
  });
  BOOST_TEST(se == ZkError::ok);
  auto [d1] = wait<ZkError>(
      f.loop, [&](auto done) { zk.delete_isr_change_notifications(names, epoch_version, done); });
  BOOST_TEST(d1 == ZkError::controller_moved);
  auto [d2] =
      wait<ZkError>(f.loop, [&](auto done) { zk.delete_preferred_replica_election(epoch_version, done); });
  BOOST_TEST(d2 == ZkError::controller_moved);
  auto [d3] = wait<ZkError>(f.loop, [&](auto done) { zk.delete_controller(epoch_version, done); });
  BOOST_TEST(d3 == ZkError::controller_moved);

  // With the current version they succeed; already-missing nodes count as deleted.
  auto [d4] =
      wait<ZkError>(f.loop, [&](auto done) { zk.delete_isr_change_notifications(names, st.version, done); });
  BOOST_TEST(d4 == ZkError::ok);
  auto [d5] =
      wait<ZkError>(f.loop, [&](auto done) { zk.delete_isr_change_notifications(names, st.version, done); });
  BOOST_TEST(d5 == ZkError::ok);
  auto [d6] =
      wait<ZkError>(f.loop, [&](auto done) { zk.delete_preferred_replica_election(st.version, done); });
  BOOST_TEST(d6 == ZkError::ok);
  auto [d7] = wait<ZkError>(
      f.loop, [&](auto done) { zk.delete_topic_deletion_marker("never-marked", st.version, done); });
  BOOST_TEST(d7 == ZkError::ok);
  auto [d8] = wait<ZkError>(f.loop, [&](auto done) { zk.delete_controller(st.version, done); });
  BOOST_TEST(d8 == ZkError::ok);
  auto [we, controller] =
      wait<ZkError, std::optional<int32_t>>(f.loop, [&](auto done) { zk.watch_controller({}, done); });
  BOOST_TEST(!controller.has_value());
  auto [ne2, left] = wait<ZkError, std::vector<std::string>>(
      f.loop, [&](auto done) { zk.get_isr_change_notifications({}, done); });
  BOOST_TEST(left.empty());
}

BOOST_AUTO_TEST_SUITE_END()
