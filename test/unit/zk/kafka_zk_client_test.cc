// Tests for KafkaZkClient against a real ZooKeeper: registration, election, fenced partition state, topics,
// pids.
#ifndef BOOST_TEST_DYN_LINK  // meson's boost dependency may define it already
#define BOOST_TEST_DYN_LINK
#endif
#include "zk/kafka_zk_client.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <set>

#include "test/unit/zk/zk_server.h"
#include "zk/paths.h"

using namespace gregor::zk;
using namespace gregor::zk::test;
using namespace std::chrono_literals;

namespace {

constexpr int kSessionTimeoutMs = 4000;

// Sessions for one test share one loop and one chroot.
struct Cluster {
  Loop loop;
  std::string chroot;

  explicit Cluster(const std::string& name) : chroot(unique_chroot(name)) {}

  std::unique_ptr<Session> connect() {
    auto s = std::make_unique<Session>(loop.base(), shared_server().connect_string() + chroot,
                                       kSessionTimeoutMs, nullptr);
    if (!loop.run_until([&] { return s->state() == SessionState::connected; })) {
      throw std::runtime_error("session did not connect");
    }
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

std::tuple<ZkError, int64_t> register_broker(Loop& loop, KafkaZkClient& zk, int32_t id) {
  return wait<ZkError, int64_t>(loop, [&](auto done) { zk.register_broker(broker(id), done); });
}

using Election = std::tuple<ZkError, bool, int32_t, int32_t, int32_t>;

}  // namespace

BOOST_AUTO_TEST_SUITE(kafka_zk_client)

BOOST_AUTO_TEST_CASE(top_level_paths_and_cluster_id) {
  Cluster cluster("toplevel");
  auto s1 = cluster.connect();
  auto s2 = cluster.connect();
  KafkaZkClient zk1(*s1), zk2(*s2);
  auto [e] = wait<ZkError>(cluster.loop, [&](auto done) { zk1.create_top_level_paths(done); });
  BOOST_TEST(e == ZkError::ok);
  auto [e2] =
      wait<ZkError>(cluster.loop, [&](auto done) { zk2.create_top_level_paths(done); });  // idempotent
  BOOST_TEST(e2 == ZkError::ok);
  for (const auto& p : paths::top_level_paths()) {
    auto [xe, st] = wait<ZkError, Stat>(cluster.loop, [&](auto done) { s1->exists(p, {}, done); });
    (void)st;
    BOOST_TEST(xe == ZkError::ok, p);
  }

  // Two brokers racing for the cluster id agree on one.
  std::optional<std::string> id1, id2;
  zk1.get_or_create_cluster_id([&](ZkError ce, std::string id) {
    BOOST_TEST(ce == ZkError::ok);
    id1 = id;
  });
  zk2.get_or_create_cluster_id([&](ZkError ce, std::string id) {
    BOOST_TEST(ce == ZkError::ok);
    id2 = id;
  });
  BOOST_TEST_REQUIRE(cluster.loop.run_until([&] { return id1 && id2; }));
  BOOST_TEST(*id1 == *id2);
  BOOST_TEST(id1->size() == 22u);
  auto [ge, data, gst] = wait<ZkError, std::string, Stat>(
      cluster.loop, [&](auto done) { s1->get(std::string(paths::kClusterId), {}, done); });
  (void)gst;
  BOOST_TEST(ge == ZkError::ok);
  BOOST_TEST(data == encode_cluster_id(*id1));
}

BOOST_AUTO_TEST_CASE(register_broker_same_session_previous_session_and_duplicate) {
  Cluster cluster("register");
  auto a = cluster.connect();
  KafkaZkClient zk(*a);
  auto [e1, epoch1] = register_broker(cluster.loop, zk, 1);
  BOOST_TEST_REQUIRE(e1 == ZkError::ok);
  BOOST_TEST(epoch1 > 0);
  // Same session again: the existing node is ours; same epoch.
  auto [e2, epoch2] = register_broker(cluster.loop, zk, 1);
  BOOST_TEST(e2 == ZkError::ok);
  BOOST_TEST(epoch2 == epoch1);

  auto [be, reg, st] =
      wait<ZkError, BrokerRegistration, Stat>(cluster.loop, [&](auto done) { zk.get_broker(1, done); });
  BOOST_TEST(be == ZkError::ok);
  BOOST_TEST((reg == broker(1)));
  BOOST_TEST(st.czxid == epoch1);
  BOOST_TEST(st.ephemeral_owner == a->session_id());

  // Another client (another broker process) with the same id while we live: duplicate broker id.
  auto c = cluster.connect();
  KafkaZkClient other(*c);
  auto [de, depoch] = register_broker(cluster.loop, other, 1);
  BOOST_TEST(de == ZkError::node_exists);
  BOOST_TEST(depoch == -1);

  // Our own new session while the old session's ephemeral lingers (ZOOKEEPER-2985): replaced.
  auto b = cluster.connect();
  zk.rebind(*b);
  auto [e3, epoch3] = register_broker(cluster.loop, zk, 1);
  BOOST_TEST(e3 == ZkError::ok);
  BOOST_TEST(epoch3 > epoch1);
  auto [be2, reg2, st2] =
      wait<ZkError, BrokerRegistration, Stat>(cluster.loop, [&](auto done) { zk.get_broker(1, done); });
  (void)reg2;
  BOOST_TEST(be2 == ZkError::ok);
  BOOST_TEST(st2.ephemeral_owner == b->session_id());

  // The ephemeral of a closed session is gone at once; the next registration gets a higher epoch.
  b.reset();
  auto d = cluster.connect();
  KafkaZkClient fresh(*d);
  auto [e4, epoch4] = register_broker(cluster.loop, fresh, 1);
  BOOST_TEST(e4 == ZkError::ok);
  BOOST_TEST(epoch4 > epoch3);

  auto [ie, ids] =
      wait<ZkError, std::vector<int32_t>>(cluster.loop, [&](auto done) { fresh.get_broker_ids({}, done); });
  BOOST_TEST(ie == ZkError::ok);
  BOOST_TEST((ids == std::vector<int32_t>{1}));
}

BOOST_AUTO_TEST_CASE(controller_election_race_and_failover) {
  Cluster cluster("election");
  auto s1 = cluster.connect();
  auto s2 = cluster.connect();
  KafkaZkClient zk1(*s1), zk2(*s2);

  std::optional<WatchEvent> seen_by_2;
  auto [we, current] = wait<ZkError, std::optional<int32_t>>(cluster.loop, [&](auto done) {
    zk2.watch_controller([&](WatchEvent ev, const std::string&) { seen_by_2 = ev; }, done);
  });
  BOOST_TEST(we == ZkError::ok);
  BOOST_TEST(!current.has_value());

  std::optional<Election> r1, r2;
  zk1.try_elect_controller(1, [&](ZkError e, bool won, int32_t id, int32_t epoch, int32_t v) {
    r1.emplace(e, won, id, epoch, v);
  });
  zk2.try_elect_controller(2, [&](ZkError e, bool won, int32_t id, int32_t epoch, int32_t v) {
    r2.emplace(e, won, id, epoch, v);
  });
  BOOST_TEST_REQUIRE(cluster.loop.run_until([&] { return r1 && r2; }));
  BOOST_TEST(std::get<0>(*r1) == ZkError::ok);
  BOOST_TEST(std::get<0>(*r2) == ZkError::ok);
  BOOST_TEST_REQUIRE(std::get<1>(*r1) != std::get<1>(*r2));  // exactly one won
  bool one_won = std::get<1>(*r1);
  int32_t winner = one_won ? 1 : 2;
  BOOST_TEST(std::get<2>(*r1) == winner);
  BOOST_TEST(std::get<2>(*r2) == winner);
  BOOST_TEST(std::get<3>(*r1) == 1);  // the first controller has epoch 1
  BOOST_TEST(std::get<3>(*r2) == 1);
  BOOST_TEST(std::get<4>(*r1) == std::get<4>(*r2));

  // Trying again while the controller lives changes nothing.
  auto again = wait<ZkError, bool, int32_t, int32_t, int32_t>(
      cluster.loop, [&](auto done) { (one_won ? zk2 : zk1).try_elect_controller(one_won ? 2 : 1, done); });
  BOOST_TEST(!std::get<1>(again));
  BOOST_TEST(std::get<3>(again) == 1);

  // The winner's session closes: /controller goes, the loser's watch fires and it wins epoch 2.
  auto& loser = one_won ? zk2 : zk1;
  int32_t loser_id = one_won ? 2 : 1;
  std::optional<WatchEvent> deleted;
  auto [we2, still] = wait<ZkError, std::optional<int32_t>>(cluster.loop, [&](auto done) {
    loser.watch_controller([&](WatchEvent ev, const std::string&) { deleted = ev; }, done);
  });
  BOOST_TEST(we2 == ZkError::ok);
  BOOST_TEST((still == std::optional<int32_t>(winner)));
  (one_won ? s1 : s2).reset();
  BOOST_TEST_REQUIRE(cluster.loop.run_until([&] { return deleted.has_value(); }));
  BOOST_TEST((*deleted == WatchEvent::deleted));
  auto next = wait<ZkError, bool, int32_t, int32_t, int32_t>(
      cluster.loop, [&](auto done) { loser.try_elect_controller(loser_id, done); });
  BOOST_TEST(std::get<0>(next) == ZkError::ok);
  BOOST_TEST(std::get<1>(next));
  BOOST_TEST(std::get<2>(next) == loser_id);
  BOOST_TEST(std::get<3>(next) == 2);
  BOOST_TEST(std::get<4>(next) == std::get<4>(*r1) + 1);
  auto [ee, epoch, version] =
      wait<ZkError, int32_t, int32_t>(cluster.loop, [&](auto done) { loser.get_controller_epoch(done); });
  BOOST_TEST(ee == ZkError::ok);
  BOOST_TEST(epoch == 2);
  BOOST_TEST(version == std::get<4>(next));
  // The same controller asking again is told it already is the controller.
  auto mine = wait<ZkError, bool, int32_t, int32_t, int32_t>(
      cluster.loop, [&](auto done) { loser.try_elect_controller(loser_id, done); });
  BOOST_TEST(std::get<1>(mine));
  BOOST_TEST(std::get<3>(mine) == 2);
}

BOOST_AUTO_TEST_CASE(topic_and_fenced_partition_state) {
  Cluster cluster("partition");
  auto s1 = cluster.connect();
  auto s2 = cluster.connect();
  KafkaZkClient zk1(*s1), zk2(*s2);
  auto [te] = wait<ZkError>(cluster.loop, [&](auto done) { zk1.create_top_level_paths(done); });
  BOOST_TEST(te == ZkError::ok);
  auto c1 = wait<ZkError, bool, int32_t, int32_t, int32_t>(
      cluster.loop, [&](auto done) { zk1.try_elect_controller(1, done); });
  BOOST_TEST_REQUIRE(std::get<1>(c1));
  int32_t epoch_zk_version = std::get<4>(c1);

  TopicAssignment a{new_topic_id(), {{0, {1, 2}}, {1, {2, 1}}}, {}, {}};
  std::map<std::string, std::string> config{{"cleanup.policy", "compact"}};
  auto [ce] = wait<ZkError>(cluster.loop, [&](auto done) { zk1.create_topic("t", a, config, done); });
  BOOST_TEST(ce == ZkError::ok);
  auto [ce2] = wait<ZkError>(cluster.loop, [&](auto done) { zk1.create_topic("t", a, config, done); });
  BOOST_TEST(ce2 == ZkError::node_exists);
  auto [ae, read] = wait<ZkError, TopicAssignment>(
      cluster.loop, [&](auto done) { zk2.get_topic_assignment("t", {}, done); });
  BOOST_TEST(ae == ZkError::ok);
  BOOST_TEST((read == a));
  auto [cfe, cfg] = wait<ZkError, std::map<std::string, std::string>>(
      cluster.loop, [&](auto done) { zk2.get_topic_config("t", done); });
  BOOST_TEST(cfe == ZkError::ok);
  BOOST_TEST((cfg == config));
  auto [sce] = wait<ZkError>(cluster.loop, [&](auto done) {
    zk2.set_topic_config("t", {{"retention.ms", "1000"}}, done);
  });
  BOOST_TEST(sce == ZkError::ok);
  auto [cfe2, cfg2] = wait<ZkError, std::map<std::string, std::string>>(
      cluster.loop, [&](auto done) { zk1.get_topic_config("t", done); });
  (void)cfe2;
  BOOST_TEST(cfg2.at("retention.ms") == "1000");
  BOOST_TEST(cfg2.count("cleanup.policy") == 0u);
  auto [nce, none] = wait<ZkError, std::map<std::string, std::string>>(
      cluster.loop, [&](auto done) { zk1.get_topic_config("nope", done); });
  BOOST_TEST(nce == ZkError::ok);
  BOOST_TEST(none.empty());
  auto [tle, topics] =
      wait<ZkError, std::vector<std::string>>(cluster.loop, [&](auto done) { zk1.get_topics({}, done); });
  BOOST_TEST(tle == ZkError::ok);
  BOOST_TEST((topics == std::vector<std::string>{"t"}));

  std::map<int32_t, PartitionState> states{{0, {1, 0, {1, 2}, 1, 0}}, {1, {2, 0, {2, 1}, 1, 0}}};
  auto [pe] = wait<ZkError>(
      cluster.loop, [&](auto done) { zk1.create_partition_states("t", states, epoch_zk_version, done); });
  BOOST_TEST(pe == ZkError::ok);
  auto [ge, state, zk_version] = wait<ZkError, PartitionState, int32_t>(
      cluster.loop, [&](auto done) { zk2.get_partition_state("t", 0, {}, done); });
  BOOST_TEST(ge == ZkError::ok);
  BOOST_TEST((state == states[0]));
  BOOST_TEST(zk_version == 0);

  // Conditional update: ok at version 0 (→ 1), bad_version when stale.
  PartitionState shrunk{1, 1, {1}, 1, 0};
  auto [ue, v1] = wait<ZkError, int32_t>(cluster.loop, [&](auto done) {
    zk1.update_partition_state("t", 0, shrunk, 0, epoch_zk_version, done);
  });
  BOOST_TEST(ue == ZkError::ok);
  BOOST_TEST(v1 == 1);
  auto [ue2, v2] = wait<ZkError, int32_t>(cluster.loop, [&](auto done) {
    zk1.update_partition_state("t", 0, shrunk, 0, epoch_zk_version, done);
  });
  BOOST_TEST(ue2 == ZkError::bad_version);
  BOOST_TEST(v2 == -1);

  // A new controller bumps /controller_epoch: the old one's fenced writes fail with controller_moved.
  s1.reset();  // old controller's session ends (it keeps its stale epoch_zk_version)
  auto c2 = wait<ZkError, bool, int32_t, int32_t, int32_t>(
      cluster.loop, [&](auto done) { zk2.try_elect_controller(2, done); });
  BOOST_TEST_REQUIRE(std::get<1>(c2));
  BOOST_TEST(std::get<3>(c2) == 2);
  auto stale_controller = cluster.connect();
  KafkaZkClient old(*stale_controller);
  auto [fe, fv] = wait<ZkError, int32_t>(cluster.loop, [&](auto done) {
    old.update_partition_state("t", 0, states[0], 1, epoch_zk_version, done);
  });
  BOOST_TEST(fe == ZkError::controller_moved);
  BOOST_TEST(fv == -1);
  auto [fce] = wait<ZkError>(cluster.loop, [&](auto done) {
    old.create_partition_states("t", {{2, states[0]}}, epoch_zk_version, done);
  });
  BOOST_TEST(fce == ZkError::controller_moved);
  auto [gie, gst, gv] = wait<ZkError, PartitionState, int32_t>(
      cluster.loop, [&](auto done) { zk2.get_partition_state("t", 0, {}, done); });
  (void)gie;
  BOOST_TEST((gst == shrunk));  // unchanged by the fenced write
  BOOST_TEST(gv == 1);
  // The new controller's write with its own epoch version goes through.
  auto [ne, nv] = wait<ZkError, int32_t>(cluster.loop, [&](auto done) {
    zk2.update_partition_state("t", 0, PartitionState{2, 2, {2, 1}, 2, 0}, 1, std::get<4>(c2), done);
  });
  BOOST_TEST(ne == ZkError::ok);
  BOOST_TEST(nv == 2);

  // Deletion: mark, list, delete everything atomically (fenced), idempotent afterwards.
  auto [me] = wait<ZkError>(cluster.loop, [&](auto done) { zk2.mark_topic_for_deletion("t", done); });
  BOOST_TEST(me == ZkError::ok);
  auto [me2] = wait<ZkError>(cluster.loop, [&](auto done) { zk2.mark_topic_for_deletion("t", done); });
  BOOST_TEST(me2 == ZkError::node_exists);
  auto [le, marked] = wait<ZkError, std::vector<std::string>>(
      cluster.loop, [&](auto done) { zk2.get_topics_marked_for_deletion({}, done); });
  BOOST_TEST(le == ZkError::ok);
  BOOST_TEST((marked == std::vector<std::string>{"t"}));
  auto [sde] = wait<ZkError>(cluster.loop, [&](auto done) { old.delete_topic("t", epoch_zk_version, done); });
  BOOST_TEST(sde == ZkError::controller_moved);
  auto [de] = wait<ZkError>(cluster.loop, [&](auto done) { zk2.delete_topic("t", std::get<4>(c2), done); });
  BOOST_TEST(de == ZkError::ok);
  for (const auto& p :
       {paths::topic_path("t"), paths::topic_config_path("t"), paths::delete_topic_path("t")}) {
    auto [xe, xst] = wait<ZkError, Stat>(cluster.loop, [&](auto done) { s2->exists(p, {}, done); });
    (void)xst;
    BOOST_TEST(xe == ZkError::no_node, p);
  }
  auto [de2] = wait<ZkError>(cluster.loop, [&](auto done) { zk2.delete_topic("t", std::get<4>(c2), done); });
  BOOST_TEST(de2 == ZkError::ok);
}

BOOST_AUTO_TEST_CASE(set_topic_assignment_is_conditional) {
  Cluster cluster("assign");
  auto s = cluster.connect();
  KafkaZkClient zk(*s);
  TopicAssignment a{"", {{0, {1}}}, {}, {}};
  auto [ce] = wait<ZkError>(
      cluster.loop, [&](auto done) { zk.create_topic("old", a, {}, done); });  // no top-level paths yet
  BOOST_TEST(ce == ZkError::ok);
  a.topic_id = new_topic_id();
  auto [se] = wait<ZkError>(cluster.loop, [&](auto done) { zk.set_topic_assignment("old", a, 0, done); });
  BOOST_TEST(se == ZkError::ok);
  auto [se2] = wait<ZkError>(cluster.loop, [&](auto done) { zk.set_topic_assignment("old", a, 0, done); });
  BOOST_TEST(se2 == ZkError::bad_version);
  auto [ge, read] = wait<ZkError, TopicAssignment>(
      cluster.loop, [&](auto done) { zk.get_topic_assignment("old", {}, done); });
  BOOST_TEST(ge == ZkError::ok);
  BOOST_TEST(read.topic_id == a.topic_id);
}

BOOST_AUTO_TEST_CASE(producer_id_blocks_never_overlap) {
  Cluster cluster("pids");
  auto s1 = cluster.connect();
  auto s2 = cluster.connect();
  KafkaZkClient zk1(*s1), zk2(*s2);
  std::vector<ProducerIdBlock> blocks;
  int errors = 0;
  constexpr int kPerBroker = 6;
  for (int i = 0; i < kPerBroker; ++i) {
    for (auto* zk : {&zk1, &zk2}) {
      zk->allocate_producer_id_block(zk == &zk1 ? 1 : 2, [&](ZkError e, ProducerIdBlock b) {
        if (e != ZkError::ok) ++errors;
        blocks.push_back(b);
      });
    }
  }
  BOOST_TEST_REQUIRE(cluster.loop.run_until([&] { return blocks.size() == 2 * kPerBroker; }));
  BOOST_TEST(errors == 0);
  std::sort(blocks.begin(), blocks.end(), [](auto& x, auto& y) { return x.block_start < y.block_start; });
  for (size_t i = 0; i < blocks.size(); ++i) {
    BOOST_TEST(blocks[i].block_start == static_cast<int64_t>(i) * kProducerIdBlockSize);
    BOOST_TEST(blocks[i].block_end == blocks[i].block_start + kProducerIdBlockSize - 1);
  }
  auto [ge, data, st] = wait<ZkError, std::string, Stat>(
      cluster.loop, [&](auto done) { s1->get(std::string(paths::kLatestProducerIdBlock), {}, done); });
  (void)st;
  BOOST_TEST(ge == ZkError::ok);
  auto last = decode_producer_id_block(data);
  BOOST_TEST_REQUIRE(last.has_value());
  BOOST_TEST(last->block_end == 2 * kPerBroker * kProducerIdBlockSize - 1);
}

BOOST_AUTO_TEST_CASE(isr_change_notifications_are_sequential) {
  Cluster cluster("isrchange");
  auto s = cluster.connect();
  KafkaZkClient zk(*s);
  auto [e1] = wait<ZkError>(cluster.loop, [&](auto done) {
    zk.create_isr_change_notification({{"t", 0}}, done);
  });
  BOOST_TEST(e1 == ZkError::ok);
  auto [e2] = wait<ZkError>(cluster.loop, [&](auto done) {
    zk.create_isr_change_notification({{"t", 1}, {"u", 3}}, done);
  });
  BOOST_TEST(e2 == ZkError::ok);
  auto [ce, children] = wait<ZkError, std::vector<std::string>>(cluster.loop, [&](auto done) {
    s->get_children(std::string(paths::kIsrChangeNotification), {}, done);
  });
  BOOST_TEST(ce == ZkError::ok);
  std::sort(children.begin(), children.end());
  BOOST_TEST_REQUIRE(children.size() == 2u);
  BOOST_TEST(children[0] == "isr_change_0000000000");
  BOOST_TEST(children[1] == "isr_change_0000000001");
  auto [ge, data, st] = wait<ZkError, std::string, Stat>(cluster.loop, [&](auto done) {
    s->get(std::string(paths::kIsrChangeNotification) + "/" + children[1], {}, done);
  });
  (void)st;
  BOOST_TEST(ge == ZkError::ok);
  BOOST_TEST(data ==
             R"({"version":1,"partitions":[{"topic":"t","partition":1},{"topic":"u","partition":3}]})");
}

BOOST_AUTO_TEST_CASE(pending_operations_end_with_closing) {
  Cluster cluster("closing");
  auto s = cluster.connect();
  KafkaZkClient zk(*s);
  std::optional<ZkError> reg, elect;
  zk.register_broker(broker(5), [&](ZkError e, int64_t) { reg = e; });
  zk.try_elect_controller(5, [&](ZkError e, bool, int32_t, int32_t, int32_t) { elect = e; });
  s.reset();
  BOOST_TEST_REQUIRE(reg.has_value());
  BOOST_TEST_REQUIRE(elect.has_value());
  BOOST_TEST(*reg == ZkError::closing);
  BOOST_TEST(*elect == ZkError::closing);
}

BOOST_AUTO_TEST_SUITE_END()
