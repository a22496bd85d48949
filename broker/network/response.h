// Response: the encoded bytes of one answer plus file regions spliced in (sent with sendfile).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "protocol/file_region.h"

namespace gregor::broker {

struct Response {
  // Response header (correlation id, tagged fields) and body, without the 4-byte size prefix.
  std::vector<uint8_t> bytes;
  // Region i is sent right after bytes[0, regions[i].first).
  std::vector<std::pair<size_t, FileRegion>> regions;

  int64_t size() const {
    int64_t n = static_cast<int64_t>(bytes.size());
    for (auto& r : regions) n += r.second.length;
    return n;
  }
};

}  // namespace gregor::broker
