// MemberMetadata: heartbeat satisfaction, protocol metadata lookup, matching and voting.
#include "coordinator/member_metadata.h"

#include <stdexcept>

namespace gregor::coordinator {

bool MemberMetadata::has_satisfied_heartbeat() const {
  if (is_new) return heartbeat_satisfied;
  if (is_awaiting_join() || is_awaiting_sync()) return true;
  return heartbeat_satisfied;
}

const std::vector<uint8_t>& MemberMetadata::metadata(const std::string& protocol) const {
  for (const auto& p : supported_protocols) {
    if (p.name == protocol) return p.metadata;
  }
  throw std::logic_error("member " + member_id + " does not support protocol " + protocol);
}

bool MemberMetadata::matches(const std::vector<Protocol>& protocols) const {
  return protocols == supported_protocols;
}

std::string MemberMetadata::vote(const std::set<std::string>& candidates) const {
  for (const auto& p : supported_protocols) {
    if (candidates.contains(p.name)) return p.name;
  }
  throw std::logic_error("member " + member_id + " supports none of the candidate protocols");
}

}  // namespace gregor::coordinator
