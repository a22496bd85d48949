// RecordBatch v2 validation, splitting, decoding and building (spec/protocol.md §5.1, §6).
#include "protocol/record_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace gregor {
namespace {

using Bytes = std::vector<uint8_t>;

// Header fields before batchLength's counted range; a batch is at least the header.
constexpr int32_t kMinBatchLength = static_cast<int32_t>(batch::kHeaderSize - batch::kLogOverhead);

BatchValidation fail(ErrorCode error, std::string message, int32_t record_index = -1) {
  return BatchValidation{error, std::move(message), record_index};
}

// The header view is read-only here; batch::Header only takes a mutable pointer.
batch::Header header_of(std::span<const uint8_t> b) { return batch::Header(const_cast<uint8_t*>(b.data())); }

// Checks that `b` begins with a whole, plausibly sized batch; returns its total size.
Result<size_t, std::string> whole_batch_size(std::span<const uint8_t> b) {
  if (b.size() < batch::kLogOverhead)
    return unexpected(fmt::format("{} bytes cannot hold a batch", b.size()));
  int32_t batch_length = header_of(b).batch_length();
  if (batch_length < kMinBatchLength) {
    return unexpected(fmt::format("batchLength {} is below the minimum {}", batch_length, kMinBatchLength));
  }
  size_t total = static_cast<size_t>(batch_length) + batch::kLogOverhead;
  if (total > b.size()) return unexpected(fmt::format("batch of {} bytes truncated to {}", total, b.size()));
  return total;
}

// A batch cut short by the end of the range, as opposed to one with an impossible length.
bool is_partial_tail(std::span<const uint8_t> rest) {
  if (rest.size() < batch::kLogOverhead) return true;
  int32_t batch_length = header_of(rest).batch_length();
  return batch_length >= kMinBatchLength &&
         static_cast<size_t>(batch_length) + batch::kLogOverhead > rest.size();
}

// What the record walk checks beyond parsing.
struct RecordRules {
  bool dense_offsets = true;  // deltas 0,1,2,... (client) rather than merely increasing
  bool require_keys = false;
  int64_t now_ms = -1;
  int64_t before_max_ms = 0;
  int64_t after_max_ms = 0;
};

// A CreateTime timestamp outside [now - before_max, now + after_max]; computed without overflow.
bool timestamp_out_of_range(int64_t ts, const RecordRules& rules) {
  if (rules.now_ms < 0) return false;
  __int128 diff = static_cast<__int128>(ts) - rules.now_ms;
  return diff < -static_cast<__int128>(rules.before_max_ms) ||
         diff > static_cast<__int128>(rules.after_max_ms);
}

// Decompresses the records area of a header-checked batch and walks every record through `visit`
// (index, view) -> BatchValidation, stopping at the first failure.
// With keep_decompressed the decompressed records area is handed to the caller (the views `visit` saw
// point into it).
template <class Visit>
BatchValidation for_each_record(std::span<const uint8_t> b, size_t max_decompressed, const RecordRules& rules,
                                Visit&& visit, Bytes* keep_decompressed = nullptr) {
  batch::Header h = header_of(b);
  std::span<const uint8_t> area = b.subspan(batch::kHeaderSize);
  Bytes decompressed;
  if (h.compression() != batch::Compression::none && h.records_count() > 0) {
    auto r = decompress_bounded(h.compression(), area, max_decompressed);
    if (!r) {
      return fail(r.error().too_large ? ErrorCode::MESSAGE_TOO_LARGE : ErrorCode::INVALID_RECORD,
                  r.error().message);
    }
    decompressed = std::move(*r);
    area = decompressed;
  }
  const int32_t count = h.records_count();
  const bool log_append_time = h.is_log_append_time();
  RecordView view;
  size_t pos = 0;
  int32_t previous_delta = -1;
  for (int32_t i = 0; i < count; ++i) {
    if (pos == area.size())
      return fail(ErrorCode::INVALID_RECORD, fmt::format("batch ends before record {}", i), i);
    auto parsed = parse_record(area, pos, view);
    if (!parsed) return fail(ErrorCode::INVALID_RECORD, fmt::format("record {}: {}", i, parsed.error()), i);
    int32_t delta = view.offset_delta;
    if (rules.dense_offsets ? delta != i : (delta <= previous_delta || delta > h.last_offset_delta())) {
      return fail(ErrorCode::INVALID_RECORD, fmt::format("record {} has offset delta {}", i, delta), i);
    }
    previous_delta = delta;
    if (rules.require_keys && !view.key) {
      return fail(ErrorCode::INVALID_RECORD, fmt::format("record {} has a null key in a compacted topic", i),
                  i);
    }
    if (!log_append_time && timestamp_out_of_range(h.base_timestamp() + view.timestamp_delta, rules)) {
      return fail(ErrorCode::INVALID_TIMESTAMP,
                  fmt::format("record {} timestamp {} is outside the allowed range around {}", i,
                              h.base_timestamp() + view.timestamp_delta, rules.now_ms),
                  i);
    }
    BatchValidation v = visit(i, view);
    if (!v.ok()) return v;
  }
  if (pos != area.size()) {
    return fail(ErrorCode::INVALID_RECORD, fmt::format("{} bytes follow the last record", area.size() - pos));
  }
  if (keep_decompressed != nullptr) *keep_decompressed = std::move(decompressed);
  return {};
}

// Header checks of validate_batch, up to (not including) the records.
BatchValidation validate_header(std::span<const uint8_t> b, const ValidationLimits& limits) {
  if (b.size() < batch::kHeaderSize) {
    return fail(ErrorCode::CORRUPT_MESSAGE, fmt::format("{} bytes are fewer than a batch header", b.size()));
  }
  batch::Header h = header_of(b);
  if (h.batch_length() < kMinBatchLength || static_cast<size_t>(h.total_size()) != b.size()) {
    return fail(ErrorCode::CORRUPT_MESSAGE,
                fmt::format("batchLength {} does not match the {} bytes given", h.batch_length(), b.size()));
  }
  if (h.magic() != batch::kMagicV2) {
    return fail(ErrorCode::INVALID_RECORD, fmt::format("magic {} is not 2", static_cast<int>(h.magic())));
  }
  if (h.total_size() > limits.max_message_bytes) {
    return fail(ErrorCode::MESSAGE_TOO_LARGE, fmt::format("batch of {} bytes exceeds max.message.bytes {}",
                                                          h.total_size(), limits.max_message_bytes));
  }
  if (!h.crc_valid()) {
    return fail(ErrorCode::CORRUPT_MESSAGE,
                fmt::format("CRC {:#010x} does not match computed {:#010x}", h.crc(), h.compute_crc()));
  }
  if ((h.attributes() & batch::kCompressionMask) > static_cast<int>(batch::Compression::zstd)) {
    return fail(ErrorCode::INVALID_RECORD,
                fmt::format("unknown compression codec {}", h.attributes() & batch::kCompressionMask));
  }
  if (limits.from_client && h.is_control()) {
    return fail(ErrorCode::INVALID_RECORD, "clients may not produce control batches");
  }
  if (limits.from_client && h.is_log_append_time()) {
    return fail(ErrorCode::INVALID_TIMESTAMP, "clients may not set the LogAppendTime attribute");
  }
  if (h.producer_id() >= 0 && h.base_sequence() < 0) {
    return fail(ErrorCode::INVALID_RECORD,
                fmt::format("producerId {} with baseSequence {}", h.producer_id(), h.base_sequence()));
  }
  if (limits.from_client && (h.records_count() <= 0 || h.last_offset_delta() + 1 != h.records_count())) {
    return fail(ErrorCode::INVALID_RECORD, fmt::format("recordsCount {} with lastOffsetDelta {}",
                                                       h.records_count(), h.last_offset_delta()));
  }
  if (h.records_count() < 0) {
    return fail(ErrorCode::INVALID_RECORD, fmt::format("negative recordsCount {}", h.records_count()));
  }
  return {};
}

}  // namespace

BatchValidation validate_batch(std::span<const uint8_t> b, const ValidationLimits& limits) {
  BatchValidation v = validate_header(b, limits);
  if (!v.ok()) return v;
  RecordRules rules{limits.from_client, limits.compacted, limits.now_ms, limits.timestamp_before_max_ms,
                    limits.timestamp_after_max_ms};
  return for_each_record(b, limits.max_decompressed_bytes, rules,
                         [](int32_t, const RecordView&) { return BatchValidation{}; });
}

Result<std::vector<std::span<uint8_t>>, BatchValidation> split_batches(std::span<uint8_t> records) {
  std::vector<std::span<uint8_t>> batches;
  size_t pos = 0;
  while (pos < records.size()) {
    auto size = whole_batch_size(records.subspan(pos));
    if (!size)
      return unexpected(fail(ErrorCode::CORRUPT_MESSAGE, fmt::format("at byte {}: {}", pos, size.error())));
    batches.push_back(records.subspan(pos, *size));
    pos += *size;
  }
  return batches;
}

namespace {

// Decodes the records of one whole, CRC-checked batch into owned Records.
Result<std::vector<Record>, std::string> decode_checked(std::span<const uint8_t> b, size_t max_decompressed) {
  batch::Header h = header_of(b);
  std::vector<Record> records;
  records.reserve(
      std::min<size_t>(static_cast<size_t>(std::max(h.records_count(), 0)), b.size() / kMinRecordSize + 1));
  const bool log_append_time = h.is_log_append_time();
  auto to_bytes = [](std::optional<std::span<const uint8_t>> s) -> std::optional<Bytes> {
    if (!s) return std::nullopt;
    return Bytes(s->begin(), s->end());
  };
  RecordRules rules{.dense_offsets = false};
  BatchValidation v = for_each_record(b, max_decompressed, rules, [&](int32_t, const RecordView& view) {
    Record& r = records.emplace_back();
    r.offset = h.base_offset() + view.offset_delta;
    r.timestamp = log_append_time ? h.max_timestamp() : h.base_timestamp() + view.timestamp_delta;
    r.key = to_bytes(view.key);
    r.value = to_bytes(view.value);
    r.headers.reserve(view.headers.size());
    for (const RecordHeaderView& hv : view.headers)
      r.headers.push_back({std::string(hv.key), to_bytes(hv.value)});
    return BatchValidation{};
  });
  if (!v.ok()) return unexpected(std::move(v.message));
  return records;
}

// The header fields of the whole batch b found at byte `position` of a range.
void fill_header(BatchInfo& info, std::span<const uint8_t> b, size_t position) {
  batch::Header h = header_of(b);
  info.position = position;
  info.size = b.size();
  info.base_offset = h.base_offset();
  info.last_offset = h.last_offset();
  info.partition_leader_epoch = h.partition_leader_epoch();
  info.attributes = h.attributes();
  info.compression = h.compression();
  info.transactional = h.is_transactional();
  info.control = h.is_control();
  info.log_append_time = h.is_log_append_time();
  info.base_timestamp = h.base_timestamp();
  info.max_timestamp = h.max_timestamp();
  info.producer_id = h.producer_id();
  info.producer_epoch = h.producer_epoch();
  info.base_sequence = h.base_sequence();
  info.records_count = h.records_count();
}

// Whole-batch checks shared by the decoders: magic 2 and CRC.
Result<void, std::string> check_readable(std::span<const uint8_t> b) {
  if (b.size() < batch::kHeaderSize)
    return unexpected(fmt::format("{} bytes are fewer than a batch header", b.size()));
  batch::Header h = header_of(b);
  if (h.magic() != batch::kMagicV2)
    return unexpected(fmt::format("magic {} is not 2", static_cast<int>(h.magic())));
  if (!h.crc_valid())
    return unexpected(fmt::format("CRC {:#010x} != computed {:#010x}", h.crc(), h.compute_crc()));
  return {};
}

// Walks the whole batches of `many` (a truncated tail ends the walk when allowed), checking magic and CRC
// before handing each to visit(batch, byte position) -> Result<void, std::string>.
template <class Visit>
Result<void, std::string> for_each_readable_batch(std::span<const uint8_t> many, bool allow_truncated_tail,
                                                  Visit&& visit) {
  size_t pos = 0;
  while (pos < many.size()) {
    std::span<const uint8_t> rest = many.subspan(pos);
    auto size = whole_batch_size(rest);
    if (!size && allow_truncated_tail && is_partial_tail(rest)) break;
    if (!size) return unexpected(fmt::format("at byte {}: {}", pos, size.error()));
    std::span<const uint8_t> b = rest.first(*size);
    auto readable = check_readable(b);
    if (!readable) return unexpected(fmt::format("batch at byte {}: {}", pos, readable.error()));
    auto visited = visit(b, pos);
    if (!visited) return unexpected(fmt::format("batch at byte {}: {}", pos, visited.error()));
    pos += *size;
  }
  return {};
}

}  // namespace

Result<std::vector<Record>, std::string> decode_records(std::span<const uint8_t> b, size_t max_decompressed) {
  auto size = whole_batch_size(b);
  if (!size) return unexpected(std::move(size.error()));
  if (*size != b.size()) return unexpected(fmt::format("{} bytes follow the batch", b.size() - *size));
  auto readable = check_readable(b);
  if (!readable) return unexpected(std::move(readable.error()));
  return decode_checked(b, max_decompressed);
}

Result<std::vector<BatchInfo>, std::string> decode_batches(std::span<const uint8_t> many,
                                                           bool allow_truncated_tail,
                                                           size_t max_decompressed) {
  std::vector<BatchInfo> out;
  auto walked = for_each_readable_batch(
      many, allow_truncated_tail, [&](std::span<const uint8_t> b, size_t pos) -> Result<void, std::string> {
        auto records = decode_checked(b, max_decompressed);
        if (!records) return unexpected(std::move(records.error()));
        BatchInfo& info = out.emplace_back();
        fill_header(info, b, pos);
        info.records = std::move(*records);
        return {};
      });
  if (!walked) return unexpected(std::move(walked.error()));
  return out;
}

Result<void, std::string> visit_batches(std::span<const uint8_t> many, bool allow_truncated_tail,
                                        std::vector<Bytes>& decompressed, const BatchVisitor& on_batch,
                                        const RecordVisitor& on_record, size_t max_decompressed) {
  BatchInfo info;
  return for_each_readable_batch(many, allow_truncated_tail,
                                 [&](std::span<const uint8_t> b, size_t pos) -> Result<void, std::string> {
                                   fill_header(info, b, pos);
                                   on_batch(info);
                                   Bytes kept;
                                   RecordRules rules{.dense_offsets = false};
                                   BatchValidation v = for_each_record(
                                       b, max_decompressed, rules,
                                       [&](int32_t, const RecordView& view) {
                                         on_record(info, view);
                                         return BatchValidation{};
                                       },
                                       &kept);
                                   if (!v.ok()) return unexpected(std::move(v.message));
                                   if (!kept.empty()) decompressed.push_back(std::move(kept));
                                   return {};
                                 });
}

RecordBatchBuilder::RecordBatchBuilder(batch::Compression compression, int compression_level)
    : compression_(compression), compression_level_(compression_level) {}

void RecordBatchBuilder::set_producer(int64_t producer_id, int16_t epoch, int32_t base_sequence) {
  producer_id_ = producer_id;
  producer_epoch_ = epoch;
  base_sequence_ = base_sequence;
}

void RecordBatchBuilder::append(std::optional<std::span<const uint8_t>> key,
                                std::optional<std::span<const uint8_t>> value,
                                const std::vector<RecordHeader>& headers, int64_t timestamp) {
  if (count_ == 0) base_timestamp_ = timestamp;
  max_timestamp_ = std::max(max_timestamp_, timestamp);
  encode_record(buffer_, timestamp - base_timestamp_, count_, key, value, headers);
  ++count_;
}

std::vector<uint8_t> RecordBatchBuilder::build() const {
  if (count_ == 0) throw std::logic_error("RecordBatchBuilder::build: no records");
  auto records = std::span<const uint8_t>(buffer_).subspan(batch::kHeaderSize);
  auto body = compress(compression_, records, compression_level_);
  if (!body) throw std::logic_error("RecordBatchBuilder::build: " + body.error());
  Bytes out(batch::kHeaderSize + body->size());
  std::copy(body->begin(), body->end(), out.data() + batch::kHeaderSize);
  write_header(out.data(), out.size());
  return out;
}

std::vector<uint8_t> RecordBatchBuilder::release() {
  if (compression_ != batch::Compression::none) return build();
  if (count_ == 0) throw std::logic_error("RecordBatchBuilder::release: no records");
  write_header(buffer_.data(), buffer_.size());
  std::vector<uint8_t> out = std::move(buffer_);
  buffer_.clear();  // record_count() still describes the released batch
  return out;
}

void RecordBatchBuilder::write_header(uint8_t* p, size_t total_size) const {
  int16_t attributes = static_cast<int16_t>(compression_);
  if (transactional_) attributes |= batch::kTransactionalBit;
  store_be64(p + batch::kBaseOffset, 0);
  store_be32(p + batch::kBatchLength, static_cast<uint32_t>(total_size - batch::kLogOverhead));
  store_be32(p + batch::kPartitionLeaderEpoch, static_cast<uint32_t>(-1));
  p[batch::kMagic] = static_cast<uint8_t>(batch::kMagicV2);
  store_be16(p + batch::kAttributes, static_cast<uint16_t>(attributes));
  store_be32(p + batch::kLastOffsetDelta, static_cast<uint32_t>(count_ - 1));
  store_be64(p + batch::kBaseTimestamp, static_cast<uint64_t>(base_timestamp_));
  store_be64(p + batch::kMaxTimestamp, static_cast<uint64_t>(max_timestamp_));
  store_be64(p + batch::kProducerId, static_cast<uint64_t>(producer_id_));
  store_be16(p + batch::kProducerEpoch, static_cast<uint16_t>(producer_epoch_));
  store_be32(p + batch::kBaseSequence, static_cast<uint32_t>(base_sequence_));
  store_be32(p + batch::kRecordsCount, static_cast<uint32_t>(count_));
  batch::Header(p).update_crc();
}

}  // namespace gregor
