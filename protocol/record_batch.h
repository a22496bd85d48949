// RecordBatch v2: produce-side validation (Kafka's LogValidator order), splitting, decoding and building.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/compression.h"
#include "protocol/error_code.h"
#include "protocol/record.h"
#include "protocol/record_batch_header.h"
#include "protocol/result.h"

namespace gregor {

// Kafka's max.message.bytes default: 1 MiB + the 12-byte log overhead.
inline constexpr int64_t kDefaultMaxMessageBytes = 1048588;
// Bound on a batch's decompressed records area (zip-bomb guard); Kafka itself has none.
inline constexpr size_t kDefaultMaxDecompressedBytes = 64u << 20;

struct ValidationLimits {
  int64_t max_message_bytes = kDefaultMaxMessageBytes;
  size_t max_decompressed_bytes = kDefaultMaxDecompressedBytes;
  // A producer's batch (strict: dense offsets, no control batch, no LogAppendTime bit). False for batches
  // read from a log or a leader, which the cleaner may have thinned out.
  bool from_client = true;
  // cleanup.policy=compact: every record needs a key.
  bool compacted = false;
  // CreateTime records must lie in [now - before_max, now + after_max]
  // (message.timestamp.before/after.max.ms); checked only when now_ms >= 0.
  int64_t now_ms = -1;
  int64_t timestamp_before_max_ms = std::numeric_limits<int64_t>::max();
  int64_t timestamp_after_max_ms = std::numeric_limits<int64_t>::max();
};

// Outcome of validating one batch: NONE, or the Kafka error with a message and, for record-level
// failures, the record's index inside the batch (Produce v8 record_errors).
struct BatchValidation {
  ErrorCode error = ErrorCode::NONE;
  std::string message;
  int32_t record_index = -1;
  bool ok() const { return error == ErrorCode::NONE; }
};

// Validates exactly one batch (the span must hold exactly batchLength + 12 bytes). Checks, in order:
//  - size: >= 61 bytes, batchLength + 12 == span size                          → CORRUPT_MESSAGE
//  - magic == 2 (ProduceRequest.validateRecords)                                → INVALID_RECORD
//  - batchLength + 12 <= max_message_bytes                                      → MESSAGE_TOO_LARGE
//  - CRC-32C                                                                     → CORRUPT_MESSAGE
//  - codec 0..4 (5..7 are a client bug, not line noise: the CRC matched)        → INVALID_RECORD
//  - client only: no control batch                                              → INVALID_RECORD
//  - client only: LogAppendTime bit clear                                        → INVALID_TIMESTAMP
//  - producerId >= 0 requires baseSequence >= 0                                  → INVALID_RECORD
//  - client only: recordsCount > 0 and lastOffsetDelta + 1 == recordsCount       → INVALID_RECORD
//  - records decompress within max_decompressed_bytes                           → MESSAGE_TOO_LARGE
//  - records decompress at all                                                   → INVALID_RECORD
//  - every record parses exactly, nothing follows the last one                  → INVALID_RECORD (index)
//  - offset deltas 0,1,2,... (client) / increasing and <= lastOffsetDelta (log) → INVALID_RECORD (index)
//  - compacted topic: non-null keys                                              → INVALID_RECORD (index)
//  - CreateTime timestamps within the configured window                         → INVALID_TIMESTAMP (index)
BatchValidation validate_batch(std::span<const uint8_t> batch, const ValidationLimits& limits = {});

// Splits a Produce partition's `records` blob into whole batches (by batchLength only; validate each with
// validate_batch). A blob that does not end on a batch boundary fails with CORRUPT_MESSAGE. Produce v3+
// must carry exactly one batch: the caller enforces that.
Result<std::vector<std::span<uint8_t>>, BatchValidation> split_batches(std::span<uint8_t> records);

// Decodes every record of one batch (decompressing it): offset = baseOffset + offsetDelta, timestamp =
// maxTimestamp for LogAppendTime batches, else baseTimestamp + timestampDelta. Checks the CRC.
Result<std::vector<Record>, std::string> decode_records(
    std::span<const uint8_t> batch, size_t max_decompressed = kDefaultMaxDecompressedBytes);

// One batch of a fetched or stored byte range: its header fields and decoded records.
struct BatchInfo {
  size_t position = 0;  // byte offset of the batch within the decoded range
  size_t size = 0;      // batchLength + 12
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int32_t partition_leader_epoch = -1;
  int16_t attributes = 0;
  batch::Compression compression = batch::Compression::none;
  bool transactional = false;
  bool control = false;
  bool log_append_time = false;
  int64_t base_timestamp = -1;
  int64_t max_timestamp = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t records_count = 0;
  std::vector<Record> records;
};

// Decodes consecutive batches (a Fetch response's records, a segment file range). With
// allow_truncated_tail a partial batch at the end (Fetch cuts at max_bytes) is skipped silently;
// without it, that is an error. Every whole batch must be magic 2 with a valid CRC.
Result<std::vector<BatchInfo>, std::string> decode_batches(
    std::span<const uint8_t> many_batches, bool allow_truncated_tail,
    size_t max_decompressed = kDefaultMaxDecompressedBytes);

// Sees each batch of visit_batches (header fields only: records stays empty), then each record of it.
using BatchVisitor = std::function<void(const BatchInfo&)>;
using RecordVisitor = std::function<void(const BatchInfo&, const RecordView&)>;

// decode_batches without copying a record: on_batch gets each whole batch's header fields, then
// on_record each of its records in order as views into `many` or, for a compressed batch, into its
// decompressed records appended to `decompressed`; the views stay valid while both live. The same
// checks as decode_batches (magic, CRC, every record parsed strictly); on an error some records may
// have been visited already, and the error names the batch.
Result<void, std::string> visit_batches(std::span<const uint8_t> many, bool allow_truncated_tail,
                                        std::vector<std::vector<uint8_t>>& decompressed,
                                        const BatchVisitor& on_batch, const RecordVisitor& on_record,
                                        size_t max_decompressed = kDefaultMaxDecompressedBytes);

// Builds one RecordBatch v2 the way Java's MemoryRecordsBuilder lays it out: baseOffset 0,
// partitionLeaderEpoch -1, baseTimestamp = first record's timestamp, CreateTime, CRC computed.
class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(batch::Compression compression = batch::Compression::none,
                              int compression_level = kDefaultCompressionLevel);

  // Idempotent/transactional producer fields (defaults: -1, -1, -1).
  void set_producer(int64_t producer_id, int16_t epoch, int32_t base_sequence);
  void set_transactional(bool transactional) { transactional_ = transactional; }

  // Adds a record with offset delta record_count(). Null key/value are encoded as length -1.
  void append(std::optional<std::span<const uint8_t>> key, std::optional<std::span<const uint8_t>> value,
              const std::vector<RecordHeader>& headers, int64_t timestamp);

  size_t record_count() const { return static_cast<size_t>(count_); }
  bool empty() const { return count_ == 0; }
  // Size of the batch if built uncompressed (an upper estimate for compressed batches).
  size_t estimated_size() const { return buffer_.size(); }
  // Room for a batch of about `bytes` (batch.size), so appends do not reallocate.
  void reserve(size_t bytes) { buffer_.reserve(bytes); }

  // The finished batch. Building an empty batch, or with an invalid compression level, is a caller bug
  // and throws std::logic_error.
  std::vector<uint8_t> build() const;
  // build() without the copy: an uncompressed batch is finished in place and handed over. Afterwards only
  // record_count() may be used (it still describes the released batch).
  std::vector<uint8_t> release();

 private:
  batch::Compression compression_;
  int compression_level_;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  int32_t base_sequence_ = -1;
  bool transactional_ = false;
  int32_t count_ = 0;
  int64_t base_timestamp_ = -1;
  int64_t max_timestamp_ = -1;
  // The batch being built: kHeaderSize bytes for the header (written by build/release), then the
  // uncompressed records, so an uncompressed batch needs no copy to finish.
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(batch::kHeaderSize);

  void write_header(uint8_t* p, size_t total_size) const;
};

}  // namespace gregor
