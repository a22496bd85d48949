// RecordBatch v2 (magic 2) header: the 61-byte layout of spec/protocol.md §6.1, read and patched in place.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocol/crc32c.h"
#include "protocol/endian.h"

namespace gregor::batch {

// Byte offsets of the header fields.
inline constexpr size_t kBaseOffset = 0;
inline constexpr size_t kBatchLength = 8;
inline constexpr size_t kPartitionLeaderEpoch = 12;
inline constexpr size_t kMagic = 16;
inline constexpr size_t kCrc = 17;
inline constexpr size_t kAttributes = 21;
inline constexpr size_t kLastOffsetDelta = 23;
inline constexpr size_t kBaseTimestamp = 27;
inline constexpr size_t kMaxTimestamp = 35;
inline constexpr size_t kProducerId = 43;
inline constexpr size_t kProducerEpoch = 51;
inline constexpr size_t kBaseSequence = 53;
inline constexpr size_t kRecordsCount = 57;
inline constexpr size_t kHeaderSize = 61;
// baseOffset + batchLength precede the counted length.
inline constexpr size_t kLogOverhead = 12;
inline constexpr int8_t kMagicV2 = 2;

// Attribute bits.
inline constexpr int16_t kCompressionMask = 0x07;
inline constexpr int16_t kTimestampTypeBit = 0x08;  // 1 = LogAppendTime
inline constexpr int16_t kTransactionalBit = 0x10;
inline constexpr int16_t kControlBit = 0x20;
inline constexpr int16_t kDeleteHorizonBit = 0x40;

enum class Compression : int8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

// A view over one batch's bytes (at least kHeaderSize of them). Does not own the bytes.
class Header {
 public:
  explicit Header(uint8_t* p) : p_(p) {}

  int64_t base_offset() const { return static_cast<int64_t>(load_be64(p_ + kBaseOffset)); }
  int32_t batch_length() const { return static_cast<int32_t>(load_be32(p_ + kBatchLength)); }
  // Whole batch on disk / on the wire, including the 12-byte log overhead.
  int64_t total_size() const { return static_cast<int64_t>(batch_length()) + kLogOverhead; }
  int32_t partition_leader_epoch() const { return static_cast<int32_t>(load_be32(p_ + kPartitionLeaderEpoch)); }
  int8_t magic() const { return static_cast<int8_t>(p_[kMagic]); }
  uint32_t crc() const { return load_be32(p_ + kCrc); }
  int16_t attributes() const { return static_cast<int16_t>(load_be16(p_ + kAttributes)); }
  int32_t last_offset_delta() const { return static_cast<int32_t>(load_be32(p_ + kLastOffsetDelta)); }
  int64_t base_timestamp() const { return static_cast<int64_t>(load_be64(p_ + kBaseTimestamp)); }
  int64_t max_timestamp() const { return static_cast<int64_t>(load_be64(p_ + kMaxTimestamp)); }
  int64_t producer_id() const { return static_cast<int64_t>(load_be64(p_ + kProducerId)); }
  int16_t producer_epoch() const { return static_cast<int16_t>(load_be16(p_ + kProducerEpoch)); }
  int32_t base_sequence() const { return static_cast<int32_t>(load_be32(p_ + kBaseSequence)); }
  int32_t records_count() const { return static_cast<int32_t>(load_be32(p_ + kRecordsCount)); }

  int64_t last_offset() const { return base_offset() + last_offset_delta(); }
  Compression compression() const { return static_cast<Compression>(attributes() & kCompressionMask); }
  bool is_log_append_time() const { return (attributes() & kTimestampTypeBit) != 0; }
  bool is_transactional() const { return (attributes() & kTransactionalBit) != 0; }
  bool is_control() const { return (attributes() & kControlBit) != 0; }

  // CRC-32C over [attributes, end). Caller guarantees total_size() bytes are readable.
  uint32_t compute_crc() const { return crc32c(p_ + kAttributes, static_cast<size_t>(total_size()) - kAttributes); }
  bool crc_valid() const { return compute_crc() == crc(); }

  // Fields outside the CRC range: rewriting them keeps the CRC valid.
  void set_base_offset(int64_t v) { store_be64(p_ + kBaseOffset, static_cast<uint64_t>(v)); }
  void set_partition_leader_epoch(int32_t v) { store_be32(p_ + kPartitionLeaderEpoch, static_cast<uint32_t>(v)); }
  // Fields inside the CRC range: call update_crc() afterwards.
  void set_attributes(int16_t v) { store_be16(p_ + kAttributes, static_cast<uint16_t>(v)); }
  void set_max_timestamp(int64_t v) { store_be64(p_ + kMaxTimestamp, static_cast<uint64_t>(v)); }
  void update_crc() { store_be32(p_ + kCrc, compute_crc()); }

  uint8_t* data() const { return p_; }

 private:
  uint8_t* p_;
};

}  // namespace gregor::batch
