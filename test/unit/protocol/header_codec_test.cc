// Tests for request/response headers, the API version table and hand-built message byte vectors.
#ifndef BOOST_TEST_DYN_LINK  // meson's boost dependency may define it already
#define BOOST_TEST_DYN_LINK
#endif
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <set>
#include <vector>

#include "protocol/api_versions_table.h"
#include "protocol/error_code.h"
#include "protocol/messages/all.h"
#include "protocol/request.h"
#include "protocol/request_header.h"

using namespace gregor;
using Bytes = std::vector<uint8_t>;

BOOST_AUTO_TEST_SUITE(header_codec)

BOOST_AUTO_TEST_CASE(table_matches_the_advertised_ranges) {
  struct Expected {
    ApiKey key;
    int16_t min, max;
  };
  std::vector<Expected> expected = {
      {ApiKey::Produce, 0, 8},         {ApiKey::Fetch, 4, 11},           {ApiKey::ListOffsets, 1, 5},
      {ApiKey::Metadata, 0, 8},        {ApiKey::OffsetCommit, 2, 7},     {ApiKey::OffsetFetch, 1, 5},
      {ApiKey::FindCoordinator, 0, 2}, {ApiKey::JoinGroup, 0, 5},        {ApiKey::Heartbeat, 0, 3},
      {ApiKey::LeaveGroup, 0, 3},      {ApiKey::SyncGroup, 0, 3},        {ApiKey::DescribeGroups, 0, 4},
      {ApiKey::ListGroups, 0, 2},      {ApiKey::ApiVersions, 0, 3},      {ApiKey::CreateTopics, 2, 4},
      {ApiKey::DeleteTopics, 1, 3},    {ApiKey::InitProducerId, 0, 1},   {ApiKey::OffsetForLeaderEpoch, 2, 3},
      {ApiKey::DescribeConfigs, 1, 3}, {ApiKey::CreatePartitions, 0, 1}, {ApiKey::DeleteGroups, 0, 1},
  };
  for (const auto& e : expected) {
    const ApiVersionRange* api = find_api(e.key);
    BOOST_REQUIRE_MESSAGE(api != nullptr, to_string(e.key));
    BOOST_TEST(api->min_version == e.min, to_string(e.key));
    BOOST_TEST(api->max_version == e.max, to_string(e.key));
  }
  std::set<int16_t> keys;
  for (const auto& api : api_versions_table()) {
    BOOST_TEST(keys.insert(static_cast<int16_t>(api.key)).second);  // no duplicates
    BOOST_TEST(api.min_version <= api.min_served_version);
    BOOST_TEST(api.min_served_version <= api.max_version);
  }
  BOOST_TEST(find_api(ApiKey::SaslHandshake) == nullptr);
}

BOOST_AUTO_TEST_CASE(header_versions) {
  BOOST_TEST(request_header_version(ApiKey::Produce, 8) == 1);
  BOOST_TEST(request_header_version(ApiKey::ApiVersions, 3) == 2);
  BOOST_TEST(request_header_version(ApiKey::IncrementalAlterConfigs, 1) == 2);
  BOOST_TEST(response_header_version(ApiKey::Metadata, 8) == 0);
  BOOST_TEST(response_header_version(ApiKey::IncrementalAlterConfigs, 1) == 1);
  BOOST_TEST(response_header_version(ApiKey::ApiVersions, 3) == 0);  // KIP-511
  BOOST_TEST(!is_supported_request(ApiKey::Produce, 2));             // advertised, never served
  BOOST_TEST(is_supported_request(ApiKey::Produce, 3));
  BOOST_TEST(!is_supported_request(ApiKey::Fetch, 12));
}

BOOST_AUTO_TEST_CASE(request_header_v1) {
  Bytes frame = {0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x00, 0x02, 'i', 'd', 0xaa};
  Reader r{std::span<const uint8_t>(frame)};
  auto header = decode_request_header(r);
  BOOST_REQUIRE(header.has_value());
  BOOST_TEST((header->api_key == ApiKey::Metadata));
  BOOST_TEST(header->api_version == 1);
  BOOST_TEST(header->correlation_id == 7);
  BOOST_TEST(header->client_id.value() == "id");
  BOOST_TEST(header->is_supported);
  BOOST_TEST(r.remaining() == 1u);  // the body is left alone
}

BOOST_AUTO_TEST_CASE(request_header_v2_skips_tags_and_keeps_classic_client_id) {
  // ApiVersions v3: client_id is an int16 string even in header v2, then a tag section.
  Bytes frame = {0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0x01, 0x00, 0x01, 0x99, 0x42};
  Reader r{std::span<const uint8_t>(frame)};
  auto header = decode_request_header(r);
  BOOST_REQUIRE(header.has_value());
  BOOST_TEST(!header->client_id.has_value());
  BOOST_TEST(r.read_int8() == 0x42);
  Writer w;
  encode_request_header(w, {ApiKey::ApiVersions, 3, 1, std::nullopt});
  BOOST_TEST(w.buffer() == Bytes({0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0x00}));
}

BOOST_AUTO_TEST_CASE(unknown_versions_still_give_the_fixed_part) {
  // ApiVersions v9 (too new): header v2 with a body we must not parse.
  Bytes frame = {0x00, 0x12, 0x00, 0x09, 0x12, 0x34, 0x56, 0x78, 0x00, 0x01, 'c', 0x00, 0xde, 0xad};
  Reader r{std::span<const uint8_t>(frame)};
  auto header = decode_request_header(r);
  BOOST_REQUIRE(header.has_value());
  BOOST_TEST(!header->is_supported);
  BOOST_TEST(header->correlation_id == 0x12345678);
  BOOST_TEST(header->client_id.value() == "c");
  BOOST_TEST(!decode_request_body(*header, r).has_value());
  // Unknown key 99 with garbage after the fixed part.
  Bytes unknown = {0x00, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x7f};
  Reader u{std::span<const uint8_t>(unknown)};
  auto unknown_header = decode_request_header(u);
  BOOST_REQUIRE(unknown_header.has_value());
  BOOST_TEST(!unknown_header->is_supported);
  BOOST_TEST(unknown_header->correlation_id == 5);
  BOOST_TEST(!unknown_header->client_id.has_value());
}

BOOST_AUTO_TEST_CASE(truncated_header_fails) {
  Bytes frame = {0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00};
  Reader r{std::span<const uint8_t>(frame)};
  BOOST_TEST(!decode_request_header(r).has_value());
  Bytes bad_client_id = {0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 'a'};
  Reader r2{std::span<const uint8_t>(bad_client_id)};
  BOOST_TEST(!decode_request_header(r2).has_value());
}

BOOST_AUTO_TEST_CASE(response_headers) {
  Writer v0;
  encode_response_header(v0, 0x01020304, 0);
  BOOST_TEST(v0.buffer() == Bytes({1, 2, 3, 4}));
  Writer v1;
  encode_response_header(v1, 9, 1);
  BOOST_TEST(v1.buffer() == Bytes({0, 0, 0, 9, 0}));
  Reader r{std::span<const uint8_t>(v1.buffer())};
  BOOST_TEST(decode_response_header(r, 1).value() == 9);
}

BOOST_AUTO_TEST_CASE(api_versions_fallback_bytes) {
  Writer w;
  encode_api_versions_fallback(w, 42);
  Bytes expected = {0, 0,  0, 42,  // header v0
                    0, 35,         // UNSUPPORTED_VERSION
                    0, 0,  0, 1,   // one entry
                    0, 18, 0, 0,  0, 3};
  BOOST_TEST(w.buffer() == expected);
}

BOOST_AUTO_TEST_CASE(api_versions_v3_response_bytes) {
  ApiVersionsResponse response;
  response.api_keys = {{18, 0, 3}};
  Writer w;
  response.encode(w, 3);
  // error, compact array (1+1), entry + its empty tags, throttle, empty top-level tags
  BOOST_TEST(w.buffer() == Bytes({0, 0, 2, 0, 18, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0}));
  // Feature tags a real broker would send are skipped.
  Bytes with_tags = {0, 0, 2, 0, 18, 0, 0, 0, 3, 0, 0, 0, 0, 0, 1, 1, 8, 0, 0, 0, 0, 0, 0, 0, 5};
  Reader r{std::span<const uint8_t>(with_tags)};
  auto decoded = ApiVersionsResponse::decode(r, 3);
  BOOST_REQUIRE_MESSAGE(decoded.has_value(), decoded.error());
  BOOST_TEST(decoded->api_keys.size() == 1u);
  BOOST_TEST(r.remaining() == 0u);
  BOOST_TEST(ApiVersionsResponse::from_table().api_keys.size() == api_versions_table().size());
}

BOOST_AUTO_TEST_CASE(metadata_v0_request_bytes) {
  MetadataRequest request;
  request.topics.emplace().push_back({"ab"});
  Writer w;
  request.encode(w, 0);
  BOOST_TEST(w.buffer() == Bytes({0, 0, 0, 1, 0, 2, 'a', 'b'}));
  Writer v4;
  request.allow_auto_topic_creation = false;
  request.encode(v4, 4);
  BOOST_TEST(v4.buffer() == Bytes({0, 0, 0, 1, 0, 2, 'a', 'b', 0}));
}

BOOST_AUTO_TEST_CASE(produce_response_v8_throttle_is_last) {
  ProduceResponse response;
  ProduceResponse::PartitionProduceResponse partition;
  partition.index = 1;
  partition.error_code = static_cast<int16_t>(ErrorCode::INVALID_RECORD);
  partition.base_offset = -1;
  partition.record_errors.push_back({2, "bad"});
  response.responses.push_back({"t", {partition}});
  response.throttle_time_ms = 7;
  Writer w;
  response.encode(w, 8);
  Bytes expected = {0,    0,    0,    1,    0,    1,    't',                // topics[1], name
                    0,    0,    0,    1,    0,    0,    0,    1,    0, 87,  // partitions[1], index, error
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,         // base_offset -1
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,         // log_append_time -1
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,         // log_start_offset -1
                    0,    0,    0,    1,    0,    0,    0,    2,    0, 3,
                    'b',  'a',  'd',  0xff, 0xff,  // record_errors, error_message null
                    0,    0,    0,    7};          // throttle last
  BOOST_TEST(w.buffer() == expected);
}

BOOST_AUTO_TEST_CASE(find_coordinator_v0_and_v1_response_bytes) {
  FindCoordinatorResponse response;
  response.node_id = 2;
  response.host = "h";
  response.port = 9092;
  Writer v0;
  response.encode(v0, 0);
  BOOST_TEST(v0.buffer() == Bytes({0, 0, 0, 0, 0, 2, 0, 1, 'h', 0, 0, 0x23, 0x84}));
  Writer v1;
  response.encode(v1, 1);
  BOOST_TEST(v1.buffer() == Bytes({0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 2, 0, 1, 'h', 0, 0, 0x23, 0x84}));
}

BOOST_AUTO_TEST_CASE(incremental_alter_configs_v1_is_flexible) {
  IncrementalAlterConfigsRequest request;
  request.resources.push_back({2, "t", {{"retention.ms", 0, "1000"}}});
  Writer w;
  request.encode(w, 1);
  Bytes expected = {2,           // resources (compact 1)
                    2, 2,  't',  // type, name
                    2, 13, 'r', 'e', 't', 'e', 'n', 't', 'i', 'o', 'n', '.', 'm', 's',  // configs, name
                    0, 5,  '1', '0', '0', '0', 0,                                       // op, value, tags
                    0,                                                                  // resource tags
                    0, 0};                                                              // validate_only, tags
  BOOST_TEST(w.buffer() == expected);
}

BOOST_AUTO_TEST_CASE(fetch_response_with_file_regions_decodes_as_bytes) {
  char path[] = "/tmp/gregor-fetch-XXXXXX";
  int fd = ::mkstemp(path);
  BOOST_REQUIRE(fd >= 0);
  Bytes content = {10, 11, 12, 13, 14, 15, 16, 17};
  BOOST_REQUIRE(::write(fd, content.data(), content.size()) == 8);
  FetchResponse response;
  FetchResponse::PartitionData partition;
  partition.high_watermark = 8;
  partition.records = std::vector<FileRegion>{{fd, 1, 3, nullptr}, {fd, 6, 2, nullptr}};
  response.responses.push_back({"t", {partition}});
  Writer w;
  response.encode(w, 11);
  BOOST_TEST(w.regions().size() == 2u);
  BOOST_TEST(w.size() == static_cast<int64_t>(w.buffer().size()) + 5);
  Bytes flat = w.flatten();
  ::close(fd);
  ::unlink(path);
  Reader r{std::span<const uint8_t>(flat)};
  auto decoded = FetchResponse::decode(r, 11);
  BOOST_REQUIRE_MESSAGE(decoded.has_value(), decoded.error());
  BOOST_TEST(r.remaining() == 0u);
  const auto& records = std::get<std::vector<uint8_t>>(decoded->responses[0].partitions[0].records);
  BOOST_TEST(records == Bytes({11, 12, 13, 16, 17}));
}

BOOST_AUTO_TEST_SUITE_END()
