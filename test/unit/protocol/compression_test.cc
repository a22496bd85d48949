// Tests for protocol/compression.h: round trips, Java/librdkafka stream formats, bounded decompression.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "protocol/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <boost/test/unit_test.hpp>
#include <random>
#include <string>
#include <vector>

#include "protocol/endian.h"

using namespace gregor;
using batch::Compression;
using Bytes = std::vector<uint8_t>;

namespace {

const Compression kCodecs[] = {Compression::none, Compression::gzip, Compression::snappy, Compression::lz4,
                               Compression::zstd};
const Compression kRealCodecs[] = {Compression::gzip, Compression::snappy, Compression::lz4,
                                   Compression::zstd};

// Half random, half repetitive text: exercises literals and matches, and spans many codec blocks.
Bytes mixed_data(size_t n, unsigned seed = 42) {
  std::mt19937 rng(seed);
  Bytes out;
  out.reserve(n);
  const std::string text = "the quick brown fox jumps over the lazy dog; ";
  while (out.size() < n) {
    if (rng() % 2) {
      for (int i = 0; i < 100 && out.size() < n; ++i) out.push_back(static_cast<uint8_t>(rng()));
    } else {
      for (size_t i = 0; i < text.size() && out.size() < n; ++i) out.push_back(static_cast<uint8_t>(text[i]));
    }
  }
  return out;
}

Bytes must_compress(Compression c, const Bytes& in) {
  auto r = compress(c, in);
  BOOST_REQUIRE_MESSAGE(r.has_value(), r.error());
  return *r;
}

void check_round_trip(Compression c, const Bytes& in) {
  BOOST_TEST_CONTEXT("codec " << to_string(c) << ", " << in.size() << " bytes") {
    Bytes packed = must_compress(c, in);
    auto out = decompress(c, packed, in.size());
    BOOST_REQUIRE_MESSAGE(out.has_value(), out.error());
    BOOST_TEST((*out == in));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compression)

BOOST_AUTO_TEST_CASE(round_trip_empty) {
  for (Compression c : kCodecs) check_round_trip(c, {});
}

BOOST_AUTO_TEST_CASE(round_trip_small) {
  Bytes in = {'h', 'e', 'l', 'l', 'o'};
  for (Compression c : kCodecs) check_round_trip(c, in);
}

BOOST_AUTO_TEST_CASE(round_trip_large) {
  // 3 MiB: many snappy (32 KiB) and lz4 (64 KiB) blocks, and gzip/zstd output larger than any first guess.
  Bytes in = mixed_data(3 << 20);
  for (Compression c : kCodecs) check_round_trip(c, in);
}

BOOST_AUTO_TEST_CASE(round_trip_with_levels) {
  Bytes in = mixed_data(200000, 7);
  for (int level : {1, 9}) {
    auto g = compress(Compression::gzip, in, level);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST((*decompress(Compression::gzip, *g, in.size()) == in));
  }
  for (int level : {1, 19, -5}) {
    auto z = compress(Compression::zstd, in, level);
    BOOST_REQUIRE(z.has_value());
    BOOST_TEST((*decompress(Compression::zstd, *z, in.size()) == in));
  }
  auto l = compress(Compression::lz4, in, 9);
  BOOST_REQUIRE(l.has_value());
  BOOST_TEST((*decompress(Compression::lz4, *l, in.size()) == in));
}

BOOST_AUTO_TEST_CASE(invalid_levels_are_errors) {
  Bytes in = mixed_data(100);
  BOOST_TEST(!compress(Compression::gzip, in, 10).has_value());
  BOOST_TEST(!compress(Compression::zstd, in, 1000).has_value());
}

BOOST_AUTO_TEST_CASE(gzip_writes_rfc1952) {
  Bytes packed = must_compress(Compression::gzip, mixed_data(1000));
  BOOST_REQUIRE(packed.size() > 10);
  BOOST_TEST(packed[0] == 0x1f);
  BOOST_TEST(packed[1] == 0x8b);
  BOOST_TEST(packed[2] == 8);  // deflate
}

BOOST_AUTO_TEST_CASE(gzip_reads_concatenated_members) {
  Bytes a = mixed_data(5000, 1), b = mixed_data(7000, 2);
  Bytes packed = must_compress(Compression::gzip, a);
  Bytes second = must_compress(Compression::gzip, b);
  packed.insert(packed.end(), second.begin(), second.end());
  auto out = decompress(Compression::gzip, packed, 1 << 20);
  BOOST_REQUIRE_MESSAGE(out.has_value(), out.error());
  Bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  BOOST_TEST((*out == expected));
}

BOOST_AUTO_TEST_CASE(snappy_writes_xerial_framing) {
  Bytes in = mixed_data(100000);
  Bytes packed = must_compress(Compression::snappy, in);
  const uint8_t magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
  BOOST_REQUIRE(packed.size() > 20);
  BOOST_TEST(std::equal(magic, magic + 8, packed.begin()));
  BOOST_TEST(load_be32(packed.data() + 8) == 1u);
  BOOST_TEST(load_be32(packed.data() + 12) == 1u);
  // Walk the blocks: each is [int32 length, raw snappy block of at most 32 KiB uncompressed].
  size_t pos = 16, blocks = 0, total = 0;
  while (pos < packed.size()) {
    uint32_t len = load_be32(packed.data() + pos);
    size_t n = 0;
    BOOST_REQUIRE(
        snappy::GetUncompressedLength(reinterpret_cast<const char*>(packed.data() + pos + 4), len, &n));
    BOOST_TEST(n <= 32768u);
    total += n;
    pos += 4 + len;
    ++blocks;
  }
  BOOST_TEST(pos == packed.size());
  BOOST_TEST(total == in.size());
  BOOST_TEST(blocks == 4u);
}

BOOST_AUTO_TEST_CASE(snappy_reads_raw_block_like_librdkafka) {
  Bytes in = mixed_data(150000, 3);
  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(in.data()), in.size(), &raw);
  Bytes packed(raw.begin(), raw.end());
  auto out = decompress(Compression::snappy, packed, in.size());
  BOOST_REQUIRE_MESSAGE(out.has_value(), out.error());
  BOOST_TEST((*out == in));
}

BOOST_AUTO_TEST_CASE(snappy_reads_hand_built_xerial_stream) {
  // Two blocks of different sizes, then a second stream header (snappy-java concatenation), then a block.
  Bytes parts[3] = {mixed_data(1000, 4), mixed_data(40000, 5), mixed_data(10, 6)};
  Bytes packed = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  Bytes expected;
  for (int i = 0; i < 3; ++i) {
    if (i == 2) {
      Bytes header(packed.begin(), packed.begin() + 16);
      packed.insert(packed.end(), header.begin(), header.end());
    }
    std::string raw;
    snappy::Compress(reinterpret_cast<const char*>(parts[i].data()), parts[i].size(), &raw);
    uint8_t len[4];
    store_be32(len, static_cast<uint32_t>(raw.size()));
    packed.insert(packed.end(), len, len + 4);
    packed.insert(packed.end(), raw.begin(), raw.end());
    expected.insert(expected.end(), parts[i].begin(), parts[i].end());
  }
  auto out = decompress(Compression::snappy, packed, 1 << 20);
  BOOST_REQUIRE_MESSAGE(out.has_value(), out.error());
  BOOST_TEST((*out == expected));
}

BOOST_AUTO_TEST_CASE(lz4_writes_kafka_compatible_frame) {
  Bytes packed = must_compress(Compression::lz4, mixed_data(200000));
  BOOST_REQUIRE(packed.size() > 7);
  BOOST_TEST(packed[0] == 0x04);  // magic 0x184D2204, little-endian
  BOOST_TEST(packed[1] == 0x22);
  BOOST_TEST(packed[2] == 0x4D);
  BOOST_TEST(packed[3] == 0x18);
  uint8_t flg = packed[4], bd = packed[5];
  BOOST_TEST((flg >> 6) == 1);         // version 01
  BOOST_TEST((flg & 0x20) != 0);       // block independence: Kafka's reader requires it
  BOOST_TEST((flg & 0x04) == 0);       // no content checksum, as Java writes
  BOOST_TEST(((bd >> 4) & 0x7) == 4);  // 64 KiB blocks
}

BOOST_AUTO_TEST_CASE(zstd_reads_frame_without_content_size) {
  // Streaming compressors (zstd-jni's ZstdOutputStream) do not record the content size.
  Bytes in = mixed_data(500000, 8);
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 0);
  Bytes packed(ZSTD_compressBound(in.size()));
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  ZSTD_outBuffer ob{packed.data(), packed.size(), 0};
  size_t rc = ZSTD_compressStream2(cctx.get(), &ob, &ib, ZSTD_e_end);
  BOOST_REQUIRE(rc == 0u);
  packed.resize(ob.pos);
  BOOST_TEST(ZSTD_getFrameContentSize(packed.data(), packed.size()) == ZSTD_CONTENTSIZE_UNKNOWN);
  auto out = decompress(Compression::zstd, packed, in.size());
  BOOST_REQUIRE_MESSAGE(out.has_value(), out.error());
  BOOST_TEST((*out == in));
}

BOOST_AUTO_TEST_CASE(decompression_bomb_is_rejected) {
  // 64 MiB of zeros shrink to a few KiB; a 1 MiB bound must stop the expansion with a clear message.
  Bytes zeros(64 << 20, 0);
  for (Compression c : kRealCodecs) {
    BOOST_TEST_CONTEXT("codec " << to_string(c)) {
      Bytes packed = must_compress(c, zeros);
      BOOST_TEST(packed.size() < (4u << 20));
      auto out = decompress_bounded(c, packed, 1 << 20);
      BOOST_REQUIRE(!out.has_value());
      BOOST_TEST(out.error().too_large);
      BOOST_TEST(out.error().message.find("limit of 1048576 bytes") != std::string::npos,
                 out.error().message);
    }
  }
}

BOOST_AUTO_TEST_CASE(bound_is_exact) {
  Bytes in = mixed_data(100000, 9);
  for (Compression c : kCodecs) {
    BOOST_TEST_CONTEXT("codec " << to_string(c)) {
      Bytes packed = must_compress(c, in);
      BOOST_TEST(decompress(c, packed, in.size()).has_value());
      auto under = decompress_bounded(c, packed, in.size() - 1);
      BOOST_REQUIRE(!under.has_value());
      BOOST_TEST(under.error().too_large);
    }
  }
}

BOOST_AUTO_TEST_CASE(truncated_input_is_an_error) {
  Bytes in = mixed_data(100000, 10);
  for (Compression c : kRealCodecs) {
    BOOST_TEST_CONTEXT("codec " << to_string(c)) {
      Bytes packed = must_compress(c, in);
      for (size_t cut : {size_t{1}, size_t{5}, packed.size() / 2}) {
        Bytes shorter(packed.begin(), packed.end() - static_cast<std::ptrdiff_t>(cut));
        auto out = decompress_bounded(c, shorter, 1 << 20);
        BOOST_TEST(!out.has_value(), "cut " << cut);
        if (!out) BOOST_TEST(!out.error().too_large);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(garbage_and_empty_input_are_errors) {
  Bytes garbage = mixed_data(1000, 11);
  garbage[0] = 0xFF;  // not a valid header for any codec (and a huge raw-snappy length varint prefix)
  garbage[1] = 0xFF;
  garbage[2] = 0xFF;
  garbage[3] = 0xFF;
  garbage[4] = 0xFF;
  for (Compression c : kRealCodecs) {
    BOOST_TEST_CONTEXT("codec " << to_string(c)) {
      BOOST_TEST(!decompress(c, garbage, 1 << 20).has_value());
      BOOST_TEST(!decompress(c, {}, 1 << 20).has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(none_is_bounded_too) {
  Bytes in(100, 1);
  BOOST_TEST(decompress(Compression::none, in, 100).has_value());
  BOOST_TEST(!decompress(Compression::none, in, 99).has_value());
}

BOOST_AUTO_TEST_CASE(codec_names) {
  BOOST_TEST(to_string(Compression::none) == "none");
  BOOST_TEST(to_string(Compression::gzip) == "gzip");
  BOOST_TEST(to_string(Compression::snappy) == "snappy");
  BOOST_TEST(to_string(Compression::lz4) == "lz4");
  BOOST_TEST(to_string(Compression::zstd) == "zstd");
}

BOOST_AUTO_TEST_SUITE_END()
