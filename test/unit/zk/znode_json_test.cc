// Tests for znode_json: byte-exact encodings of Kafka's payloads and decoding of Kafka's own strings
// (2.x-3.9).
#ifndef BOOST_TEST_DYN_LINK  // meson's boost dependency may define it already
#define BOOST_TEST_DYN_LINK
#endif
#include "zk/znode_json.h"

#include <boost/test/unit_test.hpp>
#include <set>

#include "zk/paths.h"

using namespace gregor::zk;

BOOST_AUTO_TEST_SUITE(znode_json)

BOOST_AUTO_TEST_CASE(broker_registration_v5_exact) {
  BrokerRegistration r;
  r.id = 2;
  r.endpoints = {{"PLAINTEXT", "host1", 9092}, {"REPLICATION", "host1", 9093}};
  r.security_protocol_map = {{"PLAINTEXT", "PLAINTEXT"}, {"REPLICATION", "PLAINTEXT"}};
  r.rack = "r1";
  r.timestamp_ms = 1700000000123;
  BOOST_TEST(
      encode(r) ==
      R"({"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","REPLICATION":"PLAINTEXT"},)"
      R"("endpoints":["PLAINTEXT://host1:9092","REPLICATION://host1:9093"],"jmx_port":-1,"features":{},)"
      R"("host":"host1","timestamp":"1700000000123","port":9092,"version":5,"rack":"r1"})");
  auto back = decode_broker_registration(encode(r), 2);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST((*back == r));
}

BOOST_AUTO_TEST_CASE(broker_registration_without_plaintext_has_null_host) {
  BrokerRegistration r;
  r.id = 1;
  r.endpoints = {{"INTERNAL", "10.0.0.1", 9093}};
  r.security_protocol_map = {{"INTERNAL", "SSL"}};
  r.timestamp_ms = 5;
  BOOST_TEST(
      encode(r) ==
      R"({"listener_security_protocol_map":{"INTERNAL":"SSL"},"endpoints":["INTERNAL://10.0.0.1:9093"],)"
      R"("jmx_port":-1,"features":{},"host":null,"timestamp":"5","port":-1,"version":5})");
  // host/port come from the first listener whose *protocol* is PLAINTEXT, whatever its name.
  r.endpoints.push_back({"CLIENT", "h", 19092});
  r.security_protocol_map["CLIENT"] = "PLAINTEXT";
  BOOST_TEST(encode(r).find(R"("host":"h","timestamp":"5","port":19092)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(broker_registration_decodes_kafka_versions) {
  // Kafka 2.x (IBP 0.10.0 - 2.6) writes version 4.
  auto v4 = decode_broker_registration(
      R"({"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","SSL":"SSL"},"endpoints":["PLAINTEXT://kafka1:9092","SSL://kafka1:9093"],"jmx_port":9999,"host":"kafka1","timestamp":"1563886848044","port":9092,"version":4})",
      7);
  BOOST_TEST_REQUIRE(v4.has_value());
  BOOST_TEST(v4->id == 7);
  BOOST_TEST(v4->jmx_port == 9999);
  BOOST_TEST(v4->timestamp_ms == 1563886848044);
  BOOST_TEST(v4->endpoints.size() == 2u);
  BOOST_TEST(v4->endpoints[1].listener_name == "SSL");
  BOOST_TEST(v4->endpoints[1].port == 9093);
  BOOST_TEST(v4->security_protocol_map.at("SSL") == "SSL");
  BOOST_TEST(!v4->rack.has_value());
  // Version 3 (rack, no protocol map), version 2 (endpoints), version 1 (host/port only).
  auto v3 = decode_broker_registration(
      R"({"jmx_port":-1,"timestamp":"1","endpoints":["PLAINTEXT://b3:9092"],"rack":"eu-1a","host":"b3","version":3,"port":9092})",
      3);
  BOOST_TEST_REQUIRE(v3.has_value());
  BOOST_TEST((v3->rack == std::optional<std::string>("eu-1a")));
  BOOST_TEST(v3->endpoints[0].host == "b3");
  auto v1 = decode_broker_registration(
      R"({"jmx_port":-1,"timestamp":"1409341347224","host":"broker1","version":1,"port":9092})", 1);
  BOOST_TEST_REQUIRE(v1.has_value());
  BOOST_TEST_REQUIRE(v1->endpoints.size() == 1u);
  BOOST_TEST(v1->endpoints[0].listener_name == "PLAINTEXT");
  BOOST_TEST(v1->endpoints[0].host == "broker1");
  BOOST_TEST(v1->endpoints[0].port == 9092);
  // Null host (no PLAINTEXT listener), null rack, IPv6 endpoint.
  auto v5 = decode_broker_registration(
      R"({"listener_security_protocol_map":{"SSL":"SSL"},"endpoints":["SSL://[::1]:9093"],"jmx_port":-1,"features":{"x":{"min_version":1,"max_version":2}},"host":null,"timestamp":"1","port":-1,"version":5,"rack":null})",
      9);
  BOOST_TEST_REQUIRE(v5.has_value());
  BOOST_TEST(v5->endpoints[0].host == "::1");
  BOOST_TEST(v5->endpoints[0].port == 9093);
  BOOST_TEST(!v5->rack.has_value());
  BOOST_TEST(to_connection_string(v5->endpoints[0]) == "SSL://[::1]:9093");
}

BOOST_AUTO_TEST_CASE(broker_registration_rejects_garbage) {
  BOOST_TEST(!decode_broker_registration("not json", 1).has_value());
  BOOST_TEST(!decode_broker_registration("[1,2]", 1).has_value());
  BOOST_TEST(!decode_broker_registration(R"({"endpoints":["nonsense"],"version":5})", 1).has_value());
  BOOST_TEST(!decode_broker_registration(R"({"timestamp":"12x","version":5})", 1).has_value());
}

BOOST_AUTO_TEST_CASE(topic_assignment_v3_exact) {
  TopicAssignment a;
  a.topic_id = "nVk7yqMhRp2XOCuWYaHZrw";
  a.partitions = {{0, {1, 2, 3}}, {1, {2, 3, 1}}};
  BOOST_TEST(encode(a) ==
             R"({"version":3,"topic_id":"nVk7yqMhRp2XOCuWYaHZrw","partitions":{"0":[1,2,3],"1":[2,3,1]},)"
             R"("adding_replicas":{},"removing_replicas":{}})");
  auto back = decode_topic_assignment(encode(a));
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST((*back == a));
  // Partitions are ordered numerically (10 after 9), reassignment entries only when non-empty.
  TopicAssignment b;
  for (int p = 0; p < 11; ++p) b.partitions[p] = {p};
  b.adding_replicas = {{3, {4}}, {4, {}}};
  auto text = encode(b);
  BOOST_TEST(text.find(R"("9":[9],"10":[10]})") != std::string::npos);
  BOOST_TEST(text.find(R"("adding_replicas":{"3":[4]})") != std::string::npos);
  BOOST_TEST(text.find("topic_id") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(topic_assignment_decodes_old_versions) {
  auto v1 = decode_topic_assignment(R"({"version":1,"partitions":{"0":[0,1],"1":[1,0]}})");
  BOOST_TEST_REQUIRE(v1.has_value());
  BOOST_TEST(v1->topic_id.empty());
  BOOST_TEST((v1->partitions.at(1) == std::vector<int32_t>{1, 0}));
  auto v2 = decode_topic_assignment(
      R"({"version":2,"partitions":{"0":[3,1,2]},"adding_replicas":{"0":[3]},"removing_replicas":{"0":[2]}})");
  BOOST_TEST_REQUIRE(v2.has_value());
  BOOST_TEST((v2->adding_replicas.at(0) == std::vector<int32_t>{3}));
  BOOST_TEST((v2->removing_replicas.at(0) == std::vector<int32_t>{2}));
  BOOST_TEST(!decode_topic_assignment(R"({"version":1,"partitions":{"x":[1]}})").has_value());
}

BOOST_AUTO_TEST_CASE(partition_state_exact) {
  PartitionState s{2, 5, {2, 3, 1}, 12, 0};
  BOOST_TEST(encode(s) == R"({"controller_epoch":12,"leader":2,"version":1,"leader_epoch":5,"isr":[2,3,1]})");
  auto back = decode_partition_state(encode(s));
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST((*back == s));
  s.leader_recovery_state = 1;
  s.leader = -1;
  BOOST_TEST(
      encode(s) ==
      R"({"controller_epoch":12,"leader":-1,"version":1,"leader_epoch":5,"isr":[2,3,1],"leader_recovery_state":1})");
  back = decode_partition_state(encode(s));
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->leader_recovery_state == 1);
  BOOST_TEST(!decode_partition_state(R"({"leader":1})").has_value());
}

BOOST_AUTO_TEST_CASE(controller_and_epoch) {
  BOOST_TEST(encode(ControllerInfo{2, 1700000000123}) ==
             R"({"version":1,"brokerid":2,"timestamp":"1700000000123"})");
  auto v2 = decode_controller_info(
      R"({"version":2,"brokerid":2,"timestamp":"1700000000123","kraftControllerEpoch":-1})");
  BOOST_TEST_REQUIRE(v2.has_value());
  BOOST_TEST(v2->broker_id == 2);
  BOOST_TEST(v2->timestamp_ms == 1700000000123);
  auto bare = decode_controller_info("3");
  BOOST_TEST_REQUIRE(bare.has_value());
  BOOST_TEST(bare->broker_id == 3);
  BOOST_TEST(encode_controller_epoch(12) == "12");
  BOOST_TEST(*decode_controller_epoch("7") == 7);
  BOOST_TEST(!decode_controller_epoch("7a").has_value());
}

BOOST_AUTO_TEST_CASE(cluster_id_config_producer_ids_isr_changes) {
  BOOST_TEST(encode_cluster_id("Pb4yo8SRQJ6mZCk6EDSlxw") ==
             R"({"version":"1","id":"Pb4yo8SRQJ6mZCk6EDSlxw"})");
  BOOST_TEST(*decode_cluster_id(R"({"version":"1","id":"Pb4yo8SRQJ6mZCk6EDSlxw"})") ==
             "Pb4yo8SRQJ6mZCk6EDSlxw");

  BOOST_TEST(encode_topic_config({{"retention.ms", "86400000"}, {"cleanup.policy", "compact"}}) ==
             R"({"version":1,"config":{"cleanup.policy":"compact","retention.ms":"86400000"}})");
  auto config =
      decode_topic_config(R"({"version":1,"config":{"retention.ms":"86400000","cleanup.policy":"compact"}})");
  BOOST_TEST_REQUIRE(config.has_value());
  BOOST_TEST(config->size() == 2u);
  BOOST_TEST(config->at("retention.ms") == "86400000");
  BOOST_TEST(encode_topic_config({}) == R"({"version":1,"config":{}})");

  BOOST_TEST(encode(ProducerIdBlock{2, 3000, 3999}) ==
             R"({"version":1,"broker":2,"block_start":"3000","block_end":"3999"})");
  auto block =
      decode_producer_id_block(R"({"version":1,"broker":2,"block_start":"3000","block_end":"3999"})");
  BOOST_TEST_REQUIRE(block.has_value());
  BOOST_TEST((*block == ProducerIdBlock{2, 3000, 3999}));

  BOOST_TEST(encode_isr_change_notification({{"t", 0}, {"u", 3}}) ==
             R"({"version":1,"partitions":[{"topic":"t","partition":0},{"topic":"u","partition":3}]})");
  auto isr = decode_isr_change_notification(R"({"version":1,"partitions":[{"topic":"t","partition":0}]})");
  BOOST_TEST_REQUIRE(isr.has_value());
  BOOST_TEST(isr->at(0).first == "t");
}

BOOST_AUTO_TEST_CASE(random_ids_are_kafka_uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto id = i % 2 ? new_cluster_id() : new_topic_id();
    BOOST_TEST_REQUIRE(id.size() == 22u);
    BOOST_TEST_REQUIRE(id.front() != '-');
    BOOST_TEST_REQUIRE(
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
    // Version-4 UUID: byte 6's high nibble is 4 → base64 char 8 encodes bits 48..53 = 0100xx.
    char c = id[8];
    BOOST_TEST_REQUIRE((c >= 'Q' && c <= 'T'));
    seen.insert(id);
  }
  BOOST_TEST(seen.size() == 2000u);
}

BOOST_AUTO_TEST_CASE(paths_are_kafkas) {
  BOOST_TEST(paths::broker_id_path(3) == "/brokers/ids/3");
  BOOST_TEST(paths::topic_path("t") == "/brokers/topics/t");
  BOOST_TEST(paths::partition_state_path("t", 4) == "/brokers/topics/t/partitions/4/state");
  BOOST_TEST(paths::topic_config_path("t") == "/config/topics/t");
  BOOST_TEST(paths::delete_topic_path("t") == "/admin/delete_topics/t");
  BOOST_TEST(paths::broker_config_path("<default>") == "/config/brokers/<default>");
  auto top = paths::top_level_paths();
  for (const char* p : {"/consumers", "/brokers/ids", "/brokers/topics", "/config/changes",
                        "/admin/delete_topics", "/brokers/seqid", "/isr_change_notification",
                        "/latest_producer_id_block", "/log_dir_event_notification", "/config/topics",
                        "/config/clients", "/config/users", "/config/brokers", "/config/ips"}) {
    BOOST_TEST((std::find(top.begin(), top.end(), p) != top.end()), p);
  }
}

BOOST_AUTO_TEST_SUITE_END()
