// Test helper: RecordBatch v2 encoder for uncompressed records.
#include "batch_maker.h"

#include <algorithm>

#include "protocol/record_batch_header.h"
#include "protocol/varint.h"

namespace gregor::log::test {

std::vector<uint8_t> make_batch(const std::vector<TestRecord>& records, const BatchOptions& o) {
  int64_t base_ts = records.empty() ? 0 : records.front().timestamp;
  int64_t max_ts = base_ts;
  std::vector<uint8_t> body;
  for (size_t i = 0; i < records.size(); ++i) {
    const TestRecord& r = records[i];
    max_ts = std::max(max_ts, r.timestamp);
    std::vector<uint8_t> rec;
    rec.push_back(0);  // attributes
    varint::append_long(rec, r.timestamp - base_ts);
    varint::append(rec, static_cast<int32_t>(i));
    varint::append(rec, r.key ? static_cast<int32_t>(r.key->size()) : -1);
    if (r.key) rec.insert(rec.end(), r.key->begin(), r.key->end());
    varint::append(rec, r.value ? static_cast<int32_t>(r.value->size()) : -1);
    if (r.value) rec.insert(rec.end(), r.value->begin(), r.value->end());
    varint::append(rec, 0);  // headers
    varint::append(body, static_cast<int32_t>(rec.size()));
    body.insert(body.end(), rec.begin(), rec.end());
  }
  std::vector<uint8_t> out(batch::kHeaderSize + body.size());
  uint8_t* p = out.data();
  store_be64(p + batch::kBaseOffset, static_cast<uint64_t>(o.base_offset));
  store_be32(p + batch::kBatchLength, static_cast<uint32_t>(out.size() - batch::kLogOverhead));
  store_be32(p + batch::kPartitionLeaderEpoch, static_cast<uint32_t>(o.leader_epoch));
  p[batch::kMagic] = batch::kMagicV2;
  store_be16(p + batch::kAttributes, 0);
  store_be32(p + batch::kLastOffsetDelta, static_cast<uint32_t>(records.size() - 1));
  store_be64(p + batch::kBaseTimestamp, static_cast<uint64_t>(base_ts));
  store_be64(p + batch::kMaxTimestamp, static_cast<uint64_t>(max_ts));
  store_be64(p + batch::kProducerId, static_cast<uint64_t>(o.producer_id));
  store_be16(p + batch::kProducerEpoch, static_cast<uint16_t>(o.producer_epoch));
  store_be32(p + batch::kBaseSequence, static_cast<uint32_t>(o.base_sequence));
  store_be32(p + batch::kRecordsCount, static_cast<uint32_t>(records.size()));
  std::copy(body.begin(), body.end(), out.begin() + batch::kHeaderSize);
  batch::Header(p).update_crc();
  return out;
}

std::vector<uint8_t> make_simple_batch(int count, int64_t ts, size_t value_size,
                                       const BatchOptions& options) {
  std::vector<TestRecord> records;
  for (int i = 0; i < count; ++i) {
    std::string value = "v" + std::to_string(i);
    value.resize(std::max(value_size, value.size()), 'x');
    records.push_back({std::nullopt, value, ts + i});
  }
  return make_batch(records, options);
}

}  // namespace gregor::log::test
