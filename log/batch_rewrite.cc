// Batch rewrite: re-encodes surviving records into a RecordBatch v2 with the original header fields.
#include "log/batch_rewrite.h"

#include <algorithm>

#include "protocol/compression.h"
#include "protocol/endian.h"
#include "protocol/record_batch_header.h"

namespace gregor::log {
namespace {

std::optional<std::span<const uint8_t>> view(const std::optional<std::vector<uint8_t>>& bytes) {
  if (!bytes) return std::nullopt;
  return std::span<const uint8_t>(*bytes);
}

// Copies the header fields that never change and fills in the rest.
void write_header(uint8_t* out, const uint8_t* original, size_t total_size, int16_t attributes,
                  int64_t base_timestamp, int64_t max_timestamp, int32_t records_count) {
  std::copy(original, original + batch::kHeaderSize, out);
  store_be32(out + batch::kBatchLength, static_cast<uint32_t>(total_size - batch::kLogOverhead));
  store_be16(out + batch::kAttributes, static_cast<uint16_t>(attributes));
  store_be64(out + batch::kBaseTimestamp, static_cast<uint64_t>(base_timestamp));
  store_be64(out + batch::kMaxTimestamp, static_cast<uint64_t>(max_timestamp));
  store_be32(out + batch::kRecordsCount, static_cast<uint32_t>(records_count));
}

}  // namespace

Result<std::vector<uint8_t>, std::string> rebuild_batch(std::span<const uint8_t> original,
                                                        const std::vector<Record>& records,
                                                        const std::vector<bool>& keep,
                                                        std::optional<int64_t> delete_horizon_ms) {
  batch::Header h(const_cast<uint8_t*>(original.data()));
  const bool log_append_time = h.is_log_append_time();
  std::optional<int64_t> base_ts = delete_horizon_ms;
  int64_t max_ts = -1;
  int32_t count = 0;
  std::vector<uint8_t> area;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!keep[i]) continue;
    const Record& r = records[i];
    if (!base_ts) base_ts = r.timestamp;
    max_ts = std::max(max_ts, r.timestamp);
    encode_record(area, r.timestamp - *base_ts, static_cast<int32_t>(r.offset - h.base_offset()), view(r.key),
                  view(r.value), r.headers);
    ++count;
  }
  if (count == 0) return unexpected(std::string("rebuild_batch: no record kept"));
  if (log_append_time) max_ts = h.max_timestamp();
  auto body = compress(h.compression(), area);
  if (!body) return unexpected("recompressing a cleaned batch: " + body.error());

  int16_t attributes = static_cast<int16_t>(h.attributes() & ~batch::kDeleteHorizonBit);
  if (delete_horizon_ms) attributes = static_cast<int16_t>(attributes | batch::kDeleteHorizonBit);
  std::vector<uint8_t> out(batch::kHeaderSize + body->size());
  write_header(out.data(), original.data(), out.size(), attributes, *base_ts, max_ts, count);
  std::copy(body->begin(), body->end(), out.begin() + batch::kHeaderSize);
  batch::Header(out.data()).update_crc();
  return out;
}

std::vector<uint8_t> empty_batch_like(std::span<const uint8_t> original) {
  batch::Header h(const_cast<uint8_t*>(original.data()));
  auto attributes = static_cast<int16_t>(
      h.attributes() & (batch::kTimestampTypeBit | batch::kTransactionalBit | batch::kControlBit));
  std::vector<uint8_t> out(batch::kHeaderSize);
  write_header(out.data(), original.data(), out.size(), attributes, h.max_timestamp(), h.max_timestamp(), 0);
  batch::Header(out.data()).update_crc();
  return out;
}

}  // namespace gregor::log
