// Tests for protocol/hash.h and CRC-32C: murmur2, Java String.hashCode and placement vectors of spec §8.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "protocol/hash.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <string_view>

#include "protocol/crc32c.h"
#include "protocol/record.h"

using namespace gregor;

BOOST_AUTO_TEST_SUITE(hash)

BOOST_AUTO_TEST_CASE(crc32c_check_value) {
  std::string_view s = "123456789";
  BOOST_TEST(crc32c(reinterpret_cast<const uint8_t*>(s.data()), s.size()) == 0xE3069283u);
}

BOOST_AUTO_TEST_CASE(crc32_ieee_check_value) {
  BOOST_TEST(crc32_ieee(byte_view("123456789")) == 0xCBF43926u);
}

BOOST_AUTO_TEST_CASE(murmur2_java_vectors) {
  // clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java testMurmur2.
  BOOST_TEST(murmur2(byte_view("21")) == -973932308);
  BOOST_TEST(murmur2(byte_view("foobar")) == -790332482);
  BOOST_TEST(murmur2(byte_view("a-little-bit-long-string")) == -985981536);
  BOOST_TEST(murmur2(byte_view("a-little-bit-longer-string")) == -1486304829);
  BOOST_TEST(murmur2(byte_view("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")) == -58897971);
  BOOST_TEST(murmur2(byte_view("abc")) == 479470107);
}

struct KeyRow {
  const char* key;
  int32_t hash;
  int32_t positive;
  int32_t p3, p6, p10, p12;
};

BOOST_AUTO_TEST_CASE(partition_for_key_vectors) {
  const KeyRow rows[] = {
      {"key1", 28543940, 28543940, 2, 2, 0, 8},        {"hello", 2132663229, 2132663229, 0, 3, 9, 9},
      {"user-42", 1459644460, 1459644460, 1, 4, 0, 4}, {"a", -1563381124, 584102524, 1, 4, 4, 4},
      {"", 275646681, 275646681, 0, 3, 1, 9},
  };
  for (const KeyRow& r : rows) {
    BOOST_TEST_CONTEXT("key '" << r.key << "'") {
      auto key = byte_view(r.key);
      BOOST_TEST(murmur2(key) == r.hash);
      BOOST_TEST(to_positive(murmur2(key)) == r.positive);
      BOOST_TEST(partition_for_key(key, 3) == r.p3);
      BOOST_TEST(partition_for_key(key, 6) == r.p6);
      BOOST_TEST(partition_for_key(key, 10) == r.p10);
      BOOST_TEST(partition_for_key(key, 12) == r.p12);
    }
  }
}

BOOST_AUTO_TEST_CASE(to_positive_is_not_abs) {
  BOOST_TEST(to_positive(-1) == 0x7fffffff);
  BOOST_TEST(to_positive(INT32_MIN) == 0);
  BOOST_TEST(to_positive(5) == 5);
}

BOOST_AUTO_TEST_CASE(java_abs_maps_min_to_zero) {
  BOOST_TEST(java_abs(INT32_MIN) == 0);
  BOOST_TEST(java_abs(-48) == 48);
  BOOST_TEST(java_abs(7) == 7);
}

BOOST_AUTO_TEST_CASE(group_placement_vectors) {
  struct Row {
    const char* group;
    int32_t hash;
    int32_t partition;
  };
  const Row rows[] = {
      {"my-group", -1906497762, 12},
      {"console-consumer-12345", 158455506, 6},
      {"test", 3556498, 48},
      {"group1", -1237460590, 40},
      {"", 0, 0},
      {"polygenelubricants", INT32_MIN, 0},
  };
  for (const Row& r : rows) {
    BOOST_TEST_CONTEXT("group '" << r.group << "'") {
      BOOST_TEST(java_string_hash(r.group) == r.hash);
      BOOST_TEST(partition_for_group(r.group, 50) == r.partition);
    }
  }
}

BOOST_AUTO_TEST_CASE(java_string_hash_non_ascii) {
  // Expected values from hashing Python's UTF-16 transcoding the Java way.
  BOOST_TEST(java_string_hash("\xc3\xa9") == 233);              // é, one BMP unit
  BOOST_TEST(java_string_hash("\xf0\x9f\x98\x80") == 1772899);  // U+1F600: surrogate pair D83D DE00
  BOOST_TEST(java_string_hash("gr\xc3\xbc\xc3\x9f"
                              "e-\xf0\x9f\x98\x80-group") == -2042762741);
}

BOOST_AUTO_TEST_CASE(java_string_hash_malformed_utf8_uses_replacement) {
  // One U+FFFD per maximal invalid subpart, like Java's (and Python's) decoder.
  BOOST_TEST(java_string_hash("a\xe2\x82"
                              "b") == 2124838);                 // truncated 3-byte sequence
  BOOST_TEST(java_string_hash("\xe0\x80\x80") == 65074269);     // overlong: three replacements
  BOOST_TEST(java_string_hash("x\xf0\x9f\x98") == 69253);       // truncated at the end
  BOOST_TEST(java_string_hash("\xed\xa0\x80z") == 2017302461);  // encoded surrogate
}

BOOST_AUTO_TEST_CASE(librdkafka_consistent_partitioner_is_crc32) {
  auto key = byte_view("123456789");
  BOOST_TEST(librdkafka_consistent_partition(key, 7) == static_cast<int32_t>(0xCBF43926u % 7));
}

BOOST_AUTO_TEST_SUITE_END()
