// Test helper: builds valid uncompressed RecordBatch v2 bytes (varints, CRC-32C) without protocol/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gregor::log::test {

struct TestRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = 0;
};

struct BatchOptions {
  int64_t base_offset = 0;
  int32_t leader_epoch = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};

std::vector<uint8_t> make_batch(const std::vector<TestRecord>& records, const BatchOptions& options = {});
// `count` records "v<i>" of value_size bytes each, timestamps ts, ts+1, ...
std::vector<uint8_t> make_simple_batch(int count, int64_t ts, size_t value_size = 16,
                                       const BatchOptions& options = {});

}  // namespace gregor::log::test
