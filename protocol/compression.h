// RecordBatch compression codecs (gzip, snappy, lz4, zstd) with bounded decompression (spec/protocol.md
// §6.1).
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/record_batch_header.h"
#include "protocol/result.h"

namespace gregor {

// Pass as `level` to use the codec's own default (gzip 6, lz4 fast, zstd 3; snappy has no levels).
inline constexpr int kDefaultCompressionLevel = INT_MIN;

// Kafka's name of a codec: "none", "gzip", "snappy", "lz4", "zstd".
std::string_view to_string(batch::Compression codec);

// Why a decompression failed: the input is malformed, or it expands beyond the caller's bound.
struct DecompressError {
  bool too_large = false;
  std::string message;
};

// Decompresses a batch's records area. Never produces (or allocates room for) more than max_output bytes:
// larger output fails with too_large set. Snappy accepts both xerial framing (Java) and a raw block
// (librdkafka); gzip accepts concatenated members; lz4 accepts concatenated frames.
Result<std::vector<uint8_t>, DecompressError> decompress_bounded(batch::Compression codec,
                                                                 std::span<const uint8_t> in,
                                                                 size_t max_output);

// decompress_bounded with the error flattened to its message.
Result<std::vector<uint8_t>, std::string> decompress(batch::Compression codec, std::span<const uint8_t> in,
                                                     size_t max_output);

// Compresses the way Java's producer does: gzip RFC 1952 stream, snappy in xerial framing with 32 KiB
// blocks, lz4 frame with 64 KiB independent blocks, zstd standard frame. `none` copies.
Result<std::vector<uint8_t>, std::string> compress(batch::Compression codec, std::span<const uint8_t> in,
                                                   int level = kDefaultCompressionLevel);

}  // namespace gregor
