// Byte-exact tests of the __consumer_offsets key/value encodings, built by hand from the schemas.
#include "coordinator/offsets_records.h"

#include <boost/test/unit_test.hpp>

using namespace gregor::coordinator;

namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, int16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(Bytes& b, int32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}
void put64(Bytes& b, int64_t v) {
  for (int s = 56; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}
void put_str(Bytes& b, const std::string& s) {
  put16(b, static_cast<int16_t>(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}
void put_bytes(Bytes& b, const Bytes& v) {
  put32(b, static_cast<int32_t>(v.size()));
  b.insert(b.end(), v.begin(), v.end());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(offsets_records)

BOOST_AUTO_TEST_CASE(offset_commit_key_is_version_1_group_topic_partition) {
  Bytes expected = {0x00, 0x01, 0x00, 0x02, 'g', '1', 0x00, 0x03, 't', 'o', 'p', 0x00, 0x00, 0x00, 0x07};
  BOOST_TEST(encode_offset_commit_key({"g1", "top", 7}) == expected, boost::test_tools::per_element());
  auto decoded = decode_key(expected);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST((std::get<OffsetCommitKey>(*decoded) == OffsetCommitKey{"g1", "top", 7}));
}

BOOST_AUTO_TEST_CASE(offset_commit_key_version_0_is_read_the_same_way) {
  Bytes key = {0x00, 0x00, 0x00, 0x01, 'g', 0x00, 0x01, 't', 0xFF, 0xFF, 0xFF, 0xFF};
  auto decoded = decode_key(key);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST((std::get<OffsetCommitKey>(*decoded) == OffsetCommitKey{"g", "t", -1}));
}

BOOST_AUTO_TEST_CASE(offset_commit_value_v3_has_leader_epoch_before_metadata) {
  OffsetCommitValue v{0x0102030405060708LL, 9, "md", 1700000000123LL, -1};
  BOOST_TEST(offset_commit_value_version(v) == 3);
  Bytes expected;
  put16(expected, 3);
  put64(expected, 0x0102030405060708LL);
  put32(expected, 9);
  put_str(expected, "md");
  put64(expected, 1700000000123LL);
  BOOST_TEST(encode_offset_commit_value(v, 3) == expected, boost::test_tools::per_element());
  // And exactly these bytes, spelled out once.
  Bytes literal = {0x00, 0x03, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00,
                   0x09, 0x00, 0x02, 'm',  'd',  0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x7B};
  BOOST_TEST(expected == literal, boost::test_tools::per_element());
  auto decoded = decode_offset_commit_value(expected);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST((*decoded == v));
}

BOOST_AUTO_TEST_CASE(offset_commit_value_v1_carries_expire_timestamp_and_no_epoch) {
  OffsetCommitValue v{42, -1, "", 1000, 5000};
  BOOST_TEST(offset_commit_value_version(v) == 1);
  Bytes expected;
  put16(expected, 1);
  put64(expected, 42);
  put_str(expected, "");
  put64(expected, 1000);
  put64(expected, 5000);
  BOOST_TEST(encode_offset_commit_value(v, 1) == expected, boost::test_tools::per_element());
  auto decoded = decode_offset_commit_value(expected);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST((*decoded == v));
}

BOOST_AUTO_TEST_CASE(offset_commit_value_v0_and_v2_decode) {
  for (int16_t version : {0, 2}) {
    Bytes b;
    put16(b, version);
    put64(b, 77);
    put_str(b, "x");
    put64(b, 123);
    auto decoded = decode_offset_commit_value(b);
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST(decoded->offset == 77);
    BOOST_TEST(decoded->leader_epoch == -1);
    BOOST_TEST(decoded->metadata == "x");
    BOOST_TEST(decoded->commit_timestamp == 123);
    BOOST_TEST(decoded->expire_timestamp == -1);
  }
}

BOOST_AUTO_TEST_CASE(offset_commit_value_v4_flexible_decodes) {
  // v4: offset, leaderEpoch, compact string metadata (length+1 varint), commitTimestamp, tagged fields.
  Bytes b;
  put16(b, 4);
  put64(b, 10);
  put32(b, 3);
  b.push_back(0x03);  // "ab"
  b.push_back('a');
  b.push_back('b');
  put64(b, 99);
  b.push_back(0x00);  // no tagged fields
  auto decoded = decode_offset_commit_value(b);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST((*decoded == OffsetCommitValue{10, 3, "ab", 99, -1}));
}

BOOST_AUTO_TEST_CASE(group_metadata_key_is_version_2_group) {
  Bytes expected = {0x00, 0x02, 0x00, 0x03, 'g', 'r', 'p'};
  BOOST_TEST(encode_group_metadata_key({"grp"}) == expected, boost::test_tools::per_element());
  auto decoded = decode_key(expected);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST((std::get<GroupMetadataKey>(*decoded) == GroupMetadataKey{"grp"}));
}

GroupMetadataValue sample_group() {
  GroupMetadataValue v;
  v.protocol_type = "consumer";
  v.generation = 5;
  v.protocol = "range";
  v.leader = "m1";
  v.current_state_timestamp = 1234;
  v.members.push_back({"m1", std::string("i1"), "cid", "/127.0.0.1", 30000, 10000, {1, 2}, {3}});
  return v;
}

BOOST_AUTO_TEST_CASE(group_metadata_value_v3_layout) {
  GroupMetadataValue v = sample_group();
  Bytes expected;
  put16(expected, 3);
  put_str(expected, "consumer");
  put32(expected, 5);
  put_str(expected, "range");
  put_str(expected, "m1");
  put64(expected, 1234);
  put32(expected, 1);
  put_str(expected, "m1");
  put_str(expected, "i1");
  put_str(expected, "cid");
  put_str(expected, "/127.0.0.1");
  put32(expected, 30000);
  put32(expected, 10000);
  put_bytes(expected, {1, 2});
  put_bytes(expected, {3});
  BOOST_TEST(encode_group_metadata_value(v, 3) == expected, boost::test_tools::per_element());
  auto decoded = decode_group_metadata_value(expected);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST((*decoded == v));
}

BOOST_AUTO_TEST_CASE(group_metadata_value_null_protocol_and_leader_of_empty_group) {
  GroupMetadataValue v;
  v.protocol_type = "consumer";
  v.generation = 2;
  v.current_state_timestamp = 7;
  Bytes expected;
  put16(expected, 3);
  put_str(expected, "consumer");
  put32(expected, 2);
  put16(expected, -1);
  put16(expected, -1);
  put64(expected, 7);
  put32(expected, 0);
  BOOST_TEST(encode_group_metadata_value(v, 3) == expected, boost::test_tools::per_element());
  auto decoded = decode_group_metadata_value(expected);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST(!decoded->protocol.has_value());
  BOOST_TEST(!decoded->leader.has_value());
}

BOOST_AUTO_TEST_CASE(group_metadata_value_older_versions_drop_fields) {
  GroupMetadataValue v = sample_group();
  // v0: no rebalance timeout, no state timestamp, no instance id.
  Bytes v0;
  put16(v0, 0);
  put_str(v0, "consumer");
  put32(v0, 5);
  put_str(v0, "range");
  put_str(v0, "m1");
  put32(v0, 1);
  put_str(v0, "m1");
  put_str(v0, "cid");
  put_str(v0, "/127.0.0.1");
  put32(v0, 10000);
  put_bytes(v0, {1, 2});
  put_bytes(v0, {3});
  BOOST_TEST(encode_group_metadata_value(v, 0) == v0, boost::test_tools::per_element());
  auto decoded = decode_group_metadata_value(v0);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST(decoded->members.at(0).rebalance_timeout == -1);
  BOOST_TEST(!decoded->members.at(0).group_instance_id.has_value());
  BOOST_TEST(decoded->current_state_timestamp == -1);
  for (int16_t version : {1, 2}) {
    auto round = decode_group_metadata_value(encode_group_metadata_value(v, version));
    BOOST_REQUIRE(round.has_value());
    BOOST_TEST(round->members.at(0).rebalance_timeout == 30000);
    BOOST_TEST(round->current_state_timestamp == (version >= 2 ? 1234 : -1));
  }
}

BOOST_AUTO_TEST_CASE(group_metadata_value_v4_flexible_decodes) {
  Bytes b;
  put16(b, 4);
  b.push_back(0x02);  // "c"
  b.push_back('c');
  put32(b, 1);
  b.push_back(0x00);  // null protocol
  b.push_back(0x02);  // leader "m"
  b.push_back('m');
  put64(b, 55);
  b.push_back(0x02);  // one member
  b.push_back(0x02);
  b.push_back('m');   // member id
  b.push_back(0x00);  // null instance id
  b.push_back(0x01);  // client id ""
  b.push_back(0x01);  // client host ""
  put32(b, 100);
  put32(b, 200);
  b.push_back(0x02);
  b.push_back(0xAA);  // subscription
  b.push_back(0x01);  // assignment empty
  b.push_back(0x00);  // member tagged fields
  b.push_back(0x00);  // value tagged fields
  auto decoded = decode_group_metadata_value(b);
  BOOST_REQUIRE_MESSAGE(decoded.has_value(), decoded.error());
  BOOST_TEST(decoded->protocol_type == "c");
  BOOST_TEST(decoded->leader.value() == "m");
  BOOST_REQUIRE(decoded->members.size() == 1u);
  BOOST_TEST(decoded->members[0].session_timeout == 200);
  BOOST_TEST(decoded->members[0].subscription == Bytes{0xAA});
}

BOOST_AUTO_TEST_CASE(unknown_key_version_and_malformed_bytes) {
  auto unknown = decode_key(Bytes{0x00, 0x05, 0x01});
  BOOST_REQUIRE(unknown.has_value());
  BOOST_TEST(std::get<UnknownKey>(*unknown).version == 5);
  BOOST_TEST(!decode_key(Bytes{0x00}).has_value());
  BOOST_TEST(!decode_key(Bytes{0x00, 0x01, 0x00, 0x05, 'a'}).has_value());
  BOOST_TEST(!decode_offset_commit_value(Bytes{0x00, 0x03, 0x00}).has_value());
  BOOST_TEST(!decode_offset_commit_value(Bytes{0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 0}).has_value());
  BOOST_TEST(!decode_group_metadata_value(Bytes{0x00, 0x03, 0x00, 0x08, 'c'}).has_value());
  BOOST_CHECK_THROW(encode_offset_commit_value({}, 4), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
