// Kafka UUID: 16 bytes on the wire (most-significant half first); all-zero means "none".
#pragma once

#include <array>
#include <cstdint>

namespace gregor {

struct Uuid {
  std::array<uint8_t, 16> bytes{};

  bool is_zero() const {
    for (uint8_t b : bytes) {
      if (b != 0) return false;
    }
    return true;
  }
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

}  // namespace gregor
