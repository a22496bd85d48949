// ClientError formatting.
#include "client/error.h"

namespace gregor::client {

std::string ClientError::to_string() const {
  std::string out(gregor::to_string(code));
  if (!message.empty()) out += ": " + message;
  return out;
}

}  // namespace gregor::client
