// Assignors against Java's RangeAssignor / RoundRobinAssignor outputs, and the consumer protocol bytes.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "client/assignor.h"

#include <boost/test/unit_test.hpp>

#include "client/consumer_protocol.h"

using namespace gregor;
using namespace gregor::client;

namespace {

std::vector<TopicPartition> tps(const std::string& topic, std::initializer_list<int32_t> ps) {
  std::vector<TopicPartition> out;
  for (int32_t p : ps) out.push_back({topic, p});
  return out;
}

std::vector<TopicPartition> concat(std::vector<TopicPartition> a, const std::vector<TopicPartition>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(assignors)

// Java RangeAssignor, 2 members x 6 partitions: consumer1 [t0..t2], consumer2 [t3..t5].
BOOST_AUTO_TEST_CASE(range_two_members_six_partitions) {
  auto a = range_assign({{"t", 6}}, {{"consumer2", std::nullopt, {"t"}}, {"consumer1", std::nullopt, {"t"}}});
  BOOST_TEST((a["consumer1"] == tps("t", {0, 1, 2})));
  BOOST_TEST((a["consumer2"] == tps("t", {3, 4, 5})));
}

// Java's RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions (3 partitions each):
// consumer1 gets t1-0, t1-1, t2-0, t2-1; consumer2 gets t1-2, t2-2.
BOOST_AUTO_TEST_CASE(range_uneven_split_favours_first_members_per_topic) {
  auto a = range_assign({{"t1", 3}, {"t2", 3}}, {{"consumer1", std::nullopt, {"t1", "t2"}},
                                                 {"consumer2", std::nullopt, {"t1", "t2"}}});
  BOOST_TEST((a["consumer1"] == concat(tps("t1", {0, 1}), tps("t2", {0, 1}))));
  BOOST_TEST((a["consumer2"] == concat(tps("t1", {2}), tps("t2", {2}))));
}

// Java's testOnlyAssignsPartitionsFromSubscribedTopics / more consumers than partitions.
BOOST_AUTO_TEST_CASE(range_more_members_than_partitions_and_subscriptions) {
  auto a = range_assign(
      {{"t", 1}, {"other", 3}},
      {{"c1", std::nullopt, {"t"}}, {"c2", std::nullopt, {"t"}}, {"c3", std::nullopt, {"other"}}});
  BOOST_TEST((a["c1"] == tps("t", {0})));
  BOOST_TEST(a["c2"].empty());
  BOOST_TEST((a["c3"] == tps("other", {0, 1, 2})));
  BOOST_TEST(a.size() == 3u);
}

// Static members sort by group.instance.id before member id (Java MemberInfo.compareTo).
BOOST_AUTO_TEST_CASE(range_orders_static_members_by_instance_id) {
  auto a = range_assign({{"t", 4}}, {{"a-member", std::string("z-instance"), {"t"}},
                                     {"b-member", std::string("a-instance"), {"t"}},
                                     {"0-member", std::nullopt, {"t"}}});
  BOOST_TEST((a["b-member"] == tps("t", {0, 1})));
  BOOST_TEST((a["a-member"] == tps("t", {2})));
  BOOST_TEST((a["0-member"] == tps("t", {3})));
}

// Java RoundRobinAssignor, 2 members x 6 partitions: consumer1 [0,2,4], consumer2 [1,3,5].
BOOST_AUTO_TEST_CASE(roundrobin_two_members_six_partitions) {
  auto a = round_robin_assign({{"t", 6}},
                              {{"consumer1", std::nullopt, {"t"}}, {"consumer2", std::nullopt, {"t"}}});
  BOOST_TEST((a["consumer1"] == tps("t", {0, 2, 4})));
  BOOST_TEST((a["consumer2"] == tps("t", {1, 3, 5})));
}

// Java's RoundRobinAssignorTest.testTwoConsumersTwoTopicsSixPartitions: consumer1 t1-0, t1-2, t2-1;
// consumer2 t1-1, t2-0, t2-2.
BOOST_AUTO_TEST_CASE(roundrobin_continues_across_topics) {
  auto a = round_robin_assign({{"t1", 3}, {"t2", 3}}, {{"consumer1", std::nullopt, {"t1", "t2"}},
                                                       {"consumer2", std::nullopt, {"t1", "t2"}}});
  BOOST_TEST((a["consumer1"] == concat(tps("t1", {0, 2}), tps("t2", {1}))));
  BOOST_TEST((a["consumer2"] == concat(tps("t1", {1}), tps("t2", {0, 2}))));
}

// Java's testMultipleConsumersMixedTopics: c1 {t1}, c2 {t1,t2}, c3 {t1}; t1 has 3, t2 has 2 partitions:
// c1 [t1-0], c2 [t1-1, t2-0, t2-1], c3 [t1-2].
BOOST_AUTO_TEST_CASE(roundrobin_skips_members_not_subscribed) {
  auto a = round_robin_assign({{"t1", 3}, {"t2", 2}}, {{"consumer1", std::nullopt, {"t1"}},
                                                       {"consumer2", std::nullopt, {"t1", "t2"}},
                                                       {"consumer3", std::nullopt, {"t1"}}});
  BOOST_TEST((a["consumer1"] == tps("t1", {0})));
  BOOST_TEST((a["consumer2"] == concat(tps("t1", {1}), tps("t2", {0, 1}))));
  BOOST_TEST((a["consumer3"] == tps("t1", {2})));
}

BOOST_AUTO_TEST_CASE(unknown_topics_and_names) {
  auto a = range_assign({}, {{"c1", std::nullopt, {"missing"}}});
  BOOST_TEST(a["c1"].empty());
  BOOST_TEST(!assign_by_name("sticky", {}, {}).has_value());
  BOOST_TEST(assign_by_name("roundrobin", {{"t", 2}}, {{"c", std::nullopt, {"t"}}})->at("c").size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(consumer_protocol)

// The bytes Java's ConsumerProtocol.serializeSubscription writes for version 1.
BOOST_AUTO_TEST_CASE(subscription_v1_bytes) {
  ConsumerSubscription s;
  s.topics = {"t"};
  s.owned_partitions = tps("t", {0});
  std::vector<uint8_t> expected = {0,    1,                            // version
                                   0,    0,    0,    1,    0, 1, 't',  // topics
                                   0xff, 0xff, 0xff, 0xff,             // user data null
                                   0,    0,    0,    1,    0, 1, 't', 0,
                                   0,    0,    1,    0,    0, 0, 0};  // owned partitions
  BOOST_TEST(encode_subscription(s) == expected);
  auto back = decode_subscription(expected);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->topics == s.topics);
  BOOST_TEST((back->owned_partitions == s.owned_partitions));
  BOOST_TEST(!back->user_data.has_value());
}

// Java 3.x sends version 3 (generation and rack); we read all of it.
BOOST_AUTO_TEST_CASE(subscription_v3_from_java_decodes) {
  std::vector<uint8_t> v3 = {0, 3, 0,   0,  0, 2, 0, 1,   'a',
                             0, 1, 'b', 0,  0, 0, 2, 'x', 'y',  // topics, user data
                             0, 0, 0,   0,                      // no owned
                             0, 0, 0,   7,                      // generation
                             0, 2, 'r', '1'};                   // rack
  auto s = decode_subscription(v3);
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(s->version == 3);
  BOOST_TEST((s->topics == std::vector<std::string>{"a", "b"}));
  BOOST_TEST((*s->user_data == std::vector<uint8_t>{'x', 'y'}));
  BOOST_TEST(s->generation_id == 7);
  BOOST_TEST(*s->rack_id == "r1");
  // v0 has no owned partitions: a v0 reader stops after the user data.
  std::vector<uint8_t> v0 = {0, 0, 0, 0, 0, 1, 0, 1, 't', 0xff, 0xff, 0xff, 0xff};
  auto s0 = decode_subscription(v0);
  BOOST_REQUIRE(s0.has_value());
  BOOST_TEST(s0->owned_partitions.empty());
  BOOST_TEST(!decode_subscription(std::vector<uint8_t>{0, 1, 0, 0, 0, 5}).has_value());
}

BOOST_AUTO_TEST_CASE(assignment_round_trip_and_empty) {
  ConsumerAssignment a;
  a.partitions = concat(tps("b", {2}), tps("a", {1, 0}));
  auto bytes = encode_assignment(a);
  auto back = decode_assignment(bytes);
  BOOST_REQUIRE(back.has_value());
  // Grouped by topic on the wire: a's partitions first, in the order given.
  BOOST_TEST((back->partitions == concat(tps("a", {1, 0}), tps("b", {2}))));
  auto empty = decode_assignment(std::vector<uint8_t>{});
  BOOST_REQUIRE(empty.has_value());
  BOOST_TEST(empty->partitions.empty());
  BOOST_TEST(format_partitions(back->partitions) == "a(0,1),b(2)");
}

BOOST_AUTO_TEST_SUITE_END()
