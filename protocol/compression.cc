// Codec implementations over zlib, snappy, liblz4 (frame API) and libzstd (streaming), output bounded.
#include "protocol/compression.h"

#include <fmt/format.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

#include "protocol/endian.h"

namespace gregor {
namespace {

using Bytes = std::vector<uint8_t>;
using Decompressed = Result<Bytes, DecompressError>;

unexpected<DecompressError> corrupt(std::string message) {
  return unexpected(DecompressError{false, message});
}
unexpected<DecompressError> too_large(batch::Compression codec, size_t max_output) {
  return unexpected(DecompressError{
      true,
      fmt::format("{} data decompresses to more than the limit of {} bytes", to_string(codec), max_output)});
}

// Growing output buffer that never holds more than max + 1 bytes: the extra byte is how an over-limit
// stream is told apart from one that ends exactly at the limit.
class BoundedOutput {
 public:
  BoundedOutput(size_t max, size_t first_guess)
      : max_(max), first_guess_(std::max<size_t>(first_guess, 256)) {}

  // Free space to decode into; empty once max + 1 bytes are held.
  std::span<uint8_t> room() {
    if (used_ == buf_.size()) {
      size_t want = buf_.empty() ? first_guess_ : buf_.size() * 2;
      size_t cap = max_ == SIZE_MAX ? SIZE_MAX : max_ + 1;
      buf_.resize(std::min(want, cap));
    }
    return std::span<uint8_t>(buf_).subspan(used_);
  }
  void commit(size_t n) { used_ += n; }
  bool over() const { return used_ > max_; }
  Bytes take() && {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  size_t max_;
  size_t first_guess_;
  size_t used_ = 0;
  Bytes buf_;
};

// zlib counts in uInt: hand it at most this much per call.
constexpr size_t kZlibChunk = 1u << 30;

// ---- gzip ----

Decompressed gunzip(std::span<const uint8_t> in, size_t max_output) {
  z_stream zs{};
  // 16 + MAX_WBITS: gzip wrapper only, as Kafka's GZIPInputStream.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return corrupt("gzip: inflateInit2 failed");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&zs, &inflateEnd);
  BoundedOutput out(max_output, in.size() * 4);
  size_t pos = 0;
  for (;;) {
    std::span<uint8_t> room = out.room();
    if (room.empty()) return too_large(batch::Compression::gzip, max_output);
    size_t in_chunk = std::min(in.size() - pos, kZlibChunk);
    size_t out_chunk = std::min(room.size(), kZlibChunk);
    zs.next_in = const_cast<Bytef*>(in.data() + pos);
    zs.avail_in = static_cast<uInt>(in_chunk);
    zs.next_out = room.data();
    zs.avail_out = static_cast<uInt>(out_chunk);
    int rc = inflate(&zs, Z_NO_FLUSH);
    pos += in_chunk - zs.avail_in;
    out.commit(out_chunk - zs.avail_out);
    if (out.over()) return too_large(batch::Compression::gzip, max_output);
    if (rc == Z_STREAM_END) {
      if (pos == in.size()) break;
      // Java's GZIPInputStream reads concatenated members as one stream.
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_BUF_ERROR && pos == in.size()) return corrupt("gzip: truncated stream");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return corrupt(fmt::format("gzip: {}", zs.msg ? zs.msg : "inflate failed"));
  }
  return std::move(out).take();
}

Result<Bytes, std::string> gzip(std::span<const uint8_t> in, int level) {
  if (level == kDefaultCompressionLevel) level = Z_DEFAULT_COMPRESSION;
  if (level < -1 || level > 9) return unexpected(fmt::format("gzip: level {} outside [-1, 9]", level));
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return unexpected(std::string("gzip: deflateInit2 failed"));
  }
  std::unique_ptr<z_stream, decltype(&deflateEnd)> guard(&zs, &deflateEnd);
  Bytes out(deflateBound(&zs, in.size()));
  size_t pos = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    size_t in_chunk = std::min(in.size() - pos, kZlibChunk);
    size_t room = std::min(out.size() - zs.total_out, kZlibChunk);
    zs.next_in = const_cast<Bytef*>(in.data() + pos);
    zs.avail_in = static_cast<uInt>(in_chunk);
    zs.next_out = out.data() + zs.total_out;
    zs.avail_out = static_cast<uInt>(room);
    bool last = pos + in_chunk == in.size();
    rc = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
    pos += in_chunk - zs.avail_in;
    if (rc != Z_OK && rc != Z_STREAM_END) return unexpected(fmt::format("gzip: deflate failed ({})", rc));
  }
  out.resize(zs.total_out);
  return out;
}

// ---- snappy ----

// snappy-java's stream header: magic, version 1, minimum compatible version 1.
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;
// snappy-java's SnappyOutputStream default block size, which Kafka uses.
constexpr size_t kXerialBlockSize = 32 * 1024;

bool starts_with_xerial_magic(std::span<const uint8_t> in) {
  return in.size() >= sizeof(kXerialMagic) && std::memcmp(in.data(), kXerialMagic, sizeof(kXerialMagic)) == 0;
}

// Appends one raw snappy block to out, checking its declared length against the bound first.
Result<void, DecompressError> unsnappy_block(std::span<const uint8_t> block, Bytes& out, size_t max_output) {
  const char* src = reinterpret_cast<const char*>(block.data());
  size_t n = 0;
  if (!snappy::GetUncompressedLength(src, block.size(), &n)) return corrupt("snappy: bad block length");
  if (n > max_output - out.size()) return too_large(batch::Compression::snappy, max_output);
  size_t old = out.size();
  out.resize(old + n);
  if (!snappy::RawUncompress(src, block.size(), reinterpret_cast<char*>(out.data() + old))) {
    return corrupt("snappy: corrupt block");
  }
  return {};
}

Decompressed unsnappy_xerial(std::span<const uint8_t> in, size_t max_output) {
  Bytes out;
  size_t pos = 0;
  while (pos < in.size()) {
    // snappy-java also accepts a new stream header between blocks (concatenated streams).
    if (starts_with_xerial_magic(in.subspan(pos))) {
      if (in.size() - pos < kXerialHeaderSize) return corrupt("snappy: truncated xerial header");
      pos += kXerialHeaderSize;
      continue;
    }
    if (in.size() - pos < 4) return corrupt("snappy: truncated xerial block length");
    uint32_t len = load_be32(in.data() + pos);
    pos += 4;
    if (len > in.size() - pos) return corrupt("snappy: truncated xerial block");
    auto r = unsnappy_block(in.subspan(pos, len), out, max_output);
    if (!r) return unexpected(r.error());
    pos += len;
  }
  return out;
}

Decompressed unsnappy(std::span<const uint8_t> in, size_t max_output) {
  if (starts_with_xerial_magic(in)) return unsnappy_xerial(in, max_output);
  // librdkafka writes one raw block.
  Bytes out;
  auto r = unsnappy_block(in, out, max_output);
  if (!r) return unexpected(r.error());
  return out;
}

Bytes snappy_xerial(std::span<const uint8_t> in) {
  Bytes out(kXerialHeaderSize);
  std::memcpy(out.data(), kXerialMagic, sizeof(kXerialMagic));
  store_be32(out.data() + 8, 1);
  store_be32(out.data() + 12, 1);
  for (size_t pos = 0; pos < in.size(); pos += kXerialBlockSize) {
    size_t n = std::min(kXerialBlockSize, in.size() - pos);
    size_t at = out.size();
    out.resize(at + 4 + snappy::MaxCompressedLength(n));
    size_t written = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(in.data() + pos), n,
                        reinterpret_cast<char*>(out.data() + at + 4), &written);
    store_be32(out.data() + at, static_cast<uint32_t>(written));
    out.resize(at + 4 + written);
  }
  return out;
}

// ---- lz4 ----

Decompressed unlz4(std::span<const uint8_t> in, size_t max_output) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) return corrupt("lz4: no context");
  std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> ctx(raw,
                                                                           &LZ4F_freeDecompressionContext);
  BoundedOutput out(max_output, in.size() * 4);
  size_t pos = 0;
  for (;;) {
    std::span<uint8_t> room = out.room();
    if (room.empty()) return too_large(batch::Compression::lz4, max_output);
    size_t dst = room.size();
    size_t src = in.size() - pos;
    size_t hint = LZ4F_decompress(ctx.get(), room.data(), &dst, in.data() + pos, &src, nullptr);
    if (LZ4F_isError(hint)) return corrupt(fmt::format("lz4: {}", LZ4F_getErrorName(hint)));
    pos += src;
    out.commit(dst);
    if (out.over()) return too_large(batch::Compression::lz4, max_output);
    // hint 0: a frame ended; further input would be another frame.
    if (hint == 0 && pos == in.size()) break;
    if (src == 0 && dst == 0) {
      return corrupt(pos == in.size() ? "lz4: truncated frame" : "lz4: decoder made no progress");
    }
  }
  return std::move(out).take();
}

Result<Bytes, std::string> lz4(std::span<const uint8_t> in, int level) {
  LZ4F_preferences_t prefs{};
  // Kafka's KafkaLZ4BlockInputStream rejects dependent blocks; Java writes 64 KiB blocks.
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.compressionLevel = level == kDefaultCompressionLevel ? 0 : level;
  Bytes out(LZ4F_compressFrameBound(in.size(), &prefs));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  if (LZ4F_isError(n)) return unexpected(fmt::format("lz4: {}", LZ4F_getErrorName(n)));
  out.resize(n);
  return out;
}

// ---- zstd ----

Decompressed unzstd(std::span<const uint8_t> in, size_t max_output) {
  // The default window limit (2^27) is kept: a Java producer at level 22 uses it.
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!ctx) return corrupt("zstd: no context");
  BoundedOutput out(max_output, in.size() * 4);
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  for (;;) {
    std::span<uint8_t> room = out.room();
    if (room.empty()) return too_large(batch::Compression::zstd, max_output);
    ZSTD_outBuffer ob{room.data(), room.size(), 0};
    size_t rc = ZSTD_decompressStream(ctx.get(), &ob, &ib);
    if (ZSTD_isError(rc)) return corrupt(fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
    out.commit(ob.pos);
    if (out.over()) return too_large(batch::Compression::zstd, max_output);
    // rc 0: a frame ended and is fully flushed; more input would be another frame.
    if (rc == 0 && ib.pos == ib.size) break;
    if (ib.pos == ib.size && ob.pos < ob.size) return corrupt("zstd: truncated frame");
  }
  return std::move(out).take();
}

Result<Bytes, std::string> zstd(std::span<const uint8_t> in, int level) {
  if (level == kDefaultCompressionLevel) level = ZSTD_CLEVEL_DEFAULT;
  if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
    return unexpected(
        fmt::format("zstd: level {} outside [{}, {}]", level, ZSTD_minCLevel(), ZSTD_maxCLevel()));
  }
  Bytes out(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level);
  if (ZSTD_isError(n)) return unexpected(fmt::format("zstd: {}", ZSTD_getErrorName(n)));
  out.resize(n);
  return out;
}

}  // namespace

std::string_view to_string(batch::Compression codec) {
  switch (codec) {
    case batch::Compression::none:
      return "none";
    case batch::Compression::gzip:
      return "gzip";
    case batch::Compression::snappy:
      return "snappy";
    case batch::Compression::lz4:
      return "lz4";
    case batch::Compression::zstd:
      return "zstd";
  }
  return "unknown";
}

Result<Bytes, DecompressError> decompress_bounded(batch::Compression codec, std::span<const uint8_t> in,
                                                  size_t max_output) {
  if (codec == batch::Compression::none) {
    if (in.size() > max_output) return too_large(codec, max_output);
    return Bytes(in.begin(), in.end());
  }
  // Every codec encodes even empty data as at least a header.
  if (in.empty()) return corrupt(fmt::format("{}: empty input", to_string(codec)));
  switch (codec) {
    case batch::Compression::gzip:
      return gunzip(in, max_output);
    case batch::Compression::snappy:
      return unsnappy(in, max_output);
    case batch::Compression::lz4:
      return unlz4(in, max_output);
    case batch::Compression::zstd:
      return unzstd(in, max_output);
    case batch::Compression::none:
      break;
  }
  return corrupt(fmt::format("unknown compression codec {}", static_cast<int>(codec)));
}

Result<Bytes, std::string> decompress(batch::Compression codec, std::span<const uint8_t> in,
                                      size_t max_output) {
  auto r = decompress_bounded(codec, in, max_output);
  if (!r) return unexpected(std::move(r.error().message));
  return std::move(*r);
}

Result<Bytes, std::string> compress(batch::Compression codec, std::span<const uint8_t> in, int level) {
  switch (codec) {
    case batch::Compression::none:
      return Bytes(in.begin(), in.end());
    case batch::Compression::gzip:
      return gzip(in, level);
    case batch::Compression::snappy:
      return snappy_xerial(in);
    case batch::Compression::lz4:
      return lz4(in, level);
    case batch::Compression::zstd:
      return zstd(in, level);
  }
  return unexpected(fmt::format("unknown compression codec {}", static_cast<int>(codec)));
}

}  // namespace gregor
