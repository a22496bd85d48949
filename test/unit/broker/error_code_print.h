// Lets Boost.Test print ErrorCode values in failed assertions.
#pragma once

#include <ostream>

#include "protocol/error_code.h"

namespace gregor {
inline std::ostream& operator<<(std::ostream& os, ErrorCode e) { return os << to_string(e); }
}  // namespace gregor
