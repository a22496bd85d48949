// Batch rewrite: the cleaner's new batches — a stored batch with some records removed, or its header alone.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/record.h"
#include "protocol/result.h"

namespace gregor::log {

// `original` (one whole stored batch) with only the records where keep[i] is true (`records` = its decoded
// records). Keeps base offset, last offset delta, partition leader epoch, producer fields, codec and
// timestamp type, so offsets and sequences do not move (Kafka's buildRetainedRecordsInto). With a delete
// horizon, attribute bit 6 is set and baseTimestamp holds the horizon; timestamp deltas are relative to it.
Result<std::vector<uint8_t>, std::string> rebuild_batch(std::span<const uint8_t> original,
                                                        const std::vector<Record>& records,
                                                        const std::vector<bool>& keep,
                                                        std::optional<int64_t> delete_horizon_ms);

// A zero-record batch with `original`'s offsets and producer fields (Kafka's writeEmptyHeader): what stays of
// a producer's last batch when all its records are cleaned away.
std::vector<uint8_t> empty_batch_like(std::span<const uint8_t> original);

}  // namespace gregor::log
