// Round trips of every message struct at every advertised version, plus truncation robustness.
#ifndef BOOST_TEST_DYN_LINK  // meson's boost dependency may define it already
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>
#include <concepts>
#include <deque>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_versions_table.h"
#include "protocol/messages/all.h"
#include "protocol/serde.h"

using namespace gregor;

namespace {

// A third visitor over the same field declarations: sets every field present in a version
// to a distinct non-default value (or, in null mode, every nullable field to null), so a
// round trip compares all of them.
class Filler {
 public:
  Filler(int16_t version, bool flexible, bool nulls, std::deque<std::vector<uint8_t>>& storage)
      : version_(version), flexible_(flexible), nulls_(nulls), storage_(storage) {}

  int16_t version() const { return version_; }
  bool flexible() const { return flexible_; }
  bool has(int16_t min, int16_t max) const { return version_ >= min && version_ <= max; }

  template <std::integral T>
  void field(T& x, int16_t min = 0, int16_t max = serde::kMax) {
    if (has(min, max)) x = static_cast<T>(next());
  }
  void field(bool& x, int16_t min = 0, int16_t max = serde::kMax) {
    if (has(min, max)) x = !x;  // every bool differs from its default
  }
  void field(Uuid& x, int16_t min = 0, int16_t max = serde::kMax) {
    if (has(min, max)) x.bytes[0] = static_cast<uint8_t>(next());
  }
  void field(std::string& x, int16_t min = 0, int16_t max = serde::kMax) {
    if (has(min, max)) x = "s" + std::to_string(next());
  }
  void field(std::optional<std::string>& x, int16_t min = 0, int16_t max = serde::kMax,
             int16_t nullable_min = 0) {
    if (!has(min, max)) return;
    if (nulls_ && version_ >= nullable_min) {
      x.reset();
    } else {
      x = "n" + std::to_string(next());
    }
  }
  void field(std::vector<uint8_t>& x, int16_t min = 0, int16_t max = serde::kMax) {
    if (has(min, max)) x = bytes();
  }
  void field(std::optional<std::vector<uint8_t>>& x, int16_t min = 0, int16_t max = serde::kMax) {
    if (!has(min, max)) return;
    if (nulls_) {
      x.reset();
    } else {
      x = bytes();
    }
  }
  void field(std::optional<std::span<uint8_t>>& x, int16_t min = 0, int16_t max = serde::kMax) {
    if (!has(min, max)) return;
    if (nulls_) {
      x.reset();
    } else {
      x = std::span<uint8_t>(storage_.emplace_back(bytes()));
    }
  }
  void field(RecordsPayload& x, int16_t min = 0, int16_t max = serde::kMax) {
    if (has(min, max)) x = bytes();
  }
  template <class T>
  void field(std::vector<T>& x, int16_t min = 0, int16_t max = serde::kMax) {
    if (has(min, max)) fill_elements(x);
  }
  template <class T>
  void field(std::optional<std::vector<T>>& x, int16_t min = 0, int16_t max = serde::kMax,
             int16_t nullable_min = 0) {
    if (!has(min, max)) return;
    if (nulls_ && version_ >= nullable_min) {
      x.reset();
      return;
    }
    fill_elements(x.emplace());
  }
  void tagged_fields() {}

 private:
  int next() { return ++counter_; }
  std::vector<uint8_t> bytes() {
    int n = next();
    return {static_cast<uint8_t>(n), 0, 0xff, static_cast<uint8_t>(n >> 8)};
  }
  template <class T>
  void fill_elements(std::vector<T>& x) {
    x.resize(2);
    for (T& element : x) {
      if constexpr (serde::Struct<T, Filler>) {
        element.serde(*this);
      } else {
        field(element);
      }
    }
  }

  int16_t version_;
  bool flexible_;
  bool nulls_;
  std::deque<std::vector<uint8_t>>& storage_;
  int counter_ = 0;
};

template <class T>
T filled(int16_t version, bool nulls, std::deque<std::vector<uint8_t>>& storage) {
  T message;
  Filler filler(version, is_flexible(T::kApiKey, version), nulls, storage);
  message.serde(filler);
  return message;
}

using AllMessages = std::tuple<
    ProduceRequest, ProduceResponse, FetchRequest, FetchResponse, ListOffsetsRequest, ListOffsetsResponse,
    MetadataRequest, MetadataResponse, OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest,
    OffsetFetchResponse, FindCoordinatorRequest, FindCoordinatorResponse, JoinGroupRequest, JoinGroupResponse,
    HeartbeatRequest, HeartbeatResponse, LeaveGroupRequest, LeaveGroupResponse, SyncGroupRequest,
    SyncGroupResponse, DescribeGroupsRequest, DescribeGroupsResponse, ListGroupsRequest, ListGroupsResponse,
    ApiVersionsRequest, ApiVersionsResponse, CreateTopicsRequest, CreateTopicsResponse, DeleteTopicsRequest,
    DeleteTopicsResponse, InitProducerIdRequest, InitProducerIdResponse, OffsetForLeaderEpochRequest,
    OffsetForLeaderEpochResponse, DescribeConfigsRequest, DescribeConfigsResponse, AlterConfigsRequest,
    AlterConfigsResponse, CreatePartitionsRequest, CreatePartitionsResponse, DeleteGroupsRequest,
    DeleteGroupsResponse, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>;

const ApiVersionRange& range_of(ApiKey key) {
  const ApiVersionRange* api = find_api(key);
  BOOST_REQUIRE(api != nullptr);
  return *api;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(message_roundtrip)

BOOST_AUTO_TEST_CASE_TEMPLATE(every_version_round_trips, T, AllMessages) {
  const ApiVersionRange& api = range_of(T::kApiKey);
  for (int16_t v = api.min_version; v <= api.max_version; ++v) {
    for (bool nulls : {false, true}) {
      BOOST_TEST_CONTEXT("version " << v << (nulls ? " with nulls" : "")) {
        std::deque<std::vector<uint8_t>> storage;
        T original = filled<T>(v, nulls, storage);
        Writer w;
        original.encode(w, v);
        BOOST_REQUIRE(w.regions().empty());
        std::vector<uint8_t> bytes = w.buffer();  // mutable copy: Produce decodes views into it
        Reader r{std::span<uint8_t>(bytes)};
        auto decoded = T::decode(r, v);
        BOOST_REQUIRE_MESSAGE(decoded.has_value(), decoded.error());
        BOOST_TEST(r.remaining() == 0u);
        BOOST_TEST((*decoded == original));
        Writer again;
        decoded->encode(again, v);
        BOOST_TEST(again.buffer() == w.buffer());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(every_truncation_fails_cleanly, T, AllMessages) {
  const ApiVersionRange& api = range_of(T::kApiKey);
  for (int16_t v = api.min_version; v <= api.max_version; ++v) {
    std::deque<std::vector<uint8_t>> storage;
    Writer w;
    filled<T>(v, false, storage).encode(w, v);
    std::vector<uint8_t> bytes = w.buffer();
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      Reader r{std::span<uint8_t>(bytes.data(), cut)};
      auto decoded = T::decode(r, v);
      BOOST_TEST(!decoded.has_value(), "version " << v << " cut at " << cut << " decoded");
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(versions_outside_the_table_are_refused, T, AllMessages) {
  const ApiVersionRange& api = range_of(T::kApiKey);
  std::vector<uint8_t> empty;
  for (int16_t v : {static_cast<int16_t>(api.min_version - 1), static_cast<int16_t>(api.max_version + 1)}) {
    Reader r{std::span<const uint8_t>(empty)};
    BOOST_TEST(!T::decode(r, v).has_value());
    Writer w;
    BOOST_CHECK_THROW(T{}.encode(w, v), std::invalid_argument);
  }
}

BOOST_AUTO_TEST_CASE(produce_records_are_views_into_the_request_buffer) {
  ProduceRequest request;
  std::vector<uint8_t> batch = {1, 2, 3, 4, 5};
  request.acks = -1;
  request.topic_data.push_back({"t", {{0, std::span<uint8_t>(batch)}}});
  Writer w;
  request.encode(w, 8);
  std::vector<uint8_t> frame = w.buffer();
  Reader r{std::span<uint8_t>(frame)};
  auto decoded = ProduceRequest::decode(r, 8);
  BOOST_REQUIRE(decoded.has_value());
  std::span<uint8_t> records = *decoded->topic_data[0].partition_data[0].records;
  BOOST_TEST(records.data() >= frame.data());
  BOOST_TEST(records.data() + records.size() <= frame.data() + frame.size());
  records[0] = 42;  // the broker stamps base offsets in place like this
  BOOST_TEST(frame[frame.size() - 5] == 42);
}

BOOST_AUTO_TEST_CASE(produce_request_from_a_read_only_buffer_fails) {
  ProduceRequest request;
  std::vector<uint8_t> batch = {1, 2, 3};
  request.topic_data.push_back({"t", {{0, std::span<uint8_t>(batch)}}});
  Writer w;
  request.encode(w, 3);
  Reader r{std::span<const uint8_t>(w.buffer())};
  auto decoded = ProduceRequest::decode(r, 3);
  BOOST_REQUIRE(!decoded.has_value());
  BOOST_TEST(decoded.error().find("read-only") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(metadata_v0_has_no_null_topics) {
  MetadataRequest all;  // null = all topics
  Writer w;
  all.encode(w, 0);
  BOOST_TEST(w.buffer() == std::vector<uint8_t>({0, 0, 0, 0}));
  Reader r{std::span<const uint8_t>(w.buffer())};
  auto decoded = MetadataRequest::decode(r, 0);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST(decoded->wants_all_topics(0));
  BOOST_TEST(decoded->allow_auto_topic_creation);  // schema default below v4
  std::vector<uint8_t> null_array = {0xff, 0xff, 0xff, 0xff};
  Reader v0{std::span<const uint8_t>(null_array)};
  BOOST_TEST(!MetadataRequest::decode(v0, 0).has_value());
  Reader v1{std::span<const uint8_t>(null_array)};
  auto decoded_v1 = MetadataRequest::decode(v1, 1);
  BOOST_REQUIRE(decoded_v1.has_value());
  BOOST_TEST(!decoded_v1->topics.has_value());
}

BOOST_AUTO_TEST_CASE(absent_fields_keep_schema_defaults) {
  FetchRequest fetch;
  fetch.replica_id = 1;
  fetch.max_wait_ms = 500;
  fetch.min_bytes = 1;
  Writer w;
  fetch.encode(w, 4);
  Reader r{std::span<const uint8_t>(w.buffer())};
  auto decoded = FetchRequest::decode(r, 4);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST(decoded->session_epoch == -1);
  BOOST_TEST(decoded->rack_id == "");
  BOOST_TEST(decoded->max_bytes == 0x7fffffff);
  JoinGroupRequest join;
  join.session_timeout_ms = 10000;
  join.rebalance_timeout_ms = 30000;
  Writer jw;
  join.encode(jw, 0);
  Reader jr{std::span<const uint8_t>(jw.buffer())};
  BOOST_TEST(JoinGroupRequest::decode(jr, 0)->rebalance_timeout_ms == -1);
}

BOOST_AUTO_TEST_SUITE_END()
