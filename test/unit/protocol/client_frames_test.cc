// Decodes request frames captured from real clients (kcat/librdkafka 2.0.2, kafka-python 2.0.2).
// The fixtures come from fixtures/capture_client_frames.py; each is one frame without its size.
#ifndef BOOST_TEST_DYN_LINK  // meson's boost dependency may define it already
#define BOOST_TEST_DYN_LINK
#endif
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "protocol/request.h"
#include "protocol/request_header.h"

using namespace gregor;

namespace {

std::vector<uint8_t> load_fixture(const std::string& name) {
  std::ifstream in(std::string(GREGOR_PROTOCOL_FIXTURES) + "/" + name);
  BOOST_REQUIRE_MESSAGE(in, "missing fixture " << name);
  std::string hex;
  in >> hex;
  BOOST_REQUIRE(hex.size() % 2 == 0);
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < hex.size(); i += 2)
    bytes.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

// Decodes header and body, checks the whole frame was consumed and that re-encoding the
// decoded header + body reproduces the client's bytes exactly.
template <class T>
T decode_frame(std::vector<uint8_t>& frame, RequestHeader& header) {
  Reader reader{std::span<uint8_t>(frame)};
  auto decoded_header = decode_request_header(reader);
  BOOST_REQUIRE_MESSAGE(decoded_header.has_value(), decoded_header.error());
  header = *decoded_header;
  BOOST_REQUIRE(header.is_supported);
  BOOST_REQUIRE(header.api_key == T::kApiKey);
  auto body = decode_request_body(header, reader);
  BOOST_REQUIRE_MESSAGE(body.has_value(), body.error());
  BOOST_TEST(reader.remaining() == 0u);
  T message = std::get<T>(*body);
  Writer writer;
  encode_request_header(writer, header);
  message.encode(writer, header.api_version);
  BOOST_TEST(writer.buffer() == frame);
  return message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_frames)

BOOST_AUTO_TEST_CASE(kcat_api_versions_v3) {
  auto frame = load_fixture("kcat_api_versions_v3.hex");
  RequestHeader header;
  auto request = decode_frame<ApiVersionsRequest>(frame, header);
  BOOST_TEST(header.api_version == 3);
  BOOST_TEST(header.client_id.value() == "capture-kcat");
  BOOST_TEST(request.client_software_name == "librdkafka");
  BOOST_TEST(request.client_software_version == "2.0.2");
}

BOOST_AUTO_TEST_CASE(kafka_python_api_versions_v0) {
  auto frame = load_fixture("kafka_python_api_versions_v0.hex");
  RequestHeader header;
  auto request = decode_frame<ApiVersionsRequest>(frame, header);
  BOOST_TEST(header.api_version == 0);
  BOOST_TEST(header.correlation_id == 1);
  BOOST_TEST(header.client_id.value() == "capture-kp");
  BOOST_TEST(request.client_software_name.empty());
}

BOOST_AUTO_TEST_CASE(kcat_metadata_v4) {
  auto frame = load_fixture("kcat_metadata_v4.hex");
  RequestHeader header;
  auto request = decode_frame<MetadataRequest>(frame, header);
  BOOST_TEST(header.api_version == 4);
  // librdkafka first asks for brokers only (empty, not null) without auto-creation.
  BOOST_REQUIRE(request.topics.has_value());
  BOOST_TEST(request.topics->empty());
  BOOST_TEST(!request.wants_all_topics(4));
  BOOST_TEST(!request.allow_auto_topic_creation);
}

BOOST_AUTO_TEST_CASE(kafka_python_metadata_v0_and_v1) {
  auto v0 = load_fixture("kafka_python_metadata_v0.hex");
  RequestHeader header;
  auto request_v0 = decode_frame<MetadataRequest>(v0, header);
  BOOST_TEST(header.api_version == 0);
  BOOST_TEST(request_v0.wants_all_topics(0));  // v0: empty array = all topics
  auto v1 = load_fixture("kafka_python_metadata_v1.hex");
  auto request_v1 = decode_frame<MetadataRequest>(v1, header);
  BOOST_TEST(header.api_version == 1);
  BOOST_TEST(!request_v1.topics.has_value());  // v1+: null = all topics
  BOOST_TEST(request_v1.allow_auto_topic_creation);
}

BOOST_AUTO_TEST_CASE(kcat_produce_v7) {
  auto frame = load_fixture("kcat_produce_v7.hex");
  RequestHeader header;
  auto request = decode_frame<ProduceRequest>(frame, header);
  BOOST_TEST(header.api_version == 7);
  BOOST_TEST(!request.transactional_id.has_value());
  BOOST_TEST(request.acks == -1);
  BOOST_TEST(request.timeout_ms == 30000);
  BOOST_REQUIRE(request.topic_data.size() == 1u);
  BOOST_TEST(request.topic_data[0].name == "capture");
  BOOST_REQUIRE(request.topic_data[0].partition_data.size() == 1u);
  const auto& partition = request.topic_data[0].partition_data[0];
  BOOST_TEST(partition.index == 0);
  BOOST_REQUIRE(partition.records.has_value());
  std::span<uint8_t> batch = *partition.records;
  BOOST_REQUIRE(batch.size() >= 61u);
  BOOST_TEST(batch[16] == 2);  // magic
  // batchLength covers everything after the length field itself.
  uint32_t batch_length =
      (uint32_t{batch[8]} << 24) | (uint32_t{batch[9]} << 16) | (batch[10] << 8) | batch[11];
  BOOST_TEST(batch_length + 12 == batch.size());
  // The view points into the frame: an in-place change is visible there.
  batch[0] = 0x7f;
  BOOST_TEST((std::find(frame.begin(), frame.end(), 0x7f) != frame.end()));
}

BOOST_AUTO_TEST_SUITE_END()
