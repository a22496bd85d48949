// Tests for protocol/reader.h and protocol/writer.h: primitive encodings (spec §2), bounds and errors.
#ifndef BOOST_TEST_DYN_LINK  // meson's boost dependency may define it already
#define BOOST_TEST_DYN_LINK
#endif
#include <fcntl.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "protocol/reader.h"
#include "protocol/writer.h"

using namespace gregor;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes varint_bytes(int32_t v) {
  Writer w;
  w.write_varint(v);
  return w.buffer();
}

// A temp file removed (and closed) at scope end.
struct TempFile {
  std::filesystem::path path;
  int fd = -1;
  explicit TempFile(const Bytes& content) {
    std::string templ = (std::filesystem::temp_directory_path() / "gregor-primitives-XXXXXX").string();
    fd = ::mkstemp(templ.data());
    BOOST_REQUIRE(fd >= 0);
    path = templ;
    BOOST_REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  }
  ~TempFile() {
    ::close(fd);
    std::filesystem::remove(path);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(primitives)

BOOST_AUTO_TEST_CASE(varint_vectors_from_spec) {
  BOOST_TEST(varint_bytes(0) == Bytes({0x00}));
  BOOST_TEST(varint_bytes(-1) == Bytes({0x01}));
  BOOST_TEST(varint_bytes(1) == Bytes({0x02}));
  BOOST_TEST(varint_bytes(-2) == Bytes({0x03}));
  BOOST_TEST(varint_bytes(63) == Bytes({0x7e}));
  BOOST_TEST(varint_bytes(-64) == Bytes({0x7f}));
  BOOST_TEST(varint_bytes(64) == Bytes({0x80, 0x01}));
  BOOST_TEST(varint_bytes(INT32_MAX) == Bytes({0xfe, 0xff, 0xff, 0xff, 0x0f}));
  BOOST_TEST(varint_bytes(INT32_MIN) == Bytes({0xff, 0xff, 0xff, 0xff, 0x0f}));
}

BOOST_AUTO_TEST_CASE(varint_and_varlong_round_trip) {
  std::vector<int64_t> values = {0,   1,    -1,        63,        -64,       64,
                                 300, -300, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
  Writer w;
  for (int64_t v : values) {
    if (v >= INT32_MIN && v <= INT32_MAX) w.write_varint(static_cast<int32_t>(v));
    w.write_varlong(v);
  }
  Reader r{std::span<const uint8_t>(w.buffer())};
  for (int64_t v : values) {
    if (v >= INT32_MIN && v <= INT32_MAX) BOOST_TEST(r.read_varint() == v);
    BOOST_TEST(r.read_varlong() == v);
  }
  BOOST_TEST(r.ok());
  BOOST_TEST(r.remaining() == 0u);
}

BOOST_AUTO_TEST_CASE(unsigned_varint_encoding) {
  Writer w;
  w.write_unsigned_varint(300);
  BOOST_TEST(w.buffer() == Bytes({0xac, 0x02}));
  Writer max;
  max.write_unsigned_varint(UINT32_MAX);
  BOOST_TEST(max.buffer() == Bytes({0xff, 0xff, 0xff, 0xff, 0x0f}));
}

BOOST_AUTO_TEST_CASE(unsigned_varint_overflow_is_an_error) {
  Bytes too_long = {0xff, 0xff, 0xff, 0xff, 0x1f};
  Reader r{std::span<const uint8_t>(too_long)};
  r.read_unsigned_varint();
  BOOST_TEST(!r.ok());
  Bytes unterminated = {0x80, 0x80};
  Reader r2{std::span<const uint8_t>(unterminated)};
  r2.read_unsigned_varint();
  BOOST_TEST(!r2.ok());
}

BOOST_AUTO_TEST_CASE(fixed_width_integers_are_big_endian) {
  Writer w;
  w.write_int16(0x0102);
  w.write_int32(-2);
  w.write_int64(0x0102030405060708);
  w.write_uint32(0xdeadbeef);
  w.write_bool(true);
  w.write_float64(1.5);
  BOOST_TEST(Bytes(w.buffer().begin(), w.buffer().begin() + 6) ==
             Bytes({0x01, 0x02, 0xff, 0xff, 0xff, 0xfe}));
  Reader r{std::span<const uint8_t>(w.buffer())};
  BOOST_TEST(r.read_int16() == 0x0102);
  BOOST_TEST(r.read_int32() == -2);
  BOOST_TEST(r.read_int64() == 0x0102030405060708);
  BOOST_TEST(r.read_uint32() == 0xdeadbeefu);
  BOOST_TEST(r.read_bool());
  BOOST_TEST(r.read_float64() == 1.5);
  BOOST_TEST(r.ok());
}

BOOST_AUTO_TEST_CASE(strings_classic_and_compact) {
  Writer w;
  w.write_string("abc");
  w.write_nullable_string(std::nullopt);
  w.write_compact_string("abc");
  w.write_compact_nullable_string(std::nullopt);
  w.write_compact_nullable_string(std::string());
  BOOST_TEST(w.buffer() == Bytes({0x00, 0x03, 'a', 'b', 'c', 0xff, 0xff, 0x04, 'a', 'b', 'c', 0x00, 0x01}));
  Reader r{std::span<const uint8_t>(w.buffer())};
  BOOST_TEST(r.read_string() == "abc");
  BOOST_TEST(!r.read_nullable_string().has_value());
  BOOST_TEST(r.read_compact_string() == "abc");
  BOOST_TEST(!r.read_compact_nullable_string().has_value());
  BOOST_TEST(r.read_compact_nullable_string().value() == "");
  BOOST_TEST(r.ok());
}

BOOST_AUTO_TEST_CASE(null_in_non_nullable_string_is_an_error) {
  Bytes bytes = {0xff, 0xff};
  Reader r{std::span<const uint8_t>(bytes)};
  r.read_string();
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.error().find("invalid string length -1") != std::string::npos);
  Bytes compact_null = {0x00};
  Reader r2{std::span<const uint8_t>(compact_null)};
  r2.read_compact_string();
  BOOST_TEST(!r2.ok());
}

BOOST_AUTO_TEST_CASE(length_beyond_remaining_fails_before_allocating) {
  Bytes bytes = {0x7f, 0xff, 0xff, 0xff, 'x'};  // bytes length 2^31-1, one byte present
  Reader r{std::span<const uint8_t>(bytes)};
  auto b = r.read_bytes();
  BOOST_TEST(!r.ok());
  BOOST_TEST(b.empty());
  Bytes array = {0x00, 0x00, 0x10, 0x00};  // 4096 elements, nothing follows
  Reader r2{std::span<const uint8_t>(array)};
  r2.read_array_length(false);
  BOOST_TEST(!r2.ok());
}

BOOST_AUTO_TEST_CASE(string_longer_than_32767_is_rejected) {
  Writer w;
  w.write_unsigned_varint(40001);  // compact length 40000
  w.write_raw(Bytes(40000, 'a'));
  Reader r{std::span<const uint8_t>(w.buffer())};
  r.read_compact_string();
  BOOST_TEST(!r.ok());
  Writer too_long;
  BOOST_CHECK_THROW(too_long.write_string(std::string(40000, 'a')), std::length_error);
}

BOOST_AUTO_TEST_CASE(errors_are_sticky_and_keep_the_first_message) {
  Bytes bytes = {0x00, 0x01};
  Reader r{std::span<const uint8_t>(bytes)};
  r.read_int32();
  std::string first = r.error();
  BOOST_TEST(!first.empty());
  BOOST_TEST(r.read_int8() == 0);  // would have been in bounds before the failure
  BOOST_TEST(r.error() == first);
}

BOOST_AUTO_TEST_CASE(nullable_arrays_and_bytes) {
  Writer w;
  w.write_array_length(-1);
  w.write_compact_array_length(-1);
  w.write_compact_array_length(0);
  w.write_nullable_bytes(std::nullopt);
  BOOST_TEST(w.buffer() == Bytes({0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff}));
  Reader r{std::span<const uint8_t>(w.buffer())};
  BOOST_TEST(r.read_array_length(true) == -1);
  BOOST_TEST(r.read_compact_array_length(true) == -1);
  BOOST_TEST(r.read_compact_array_length(true) == 0);
  BOOST_TEST(!r.read_nullable_bytes().has_value());
  BOOST_TEST(r.ok());
  Reader strict{std::span<const uint8_t>(w.buffer())};
  strict.read_array_length(false);
  BOOST_TEST(!strict.ok());
}

BOOST_AUTO_TEST_CASE(tagged_fields_are_skipped_by_size) {
  // Two tags: tag 0 with 3 bytes, tag 5 with 1 byte, then a sentinel int8.
  Bytes bytes = {0x02, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x05, 0x01, 0xdd, 0x42};
  Reader r{std::span<const uint8_t>(bytes)};
  r.skip_tagged_fields();
  BOOST_TEST(r.ok());
  BOOST_TEST(r.read_int8() == 0x42);
}

BOOST_AUTO_TEST_CASE(tagged_fields_out_of_order_or_oversized_fail) {
  Bytes unordered = {0x02, 0x05, 0x00, 0x01, 0x00};
  Reader r{std::span<const uint8_t>(unordered)};
  r.skip_tagged_fields();
  BOOST_TEST(!r.ok());
  Bytes oversized = {0x01, 0x00, 0x7f, 0x00};
  Reader r2{std::span<const uint8_t>(oversized)};
  r2.skip_tagged_fields();
  BOOST_TEST(!r2.ok());
}

BOOST_AUTO_TEST_CASE(uuid_round_trip) {
  Uuid u;
  for (size_t i = 0; i < 16; ++i) u.bytes[i] = static_cast<uint8_t>(i * 7);
  Writer w;
  w.write_uuid(u);
  w.write_uuid(Uuid{});
  Reader r{std::span<const uint8_t>(w.buffer())};
  BOOST_TEST((r.read_uuid() == u));
  BOOST_TEST(r.read_uuid().is_zero());
}

BOOST_AUTO_TEST_CASE(mutable_views_only_from_mutable_buffers) {
  Bytes bytes = {1, 2, 3, 4};
  Reader read_only{std::span<const uint8_t>(bytes)};
  read_only.read_raw_mutable(2);
  BOOST_TEST(!read_only.ok());
  Reader writable{std::span<uint8_t>(bytes)};
  auto view = writable.read_raw_mutable(2);
  BOOST_REQUIRE(writable.ok());
  view[0] = 9;
  BOOST_TEST(bytes[0] == 9);
}

BOOST_AUTO_TEST_CASE(reserve_and_patch_i32) {
  Writer w;
  size_t at = w.reserve_i32();
  w.write_int16(7);
  w.patch_i32(at, static_cast<int32_t>(w.size() - 4));
  BOOST_TEST(w.buffer() == Bytes({0, 0, 0, 2, 0, 7}));
  BOOST_CHECK_THROW(w.patch_i32(4, 1), std::out_of_range);
}

BOOST_AUTO_TEST_CASE(file_regions_are_virtual_until_flattened) {
  TempFile file(Bytes{'0', '1', '2', '3', '4', '5', '6', '7', '8', '9'});
  Writer w;
  w.write_int8(-1);
  w.append_file_region({file.fd, 2, 3, nullptr});
  w.write_int8(-2);
  w.append_file_region({file.fd, 8, 2, nullptr});
  w.append_file_region({file.fd, 0, 0, nullptr});  // empty regions are dropped
  BOOST_TEST(w.size() == 7);
  BOOST_TEST(w.buffer().size() == 2u);
  BOOST_TEST(w.regions().size() == 2u);
  BOOST_TEST(w.regions()[0].first == 1u);
  BOOST_TEST(w.regions()[1].first == 2u);
  BOOST_TEST(w.flatten() == Bytes({0xff, '2', '3', '4', 0xfe, '8', '9'}));
}

BOOST_AUTO_TEST_CASE(flatten_reports_a_region_past_the_end) {
  TempFile file(Bytes{'a', 'b'});
  Writer w;
  w.append_file_region({file.fd, 1, 5, nullptr});
  BOOST_CHECK_THROW(w.flatten(), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
