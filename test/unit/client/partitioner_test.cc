// DefaultPartitioner: Java's murmur2 key mapping (protocol.md §8 vectors) and sticky null-key choice.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "client/partitioner.h"

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>

#include "protocol/hash.h"
#include "protocol/record.h"

using gregor::byte_view;
using gregor::client::DefaultPartitioner;

BOOST_AUTO_TEST_SUITE(partitioner)

BOOST_AUTO_TEST_CASE(murmur2_matches_java_vectors) {
  BOOST_TEST(gregor::murmur2(byte_view("21")) == -973932308);
  BOOST_TEST(gregor::murmur2(byte_view("foobar")) == -790332482);
  BOOST_TEST(gregor::murmur2(byte_view("a-little-bit-long-string")) == -985981536);
  BOOST_TEST(gregor::murmur2(byte_view("a-little-bit-longer-string")) == -1486304829);
  BOOST_TEST(gregor::murmur2(byte_view("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")) == -58897971);
  BOOST_TEST(gregor::murmur2(byte_view("abc")) == 479470107);
}

BOOST_AUTO_TEST_CASE(keyed_records_follow_the_java_table) {
  struct Row {
    std::string key;
    int n3, n6, n10, n12;
  };
  // protocol.md §8.1 "Computed partitions".
  const Row rows[] = {{"key1", 2, 2, 0, 8},
                      {"hello", 0, 3, 9, 9},
                      {"user-42", 1, 4, 0, 4},
                      {"a", 1, 4, 4, 4},
                      {"", 0, 3, 1, 9}};
  DefaultPartitioner p(1);
  for (const auto& r : rows) {
    auto key = std::optional<std::span<const uint8_t>>(byte_view(r.key));
    BOOST_TEST_CONTEXT("key '" << r.key << "'") {
      BOOST_TEST(p.partition("t", key, 3, {}) == r.n3);
      BOOST_TEST(p.partition("t", key, 6, {}) == r.n6);
      BOOST_TEST(p.partition("t", key, 10, {}) == r.n10);
      BOOST_TEST(p.partition("t", key, 12, {}) == r.n12);
      // Keys hash over all partitions, whether or not they have a leader right now.
      BOOST_TEST(p.partition("t", key, 12, {0}) == r.n12);
    }
  }
}

BOOST_AUTO_TEST_CASE(null_keys_stick_until_a_batch_completes) {
  DefaultPartitioner p(7);
  int32_t first = p.partition("t", std::nullopt, 8, {});
  for (int i = 0; i < 100; ++i) BOOST_TEST(p.partition("t", std::nullopt, 8, {}) == first);
  // Another topic has its own sticky partition; completing a batch elsewhere changes nothing.
  p.partition("u", std::nullopt, 8, {});
  p.on_new_batch("t", (first + 1) % 8);
  BOOST_TEST(p.partition("t", std::nullopt, 8, {}) == first);
  // After batches complete the choice moves: over many switches more than one partition is used.
  std::set<int32_t> seen;
  for (int i = 0; i < 50; ++i) {
    int32_t cur = p.partition("t", std::nullopt, 8, {});
    seen.insert(cur);
    p.on_new_batch("t", cur);
  }
  BOOST_TEST(seen.size() > 1u);
}

BOOST_AUTO_TEST_CASE(null_keys_prefer_available_partitions) {
  DefaultPartitioner p(3);
  for (int i = 0; i < 50; ++i) {
    int32_t cur = p.partition("t", std::nullopt, 6, {2, 5});
    BOOST_TEST((cur == 2 || cur == 5));
    p.on_new_batch("t", cur);
  }
}

BOOST_AUTO_TEST_SUITE_END()
