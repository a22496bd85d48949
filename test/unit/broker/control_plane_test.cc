// Tests of controller-request fencing (§4.3) and UpdateMetadata applied to the metadata cache.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include "broker/control_plane_apis.h"
#include "error_code_print.h"

using namespace gregor;
using namespace gregor::broker;

namespace {
proto::ControlHeader header(int32_t controller_epoch, int64_t broker_epoch) {
  proto::ControlHeader h;
  h.set_controller_id(1);
  h.set_controller_epoch(controller_epoch);
  h.set_broker_epoch(broker_epoch);
  return h;
}

void add_partition(proto::UpdateMetadataRequest& r, const std::string& topic, int32_t p, int32_t leader,
                   std::vector<int32_t> isr, std::vector<int32_t> offline = {}) {
  auto* ps = r.add_partitions();
  ps->set_topic(topic);
  ps->set_partition(p);
  ps->set_leader(leader);
  ps->set_leader_epoch(3);
  ps->set_partition_epoch(7);
  for (int32_t i : isr) ps->add_isr(i);
  for (int32_t i : {1, 2, 3}) ps->add_replicas(i);
  for (int32_t i : offline) ps->add_offline_replicas(i);
}

void add_broker(proto::UpdateMetadataRequest& r, int32_t id, int32_t port) {
  auto* b = r.add_live_brokers();
  b->set_id(id);
  auto* ep = b->add_endpoints();
  ep->set_listener("PLAINTEXT");
  ep->set_host("127.0.0.1");
  ep->set_port(port);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(control_plane)

BOOST_AUTO_TEST_CASE(stale_broker_epoch_is_refused_newer_and_unknown_accepted) {
  int32_t highest = -1;
  BOOST_TEST(check_control_header(header(1, 99), 100, highest) == ErrorCode::STALE_BROKER_EPOCH);
  BOOST_TEST(highest == -1);  // a refused request does not move the controller epoch
  BOOST_TEST(check_control_header(header(1, 100), 100, highest) == ErrorCode::NONE);
  BOOST_TEST(check_control_header(header(1, 150), 100, highest) == ErrorCode::NONE);
  BOOST_TEST(check_control_header(header(1, -1), 100, highest) == ErrorCode::NONE);
  BOOST_TEST(check_control_header(header(1, 5), -1, highest) == ErrorCode::NONE);
}

BOOST_AUTO_TEST_CASE(controller_epoch_only_moves_forward) {
  int32_t highest = -1;
  BOOST_TEST(check_control_header(header(4, -1), 10, highest) == ErrorCode::NONE);
  BOOST_TEST(highest == 4);
  BOOST_TEST(check_control_header(header(3, -1), 10, highest) == ErrorCode::STALE_CONTROLLER_EPOCH);
  BOOST_TEST(highest == 4);
  BOOST_TEST(check_control_header(header(4, -1), 10, highest) == ErrorCode::NONE);
  BOOST_TEST(check_control_header(header(6, -1), 10, highest) == ErrorCode::NONE);
  BOOST_TEST(highest == 6);
}

BOOST_AUTO_TEST_CASE(update_metadata_replaces_brokers_and_listed_partitions) {
  MetadataCache cache;
  cache.brokers[9] = LiveBroker{9, {}, std::nullopt};
  cache.topics["keep"].partitions[0].leader = 9;
  proto::UpdateMetadataRequest r;
  *r.mutable_header() = header(2, -1);
  r.mutable_header()->set_controller_id(2);
  add_broker(r, 1, 9001);
  add_broker(r, 2, 9002);
  add_partition(r, "t", 0, 1, {1, 2}, {3});
  add_partition(r, "t", 1, -1, {3});
  apply_update_metadata(cache, r);
  BOOST_TEST(cache.controller_id == 2);
  BOOST_TEST(cache.brokers.size() == 2u);
  BOOST_TEST(!cache.is_alive(9));
  BOOST_TEST(cache.brokers.at(2).endpoints.at("PLAINTEXT").port == 9002);
  BOOST_TEST(cache.topics.count("keep") == 1u);  // partitions not listed stay as they were
  auto& p0 = cache.topics.at("t").partitions.at(0);
  BOOST_TEST(p0.leader == 1);
  BOOST_TEST(p0.leader_epoch == 3);
  BOOST_TEST(p0.zk_version == 7);
  BOOST_TEST((p0.isr == std::vector<int32_t>{1, 2}));
  BOOST_TEST((p0.offline_replicas == std::vector<int32_t>{3}));
  BOOST_TEST(cache.topics.at("t").partitions.at(1).leader == -1);
}

BOOST_AUTO_TEST_CASE(leader_minus_two_removes_partition_then_topic) {
  MetadataCache cache;
  proto::UpdateMetadataRequest r;
  add_partition(r, "t", 0, 1, {1});
  add_partition(r, "t", 1, 1, {1});
  apply_update_metadata(cache, r);
  proto::UpdateMetadataRequest del;
  add_partition(del, "t", 0, -2, {});
  apply_update_metadata(cache, del);
  BOOST_TEST(cache.topics.at("t").partitions.size() == 1u);
  proto::UpdateMetadataRequest del2;
  add_partition(del2, "t", 1, -2, {});
  apply_update_metadata(cache, del2);
  BOOST_TEST(cache.topics.count("t") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
