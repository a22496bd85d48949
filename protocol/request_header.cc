// Kafka request and response headers (protocol.md §1.1, §1.2).
#include "protocol/request_header.h"

#include "protocol/api_versions_table.h"

namespace gregor {

Result<RequestHeader, std::string> decode_request_header(Reader& reader) {
  RequestHeader header;
  header.api_key = static_cast<ApiKey>(reader.read_int16());
  header.api_version = reader.read_int16();
  header.correlation_id = reader.read_int32();
  if (!reader.ok()) return unexpected("request header: " + reader.error());
  header.is_supported = is_supported_request(header.api_key, header.api_version);
  if (!header.is_supported) {
    // Best effort, for logging: the layout after the fixed part is unknown.
    Reader probe = reader;
    auto client_id = probe.read_nullable_string();
    if (probe.ok()) {
      header.client_id = std::move(client_id);
      reader = probe;
    }
    return header;
  }
  header.client_id = reader.read_nullable_string();
  if (request_header_version(header.api_key, header.api_version) >= 2) reader.skip_tagged_fields();
  if (!reader.ok()) return unexpected("request header: " + reader.error());
  return header;
}

void encode_request_header(Writer& writer, const RequestHeader& header) {
  writer.write_int16(static_cast<int16_t>(header.api_key));
  writer.write_int16(header.api_version);
  writer.write_int32(header.correlation_id);
  writer.write_nullable_string(header.client_id);
  if (request_header_version(header.api_key, header.api_version) >= 2) writer.write_empty_tagged_fields();
}

void encode_response_header(Writer& writer, int32_t correlation_id, int16_t header_version) {
  writer.write_int32(correlation_id);
  if (header_version >= 1) writer.write_empty_tagged_fields();
}

Result<int32_t, std::string> decode_response_header(Reader& reader, int16_t header_version) {
  int32_t correlation_id = reader.read_int32();
  if (header_version >= 1) reader.skip_tagged_fields();
  if (!reader.ok()) return unexpected("response header: " + reader.error());
  return correlation_id;
}

}  // namespace gregor
