// dump_log: Kafka DumpLogSegments output for gregor's segment, index and snapshot files.
#include "log/dump_log.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "log/file.h"
#include "log/format.h"
#include "protocol/compression.h"
#include "protocol/crc32c.h"
#include "protocol/endian.h"
#include "protocol/record_batch.h"
#include "protocol/record_batch_header.h"

namespace gregor::log {
namespace {

// Kafka's DefaultRecordBatch.incrementSequence: sequences wrap to 0 after INT32_MAX.
int32_t increment_sequence(int32_t seq, int32_t by) {
  if (seq > std::numeric_limits<int32_t>::max() - by)
    return by - (std::numeric_limits<int32_t>::max() - seq) - 1;
  return seq + by;
}
int32_t decrement_sequence(int32_t seq, int32_t by) {
  if (seq < by) return std::numeric_limits<int32_t>::max() - (by - seq) + 1;
  return seq - by;
}

const char* boolean(bool b) { return b ? "true" : "false"; }

// Java's OptionalLong.toString().
std::string optional_long(std::optional<int64_t> v) {
  return v ? fmt::format("OptionalLong[{}]", *v) : std::string("OptionalLong.empty");
}

std::string text(const std::optional<std::vector<uint8_t>>& b) {
  return b ? std::string(b->begin(), b->end()) : "";
}

std::optional<int64_t> base_offset_of(const std::filesystem::path& file) {
  std::string name = file.filename().string();
  return format::parse_offset(name.substr(0, std::min<size_t>(name.size(), format::kFileNameDigits)), "");
}

void print_control_record(std::ostream& out, const Record& r) {
  if (!r.key || r.key->size() < 4) return;
  int16_t type = static_cast<int16_t>(load_be16(r.key->data() + 2));
  if ((type == 0 || type == 1) && r.value && r.value->size() >= 6) {
    out << " endTxnMarker: " << (type == 0 ? "ABORT" : "COMMIT")
        << " coordinatorEpoch: " << static_cast<int32_t>(load_be32(r.value->data() + 2));
  } else {
    out << " controlType: UNKNOWN(" << type << ")";
  }
}

// Sizes of the key and value as stored, -1 when null (Kafka's Record.keySize/valueSize).
int64_t size_of(const std::optional<std::vector<uint8_t>>& b) {
  return b ? static_cast<int64_t>(b->size()) : -1;
}

void print_records(std::ostream& out, std::span<const uint8_t> bytes, batch::Header h, bool contents) {
  auto records = decode_records(bytes);
  if (!records) {
    out << "Error decoding records: " << records.error() << "\n";
    return;
  }
  const char* ts_type = h.is_log_append_time() ? "LogAppendTime" : "CreateTime";
  for (const Record& r : *records) {
    int32_t delta = static_cast<int32_t>(r.offset - h.base_offset());
    int32_t seq = h.base_sequence() < 0 ? -1 : increment_sequence(h.base_sequence(), delta);
    out << "| offset: " << r.offset << " " << ts_type << ": " << r.timestamp << " keySize: " << size_of(r.key)
        << " valueSize: " << size_of(r.value) << " sequence: " << seq << " headerKeys: [";
    for (size_t i = 0; i < r.headers.size(); ++i) out << (i ? "," : "") << r.headers[i].key;
    out << "]";
    if (h.is_control()) print_control_record(out, r);
    if (contents && !h.is_control()) {
      if (r.key) out << " key: " << text(r.key);
      if (r.value) out << " payload: " << text(r.value);
    }
    out << "\n";
  }
}

void print_batch(std::ostream& out, batch::Header h, int64_t position) {
  bool valid = h.total_size() >= static_cast<int64_t>(batch::kHeaderSize) && h.crc_valid();
  int32_t last_seq =
      h.base_sequence() < 0 ? -1 : increment_sequence(h.base_sequence(), h.last_offset_delta());
  std::optional<int64_t> horizon;
  if (h.attributes() & batch::kDeleteHorizonBit) horizon = h.base_timestamp();
  out << "baseOffset: " << h.base_offset() << " lastOffset: " << h.last_offset()
      << " count: " << h.records_count() << " baseSequence: " << h.base_sequence()
      << " lastSequence: " << last_seq << " producerId: " << h.producer_id()
      << " producerEpoch: " << h.producer_epoch() << " partitionLeaderEpoch: " << h.partition_leader_epoch()
      << " isTransactional: " << boolean(h.is_transactional()) << " isControl: " << boolean(h.is_control())
      << " deleteHorizonMs: " << optional_long(horizon) << " position: " << position << " "
      << (h.is_log_append_time() ? "LogAppendTime" : "CreateTime") << ": " << h.max_timestamp()
      << " size: " << h.total_size() << " magic: " << static_cast<int>(h.magic())
      << " compresscodec: " << to_string(h.compression()) << " crc: " << h.crc()
      << " isvalid: " << boolean(valid) << "\n";
}

void dump_segment(const File& file, std::ostream& out, bool contents) {
  if (auto base = base_offset_of(file.path())) out << "Log starting offset: " << *base << "\n";
  auto size = file.size();
  if (!size) {
    out << size.error() << "\n";
    return;
  }
  int64_t pos = 0;
  std::vector<uint8_t> buf;
  while (pos + static_cast<int64_t>(batch::kHeaderSize) <= *size) {
    buf.resize(batch::kHeaderSize);
    if (auto r = file.pread_exact(buf, pos); !r) {
      out << r.error() << "\n";
      return;
    }
    int64_t total = batch::Header(buf.data()).total_size();
    if (total < static_cast<int64_t>(batch::kHeaderSize) || pos + total > *size) break;
    buf.resize(static_cast<size_t>(total));
    if (auto r = file.pread_exact(buf, pos); !r) {
      out << r.error() << "\n";
      return;
    }
    batch::Header h(buf.data());
    print_batch(out, h, pos);
    if (contents) print_records(out, buf, h, true);
    pos += total;
  }
  if (pos < *size)
    out << "Found " << (*size - pos) << " invalid bytes at the end of " << file.path().filename().string()
        << "\n";
}

Result<std::string, std::string> read_all(const std::filesystem::path& path) { return read_text_file(path); }

void dump_offset_index(const std::filesystem::path& path, std::ostream& out, int64_t base) {
  auto bytes = read_all(path);
  if (!bytes) {
    out << bytes.error() << "\n";
    return;
  }
  size_t entries = bytes->size() / format::kOffsetIndexEntrySize;
  if (entries == 0) {
    out << path.string() << " is empty.\n";
    return;
  }
  const auto* p = reinterpret_cast<const uint8_t*>(bytes->data());
  for (size_t i = 0; i < entries; ++i, p += format::kOffsetIndexEntrySize) {
    int64_t offset = base + static_cast<int32_t>(load_be32(p));
    if (offset == base && i > 0) return;  // preallocated zeros of an active index
    out << "offset: " << offset << " position: " << static_cast<int32_t>(load_be32(p + 4)) << "\n";
  }
}

void dump_time_index(const std::filesystem::path& path, std::ostream& out, int64_t base) {
  auto bytes = read_all(path);
  if (!bytes) {
    out << bytes.error() << "\n";
    return;
  }
  size_t entries = bytes->size() / format::kTimeIndexEntrySize;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes->data());
  for (size_t i = 0; i < entries; ++i, p += format::kTimeIndexEntrySize) {
    int64_t offset = base + static_cast<int32_t>(load_be32(p + 8));
    if (offset == base && i > 0) return;
    out << "timestamp: " << static_cast<int64_t>(load_be64(p)) << " offset: " << offset << "\n";
  }
}

// Layout in log/FORMAT.md (.snapshot, version 1).
void dump_snapshot(const std::filesystem::path& path, std::ostream& out) {
  constexpr size_t kHeader = 10, kEntry = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
  auto bytes = read_all(path);
  if (!bytes) {
    out << bytes.error() << "\n";
    return;
  }
  const auto* p = reinterpret_cast<const uint8_t*>(bytes->data());
  size_t size = bytes->size();
  if (size < kHeader || load_be32(p + 2) != crc32c(p + 6, size - 6) ||
      size != kHeader + static_cast<size_t>(load_be32(p + 6)) * kEntry) {
    out << "Snapshot file " << path.string() << " is corrupt\n";
    return;
  }
  for (const uint8_t* e = p + kHeader; e < p + size; e += kEntry) {
    int32_t last_seq = static_cast<int32_t>(load_be32(e + 10));
    int32_t delta = static_cast<int32_t>(load_be32(e + 22));
    int64_t ts = static_cast<int64_t>(load_be64(e + 26));
    int64_t txn_first = static_cast<int64_t>(load_be64(e + 34 + 4));
    out << "producerId: " << static_cast<int64_t>(load_be64(e))
        << " producerEpoch: " << static_cast<int16_t>(load_be16(e + 8))
        << " coordinatorEpoch: " << static_cast<int32_t>(load_be32(e + 34)) << " currentTxnFirstOffset: "
        << optional_long(txn_first >= 0 ? std::optional(txn_first) : std::nullopt) << " lastTimestamp: " << ts
        << " firstSequence: " << decrement_sequence(last_seq, delta) << " lastSequence: " << last_seq
        << " lastOffset: " << static_cast<int64_t>(load_be64(e + 14)) << " offsetDelta: " << delta
        << " timestamp: " << ts << "\n";
  }
}

}  // namespace

void dump_log_segment(const std::filesystem::path& file, std::ostream& out, bool print_records) {
  out << "Dumping " << file.string() << "\n";
  std::string name = file.filename().string();
  int64_t base = base_offset_of(file).value_or(0);
  if (name.ends_with(format::kLogSuffix)) {
    auto f = File::open(file, O_RDONLY);
    if (!f) {
      out << f.error() << "\n";
      return;
    }
    dump_segment(**f, out, print_records);
  } else if (name.ends_with(format::kIndexSuffix)) {
    dump_offset_index(file, out, base);
  } else if (name.ends_with(format::kTimeIndexSuffix)) {
    dump_time_index(file, out, base);
  } else if (name.ends_with(format::kSnapshotSuffix)) {
    dump_snapshot(file, out);
  } else {
    out << "Ignoring unknown file " << file.string() << "\n";
  }
}

}  // namespace gregor::log
