// GroupMetadata: membership bookkeeping, protocol selection, generations and offset expiry.
#include "coordinator/group_metadata.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "protocol/error_code.h"
#include "protocol/reader.h"

namespace gregor::coordinator {
namespace {

// Topic names of a ConsumerProtocolSubscription (any version: int16 version, then [string] topics).
std::optional<std::vector<std::string>> subscription_topics(const std::vector<uint8_t>& metadata) {
  Reader r(metadata);
  r.read_int16();
  int32_t count = r.read_array_length(false);
  std::vector<std::string> topics;
  for (int32_t i = 0; i < count && r.ok(); ++i) topics.push_back(r.read_string());
  if (!r.ok()) return std::nullopt;
  return topics;
}

}  // namespace

void GroupMetadata::transition_to(GroupState s, int64_t now_ms) {
  if (!is_valid_transition(state_, s)) {
    throw std::logic_error(
        fmt::format("group {}: invalid transition {} -> {}", group_id_, to_string(state_), to_string(s)));
  }
  state_ = s;
  current_state_timestamp = now_ms;
}

void GroupMetadata::add(std::unique_ptr<MemberMetadata> member, JoinCallback callback) {
  if (members_.empty()) protocol_type = member->protocol_type;
  if (!leader_id) leader_id = member->member_id;
  for (const auto& p : member->supported_protocols) ++supported_protocols_[p.name];
  member->awaiting_join = std::move(callback);
  if (member->is_awaiting_join()) ++num_members_awaiting_join_;
  if (member->group_instance_id) static_members_[*member->group_instance_id] = member->member_id;
  pending_members.erase(member->member_id);
  std::string id = member->member_id;
  members_[id] = std::move(member);
}

void GroupMetadata::remove(const std::string& member_id) {
  auto it = members_.find(member_id);
  if (it != members_.end()) {
    MemberMetadata& member = *it->second;
    for (const auto& p : member.supported_protocols) {
      if (--supported_protocols_[p.name] == 0) supported_protocols_.erase(p.name);
    }
    if (member.is_awaiting_join()) --num_members_awaiting_join_;
    if (member.group_instance_id) static_members_.erase(*member.group_instance_id);
    members_.erase(it);
  }
  if (is_leader(member_id)) {
    leader_id = members_.empty() ? std::nullopt : std::optional<std::string>(members_.begin()->first);
  }
  pending_members.erase(member_id);
  pending_sync_members.erase(member_id);
}

void GroupMetadata::update_member(MemberMetadata& member, std::vector<Protocol> protocols,
                                  int32_t rebalance_timeout_ms, int32_t session_timeout_ms,
                                  JoinCallback callback) {
  for (const auto& p : member.supported_protocols) {
    if (--supported_protocols_[p.name] == 0) supported_protocols_.erase(p.name);
  }
  member.supported_protocols = std::move(protocols);
  for (const auto& p : member.supported_protocols) ++supported_protocols_[p.name];
  member.rebalance_timeout_ms = rebalance_timeout_ms;
  member.session_timeout_ms = session_timeout_ms;
  if (callback && !member.is_awaiting_join()) {
    ++num_members_awaiting_join_;
  } else if (!callback && member.is_awaiting_join()) {
    --num_members_awaiting_join_;
  }
  member.awaiting_join = std::move(callback);
}

namespace {
JoinGroupResponse join_error(const std::string& member_id, ErrorCode error) {
  JoinGroupResponse r;
  r.error_code = static_cast<int16_t>(error);
  r.member_id = member_id;
  return r;
}
}  // namespace

MemberMetadata& GroupMetadata::replace_static_member(const std::string& instance_id,
                                                     const std::string& old_member_id,
                                                     const std::string& new_member_id) {
  auto it = members_.find(old_member_id);
  if (it == members_.end()) {
    throw std::logic_error(fmt::format("group {}: static member {} not found", group_id_, old_member_id));
  }
  std::unique_ptr<MemberMetadata> member = std::move(it->second);
  members_.erase(it);
  // Fence a duplicate instance still waiting in a join or sync at once.
  maybe_invoke_join_callback(*member, join_error(old_member_id, ErrorCode::FENCED_INSTANCE_ID));
  SyncGroupResponse fenced;
  fenced.error_code = static_cast<int16_t>(ErrorCode::FENCED_INSTANCE_ID);
  maybe_invoke_sync_callback(*member, fenced);
  member->member_id = new_member_id;
  MemberMetadata& ref = *member;
  members_[new_member_id] = std::move(member);
  if (is_leader(old_member_id)) leader_id = new_member_id;
  if (pending_sync_members.erase(old_member_id) > 0) pending_sync_members.insert(new_member_id);
  add_static_member(instance_id, new_member_id);
  return ref;
}

bool GroupMetadata::maybe_invoke_join_callback(MemberMetadata& member, JoinGroupResponse response) {
  if (!member.is_awaiting_join()) return false;
  JoinCallback callback = std::move(member.awaiting_join);
  member.awaiting_join = nullptr;
  --num_members_awaiting_join_;
  callback(std::move(response));
  return true;
}

bool GroupMetadata::maybe_invoke_sync_callback(MemberMetadata& member, SyncGroupResponse response) {
  if (!member.is_awaiting_sync()) return false;
  SyncCallback callback = std::move(member.awaiting_sync);
  member.awaiting_sync = nullptr;
  callback(std::move(response));
  return true;
}

std::optional<std::string> GroupMetadata::static_member_id(const std::string& instance_id) const {
  auto it = static_members_.find(instance_id);
  if (it == static_members_.end()) return std::nullopt;
  return it->second;
}

bool GroupMetadata::is_static_member_fenced(const std::optional<std::string>& instance_id,
                                            const std::string& member_id) const {
  if (!instance_id) return false;
  auto current = static_member_id(*instance_id);
  return current && *current != member_id;
}

int32_t GroupMetadata::rebalance_timeout_ms() const {
  int32_t timeout = 0;
  for (const auto& [id, m] : members_) timeout = std::max(timeout, m->rebalance_timeout_ms);
  return timeout;
}

bool GroupMetadata::supports_protocols(const std::string& type,
                                       const std::vector<Protocol>& protocols) const {
  if (is(GroupState::Empty)) return !type.empty() && !protocols.empty();
  if (protocol_type != type) return false;
  return std::any_of(protocols.begin(), protocols.end(), [&](const Protocol& p) {
    auto it = supported_protocols_.find(p.name);
    return it != supported_protocols_.end() && it->second == static_cast<int>(members_.size());
  });
}

std::string GroupMetadata::select_protocol() const {
  std::set<std::string> candidates;
  for (const auto& [name, count] : supported_protocols_) {
    if (count == static_cast<int>(members_.size())) candidates.insert(name);
  }
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members_) ++votes[m->vote(candidates)];
  // std::map iterates names in order, so the first maximum is the lexicographically first.
  auto best = std::max_element(votes.begin(), votes.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  if (best == votes.end()) throw std::logic_error("group " + group_id_ + ": no protocol to select");
  return best->first;
}

bool GroupMetadata::maybe_elect_new_joined_leader() {
  if (!leader_id) return false;
  if (members_.at(*leader_id)->is_awaiting_join()) return true;
  for (const auto& [id, m] : members_) {
    if (m->is_awaiting_join()) {
      leader_id = id;
      return true;
    }
  }
  return false;
}

void GroupMetadata::init_next_generation(int64_t now_ms) {
  ++generation_id;
  if (!members_.empty()) {
    protocol_name = select_protocol();
    compute_subscribed_topics();
    transition_to(GroupState::CompletingRebalance, now_ms);
  } else {
    protocol_name.reset();
    compute_subscribed_topics();
    transition_to(GroupState::Empty, now_ms);
  }
  pending_sync_members.clear();
}

std::vector<JoinGroupResponse::JoinGroupResponseMember> GroupMetadata::current_member_metadata() const {
  if (is(GroupState::Dead) || is(GroupState::PreparingRebalance) || !protocol_name) {
    throw std::logic_error(
        fmt::format("group {}: no member metadata in state {}", group_id_, to_string(state_)));
  }
  std::vector<JoinGroupResponse::JoinGroupResponseMember> out;
  for (const auto& [id, m] : members_) {
    out.push_back({id, m->group_instance_id, m->metadata(*protocol_name)});
  }
  return out;
}

void GroupMetadata::compute_subscribed_topics() {
  subscribed_topics.reset();
  if (protocol_type != "consumer") return;
  if (members_.empty()) {
    subscribed_topics.emplace();
    return;
  }
  if (!protocol_name) return;
  std::set<std::string> topics;
  for (const auto& [id, m] : members_) {
    auto member_topics = subscription_topics(m->metadata(*protocol_name));
    if (!member_topics) return;  // not a consumer subscription we can read: offsets never expire by topic
    topics.insert(member_topics->begin(), member_topics->end());
  }
  subscribed_topics = std::move(topics);
}

std::map<TopicPartition, CommittedOffset> GroupMetadata::remove_expired_offsets(int64_t now_ms,
                                                                                int64_t retention_ms) {
  // Which timestamp retention counts from, and which topics are exempt, depend on the group's kind.
  enum class Base { StateTimestamp, CommitTimestamp, None } base = Base::None;
  std::set<std::string> exempt_topics;
  if (protocol_type && is(GroupState::Empty)) {
    base = Base::StateTimestamp;
  } else if (protocol_type == "consumer" && subscribed_topics && is(GroupState::Stable)) {
    base = Base::CommitTimestamp;
    exempt_topics = *subscribed_topics;
  } else if (!protocol_type) {
    base = Base::CommitTimestamp;
  }
  std::map<TopicPartition, CommittedOffset> expired;
  if (base == Base::None) return expired;
  for (auto it = offsets.begin(); it != offsets.end();) {
    const auto& [tp, offset] = *it;
    bool is_expired = false;
    if (!exempt_topics.contains(tp.first) && !pending_offset_commits.contains(tp)) {
      if (offset.expire_timestamp >= 0) {
        is_expired = now_ms >= offset.expire_timestamp;
      } else {
        int64_t from = base == Base::StateTimestamp && current_state_timestamp ? *current_state_timestamp
                                                                               : offset.commit_timestamp;
        is_expired = now_ms - from >= retention_ms;
      }
    }
    if (is_expired) {
      expired.emplace(tp, offset);
      it = offsets.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

}  // namespace gregor::coordinator
