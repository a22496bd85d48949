// libFuzzer target: a request frame body (header + body) through the broker's decode path.
//
// Must never crash, leak or read out of bounds. It also checks a round-trip property: a
// body that decodes must re-encode to bytes that decode to an equal message.
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "protocol/messages/api_versions.h"
#include "protocol/request.h"
#include "protocol/request_header.h"

namespace {

template <class T>
void check_round_trip(const T& message, int16_t version) {
  gregor::Writer writer;
  message.encode(writer, version);
  std::vector<uint8_t> bytes = writer.buffer();
  gregor::Reader reader{std::span<uint8_t>(bytes)};
  auto again = T::decode(reader, version);
  if (!again || !(*again == message) || reader.remaining() != 0) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A mutable copy, as the broker has: Produce records stay views into it.
  std::vector<uint8_t> frame(data, data + size);
  gregor::Reader reader{std::span<uint8_t>(frame)};
  auto header = gregor::decode_request_header(reader);
  if (!header) return 0;
  if (!header->is_supported) {
    if (header->api_key == gregor::ApiKey::ApiVersions) {
      gregor::Writer writer;
      gregor::encode_api_versions_fallback(writer, header->correlation_id);
    }
    return 0;
  }
  auto body = gregor::decode_request_body(*header, reader);
  if (!body) return 0;
  std::visit([&](const auto& message) { check_round_trip(message, header->api_version); }, *body);
  return 0;
}
