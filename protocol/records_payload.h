// RecordsPayload: the RECORDS field of a fetch response, either bytes or zero-copy file regions.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "protocol/file_region.h"

namespace gregor {

// The broker fills in file regions (sent with sendfile); clients and tests see bytes.
// Decoding always yields bytes; a null RECORDS field decodes as empty bytes.
using RecordsPayload = std::variant<std::vector<uint8_t>, std::vector<FileRegion>>;

// Total length on the wire.
inline int64_t records_size(const RecordsPayload& records) {
  if (const auto* bytes = std::get_if<std::vector<uint8_t>>(&records))
    return static_cast<int64_t>(bytes->size());
  int64_t total = 0;
  for (const FileRegion& r : std::get<std::vector<FileRegion>>(records)) total += r.length;
  return total;
}

}  // namespace gregor
